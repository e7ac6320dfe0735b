"""Serve the Chalice app's REST routes the way API Gateway's proxy integration calls them.

Chalice's route matcher picks the resource, we build the full proxy event API Gateway would send
and invoke the app as its Lambda handler (`app.app`). What API Gateway answers by itself (unknown
paths and methods, oversize bodies, timeouts) gets the gateway responses of `infra/definition.py`.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import fnmatch
import json
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp import web
from chalice import Chalice
from chalice.local import LambdaContext, MatchResult, RouteMatcher
from multidict import CIMultiDict

from infra.definition import GATEWAY_RESPONSES, REST_INTEGRATION_TIMEOUT_SECONDS, WEBSOCKET_STAGE
from infra.local.edge import through_edge
from infra.local.lambda_runtime import APP_LOCK

log = logging.getLogger("patchmon.local.rest")


def proxy_event(matched: MatchResult, *, method: str, path: str, query: dict[str, list[str]], headers: dict[str, list[str]],
                body: bytes, source_ip: str, request_id: str, binary_types: list[str]) -> dict[str, Any]:
    """Build the API Gateway REST proxy event (payload format 1.0) for a matched route."""
    single_headers = {k: v[-1] for k, v in headers.items()}
    is_binary = bool(body) and single_headers.get("content-type", "") in binary_types
    return {
        "resource": matched.route,
        "path": path,
        "httpMethod": method,
        "headers": single_headers,
        "multiValueHeaders": headers,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": matched.captured or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": matched.route,
            "httpMethod": method,
            "path": f"/{WEBSOCKET_STAGE}{path}",
            "stage": WEBSOCKET_STAGE,
            "requestId": request_id,
            "domainName": single_headers.get("host", "localhost"),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": single_headers.get("user-agent", "")},
        },
        "body": base64.b64encode(body).decode() if is_binary else (body.decode("utf-8", "replace") if body else None),
        "isBase64Encoded": is_binary,
    }


def gateway_response(kind: str) -> web.Response:
    """Answer as API Gateway would with the declared gateway response of `kind`."""
    status, body = GATEWAY_RESPONSES[kind]
    return web.json_response(body, status=status, headers={"x-amzn-ErrorType": kind})


class RestGateway:
    """An aiohttp handler for the REST API paths, invoking the Chalice app as its Lambda handler.

    Requests reach it as they reach API Gateway through CloudFront: with the edge's headers (`infra/local/edge.py`).
    """

    def __init__(self, app: Chalice, *, function_name: str = "api", timeout_seconds: int = REST_INTEGRATION_TIMEOUT_SECONDS,
                 concurrency: int = 2, edge_key: str = "",
                 scope: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext) -> None:
        """`scope()` wraps each invocation (the local stack checks the api function's grants within it)."""
        self._app = app
        self._scope = scope
        self._edge_key = edge_key
        self._matcher = RouteMatcher(list(app.routes))
        self._function_name = function_name
        self._timeout = timeout_seconds
        # Invocations are serialised by APP_LOCK (see lambda_runtime); the pool only keeps the event loop free.
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="lambda-api")

    def _match(self, path: str, method: str) -> MatchResult | None:
        try:
            matched = self._matcher.match_route(path)
        except ValueError:
            return None
        return matched if method in self._app.routes.get(matched.route, {}) else None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one REST request."""
        matched = self._match(request.path, request.method)
        if matched is None:
            return gateway_response("MISSING_AUTHENTICATION_TOKEN")
        headers: dict[str, list[str]] = {}
        for k, v in request.headers.items():
            headers.setdefault(k.lower(), []).append(v)
        source_ip = request.remote or "127.0.0.1"
        headers = through_edge(headers, host=request.host, viewer_ip=source_ip, scheme=request.scheme, edge_key=self._edge_key)
        query: dict[str, list[str]] = {}
        for k, v in request.query.items():
            query.setdefault(k, []).append(v)
        request_id = str(uuid.uuid4())
        event = proxy_event(matched, method=request.method, path=request.path, query=query, headers=headers,
                            body=await request.read(), source_ip=source_ip, request_id=request_id,
                            binary_types=self._app.api.binary_types)
        context = LambdaContext(self._function_name, 512, self._timeout * 1000)
        context.aws_request_id = request_id
        try:
            response, elapsed = await asyncio.wrap_future(self._pool.submit(_timed, self._app, event, context, self._scope))
        except Exception:
            log.exception("integration failure on %s %s", request.method, request.path)
            return gateway_response("INTEGRATION_FAILURE")
        # Lambda scales out instead of queueing, so only the handler's own run time counts against
        # API Gateway's integration timeout, not the wait for this process's single app slot.
        if elapsed > self._timeout:
            return gateway_response("INTEGRATION_TIMEOUT")
        return _to_aiohttp(response, request_id, binary=accepts_binary(request.headers.get("Accept", ""), self._app.api.binary_types))


def accepts_binary(accept: str, binary_types: list[str]) -> bool:
    """Tell whether API Gateway would return a base64 body as bytes: only when the request's first Accept type is binary."""
    first = accept.split(",", 1)[0].split(";", 1)[0].strip().lower()
    return bool(first) and any(fnmatch.fnmatchcase(first, media_type.lower()) for media_type in binary_types)


def _timed(handler: Any, event: dict[str, Any], context: Any,
           scope: Callable[[], contextlib.AbstractContextManager[None]]) -> tuple[Any, float]:
    with APP_LOCK, scope():  # one invocation of the Chalice app at a time, as in a Lambda container
        started = time.monotonic()
        return handler(event, context), time.monotonic() - started


def _to_aiohttp(response: dict[str, Any], request_id: str, *, binary: bool = True) -> web.Response:
    headers: CIMultiDict[str] = CIMultiDict(response.get("headers") or {})
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers.popall(name, None)
        for value in values:  # API Gateway sends each value as its own header line (Set-Cookie needs it)
            headers.add(name, value)
    headers["x-amzn-RequestId"] = request_id
    body = response.get("body")
    if body is None:
        raw = b""
    elif response.get("isBase64Encoded") and binary:
        raw = base64.b64decode(body)
    elif response.get("isBase64Encoded"):  # to a text Accept type API Gateway passes the base64 text through
        raw = body.encode()
    else:
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return web.Response(status=int(response.get("statusCode", 200)), body=raw, headers=headers)
