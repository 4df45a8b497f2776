"""The registry's exchange files through the import framework: the rules of docs/exchange.md."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from peikao.core import synthetic
from peikao.core.exchange.runner import run_export, run_import
from peikao.core.models import ChangeLog, ImportRun
from peikao.registry.models import Assignment, Organization, OrganizationEvent, Person

pytestmark = pytest.mark.django_db
rng = random.Random(11)


def csv_bytes(rows: list[list[str]]) -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8"))


def xlsx_bytes(rows: list[list]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for _ in range(300):  # the formatted empty rows real sheets end with
        sheet.append([None, None])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def enterprise_row(**overrides) -> dict:
    uscc = synthetic.uscc(rng, "350102")
    row = {
        "org_code": uscc,
        "kind": "enterprise",
        "name": "福州测试化工有限公司",
        "uscc": uscc,
        "region_code": "350102",
        "industry": "hazardous_chemicals",
        "status": "active",
    }
    row.update(overrides)
    return row


def org_file(rows: list[dict], header: list[str] | None = None) -> io.BytesIO:
    header = header or [
        "org_code",
        "kind",
        "name",
        "uscc",
        "region_code",
        "parent_org_code",
        "industry",
        "operation_items",
        "practical_device",
        "capacity",
        "status",
    ]
    return csv_bytes([header] + [[row.get(key, "") for key in header] for row in rows])


def import_orgs(rows, **kwargs):
    return run_import(kind_name="organizations", source=org_file(rows), filename="o.csv", **kwargs)


def test_valid_file_imports_every_row_and_logs_each_create():
    rows = [enterprise_row(), enterprise_row(name="另一家公司", industry="construction")]
    result = import_orgs(rows)
    assert result.ok and result.summary == "imported 2, updated 0, unchanged 0, rejected 0"
    assert Organization.objects.filter(org_code__in=[r["org_code"] for r in rows]).count() == 2
    logged = ChangeLog.objects.filter(content_type__model="organization", action="create")
    assert logged.count() == 2
    assert logged.first().actor_label == "import:organizations"


def test_reimporting_the_same_file_changes_nothing():
    rows = [enterprise_row(), enterprise_row()]
    import_orgs(rows)
    before = ChangeLog.objects.count()
    again = import_orgs(rows)
    assert again.summary == "imported 0, updated 0, unchanged 2, rejected 0"
    assert ChangeLog.objects.count() == before


def test_a_changed_row_is_an_update_with_before_and_after():
    row = enterprise_row()
    import_orgs([row])
    result = import_orgs([{**row, "name": "改名后的公司"}])
    assert result.summary == "imported 0, updated 1, unchanged 0, rejected 0"
    entry = ChangeLog.objects.filter(action="update").get()
    assert entry.before["name"] == "福州测试化工有限公司" and entry.after["name"] == "改名后的公司"


def test_one_bad_row_rejects_the_whole_file_and_reports_every_bad_row():
    good = enterprise_row()
    bad_uscc = enterprise_row(uscc="91350102MA2XXXXX1X")
    bad_region = enterprise_row(region_code="359999")
    result = import_orgs([good, bad_uscc, bad_region])
    assert result.status == "rejected"
    assert result.summary == "imported 0, updated 0, unchanged 0, rejected 2"
    assert not Organization.objects.filter(org_code=good["org_code"]).exists()
    reported = {(p.row, p.column) for p in result.problems}
    assert (3, "uscc") in reported and (4, "region_code") in reported
    problem = next(p for p in result.problems if p.column == "region_code")
    assert problem.zh == "不是现有的县级行政区划代码。" and problem.en == "Not an existing county-level region code."
    run = ImportRun.objects.get()
    assert run.status == "rejected" and run.rejected == 2 and len(run.errors) == len(result.problems)


def test_skip_invalid_imports_the_valid_rows_and_still_reports_the_rest():
    good, bad = enterprise_row(), enterprise_row(kind="factory")
    result = import_orgs([good, bad], skip_invalid=True)
    assert result.ok and result.summary == "imported 1, updated 0, unchanged 0, rejected 1"
    assert Organization.objects.filter(org_code=good["org_code"]).exists()
    assert [p.column for p in result.problems] == ["kind"]


def test_dry_run_writes_nothing():
    result = import_orgs([enterprise_row()], dry_run=True)
    assert result.status == "dry_run" and result.counts.imported == 1
    assert not Organization.objects.exists()
    assert not ChangeLog.objects.filter(content_type__model="organization").exists()


def test_chinese_headers_and_xlsx_are_accepted():
    row = enterprise_row()
    header = ["机构编码", "机构类型", "名称", "统一社会信用代码", "行政区划代码", "行业"]
    data = xlsx_bytes(
        [header, [row["org_code"], "生产经营单位", row["name"], row["uscc"], 350102, "hazardous_chemicals"]]
    )
    result = run_import(kind_name="organizations", source=data, filename="机构.xlsx")
    assert result.ok, result.problems
    org = Organization.objects.get(org_code=row["org_code"])
    assert org.kind == "enterprise" and org.region_id == "350102"


def test_unknown_and_missing_columns_are_reported_on_row_one():
    data = csv_bytes([["org_code", "nmae", "kind"], ["x", "y", "enterprise"]])
    result = run_import(kind_name="organizations", source=data, filename="o.csv")
    assert result.status == "rejected"
    codes = {(p.row, p.code) for p in result.problems}
    assert (1, "unknown_column") in codes and (1, "missing_column") in codes


def test_gbk_file_gets_a_clear_message():
    data = io.BytesIO("机构编码,名称\n1,测试\n".encode("gbk"))
    result = run_import(kind_name="organizations", source=data, filename="o.csv")
    assert result.problems[0].code == "not_utf8"


def test_duplicate_keys_in_one_file_are_rejected():
    row = enterprise_row()
    result = import_orgs([row, dict(row)])
    assert result.status == "rejected"
    assert result.problems[0].row == 3 and result.problems[0].code == "duplicate_key"


def test_exam_point_links_to_an_exam_institution_earlier_in_the_same_file():
    centre_code = synthetic.uscc(rng, "350100", "1", "2")
    centre = {
        "org_code": centre_code,
        "uscc": centre_code,
        "kind": "exam_institution",
        "name": "考试中心",
        "region_code": "350102",
    }
    point = {
        "org_code": "EP35010201",
        "kind": "exam_point",
        "name": "鼓楼考点",
        "region_code": "350102",
        "parent_org_code": centre_code,
        "operation_items": "1.1;1.2",
        "practical_device": "real",
        "capacity": "60",
    }
    refused = import_orgs([point, centre])
    assert refused.status == "rejected"
    assert [(p.row, p.column) for p in refused.problems] == [(2, "parent_org_code")]
    result = import_orgs([centre, point])
    assert result.ok, result.problems
    saved = Organization.objects.get(org_code="EP35010201")
    assert saved.parent.org_code == centre_code
    assert sorted(saved.operation_items.values_list("code", flat=True)) == ["1.1", "1.2"]


def test_kind_rules_are_enforced():
    rows = [
        enterprise_row(industry=""),  # an enterprise needs its industry
        enterprise_row(kind="training_institution", industry="general"),  # only enterprises have one
        {"org_code": "EPX", "kind": "enterprise", "name": "x", "region_code": "350102", "industry": "general"},
        enterprise_row(org_code="SOMETHING-ELSE"),  # the code is the uscc when there is one
    ]
    result = import_orgs(rows)
    columns = {(p.row, p.column) for p in result.problems}
    assert {(2, "industry"), (3, "industry"), (4, "uscc"), (5, "org_code")} <= columns


def test_status_changes_follow_the_transition_map_and_leave_events():
    row = enterprise_row()
    import_orgs([row])
    assert import_orgs([{**row, "status": "suspended"}]).ok
    event = OrganizationEvent.objects.get()
    assert (event.old_status, event.new_status, event.transition) == ("active", "suspended", "suspend")
    assert import_orgs([{**row, "status": "closed"}]).ok
    refused = import_orgs([{**row, "status": "active"}])  # closed is final
    assert refused.status == "rejected" and refused.problems[0].code == "transition"


def test_export_reimports_unchanged(tmp_path, world):
    for kind in ("organizations", "persons", "assignments"):
        path = tmp_path / f"{kind}.csv"
        with open(path, "wb") as fh:
            count = run_export(kind_name=kind, target=fh, filename=path.name)
        assert count > 0
        result = run_import(kind_name=kind, source=path, filename=path.name)
        assert result.ok, result.problems
        assert result.counts.imported == 0 and result.counts.updated == 0 and result.counts.unchanged == count, kind


def test_export_as_xlsx_keeps_id_numbers_as_text(tmp_path, world):
    path = tmp_path / "persons.xlsx"
    with open(path, "wb") as fh:
        run_export(kind_name="persons", target=fh, filename=path.name)
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("id_number", "name", "phone", "education")
    assert all(isinstance(row[0], str) and len(row[0]) == 18 for row in rows[1:])
    again = run_import(kind_name="persons", source=path, filename=path.name)
    assert again.summary.startswith("imported 0, updated 0")


def person_rows(count: int) -> list[list[str]]:
    rows = [["身份证号", "姓名", "手机号", "文化程度"]]
    for _ in range(count):
        birth = synthetic.birth_date(rng, today=dt.date(2026, 1, 1))
        rows.append(
            [synthetic.id_number(rng, "350102", birth), synthetic.chinese_name(rng), synthetic.phone(rng), "高中"]
        )
    return rows


def test_persons_derive_birth_date_and_sex_and_accept_chinese_education(settings):
    settings.PEIKAO = {**settings.PEIKAO, "IMPORT_CHUNK_SIZE": 7}  # several chunks
    rows = person_rows(20)
    result = run_import(kind_name="persons", source=csv_bytes(rows), filename="p.csv")
    assert result.summary == "imported 20, updated 0, unchanged 0, rejected 0"
    number = rows[1][0]
    person = Person.objects.get(id_number=number)
    assert person.birth_date == dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert person.sex == ("M" if int(number[16]) % 2 else "F")
    assert person.education == "senior_high"


def test_person_rows_with_bad_id_numbers_are_masked_in_the_report():
    rows = person_rows(2)
    rows[2][0] = rows[2][0][:-1] + ("0" if rows[2][0][-1] != "0" else "1")
    result = run_import(kind_name="persons", source=csv_bytes(rows), filename="p.csv")
    problem = result.problems[0]
    assert problem.code == "id_checksum" and "*" in problem.value and rows[2][0] not in problem.value


def test_command_exit_status_and_summary(tmp_path, capsys):
    good = tmp_path / "orgs.csv"
    good.write_bytes(org_file([enterprise_row()]).getvalue())
    call_command("exchange", "import", "organizations", str(good))
    assert capsys.readouterr().out.strip().endswith("imported 1, updated 0, unchanged 0, rejected 0")

    bad = tmp_path / "bad.csv"
    bad.write_bytes(org_file([enterprise_row(region_code="999999")]).getvalue())
    report = tmp_path / "report.csv"
    with pytest.raises(SystemExit) as exit_info:
        call_command("exchange", "import", "organizations", str(bad), "--report", str(report))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "row 2 region_code" in out and out.strip().endswith("rejected 1")
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "row,column,value,code,reason_zh,reason_en" and lines[1].startswith("2,region_code,999999")

    with pytest.raises(SystemExit) as exit_info:
        call_command("exchange", "import", "nonsense", str(good))
    assert exit_info.value.code == 2


def test_assignments_need_known_persons_and_organisations(world):
    person = world.persons["p_a"]
    rows = [
        ["id_number", "org_code", "role", "operation_item", "start_date", "end_date", "dispatched_by"],
        [
            person.id_number,
            world.orgs["ent_a"].org_code,
            "special_operator",
            "1.2",
            "2025-03-01",
            "",
            world.orgs["dispatch_a"].org_code,
        ],
        [person.id_number, world.orgs["ent_a"].org_code, "special_operator", "", "2025-03-01", "", ""],
        [person.id_number, "NO-SUCH-ORG", "employee", "", "2025/3/1", "", ""],
        [person.id_number, world.orgs["ent_a"].org_code, "proctor", "", "2025-03-01", "2024-01-01", ""],
    ]
    result = run_import(kind_name="assignments", source=csv_bytes(rows), filename="a.csv")
    columns = {(p.row, p.column) for p in result.problems}
    assert columns == {(3, "operation_item"), (4, "org_code"), (5, "end_date"), (5, "role")}
    ok = run_import(kind_name="assignments", source=csv_bytes(rows[:2]), filename="a.csv")
    assert ok.ok
    created = Assignment.objects.get(person=person, role="special_operator")
    assert created.dispatched_by == world.orgs["dispatch_a"] and created.operation_item.code == "1.2"


@pytest.mark.django_db(transaction=True)
def test_imports_outside_a_transaction_clean_and_write_at_the_same_time(settings):
    """On PostgreSQL, outside a larger transaction, persons are cleaned in a second thread while the first
    writes (pipelined). The outcome is the same: all or nothing, every bad row reported."""
    from django.db import connection

    settings.PEIKAO = {**settings.PEIKAO, "IMPORT_CHUNK_SIZE": 5}
    assert not connection.in_atomic_block
    rows = person_rows(12)
    bad = [list(row) for row in rows]
    bad[9][0] = bad[9][0][:-1] + ("0" if bad[9][0][-1] != "0" else "1")
    rejected = run_import(kind_name="persons", source=csv_bytes(bad), filename="p.csv")
    assert rejected.status == "rejected" and [p.row for p in rejected.problems] == [10]
    assert not Person.objects.exists()
    done = run_import(kind_name="persons", source=csv_bytes(rows + [rows[3]]), filename="p.csv")
    assert done.status == "rejected" and done.problems[0].code == "duplicate_key"
    done = run_import(kind_name="persons", source=csv_bytes(rows), filename="p.csv")
    assert done.summary == "imported 12, updated 0, unchanged 0, rejected 0"
    assert Person.objects.count() == 12
    created = ChangeLog.objects.filter(content_type__model="person", action="create")
    assert created.count() == 12
    person = Person.objects.get(id_number=rows[7][0])
    entry = created.get(object_id=str(person.pk))  # keys reserved in the cleaning thread match the rows written
    assert entry.after["name"] == person.name and entry.after["id_number"] != person.id_number  # masked
    changed = [list(row) for row in rows]
    changed[2][1] = changed[11][1] = "改名"
    again = run_import(kind_name="persons", source=csv_bytes(changed), filename="p.csv")
    assert again.summary == "imported 0, updated 2, unchanged 10, rejected 0"
    updates = ChangeLog.objects.filter(content_type__model="person", action="update")
    assert sorted(entry.after["name"] for entry in updates) == ["改名", "改名"]
    assert {entry.before["name"] for entry in updates} == {rows[2][1], rows[11][1]}
