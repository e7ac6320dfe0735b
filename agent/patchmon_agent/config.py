"""config.yml and credentials.yml, with the official agent's keys and defaults.

Paths the file does not set default to the config file's directory (credentials.yml, logs/), which is
/etc/patchmon for the default config path, as in the reference.

An existing config.yml that does not parse (or parses to nothing) is never overwritten by an automatic
save: `ConfigFile.save` refuses, and only `config set-api` may replace it (`replace_unusable=True`).
Keys this agent does not know are kept as they were, after the known ones.
"""
from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass, field
from typing import Any

from patchmon_agent import files, yamlfile

DEFAULT_CONFIG_PATH = "/etc/patchmon/config.yml"
DEFAULT_CREDENTIALS_PATH = "/etc/patchmon/credentials.yml"
DEFAULT_LOG_PATH = "/etc/patchmon/logs/patchmon-agent.log"
UPDATE_MARKER_NAME = ".last_update_timestamp"
DEFAULT_INTERVAL_MINUTES = 60
LOG_LEVELS = ("debug", "info", "warn", "warning", "error")
CACHE_REFRESH_MODES = ("always", "if_stale", "never")
# Integrations the server may switch; the proxies are local-only decisions (reference-agent.md §15).
SERVER_SWITCHABLE = ("docker", "compliance")
LOCAL_ONLY = ("ssh-proxy-enabled", "rdp-proxy-enabled")
HEADER = "PatchMon agent configuration (written by patchmon-agent; comments are not kept)"
TRUE_WORDS = ("true", "1", "yes", "on", "enabled")
FALSE_WORDS = ("false", "0", "no", "off", "disabled", "")


class ConfigError(Exception):
    """config.yml or credentials.yml cannot be used."""


def _bool(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, str)):
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return default


