"""patrols.csv: historical patrol records imported all or nothing, every bad row reported, a re-import changes
nothing; the imported patrols count in the notice like those the patrol API records."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from peikao.core.errors import PermissionDenied
from peikao.core.exchange.runner import run_import
from peikao.core.models import Region
from peikao.exams.models import Patrol, PatrolFinding, Registration, Result
from peikao.reports.models import ImportedPatrol
from peikao.reports.selectors import Period, notice_figures
from peikao.testing.factories import PersonFactory

HEADER = "sitting_code,patrolled_at,patroller_id_number,outcome,id_number,note"


def _file(lines):
    return io.BytesIO(("\n".join([HEADER, *lines]) + "\n").encode())


def _import(world, lines, persona="county_inspector"):
    return run_import(kind_name="patrols", source=_file(lines), filename="patrols.csv", user=world.users[persona])


def test_patrol_records_import_once_and_count_in_the_notice(world):
    candidate = Registration.objects.get(sitting=world.sittings["a"]).person
    other = PersonFactory()
    Registration.objects.create(sitting=world.sittings["a"], person=other, admission_code="55555555")
    patroller = PersonFactory().id_number
    lines = [
        f"SIT-A,2026-09-15T09:30:00,{patroller},warning,{candidate.id_number},交头接耳",
        f"SIT-A,2026-09-15T09:30:00,{patroller},score_cancelled,{other.id_number},夹带",
        f"SIT-A,2026-09-15 10:00:00,{patroller},no_issue,,",
    ]

    first = _import(world, lines)
    again = _import(world, lines)

    assert first.ok and (first.counts.imported, first.counts.unchanged) == (3, 0)
    assert again.ok and (again.counts.imported, again.counts.unchanged) == (0, 3)
    assert Patrol.objects.filter(sitting=world.sittings["a"]).count() == 2  # one per time and patroller
    assert set(ImportedPatrol.objects.values_list("patroller_id_number", flat=True)) == {patroller}
    assert PatrolFinding.objects.filter(patrol__isnull=False, sanction__in=["warning", "score_cancelled"]).count() == 2
    assert Result.objects.get(registration__person=other).status == "cancelled"  # through the result's transition
    figures = notice_figures(
        user=None, region=Region.objects.get(code="350000"), period=Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    )
    assert figures["remote_patrols"] == {"sittings_patrolled": 1, "persons_sanctioned": 2}


def test_a_bad_file_writes_nothing_and_names_every_bad_row(world):
    candidate = Registration.objects.get(sitting=world.sittings["a"]).person
    patroller = PersonFactory().id_number
    lines = [
        f"SIT-A,2026-09-15T09:30:00,{patroller},warning,{candidate.id_number},",  # fine
        f"SIT-C,2026-09-15T09:30:00,{patroller},no_issue,,",  # 南昌: not in 鼓楼's jurisdiction
        f"SIT-A,2026-09-15T09:30:00,{patroller},warning,,",  # a warning names the candidate
        f"SIT-A,2026-09-15T09:30:00,{patroller},scolded,,",  # unknown outcome
        f"SIT-A,not a time,{patroller},no_issue,,",
        "SIT-A,2026-09-15T09:30:00,123,no_issue,,",  # not an ID number
        f"SIT-A,2026-09-15T09:40:00,{patroller},warning,{PersonFactory().id_number},",  # did not sit
    ]

    result = _import(world, lines)

    assert result.status == "rejected"
    assert sorted({(p.row, p.column) for p in result.problems}) == [
        (3, "sitting_code"),
        (4, "id_number"),
        (5, "outcome"),
        (6, "patrolled_at"),
        (7, "patroller_id_number"),
        (8, "id_number"),
    ]
    assert not ImportedPatrol.objects.exists() and not Patrol.objects.exists()


def test_only_who_may_patrol_imports_patrols(world):
    lines = [f"SIT-A,2026-09-15T09:30:00,{PersonFactory().id_number},no_issue,,"]
    for persona in ("ti_admin", "province_analyst"):
        with pytest.raises(PermissionDenied):
            _import(world, lines, persona)
    assert not Patrol.objects.exists()
