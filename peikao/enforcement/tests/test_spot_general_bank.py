"""A spot exam never ends "无题库" for want of an item's bank: a special operator whose operation item has no
bank answers the general bank of employees, and the paper says so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peikao.core.models import Region
from peikao.enforcement import rules, services
from peikao.enforcement.choices import SpotExamStatus
from peikao.exams.models import Question
from peikao.exams.rules import fingerprint
from peikao.registry.models import OperationItem
from peikao.testing.exams import make_bank
from peikao.testing.factories import AssignmentFactory, OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def general_bank(category: str, count: int = 12) -> None:
    stems = [f"{category} 通用题 {n}" for n in range(count)]
    Question.objects.bulk_create(
        Question(question_code=f"G-{category}-{n}", trainee_category=category, qtype="judge", stem=stem, options=[],
                 answer="T", fingerprint=fingerprint(stem, []))
        for n, stem in enumerate(stems)
    )  # fmt: skip


@pytest.fixture
def works(db):
    gulou = Region.objects.get(code="350102")
    works = OrganizationFactory(kind="enterprise", region=gulou)
    welder = PersonFactory(name="焊工甲")
    AssignmentFactory(
        person=welder, organization=works, role="special_operator",
        operation_item=OperationItem.objects.get(code="9.3"), start_date=dt.date(2024, 1, 1),
    )  # fmt: skip
    electrician = PersonFactory(name="电工乙")
    AssignmentFactory(
        person=electrician, organization=works, role="special_operator",
        operation_item=OperationItem.objects.get(code="1.2"), start_date=dt.date(2024, 1, 1),
    )  # fmt: skip
    inspectors = [UserFactory(username=f"gl-{n}", role="inspector", region=gulou) for n in range(2)]
    inspection = services.inspection_create(
        actor=inspectors[0], organization=works, kind="routine", inspected_on=TODAY, inspectors=inspectors
    )
    services.inspection_start(actor=inspectors[0], inspection=inspection)
    inspection.refresh_from_db()
    return {"inspection": inspection, "welder": welder, "electrician": electrician, "inspector": inspectors[0]}


def test_a_worker_whose_item_has_no_bank_answers_the_general_bank_and_the_paper_says_so(works, client):
    make_bank(OperationItem.objects.get(code="1.2"), judge=12, single=0)
    general_bank("employee")
    drawn = services.spot_draw(actor=works["inspector"], inspection=works["inspection"], count=2, seed=4)
    by_person = {exam.person_id: (exam, raw) for exam, raw in drawn}
    welder, raw = by_person[works["welder"].pk]
    assert welder.status == SpotExamStatus.DRAWN and len(welder.items) == rules.SPOT_QUESTIONS
    assert welder.operation_item.code == "9.3" and welder.trainee_category == "employee"
    asked = Question.objects.filter(pk__in=[item["q"] for item in welder.items])
    assert set(asked.values_list("trainee_category", flat=True)) == {"employee"}
    page = client.get(f"/spot/{raw}/").content.decode()
    assert 'id="spot-general-bank"' in page and "氯化工艺作业" in page and "从业人员" in page
    electrician, raw = by_person[works["electrician"].pk]
    assert electrician.trainee_category == "" and electrician.status == SpotExamStatus.DRAWN
    assert 'id="spot-general-bank"' not in client.get(f"/spot/{raw}/").content.decode()
    client.force_login(works["inspector"])
    detail = client.get(f"/enforcement/inspections/{works['inspection'].code}/").content.decode()
    assert "从业人员" in detail and "无题库" not in detail


def test_without_a_general_bank_either_the_paper_is_still_marked_no_bank(works):
    drawn = services.spot_draw(actor=works["inspector"], inspection=works["inspection"], count=1, seed=1)
    assert [exam.status for exam, _raw in drawn] == [SpotExamStatus.NO_BANK]
