"""Per-user dashboard preferences (My Profile → dashboard layout): which cards, in which order."""
from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.tenancy import TenantContext
from chalicelib.preferences import store
from chalicelib.preferences.schemas import DashboardPreferencesUpdate


def _view(item: dict[str, Any] | None) -> dict[str, Any]:
    if not item:
        return {"cards": [], "updated_at": None}
    return {"cards": [{"id": str(c["id"]), "visible": bool(c["visible"])} for c in item.get("cards", [])],
            "updated_at": item.get("updated_at")}


def get_dashboard(ctx: TenantContext) -> dict[str, Any]:
    """Return the signed-in user's card layout (empty cards: the default layout)."""
    return _view(store.get_dashboard(ctx.tenant_id, ctx.user_id))


def update_dashboard(ctx: TenantContext, data: DashboardPreferencesUpdate) -> dict[str, Any]:
    """Replace the signed-in user's card layout."""
    cards = [card.model_dump() for card in data.cards]
    updated_at = clock.iso(clock.now())
    store.put_dashboard(ctx.tenant_id, ctx.user_id, cards=cards, updated_at=updated_at)
    return {"cards": cards, "updated_at": updated_at}


def purge(tenant_id: str, user_id: str) -> None:
    """Remove a deleted user's preferences (D24.18)."""
    store.delete_dashboard(tenant_id, user_id)
