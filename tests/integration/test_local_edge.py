"""The local stack plays CloudFront: the app takes its requests through the edge's trusted path, whatever the client sends."""
from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from app import app
from chalicelib.audit import service as audit_service
from chalicelib.core import crypto, settings
from chalicelib.core.tenancy import TenantContext
from infra.local.edge import read_edge_key
from infra.local.rest import RestGateway
from tests.factories.identity import PASSWORD, make_tenant, make_user

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def edge_key(aws, monkeypatch) -> str:
    """AWS's setting (the edge required), with the edge key's secret in Secrets Manager, read as the local stack reads it."""
    arn = aws.client("secretsmanager").create_secret(Name="patchmon/test/local-edge-key", SecretString="local-edge-key-0123456789")["ARN"]
    monkeypatch.setenv("EDGE_KEY_SECRET_ARN", arn)
    monkeypatch.setenv("EDGE_REQUIRED", "true")
    settings.reset_settings_cache()
    crypto.secret_value.cache_clear()
    return read_edge_key(aws.client("secretsmanager"))


async def _login(gateway: RestGateway, headers: dict[str, str], username: str) -> tuple[int, dict]:
    site = web.Application()
    site.router.add_route("*", "/api/{tail:.*}", gateway.handle)
    async with TestClient(TestServer(site)) as client:
        response = await client.post("/api/v1/auth/login", headers={**headers, "Content-Type": "application/json"},
                                     data=json.dumps({"username": username, "password": PASSWORD}))
        return response.status, await response.json()


def test_a_request_through_the_local_stack_takes_the_edges_path_when_the_edge_is_required(edge_key):
    # Given acme's user, and a client that sends the edge's headers itself
    acme = make_tenant("acme")
    make_tenant("other")
    make_user(acme, "alice")
    spoofed = {"Host": "acme.localhost", "X-PatchMon-Viewer-Host": "other.localhost", "x-patchmon-viewer-ip": "198.51.100.9",
               "x-patchmon-edge-key": "guess"}
    # When it signs in through the local stack
    status, body = asyncio.run(_login(RestGateway(app, edge_key=edge_key), spoofed, "alice"))
    # Then the local edge overwrote them: acme's host, the peer's address
    assert status == 200, body
    events, _ = audit_service.list_(TenantContext(tenant_id=acme.tenant_id, principal="test"), limit=5, cursor=None, action="login")
    assert [e["source_ip"] for e in events] == ["127.0.0.1"]


def test_a_request_is_refused_when_the_local_stack_has_no_edge_key_and_the_edge_is_required(edge_key):
    make_user(make_tenant("acme"), "alice")
    status, body = asyncio.run(_login(RestGateway(app), {"Host": "acme.localhost"}, "alice"))
    assert (status, body["code"]) == (403, "direct_access_refused")
