"""certificates.csv: legacy certificates enter only this way; every bad row is reported with its reason."""

from __future__ import annotations

import csv
import io

import pytest

from peikao.certificates import publishing, status_list
from peikao.certificates.models import Certificate, CertificateEvent
from peikao.core.exchange.runner import export_response, run_import
from peikao.core.models import ChangeLog
from peikao.core.validators import id_check_char
from peikao.registry.models import Person
from peikao.testing.factories import PersonFactory
from peikao.testing.http import read_download

pytestmark = pytest.mark.django_db
HEADER = "cert_no,cert_type,id_number,name,operation_item,trainee_category,industry,issued_on,valid_until,next_review_due,issuer_region_code,status\n"


def _run(text: str, **kwargs):
    return run_import(kind_name="certificates", source=io.BytesIO(text.encode("utf-8")), filename="c.csv", **kwargs)


@pytest.fixture
def people(db):
    return PersonFactory(name="张三"), PersonFactory(name="李四")


def test_legacy_certificates_with_their_dates_and_states(people):
    a, b = people
    new = "35010219900101123" + id_check_char("35010219900101123")  # a holder the registry does not know yet
    text = HEADER + (
        f"T{a.id_number},special_operation,{a.id_number},张三,1.2,,,2021-03-10,2027-03-09,,350100,valid\n"
        f"T{a.id_number},special_operation,{a.id_number},张三,2.1,,,2019-01-01,2024-12-31,,350100,expired\n"
        f"T{b.id_number},特种作业操作证,{b.id_number},李四,低压电工作业,,,2023-07-01,2029-06-30,2026-07-01,350200,revoked\n"
        f"350100202310000001,competency,{new},王强,,principal,hazardous_chemicals,2023-10-01,2026-09-30,,350100,有效\n"
    )
    result = _run(text)
    assert result.ok, result.problems
    assert result.counts.imported == 4
    first = Certificate.objects.get(cert_no=f"T{a.id_number}", operation_item__code="1.2")
    assert first.next_review_due.isoformat() == "2024-03-10"  # computed by order No. 30 when not given
    assert first.source == "imported" and first.status == "valid"
    assert Certificate.objects.get(cert_no=f"T{b.id_number}").status == "revoked"
    assert Person.objects.get(id_number=new).name == "王强"
    assert CertificateEvent.objects.filter(transition="import").count() == 4
    # The revoked one is in the published list.
    revoked = Certificate.objects.get(cert_no=f"T{b.id_number}")
    credential = publishing.published_status_list().credential
    assert status_list.is_set(status_list.encoded_list(credential, "revocation"), revoked.status_index)
    # The change log keeps the numbers, with the ID number inside a T-number masked.
    logged = list(ChangeLog.objects.filter(content_type__model="certificate").values_list("after", flat=True))
    assert len(logged) == 4 and {entry["cert_no"] for entry in logged} == {
        f"T{a.masked_id_number}",
        f"T{b.masked_id_number}",
        "350100202310000001",  # a competency number is not personal
    }
    # Imported again: nothing changes.
    again = _run(text)
    assert (again.counts.imported, again.counts.updated, again.counts.unchanged) == (0, 0, 4)


def test_every_bad_row_is_reported_and_nothing_is_written(people):
    a, b = people
    text = HEADER + (
        f"T{a.id_number},special_operation,{a.id_number},张三,1.2,,,2021-03-10,2027-03-09,,350100,valid\n"
        f"T{b.id_number}X,special_operation,{b.id_number},李四,1.2,,,2021-03-10,2027-03-09,,350100,valid\n"
        f"T{b.id_number},special_operation,{b.id_number},李四,99.9,,,2021-03-10,2027-03-09,,350100,valid\n"
        f"T{b.id_number},special_operation,{b.id_number},李四,1.2,,,2026-03-10,2032-03-09,,350100,expired\n"
        f"T{b.id_number},special_operation,{b.id_number},王五,1.2,,,2021-03-10,2027-03-09,,350100,valid\n"
        f"T{b.id_number},special_operation,{b.id_number},李四,1.2,,,2021-03-10,2020-03-09,,999999,valid\n"
        f"C1,competency,{b.id_number},李四,1.2,employee,,2021-03-10,2024-03-09,2023-01-01,350100,valid\n"
    )
    result = _run(text)
    assert not result.ok and not Certificate.objects.exists()
    by_row = {}
    for problem in result.problems:
        by_row.setdefault(problem.row, set()).add(problem.code)
    assert by_row == {
        3: {"cert_no"},
        4: {"unknown_item"},
        5: {"status"},
        6: {"name_mismatch"},
        7: {"range", "unknown_region"},
        8: {"choice", "invalid"},
    }
    reasons = " ".join(p.zh + p.en for p in result.problems)
    assert "T + the holder's ID number" in reasons and "有效期" in reasons or "validity" in reasons
    # --skip-invalid writes the good row only.
    partial = _run(text, skip_invalid=True)
    assert partial.counts.imported == 1 and Certificate.objects.count() == 1


def test_a_regulator_imports_only_for_its_own_jurisdiction(people, world):
    a, _b = people
    text = HEADER + f"T{a.id_number},special_operation,{a.id_number},张三,1.2,,,2021-03-10,2027-03-09,,350200,valid\n"
    from peikao.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):  # an inspector does not manage certificates
        _run(text, user=world.users["city_inspector"])
    fuzhou = world.users["province_admin"]
    fuzhou.region_id = "350100"
    fuzhou.save()
    refused = _run(text, user=fuzhou)  # issued in Xiamen: not Fuzhou's to import
    assert [p.code for p in refused.problems] == ["outside_jurisdiction"]
    fuzhou.region_id = "350000"
    fuzhou.save()
    assert _run(text, user=fuzhou).ok


def test_export_round_trip(people):
    a, _b = people
    text = HEADER + f"T{a.id_number},special_operation,{a.id_number},张三,1.2,,,2019-01-01,2024-12-31,,350100,expired\n"
    assert _run(text).ok
    response = export_response(kind_name="certificates", fmt="csv", user=None, headers="en")
    rows = list(csv.DictReader(io.StringIO(read_download(response).decode("utf-8-sig"))))
    assert rows[0]["cert_no"] == f"T{a.id_number}" and rows[0]["status"] == "expired"
    assert rows[0]["next_review_due"] == "2022-01-01"
