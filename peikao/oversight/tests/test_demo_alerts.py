"""The demo province's planted cases: a new user finds real alerts of the detectors in the queue."""

from collections import Counter

import pytest
from django.core.management import call_command

from peikao.oversight.models import Alert, Detector
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
    # the earlier quarter's imported results: two of 福清's candidates hand in the same paper, and 福清 passes all
    # 40 of its first attempts where 鼓楼 and 湖里 pass six in ten
    assert found["EXM-IDENTICAL-ANSWERS"] == 1
    copied = Alert.objects.select_related("organization").get(detector_id="EXM-IDENTICAL-ANSWERS")
    assert copied.organization.name == "福清市安全生产考试点"
    assert (copied.evidence["common"], copied.evidence["agree"], copied.evidence["same_wrong"]) == (60, 59, 11)
    assert found["EXM-PASS-RATE-OUTLIER"] == 1
    outlier = Alert.objects.select_related("organization").get(detector_id="EXM-PASS-RATE-OUTLIER")
    assert outlier.organization.name == "福清市安全生产考试点"
    assert (outlier.evidence["first_attempts"], outlier.evidence["passed"]) == (40, 40)
    assert (outlier.evidence["others_first_attempts"], outlier.evidence["others_passed"]) == (80, 49)
    assert outlier.evidence["quarter"] == "2026Q2" and outlier.evidence["bh_adjusted_p"] <= 0.01
    assert found["EXM-TRAINING-NOT-SEPARATED"] >= 1
    # every detector has a planted case: a new user sees each kind of alert in the queue
    assert set(Detector.objects.values_list("code", flat=True)) == set(found)
    cloned = Alert.objects.get(detector_id="TRN-CLONED-CHECKINS")
    assert cloned.evidence["instants"][0]["people"] == 8 and "有8人" in cloned.explanation
    # the demo's run is the first: running again finds the same alerts, none new
    assert all(result.created == 0 for result in alerts_detect(actor=None))
