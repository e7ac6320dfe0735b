"""The agent's HTTP client against a real local HTTP server: headers, paths, retries, errors."""
from __future__ import annotations

import json

import pytest

from patchmon_agent import __version__
from patchmon_agent.config import ConfigError, Credentials
from patchmon_agent.http import ApiClient, ApiError, TransportError
from tests.agent.agent_fakes import FakeServer, free_port, reset_agent_logger  # noqa: F401 (autouse fixture)

CREDENTIALS = Credentials("patchmon_http", "key-0123456789abcdef")


def _client(url: str, sleeps: list | None = None, **options) -> ApiClient:
    return ApiClient(url, CREDENTIALS, sleep=(sleeps.append if sleeps is not None else lambda _s: None), **options)


def test_requests_carry_the_credentials_json_and_user_agent_on_the_versioned_path():
    with FakeServer({("POST", "/api/v1/hosts/ping"): (200, {"hashGate": True})}) as server:
        answer = _client(server.url).post("/hosts/ping", {"hashes": {"packagesHash": "é<"}})
    request = server.requests[0]
    assert answer == {"hashGate": True} and request["path"] == "/api/v1/hosts/ping"
    headers = request["headers"]
    assert (headers["x-api-id"], headers["x-api-key"]) == ("patchmon_http", "key-0123456789abcdef")
    assert headers["user-agent"] == f"patchmon-agent/{__version__}" and headers["content-type"] == "application/json"
    assert json.loads(request["body"]) == {"hashes": {"packagesHash": "é<"}} and "content-encoding" not in headers


def test_empty_post_sends_no_body():
    with FakeServer({("POST", "/api/v1/hosts/ping"): (200, {})}) as server:
        _client(server.url).post("/hosts/ping")
    assert server.requests[0]["body"] == b"" and server.requests[0]["headers"]["content-length"] == "0"


def test_server_errors_are_retried_with_backoff_then_succeed():
    sleeps: list[float] = []
    answers = [(503, {"error": "busy"}), (502, b"bad gateway"), (200, {"updateInterval": 5})]
    with FakeServer({("GET", "/api/v1/settings/update-interval"): answers}) as server:
        assert _client(server.url, sleeps).get("/settings/update-interval") == {"updateInterval": 5}
    assert len(server.requests) == 3 and sleeps == [2.0, 4.0]


def test_client_errors_are_not_retried_and_carry_the_servers_message():
    sleeps: list[float] = []
    with FakeServer({("POST", "/api/v1/hosts/update"): (400, {"error": "packages hash mismatch", "code": "invalid_input"})}) as server:
        with pytest.raises(ApiError) as raised:
            _client(server.url, sleeps).post("/hosts/update", {})
    assert (raised.value.status, raised.value.message) == (400, "packages hash mismatch") and len(server.requests) == 1 and sleeps == []
    assert str(raised.value) == "server returned 400: packages hash mismatch"


def test_persistent_server_errors_give_up_after_four_attempts():
    with FakeServer({("GET", "/api/v1/hosts/integrations"): (500, {"error": "internal error"})}) as server:
        with pytest.raises(ApiError, match="500: internal error"):
            _client(server.url).get("/hosts/integrations")
    assert len(server.requests) == 4


def test_unreachable_server_is_retried_then_a_transport_error():
    sleeps: list[float] = []
    with pytest.raises(TransportError, match="/api/v1/hosts/ping"):
        _client(f"http://127.0.0.1:{free_port()}", sleeps, timeout=2).post("/hosts/ping")
    assert sleeps == [2.0, 4.0, 8.0]


def test_redirects_are_not_followed_so_the_key_never_leaves_for_another_address():
    with FakeServer({("POST", "/api/v1/hosts/ping"): (302, {}, {"Location": "http://127.0.0.1:9/steal"})}) as server:
        with pytest.raises(ApiError) as raised:
            _client(server.url).post("/hosts/ping")
    assert raised.value.status == 302 and len(server.requests) == 1


def test_version_and_download_always_use_api_v1_and_download_asks_for_octets():
    with FakeServer({("GET", "/api/v1/hosts/agent/download"): (200, b"\x00binary", {"Content-Type": "application/octet-stream"})}) as server:
        client = _client(server.url, api_version="v2")
        assert client.url("/hosts/ping") == f"{server.url}/api/v2/hosts/ping"
        assert client.download("/hosts/agent/download", {"arch": "amd64", "os": "linux"}) == b"\x00binary"
    assert server.requests[0]["headers"]["accept"] == "application/octet-stream" and server.requests[0]["query"] == "arch=amd64&os=linux"


def test_oversized_download_is_refused():
    with FakeServer({("GET", "/api/v1/hosts/agent/download"): (200, b"x" * 2048)}) as server:
        with pytest.raises(TransportError, match="larger than"):
            _client(server.url, retries=0).download("/hosts/agent/download", limit=1024)


def test_server_url_must_be_http_or_https():
    with pytest.raises(ConfigError):
        ApiClient("file:///etc/passwd", CREDENTIALS)
