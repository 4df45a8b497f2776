"""The theory exam in the browser: a candidate's login, the answer sheet and its autosave, submission and
scoring."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create
from peikao.core.errors import Conflict, DomainError
from peikao.core.validators import normalise_id_number
from peikao.exams.choices import ExamPart, ResultStatus, SittingStatus
from peikao.exams.models import AnswerSheet, Paper, Question, Registration, Result
from peikao.exams.rules import displayed_answer, normalised_answer
from peikao.exams.services._common import sitting_blueprint
from peikao.exams.services.registration import draw_paper


def candidate_login(*, id_number: str, admission_code: str, now: dt.datetime | None = None) -> Registration:
    """The registration a candidate logs into with ID number and admission code, during its sitting."""
    now = now or timezone.now()
    registration = (
        Registration.objects.select_related("sitting", "person")
        .filter(
            person__id_number=normalise_id_number(id_number),
            admission_code=admission_code.strip(),
            sitting__part=ExamPart.THEORY,
        )
        .order_by("-sitting__starts_at")
        .first()
    )
    if registration is None:
        raise DomainError("login_failed", _("The ID number and admission code do not match a registration."))
    sitting = registration.sitting
    if sitting.status != SittingStatus.OPEN or not (
        sitting.starts_at - dt.timedelta(minutes=30) <= now <= sitting.ends_at
    ):
        raise DomainError(
            "sitting_not_open",
            _("The sitting is not open now (%(start)s to %(end)s)."),
            {
                "start": timezone.localtime(sitting.starts_at).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(sitting.ends_at).strftime("%H:%M"),
            },
        )
    if hasattr(registration, "result"):
        raise Conflict("already_submitted", _("This exam has been submitted."))
    return registration


@transaction.atomic
def sheet_start(registration: Registration, *, now: dt.datetime | None = None) -> AnswerSheet:
    """The candidate's answer sheet, started on first entry; the deadline is set by the server."""
    now = now or timezone.now()
    sheet = AnswerSheet.objects.select_for_update().filter(registration=registration).first()
    if sheet is not None:
        return sheet
    if not hasattr(registration, "paper"):
        draw_paper(registration)
    minutes = sitting_blueprint(registration.sitting).duration_minutes
    deadline = min(now + dt.timedelta(minutes=minutes), registration.sitting.ends_at)
    return AnswerSheet.objects.create(registration=registration, started_at=now, deadline=deadline)


def save_answer(
    *, registration: Registration, position: int, answer: str, now: dt.datetime | None = None
) -> AnswerSheet:
    """Autosave one answer. After the deadline nothing is saved and the sheet is submitted as it is."""
    now = now or timezone.now()
    timed_out = False
    with transaction.atomic():
        sheet = AnswerSheet.objects.select_for_update().get(registration=registration)
        if sheet.submitted_at is not None:
            raise Conflict("already_submitted", _("This exam has been submitted."))
        if now > sheet.deadline:
            finalize_sheet(sheet, timed_out=True, now=now)  # committed before the candidate is told
            timed_out = True
        else:
            items = registration.paper.items
            if not 0 <= position < len(items):
                raise DomainError("bad_position", _("No such question on this paper."))
            sheet.answers[str(position)] = normalised_answer(answer)
            sheet.saved_at = now
            sheet.save(update_fields=["answers", "saved_at"])
    if timed_out:
        raise Conflict("time_is_up", _("Time is up: the answers saved before the end were submitted."))
    return sheet


def save_answer_by_id(*, registration_id: int, position: int, answer: str, now: dt.datetime | None = None) -> bool:
    """``save_answer`` for the exam API's autosave, the busiest call of an exam: two plain statements under
    the row lock (no ORM compilation, no registration loaded). Returns False when there is no sheet. Past the
    deadline or after submission it defers to ``save_answer``, which finalises and refuses."""
    now = now or timezone.now()
    quote = connection.ops.quote_name
    sheet_table, paper_table = quote(AnswerSheet._meta.db_table), quote(Paper._meta.db_table)
    length = "jsonb_array_length" if connection.vendor == "postgresql" else "json_array_length"
    lock = " FOR UPDATE OF s" if connection.features.has_select_for_update_of else ""
    as_json = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, s.answers, s.submitted_at, s.deadline, {length}(p.items) FROM {sheet_table} s "
            f"JOIN {paper_table} p ON p.registration_id = s.registration_id WHERE s.registration_id = %s{lock}",
            [registration_id],
        )
        row = cursor.fetchone()
        if row is None:
            return False
        sheet_id, answers, submitted_at, deadline, count = row
        if isinstance(deadline, str) or timezone.is_naive(deadline):  # SQLite hands back naive UTC (or text)
            deadline = connection.ops.convert_datetimefield_value(deadline, None, connection)  # type: ignore[attr-defined]
        if submitted_at is None and now <= deadline:
            if not 0 <= position < count:
                raise DomainError("bad_position", _("No such question on this paper."))
            answers = json.loads(answers) if isinstance(answers, str) else dict(answers or {})
            answers[str(position)] = normalised_answer(answer)
            cursor.execute(
                f"UPDATE {sheet_table} SET answers = {as_json}, saved_at = %s WHERE id = %s",
                [json.dumps(answers), now, sheet_id],
            )
            return True
    registration = Registration.objects.select_related("paper", "sitting__blueprint").get(pk=registration_id)
    save_answer(registration=registration, position=position, answer=answer, now=now)  # raises: submitted, late
    return True


def submit(*, registration: Registration, now: dt.datetime | None = None) -> Result:
    """Submit the sheet and score it at once. A second submission changes nothing."""
    with transaction.atomic():
        sheet = AnswerSheet.objects.select_for_update().get(registration=registration)
        if sheet.submitted_at is not None:
            return Result.objects.get(registration=registration)
        sheet.registration = registration  # already loaded with its paper and blueprint
        return finalize_sheet(sheet, timed_out=(now or timezone.now()) > sheet.deadline, now=now)


def finalize_sheet(sheet: AnswerSheet, *, timed_out: bool, now: dt.datetime | None = None) -> Result:
    """Score the sheet: the points of every question answered exactly right."""
    now = now or timezone.now()
    registration = sheet.registration
    paper = registration.paper
    questions = Question.objects.only("id", "qtype", "answer", "question_code").in_bulk(
        [item["q"] for item in paper.items]
    )
    score = Decimal(0)
    given_by_code = {}
    for position, item in enumerate(paper.items):
        question = questions[item["q"]]
        given = sheet.answers.get(str(position), "")
        bank_answer = displayed_answer(question, item["o"], given)
        given_by_code[question.question_code] = bank_answer
        if bank_answer and bank_answer == question.answer:
            score += Decimal(item["p"])
    sheet.submitted_at = min(now, sheet.deadline) if timed_out else now
    sheet.timed_out = timed_out
    sheet.save(update_fields=["submitted_at", "timed_out"])
    pass_score = sitting_blueprint(registration.sitting).pass_score
    result = Result(
        registration=registration,
        score=score,
        passed=score >= pass_score,
        status=ResultStatus.VALID,
        started_at=sheet.started_at,
        submitted_at=sheet.submitted_at,
        source="online",
        answers=given_by_code,
    )
    return audited_create(result, validate=False)  # every value computed here; the database checks the rest
