"""Settings → Agent Updates and Server URL: the tenant's agent and server settings."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.settings import service
from chalicelib.settings.schemas import ServerUrlRead, SettingsRead, SettingsUpdate
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)
TAGS = ("settings",)
UPDATE_SUMMARY = "Change the agent update interval, auto-update, sign-up, server URL or report retention (fields left out are kept)"


@route(bp, "/settings", summary="Agent and server settings", tags=TAGS, permission="can_manage_settings", response_model=SettingsRead)
def get_agent_settings(request: Request) -> dict:
    return service.get(request.ctx)


@route(bp, "/settings", methods=("PUT",), summary=UPDATE_SUMMARY, tags=TAGS, permission="can_manage_settings",
       request_model=SettingsUpdate, response_model=SettingsRead, error_statuses=(409,))
def update_agent_settings(request: Request) -> dict:
    return service.update(request.ctx, request.body)


@route(bp, "/settings", methods=("PATCH",), summary=UPDATE_SUMMARY + "; same as PUT", tags=TAGS, permission="can_manage_settings",
       request_model=SettingsUpdate, response_model=SettingsRead, error_statuses=(409,))
def patch_agent_settings(request: Request) -> dict:
    return service.update(request.ctx, request.body)


@route(bp, "/settings/server-url", summary="The URL agents and install commands use to reach this organisation", tags=TAGS,
       public=True, response_model=ServerUrlRead, error_statuses=(400,))
def get_server_url(request: Request) -> dict:
    return {"server_url": service.server_url(request.tenant, headers=request.headers)}
