"""Health, the OpenAPI document and its browsable viewer."""
from __future__ import annotations

import functools
import importlib.resources

from chalice import Blueprint, Response

from chalicelib.system import service
from chalicelib.web.openapi import build
from chalicelib.web.route import Request, json_response, route

API_VERSION = "0.1.0"
bp = Blueprint(__name__)


@route(bp, "/health", summary="Status of each component of the service", tags=("system",), public=True, tenant=False, error_statuses=(503,))
def get_health(request: Request) -> Response:
    report = service.health()
    return json_response(report, 200 if report["status"] == "ok" else 503)


@route(bp, "/openapi.json", summary="This API's OpenAPI 3.1 document", tags=("system",), public=True, tenant=False)
def get_openapi(request: Request) -> dict:
    return _document()


@route(bp, "/docs", summary="Browsable API reference", tags=("system",), public=True, tenant=False)
def get_docs(request: Request) -> Response:
    html = importlib.resources.files("chalicelib.system").joinpath("static/docs.html").read_text()
    return Response(body=html, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@functools.lru_cache(maxsize=1)
def _document() -> dict:
    return build(bp.current_app.routes, title="PatchMon Cloud API", version=API_VERSION)
