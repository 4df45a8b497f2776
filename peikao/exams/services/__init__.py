"""The exams' write path, by sub-domain: question banks and blueprints (``questions``), sittings and their
staff (``sittings``), registration and papers (``registration``), candidates' skill certificates (``skills``),
the theory exam in the browser (``theory``), practical scoring (``practical``), patrols, findings and the
video-analytics feeds (``patrols``). ``from peikao.exams import services; services.register(...)`` reaches every
one of them.
The exchange files write through the bulk variants beside the single-row services (``question_create_bulk``,
``sitting_record_bulk``, ``result_record_bulk``), which share their rules; the reference data through
``exam_regime_sync_bulk``.

The reads and rules the services judge by live in ``selectors.py`` and ``rules.py``; a few are named here
too, for the callers that import them from here (enforcement scores its spot exams with the answers'
rules; the demo explains eligibility).
"""

from __future__ import annotations

from peikao.exams.rules import displayed_answer, normalised_answer
from peikao.exams.selectors import eligibility, sitting_problem
from peikao.exams.services.patrols import (
    analytics_event,
    feed_authenticate,
    feed_deactivate,
    feed_register,
    finding_record,
    finding_review,
    patrol_record,
    result_cancel,
)
from peikao.exams.services.practical import PERFORMED_ON_EQUIPMENT, practical_score, practical_sheet_create
from peikao.exams.services.questions import QuestionRecord, blueprint_save, question_create_bulk, question_edit
from peikao.exams.services.registration import (
    ResultRecord,
    candidate_identify,
    draw_paper,
    exam_regime_sync_bulk,
    register,
    result_record_bulk,
)
from peikao.exams.services.sittings import (
    SittingRecord,
    sitting_close,
    sitting_create,
    sitting_open,
    sitting_record_bulk,
    staff_assign,
)
from peikao.exams.services.skills import skill_certificate_record
from peikao.exams.services.theory import (
    candidate_login,
    finalize_sheet,
    save_answer,
    save_answer_by_id,
    sheet_start,
    submit,
)

__all__ = [
    "PERFORMED_ON_EQUIPMENT",
    "QuestionRecord",
    "ResultRecord",
    "SittingRecord",
    "analytics_event",
    "blueprint_save",
    "candidate_login",
    "draw_paper",
    "exam_regime_sync_bulk",
    "feed_authenticate",
    "feed_deactivate",
    "feed_register",
    "finalize_sheet",
    "finding_record",
    "finding_review",
    "patrol_record",
    "practical_score",
    "practical_sheet_create",
    "question_create_bulk",
    "question_edit",
    "register",
    "candidate_identify",
    "result_cancel",
    "result_record_bulk",
    "save_answer",
    "save_answer_by_id",
    "sheet_start",
    "sitting_close",
    "sitting_create",
    "sitting_open",
    "sitting_record_bulk",
    "skill_certificate_record",
    "staff_assign",
    "submit",
    # reads and rules, kept importable from here
    "displayed_answer",
    "eligibility",
    "normalised_answer",
    "sitting_problem",
]
