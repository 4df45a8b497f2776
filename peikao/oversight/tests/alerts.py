"""Alerts as the detectors write them (evidence of each detector's shape), for the queue's tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

from peikao.core.privacy import mask_id_number
from peikao.oversight.models import Alert, Detector

_numbers = itertools.count(1)


def _person(person) -> dict:
    return {"name": person.name, "id_number": mask_id_number(person.id_number)} if person else {}


def evidence_for(code: str, person=None) -> dict:
    """Evidence of the shape the detector ``code`` writes."""
    who = _person(person)
    if code in ("TRN-PERSON-TWO-PLACES", "TRN-TEACHER-TWO-PLACES"):
        return {
            "role": "teacher" if code == "TRN-TEACHER-TWO-PLACES" else "trainee",
            "person": who,
            "classes": ["CLS-A-1", "CLS-B-1"],
            "overlap_minutes": 95,
            "pairs": [
                {"lesson_a": "L-A-1", "from_a": "2026-09-15 08:30:00", "to_a": "2026-09-15 11:30:00",
                 "lesson_b": "L-B-1", "from_b": "2026-09-15 09:55:00", "to_b": "2026-09-15 12:00:00",
                 "overlap_minutes": 95},
            ],
        }  # fmt: skip
    if code == "TRN-DAY-OVERLOAD":
        return {
            "person": who,
            "day": "2026-09-15",
            "minutes": 600,
            "lessons": [
                {"lesson": "L-A-1", "class": "CLS-A-1", "organization": "ORG-A", "from": "2026-09-15 08:00:00",
                 "to": "2026-09-15 13:00:00", "credited_minutes": 300},
                {"lesson": "L-B-1", "class": "CLS-B-1", "organization": "ORG-B", "from": "2026-09-15 13:00:00",
                 "to": "2026-09-15 18:00:00", "credited_minutes": 300},
            ],
        }  # fmt: skip
    if code == "TRN-CLONED-CHECKINS":
        return {"lesson": "L-A-1", "class": "CLS-A-1", "instants": [{"at": "2026-09-15 08:29:59", "people": 7}]}
    if code == "EXM-IDENTICAL-ANSWERS":
        return {"sitting": "KS-1", "candidate": who, "other_candidate": {"name": "李四", "id_number": "3501**********0011"},
                "common": 100, "agree": 98, "same_wrong": 12, "scores": ["86", "85"]}  # fmt: skip
    if code == "EXM-TOO-FAST":
        return {"sitting": "KS-1", "candidate": who, "seconds": 180, "questions": 100, "seconds_per_question": 1.8,
                "score": "92"}  # fmt: skip
    if code == "EXM-PASS-RATE-OUTLIER":
        return {"item": "焊接与热切割作业（1.2）", "quarter": "2026Q3", "first_attempts": 60, "passed": 60,
                "others_first_attempts": 600, "others_passed": 420, "p_value": 1.2e-9, "bh_adjusted_p": 3.4e-8,
                "tests": 12, "q": 0.01}  # fmt: skip
    return {"person": who, "exam_roles": ["proctor"], "training_institution": "ORG-T", "training_roles": ["teacher"],
            "trainees": 14, "sittings": 3, "first_day": "2026-03-01", "last_day": "2026-09-30"}  # fmt: skip


def make_alert(organization, *, person=None, code: str = "TRN-PERSON-TWO-PLACES", **fields) -> Alert:
    detector = Detector.objects.get(code=code)
    number = next(_numbers)
    values = {
        "fingerprint": hashlib.sha256(f"{code}|{organization.pk}|{number}".encode()).hexdigest(),
        "detector": detector,
        "organization": organization,
        "person": person,
        "period_from": dt.date(2026, 9, 15),
        "period_to": dt.date(2026, 9, 15),
        "severity": detector.severity,
        "evidence": evidence_for(code, person),
        "explanation": f"{organization.name}的学员在同一时间参加两个班级的课程。",
        "violation_code": detector.violation_code,
    }
    values.update(fields)
    return Alert.objects.create(**values)
