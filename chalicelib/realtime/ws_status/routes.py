"""GET /ws/status*: whether the tenant's agents hold their WebSocket, for the host list and detail pages."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.core import errors
from chalicelib.core.pagination import page_size
from chalicelib.realtime.ws_status import service
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)
TAGS = ("realtime",)
MAX_QUERY_LENGTH = 20000  # the reference's bound on the apiIds query (S/handler/ws_status.go)


def _api_ids(request: Request) -> list[str] | None:
    raw = request.query.get("api_ids", request.query.get("apiIds"))
    if raw is None:
        return None
    if len(raw) > MAX_QUERY_LENGTH:
        raise errors.InvalidInput("api_ids query is too large")
    return [part.strip() for part in raw.split(",") if part.strip()]


@route(bp, "/ws/status/summary", summary="How many of the organisation's agents are connected", tags=TAGS, permission="can_view_hosts")
def get_ws_status_summary(request: Request) -> dict:
    return service.summary(request.ctx)


@route(bp, "/ws/status", summary="WebSocket presence by api_id: of `api_ids` (comma-separated, at most 200), else a page of hosts",
       tags=TAGS, permission="can_view_hosts", error_statuses=(400,))
def list_ws_status(request: Request) -> dict:
    api_ids = _api_ids(request)
    if api_ids is not None:
        return {"success": True, "data": service.bulk(request.ctx, api_ids=api_ids)}
    data, cursor = service.page(request.ctx, limit=page_size(request.query.get("limit")), cursor=request.query.get("cursor"))
    return {"success": True, "data": data, "next_cursor": cursor}


@route(bp, "/ws/status/{api_id}", summary="WebSocket presence of one agent", tags=TAGS, permission="can_view_hosts")
def get_ws_status(request: Request) -> dict:
    return {"success": True, "data": service.get(request.ctx, api_id=request.path_params["api_id"])}
