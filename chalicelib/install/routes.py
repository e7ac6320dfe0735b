"""Agent installation: install and removal scripts, the bootstrap token exchange, and our agent's build."""
from __future__ import annotations

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib.core import errors
from chalicelib.install import service
from chalicelib.install.artefact import FILENAME
from chalicelib.install.schemas import AgentVersionRead, BootstrapCredentials, BootstrapExchange, InstallQuery, PlatformQuery
from chalicelib.web.route import Request, json_response, route

bp = Blueprint(__name__)
TAGS = ("agent install",)
SCRIPT_HEADERS = {"Content-Type": "text/x-shellscript; charset=utf-8", "Cache-Control": "no-store"}
BINARY = "application/octet-stream"


def _query(model: type[BaseModel], request: Request) -> BaseModel:
    try:
        return model.model_validate(request.query)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise errors.InvalidInput(f"{'.'.join(str(p) for p in first['loc']) or 'query'}: {first['msg']}") from None


def _download(request: Request) -> Response:
    found = service.build()
    # API Gateway returns binary bodies only to a request whose first Accept type is a binary media
    # type; to anyone else it would send base64 text, so they get a clear 406 instead.
    if request.headers.get("accept", "").split(",")[0].split(";")[0].strip().lower() != BINARY:
        return json_response({"error": f"Send 'Accept: {BINARY}' to download the agent", "code": "not_acceptable"}, 406)
    return Response(body=found.data, status_code=200, headers={
        "Content-Type": BINARY, "Content-Disposition": f'attachment; filename="{FILENAME}"', "X-Checksum-SHA256": found.sha256,
        "X-Agent-Version": found.version, "Cache-Control": "no-store"})


@route(bp, "/hosts/install", summary="Install script for this agent's host, carrying a one-time bootstrap token (never the key)",
       tags=TAGS, agent=True, error_statuses=(400,))
def agent_install_script(request: Request) -> Response:
    query = _query(InstallQuery, request)
    headers = request.headers
    url = service.server_url(request.tenant.settings.server_url, forwarded_proto=headers.get("x-forwarded-proto", ""),
                             forwarded_host=headers.get("x-forwarded-host", ""), host=headers.get("host", ""))
    script = service.install_script(request.ctx, tenant=request.tenant, agent=request.agent, api_key=headers["x-api-key"].strip(),
                                    url=url, query=query)
    return Response(body=script, status_code=200, headers=SCRIPT_HEADERS)


@route(bp, "/hosts/bootstrap/exchange", methods=("POST",), summary="Trade an install script's one-time bootstrap token for the credentials",
       tags=TAGS, public=True, request_model=BootstrapExchange, response_model=BootstrapCredentials, error_statuses=(401, 429))
def exchange_bootstrap_token(request: Request) -> dict:
    return service.exchange(token=request.body.token, host_tenant=request.tenant, source_ip=request.source_ip)


@route(bp, "/hosts/remove", summary="Script that removes the agent, its service, configuration and credentials", tags=TAGS, public=True,
       tenant=False)
def agent_remove_script(request: Request) -> Response:
    return Response(body=service.remove_script(), status_code=200, headers=SCRIPT_HEADERS)


@route(bp, "/hosts/agent/version", summary="The agent version this server serves, and whether this host should update",
       tags=TAGS, agent=True, response_model=AgentVersionRead, error_statuses=(400, 404))
def agent_version(request: Request) -> dict:
    return service.agent_version(request.tenant, request.agent, _query(PlatformQuery, request))


@route(bp, "/hosts/agent/download", summary="Download the agent (patchmon-agent.pyz); its SHA-256 is the version's hash",
       tags=TAGS, agent=True, error_statuses=(400, 404, 406))
def agent_download(request: Request) -> Response:
    service.require_platform(_query(PlatformQuery, request), check_type=False)
    return _download(request)


@route(bp, "/agent/version", summary="The agent version this server serves", tags=TAGS, authenticated=True,
       response_model=AgentVersionRead, error_statuses=(404,))
def get_agent_version(request: Request) -> dict:
    return service.user_version(request.tenant)


@route(bp, "/agent/download", summary="Download the agent (patchmon-agent.pyz)", tags=TAGS, permission="can_manage_settings",
       error_statuses=(404, 406))
def download_agent(request: Request) -> Response:
    return _download(request)
