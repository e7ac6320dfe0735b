"""Agent installation: the install and removal scripts, one-time bootstrap tokens, and our agent's build.

The install script never carries an API key. It carries a bootstrap token (256-bit random, valid once
for five minutes) that it exchanges for the host's credentials; the server keeps only the token's
SHA-256, with the credentials sealed under the tenant's envelope encryption.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from chalicelib.audit import service as audit
from chalicelib.core import clock, crypto, errors
from chalicelib.core.observability import logger
from chalicelib.core.settings import get_settings
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import service as host_service
from chalicelib.install import artefact as artefacts
from chalicelib.install import store
from chalicelib.install.artefact import Artefact
from chalicelib.install.schemas import InstallQuery, PlatformQuery
from chalicelib.ratelimit import service as ratelimit
from chalicelib.tenant.schemas import Tenant

BOOTSTRAP_TTL_SECONDS = 300
AGENT_TYPE = "python"  # the only build we make; the official agent asks for type=go
LINUX = "linux"
INVALID_TOKEN = "Invalid or expired bootstrap token"  # noqa: S105 (a message, not a secret)
NO_BUILD = "Agent build not available"
NO_PLATFORM = "No agent build for this platform"
CURL_FLAGS = "-fsS"
ENVIRONMENT_MARKER = "@@ENVIRONMENT@@"
_HOST_RE = re.compile(r"^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$")


@functools.cache
def _template(name: str) -> str:
    return importlib.resources.files("chalicelib.install").joinpath("scripts", name).read_text()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


def server_url(configured: str | None, *, forwarded_proto: str, forwarded_host: str, host: str) -> str:
    """Return the URL agents should use: the tenant's configured one, else the address this request came in on."""
    if configured:
        return configured.rstrip("/")
    proto = forwarded_proto.split(",", maxsplit=1)[0].strip().lower() or "http"
    name = forwarded_host.split(",", maxsplit=1)[0].strip() or host.strip()
    if proto not in ("http", "https") or not _HOST_RE.match(name):
        raise errors.InvalidInput("Cannot tell the server's address from this request: set the server URL in the settings")
    return f"{proto}://{name}"


# --- install, bootstrap, remove ----------------------------------------------------------------------
def issue_bootstrap(ctx: TenantContext, *, agent: dict[str, Any], api_key: str) -> str:
    """Store a one-time token standing for this agent's credentials and return it (only its hash is kept)."""
    token = secrets.token_hex(32)
    credentials = json.dumps({"api_id": agent["api_id"], "api_key": api_key})
    expires_at = clock.epoch_seconds(clock.now()) + BOOTSTRAP_TTL_SECONDS
    store.put_bootstrap(token_hash=_token_hash(token), tenant_id=ctx.tenant_id, api_id=agent["api_id"], host_id=agent["host_id"],
                        sealed=crypto.seal(credentials, tenant_id=ctx.tenant_id), expires_at=expires_at)
    return token


def install_script(ctx: TenantContext, *, tenant: Tenant, agent: dict[str, Any], api_key: str, url: str, query: InstallQuery) -> str:
    """Return the install script for this agent's host, with a fresh bootstrap token in its environment block."""
    if query.os == "windows":
        raise errors.InvalidInput("Windows is not supported: PatchMon Cloud ships a Linux agent only", code="unsupported_platform")
    if query.os not in ("", LINUX):
        raise errors.InvalidInput(f"No agent for this operating system: {query.os}", code="unsupported_platform")
    token = issue_bootstrap(ctx, agent=agent, api_key=api_key)
    environment = {
        "PATCHMON_URL": url,
        "BOOTSTRAP_TOKEN": token,
        "CURL_FLAGS": CURL_FLAGS,
        "SKIP_SSL_VERIFY": "false",
        "FORCE_INSTALL": "true" if query.force else "false",
        "ARCHITECTURE": query.arch,
        "UPDATE_INTERVAL": str(tenant.settings.agent_update_interval_minutes),
    }
    block = "\n".join(f"{name}={_quote(value)}" for name, value in environment.items())
    audit.record(ctx, tenant_id=ctx.tenant_id, action="agent_install_script_issued", target_type="host", target_id=agent["host_id"],
                 details={"force": query.force})
    return _template("install.sh").replace(ENVIRONMENT_MARKER, block, 1)


