"""The campaign import benchmark at a tiny scale on the test database: its files import whole, every row written and
logged, so that the benchmark cannot rot; and the bulk writes keep what the import promises (the change log as it
names records, the range for violations not corrected in time, all or nothing)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.test import override_settings

from bench import campaign_import
from peikao.core.exchange.runner import run_import
from peikao.core.models import ChangeLog, User
from peikao.enforcement.models import Decision, Finding, Inspection, Rectification, ViolationItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tmp_path):
    expected = campaign_import.build(0.0002, tmp_path)
    # Small chunks: the orders to rectify closed late are written before the fines that depend on them are read.
    with override_settings(PEIKAO={**settings.PEIKAO, "IMPORT_CHUNK_SIZE": 7}):
        results = {kind: campaign_import.import_file(kind, tmp_path / f"{kind}.csv") for kind in campaign_import.KINDS}
    return expected, results, tmp_path


def test_the_generated_campaign_imports_whole_with_every_row_logged(campaign):
    expected, results, _path = campaign
    for kind, result in results.items():
        assert result.ok, (kind, result.problems)
        assert result.rows == expected[kind] and result.counts.imported == expected[kind]
    assert campaign_import.written() | campaign_import.expected_written(expected) == campaign_import.written()
    assert expected["overdue_fines"] >= 1 and expected["decision_findings"] > expected["decisions"]
    # Named in the change log as the records name themselves, with their state.
    inspection = Inspection.objects.order_by("pk").first()
    entry = ChangeLog.objects.get(object_id=str(inspection.pk), content_type__model="inspection")
    assert entry.object_repr == inspection.code and entry.after["status"] == "completed"
    assert entry.actor.username == campaign_import.ADMIN
    finding = Finding.objects.exclude(evidence_sha256=[]).order_by("pk").first()
    entry = ChangeLog.objects.get(object_id=str(finding.pk), content_type__model="finding")
    assert entry.object_repr == str(finding) and entry.after["evidence_sha256"] == finding.evidence_sha256
    fine = Decision.objects.filter(overdue_range=True).first()
    assert fine.fine_high is not None and fine.fine_low <= fine.fine_yuan <= fine.fine_high and fine.basis
    order = Rectification.objects.filter(status="closed").select_related("decision").first()
    assert order.closed_on and order.decision.findings.exists()


def test_an_order_not_complied_with_counts_for_the_fines_after_it_in_the_same_chunk(tmp_path):
    """The whole decisions file in one chunk: an order to rectify closed late, read before the fines of the range
    for violations not corrected in time, makes them lawful, as it would imported a row at a time."""
    expected = campaign_import.build(0.0002, tmp_path)
    assert settings.PEIKAO["IMPORT_CHUNK_SIZE"] > expected["decisions"]
    for kind in campaign_import.KINDS:
        result = campaign_import.import_file(kind, tmp_path / f"{kind}.csv")
        assert result.ok, (kind, result.problems)
    assert Decision.objects.filter(overdue_range=True).count() == expected["overdue_fines"] >= 1


def test_a_second_import_of_the_same_files_changes_nothing(campaign):
    expected, _results, path = campaign
    logged = ChangeLog.objects.count()
    for kind in campaign_import.KINDS:
        again = campaign_import.import_file(kind, path / f"{kind}.csv")
        assert again.ok and again.counts.imported == 0 and again.counts.unchanged == expected[kind]
    assert ChangeLog.objects.count() == logged
    # A known inspection with another date and kind is changed, and the change logged with its before and after.
    lines = (path / "inspections.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[3], cells[4] = "2023-12-30", "cross"
    (path / "changed.csv").write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")
    changed = campaign_import.import_file("inspections", path / "changed.csv")
    assert changed.ok and (changed.counts.updated, changed.counts.imported) == (1, 0)
    inspection = Inspection.objects.get(code=cells[0])
    assert (inspection.inspected_on.isoformat(), inspection.kind) == ("2023-12-30", "cross")
    entry = ChangeLog.objects.get(object_id=str(inspection.pk), content_type__model="inspection", action="update")
    assert entry.before["kind"] != "cross" and entry.after["kind"] == "cross" and entry.object_repr == cells[0]


def test_a_known_finding_takes_the_row_s_item_text_and_digests_logged_before_and_after(campaign):
    _expected, _results, path = campaign
    lines = (path / "findings.csv").read_text(encoding="utf-8").splitlines()
    cells = next(line.split(",") for line in lines[1:] if line.split(",")[2] != "other")
    finding = Finding.objects.get(code=cells[0])
    other = ViolationItem.objects.filter(retired=False).exclude(pk=finding.violation_id).order_by("code").first()
    digests = ["ab" * 32, "cd" * 32]
    cells[2], cells[3], cells[4] = other.code, "改后的问题描述", ";".join(digests)
    (path / "changed.csv").write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")
    changed = campaign_import.import_file("findings", path / "changed.csv")
    assert changed.ok and (changed.counts.updated, changed.counts.imported) == (1, 0), changed.problems
    finding.refresh_from_db()
    assert (finding.violation_id, finding.description, finding.evidence_sha256) == (other.pk, "改后的问题描述", digests)
    entry = ChangeLog.objects.get(object_id=str(finding.pk), content_type__model="finding", action="update")
    assert entry.object_repr == str(finding) == f"{finding.code} {other.code}"
    assert entry.before["violation_id"] != other.pk and entry.after["violation_id"] == other.pk
    assert entry.after["evidence_sha256"] == digests and entry.before["evidence_sha256"] != digests


def test_a_fine_outside_its_range_rejects_the_whole_file(campaign):
    _expected, _results, path = campaign
    lines = (path / "decisions.csv").read_text(encoding="utf-8").splitlines()
    header, fine = lines[0], next(line for line in lines if ",fine," in line)
    code = fine.split(",")[0]
    too_high = "\n".join([header, fine.replace(code, "NEW-1"), _with_fine(fine.replace(code, "NEW-2"), "99999999")])
    user = User.objects.get(username=campaign_import.ADMIN)
    result = run_import(kind_name="decisions", source=io.BytesIO(too_high.encode()), filename="d.csv", user=user)
    assert not result.ok and [p.row for p in result.problems] == [3]
    assert result.problems[0].code == "fine_outside_range"
    assert not Decision.objects.filter(code__startswith="NEW-").exists()


def _with_fine(line: str, amount: str) -> str:
    cells = line.split(",")
    cells[4] = amount
    return ",".join(cells)
