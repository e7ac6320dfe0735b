"""The domain events of patch runs (PatchMon's notification events, features C0.4), for alerts and notifications."""
from __future__ import annotations

from typing import Any

from chalicelib.events import service as events

SHOWN_PACKAGES = 5
ERROR_LIMIT = 300


def package_summary(names: list[str]) -> str:
    """"curl, openssl" — the first five, then "... and N more", as PatchMon's messages."""
    shown = ", ".join(names[:SHOWN_PACKAGES])
    return shown + (f" ... and {len(names) - SHOWN_PACKAGES} more" if len(names) > SHOWN_PACKAGES else "")


def run_event(tenant_id: str, event_type: events.EventType, run: dict[str, Any], **extra: Any) -> None:
    names = list(run.get("package_names") or [])
    data: dict[str, Any] = {"run_id": run["run_id"], "host_id": run["host_id"], "host_name": run.get("host_name"),
                            "patch_type": run["patch_type"], "dry_run": bool(run.get("dry_run")),
                            "packages": package_summary(names) if names else "all packages", "policy_name": run.get("policy_name"),
                            "status": run["status"]}
    if run.get("error_message") and event_type == "patch_run_failed":
        data["error"] = str(run["error_message"])[:ERROR_LIMIT]
    data.update(extra)
    events.record(tenant_id, event_type, subject_type="patch_run", subject_id=run["run_id"], data=data)
