"""Linking injury cases to registered persons (ADR 0010): exact on a valid ID number; otherwise Fellegi–Sunter over
candidates blocked in the database, and a decision by the dated thresholds.

Blocking asks the database's indexes, a few queries per chunk of cases, never a scan per case:

- the valid ID numbers one typing error away from the number given (each of the 17 digits replaced, each pair of
  neighbours swapped, the right check character): looked up on the unique index of ``Person.id_number``;
- where the file gives a name: persons of that name born on the date the number says, and persons of that name
  assigned at the employer.

Each candidate is then compared on the ID number (check character only, one transposition, one digit, other), the
birth date the number gives, the name and the employer; the weights (log2 m/u) are summed. A candidate links by
itself only above the ``auto`` threshold and clear of the runner-up by ``margin``: two near-identical people
(twins: the same name, numbers one digit apart) are never decided by the machine unless the employer tells them
apart, and the case goes to a clerk instead.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from peikao.core.validators import ID_CHECK_CHARS, ID_WEIGHTS, validate_id_number
from peikao.oversight.injuries.choices import LinkStatus
from peikao.oversight.injuries.models import LinkageWeight
from peikao.registry.models import Assignment, Person

DIGITS = "0123456789"
LOOKUP_CHUNK = 5000


@dataclass(frozen=True)
class CaseInput:
    """What the linkage reads of a case."""

    key: object  # the case's primary key or case number
    id_number: str
    name: str
    organization_id: int
    occurred_on: dt.date


@dataclass(frozen=True)
class Candidate:
    person_id: int
    id_number: str
    name: str
    birth_date: dt.date


@dataclass
class LinkResult:
    status: str
    person_id: int | None = None
    weight: Decimal | None = None


@dataclass(frozen=True)
class Weights:
    values: Mapping[tuple[str, str], Decimal]

    def __getitem__(self, key: tuple[str, str]) -> Decimal:
        return self.values[key]

    @property
    def auto(self) -> Decimal:
        return self.values[("threshold", "auto")]

    @property
    def review(self) -> Decimal:
        return self.values[("threshold", "review")]

    @property
    def margin(self) -> Decimal:
        return self.values[("threshold", "margin")]


def weights_on(on: dt.date) -> Weights:
    """The weights and thresholds in force on ``on`` (domain/injury_linkage.yaml)."""
    rows = LinkageWeight.objects.in_force(on).values_list("comparison", "level", "weight")
    values = {(comparison, level): weight for comparison, level, weight in rows}
    if ("threshold", "auto") not in values:
        raise LookupError("no injury linkage weights in force: run manage.py load_reference")
    return Weights(values)


def is_valid(number: str) -> bool:
    try:
        validate_id_number(number)
    except ValidationError:
        return False
    return True


def birth_date_of(number: str) -> dt.date | None:
    """The birth date digits 7–14 of a number say, when they are a date (even if the number is otherwise wrong)."""
    if len(number) < 14 or not number[6:14].isdigit():
        return None
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _well_formed(number: str) -> bool:
    return len(number) == 18 and number[:17].isdigit() and number[17] in ID_CHECK_CHARS


def one_error_variants(number: str) -> set[str]:
    """Every valid 18-character number one typing error away from ``number``: the right check character for its 17
    digits; one of the 17 digits replaced; two neighbours among them swapped. Registered numbers are valid, so a
    variant whose check character does not fit cannot be anyone's: only ~17 of the ~180 variants are looked up."""
    if not _well_formed(number):
        return set()
    body, check = number[:17], number[17]
    digits = [int(d) for d in body]
    total = sum(w * d for w, d in zip(ID_WEIGHTS, digits, strict=True))
    variants = {body + ID_CHECK_CHARS[total % 11]}
    for i in range(17):
        for digit in range(10):
            if digit != digits[i] and ID_CHECK_CHARS[(total + ID_WEIGHTS[i] * (digit - digits[i])) % 11] == check:
                variants.add(body[:i] + str(digit) + body[i + 1 :] + check)
    for i in range(16):
        a, b = digits[i], digits[i + 1]
        if a != b and ID_CHECK_CHARS[(total + (ID_WEIGHTS[i] - ID_WEIGHTS[i + 1]) * (b - a)) % 11] == check:
            variants.add(body[:i] + body[i + 1] + body[i] + body[i + 2 :] + check)
    variants.discard(number)
    return variants


def id_level(given: str, registered: str) -> str:
    """How close the number given is to a registered (valid) number: check_digit, transposition, one_digit, other."""
    if not _well_formed(given):
        return "other"
    if given[:17] == registered[:17]:
        return "check_digit"
    if given[17] != registered[17]:
        return "other"
    diff = [i for i in range(17) if given[i] != registered[i]]
    if len(diff) == 1:
        return "one_digit"
    if (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and given[diff[0]] == registered[diff[1]]
        and (given[diff[1]] == registered[diff[0]])
    ):
        return "transposition"
    return "other"


