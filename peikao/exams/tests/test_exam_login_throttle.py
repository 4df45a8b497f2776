"""The candidates' exam login is throttled like any login (issue 13, item 6): wrong admission codes lock the ID
number (and an address trying many numbers), with a Chinese reason, on the API and on the exam page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from axes.models import AccessAttempt

from peikao.exams import services
from peikao.testing.exams import sitting_at

pytestmark = pytest.mark.django_db
LOCKED = "登录失败次数过多"


@pytest.fixture
def open_sitting(exam_world):
    sitting = sitting_at(exam_world, "S-T")
    services.staff_assign(actor=exam_world["staff"], sitting=sitting, person=exam_world["proctor"], role="proctor")
    registrations = [services.register(actor=exam_world["staff"], sitting=sitting, person=p) for p in
                     exam_world["candidates"][:2]]  # fmt: skip
    services.sitting_open(actor=exam_world["staff"], sitting=sitting)
    with time_machine.travel(sitting.starts_at + dt.timedelta(minutes=5)):
        yield registrations


def _session(client, id_number, code, address="198.51.100.7"):
    return client.post(
        "/api/exam/session",
        json.dumps({"id_number": id_number, "admission_code": code}),
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_thirty_wrong_admission_codes_lock_the_number_even_for_the_right_code(client, open_sitting):
    registration = open_sitting[0]
    number = registration.person.id_number
    statuses = [_session(client, number, f"{n:08d}", address=f"203.0.113.{n}").status_code for n in range(30)]
    assert statuses == [400] * 9 + [429] * 21
    locked = _session(client, number, registration.admission_code, address="192.0.2.1")
    assert locked.status_code == 429 and "token" not in locked.json()
    body = locked.json()
    assert (
        body["code"] == "login_locked"
        and LOCKED in body["message_zh"] == body["message"]
        and "Too many failed logins" in body["message_en"]
    )
    # The number is kept masked; the other candidate logs in.
    assert {name[:23] for name in AccessAttempt.objects.values_list("username", flat=True)} == {
        "exam:" + registration.person.masked_id_number
    }
    assert number not in "".join(AccessAttempt.objects.values_list("username", "post_data", "get_data").first())
    other = open_sitting[1]
    assert _session(client, other.person.id_number, other.admission_code).status_code == 200


def test_an_address_trying_many_numbers_is_locked(client, open_sitting, settings):
    settings.PEIKAO = {**settings.PEIKAO, "LOGIN_ADDRESS_FAILURE_LIMIT": 20}
    statuses = [_session(client, f"11010519491231{n:03d}X", "12345678").status_code for n in range(20)]
    assert statuses == [400] * 19 + [429]
    registration = open_sitting[0]
    assert _session(client, registration.person.id_number, registration.admission_code).status_code == 429


def test_the_exam_page_login_is_throttled_too(client, open_sitting):
    registration = open_sitting[0]
    form = {"id_number": registration.person.id_number}
    for n in range(9):
        page = client.post("/exam/login/", {**form, "admission_code": f"{n:08d}"})
        assert page.status_code == 200 and "不匹配" in page.content.decode()
    locked = client.post("/exam/login/", {**form, "admission_code": "99999999"})
    assert locked.status_code == 429 and LOCKED in locked.content.decode()
    right = client.post("/exam/login/", {**form, "admission_code": registration.admission_code})
    assert right.status_code == 429 and "exam_registration" not in client.session
    assert "admission_code" not in "".join(AccessAttempt.objects.values_list("post_data", flat=True)).replace(
        "admission_code=********************", ""
    )


def test_odd_characters_in_the_number_are_a_4xx_not_a_500(client, open_sitting):
    for number in ("3501\u00000219900101123X", "'; DROP TABLE x; --", "", "x" * 300):
        assert _session(client, number, "12345678").status_code in {400, 422}
