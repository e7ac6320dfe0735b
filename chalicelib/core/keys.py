"""The only code that builds DynamoDB key strings.

Every key of tenant data will begin with the tenant (`T#<tenant>`, issue #3); the items below are
the system-level ones the foundation needs.
"""
from __future__ import annotations


def system_key(name: str) -> tuple[str, str]:
    """Key of a process-wide system record such as the scheduler heartbeat."""
    return f"SYS#{name}", "SYS"


def connection_key(connection_id: str) -> tuple[str, str]:
    """Key of a WebSocket connection record."""
    return f"CONN#{connection_id}", "CONN"


def ws_ticket_key(ticket: str) -> tuple[str, str]:
    """Key of a one-time WebSocket ticket (its hash, never the ticket itself)."""
    return f"WSTICKET#{ticket}", "WSTICKET"
