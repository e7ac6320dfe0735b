"""The viewer's host and address are believed only from a request that carries the edge's key."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from chalicelib.core import crypto, errors
from chalicelib.web import edge
from chalicelib.web.errors import body_for, status_for

EDGE_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:patchmon/test/edge-origin-key"
EDGE_KEY = "edge-key-0123456789abcdef"
GATEWAY_HOST = "abc123.execute-api.us-east-1.amazonaws.com"
CLOUDFRONT_IP = "130.176.1.1"


@pytest.fixture
def edge_settings(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """Settings with the edge key's secret configured and the edge not required; tests change them."""
    configured = SimpleNamespace(edge_required=False, edge_key_secret_arn=EDGE_SECRET_ARN)
    monkeypatch.setattr(edge, "get_settings", lambda: configured)
    return configured


@pytest.fixture
def secret_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Secrets Manager ARNs read; the edge key's secret holds EDGE_KEY."""
    reads: list[str] = []

    def secret_value(secret_arn: str) -> str:
        reads.append(secret_arn)
        return {EDGE_SECRET_ARN: EDGE_KEY}[secret_arn]

    monkeypatch.setattr(crypto, "secret_value", secret_value)
    return reads


def _headers(**edge_headers: str) -> dict[str, str]:
    named = {"key": edge.EDGE_KEY, "viewer_host": edge.VIEWER_HOST, "viewer_ip": edge.VIEWER_IP, "viewer_proto": edge.VIEWER_PROTO}
    return {"host": GATEWAY_HOST, "user-agent": "curl/8", "x-forwarded-proto": "https",
            **{named[name]: value for name, value in edge_headers.items()}}


def test_viewer_host_address_and_https_are_used_when_the_edge_key_is_right(edge_settings, secret_reads):
    # Given a request as CloudFront sends it
    headers = _headers(key=EDGE_KEY, viewer_host="acme.patchmon.example", viewer_ip="203.0.113.7")
    # When
    viewer = edge.viewer_request(headers, source_ip=CLOUDFRONT_IP)
    # Then
    assert viewer.source_ip == "203.0.113.7"
    assert viewer.headers == {"host": "acme.patchmon.example", "user-agent": "curl/8", "x-forwarded-proto": "https"}
    assert secret_reads == [EDGE_SECRET_ARN]


def test_edge_headers_and_the_key_are_removed_when_the_key_is_right(edge_settings, secret_reads):
    viewer = edge.viewer_request(_headers(key=EDGE_KEY, viewer_host="acme.patchmon.example", viewer_ip="203.0.113.7"),
                                 source_ip=CLOUDFRONT_IP)
    assert not edge.EDGE_HEADERS & set(viewer.headers)
    assert EDGE_KEY not in repr(viewer)


def test_client_forwarded_host_and_proto_are_replaced_when_through_the_edge(edge_settings, secret_reads):
    # Given a client that sent its own forwarding headers through CloudFront
    headers = {**_headers(key=EDGE_KEY, viewer_host="acme.patchmon.example", viewer_ip="203.0.113.7"),
               "x-forwarded-host": "evil.example", "x-forwarded-proto": "http"}
    # When
    viewer = edge.viewer_request(headers, source_ip=CLOUDFRONT_IP)
    # Then
    assert "x-forwarded-host" not in viewer.headers
    assert viewer.headers["x-forwarded-proto"] == "https"


def test_plain_http_is_kept_when_the_edge_says_so(edge_settings, secret_reads):
    """The local stack is an edge that serves plain HTTP."""
    headers = _headers(key=EDGE_KEY, viewer_host="localhost:8000", viewer_ip="127.0.0.1", viewer_proto="http")
    assert edge.viewer_request(headers, source_ip="127.0.0.1").headers["x-forwarded-proto"] == "http"


def test_an_ipv6_viewer_address_is_normalised_when_through_the_edge(edge_settings, secret_reads):
    headers = _headers(key=EDGE_KEY, viewer_host="acme.patchmon.example", viewer_ip="2001:DB8:0:0::1")
    assert edge.viewer_request(headers, source_ip=CLOUDFRONT_IP).source_ip == "2001:db8::1"


