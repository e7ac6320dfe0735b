"""WebSocket tickets and queued pushes to a connection."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.realtime import service
from chalicelib.realtime.schemas import EchoCreate, EchoQueued, TicketRead
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)


@route(bp, "/ws/tickets", methods=("POST",), summary="Issue a one-time WebSocket ticket (valid 30 s)",
       tags=("realtime",), authenticated=True, response_model=TicketRead, status=201)
def create_ws_ticket(request: Request) -> dict:
    return service.issue_ticket(request.ctx)


@route(bp, "/ws/echo", methods=("POST",), summary="Queue a message for delivery to an open WebSocket connection",
       tags=("realtime",), authenticated=True, request_model=EchoCreate, response_model=EchoQueued, status=202,
       error_statuses=(404, 413, 415))
def create_ws_echo(request: Request) -> dict:
    body: EchoCreate = request.body
    return service.request_echo(request.ctx, connection_id=body.connection_id, message=body.message, delay_seconds=body.delay_seconds)
