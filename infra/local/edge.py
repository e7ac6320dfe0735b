"""The local stack's CloudFront: the headers the distribution puts on every API request (`chalicelib/web/edge.py`).

As CloudFront does, they overwrite whatever the client sent under those names, so the end-to-end tests
take the same trusted path as production. The local stack serves plain HTTP and says so.
"""
from __future__ import annotations

import os
from typing import Any

from chalicelib.web.edge import EDGE_HEADERS, EDGE_KEY, VIEWER_HOST, VIEWER_IP, VIEWER_PROTO


def read_edge_key(secretsmanager: Any) -> str:
    """Return the origin key CloudFront would add, from the embedded Secrets Manager; '' when the environment names none."""
    secret_arn = os.environ.get("EDGE_KEY_SECRET_ARN", "")
    return secretsmanager.get_secret_value(SecretId=secret_arn)["SecretString"] if secret_arn else ""


def through_edge(headers: dict[str, list[str]], *, host: str, viewer_ip: str, scheme: str, edge_key: str) -> dict[str, list[str]]:
    """Return the request's headers with the edge's: the viewer's host, address and scheme, and the key when there is one."""
    added = {VIEWER_HOST: host, VIEWER_IP: viewer_ip, VIEWER_PROTO: scheme} | ({EDGE_KEY: edge_key} if edge_key else {})
    kept = {name: values for name, values in headers.items() if name.lower() not in EDGE_HEADERS}
    return kept | {name: [value] for name, value in added.items()}