def exchange(*, token: str, host_tenant: Tenant, source_ip: str) -> dict[str, str]:
    """Trade a bootstrap token for its credentials, once; Unauthenticated if it is unknown, used, expired or another tenant's.

    The token is accepted at its own tenant's host name and at the default tenant's (where every
    agent may call, as with API credentials); at any other tenant's host name it is refused.
    """
    settings = host_tenant.settings
    # Tokens cannot be guessed (256 bits); the limit keeps anyone from trying at volume all the same.
    ratelimit.hit(host_tenant.tenant_id, category="bootstrap", client=source_ip or "unknown", limit=settings.auth_rate_limit,
                  window_seconds=settings.auth_rate_window_minutes * 60)
    restrict = None if host_tenant.slug == get_settings().default_tenant_slug else host_tenant.tenant_id
    item = store.consume_bootstrap(token_hash=_token_hash(token), now=clock.epoch_seconds(clock.now()), tenant_id=restrict)
    if item is None:
        raise errors.Unauthenticated(INVALID_TOKEN, code="invalid_bootstrap_token")
    credentials = json.loads(crypto.open_sealed(item["sealed"], tenant_id=item["tenant_id"]))
    audit.record(None, tenant_id=item["tenant_id"], action="agent_bootstrap_exchanged", target_type="host", target_id=item.get("host_id"),
                 actor=f"agent:{credentials['api_id']}", source_ip=source_ip)
    logger.info("agent bootstrap token exchanged", extra={"tenant_id": item["tenant_id"], "host_id": item.get("host_id")})
    return {"apiId": credentials["api_id"], "apiKey": credentials["api_key"]}


def remove_script() -> str:
    """Return the removal script (the same for everyone; it holds nothing secret)."""
    return _template("remove.sh")


# --- our agent's build -------------------------------------------------------------------------------
def parse_version(text: str | None) -> tuple[int, ...] | None:
    """Return the numeric parts of a version ("v1.10.2-rc1" → (1, 10, 2)), or None if it has none."""
    match = re.match(r"^v?(\d+(?:\.\d+)*)", (text or "").strip())
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def is_newer(latest: str, current: str | None) -> bool:
    """Tell whether `latest` is a higher version than `current`, numerically; an unknown current is never older."""
    new, old = parse_version(latest), parse_version(current)
    if new is None or old is None:
        return False
    width = max(len(new), len(old))
    return new + (0,) * (width - len(new)) > old + (0,) * (width - len(old))


def build() -> Artefact:
    """Return the agent build served to hosts; NotFound when this deployment has none."""
    found = artefacts.current()
    if found is None:
        raise errors.NotFound(NO_BUILD, code="agent_build_not_available")
    return found


def require_platform(query: PlatformQuery, *, check_type: bool) -> None:
    """Refuse anything but our Linux agent, so the official (Go) agent never replaces itself with our build."""
    if query.os not in ("", LINUX) or (check_type and query.type != AGENT_TYPE):
        raise errors.NotFound(NO_PLATFORM, code="no_agent_build")


def _disabled_reason(tenant: Tenant, host: dict[str, Any] | None) -> str | None:
    if not tenant.settings.agent_auto_update:
        return "Automatic agent updates are disabled in the settings of this organisation"
    if host is not None and not host.get("auto_update", True):
        return "Automatic agent updates are disabled for this host"
    return None


def version_answer(build_: Artefact, *, current: str | None, arch: str | None, disabled_reason: str | None, download_url: str) -> dict[str, Any]:
    """The version document of the agent protocol: update only when newer and allowed by tenant and host."""
    return {"currentVersion": current or None, "latestVersion": build_.version,
            "hasUpdate": disabled_reason is None and is_newer(build_.version, current),
            "autoUpdateDisabled": disabled_reason is not None, "autoUpdateDisabledReason": disabled_reason,
            "downloadUrl": download_url, "releaseNotes": None, "minServerVersion": None, "architecture": arch or None,
            "agentType": AGENT_TYPE, "hash": build_.sha256}


def agent_version(tenant: Tenant, agent: dict[str, Any], query: PlatformQuery) -> dict[str, Any]:
    """Answer an agent's version check (GET /hosts/agent/version)."""
    require_platform(query, check_type=True)
    found = build()
    host = host_service.host_record(tenant.tenant_id, agent["host_id"])
    url = "/api/v1/hosts/agent/download?" + urlencode({"arch": query.arch, "os": query.os or LINUX})
    return version_answer(found, current=query.current_version, arch=query.arch, disabled_reason=_disabled_reason(tenant, host),
                          download_url=url)


def user_version(tenant: Tenant) -> dict[str, Any]:
    """The version of the agent this deployment serves, for the settings page (no host)."""
    return version_answer(build(), current=None, arch=None, disabled_reason=_disabled_reason(tenant, None),
                          download_url="/api/v1/agent/download")
