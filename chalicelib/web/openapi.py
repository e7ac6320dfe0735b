"""The OpenAPI 3.1 document, built from the routes registered on the Chalice app."""
from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from chalicelib.web.route import Operation

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "code": {"type": "string"}, "request_id": {"type": "string"}},
}
REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content", 400: "Invalid input", 401: "Unauthenticated",
           403: "Forbidden", 404: "Not found", 409: "Conflict", 413: "Payload too large", 415: "Unsupported media type",
           429: "Too many requests", 503: "Unavailable"}


class UndocumentedRoute(Exception):
    """A route was registered without `web.route`, so it has no OpenAPI metadata."""


def _schema_ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(path: str, method: str, op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": REASONS.get(op.status, "OK")}
    if op.response_model:
        success["content"] = {"application/json": {"schema": _schema_ref(op.response_model, components)}}
    responses: dict[str, Any] = {str(op.status): success}
    for status in op.errors:
        responses[str(status)] = {"description": REASONS.get(status, "Error"),
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    doc: dict[str, Any] = {
        "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "summary": op.summary,
        "tags": list(op.tags),
        "responses": responses,
    }
    params = re.findall(r"{(\w+)}", path)
    if params:
        doc["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params]
    if op.request_model:
        doc["requestBody"] = {"required": True, "content": {"application/json": {"schema": _schema_ref(op.request_model, components)}}}
    if op.public:
        doc["security"] = []
    return doc


def build(routes: dict[str, dict[str, Any]], *, title: str, version: str) -> dict[str, Any]:
    """Return the OpenAPI document for a Chalice route table (`app.routes`)."""
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for path in sorted(routes):
        for method, entry in sorted(routes[path].items()):
            op = getattr(entry.view_function, "openapi", None)
            if not isinstance(op, Operation):
                raise UndocumentedRoute(f"{method} {path} was not declared with web.route")
            paths.setdefault(path, {})[method.lower()] = _operation(path, method, op, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": components},
    }
