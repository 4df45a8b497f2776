"""The demo province: valid data through the real services, loaded once, its logins printed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from peikao.certificates.models import Certificate
from peikao.certificates.rules import standing
from peikao.core.models import ChangeLog, User
from peikao.core.validators import validate_id_number, validate_uscc
from peikao.registry.models import Organization, Person

pytestmark = pytest.mark.django_db


def test_the_demo_province_is_valid_and_loads_once(capsys):
    call_command("demo", "--scale", "0.2", "--today", "2026-11-27")
    assert User.objects.filter(username__in=["fj-admin", "gl-inspector", "ti-admin", "candidate"]).count() == 4
    assert Organization.objects.filter(kind="exam_point", parent__isnull=False).count() == 8
    assert Organization.objects.filter(kind="enterprise", industry__high_risk=True).exists()
    assert Organization.objects.filter(status="suspended").count() == 1
    for number in Person.objects.values_list("id_number", flat=True):
        validate_id_number(number)
    for code in Organization.objects.exclude(uscc=None).values_list("uscc", flat=True):
        validate_uscc(code)
    assert ChangeLog.objects.filter(actor_label="command:demo", content_type__model="person").exists()
    # Certificates across states, each with the review dates of the rules of its issue date.

    certificates = list(Certificate.objects.all())
    standings = {
        standing(
            status=c.status, valid_until=c.valid_until, next_review_due=c.next_review_due, today=dt.date(2026, 11, 27)
        )
        for c in certificates
    }
    assert {"valid", "review_overdue", "expired", "revoked", "suspended"} <= standings
    issued_under_order_19 = [c for c in certificates if c.first_issued_on >= dt.date(2026, 6, 1)]
    assert issued_under_order_19 and all(c.next_review_due is None for c in issued_under_order_19)
    # The risk grades as the scheduled job leaves them: every supervised organisation graded once.
    from peikao.oversight.grading.models import Grade

    graded = set(Grade.objects.values_list("organization__kind", flat=True))
    assert {"training_institution", "exam_point", "enterprise"} <= graded
    assert Grade.objects.count() == Grade.objects.values("organization").distinct().count()
    call_command("demo", "--if-empty")
    assert "already loaded" in capsys.readouterr().out
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "fj-admin" in out.getvalue() and "Peikao-demo-2026" in out.getvalue()
    assert "监管部门管理员" in out.getvalue() and "regulator_admin" not in out.getvalue()  # roles by name, not code
