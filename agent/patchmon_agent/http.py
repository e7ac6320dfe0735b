"""HTTP client of the agent API on urllib: credentials headers, JSON, retries, TLS options.

Request bodies are plain JSON: the server (chalicelib/web/route.py) does not decode Content-Encoding,
and the reference agent never compresses either. Redirects are not followed, so the API key is never
forwarded to another address.
"""
from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from patchmon_agent import __version__
from patchmon_agent.config import ConfigError, Credentials
from patchmon_agent.logs import log

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3  # 4 attempts, as the reference
BACKOFF_SECONDS = (2.0, 4.0, 8.0)
MAX_JSON_BYTES = 16 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024
ERROR_TEXT_LIMIT = 200


class ApiError(Exception):
    """The server answered with an error status; `message` is its {"error"} text when it sent one."""

    def __init__(self, status: int, message: str, path: str = "") -> None:
        super().__init__(f"server returned {status}: {message}" if message else f"server returned {status}")
        self.status = status
        self.message = message
        self.path = path

    @property
    def retryable(self) -> bool:
        return self.status >= 500


class TransportError(Exception):
    """The server could not be reached (DNS, connection, TLS, timeout) or answered garbage."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0917 (urllib's signature)
        return None  # urllib then raises HTTPError with the 3xx status


def _error_message(status: int, body: bytes) -> str:
    text = body[:64 * 1024].decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            return data["error"][:ERROR_TEXT_LIMIT]
    except ValueError:
        pass
    return text.strip()[:ERROR_TEXT_LIMIT] or f"HTTP {status}"


def _read_capped(response: Any, limit: int) -> bytes:
    data = response.read(limit + 1)
    if len(data) > limit:
        raise TransportError(f"response larger than {limit} bytes")
    return data


class ApiClient:
    """Calls `<server>/api/<version><path>` with the host's credentials."""

    def __init__(self, server: str, credentials: Credentials | None, *, api_version: str = "v1", verify_tls: bool = True,
                 timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES, sleep: Callable[[float], None] = time.sleep,
                 opener: urllib.request.OpenerDirector | None = None) -> None:
        if urllib.parse.urlsplit(server).scheme not in ("http", "https"):
            raise ConfigError(f"the server URL must start with http:// or https:// (got {server!r})")
        self.server = server.rstrip("/")
        self.api_version = api_version or "v1"
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        self.sleep = sleep
        self.verify_tls = verify_tls
        context = ssl.create_default_context()
        if not verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        self.opener = opener or urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect())

    # --- public verbs -------------------------------------------------------------------------------

    def get(self, path: str, query: dict[str, Any] | None = None, *, fixed_v1: bool = False) -> Any:
        """GET a JSON document."""
        return self._json("GET", path, None, query, fixed_v1=fixed_v1)

    def post(self, path: str, body: Any = None) -> Any:
        """POST a JSON body (None: an empty body) and return the decoded answer."""
        return self._json("POST", path, body, None)

    def download(self, path: str, query: dict[str, Any] | None = None, *, limit: int = MAX_DOWNLOAD_BYTES, timeout: float = 300.0) -> bytes:
        """GET a binary body (Accept: application/octet-stream) from a fixed /api/v1 path."""
        return self._request("GET", self.url(path, query, fixed_v1=True), None, {"Accept": "application/octet-stream"}, limit=limit, timeout=timeout)

    def url(self, path: str, query: dict[str, Any] | None = None, *, fixed_v1: bool = False) -> str:
        """Absolute URL of an API path (version and download endpoints always use /api/v1, as the reference)."""
        base = f"{self.server}/api/{'v1' if fixed_v1 else self.api_version}"
        suffix = "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None}) if query else ""
        return f"{base}/{path.lstrip('/')}{suffix}"

    # --- internals ----------------------------------------------------------------------------------

    def _json(self, method: str, path: str, body: Any, query: dict[str, Any] | None, *, fixed_v1: bool = False) -> Any:
        data = None if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        raw = self._request(method, self.url(path, query, fixed_v1=fixed_v1), data, headers, limit=MAX_JSON_BYTES, timeout=self.timeout)
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise TransportError(f"{method} {path}: the server's answer is not JSON") from None

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        headers = {"User-Agent": f"patchmon-agent/{__version__}", **extra}
        if self.credentials is not None:
            headers["X-API-ID"] = self.credentials.api_id
            headers["X-API-KEY"] = self.credentials.api_key
        return headers

    def _request(self, method: str, url: str, data: bytes | None, headers: dict[str, str], *, limit: int, timeout: float) -> bytes:
        path = urllib.parse.urlsplit(url).path
        attempt = 0
        while True:
            try:
                return self._once(method, url, data, headers, limit=limit, timeout=timeout)
            except (ApiError, TransportError) as exc:
                retryable = isinstance(exc, TransportError) or exc.retryable
                if not retryable or attempt >= self.retries:
                    raise
                wait = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)]
                log.warning("request failed, retrying", extra={"method": method, "path": path, "error": str(exc), "retry_in_s": wait})
                attempt += 1
                self.sleep(wait)

    def _once(self, method: str, url: str, data: bytes | None, headers: dict[str, str], *, limit: int, timeout: float) -> bytes:
        # S310: the URL is the configured server's (http or https, checked by `config set-api`) plus a fixed path
        request = urllib.request.Request(url, data=data, method=method, headers=self._headers(headers))  # noqa: S310
        if data is None and method == "POST":
            request.add_header("Content-Length", "0")
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return _read_capped(response, limit)
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read(64 * 1024) if exc.fp else b""
            except (OSError, ValueError):
                body = b""
            finally:
                exc.close()
            raise ApiError(exc.code, _error_message(exc.code, body), urllib.parse.urlsplit(url).path) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError, socket.timeout, ssl.SSLError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TransportError(f"{method} {urllib.parse.urlsplit(url).path}: {reason}") from None
