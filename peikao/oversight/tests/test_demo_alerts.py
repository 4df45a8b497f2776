"""The demo province's planted cases: a new user finds real alerts of the detectors in the queue."""

from collections import Counter

import pytest
from django.core.management import call_command

from peikao.oversight.models import Alert
from peikao.oversight.services import alerts_detect

pytestmark = pytest.mark.django_db


def test_the_demo_province_has_alerts_of_the_planted_cases(capsys):
    call_command("demo", "--scale", "0.2", "--today", "2026-11-27")
    found = Counter(Alert.objects.values_list("detector_id", flat=True))
    # two trainees in both classes on the first day, for each of the two institutions
    assert found["TRN-PERSON-TWO-PLACES"] == 4
    assert found["TRN-DAY-OVERLOAD"] == 4
    assert found["TRN-TEACHER-TWO-PLACES"] == 2
    assert found["TRN-CLONED-CHECKINS"] == 1
    assert found["EXM-TOO-FAST"] == 1
    assert found["EXM-TRAINING-NOT-SEPARATED"] >= 1
    cloned = Alert.objects.get(detector_id="TRN-CLONED-CHECKINS")
    assert cloned.evidence["instants"][0]["people"] == 8 and "有8人" in cloned.explanation
    # the demo's run is the first: running again finds the same alerts, none new
    assert all(result.created == 0 for result in alerts_detect(actor=None))
