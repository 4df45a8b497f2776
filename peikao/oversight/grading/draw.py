"""The grades' answers to enforcement's draw hooks: each candidate's weight by its grade (the draw rules in force),
and the candidates a plan must take first because their grade asks for more inspections a year than they had."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from peikao.enforcement.models import Inspection
from peikao.oversight.choices import OPEN_STATES
from peikao.oversight.grading import rules
from peikao.oversight.grading.models import DrawRule, Grade
from peikao.oversight.models import Alert


def draw_rules(on: dt.date) -> dict[str, DrawRule]:
    """The draw rule of each grade in force on ``on``."""
    found: dict[str, DrawRule] = {}
    for rule in DrawRule.objects.in_force(on).order_by("valid_from"):
        found[rule.grade] = rule  # the latest that started wins
    return found


def effective_grades(organization_ids: list[int], on: dt.date) -> dict[int, str]:
    """The effective grade of each graded subject among ``organization_ids``."""
    rows = Grade.objects.filter(organization_id__in=organization_ids).values_list(
        "organization_id", "computed", "override", "override_until"
    )
    return {
        pk: rules.effective(computed=computed, override=override, override_until=until, on=on)
        for pk, computed, override, until in rows
    }


def _inspections_since(organization_ids: list[int], since: dt.date) -> dict[int, int]:
    rows = (
        Inspection.objects.filter(organization_id__in=organization_ids, inspected_on__gte=since)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["organization_id"]: row["n"] for row in rows}


def _open_alerts(organization_ids: list[int]) -> set[int]:
    return set(
        Alert.objects.filter(organization_id__in=organization_ids, state__in=OPEN_STATES)
        .values_list("organization_id", flat=True)
        .distinct()
    )


def grade_weights(*, plan, organization_ids: list[int]) -> dict[int, Decimal] | None:
    """Weight of each graded candidate: its grade's weight; 0 (left out) for a grade inspected at most once in N
    years that was inspected within them, unless an alert about it is open."""
    today = timezone.localdate()
    rules_on = draw_rules(today)
    if not rules_on:
        return None
    grades = effective_grades(organization_ids, today)
    weights = {pk: rules_on[letter].weight for pk, letter in grades.items() if letter in rules_on}
    for letter, rule in rules_on.items():
        if not rule.at_most_every_years:
            continue
        ids = [pk for pk, grade in grades.items() if grade == letter]
        recent = _inspections_since(ids, today - dt.timedelta(days=365 * rule.at_most_every_years))
        alerted = _open_alerts(list(recent)) if recent else set()
        for pk in recent:
            if pk not in alerted:
                weights[pk] = Decimal(0)
    return weights


def minimum_shortfall(*, year: int, organization_ids: list[int], on: dt.date) -> dict[int, str]:
    """The candidates whose grade asks for more inspections in ``year`` than they have had: pk → grade."""
    rules_on = draw_rules(on)
    grades = effective_grades(organization_ids, on)
    wanting = {pk: g for pk, g in grades.items() if g in rules_on and rules_on[g].min_per_year > 0}
    done = _inspections_since(list(wanting), dt.date(year, 1, 1)) if wanting else {}
    return {pk: g for pk, g in wanting.items() if done.get(pk, 0) < rules_on[g].min_per_year}


def forced_by_grade(*, plan, organization_ids: list[int]) -> set[int] | None:
    """Candidates the plan takes first: below their grade's minimum inspections in the plan's year."""
    shortfall = minimum_shortfall(year=plan.year, organization_ids=organization_ids, on=timezone.localdate())
    return set(shortfall) or None


def plan_panel(*, plan, user) -> SafeString | None:
    """The plan page's panel: per grade, the candidates, how many the rules ask for, how many were drawn."""
    from peikao.oversight.grading.selectors import plan_by_grade  # selectors read draw's functions

    rows = plan_by_grade(plan)
    if not any(row.grade for row in rows if row.candidates):
        return None  # nothing graded among the candidates: no panel
    return render_to_string("oversight/grading/plan_panel.html", {"rows": rows, "plan": plan})
