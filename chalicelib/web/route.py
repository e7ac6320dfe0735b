"""The one way to declare a REST route: who may call it, parsing, error mapping, logging and OpenAPI.

Every route states its access: `public=True`, `authenticated=True`, `permission="can_..."` or
`operator=True` (the SaaS operator's API), and optionally a capability `module`. The pipeline runs
in a fixed order for every route: edge (the viewer's host and address, `web/edge.py`) → tenant (from
the host) → caller → module → permission → rate limit → body → view. Chalice turns exceptions raised
in a view into 500s before middleware sees them, so domain errors are mapped here.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib.core import errors
from chalicelib.core.observability import logger, metrics
from chalicelib.core.tenancy import TenantContext
from chalicelib.ratelimit import service as ratelimit
from chalicelib.tenant.schemas import Tenant
from chalicelib.web import auth, cookies, edge
from chalicelib.web.errors import body_for, headers_for, status_for

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
JSON_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store"}
RATE_CATEGORIES = ("general", "auth", "password")


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document and the access table say about one route."""

    summary: str
    tags: tuple[str, ...]
    access: str  # "public" | "authenticated" | "permission" | "operator"
    permission: str | None = None
    module: str | None = None
    rate_limit: str | None = None
    request_model: type[BaseModel] | None = None
    response_model: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = field(default_factory=tuple)

    @property
    def public(self) -> bool:
        return self.access == "public"


@dataclass
class Request:
    """What a view receives."""

    body: Any
    path_params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    request_id: str
    cookies: dict[str, str] = field(default_factory=dict)
    source_ip: str = ""
    tenant: Tenant | None = None
    ctx: TenantContext | None = None
    raw_body: bytes = b""
    agent: dict[str, Any] | None = None


def _json_default(value: Any) -> Any:
    # DynamoDB returns every number as Decimal; JSON gets an int when it is whole, else a float.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None,
                  cookies: list[str] | None = None) -> Response:
    """Return a JSON response, optionally setting cookies (ready Set-Cookie values)."""
    all_headers: dict[str, Any] = {**JSON_HEADERS, **(headers or {})}
    if cookies:
        all_headers["Set-Cookie"] = cookies
    return Response(body=json.dumps(payload, default=_json_default), status_code=status, headers=all_headers)


def error_response(error: errors.DomainError) -> Response:
    """Return the JSON error response for a domain error."""
    return json_response(body_for(error), status_for(error), headers_for(error))


