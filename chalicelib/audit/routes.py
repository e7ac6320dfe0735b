"""The audit log, for administrators."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.audit import service
from chalicelib.core.pagination import page_size
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)


@route(bp, "/audit-log", summary="Security-relevant events, newest first (filters: action, actor_user_id, outcome, since, until)",
       tags=("audit",), permission="can_manage_settings")
def list_audit_events(request: Request) -> dict:
    q = request.query
    events, cursor = service.list_(request.ctx, limit=page_size(q.get("limit")), cursor=q.get("cursor"), action=q.get("action"),
                                   actor_user_id=q.get("actor_user_id"), outcome=q.get("outcome"), since=q.get("since"),
                                   until=q.get("until"))
    return {"events": events, "next_cursor": cursor}
