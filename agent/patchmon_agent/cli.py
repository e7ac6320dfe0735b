"""Command line: `patchmon-agent [--config PATH] [--log-level LEVEL] <command>`.

Exit status 0 on success and 1 on any failure, usage errors included (as the reference's cobra CLI).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from patchmon_agent import __version__, logs, update
from patchmon_agent import config as cfg
from patchmon_agent import report as reports
from patchmon_agent.checkin import CheckIn
from patchmon_agent.http import ApiClient, ApiError, TransportError
from patchmon_agent.update import UpdateError, Updater

ROOT_ENV = "PATCHMON_ALLOW_NON_ROOT"


class UsageError(Exception):
    """Bad command line."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001, ANN201 (argparse's signature)
        return super().add_usage(usage, actions, groups, prefix or "Usage: ")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


COMMANDS = """\
Commands:
  serve                 run the agent service (check-ins, WebSocket, self-update)
  report [--json]       collect and send one full report (--json: print it, send nothing)
  ping                  check connectivity and the API credentials
  diagnostics           print system, configuration and connectivity diagnostics
  config show           print the configuration (never the API key)
  config set-api ID KEY URL   save the server URL and the credentials, then ping
  check-version         ask the server whether a newer agent exists
  update-agent          download, verify and install the server's agent build
  version               print the agent's version
  uninstall [--yes]     remove the agent, its service and /etc/patchmon
"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="patchmon-agent", formatter_class=_Formatter, description="PatchMon Cloud agent.", epilog=COMMANDS)
    parser.add_argument("--config", default=os.environ.get("PATCHMON_CONFIG", cfg.DEFAULT_CONFIG_PATH), help="config file (default %(default)s)")
    parser.add_argument("--log-level", choices=("debug", "info", "warn", "error"), help="log level for this run")
    parser.add_argument("-v", "--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="<command>", parser_class=_Parser)
    for name in ("serve", "ping", "diagnostics", "check-version", "update-agent", "version"):
        commands.add_parser(name, formatter_class=_Formatter)
    report = commands.add_parser("report", formatter_class=_Formatter)
    report.add_argument("--json", action="store_true", help="print the report as JSON and send nothing")
    config = commands.add_parser("config", formatter_class=_Formatter)
    config_commands = config.add_subparsers(dest="config_command", metavar="<show|set-api>", parser_class=_Parser)
    config_commands.add_parser("show", formatter_class=_Formatter)
    set_api = config_commands.add_parser("set-api", formatter_class=_Formatter)
    for name in ("api_id", "api_key", "server_url"):
        set_api.add_argument(name)
    uninstall = commands.add_parser("uninstall", formatter_class=_Formatter)
    uninstall.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    uninstall.add_argument("--remove-backups", action="store_true", help="also remove the agent's backups")
    return parser


class Context:
    """What every command needs: the parsed flags and config.yml."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.config_file = cfg.load_config(args.config)

    @property
    def config(self) -> cfg.Config:
        return self.config_file.config

    def setup_logging(self, *, stderr_fallback: bool = True) -> None:
        level = self.args.log_level or self.config.log_level
        log_file = self.config.log_file
        if not stderr_fallback and not _writable(log_file):
            log_file = None
        logs.setup(log_file, level)

    def credentials(self) -> cfg.Credentials:
        credentials = cfg.load_credentials(self.config.credentials_file)
        logs.register_secret(credentials.api_key)
        return credentials

    def client(self, credentials: cfg.Credentials | None = None, **options: Any) -> ApiClient:
        if not self.config.patchmon_server:
            raise cfg.ConfigError(f"no server configured in {self.config_file.path}: run `patchmon-agent config set-api`")
        if self.config.skip_ssl_verify and not cfg.skip_tls_verify(self.config):
            logs.log.warning("skip_ssl_verify ignored: PATCHMON_ENV is production")
        return ApiClient(self.config.patchmon_server, credentials if credentials is not None else self.credentials(),
                         api_version=self.config.api_version, verify_tls=not cfg.skip_tls_verify(self.config), **options)

    def updater(self, client: ApiClient, *, allow_unverified_tls: bool = False) -> Updater:
        return Updater(client, executable=update.installed_executable(), state_dir=self.config_file.directory,
                       allow_unverified_tls=allow_unverified_tls)


