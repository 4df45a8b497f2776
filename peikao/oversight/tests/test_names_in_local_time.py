"""Records named by an instant are named in Beijing time, with their choices as people read them: a lookup or an
attendance event at 01:30 on 6 December in Fujian is not "2026-12-05 17:30 qr valid"."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from peikao.certificates.models import Lookup
from peikao.oversight.injuries.models import InspectionPriority
from peikao.oversight.models import DetectorRun
from peikao.registry.models import Organization
from peikao.training.models import AttendanceEvent

UTC_EVENING = dt.datetime(2026, 12, 5, 17, 30, tzinfo=dt.UTC)  # 2026-12-06 01:30 in Beijing


def test_instants_in_names_are_beijing_time_and_choices_are_labels():
    with translation.override("zh-hans"):
        lookup = str(Lookup(time=UTC_EVENING, channel="qr", outcome="valid"))
        event = str(AttendanceEvent(person_id=7, event="in", at=UTC_EVENING))
        run = str(DetectorRun(detector_id="TRN-DAY-OVERLOAD", started_at=UTC_EVENING))
        priority = str(InspectionPriority(organization=Organization(name="仓山培训学校"), raised_at=UTC_EVENING))

    assert lookup.startswith("2026-12-06 01:30:00 ") and " qr " not in lookup and "valid" not in lookup
    assert event.endswith("2026-12-06 01:30:00") and " in " not in event
    assert run.endswith("2026-12-06 01:30")
    assert priority.endswith("（2026-12-06）")
