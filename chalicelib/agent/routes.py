"""Agent-facing routes of the PatchMon agent protocol v1 (X-API-ID / X-API-KEY)."""
from __future__ import annotations

import json

from chalice import Blueprint
from pydantic import BaseModel, ValidationError

from chalicelib.agent import service
from chalicelib.agent.schemas import IntegrationStatus, PingRequest, Report
from chalicelib.agent_protocol import constants as protocol
from chalicelib.core import errors
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)
TAGS = ("agent",)
MAX_REPORT_BYTES = protocol.MAX_REPORT_BYTES
MAX_PING_BYTES = protocol.MAX_PING_BYTES
INVALID_BODY = "Invalid request body"


def _parse(raw: bytes, model: type[BaseModel], *, limit: int, allow_empty: bool) -> BaseModel | None:
    """Parse an agent body; every failure is the reference's single 400 message."""
    if len(raw) > limit:
        raise errors.InvalidInput(INVALID_BODY)
    if not raw.strip():
        if allow_empty:
            return None
        raise errors.InvalidInput(INVALID_BODY)
    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return model.model_validate(data)
    except (ValueError, UnicodeDecodeError, ValidationError):
        raise errors.InvalidInput(INVALID_BODY) from None


@route(bp, "/hosts/ping", methods=("POST",), summary="Agent check-in with section hashes (the hash gate)", tags=TAGS, agent=True)
def agent_ping(request: Request) -> dict:
    body = _parse(request.raw_body, PingRequest, limit=MAX_PING_BYTES, allow_empty=True)
    return service.ping(request.agent, body, request.tenant.settings)


@route(bp, "/hosts/update", methods=("POST",), summary="Agent report: full, or the sections the server asked for", tags=TAGS,
       agent=True, max_body_bytes=MAX_REPORT_BYTES)
def agent_update(request: Request) -> dict:
    try:
        report = _parse(request.raw_body, Report, limit=MAX_REPORT_BYTES, allow_empty=False)
    except errors.InvalidInput as exc:
        service.record_rejection(request.agent, None, exc.message, request.tenant.settings)
        raise
    return service.update(request.agent, report, request.tenant.settings)


@route(bp, "/settings/update-interval", summary="The check-in interval agents use, in minutes", tags=TAGS, agent=True)
def agent_update_interval(request: Request) -> dict:
    return {"updateInterval": request.tenant.settings.agent_update_interval_minutes}


@route(bp, "/hosts/integrations", summary="Which integrations are enabled for this host", tags=TAGS, agent=True)
def agent_integrations(request: Request) -> dict:
    agent = request.agent
    compliance = bool(agent.get("compliance_enabled"))
    return {"success": True, "integrations": {"docker": bool(agent.get("docker_enabled")), "compliance": compliance},
            "compliance_mode": "enabled" if compliance else "disabled", "compliance_openscap_enabled": compliance,
            "compliance_docker_bench_enabled": False}


@route(bp, "/hosts/integration-status", methods=("POST",), summary="The agent's setup status of an integration (docker, compliance)",
       tags=TAGS, agent=True)
def agent_integration_status(request: Request) -> dict:
    status = _parse(request.raw_body, IntegrationStatus, limit=256 * 1024, allow_empty=False)
    service.record_integration_status(request.agent, status)
    return {"success": True, "message": "Integration status received"}