def _parse_body(raw: bytes | None, headers: dict[str, str], model: type[BaseModel], max_bytes: int) -> BaseModel:
    raw = raw or b""
    if len(raw) > max_bytes:
        raise errors.PayloadTooLarge(f"Request body exceeds {max_bytes} bytes")
    content_type = headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if raw and content_type not in ("application/json", ""):
        raise errors.UnsupportedMediaType("Content-Type must be application/json")
    try:
        data = json.loads(raw) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise errors.InvalidInput("Malformed JSON body") from None
    if not isinstance(data, dict):
        raise errors.InvalidInput("Request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        message = first["msg"].removeprefix("Value error, ")
        raise errors.InvalidInput(f"{where}: {message}") from None


def _access(public: bool, authenticated: bool, permission: str | None, operator: bool, agent: bool) -> str:
    chosen = [name for name, on in (("public", public), ("authenticated", authenticated),
                                    ("permission", permission is not None), ("operator", operator), ("agent", agent)) if on]
    if len(chosen) != 1:
        raise ValueError("a route declares exactly one of public=True, authenticated=True, permission=..., operator=True, agent=True")
    return chosen[0]


def route(
    bp: Blueprint,
    path: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    summary: str,
    tags: tuple[str, ...] = (),
    public: bool = False,
    authenticated: bool = False,
    permission: str | None = None,
    operator: bool = False,
    agent: bool = False,
    module: str | None = None,
    tenant: bool = True,
    rate_limit: str | None = None,
    request_model: type[BaseModel] | None = None,
    response_model: type[BaseModel] | None = None,
    status: int = 200,
    error_statuses: tuple[int, ...] = (),
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Callable[[Callable[[Request], Any]], Callable[..., Response]]:
    """Register a view on `bp`; the view takes a `Request` and returns a payload or a Response."""
    access = _access(public, authenticated, permission, operator, agent)
    if permission is not None:
        from chalicelib.rbac.permissions import ALL

        if permission not in ALL:
            raise ValueError(f"unknown permission {permission}")
    if access in ("authenticated", "permission") and rate_limit is None:
        rate_limit = "general"
    if rate_limit is not None and rate_limit not in RATE_CATEGORIES:
        raise ValueError(f"unknown rate limit category {rate_limit}")
    uses_tenant = tenant and access not in ("operator", "agent")
    implied = {400} if request_model else set()
    implied |= {401} if access != "public" else set()
    implied |= {400} if access == "agent" and "POST" in methods else set()
    implied |= {403} if access in ("permission",) or module or uses_tenant else set()
    implied |= {404} if uses_tenant else set()
    implied |= {429} if rate_limit else set()
    operation = Operation(summary, tags, access, permission, module, rate_limit, request_model, response_model, status,
                          tuple(sorted(implied | set(error_statuses))))

    def decorator(view: Callable[[Request], Any]) -> Callable[..., Response]:
        @functools.wraps(view)
        def handler(**path_params: str) -> Response:
            current = bp.current_request
            request_id = getattr(bp.lambda_context, "aws_request_id", "")
            gateway_headers = {k.lower(): v for k, v in (current.headers or {}).items()}
            gateway_ip = ((current.context or {}).get("identity") or {}).get("sourceIp", "")
            try:
                headers, source_ip = edge.viewer_request(gateway_headers, source_ip=gateway_ip)
                request = Request(None, path_params, dict(current.query_params or {}), headers, request_id,
                                  cookies.parse(headers.get("cookie")), source_ip, raw_body=current.raw_body or b"")
                _admit(request, method=current.method, operation=operation, uses_tenant=uses_tenant)
                if request_model:
                    request.body = _parse_body(current.raw_body, headers, request_model, max_body_bytes)
                result = view(request)
            except errors.DomainError as exc:
                logger.warning("request rejected", extra={"code": exc.code, "path": path})
                metrics.add_metric(name="RequestsRejected", unit="Count", value=1)
                return error_response(exc)
            except Exception:
                logger.exception("request failed", extra={"path": path})
                return json_response({"error": "internal error", "request_id": request_id}, 500)
            if isinstance(result, Response):
                return result
            return json_response(result, status)

        handler.openapi = operation  # type: ignore[attr-defined]
        bp.route(path, methods=list(methods), content_types=["*/*"])(handler)
        return handler

    return decorator


def _admit(request: Request, *, method: str, operation: Operation, uses_tenant: bool) -> None:
    """Resolve the tenant and the caller and check module, permission and rate limit, in that order."""
    if operation.access == "operator":
        auth.authenticate_operator(request.headers)
        return
    if operation.access == "agent":
        request.tenant, request.ctx, request.agent = auth.authenticate_agent(request.headers, source_ip=request.source_ip)
        logger.append_keys(tenant_id=request.tenant.tenant_id, api_id=request.agent["api_id"])
        return
    if not uses_tenant:
        return
    request.tenant = auth.resolve_tenant(request.headers.get("host"))
    logger.append_keys(tenant_id=request.tenant.tenant_id)
    if operation.access == "public":
        request.ctx = TenantContext(tenant_id=request.tenant.tenant_id, principal="anonymous", source_ip=request.source_ip,
                                    user_agent=request.headers.get("user-agent", "")[:256])
    else:
        request.ctx = auth.authenticate_user(request.tenant, headers=request.headers, cookie_jar=request.cookies, method=method,
                                             source_ip=request.source_ip)
        logger.append_keys(user_id=request.ctx.user_id)
    if operation.module and operation.module not in _modules(request.tenant):
        raise errors.ModuleNotAvailable()
    if operation.permission and not request.ctx.has(operation.permission):
        raise errors.Forbidden("Insufficient permissions", code="forbidden")
    if operation.rate_limit:
        settings = request.tenant.settings
        limit, window = {
            "general": (settings.general_rate_limit, settings.general_rate_window_minutes),
            "auth": (settings.auth_rate_limit, settings.auth_rate_window_minutes),
            "password": (settings.password_rate_limit, settings.password_rate_window_minutes),
        }[operation.rate_limit]
        ratelimit.hit(request.tenant.tenant_id, category=operation.rate_limit, client=request.source_ip or "unknown",
                      limit=limit, window_seconds=window * 60)


def _modules(tenant: Tenant) -> frozenset[str]:
    from chalicelib.tenant import service as tenant_service

    return tenant_service.modules(tenant)
