"""Exchange files of exams: questions.csv (and the banks the industry uses), sittings.csv, results.csv."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.exchange import (
    Column,
    ExchangeKind,
    ExportContext,
    ImportContext,
    Problem,
    Row,
    WholeFileOutcome,
    WriteCounts,
    register,
)
from peikao.core.i18n import both
from peikao.core.permissions import Perm
from peikao.core.scoping import region_code_range
from peikao.exams import banks, selectors, services
from peikao.exams.choices import ExamPart, ResultStatus
from peikao.exams.models import Question, Registration, Result, Sitting
from peikao.exams.services import ResultRecord, SittingRecord
from peikao.registry.models import OperationItem, Organization, Person


@register
class QuestionsKind(ExchangeKind):
    """questions.csv — 题库, and the question-bank layouts of the industry (XLSX, JSON, TXT).

    Every well-formed question is imported; every defective row is reported; questions already in the bank
    (same stem and options) are unchanged. Banks without codes get a code from their content."""

    name = "questions"
    title = _("Question bank")
    key = ("question_code",)
    whole_file = True
    import_perm = Perm.BANK_MANAGE
    columns = (
        Column("question_code", "试题编号"),
        Column("operation_item", "作业项目"),
        Column("qtype", "题型", required=True),
        Column("stem", "题干", required=True),
        Column("option_a", "选项A"),
        Column("option_b", "选项B"),
        Column("option_c", "选项C"),
        Column("option_d", "选项D"),
        Column("option_e", "选项E"),
        Column("option_f", "选项F"),
        Column("answer", "答案", required=True),
        Column("knowledge_point", "知识点"),
        Column("difficulty", "难度"),
        Column("explanation", "解析"),
    )

    def import_file(self, handle, filename: str, ctx: ImportContext) -> WholeFileOutcome:
        parsed = banks.parse_bank(handle.read(), filename)
        outcome = WholeFileOutcome()
        outcome.problems = [
            Problem(p.row, f"{p.sheet}!{p.column}" if p.sheet else p.column, p.value, p.code, p.zh, p.en)
            for p in parsed.problems
        ]
        outcome.rows = len(parsed.questions) + parsed.rejected_rows + parsed.duplicates
        outcome.rejected = parsed.rejected_rows
        rows, unknown = banks.bank_subjects(parsed, ctx.options, banks.operation_items())
        for question in unknown:
            zh, en = both(_("The bank's operation item or trainee category is unknown: choose it for the import."))
            outcome.problems.append(
                Problem(question.source_row, "operation_item", question.category, "bank_unknown", zh, en)
            )
            outcome.rejected += 1
        if outcome.problems and not ctx.skip_invalid:
            return outcome
        outcome.counts = services.question_create_bulk(actor=ctx.user, rows=rows, source=filename)
        outcome.counts.unchanged += parsed.duplicates
        return outcome

    def require_export(self, user) -> None:
        """A bank file carries the answer key: only the authority that owns the banks exports it."""
        super().require_export(user)
        selectors.require_bank_owner(user)

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        selectors.require_bank_owner(ctx.user)  # whoever calls: the rows carry the answer key
        queryset = Question.objects.active().select_related("operation_item").order_by("question_code")
        for question in queryset.iterator(chunk_size=2000):
            row = {
                "question_code": question.question_code,
                "operation_item": question.operation_item.code
                if question.operation_item_id
                else question.trainee_category,
                "qtype": question.qtype,
                "stem": question.stem,
                "answer": {"T": "对", "F": "错"}.get(question.answer, question.answer),
                "knowledge_point": question.knowledge_point,
                "difficulty": "" if question.difficulty is None else str(question.difficulty),
                "explanation": question.explanation,
            }
            for letter, option in zip("abcdef", question.options, strict=False):
                row[f"option_{letter}"] = option
            yield row


def _visible(model, user):
    return model.objects.visible_to(user) if user is not None else model.objects.all()


@register
class SittingsKind(ExchangeKind):
    """sittings.csv — 考试场次 (key: sitting_code)."""

    name = "sittings"
    title = _("Exam sittings")
    key = ("sitting_code",)
    import_perm = Perm.SITTING_MANAGE
    exports_id_numbers = True
    columns = (
        Column("sitting_code", "场次编号", required=True),
        Column("org_code", "考试点编码", required=True),
        Column("part", "科目", required=True),
        Column("operation_item", "作业项目", required=True),
        Column("starts_at", "开始时间", required=True),
        Column("ends_at", "结束时间", required=True),
        Column("proctors", "监考/考评员身份证号", id_number=True),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        codes = {row.raw("org_code") for row in rows}
        ctx.cache["points"] = {o.org_code: o for o in _visible(Organization, ctx.user).filter(org_code__in=codes)}
        ctx.cache["sittings"] = {
            s.sitting_code: s for s in Sitting.objects.filter(sitting_code__in=[r.raw("sitting_code") for r in rows])
        }
        numbers = [n.upper() for row in rows for n in row.items("proctors")]
        ctx.cache["staff"] = {p.id_number: p for p in Person.objects.filter(id_number__any=numbers)}
        ctx.cache.setdefault("items", {i.code: i for i in OperationItem.objects.all()})

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        code = row.text("sitting_code", required=True, max_length=40)
        point = ctx.cache["points"].get(row.raw("org_code"))
        if row.raw("org_code") and point is None:
            row.fail("org_code", _("No such organisation in your jurisdiction."), code="unknown_org")
        part = row.choice("part", ExamPart, required=True)
        item_text = row.raw("operation_item")
        item = ctx.cache["items"].get(item_text)
        category = "" if item else item_text if item_text in {"principal", "safety_manager"} else None
        if item is None and category is None:
            row.fail("operation_item", _("Unknown operation item code."))
        starts_at, ends_at = row.datetime("starts_at", required=True), row.datetime("ends_at", required=True)
        staff = []
        for number in row.items("proctors"):
            person = ctx.cache["staff"].get(number.upper())
            if person is None:
                row.fail(
                    "proctors", _("No person with ID number %(n)s: import persons first."), {"n": number[:4] + "…"}
                )
            else:
                staff.append(person)
        existing = ctx.cache["sittings"].get(code)
        if point is not None and row.ok:
            problem = selectors.sitting_problem(
                exam_point=point,
                part=part,
                operation_item=item,
                trainee_category=category or "",
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=None,
            )
            if problem and existing is None:
                row.fail("org_code", problem[1], problem[2], code=problem[0])
            if existing is not None and existing.exam_point_id != point.pk:
                row.fail("sitting_code", _("This sitting belongs to another exam point."), code="scope")
        return {
            "sitting_code": code,
            "point": point,
            "part": part,
            "item": item,
            "category": category or "",
            "starts_at": starts_at,
            "ends_at": ends_at,
            "staff": staff,
            "existing": existing,
        }

    def write(self, rows, ctx: ImportContext) -> WriteCounts:
        records = [
            SittingRecord(
                sitting_code=data["sitting_code"],
                exam_point=data["point"],
                part=data["part"],
                operation_item=data["item"],
                trainee_category=data["category"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                staff=data["staff"],
                sitting=data["existing"],
            )
            for _number, data in rows
        ]
        return services.sitting_record_bulk(actor=ctx.user, rows=records)

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        queryset = _visible(Sitting, ctx.user).select_related("exam_point", "operation_item")
        if ctx.region is not None:
            queryset = queryset.filter(exam_point__region__code__range=region_code_range(ctx.region.prefix))
        for sitting in queryset.order_by("sitting_code").iterator(chunk_size=500):
            staff = list(sitting.staff.order_by("person__id_number").values_list("person_id", "person__id_number"))
            yield {
                "sitting_code": sitting.sitting_code,
                "org_code": sitting.exam_point.org_code,
                "part": sitting.part,
                "operation_item": sitting.operation_item.code
                if sitting.operation_item_id
                else sitting.trainee_category,
                "starts_at": timezone.localtime(sitting.starts_at).isoformat(),
                "ends_at": timezone.localtime(sitting.ends_at).isoformat(),
                "proctors": ";".join(number for _pk, number in staff),
                "_persons": staff,
            }

    def export_person_ids(self, row):
        return row["_persons"]


_PAIR = re.compile(r"^\s*([^=]+?)\s*=\s*([A-Fa-fTt对错]*)\s*$")


@register
class ResultsKind(ExchangeKind):
    """results.csv — 成绩 (key: sitting_code, id_number). Historical results of other systems; a candidate
    not yet registered for the sitting is registered by the import (eligibility is not re-judged)."""

    name = "results"
    title = _("Exam results")
    key = ("sitting_code", "id_number")
    import_perm = Perm.SITTING_MANAGE
    exports_id_numbers = True
    columns = (
        Column("sitting_code", "场次编号", required=True),
        Column("id_number", "身份证号", required=True, id_number=True),
        Column("attempt", "考试次数"),
        Column("score", "成绩"),
        Column("started_at", "开始时间"),
        Column("submitted_at", "交卷时间"),
        Column("answers", "作答"),
        Column("status", "状态"),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        codes = {row.raw("sitting_code") for row in rows}
        ctx.cache["sittings"] = {
            s.sitting_code: s
            for s in _visible(Sitting, ctx.user).filter(sitting_code__in=codes).select_related("exam_point")
        }
        numbers = [row.raw("id_number").upper() for row in rows]
        ctx.cache["persons"] = {p.id_number: p for p in Person.objects.filter(id_number__any=numbers)}
        ctx.cache["registrations"] = {
            (r.sitting_id, r.person_id): r
            for r in Registration.objects.filter(
                sitting__sitting_code__in=codes, person__id_number__any=numbers
            ).select_related("result")
        }

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        sitting = ctx.cache["sittings"].get(row.raw("sitting_code"))
        if row.raw("sitting_code") and sitting is None:
            row.fail("sitting_code", _("No such sitting in your jurisdiction."), code="unknown_sitting")
        number = row.id_number("id_number")
        person = ctx.cache["persons"].get(number)
        if number and person is None:
            row.fail("id_number", _("No person with this ID number: import persons first."), code="unknown_person")
        attempt = row.integer("attempt", min_value=1, max_value=20) or 1
        score = row.decimal("score", min_value=Decimal(0), max_value=Decimal(100))
        status = row.choice("status", ResultStatus) or ResultStatus.VALID
        if status == ResultStatus.VALID and score is None:
            row.fail("score", _("A valid result has a score."), code="required")
        started, submitted = row.datetime("started_at"), row.datetime("submitted_at")
        answers = {}
        for pair in row.items("answers"):
            match = _PAIR.match(pair)
            if not match:
                row.fail("answers", _("Answers are question_code=answer pairs separated by ;."), code="answers")
                break
            answers[match.group(1)] = match.group(2).upper()
        existing = None
        if sitting is not None and person is not None:
            existing = ctx.cache["registrations"].get((sitting.pk, person.pk))
        result = getattr(existing, "result", None) if existing is not None else None
        if not answers and result is not None:
            # A file without the answers given (exported for someone who may not see them) keeps those recorded.
            answers = dict(result.answers)
        return {
            "sitting": sitting,
            "person": person,
            "attempt": attempt,
            "score": score,
            "status": status,
            "started_at": started,
            "submitted_at": submitted,
            "answers": answers,
            "registration": existing,
        }

    def row_key(self, cleaned):
        return (cleaned["sitting"].pk, cleaned["person"].pk)

    def write(self, rows, ctx: ImportContext) -> WriteCounts:
        records = [
            ResultRecord(
                sitting=data["sitting"],
                person=data["person"],
                attempt=data["attempt"],
                score=data["score"],
                status=data["status"],
                started_at=data["started_at"],
                submitted_at=data["submitted_at"],
                answers=data["answers"],
                registration=data["registration"],
            )
            for _number, data in rows
        ]
        return services.result_record_bulk(actor=ctx.user, rows=records)

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        # The answers given copy the key wherever the score is full: only the owner of the banks sees them.
        show_answers = selectors.owns_banks(ctx.user)
        queryset = _visible(Result, ctx.user).select_related("registration__sitting", "registration__person")
        if ctx.region is not None:
            queryset = queryset.filter(
                registration__sitting__exam_point__region__code__range=region_code_range(ctx.region.prefix)
            )
        for result in queryset.order_by(
            "registration__sitting__sitting_code", "registration__person__id_number"
        ).iterator(chunk_size=2000):
            registration = result.registration
            yield {
                "sitting_code": registration.sitting.sitting_code,
                "id_number": registration.person.id_number,
                "attempt": str(registration.attempt),
                "score": "" if result.score is None else str(result.score),
                "started_at": timezone.localtime(result.started_at).isoformat() if result.started_at else "",
                "submitted_at": timezone.localtime(result.submitted_at).isoformat() if result.submitted_at else "",
                "answers": ";".join(f"{code}={answer}" for code, answer in sorted(result.answers.items()))
                if show_answers
                else "",
                "status": result.status,
                "_pk": registration.person_id,
            }

    def export_person_ids(self, row):
        return [(row["_pk"], row["id_number"])]
