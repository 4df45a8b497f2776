"""Pure rules of enforcement: the random draws, the legal range of a fine, the deadline of an order to rectify,
the spot exam's paper. No database here: the services and the file imports feed them what they read."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError
from peikao.registry.choices import AssignmentRole

if TYPE_CHECKING:
    import datetime as dt

    from peikao.enforcement.models import Finding, ViolationItem

TWO_INSPECTORS = _("An inspection is made by at least two inspectors.")
OTHER_NEEDS_TEXT = _("A problem outside the catalogue needs a description.")
FINE_AMOUNT_REQUIRED = _("A fine needs its amount.")
DEADLINE_REQUIRED = _("An order to rectify needs a deadline after the decision.")

# -- plans and the random draw -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    subjects: list[tuple[int, Decimal]]  # (organisation pk, weight) in draw order
    inspectors: list[list[int]]  # user pks per subject
    unstaffed: list[int] = field(default_factory=list)  # candidates that too few inspectors' jurisdiction holds


def draw(
    *,
    candidates: list[tuple[int, Decimal]],
    inspectors: list[int],
    wanted: int,
    per_subject: int,
    seed: int,
    subject_regions: dict[int, str] | None = None,
    inspector_prefixes: dict[int, str] | None = None,
    forced: frozenset[int] | set[int] = frozenset(),
) -> Draw:
    """Weighted sampling without replacement (Efraimidis–Spirakis: key u^(1/w)), then inspectors per subject
    from a shuffled pool. Pure: the same inputs give the same draw.

    With ``subject_regions`` (a candidate's region code) and ``inspector_prefixes`` (the code prefix of an
    inspector's jurisdiction), a subject's team comes only from the inspectors whose jurisdiction holds it, the
    least loaded first (ties in the shuffled order), and a candidate that fewer than ``per_subject`` of them
    hold is passed over (``unstaffed``): what is drawn can be carried out. Without them (draws recorded before),
    the pool is dealt round-robin. ``forced`` candidates (a grade's minimum frequency) come before all others,
    in random order among themselves."""
    rng = random.Random(seed)
    keyed = []
    for pk, weight in candidates:  # candidates come sorted: the order is part of the reproducible input
        u = rng.random()
        key = u ** (1 / float(weight)) if weight > 0 else 0.0
        keyed.append((key + 1.0 if pk in forced else key, pk, weight))
    keyed.sort(key=lambda item: (-item[0], item[1]))
    pool = sorted(inspectors)
    rng.shuffle(pool)
    if subject_regions is None or inspector_prefixes is None:
        chosen = [(pk, weight) for _key, pk, weight in keyed[:wanted]]
        teams = []
        cursor = 0
        for _subject in chosen:
            team = []
            for _seat in range(per_subject):
                team.append(pool[cursor % len(pool)])
                cursor += 1
            teams.append(sorted(set(team)))
        return Draw(subjects=chosen, inspectors=teams)
    order = {pk: position for position, pk in enumerate(pool)}
    load = dict.fromkeys(pool, 0)
    chosen, teams, unstaffed = [], [], []
    for _key, pk, weight in keyed:
        eligible = [i for i in pool if subject_regions[pk].startswith(inspector_prefixes[i])]
        if len(eligible) < per_subject:
            unstaffed.append(pk)
            continue
        if len(chosen) == wanted:
            continue  # still counted: the record says which candidates could not have been drawn
        team = sorted(eligible, key=lambda i: (load[i], order[i]))[:per_subject]
        for i in team:
            load[i] += 1
        chosen.append((pk, weight))
        teams.append(sorted(team))
    return Draw(subjects=chosen, inspectors=teams, unstaffed=sorted(unstaffed))


# -- decisions -------------------------------------------------------------------------------------------------

ONE_ACT_BASIS = "《中华人民共和国行政处罚法》第二十九条"


def act_key(item: ViolationItem) -> str:
    """The act an item describes: items that describe one act under different rules share it (``same_act_as``)."""
    return item.same_act_as or item.code


def applicable_range(item: ViolationItem, *, overdue: bool) -> tuple[Decimal, Decimal] | None:
    """The range of a fine for this item: that for violations not corrected in time where ``overdue`` and the
    item has one, its ordinary range otherwise; None where it provides no fine."""
    if overdue and item.overdue_fine_max is not None:
        return Decimal(item.overdue_fine_min or 0), Decimal(item.overdue_fine_max)
    if item.fine_max is None:
        return None
    return Decimal(item.fine_min or 0), Decimal(item.fine_max)


def range_text(low: Decimal | int | None, high: Decimal | int | None) -> str:
    """A range of yuan as shown: 100,000–200,000 (— where there is none)."""
    return "—" if high is None else f"{low or 0:,.0f}–{high:,.0f}"


@dataclass(frozen=True)
class ViolationRange:
    """One violation of the decision's subject: the findings that show it, the rule it is fined under (the
    highest of the rules the act falls under, ``also`` the others) and that rule's range. The number of
    findings and of persons concerned is a circumstance weighed within the range, not a multiplier of it."""

    item: ViolationItem
    findings: tuple[Finding, ...]
    persons: tuple[str, ...]
    low: Decimal
    high: Decimal
    overdue: bool
    basis: str
    also: tuple[str, ...] = ()
    responsible: tuple[Decimal, Decimal] | None = None

    @property
    def codes(self) -> str:
        return "、".join(f.code for f in self.findings)

    @property
    def range_text(self) -> str:
        return range_text(self.low, self.high)

    @property
    def responsible_text(self) -> str:
        return range_text(*self.responsible) if self.responsible else "—"


@dataclass(frozen=True)
class FineRange:
    """The lawful range of one decision's fine: one range per distinct violation (distinct violations are each
    fined, so their ranges add up); and the range of the fine of the person directly responsible, where a
    violation not corrected in time provides one."""

    low: Decimal
    high: Decimal
    overdue: bool
    basis: str
    violations: tuple[ViolationRange, ...] = ()
    responsible_low: Decimal | None = None
    responsible_high: Decimal | None = None
    responsible_basis: str = ""

    def allows(self, fine: Decimal) -> bool:
        return self.low <= fine <= self.high

    @property
    def range_text(self) -> str:
        return range_text(self.low, self.high)

    @property
    def responsible_text(self) -> str:
        return range_text(self.responsible_low, self.responsible_high)

    @property
    def responsible(self) -> bool:
        return self.responsible_high is not None

    def allows_responsible(self, fine: Decimal) -> bool:
        return self.responsible_high is not None and (self.responsible_low or 0) <= fine <= self.responsible_high


def violations(findings: Iterable[Finding], *, overdue: bool) -> list[ViolationRange]:
    """The findings as distinct violations. Findings of one catalogue item are one violation, however many
    persons they concern; items that describe one act (``same_act_as``) are one violation too, fined under the
    rule with the highest range (行政处罚法第二十九条). Raises ``no_fine_provided`` for a violation no rule of
    which provides a fine."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        item = finding.violation
        if item is None:
            raise DomainError(
                "no_fine_provided",
                _("No fine is provided for %(finding)s (%(item)s)."),
                {"finding": finding.code, "item": _("other")},
            )
        groups.setdefault(act_key(item), []).append(finding)
    out = []
    for group in groups.values():
        items = {f.violation.pk: f.violation for f in group if f.violation is not None}.values()
        ranged = [(applicable_range(item, overdue=overdue), item) for item in items]
        fined = [(bounds, item) for bounds, item in ranged if bounds is not None]
        if not fined:
            first = group[0]
            raise DomainError(
                "no_fine_provided",
                _("No fine is provided for %(finding)s (%(item)s)."),
                {"finding": first.code, "item": first.violation.basis_title if first.violation else _("other")},
            )
        (low, high), applied = max(fined, key=lambda pair: (pair[0][1], pair[0][0], pair[1].code))
        basis = applied.basis_title
        also = tuple(sorted({item.basis_title for item in items if item.pk != applied.pk} - {basis}))
        responsible = None
        if overdue and applied.overdue_fine_max is not None and applied.responsible_fine_max is not None:
            responsible = (Decimal(applied.responsible_fine_min or 0), Decimal(applied.responsible_fine_max))
        out.append(
            ViolationRange(
                item=applied,
                findings=tuple(group),
                persons=tuple(dict.fromkeys(f.person.name for f in group if f.person_id)),
                low=low,
                high=high,
                overdue=overdue and applied.overdue_fine_max is not None,
                basis=basis,
                also=also,
                responsible=responsible,
            )
        )
    return out


