"""The work list of a landing page: cards, each a count of rows that its viewer has to act on, linking to exactly
those rows (a list page filtered by its app's selector).

A card says to whom it applies (a role, an organisation kind, a right), how to count (one scoped query through an
app's selector) and where its rows are. Cards are registered here, by module (``peikao.web.cards`` for the apps
below web); an app that comes later registers its own cards the same way from a module of web, ``register(Card(…))``,
and the landing page shows them without a change to the view or the template. Two sections: the viewer's own
work (``WORK``) and, for regulators, their region's headline figures (``REGION``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

WORK = "work"
REGION = "region"


@dataclass
class Viewer:
    """The viewer of a landing page, the day, and counts shared by several cards (one query for all of them)."""

    user: Any
    today: dt.date
    _shared: dict[str, Any] = field(default_factory=dict)

    def shared(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]

    @property
    def organization_kind(self) -> str | None:
        organization = self.user.organization if self.user.is_org_member else None
        return organization.kind if organization is not None else None


@dataclass(frozen=True)
class Card:
    """One count on a landing page. ``count`` and ``url`` are called only when ``applies`` is true."""

    key: str
    label: str
    applies: Callable[[Viewer], bool]
    count: Callable[[Viewer], int]
    url: Callable[[Viewer], str]
    section: str = WORK
    order: int = 100
    hint: str = ""
    waiting: bool = True  # a count of work waiting (drawn as such when not zero); False for a plain record


@dataclass(frozen=True)
class ShownCard:
    key: str
    label: str
    hint: str
    n: int
    url: str
    section: str
    waiting: bool = True

    @property
    def to_do(self) -> bool:
        """Work waiting (drawn as such); a headline figure or one's own record is never "to do"."""
        return self.section == WORK and self.waiting and self.n > 0


CARDS: dict[str, Card] = {}


def register(*cards: Card) -> None:
    """Add cards (a card registered again under the same key replaces the earlier one: ``ready()`` may run twice)."""
    for card in cards:
        CARDS[card.key] = card


def cards_for(user, *, today: dt.date | None = None) -> dict[str, list[ShownCard]]:
    """The cards that apply to ``user``, by section, in their order, each with its count and link."""
    viewer = Viewer(user=user, today=today or timezone.localdate())
    shown: dict[str, list[ShownCard]] = {WORK: [], REGION: []}
    for card in sorted(CARDS.values(), key=lambda card: (card.order, card.key)):
        if not card.applies(viewer):
            continue
        shown[card.section].append(
            ShownCard(
                key=card.key,
                label=str(card.label),
                hint=str(card.hint),
                n=card.count(viewer),
                url=card.url(viewer),
                section=card.section,
                waiting=card.waiting,
            )
        )
    return shown