def _writable(path: str) -> bool:
    target = path if os.path.exists(path) else os.path.dirname(path) or "."
    while not os.path.exists(target):
        target = os.path.dirname(target) or "/"
    return os.access(target, os.W_OK)


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _require_root() -> None:
    if hasattr(os, "geteuid") and os.geteuid() != 0 and os.environ.get(ROOT_ENV, "").lower() not in ("1", "true"):
        raise cfg.ConfigError("this command must be run as root (sudo patchmon-agent ...)")


# --- commands -----------------------------------------------------------------------------------------

def cmd_version(_ctx: Context) -> int:
    _out(f"PatchMon Agent v{__version__}")
    return 0


def cmd_report(ctx: Context) -> int:
    _require_root()
    ctx.setup_logging()
    collectors = reports.default_collectors()
    if ctx.args.json:
        _out(json.dumps(reports.collect(collectors), indent=2, ensure_ascii=False))
        return 0
    credentials = ctx.credentials()
    client = ctx.client(credentials)
    updated: list[bool] = []

    def after(answer: dict[str, Any]) -> None:
        auto = answer.get("autoUpdate") if isinstance(answer.get("autoUpdate"), dict) else {}
        updater = ctx.updater(client)
        if auto.get("shouldUpdate") or updater.check().get("hasUpdate"):
            updated.append(updater.update().updated)

    checkin = CheckIn(client, collectors, ctx.config_file, api_id=credentials.api_id, after_full_report=after)
    result = checkin.send_full(reason="command line")
    counts = {"processed": result.answer.get("packagesProcessed"), "updates": result.answer.get("updatesAvailable"),
              "security": result.answer.get("securityUpdates")}
    _out(f"Report sent: {counts['processed']} packages ({counts['updates']} with updates, {counts['security']} security updates)")
    if any(updated):
        _out("The agent was updated.")
        _restart_installed_service()
    return 0


def cmd_ping(ctx: Context) -> int:
    _require_root()
    ctx.setup_logging()
    try:
        ctx.client().post("/hosts/ping")
    except (ApiError, TransportError) as exc:
        sys.stderr.write(f"Error: connectivity test failed: {exc}\n")
        return 1
    _out("✅ API credentials are valid")
    _out("✅ Connectivity test successful")
    return 0


def cmd_config_show(ctx: Context) -> int:
    ctx.setup_logging(stderr_fallback=False)
    c = ctx.config
    try:
        credentials: cfg.Credentials | None = cfg.load_credentials(c.credentials_file)
    except cfg.ConfigError:
        credentials = None
    rows = [("Server", c.patchmon_server or "(not set)"), ("Agent version", __version__), ("Config file", str(ctx.config_file.path)),
            ("Credentials file", c.credentials_file), ("Log file", c.log_file), ("Log level", c.log_level),
            ("Update interval", f"{c.update_interval} minutes (offset {c.report_offset} s)"),
            ("API ID", credentials.api_id if credentials else "(not set)"), ("API Key", "Set ✅" if credentials else "Not set ❌")]
    _out("PatchMon Agent configuration")
    if not ctx.config_file.exists:
        _out(f"  (no {ctx.config_file.path}: defaults shown)")
    elif not ctx.config_file.usable:
        _out(f"  WARNING: {ctx.config_file.path} cannot be parsed ({ctx.config_file.error}); defaults shown")
    for label, value in rows:
        _out(f"  {label + ':':<18} {value}")
    return 0


def cmd_config_set_api(ctx: Context) -> int:
    _require_root()
    args = ctx.args
    if not args.api_id.strip() or not args.api_key.strip():
        raise UsageError("API_ID and API_KEY must not be empty")
    url = cfg.validate_server_url(args.server_url)
    if ctx.config_file.exists and not ctx.config_file.usable:
        sys.stderr.write(f"WARNING: {ctx.config_file.path} could not be parsed ({ctx.config_file.error}); replacing it with defaults\n")
    ctx.config.patchmon_server = url
    ctx.config_file.save(replace_unusable=True)
    credentials = cfg.Credentials(args.api_id.strip(), args.api_key.strip())
    cfg.save_credentials(ctx.config.credentials_file, credentials)
    ctx.setup_logging()
    logs.register_secret(credentials.api_key)
    logs.log.info("credentials saved", extra={"api_id": credentials.api_id, "server": url})
    _out(f"Saved the server ({url}) to {ctx.config_file.path} and the credentials to {ctx.config.credentials_file}")
    return cmd_ping(ctx)


