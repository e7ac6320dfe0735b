"""Shapes of a user's dashboard preferences: the cards in their order, each shown or hidden."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_CARDS = 50


class CardPreference(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    # Card ids are the web app's; the server keeps them without knowing the catalogue, so a new card needs no release here.
    id: str = Field(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")
    visible: bool


class DashboardPreferencesUpdate(BaseModel):
    """The whole layout: cards in display order (an empty list goes back to the default layout)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    cards: list[CardPreference] = Field(max_length=MAX_CARDS)

    @field_validator("cards")
    @classmethod
    def _unique(cls, cards: list[CardPreference]) -> list[CardPreference]:
        ids = [card.id for card in cards]
        if len(ids) != len(set(ids)):
            raise ValueError("card ids must be unique")
        return cards


class DashboardPreferencesRead(BaseModel):
    cards: list[CardPreference] = Field(description="In display order; empty while the user keeps the default layout")
    updated_at: str | None = Field(description="When the layout was last saved; null for the default layout")
