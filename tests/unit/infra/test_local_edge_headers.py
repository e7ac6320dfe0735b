"""The local stack adds the edge's headers to API requests as CloudFront does, over whatever the client sent."""
from __future__ import annotations

from infra.local.edge import read_edge_key, through_edge


def test_client_sent_edge_headers_are_overwritten_whatever_their_case():
    # Given a client that sends the edge's headers itself
    sent = {"host": ["localhost:8000"], "X-PatchMon-Viewer-IP": ["198.51.100.9"], "x-patchmon-edge-key": ["guess"],
            "X-PATCHMON-VIEWER-HOST": ["victim.localhost"], "user-agent": ["curl/8"]}
    # When
    headers = through_edge(sent, host="acme.localhost:8000", viewer_ip="127.0.0.1", scheme="http", edge_key="the-key")
    # Then
    assert headers == {"host": ["localhost:8000"], "user-agent": ["curl/8"], "x-patchmon-viewer-host": ["acme.localhost:8000"],
                       "x-patchmon-viewer-ip": ["127.0.0.1"], "x-patchmon-viewer-proto": ["http"], "x-patchmon-edge-key": ["the-key"]}


def test_no_key_is_added_when_the_environment_names_no_edge_secret(monkeypatch):
    monkeypatch.delenv("EDGE_KEY_SECRET_ARN", raising=False)
    key = read_edge_key(secretsmanager=None)
    headers = through_edge({"x-patchmon-edge-key": ["guess"]}, host="localhost", viewer_ip="127.0.0.1", scheme="http", edge_key=key)
    assert key == "" and "x-patchmon-edge-key" not in headers