def cmd_check_version(ctx: Context) -> int:
    _require_root()
    ctx.setup_logging()
    info = ctx.updater(ctx.client()).check()
    latest = info.get("latestVersion")
    _out(f"Current version: {__version__}")
    _out(f"Latest version:  {latest}")
    if info.get("hasUpdate"):
        _out("Status: update available (run `patchmon-agent update-agent`)")
    elif info.get("autoUpdateDisabled") and latest != __version__:
        _out("Status: Auto-update disabled by server administrator")
        reason = info.get("autoUpdateDisabledReason")
        if reason:
            _out(f"Reason: {reason}")
    else:
        _out("Status: up to date")
    return 0


def cmd_update_agent(ctx: Context) -> int:
    _require_root()
    ctx.setup_logging()
    result = ctx.updater(ctx.client(), allow_unverified_tls=True).update(force=True)
    messages = {"updated": f"Agent updated from {result.current} to {result.latest}.", "up_to_date": f"Agent is up to date ({result.current}).",
                "cooldown": f"Update skipped: {result.message}.", "busy": "Update skipped: another update is running.",
                "disabled": f"Update skipped: {result.message or 'auto-update disabled'}."}
    _out(messages.get(result.status, result.status))
    if result.updated:
        _restart_installed_service()
    return 0 if result.status in ("updated", "up_to_date") else 1


def _restart_installed_service() -> None:
    # No import here: the zipapp on disk is the new build now, and this process must not load code from it.
    manager = update.restart_service_if_running()
    _out(f"Restarted the {manager} service." if manager else "Restart the agent service to run the new version.")


def cmd_serve(ctx: Context) -> int:
    _require_root()
    if ctx.config_file.exists and not ctx.config_file.usable:
        raise cfg.ConfigError(f"{ctx.config_file.path} cannot be parsed ({ctx.config_file.error}); refusing to start on defaults")
    ctx.setup_logging()
    from patchmon_agent.serve import Service

    credentials = ctx.credentials()
    client = ctx.client(credentials)
    try:
        from patchmon_agent.ws import AgentSocket
    except ImportError:
        AgentSocket = None  # noqa: N806
    checkin = CheckIn(client, reports.default_collectors(), ctx.config_file, api_id=credentials.api_id)
    service = Service(checkin, credentials, socket_factory=AgentSocket, updater=ctx.updater(client), restart=update.restart_service,
                      verify_tls=client.verify_tls)
    checkin.after_full_report = service.after_full_report
    return service.run()


def cmd_diagnostics(ctx: Context) -> int:
    from patchmon_agent import diagnostics

    ctx.setup_logging(stderr_fallback=False)
    return diagnostics.run(ctx, _out)


def cmd_uninstall(ctx: Context) -> int:
    _require_root()
    from patchmon_agent import uninstall

    return uninstall.run(ctx.config, yes=ctx.args.yes, remove_backups=ctx.args.remove_backups, out=_out)


DISPATCH = {"version": cmd_version, "report": cmd_report, "ping": cmd_ping, "check-version": cmd_check_version,
            "update-agent": cmd_update_agent, "serve": cmd_serve, "diagnostics": cmd_diagnostics, "uninstall": cmd_uninstall}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command of the agent and return its exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        if args.version:
            _out(f"patchmon-agent version {__version__}")
            return 0
        if args.command is None:
            parser.print_help()
            return 0
        if args.command == "config":
            handler = {"show": cmd_config_show, "set-api": cmd_config_set_api}.get(args.config_command)
            if handler is None:
                raise UsageError("config needs a subcommand: show or set-api")
        else:
            handler = DISPATCH[args.command]
        return handler(Context(args))
    except UsageError as exc:
        sys.stderr.write(f"Error: {exc}\n\n")
        parser.print_usage(sys.stderr)
        return 1
    except (cfg.ConfigError, ApiError, TransportError, UpdateError, reports.CollectionError) as exc:
        sys.stderr.write(f"Error: {exc}\n")
        logs.log.error("command failed", extra={"error": str(exc)})
        return 1
    except SystemExit as exc:  # argparse's --help
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        return 130
