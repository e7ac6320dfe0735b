"""The viewer's request as our edge saw it: its host name, scheme and address.

In AWS the product is one domain on CloudFront. CloudFront must send API Gateway's own name as `Host`,
and API Gateway then reports CloudFront's address as the source IP. So a CloudFront Function passes the
viewer's host, IP and scheme in `x-patchmon-viewer-host`, `-ip` and `-proto` (always https there), and
CloudFront adds a secret, `x-patchmon-edge-key`. Anyone can call the execute-api URL directly and send
those headers, so they are believed only beside the right key. The local stack plays the edge
(`infra/local/edge.py`), with `http` as the scheme.
"""
from __future__ import annotations

import ipaddress
from typing import NamedTuple

from chalicelib.core import crypto, errors
from chalicelib.core.settings import get_settings

EDGE_KEY = "x-patchmon-edge-key"
VIEWER_HOST = "x-patchmon-viewer-host"
VIEWER_IP = "x-patchmon-viewer-ip"
VIEWER_PROTO = "x-patchmon-viewer-proto"
EDGE_HEADERS = frozenset({EDGE_KEY, VIEWER_HOST, VIEWER_IP, VIEWER_PROTO})


class ViewerRequest(NamedTuple):
    headers: dict[str, str]
    source_ip: str


def viewer_request(headers: dict[str, str], *, source_ip: str) -> ViewerRequest:
    """Return the (lower-cased) headers and client address of the viewer; refuse a request that bypassed a required edge.

    Through the edge, `host`, `x-forwarded-proto` and the address are the viewer's. Otherwise the
    request is taken as it arrived. Either way the edge's headers are removed, so the key is never
    logged or stored.
    """
    own = {name: value for name, value in headers.items() if name not in EDGE_HEADERS}
    settings = get_settings()
    if not _carries_edge_key(headers.get(EDGE_KEY, ""), secret_arn=settings.edge_key_secret_arn):
        if settings.edge_required:
            raise errors.Forbidden("Requests must come through the product's address", code="direct_access_refused")
        return ViewerRequest(own, source_ip)
    host, address = headers.get(VIEWER_HOST, "").strip(), _address(headers.get(VIEWER_IP, ""))
    if not host or not address:
        # Only a misconfigured edge gets here; guessing (the default tenant, CloudFront's address) would be worse.
        raise errors.InvalidInput("The edge did not name the viewer's host and address", code="invalid_viewer")
    own.pop("x-forwarded-host", None)
    own["host"] = host
    own["x-forwarded-proto"] = "http" if headers.get(VIEWER_PROTO, "").strip().lower() == "http" else "https"
    return ViewerRequest(own, address)


def _carries_edge_key(given: str, *, secret_arn: str) -> bool:
    if not given or not secret_arn:
        return False
    expected = crypto.secret_value(secret_arn)
    return bool(expected) and crypto.equal(given, expected)


def _address(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""
