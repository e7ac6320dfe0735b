"""WebSocket presence of a tenant's agents, for the UI (the reference's /ws/status routes)."""