def _int(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    try:
        return int(str(value).strip()) if isinstance(value, (int, str)) else default
    except ValueError:
        return default


def compliance_mode(value: Any) -> bool | str:
    """Normalise a compliance switch to False, "on-demand" or True."""
    if isinstance(value, str) and value.strip().lower().replace("_", "-") in ("on-demand", "ondemand"):
        return "on-demand"
    return _bool(value, False)


def normalise_integrations(raw: Any) -> dict[str, Any]:
    """Integration switches with defaults, legacy flat compliance keys moved into the nested map."""
    source = dict(raw) if isinstance(raw, dict) else {}
    compliance = source.pop("compliance", None)
    nested = dict(compliance) if isinstance(compliance, dict) else {"enabled": compliance}
    for legacy, key in (("compliance_openscap_enabled", "openscap_enabled"), ("compliance_docker_bench_enabled", "docker_bench_enabled")):
        if legacy in source:
            nested.setdefault(key, source.pop(legacy))
    interval = _int(nested.get("scan_interval"), 1440)
    nested.update({"enabled": compliance_mode(nested.get("enabled")), "openscap_enabled": _bool(nested.get("openscap_enabled"), True),
                   "docker_bench_enabled": _bool(nested.get("docker_bench_enabled"), False), "scan_interval": min(max(interval, 60), 10080)})
    result: dict[str, Any] = {"docker": _bool(source.pop("docker", False), False), "compliance": nested}
    for name in LOCAL_ONLY:
        result[name] = _bool(source.pop(name, False), False)
    result.update(source)
    return result


@dataclass
class Config:
    """The agent's settings (config.yml)."""

    patchmon_server: str = ""
    api_version: str = "v1"
    credentials_file: str = DEFAULT_CREDENTIALS_PATH
    log_file: str = DEFAULT_LOG_PATH
    log_level: str = "info"
    skip_ssl_verify: bool = False
    update_interval: int = DEFAULT_INTERVAL_MINUTES
    report_offset: int = 0
    package_cache_refresh_mode: str = "always"
    package_cache_refresh_max_age: int = 60
    integrations: dict[str, Any] = field(default_factory=lambda: normalise_integrations({}))
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def beside(cls, config_path: str | os.PathLike[str]) -> Config:
        """Defaults for a config file at `config_path`: credentials and logs in its directory (/etc/patchmon by default)."""
        directory = pathlib.Path(config_path).parent
        return cls(credentials_file=str(directory / "credentials.yml"), log_file=str(directory / "logs" / "patchmon-agent.log"))

    @classmethod
    def from_dict(cls, data: dict[str, Any], defaults: Config | None = None) -> Config:
        """Build a config from parsed YAML; keys are case-insensitive, unknown ones are kept in `extra`."""
        data = {str(k).lower(): v for k, v in data.items()}
        d = defaults or cls()
        interval = _int(data.pop("update_interval", d.update_interval), d.update_interval)
        mode = str(data.pop("package_cache_refresh_mode", d.package_cache_refresh_mode) or "").strip().lower()
        max_age = _int(data.pop("package_cache_refresh_max_age", d.package_cache_refresh_max_age), d.package_cache_refresh_max_age)
        level = str(data.pop("log_level", d.log_level) or "").strip().lower()

        def text(key: str, default: str) -> str:
            value = data.pop(key, None)
            return default if value is None or value == "" else str(value).strip()

        return cls(
            patchmon_server=text("patchmon_server", "").rstrip("/"), api_version=text("api_version", d.api_version),
            credentials_file=text("credentials_file", d.credentials_file), log_file=text("log_file", d.log_file),
            log_level=level if level in LOG_LEVELS else d.log_level, skip_ssl_verify=_bool(data.pop("skip_ssl_verify", False), False),
            update_interval=interval if interval > 0 else DEFAULT_INTERVAL_MINUTES,
            report_offset=max(_int(data.pop("report_offset", 0), 0), 0),
            package_cache_refresh_mode=mode if mode in CACHE_REFRESH_MODES else d.package_cache_refresh_mode,
            package_cache_refresh_max_age=max_age if 1 <= max_age <= 1440 else d.package_cache_refresh_max_age,
            integrations=normalise_integrations(data.pop("integrations", None)), extra=data)

    def to_dict(self) -> dict[str, Any]:
        """The config in file order: the known keys, then the unknown ones as they were read."""
        known = {
            "patchmon_server": self.patchmon_server, "api_version": self.api_version, "credentials_file": self.credentials_file,
            "log_file": self.log_file, "log_level": self.log_level, "skip_ssl_verify": self.skip_ssl_verify,
            "update_interval": self.update_interval, "report_offset": self.report_offset,
            "package_cache_refresh_mode": self.package_cache_refresh_mode,
            "package_cache_refresh_max_age": self.package_cache_refresh_max_age, "integrations": self.integrations,
        }
        return {**known, **{k: v for k, v in self.extra.items() if k not in known}}

    def integration_enabled(self, name: str) -> bool:
        """True when an integration is on; compliance counts as on in both `true` and `on-demand` modes."""
        value = self.integrations.get(name)
        if name == "compliance":
            return bool(value.get("enabled")) if isinstance(value, dict) else compliance_mode(value) is not False
        return _bool(value, False)

    def set_integration(self, name: str, enabled: Any) -> bool:
        """Switch a server-switchable integration; return whether anything changed. Proxies are never switched."""
        if name not in SERVER_SWITCHABLE:
            raise ValueError(f"integration {name!r} cannot be switched by the server")
        before = dict(self.integrations)
        if name == "compliance":
            nested = dict(self.integrations.get("compliance") or {})
            nested["enabled"] = compliance_mode(enabled)
            self.integrations["compliance"] = nested
        else:
            self.integrations[name] = _bool(enabled, False)
        self.integrations = normalise_integrations(self.integrations)
        return before != self.integrations

    def api_base(self) -> str:
        """Base URL of the agent API: <server>/api/<api_version>."""
        return f"{self.patchmon_server.rstrip('/')}/api/{self.api_version or 'v1'}"


def skip_tls_verify(config: Config, environ: dict[str, str] | None = None) -> bool:
    """Whether to skip TLS verification: config or PATCHMON_SKIP_SSL_VERIFY, never when PATCHMON_ENV=production."""
    env = os.environ if environ is None else environ
    if env.get("PATCHMON_ENV", "").strip().lower() == "production":
        return False
    return config.skip_ssl_verify or env.get("PATCHMON_SKIP_SSL_VERIFY", "").strip().lower() in ("true", "1")


def validate_server_url(url: str) -> str:
    """Return the server URL without a trailing slash; it must be http(s)://host[:port]."""
    url = url.strip().rstrip("/")
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or any(c in rest for c in "/?# \t"):
        raise ConfigError("the server URL must look like https://patchmon.example.com (http:// or https://, no path)")
    return url


@dataclass
class ConfigFile:
    """config.yml as found on disk: the config to use, and whether the file may be rewritten."""

    path: pathlib.Path
    config: Config
    exists: bool
    error: str | None = None  # why an existing file is unusable; such a file is never rewritten

    @property
    def usable(self) -> bool:
        return self.error is None

    @property
    def directory(self) -> pathlib.Path:
        return self.path.parent

    def save(self, *, replace_unusable: bool = False) -> None:
        """Write the config atomically (0600); refuse to replace an unusable file unless told to."""
        if self.error is not None and not replace_unusable:
            raise ConfigError(f"{self.path} could not be parsed ({self.error}); refusing to overwrite it")
        files.atomic_write(self.path, yamlfile.dump(self.config.to_dict(), header=HEADER).encode("utf-8"))
        self.exists, self.error = True, None


def load_config(path: str | os.PathLike[str] = DEFAULT_CONFIG_PATH) -> ConfigFile:
    """Read config.yml; a missing file gives the defaults, an unparseable one the defaults plus `error`."""
    path = pathlib.Path(path)
    defaults = Config.beside(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ConfigFile(path, defaults, exists=False)
    except (OSError, UnicodeDecodeError) as exc:
        return ConfigFile(path, defaults, exists=True, error=f"unreadable: {exc}")
    try:
        data = yamlfile.parse(text)
    except yamlfile.YamlError as exc:
        return ConfigFile(path, defaults, exists=True, error=str(exc))
    if not data:
        return ConfigFile(path, defaults, exists=True, error="the file holds no settings")
    return ConfigFile(path, Config.from_dict(data, defaults), exists=True)


@dataclass(frozen=True)
class Credentials:
    """The host's API credentials (credentials.yml). The key never appears in repr()."""

    api_id: str
    api_key: str = field(repr=False)


def load_credentials(path: str | os.PathLike[str]) -> Credentials:
    """Read credentials.yml; both api_id and api_key must be set."""
    path = pathlib.Path(path)
    try:
        # raw: a key of digits (or "1e5") must stay the text it is, not become a number
        data = yamlfile.parse(path.read_text(encoding="utf-8"), raw=True)
    except FileNotFoundError:
        raise ConfigError(f"credentials file {path} not found: run `patchmon-agent config set-api` or reinstall") from None
    except (OSError, UnicodeDecodeError, yamlfile.YamlError) as exc:
        raise ConfigError(f"credentials file {path} cannot be read: {exc}") from None
    api_id, api_key = str(data.get("api_id") or "").strip(), str(data.get("api_key") or "").strip()
    if not api_id or not api_key:
        raise ConfigError(f"credentials file {path} must set both api_id and api_key")
    return Credentials(api_id, api_key)


def save_credentials(path: str | os.PathLike[str], credentials: Credentials) -> None:
    """Write credentials.yml (0600, atomically) as the installer does: two `key: value` lines."""
    text = yamlfile.dump({"api_id": credentials.api_id, "api_key": credentials.api_key}, quote_strings=False)
    files.atomic_write(pathlib.Path(path), text.encode("utf-8"))
