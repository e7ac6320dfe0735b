"""The presence fields of /ws/status, from an agent record."""
from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.realtime.ws_status.service import status_of

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def test_status_is_all_empty_when_the_agent_never_connected():
    assert status_of({"api_id": "a"}, now=NOW) == {"connected": False, "secure": False, "last_connected_at": None,
                                                   "disconnected_at": None, "disconnected_seconds_ago": None}


def test_status_has_no_disconnect_when_connected():
    agent = {"ws_connected": True, "ws_secure": True, "ws_connected_since": "2026-03-01T11:00:00.000Z",
             "ws_disconnected_at": "2026-03-01T10:59:00.000Z"}
    assert status_of(agent, now=NOW) == {"connected": True, "secure": True, "last_connected_at": "2026-03-01T11:00:00.000Z",
                                         "disconnected_at": None, "disconnected_seconds_ago": None}


def test_status_counts_seconds_since_the_disconnect_when_disconnected():
    agent = {"ws_connected": False, "ws_secure": True, "ws_connected_since": "2026-03-01T11:00:00.000Z",
             "ws_disconnected_at": "2026-03-01T11:58:30.000Z"}
    status = status_of(agent, now=NOW)
    assert status["connected"] is False and status["secure"] is False
    assert status["disconnected_at"] == "2026-03-01T11:58:30.000Z" and status["disconnected_seconds_ago"] == 90


def test_seconds_ago_is_never_negative_when_clocks_disagree():
    assert status_of({"ws_disconnected_at": "2026-03-01T12:00:05.000Z"}, now=NOW)["disconnected_seconds_ago"] == 0
