"""The one way to declare a REST route: parsing, error mapping, logging and OpenAPI metadata.

Chalice turns any exception raised in a view into a 500 before middleware sees it, so domain errors
are mapped here, around each view. Every route states who may call it (`public=True` until identity
lands in issue #3, `permission=...` after); a route without either cannot be registered.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib.core import errors
from chalicelib.core.observability import logger, metrics
from chalicelib.web.errors import body_for, status_for

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one route."""

    summary: str
    tags: tuple[str, ...]
    public: bool
    request_model: type[BaseModel] | None = None
    response_model: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = field(default_factory=tuple)


@dataclass
class Request:
    """What a view receives: the parsed body (if the route declares one) and the raw Chalice request."""

    body: Any
    path_params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    request_id: str


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return a JSON response."""
    return Response(body=json.dumps(payload, default=str), status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def error_response(error: errors.DomainError) -> Response:
    """Return the JSON error response for a domain error."""
    return json_response(body_for(error), status_for(error))


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
        raise errors.InvalidInput(f"{where}: {first['msg']}") from None


def route(
    bp: Blueprint,
    path: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    summary: str,
    tags: tuple[str, ...] = (),
    public: bool = False,
    request_model: type[BaseModel] | None = None,
    response_model: type[BaseModel] | None = None,
    status: int = 200,
    error_statuses: tuple[int, ...] = (),
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Callable[[Callable[[Request], Any]], Callable[..., Response]]:
    """Register a view on `bp`; the view takes a `Request` and returns a payload or a Response."""
    if not public:
        raise ValueError(f"route {path} must declare who may call it (public=True, or a permission from issue #3)")
    operation = Operation(summary, tags, public, request_model, response_model, status,
                          tuple(sorted({400, *error_statuses} if request_model else set(error_statuses))))

    def decorator(view: Callable[[Request], Any]) -> Callable[..., Response]:
        @functools.wraps(view)
        def handler(**path_params: str) -> Response:
            current = bp.current_request
            request_id = getattr(bp.lambda_context, "aws_request_id", "")
            headers = {k.lower(): v for k, v in (current.headers or {}).items()}
            try:
                body = _parse_body(current.raw_body, headers, request_model, max_body_bytes) if request_model else None
                result = view(Request(body, path_params, dict(current.query_params or {}), headers, request_id))
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