@pytest.mark.parametrize("key", [None, "", "wrong-key", EDGE_KEY + "x", EDGE_KEY[:-1]])
def test_spoofed_viewer_host_and_address_are_ignored_when_the_key_is_missing_or_wrong(edge_settings, secret_reads, key):
    # Given a direct call to the execute-api URL claiming to be a viewer of another tenant
    claims = {"viewer_host": "victim.patchmon.example", "viewer_ip": "198.51.100.9", "viewer_proto": "http"}
    headers = _headers(**claims, **({"key": key} if key is not None else {}))
    # When
    viewer = edge.viewer_request(headers, source_ip="192.0.2.44")
    # Then the request is taken as it arrived, without the edge's headers
    assert viewer.source_ip == "192.0.2.44"
    assert viewer.headers == {"host": GATEWAY_HOST, "user-agent": "curl/8", "x-forwarded-proto": "https"}


def test_a_request_without_edge_headers_is_unchanged_when_the_edge_is_not_required(edge_settings, secret_reads):
    headers = {"host": "acme.localhost:8000", "x-forwarded-host": "acme.example", "cookie": "token=t"}
    assert edge.viewer_request(headers, source_ip="127.0.0.1") == (headers, "127.0.0.1")
    assert secret_reads == []


@pytest.mark.parametrize("key", [None, "", "wrong-key"])
def test_a_direct_request_is_refused_with_403_when_the_edge_is_required(edge_settings, secret_reads, key):
    # Given AWS, where every request must come through CloudFront
    edge_settings.edge_required = True
    headers = _headers(viewer_host="acme.patchmon.example", viewer_ip="203.0.113.7", **({"key": key} if key is not None else {}))
    # When
    with pytest.raises(errors.DomainError) as refused:
        edge.viewer_request(headers, source_ip="192.0.2.44")
    # Then
    assert status_for(refused.value) == 403
    assert body_for(refused.value) == {"error": "Requests must come through the product's address", "code": "direct_access_refused"}


def test_a_request_with_the_key_is_admitted_when_the_edge_is_required(edge_settings, secret_reads):
    edge_settings.edge_required = True
    viewer = edge.viewer_request(_headers(key=EDGE_KEY, viewer_host="acme.patchmon.example", viewer_ip="203.0.113.7"),
                                 source_ip=CLOUDFRONT_IP)
    assert viewer.source_ip == "203.0.113.7"


def test_no_key_is_right_when_no_edge_secret_is_configured(edge_settings, secret_reads):
    # Given a deployment whose environment names no edge key secret
    edge_settings.edge_key_secret_arn = ""
    # When a request sends an empty key
    viewer = edge.viewer_request(_headers(key="", viewer_host="victim.patchmon.example", viewer_ip="198.51.100.9"),
                                 source_ip="192.0.2.44")
    # Then
    assert viewer.source_ip == "192.0.2.44" and viewer.headers["host"] == GATEWAY_HOST
    assert secret_reads == []


@pytest.mark.parametrize("viewer_ip", [None, "", "not-an-address", "203.0.113.7, 10.0.0.1", "999.0.0.1", "203.0.113.7:443"])
def test_the_request_is_refused_when_the_edge_sends_no_valid_viewer_address(edge_settings, secret_reads, viewer_ip):
    headers = _headers(key=EDGE_KEY, viewer_host="acme.patchmon.example", **({"viewer_ip": viewer_ip} if viewer_ip is not None else {}))
    with pytest.raises(errors.InvalidInput) as refused:
        edge.viewer_request(headers, source_ip=CLOUDFRONT_IP)
    assert refused.value.code == "invalid_viewer"


def test_the_request_is_refused_when_the_edge_sends_no_viewer_host(edge_settings, secret_reads):
    """Falling back to the gateway's Host would name no tenant, or the default one."""
    with pytest.raises(errors.InvalidInput):
        edge.viewer_request(_headers(key=EDGE_KEY, viewer_ip="203.0.113.7"), source_ip=CLOUDFRONT_IP)
