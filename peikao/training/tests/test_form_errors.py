"""A refused action shows on its form in the page's language only, beside the field it concerns."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from peikao.registry.models import OperationItem

pytestmark = pytest.mark.django_db


def _open_class(client, school) -> None:
    client.force_login(school["clerk"])
    response = client.post("/training/classes/new/", {
        "class_code": "FE-1", "name": "低压电工初训1期", "organization": school["institution"].pk,
        "trainee_category": "special_operator", "training_type": "initial",
        "operation_item": OperationItem.objects.get(code="1.2").pk,
        "syllabus_hours": "1", "start_date": "2026-03-02", "end_date": "2026-03-02",
    })  # fmt: skip
    assert response.status_code == 302


def test_a_refused_lesson_says_why_in_chinese_beside_the_teacher_field(client, school):
    with time_machine.travel(dt.datetime(2026, 2, 20, 2, tzinfo=dt.UTC)):
        _open_class(client, school)
        response = client.post("/training/classes/FE-1/lessons/new/", {
            "lesson_code": "FE-1-L1", "mode": "theory", "starts_at": "2026-03-02T09:00",
            "ends_at": "2026-03-02T09:45", "teacher": "", "venue": "一号教室",
        })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "needs its teacher" not in page and " / " not in page
    teacher_errors = re.search(r'<ul class="errorlist" id="id_teacher_error">(.*?)</ul>', page, re.S)
    assert teacher_errors and "教师" in teacher_errors.group(1), page
    assert 'class="errorlist nonfield"' not in page


def test_a_refusal_without_a_field_is_one_chinese_sentence_at_the_top_of_the_form(client, school):
    with time_machine.travel(dt.datetime(2026, 2, 20, 2, tzinfo=dt.UTC)):
        _open_class(client, school)
        response = client.post("/training/classes/FE-1/lessons/new/", {
            "lesson_code": "FE-1-L1", "mode": "theory", "starts_at": "2026-03-02T10:00",
            "ends_at": "2026-03-02T09:45", "teacher": school["teacher"].pk, "venue": "一号教室",
        })  # fmt: skip
    page = response.content.decode()
    nonfield = re.search(r'<ul class="errorlist nonfield">(.*?)</ul>', page, re.S)
    assert nonfield and "结束" in nonfield.group(1) and "ends after" not in page and " / " not in nonfield.group(1)
