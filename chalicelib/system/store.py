"""System records in the main table: the scheduler heartbeat."""
from __future__ import annotations

from typing import Any

from chalicelib.core import keys
from chalicelib.core.db import main_table


def put_heartbeat(*, at: str, source: str) -> None:
    """Store the time the scheduler last fired the heartbeat."""
    pk, sk = keys.system_key("heartbeat")
    main_table().put_item(Item={"pk": pk, "sk": sk, "at": at, "source": source})


def get_heartbeat() -> dict[str, Any] | None:
    """Return the heartbeat record, or None before the first tick."""
    pk, sk = keys.system_key("heartbeat")
    return main_table().get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=False).get("Item")
