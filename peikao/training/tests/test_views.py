"""The training pages as their users go through them: a clerk files, a regulator accepts, hours show."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import connection

from peikao.training.models import TrainingClass

pytestmark = pytest.mark.django_db


def test_a_class_from_filing_to_sealed_archive(client, school):
    clerk, regulator, admin = school["clerk"], school["regulator"], school["admin"]
    first, second = school["trainees"][:2]
    with time_machine.travel(dt.datetime(2026, 2, 20, 2, tzinfo=dt.UTC)):
        client.force_login(clerk)
        response = client.post("/training/classes/new/", {
            "class_code": "UI-1", "name": "低压电工初训1期", "organization": school["institution"].pk,
            "trainee_category": "special_operator", "training_type": "initial", "operation_item": "",
            "syllabus_hours": "1", "start_date": "2026-03-02", "end_date": "2026-03-02",
        })  # fmt: skip
        assert response.status_code == 200 and "必须指定作业项目" in response.content.decode()
        from peikao.registry.models import OperationItem

        item = OperationItem.objects.get(code="1.2").pk
        response = client.post("/training/classes/new/", {
            "class_code": "UI-1", "name": "低压电工初训1期", "organization": school["institution"].pk,
            "trainee_category": "special_operator", "training_type": "initial", "operation_item": item,
            "syllabus_hours": "1", "start_date": "2026-03-02", "end_date": "2026-03-02",
        })  # fmt: skip
        assert response.status_code == 302
        client.post("/training/classes/UI-1/lessons/new/", {
            "lesson_code": "UI-1-L1", "mode": "theory", "starts_at": "2026-03-02T09:00", "ends_at": "2026-03-02T09:45",
            "teacher": school["teacher"].pk, "venue": "一号教室",
        })  # fmt: skip
        client.post(
            "/training/classes/UI-1/trainees/",
            {"id_numbers": f"{first.id_number} {first.name}\n{second.id_number}，{second.name}"},
        )
        client.post("/training/classes/UI-1/do/file/")
        assert TrainingClass.objects.get(class_code="UI-1").status == "filed"
        client.force_login(regulator)
        page = client.get("/training/classes/").content.decode()
        assert "1 份备案待审核" in page or "待审核" in page
        client.post("/training/classes/UI-1/do/accept/")
        assert TrainingClass.objects.get(class_code="UI-1").status == "accepted"
        client.force_login(admin)
        key_page = client.post("/training/devices/", {"device_code": "FACE-9", "kind": "face", "name": "大门"}).content
        key = key_page.decode().split('id="device-key">')[1].split("<")[0]
    with time_machine.travel(dt.datetime(2026, 3, 2, 6, tzinfo=dt.UTC)):
        events = [
            {"lesson_code": "UI-1-L1", "id_number": first.id_number, "event": "in", "at": "2026-03-02T08:57:00"},
            {"lesson_code": "UI-1-L1", "id_number": first.id_number, "event": "out", "at": "2026-03-02T09:46:00"},
            {"lesson_code": "UI-1-L1", "id_number": second.id_number, "event": "in", "at": "2026-03-02T09:20:00"},
            {"lesson_code": "UI-1-L1", "id_number": second.id_number, "event": "out", "at": "2026-03-02T09:45:00"},
        ]
        response = client.post(
            "/api/attendance/batches", data=json.dumps({"batch_id": "1", "events": events}),
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}",
        )  # fmt: skip
        assert response.json()["accepted"] == 4
        client.force_login(clerk)
        page = client.get("/training/classes/UI-1/").content.decode()
        assert "1 名学员学时不足" in page or "学时不足" in page
        trainee = client.get(f"/training/classes/UI-1/trainees/{second.pk}/").content.decode()
        assert "25.0" in trainee and "09:20:00–09:45:00" in trainee  # the counted interval, the evidence
        client.post("/training/classes/UI-1/do/close/")
        assert TrainingClass.objects.get(class_code="UI-1").status == "closed"
        client.force_login(regulator)
        assert "与封存记录一致" in client.get("/training/classes/UI-1/archive/").content.decode()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE training_creditedhours SET completed = TRUE, credited_tenths = 10")
        result = client.get("/training/classes/UI-1/archive/").content.decode()
        assert "与封存记录不一致" in result and "hours" in result
        listing = client.get("/training/archives/?run=1").content.decode()
        assert "UI-1" in listing
