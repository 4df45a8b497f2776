"""Answer keys belong to the authority that owns the question banks (the provincial exam administration) and to no
one else: the platform grades the papers. One rule (``selectors.owns_banks``) for the export, the import, the
editing of a question, the answers given in results, and every API route."""

from __future__ import annotations

import io

import pytest

from peikao.core.choices import Role
from peikao.core.errors import PermissionDenied
from peikao.core.exchange.runner import run_export
from peikao.core.models import Region
from peikao.core.services import api_token_create
from peikao.exams import selectors, services
from peikao.exams.models import Question
from peikao.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

BANK_CSV = "question_code,operation_item,qtype,stem,option_a,option_b,answer\nK-1,1.2,single,新的题目,甲,乙,A\n"


@pytest.fixture
def city_admin(db):
    """A regulator's administrator below the province: manages what its city does, does not own the banks."""
    return UserFactory(username="fz-adm", role=Role.REGULATOR_ADMIN, region=Region.objects.get(code="350100"))


def test_only_the_province_or_the_nation_owns_the_banks(exam_world, city_admin):
    assert selectors.owns_banks(exam_world["admin"])  # 福建's administrator
    assert selectors.owns_banks(None)  # the system, from a command
    for user in (city_admin, exam_world["regulator"], exam_world["staff"]):
        assert not selectors.owns_banks(user)
        assert selectors.may_see_banks(user)  # the bank page, without the key
    with pytest.raises(PermissionDenied) as raised:
        run_export(kind_name="questions", target=io.BytesIO(), filename="q.csv", user=exam_world["regulator"])
    assert raised.value.code == "bank_owner_only"


def test_a_bank_is_imported_only_by_its_owner_and_a_refusal_writes_nothing(client, exam_world, city_admin):
    before = Question.objects.count()
    _token, raw = api_token_create(user=city_admin, name="t")
    upload = io.BytesIO(BANK_CSV.encode())
    upload.name = "bank.csv"
    response = client.post("/api/imports/questions", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403 and response.json()["code"] == "bank_owner_only"
    assert response.json()["message_zh"] and response.json()["message_en"]
    assert Question.objects.count() == before

    _token, raw = api_token_create(user=exam_world["admin"], name="t")
    upload = io.BytesIO(BANK_CSV.encode())
    upload.name = "bank.csv"
    response = client.post("/api/imports/questions", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["imported"] == 1


def test_a_question_and_its_answer_are_edited_only_by_the_owner(exam_world, city_admin):
    question = Question.objects.order_by("pk").first()
    with pytest.raises(PermissionDenied):
        services.question_edit(
            actor=city_admin, question=question, stem=question.stem, options=question.options, answer="T"
        )
    edited = services.question_edit(
        actor=exam_world["admin"], question=question, stem="改过", options=question.options, answer=question.answer
    )
    assert edited.stem == "改过"


def test_no_api_route_answers_with_a_key(client):
    """The API's schemas: the only answer a route returns is the candidate's own, on the candidate's own paper
    (what the sitting needs); no question list, bank or result carries a key or an explanation."""
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    carrying = {
        (name, field)
        for name, schema in schemas.items()
        for field in schema.get("properties", {})
        if field in {"answer", "answers", "answer_key", "correct", "explanation"}
    }
    # An alert's explanation is the detector's sentence about the evidence (oversight), not a question's.
    alerts = {("AlertOut", "explanation"), ("AlertDetailOut", "explanation")}
    assert carrying <= {("PaperQuestionOut", "answer"), ("AnswerIn", "answer"), *alerts}, carrying


def test_an_exam_point_exports_results_without_the_answers_and_its_reimport_keeps_them(exam_world, tmp_path):
    """A full score's answers are the key: the exam point's results file leaves them out, and importing that
    file back does not erase the answers recorded."""
    import datetime as dt

    from peikao.core.exchange.runner import run_import
    from peikao.exams.models import Result
    from peikao.testing.exams import sitting_at

    point_admin = UserFactory(username="ep-adm", role=Role.ORG_ADMIN, organization=exam_world["point"])
    sitting = sitting_at(exam_world)
    services.staff_assign(actor=exam_world["staff"], sitting=sitting, person=exam_world["proctor"], role="proctor")
    registration = services.register(actor=exam_world["staff"], sitting=sitting, person=exam_world["candidates"][0])
    key = {q.question_code: q.answer for q in Question.objects.all()[:5]}
    Result.objects.create(registration=registration, score=100, passed=True, status="valid", answers=key,
                          submitted_at=sitting.starts_at + dt.timedelta(minutes=50))  # fmt: skip
    path = tmp_path / "results.csv"
    with open(path, "wb") as fh:
        assert run_export(kind_name="results", target=fh, filename=path.name, user=point_admin) == 1
    text = path.read_text(encoding="utf-8-sig")
    assert registration.person.id_number in text
    assert not any(f"{code}=" in text for code in key)
    again = run_import(kind_name="results", source=path, filename=path.name, user=point_admin)
    assert again.ok and again.counts.updated == 0, again.problems
    assert Result.objects.get(registration=registration).answers == key
    with open(path, "wb") as fh:
        run_export(kind_name="results", target=fh, filename=path.name, user=exam_world["admin"])
    assert all(f"{code}={answer}" in path.read_text(encoding="utf-8-sig") for code, answer in key.items())
