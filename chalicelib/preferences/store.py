"""A user's dashboard preferences: one item in the tenant's partition."""
from __future__ import annotations

from typing import Any

from chalicelib.core import keys
from chalicelib.core.db import main_table


def get_dashboard(tenant_id: str, user_id: str) -> dict[str, Any] | None:
    pk, sk = keys.dashboard_preferences_key(tenant_id, user_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")


def put_dashboard(tenant_id: str, user_id: str, *, cards: list[dict[str, Any]], updated_at: str) -> None:
    """Replace the layout (last write wins: it is one user's own setting)."""
    pk, sk = keys.dashboard_preferences_key(tenant_id, user_id)
    main_table().put_item(Item={"pk": pk, "sk": sk, "user_id": user_id, "cards": cards, "updated_at": updated_at})


def delete_dashboard(tenant_id: str, user_id: str) -> None:
    pk, sk = keys.dashboard_preferences_key(tenant_id, user_id)
    main_table().delete_item(Key={"pk": pk, "sk": sk})
