"""Exams API: sittings, candidates and results (scoped); findings from video analytics (feed key);
and the candidates' theory exam (a signed exam token from ID number and admission code).

(No `from __future__ import annotations` here: django-ninja reads the annotations at import time.)
"""

import datetime as dt
from decimal import Decimal

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import HttpBearer

from peikao.accounts.throttle import exam_login_guard
from peikao.core.errors import DomainError
from peikao.core.paging import ApiPagination
from peikao.core.schemas import Moment
from peikao.exams import selectors, services
from peikao.exams.choices import ExamPart, ResultStatus, SittingStatus
from peikao.exams.models import Question, Registration

router = Router(tags=["exams"])
EXAM_TOKEN_SALT = "peikao.exam"


class FeedAuth(HttpBearer):
    """``Authorization: Bearer va_…``: the key of a registered video-analytics feed."""

    def authenticate(self, request, token):
        feed = services.feed_authenticate(token)
        if feed is not None:
            request.feed = feed
        return feed


def _registration_id(token: str) -> int | None:
    """The registration an exam token names: a signed key of our own, younger than six hours, and a key the
    database can hold (a token signed over anything else is no token)."""
    try:
        pk = signing.loads(token, salt=EXAM_TOKEN_SALT, max_age=6 * 3600)
    except signing.BadSignature:
        return None
    return pk if type(pk) is int and 0 < pk < 2**63 else None


class ExamTokenAuth(HttpBearer):
    """``Authorization: Bearer <exam token>`` from POST /api/exam/session."""

    def authenticate(self, request, token):
        pk = _registration_id(token)
        if pk is None:
            return None
        registration = (
            Registration.objects.select_related("sitting__blueprint", "paper", "person").filter(pk=pk).first()
        )
        if registration is not None:
            request.registration = registration
        return registration


class ExamTokenIdAuth(HttpBearer):
    """The same token, checked without loading anything: the autosave needs only the registration's id."""

    def authenticate(self, request, token):
        request.registration_id = _registration_id(token)
        return request.registration_id


class SittingOut(Schema):
    sitting_code: str
    exam_point: str
    part: ExamPart
    operation_item: str | None
    trainee_category: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    status: SittingStatus

    @staticmethod
    def resolve_exam_point(obj):
        return obj.exam_point.org_code

    @staticmethod
    def resolve_operation_item(obj):
        return obj.operation_item.code if obj.operation_item_id else None


class CandidateOut(Schema):
    person_id: int
    name: str
    id_number_masked: str
    attempt: int
    score: Decimal | None
    passed: bool | None
    status: str | None

    @staticmethod
    def resolve_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_id_number_masked(obj):
        return obj.person.masked_id_number

    @staticmethod
    def resolve_score(obj):
        result = getattr(obj, "result", None)
        return result.score if result else None

    @staticmethod
    def resolve_passed(obj):
        result = getattr(obj, "result", None)
        return result.passed if result else None

    @staticmethod
    def resolve_status(obj):
        result = getattr(obj, "result", None)
        return result.status if result else None


class AnalyticsEventIn(Schema):
    external_id: str
    sitting_code: str
    observed_at: Moment
    observation: str
    admission_code: str = ""
    confidence: Decimal | None = None


class AnalyticsEventOut(Schema):
    finding_id: int
    created: bool
    status: str


class ExamLoginIn(Schema):
    id_number: str
    admission_code: str


class ExamTokenOut(Schema):
    token: str
    deadline: dt.datetime


class PaperQuestionOut(Schema):
    position: int
    qtype: str
    stem: str
    options: list[str]
    points: Decimal
    answer: str


class PaperOut(Schema):
    deadline: dt.datetime
    questions: list[PaperQuestionOut]


class AnswerIn(Schema):
    answer: str


class SavedOut(Schema):
    position: int
    saved: bool


class ExamResultOut(Schema):
    score: Decimal | None
    passed: bool
    status: ResultStatus


@router.get("/sittings", response=list[SittingOut], summary="Exam sittings in your jurisdiction")
@paginate(ApiPagination)
def sitting_list(request, part: str | None = None, status: str | None = None):
    return selectors.sitting_list(user=request.user, filters={"part": part, "status": status})


@router.get("/sittings/{sitting_code}", response=SittingOut, summary="One sitting")
def sitting_get(request, sitting_code: str):
    return selectors.sitting_get(user=request.user, sitting_code=sitting_code)


@router.get("/sittings/{sitting_code}/candidates", response=list[CandidateOut], summary="Candidates and results")
def sitting_candidates(request, sitting_code: str):
    sitting = selectors.sitting_get(user=request.user, sitting_code=sitting_code)
    return list(selectors.registrations(user=request.user, sitting=sitting))


@router.post(
    "/patrol/events",
    response={200: AnalyticsEventOut, 201: AnalyticsEventOut},
    auth=FeedAuth(),
    summary="An event from a video-analytics system: a finding to review (idempotent per external_id)",
)
def analytics_event(request, payload: AnalyticsEventIn):
    finding, created = services.analytics_event(
        feed=request.feed,
        external_id=payload.external_id,
        sitting_code=payload.sitting_code,
        observed_at=payload.observed_at,
        observation=payload.observation,
        admission_code=payload.admission_code,
        confidence=payload.confidence,
    )
    return Status(201 if created else 200, {"finding_id": finding.pk, "created": created, "status": finding.status})


@router.post("/exam/session", response=ExamTokenOut, auth=None, summary="A candidate starts the theory exam")
def exam_session(request, payload: ExamLoginIn):
    with exam_login_guard(request, id_number=payload.id_number):  # throttled per ID number and per address
        registration = services.candidate_login(id_number=payload.id_number, admission_code=payload.admission_code)
    sheet = services.sheet_start(registration)
    return {"token": signing.dumps(registration.pk, salt=EXAM_TOKEN_SALT), "deadline": sheet.deadline}


@router.get("/exam/paper", response=PaperOut, auth=ExamTokenAuth(), summary="The candidate's paper and saved answers")
def exam_paper(request):
    registration = request.registration
    sheet = services.sheet_start(registration)
    questions = Question.objects.in_bulk([item["q"] for item in registration.paper.items])
    rows = []
    for position, item in enumerate(registration.paper.items):
        question = questions[item["q"]]
        options = [question.options[index] for index in item["o"]] if item["o"] else []
        rows.append(
            {
                "position": position,
                "qtype": question.qtype,
                "stem": question.stem,
                "options": options,
                "points": Decimal(item["p"]),
                "answer": sheet.answers.get(str(position), ""),
            }
        )
    return {"deadline": sheet.deadline, "questions": rows}


@router.put("/exam/answers/{position}", response=SavedOut, auth=ExamTokenIdAuth(), summary="Save one answer")
def exam_answer(request, position: int, payload: AnswerIn):
    if not services.save_answer_by_id(
        registration_id=request.registration_id, position=position, answer=payload.answer
    ):
        raise DomainError("not_started", _("The exam has not been started."), status=409)
    return {"position": position, "saved": True}


@router.post("/exam/submit", response=ExamResultOut, auth=ExamTokenAuth(), summary="Submit and get the score")
def exam_submit(request):
    registration = request.registration
    if not hasattr(registration, "sheet"):
        raise DomainError("not_started", _("The exam has not been started."))
    return services.submit(registration=registration, now=timezone.now())
