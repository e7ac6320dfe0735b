"""The OpenAPI document covers every route of app.py, and the docs page renders it."""
from __future__ import annotations

import pytest
from chalice import Blueprint

from app import app
from chalicelib.web.openapi import UndocumentedRoute, build


def test_every_route_of_the_app_is_in_the_document_when_served(client):
    document = client.http.get("/api/v1/openapi.json").json_body
    documented = {(path, method.upper()) for path, methods in document["paths"].items() for method in methods}
    registered = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert registered == documented
    assert document["openapi"].startswith("3.1")


def test_request_schema_is_documented_when_route_takes_a_body(client):
    document = client.http.get("/api/v1/openapi.json").json_body
    operation = document["paths"]["/api/v1/ws/echo"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/EchoCreate"
    assert {"400", "404", "413", "415", "202"} <= set(operation["responses"])


def test_build_fails_when_a_route_bypasses_web_route():
    bp = Blueprint("rogue")

    @bp.route("/rogue")
    def rogue():
        return {}

    routes = {"/rogue": {"GET": type("Entry", (), {"view_function": rogue})()}}
    with pytest.raises(UndocumentedRoute):
        build(routes, title="t", version="1")


def test_docs_page_is_html_when_requested(client):
    response = client.http.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"openapi.json" in response.body
