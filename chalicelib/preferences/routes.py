"""The signed-in user's dashboard preferences."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.preferences import service
from chalicelib.preferences.schemas import DashboardPreferencesRead, DashboardPreferencesUpdate
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)
TAGS = ("dashboard",)


@route(bp, "/dashboard/preferences", summary="My dashboard layout: the cards in order, each shown or hidden", tags=TAGS,
       authenticated=True, response_model=DashboardPreferencesRead)
def get_dashboard_preferences(request: Request) -> dict:
    return service.get_dashboard(request.ctx)


@route(bp, "/dashboard/preferences", methods=("PUT",), summary="Save my dashboard layout (the whole list, in display order)",
       tags=TAGS, authenticated=True, request_model=DashboardPreferencesUpdate, response_model=DashboardPreferencesRead)
def update_dashboard_preferences(request: Request) -> dict:
    return service.update_dashboard(request.ctx, request.body)
