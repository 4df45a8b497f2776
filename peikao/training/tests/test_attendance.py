"""Attendance from devices (API) and from files: authentication, idempotency, validation, order of arrival."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine

from peikao.core.exchange.runner import run_export, run_import
from peikao.testing.factories import at
from peikao.training import services
from peikao.training.models import AttendanceEvent, CreditedHours
from peikao.training.tests.conftest import specops_data

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


@pytest.fixture
def running(school):
    training_class = services.class_create(
        actor=school["clerk"], organization=school["institution"], data=specops_data(syllabus="2")
    )
    for code, start, end in (("L-AM", "09:00", "09:45"), ("L-PM", "14:00", "14:45")):
        services.lesson_create(
            actor=school["clerk"], training_class=training_class, lesson_code=code, mode="theory",
            starts_at=at(DAY, start), ends_at=at(DAY, end), teacher=school["teacher"],
        )  # fmt: skip
    for person in school["trainees"][:2]:
        services.enrolment_add(actor=school["clerk"], training_class=training_class, person=person)
    device, key = services.device_register(
        actor=school["admin"], organization=school["institution"], device_code="FACE-01", kind="face"
    )
    return {"class": training_class, "device": device, "key": key, **school}


def post(client, key, payload):
    return client.post(
        "/api/attendance/batches", data=json.dumps(payload), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )  # fmt: skip


def event(person, lesson, kind, hhmm):
    return {"lesson_code": lesson, "id_number": person.id_number, "event": kind, "at": f"{DAY}T{hhmm}:00"}


@time_machine.travel(NOW)
def test_a_device_batch_is_taken_once_and_reports_rejected_events(client, running):
    first, second = running["trainees"][:2]
    stranger = running["trainees"][2]  # not enrolled
    payload = {
        "batch_id": "FACE-01-0001",
        "events": [
            event(first, "L-AM", "in", "08:58"),
            event(first, "L-AM", "out", "09:46"),
            event(stranger, "L-AM", "in", "09:00"),
            event(second, "NO-SUCH", "in", "09:00"),
            {**event(second, "L-AM", "in", "09:00"), "at": "2026-03-03T09:00:00"},  # not the lesson's day
            {**event(second, "L-AM", "in", "09:00"), "event": "enter"},
        ],
    }
    response = post(client, running["key"], payload)
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 0, 4)
    assert {(r["index"], r["field"]) for r in body["report"]} == {
        (2, "id_number"),
        (3, "lesson_code"),
        (4, "at"),
        (5, "event"),
    }
    assert all(r["reason_zh"] and r["reason_en"] for r in body["report"])
    again = post(client, running["key"], payload)
    assert again.json() == body and AttendanceEvent.objects.count() == 2
    # The same events in a new batch are duplicates, not new facts.
    repeat = post(client, running["key"], {**payload, "batch_id": "FACE-01-0002"}).json()
    assert (repeat["accepted"], repeat["duplicates"]) == (0, 2)
    assert AttendanceEvent.objects.filter(source="face", device_code="FACE-01").count() == 2


@time_machine.travel(NOW)
def test_late_batches_in_any_order_give_the_same_hours(client, running):
    first = running["trainees"][0]
    post(client, running["key"], {"batch_id": "b2", "events": [event(first, "L-AM", "out", "09:45")]})
    post(client, running["key"], {"batch_id": "b1", "events": [event(first, "L-AM", "in", "09:00")]})
    services.refresh_hours([running["class"].pk])
    credited = CreditedHours.objects.get(enrolment__person=first)
    assert credited.offline_seconds == 2700 and credited.credited_tenths == 10


@time_machine.travel(NOW)
def test_devices_authenticate_with_their_own_key_and_see_only_their_lessons(client, running, django_user_model):
    from peikao.core.services import api_token_create
    from peikao.testing.factories import OrganizationFactory

    payload = {"batch_id": "x", "events": [event(running["trainees"][0], "L-AM", "in", "09:00")]}
    assert post(client, "dv_wrong", payload).status_code == 401
    _token, user_key = api_token_create(user=running["admin"], name="t")
    assert post(client, user_key, payload).status_code == 401  # a user's token is not a device
    other, other_key = services.device_register(
        actor=running["admin"], organization=running["institution"], device_code="FACE-02", kind="face"
    )
    other.organization = OrganizationFactory(kind="training_institution")
    other.save()
    body = post(client, other_key, payload).json()
    assert body["rejected"] == 1 and body["report"][0]["field"] == "lesson_code"


@time_machine.travel(NOW)
def test_a_withdrawn_device_key_stops_working_at_once(client, running):
    from peikao.core.errors import Conflict, PermissionDenied
    from peikao.core.models import ChangeLog
    from peikao.testing.factories import OrganizationFactory, UserFactory

    payload = {"batch_id": "w-1", "events": [event(running["trainees"][0], "L-AM", "in", "09:00")]}
    assert post(client, running["key"], payload).status_code == 200
    stranger = UserFactory(role="org_admin", organization=OrganizationFactory(kind="training_institution"))
    with pytest.raises(PermissionDenied):
        services.device_deactivate(actor=stranger, device=running["device"])
    client.force_login(running["admin"])
    page = client.post("/training/devices/FACE-01/deactivate/", follow=True).content.decode()
    assert "FACE-01" in page and "已撤销" in page
    running["device"].refresh_from_db()
    assert not running["device"].is_active
    change = ChangeLog.objects.filter(object_id=str(running["device"].pk), action="update").get()
    assert change.before["is_active"] is True and change.after["is_active"] is False
    client.logout()
    assert post(client, running["key"], {**payload, "batch_id": "w-2"}).status_code == 401
    with pytest.raises(Conflict):
        services.device_deactivate(actor=running["admin"], device=running["device"])


@time_machine.travel(NOW)
def test_events_in_the_future_are_refused(client, running):
    late = {**event(running["trainees"][0], "L-PM", "in", "14:00")}  # 14:00 Beijing is 06:00 UTC < 12:00 UTC
    early = {**event(running["trainees"][0], "L-PM", "out", "23:30")}  # 15:30 UTC, in the future
    body = post(client, running["key"], {"batch_id": "f", "events": [late, early]}).json()
    assert body["accepted"] == 1 and body["report"][0]["field"] == "at"


def csv_file(rows):
    text = "lesson_code,id_number,event,at,source,device_id\n" + "".join(",".join(r) + "\n" for r in rows)
    return io.BytesIO(text.encode())


@time_machine.travel(NOW)
def test_attendance_file_import_is_all_or_nothing_and_idempotent(running):
    first, second = running["trainees"][:2]
    rows = [
        ["L-AM", first.id_number, "in", "2026-03-02T09:00:00", "card", "C-1"],
        ["L-AM", first.id_number, "out", "2026-03-02 09:45:00", "card", "C-1"],
        ["L-AM", second.id_number, "in", "2026-03-02T09:10:00+08:00", "card", ""],
    ]
    bad = rows + [["L-AM", running["trainees"][2].id_number, "in", "2026-03-02T09:00:00", "card", ""]]
    rejected = run_import(kind_name="attendance", source=csv_file(bad), filename="a.csv")
    assert rejected.status == "rejected" and [p.row for p in rejected.problems] == [5]
    assert not AttendanceEvent.objects.exists()
    ok = run_import(kind_name="attendance", source=csv_file(rows + rows[:1]), filename="a.csv")
    assert ok.summary == "imported 3, updated 0, unchanged 1, rejected 0"
    assert AttendanceEvent.objects.filter(import_run=ok.run).count() == 3
    again = run_import(kind_name="attendance", source=csv_file(rows), filename="a.csv")
    assert again.summary == "imported 0, updated 0, unchanged 3, rejected 0"


@time_machine.travel(NOW)
def test_class_hours_export_computes_and_reimport_of_attendance_is_unchanged(running, tmp_path):
    first = running["trainees"][0]
    run_import(
        kind_name="attendance",
        source=csv_file([["L-AM", first.id_number, "in", "2026-03-02T09:00:00", "face", ""],
                         ["L-AM", first.id_number, "out", "2026-03-02T09:45:00", "face", ""],
                         ["L-PM", first.id_number, "in", "2026-03-02T14:00:00", "face", ""],
                         ["L-PM", first.id_number, "out", "2026-03-02T14:45:00", "face", ""]]),
        filename="a.csv",
    )  # fmt: skip
    path = tmp_path / "class_hours.csv"
    with open(path, "wb") as fh:
        run_export(kind_name="class_hours", target=fh, filename=path.name)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "class_code,id_number,credited_hours,required_hours,completed"
    assert f"SO-2026-001,{first.id_number},2.0,2.0,true" in lines
    assert f"SO-2026-001,{running['trainees'][1].id_number},0.0,2.0,false" in lines
    attendance = tmp_path / "attendance.csv"
    with open(attendance, "wb") as fh:
        run_export(kind_name="attendance", target=fh, filename=attendance.name)
    assert run_import(kind_name="attendance", source=attendance, filename="attendance.csv").summary.startswith(
        "imported 0, updated 0, unchanged 4"
    )