def score(case: CaseInput, candidate: Candidate, employed: bool, weights: Weights) -> Decimal:
    """The match weight of one pair: the sum of the weights of the levels its comparisons fall in."""
    level = id_level(case.id_number, candidate.id_number)
    total = weights[("id_number", level)]
    if level == "other":
        # The birth date compared apart only when the numbers are not one typing error apart: within one error
        # it is part of the number already (a wrong birth digit is one wrong digit, not a second disagreement).
        birth = birth_date_of(case.id_number)
        total += weights[("birth_date", "same" if birth == candidate.birth_date else "different")]
    if case.name:
        total += weights[("name", "same" if case.name == candidate.name else "different")]
    total += weights[("employer", "same" if employed else "different")]
    return total


def decide(scored: list[tuple[int, Decimal]], weights: Weights) -> LinkResult:
    """The decision on one case from its candidates' weights."""
    if not scored:
        return LinkResult(status=LinkStatus.UNLINKED)
    scored = sorted(scored, key=lambda pair: (-pair[1], pair[0]))
    best_person, best = scored[0]
    runner_up = scored[1][1] if len(scored) > 1 else None
    clear = runner_up is None or best - runner_up >= weights.margin
    if best >= weights.auto and clear:
        return LinkResult(LinkStatus.AUTOMATIC, best_person, best)
    if best >= weights.review or (best >= weights.auto and not clear):
        return LinkResult(LinkStatus.REVIEW, best_person, best)
    return LinkResult(status=LinkStatus.UNLINKED)


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _candidates_by_number(numbers: Iterable[str]) -> dict[str, Candidate]:
    found: dict[str, Candidate] = {}
    for chunk in _chunks(sorted(set(numbers)), LOOKUP_CHUNK):
        for pk, number, name, birth in Person.objects.filter(id_number__in=chunk).values_list(
            "pk", "id_number", "name", "birth_date"
        ):
            found[number] = Candidate(pk, number, name, birth)
    return found


def link(cases: list[CaseInput], *, weights: Weights) -> dict[object, LinkResult]:
    """The link of each case, decided from the persons registered now (reads only; the services write)."""
    results: dict[object, LinkResult] = {}
    exact = _candidates_by_number(c.id_number for c in cases if is_valid(c.id_number))
    pending = []
    for case in cases:
        person = exact.get(case.id_number)
        if person is not None:
            results[case.key] = LinkResult(LinkStatus.EXACT, person.person_id)
        else:
            pending.append(case)
    if not pending:
        return results

    # Blocking: one typing error away (the unique index), and name with birth date or with employer.
    variants = {case.key: one_error_variants(case.id_number) for case in pending}
    by_number = _candidates_by_number(v for vs in variants.values() for v in vs)
    pairs: dict[object, dict[int, Candidate]] = defaultdict(dict)
    for case in pending:
        for variant in variants[case.key]:
            candidate = by_number.get(variant)
            if candidate is not None:
                pairs[case.key][candidate.person_id] = candidate
    named = [case for case in pending if case.name]
    if named:
        names = sorted({case.name for case in named})
        births = sorted({b for case in named if (b := birth_date_of(case.id_number)) is not None})
        by_name_birth: dict[tuple[str, dt.date], list[Candidate]] = defaultdict(list)
        for chunk in _chunks(names, LOOKUP_CHUNK // 5):
            person_rows = Person.objects.filter(name__in=chunk, birth_date__in=births).values_list(
                "pk", "id_number", "name", "birth_date"
            )
            for pk, number, name, born in person_rows.iterator(chunk_size=5000):
                by_name_birth[(name, born)].append(Candidate(pk, number, name, born))
        orgs = sorted({case.organization_id for case in named})
        by_name_org: dict[tuple[str, int], list[Candidate]] = defaultdict(list)
        staff = (
            Assignment.objects.filter(organization_id__in=orgs, person__name__in=names)
            .values_list("organization_id", "person_id", "person__id_number", "person__name", "person__birth_date")
            .distinct()
        )
        for org, pk, number, name, born in staff.iterator(chunk_size=5000):
            by_name_org[(name, org)].append(Candidate(pk, number, name, born))
        for case in named:
            said = birth_date_of(case.id_number)
            same_birth = by_name_birth.get((case.name, said), []) if said is not None else []
            for candidate in [*same_birth, *by_name_org.get((case.name, case.organization_id), ())]:
                pairs[case.key][candidate.person_id] = candidate

    # The employer comparison: was the candidate ever assigned at the case's employer by the day it happened?
    persons = sorted({pk for found in pairs.values() for pk in found})
    orgs = sorted({case.organization_id for case in pending})
    employed: dict[tuple[int, int], dt.date] = {}
    for chunk in _chunks(persons, LOOKUP_CHUNK):
        posts = Assignment.objects.filter(person_id__in=chunk, organization_id__in=orgs).values_list(
            "person_id", "organization_id", "start_date"
        )
        for pk, org, start in posts:
            key = (pk, org)
            employed[key] = min(start, employed.get(key, start))
    for case in pending:
        scored = []
        for pk, candidate in pairs.get(case.key, {}).items():
            began = employed.get((pk, case.organization_id))
            at_work = began is not None and began <= case.occurred_on
            scored.append((pk, score(case, candidate, at_work, weights)))
        results[case.key] = decide(scored, weights)
    return results
