"""The exams' read path, scoped to the user's jurisdiction. Question banks are shared reference data.

Also the reads the services judge by: a candidate's eligibility (with the rules of ``rules.py``), a
proctor's conflicts, whether a sitting may be held, a blueprint's pool of questions.

One module per sub-domain (``banks``, ``sittings``, ``eligibility``); every name is re-exported here, so
``from peikao.exams.selectors import …`` and ``selectors.X`` keep working."""

from peikao.exams.selectors.banks import (
    BANK_OWNER_LEVELS,
    bank_summary,
    blueprint_list,
    default_blueprint,
    may_see_banks,
    owns_banks,
    pool_for,
    question_list,
    require_bank_owner,
)
from peikao.exams.selectors.eligibility import (
    barred_until,
    eligibility,
    exam_history,
    passed_theory,
    skill_occupations,
)
from peikao.exams.selectors.sittings import (
    NOT_EXAM_STAFF,
    exam_staff,
    exposure,
    finding_get,
    finding_queue,
    findings,
    may_plan_sittings,
    patrols,
    person_exam_section,
    person_results,
    registration_count,
    registration_get,
    registrations,
    sitting_get,
    sitting_list,
    sitting_overlap,
    sitting_problem,
    staff_conflicts,
    unresolved_conflicts,
)

__all__ = [
    "BANK_OWNER_LEVELS",
    "NOT_EXAM_STAFF",
    "bank_summary",
    "barred_until",
    "blueprint_list",
    "default_blueprint",
    "eligibility",
    "exam_history",
    "exam_staff",
    "exposure",
    "finding_get",
    "finding_queue",
    "findings",
    "may_plan_sittings",
    "may_see_banks",
    "owns_banks",
    "passed_theory",
    "patrols",
    "person_exam_section",
    "person_results",
    "pool_for",
    "question_list",
    "registration_count",
    "registration_get",
    "registrations",
    "require_bank_owner",
    "sitting_get",
    "sitting_list",
    "sitting_overlap",
    "sitting_problem",
    "skill_occupations",
    "staff_conflicts",
    "unresolved_conflicts",
]
