"""Injury linkage (issue 18, ADR 0010), hand-built cases: exact on a valid number; one typing error (transposition,
one wrong digit, wrong check character) linked with its weight; near-identical twins never merged; the unlinkable
counted; and injuries.csv all-or-nothing with a mistyped number imported, not rejected."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from peikao.core.exchange.runner import run_import
from peikao.core.models import ChangeLog
from peikao.core.privacy import mask_id_number
from peikao.core.validators import id_check_char
from peikao.oversight.injuries import linkage, services
from peikao.oversight.injuries.models import InjuryCase, InjuryCaseEvent
from peikao.registry.models import Person
from peikao.testing.factories import AssignmentFactory, OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
HEADER = "case_no,id_number,org_code,dispatched_by,occurred_on,operation_item,severity,name\n"
DAY = dt.date(2025, 6, 1)


def valid(first17: str) -> str:
    return first17 + id_check_char(first17)


def swap(number: str, i: int) -> str:
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def replace(number: str, i: int, digit: str) -> str:
    return number[:i] + digit + number[i + 1 :]


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def person(first17: str, name: str) -> Person:
    number = valid(first17)
    return PersonFactory(id_number=number, name=name)


def _import(text: str, **kwargs):
    return run_import(kind_name="injuries", source=io.BytesIO(text.encode("utf-8")), filename="i.csv", **kwargs)


def _case(case_no: str) -> InjuryCase:
    return InjuryCase.objects.get(case_no=case_no)


@pytest.fixture
def world(db):
    employer = OrganizationFactory()
    other = OrganizationFactory()
    wang = person("35010219850312401", "王建国")
    AssignmentFactory(person=wang, organization=employer, start_date=dt.date(2020, 1, 1))
    return employer, other, wang


def test_exact_on_a_valid_number_links_without_weight(world):
    employer, _other, wang = world
    result = _import(HEADER + f"GS1,{wang.id_number},{employer.org_code},,2025-06-01,,serious,\n")
    assert result.ok, result.problems
    case = _case("GS1")
    assert (case.link_status, case.person_id, case.match_weight) == ("exact", wang.pk, None)


@pytest.mark.parametrize(
    ("typo", "level"),
    [
        (lambda n: swap(n, 10), "transposition"),  # month digits swapped: 03 → 30
        (lambda n: replace(n, 15, "9" if n[15] != "9" else "8"), "one_digit"),
        (wrong_check, "check_digit"),
    ],
)
def test_one_typing_error_links_automatically_with_its_weight(world, typo, level):
    employer, _other, wang = world
    given = typo(wang.id_number)
    assert given != wang.id_number and not linkage.is_valid(given)
    assert linkage.id_level(given, wang.id_number) == level
    result = _import(HEADER + f"GS2,{given},{employer.org_code},,2025-06-01,,minor,王建国\n")
    assert result.ok, result.problems  # a mistyped number is not a bad row
    case = _case("GS2")
    assert case.id_number == given  # kept as given
    assert (case.link_status, case.person_id) == ("automatic", wang.pk)
    weights = linkage.weights_on(DAY)
    # One typing error away: the birth date is part of the number, not compared again.
    expected = weights[("id_number", level)] + weights[("name", "same")] + weights[("employer", "same")]
    assert case.match_weight == expected


def test_one_digit_without_name_or_employer_goes_to_review_not_linked(world):
    _employer, other, wang = world
    given = replace(wang.id_number, 16, "7" if wang.id_number[16] != "7" else "5")
    _import(HEADER + f"GS3,{given},{other.org_code},,2025-06-01,,minor,\n")
    case = _case("GS3")
    # 10 (one digit) − 2 (not employed there) = 8: between review (5) and auto (14).
    assert (case.link_status, case.person_id, str(case.match_weight)) == ("review", wang.pk, "8.00")


def test_near_identical_twins_are_never_merged():
    """Twins: the same name, the same birth date, numbers one digit apart (sequence digit, hence also the check
    character), at different employers. A number mistyped between them is decided by the employer or by a clerk."""
    first, second = OrganizationFactory(), OrganizationFactory()
    body = "35010219900505123"
    twin_a = person(body, "林志强")
    twin_b = person(body[:16] + "5", "林志强")
    assert twin_a.id_number[:16] == twin_b.id_number[:16] and twin_a.id_number != twin_b.id_number
    AssignmentFactory(person=twin_a, organization=first, start_date=dt.date(2019, 1, 1))
    AssignmentFactory(person=twin_b, organization=second, start_date=dt.date(2019, 1, 1))
    # B's first 17 digits with A's check character: a wrong check character for B, one wrong digit for A.
    between = twin_b.id_number[:17] + twin_a.id_number[17]
    assert linkage.id_level(between, twin_b.id_number) == "check_digit"
    assert linkage.id_level(between, twin_a.id_number) == "one_digit"
    text = HEADER + (
        f"T1,{twin_a.id_number},{first.org_code},,2025-06-01,,minor,林志强\n"  # exact: A
        f"T2,{twin_b.id_number},{second.org_code},,2025-06-01,,minor,林志强\n"  # exact: B
        f"T3,{between},{first.org_code},,2025-06-01,,minor,林志强\n"  # between them, at A's employer
        f"T4,{between},{second.org_code},,2025-06-01,,minor,林志强\n"  # between them, at B's employer
        f"T5,{between},{OrganizationFactory().org_code},,2025-06-01,,minor,林志强\n"  # at neither
    )
    assert _import(text).ok
    assert (_case("T1").person_id, _case("T1").link_status) == (twin_a.pk, "exact")
    assert (_case("T2").person_id, _case("T2").link_status) == (twin_b.pk, "exact")
    # The employer tells them apart by the margin: A 10+5+4 = 19 against B 12+5−2 = 15 (T3);
    # B 12+5+4 = 21 against A 10+5−2 = 13 (T4) — never the twin at the other employer.
    t3, t4, t5 = _case("T3"), _case("T4"), _case("T5")
    assert (t3.link_status, t3.person_id, str(t3.match_weight)) == ("automatic", twin_a.pk, "19.00")
    assert (t4.link_status, t4.person_id, str(t4.match_weight)) == ("automatic", twin_b.pk, "21.00")
    # Nothing tells them apart (B 12+5−2 = 15, A 10+5−2 = 13: within the margin 4): a clerk decides.
    assert t5.link_status == "review"
    # Two persons remain two persons.
    assert Person.objects.filter(pk__in=[twin_a.pk, twin_b.pk]).count() == 2


def test_unlinkable_cases_are_imported_and_counted(world):
    employer, _other, wang = world
    text = HEADER + (
        f"U1,{valid('35010219770101999')},{employer.org_code},,2025-06-01,,minor,\n"  # valid, nobody has it
        f"U2,12345,{employer.org_code},,2025-06-01,,death,\n"  # not even a number's shape
        f"U3,{swap(swap(wang.id_number, 2), 12)},{employer.org_code},,2025-06-01,,minor,\n"  # two errors, no name
    )
    result = _import(text)
    assert result.ok, result.problems
    assert set(InjuryCase.objects.values_list("link_status", flat=True)) == {"unlinked"}
    assert InjuryCase.objects.filter(person__isnull=True).count() == 3


def test_a_bad_row_rejects_the_whole_file(world):
    employer, _other, wang = world
    text = HEADER + (
        f"B1,{wang.id_number},{employer.org_code},,2025-06-01,,minor,\n"
        f"B2,{wang.id_number},NO-SUCH-ORG,,2025-06-01,,minor,\n"
        f"B3,{wang.id_number},{employer.org_code},,2099-01-01,,bruised,\n"
    )
    result = _import(text)
    assert not result.ok
    assert {(p.row, p.column) for p in result.problems} >= {(3, "org_code"), (4, "occurred_on"), (4, "severity")}
    assert not InjuryCase.objects.exists()


def test_reimport_changes_nothing_and_keeps_a_clerks_decision(world):
    employer, other, wang = world
    given = replace(wang.id_number, 16, "7" if wang.id_number[16] != "7" else "5")
    text = HEADER + f"R1,{given},{other.org_code},,2025-06-01,,minor,\n"
    _import(text)
    clerk = UserFactory(role="inspector", region_id="350100")
    services.injury_link_accept(actor=clerk, case=_case("R1"), reason="同一人，换过单位")
    again = _import(text)
    assert again.ok and again.counts.unchanged == 1 and again.counts.updated == 0
    case = _case("R1")
    assert (case.link_status, case.person_id) == ("confirmed", wang.pk)
    event = InjuryCaseEvent.objects.get(case=case)
    assert (event.transition, event.old_status, event.new_status, event.person_id) == (
        "accept",
        "review",
        "confirmed",
        wang.pk,
    )
    assert ChangeLog.objects.filter(content_type__model="injurycase", object_id=str(case.pk)).exists()


def test_relink_after_the_person_is_registered(world):
    """A case unlinked because the person was not registered yet links once the person is (manage.py injury_link)."""
    from django.core.management import call_command

    employer, _other, _wang = world
    newcomer_number = valid("35010219920808123")
    _import(HEADER + f"N1,{newcomer_number},{employer.org_code},,2025-06-01,,minor,\n")
    assert _case("N1").link_status == "unlinked"
    newcomer = PersonFactory(id_number=newcomer_number, name="郑新")
    out = io.StringIO()
    call_command("injury_link", "--region", "350100", stdout=out)
    assert (_case("N1").link_status, _case("N1").person_id) == ("exact", newcomer.pk)
    assert "exact 1" in out.getvalue() and "changed 1" in out.getvalue()


def test_the_export_shows_full_numbers_only_to_who_may_see_them_and_logs_them(world):
    """injuries.csv out: the number as given and the linked person's, both logged (the person's pk where there is
    one); a regulator without the right to full numbers (analyst) is refused."""
    from peikao.core.errors import PermissionDenied
    from peikao.core.exchange.runner import run_export
    from peikao.core.models import IdNumberView

    employer, _other, wang = world
    typed = swap(wang.id_number, 10)
    stranger = valid("35010219770101999")
    _import(
        HEADER
        + f"E1,{wang.id_number},{employer.org_code},,2025-06-01,,minor,\n"
        + f"E2,{typed},{employer.org_code},,2025-06-01,,minor,王建国\n"
        + f"E3,{stranger},{employer.org_code},,2025-06-01,,minor,\n"
    )
    inspector = UserFactory(role="inspector", region_id="350100")
    out = io.BytesIO()
    assert run_export(kind_name="injuries", target=out, filename="injuries.csv", user=inspector) == 3
    rows = {row["case_no"]: row for row in csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig")))}
    assert [(rows[c]["id_number"], rows[c]["linked_id_number"], rows[c]["link_status"]) for c in rows] == [
        (wang.id_number, wang.id_number, "exact"),
        (typed, wang.id_number, "automatic"),
        (stranger, "", "unlinked"),
    ]
    logged = IdNumberView.objects.filter(user=inspector, purpose="export:injuries")
    # E1: the person's number (the same as given); E2: the person's and the one given; E3: the one given, nobody's.
    assert sorted((v.person_id or 0, v.masked_id_number) for v in logged) == sorted(
        [(wang.pk, mask_id_number(wang.id_number))] * 2
        + [(wang.pk, mask_id_number(typed)), (0, mask_id_number(stranger))]
    )
    analyst = UserFactory(role="analyst", region_id="350100")
    with pytest.raises(PermissionDenied):
        run_export(kind_name="injuries", target=io.BytesIO(), filename="injuries.csv", user=analyst)
    assert not IdNumberView.objects.filter(user=analyst).exists()


def test_an_import_does_not_overwrite_a_case_outside_the_importers_jurisdiction(world):
    employer, _other, wang = world
    _import(HEADER + f"J1,{wang.id_number},{employer.org_code},,2025-06-01,,minor,\n")
    xiamen_works = OrganizationFactory(region_id="350203")
    xiamen_admin = UserFactory(role="regulator_admin", region_id="350200")
    result = _import(HEADER + f"J1,{wang.id_number},{xiamen_works.org_code},,2025-06-01,,death,\n", user=xiamen_admin)
    assert not result.ok
    assert [(p.row, p.column, p.code) for p in result.problems] == [(2, "case_no", "outside_jurisdiction")]
    assert (_case("J1").organization_id, _case("J1").severity) == (employer.pk, "minor")
    # Inside the jurisdiction the same file corrects the case.
    fuzhou_admin = UserFactory(role="regulator_admin", region_id="350100")
    assert _import(HEADER + f"J1,{wang.id_number},{employer.org_code},,2025-06-01,,serious,\n", user=fuzhou_admin).ok
    assert _case("J1").severity == "serious"