def fine_range(findings: Iterable[Finding], *, overdue: bool) -> FineRange:
    """The lawful range of a fine for these findings: one range per distinct violation (``violations``), the
    range for violations not corrected in time where ``overdue`` (an order to rectify them was not complied with
    by its deadline: ``selectors.rectification_overdue``); with the range of the responsible person's fine
    where the law provides one for the violation not corrected in time."""
    found = violations(findings, overdue=overdue)
    bases = list(dict.fromkeys(v.basis for v in found))  # the single basis of each violation, as applied
    with_person = [v for v in found if v.responsible is not None]
    return FineRange(
        low=sum((v.low for v in found), Decimal(0)),
        high=sum((v.high for v in found), Decimal(0)),
        overdue=any(v.overdue for v in found),
        basis="；".join(bases),
        violations=tuple(found),
        responsible_low=sum((v.responsible[0] for v in with_person if v.responsible), Decimal(0))
        if with_person
        else None,
        responsible_high=sum((v.responsible[1] for v in with_person if v.responsible), Decimal(0))
        if with_person
        else None,
        responsible_basis="；".join(dict.fromkeys(v.basis for v in with_person)),
    )


def decision_basis(findings: Iterable[Finding]) -> str:
    """The legal basis of a decision other than a fine: each rule its findings fall under once, as cited."""
    items = [f.violation for f in findings]
    return "；".join(sorted({item.basis_title for item in items if item is not None and item.basis}))


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
