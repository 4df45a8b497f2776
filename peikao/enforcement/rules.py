"""Pure rules of enforcement: the random draws, the legal range of a fine, the deadline of an order to rectify,
the spot exam's paper. No database here: the services and the file imports feed them what they read."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError
from peikao.registry.choices import AssignmentRole

if TYPE_CHECKING:
    import datetime as dt

    from peikao.enforcement.models import Finding

TWO_INSPECTORS = _("An inspection is made by at least two inspectors.")
OTHER_NEEDS_TEXT = _("A problem outside the catalogue needs a description.")
FINE_AMOUNT_REQUIRED = _("A fine needs its amount.")
DEADLINE_REQUIRED = _("An order to rectify needs a deadline after the decision.")

# -- plans and the random draw -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    subjects: list[tuple[int, Decimal]]  # (organisation pk, weight) in draw order
    inspectors: list[list[int]]  # user pks per subject


def draw(
    *, candidates: list[tuple[int, Decimal]], inspectors: list[int], wanted: int, per_subject: int, seed: int
) -> Draw:
    """Weighted sampling without replacement (Efraimidis–Spirakis: key u^(1/w)), then inspectors per subject
    from a shuffled pool, round-robin so that the load is even. Pure: the same inputs give the same draw."""
    rng = random.Random(seed)
    keyed = []
    for pk, weight in candidates:  # candidates come sorted: the order is part of the reproducible input
        u = rng.random()
        keyed.append((u ** (1 / float(weight)) if weight > 0 else 0.0, pk, weight))
    keyed.sort(key=lambda item: (-item[0], item[1]))
    chosen = [(pk, weight) for _key, pk, weight in keyed[:wanted]]
    pool = sorted(inspectors)
    rng.shuffle(pool)
    teams = []
    cursor = 0
    for _subject in chosen:
        team = []
        for _seat in range(per_subject):
            team.append(pool[cursor % len(pool)])
            cursor += 1
        teams.append(sorted(set(team)))
    return Draw(subjects=chosen, inspectors=teams)


# -- decisions -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FineRange:
    low: Decimal
    high: Decimal
    overdue: bool
    basis: str

    def allows(self, fine: Decimal) -> bool:
        return self.low <= fine <= self.high


def fine_range(findings: Iterable[Finding], *, overdue: bool) -> FineRange:
    """The legal range of a fine for these findings: the sum of their violations' ranges; the range for
    violations not corrected in time where ``overdue`` (an order to rectify them was not complied with by its
    deadline: ``selectors.rectification_overdue``). Raises ``no_fine_provided`` for a violation without a fine."""
    low = high = Decimal(0)
    bases = []
    for finding in findings:
        item = finding.violation
        if item is None or item.fine_max is None:
            raise DomainError(
                "no_fine_provided",
                _("No fine is provided for %(finding)s (%(item)s)."),
                {"finding": finding.code, "item": item.code if item else _("other")},
            )
        if overdue and item.overdue_fine_max is not None:
            low += item.overdue_fine_min or 0
            high += item.overdue_fine_max
        else:
            low += item.fine_min or 0
            high += item.fine_max
        bases.append(f"{item.code}：{item.basis_title}")
    return FineRange(low=low, high=high, overdue=overdue, basis="；".join(bases))


def decision_basis(findings: Iterable[Finding]) -> str:
    """The legal basis of a decision other than a fine: each violation of its findings once, sorted."""
    items = [f.violation for f in findings]
    return "；".join(sorted({f"{item.code}：{item.basis_title}" for item in items if item is not None}))


def deadline_missing(due_on: dt.date | None, decided_on: dt.date | None) -> bool:
    """An order to rectify needs a deadline after the decision (unknown decision date: only the deadline)."""
    return due_on is None or (decided_on is not None and due_on <= decided_on)


# -- spot exams --------------------------------------------------------------------------------------------------

SPOT_WEIGHTS: dict[str, int] = {  # keyed by the role as an Assignment stores it (a plain string)
    AssignmentRole.SPECIAL_OPERATOR: 3,
    AssignmentRole.PRINCIPAL: 2,
    AssignmentRole.SAFETY_MANAGER: 2,
    AssignmentRole.EMPLOYEE: 1,
}
SPOT_QUESTIONS = 10


def spot_token_hash(raw: str) -> str:
    """What is stored of a one-time spot-exam link."""
    return hashlib.sha256(raw.encode()).hexdigest()


def spot_paper(rng: random.Random, bank: Sequence[tuple[int, str, list | None]], count: int) -> list[dict]:
    """A short paper from a bank of (question pk, type, options) rows sorted by pk: ``count`` questions at
    random, the options of all but true/false questions shuffled, 100 points shared evenly."""
    if not bank:
        return []
    picked = rng.sample(list(bank), min(count, len(bank)))
    points = Decimal(100) / len(picked)
    items = []
    for pk, qtype, options in picked:
        order = list(range(len(options or [])))
        if qtype != "judge":
            rng.shuffle(order)
        items.append({"q": pk, "o": order, "p": str(points.quantize(Decimal("0.01")))})
    return items
