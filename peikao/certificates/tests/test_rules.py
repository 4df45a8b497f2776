"""Validity, review and standing by the rules in force: order No. 30 until 2026-05-31, order No. 19 after."""

from __future__ import annotations

import datetime as dt

import pytest

from peikao.certificates import rules
from peikao.certificates.choices import CertificateType, Standing
from peikao.certificates.models import Certificate
from peikao.testing.certificates import legacy
from peikao.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_rules_come_from_the_domain_file_with_their_basis():
    order_30 = rules.rule_on(CertificateType.SPECIAL_OPERATION, D(2020, 1, 1))
    order_19 = rules.rule_on(CertificateType.SPECIAL_OPERATION, D(2026, 6, 1))
    competency = rules.rule_on(CertificateType.COMPETENCY, D(2026, 6, 1))
    assert (order_30.code, order_30.validity_years, order_30.review_every_years) == ("special_operation_order_30", 6, 3)
    assert order_30.review_may_extend_to_years == 6 and order_30.review_window_days == 60
    assert (order_19.code, order_19.validity_years, order_19.review_every_years) == (
        "special_operation_order_19",
        6,
        None,
    )
    assert (competency.validity_years, competency.review_every_years) == (3, None)
    assert "30" in order_30.basis_title and "19" in order_19.basis_title
    assert rules.reviews_abolished_on() == D(2026, 6, 1)


def test_issue_under_order_30_sets_a_review_after_three_years():
    dates = rules.dates_for_issue(CertificateType.SPECIAL_OPERATION, D(2025, 5, 10))
    assert (dates.valid_from, dates.valid_until, dates.next_review_due) == (
        D(2025, 5, 10),
        D(2031, 5, 9),
        D(2028, 5, 10),
    )
    assert dates.rule.code == "special_operation_order_30"


def test_issue_under_order_19_sets_no_review():
    dates = rules.dates_for_issue(CertificateType.SPECIAL_OPERATION, D(2026, 6, 1))
    assert (dates.valid_until, dates.next_review_due) == (D(2032, 5, 31), None)
    assert dates.rule.code == "special_operation_order_19"


def test_leap_day_issue():
    dates = rules.dates_for_issue(CertificateType.SPECIAL_OPERATION, D(2024, 2, 29))
    assert dates.next_review_due == D(2027, 2, 28) and dates.valid_until == D(2030, 2, 27)


def test_competency_certificates_last_three_years():
    dates = rules.dates_for_issue(CertificateType.COMPETENCY, D(2026, 9, 1))
    assert (dates.valid_until, dates.next_review_due) == (D(2029, 8, 31), None)


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        (D(2026, 3, 1), D(2026, 2, 28), Standing.VALID),  # not due yet
        (D(2026, 3, 1), D(2026, 3, 1), Standing.VALID),  # due today: still valid
        (D(2026, 3, 1), D(2026, 3, 2), Standing.REVIEW_OVERDUE),  # missed under order 30
        (D(2026, 5, 31), D(2026, 6, 2), Standing.REVIEW_OVERDUE),  # the last day of order 30: held, missed
        (D(2026, 6, 1), D(2026, 6, 2), Standing.VALID),  # order 19 in force on the due date: not held
        (D(2027, 3, 1), D(2027, 9, 1), Standing.VALID),  # long after: never overdue
        (None, D(2027, 9, 1), Standing.VALID),
    ],
)
def test_review_overdue_only_where_a_review_is_held(due, today, expected):
    assert rules.standing(status="valid", valid_until=D(2029, 1, 1), next_review_due=due, today=today) == expected


@pytest.mark.parametrize(
    ("status", "valid_until", "expected"),
    [
        ("revoked", D(2030, 1, 1), Standing.REVOKED),
        ("cancelled", D(2030, 1, 1), Standing.CANCELLED),
        ("suspended", D(2020, 1, 1), Standing.SUSPENDED),  # a decision outranks the dates
        ("valid", D(2026, 11, 26), Standing.EXPIRED),
        ("valid", D(2026, 11, 27), Standing.VALID),  # valid through the last day
    ],
)
def test_status_then_dates(status, valid_until, expected):
    today = D(2026, 11, 27)
    assert rules.standing(status=status, valid_until=valid_until, next_review_due=None, today=today) == expected


def test_the_sql_standing_agrees_with_the_python_one():
    today = D(2026, 11, 27)
    cases = [
        {"issued": D(2021, 3, 10)},  # review 2024-03-10 missed → overdue
        {"issued": D(2023, 7, 1)},  # review 2026-07-01 not held → valid
        {"issued": D(2023, 5, 31), "review_due": D(2026, 5, 31)},  # held, missed → overdue
        {"issued": D(2019, 1, 1), "review_due": None},  # expired 2024-12-31
        {"issued": D(2024, 1, 1), "status": "suspended"},
        {"issued": D(2024, 1, 1), "status": "revoked"},
        {"issued": D(2024, 1, 1), "status": "cancelled"},
        {"issued": D(2026, 7, 1), "review_due": None},
    ]
    for case in cases:
        legacy(PersonFactory(), **case)
    annotated = rules.with_standing(Certificate.objects.all(), today)
    computed = {
        c.pk: rules.standing(status=c.status, valid_until=c.valid_until, next_review_due=c.next_review_due, today=today)
        for c in Certificate.objects.all()
    }
    assert {c.pk: c.standing for c in annotated} == computed
    assert sorted(computed.values()) == sorted(
        ["review_overdue", "valid", "review_overdue", "expired", "suspended", "revoked", "cancelled", "valid"]
    )


def test_review_reminders_leave_out_reviews_that_are_not_held():
    held = legacy(PersonFactory(), issued=D(2023, 5, 20))  # due 2026-05-20
    not_held = legacy(PersonFactory(), issued=D(2023, 6, 20))  # due 2026-06-20
    window = Certificate.objects.filter(rules.review_due_q(D(2026, 4, 1), 90))
    assert list(window) == [held]
    assert not_held not in Certificate.objects.filter(rules.review_due_q(D(2026, 6, 1), 90))


def test_expiry_reminders():
    soon = legacy(PersonFactory(), issued=D(2021, 1, 20), review_due=None)  # valid until 2027-01-19
    later = legacy(PersonFactory(), issued=D(2022, 1, 20), review_due=None)
    due = set(Certificate.objects.filter(rules.expiry_due_q(D(2026, 11, 27), 90)))
    assert soon in due and later not in due
