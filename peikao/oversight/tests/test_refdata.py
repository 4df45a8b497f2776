"""The detectors and their thresholds come from domain/oversight_detectors.yaml with their sources."""

import datetime as dt
from decimal import Decimal

import pytest

from peikao.oversight.models import Detector, DetectorThreshold
from peikao.oversight.refdata import load_detectors

CODES = {
    "TRN-PERSON-TWO-PLACES",
    "TRN-DAY-OVERLOAD",
    "TRN-TEACHER-TWO-PLACES",
    "TRN-CLONED-CHECKINS",
    "EXM-IDENTICAL-ANSWERS",
    "EXM-TOO-FAST",
    "EXM-PASS-RATE-OUTLIER",
    "EXM-TRAINING-NOT-SEPARATED",
}


@pytest.mark.django_db
def test_the_eight_detectors_are_loaded_with_the_issues_default_thresholds():
    assert set(Detector.objects.values_list("code", flat=True)) == CODES
    today = dt.date(2026, 12, 5)
    assert Detector.objects.get(code="TRN-DAY-OVERLOAD").thresholds_on(today) == {"max_minutes_per_day": Decimal("480")}
    assert Detector.objects.get(code="EXM-IDENTICAL-ANSWERS").thresholds_on(today) == {
        "min_common": Decimal("50"),
        "min_agree_ratio": Decimal("0.95"),
        "min_same_wrong": Decimal("10"),
    }
    assert Detector.objects.get(code="EXM-PASS-RATE-OUTLIER").thresholds_on(today)["fdr_q"] == Decimal("0.01")
    assert all(threshold.source for threshold in DetectorThreshold.objects.all())


@pytest.mark.django_db
def test_every_detector_suggests_a_catalogue_item_and_reads_in_chinese():
    from peikao.enforcement.models import ViolationItem

    catalogue = set(ViolationItem.objects.values_list("code", flat=True))
    for detector in Detector.objects.all():
        assert detector.violation_code in catalogue, detector.code
        assert "\n" not in detector.explanation and " " not in detector.explanation.strip()
        assert detector.source


@pytest.mark.django_db
def test_loading_again_changes_nothing():
    detectors, thresholds = load_detectors().split("; ")
    assert detectors.endswith(": 0 created, 0 updated, 8 in all")
    assert thresholds.endswith(": 0 created, 0 updated, 10 in all")


def test_every_detector_of_the_file_is_registered():
    from peikao.oversight.detectors import REGISTRY

    assert set(REGISTRY) == CODES
