"""Binary responses through the local REST emulator, as API Gateway (REST, Lambda proxy) returns them."""
from __future__ import annotations

import asyncio
import base64

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from chalice import Chalice, Response

from infra.local.rest import RestGateway, accepts_binary

pytestmark = pytest.mark.timeout(30)

PAYLOAD = bytes(range(256)) * 4  # every byte value, not valid UTF-8


def _app() -> Chalice:
    app = Chalice(app_name="binary-probe", configure_logs=False)

    @app.route("/api/v1/blob")
    def blob() -> Response:
        return Response(body=PAYLOAD, status_code=200, headers={"Content-Type": "application/octet-stream"})

    return app


async def _get(accept: str | None) -> tuple[int, bytes]:
    site = web.Application()
    site.router.add_route("*", "/api/{tail:.*}", RestGateway(_app()).handle)
    async with TestClient(TestServer(site)) as client:
        response = await client.get("/api/v1/blob", headers={"Accept": accept} if accept else {}, skip_auto_headers=["Accept"])
        return response.status, await response.read()


def test_binary_body_arrives_byte_for_byte_when_the_client_accepts_its_type():
    status, body = asyncio.run(_get("application/octet-stream"))
    assert (status, body) == (200, PAYLOAD)


def test_binary_body_arrives_as_base64_text_when_the_first_accept_type_is_not_binary():
    """API Gateway honours only the first Accept media type; `*/*` does not match `application/octet-stream`."""
    status, body = asyncio.run(_get("*/*"))
    assert status == 200
    assert base64.b64decode(body) == PAYLOAD


@pytest.mark.parametrize(("accept", "expected"), [("application/octet-stream", True), ("application/octet-stream;q=0.9, */*", True),
                                                  ("*/*", False), ("text/html, application/octet-stream", False), ("", False),
                                                  ("image/png", True)])
def test_accepts_binary_reads_only_the_first_media_type(accept, expected):
    assert accepts_binary(accept, Chalice(app_name="probe").api.binary_types) is expected


def test_accepts_binary_matches_everything_when_the_api_lists_the_wildcard():
    assert accepts_binary("*/*", ["*/*"]) and accepts_binary("text/html", ["*/*"])
