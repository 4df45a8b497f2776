"""An alert's evidence as a regulator reads it: tables with Chinese column labels (from the evidence JSON each
detector writes) and a small timeline of the overlapping intervals, drawn server-side as inline SVG (no script:
the CSP allows none inline, and no CDN).

No code of the detectors reaches the page: a role is named in words, a key unknown here is left out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from peikao.registry.choices import AssignmentRole


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    key: str = ""


@dataclass
class Bar:
    row: int
    start: dt.datetime
    end: dt.datetime
    label: str
    overlap: bool = False


@dataclass
class Timeline:
    lanes: list[str]
    bars: list[Bar] = field(default_factory=list)
    overlaps: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)


def _role(code: str) -> str:
    return str(AssignmentRole(code).label) if code in AssignmentRole.values else ""


def _roles(codes: list[str] | None) -> str:
    return "、".join(filter(None, (_role(code) for code in codes or [])))


def _person(person: dict | None) -> str:
    person = person or {}
    name, number = person.get("name", ""), person.get("id_number", "")
    return f"{name}（{number}）" if name and number else name or number


def _time(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None


def _percent(part: Any, whole: Any) -> str:
    try:
        return f"{100 * int(part) / int(whole):.1f}%"
    except (TypeError, ValueError, ZeroDivisionError):
        return "—"


def _p(value: Any) -> str:
    try:
        return f"{float(value):.3g}"
    except (TypeError, ValueError):
        return "—"


def _quarter(text: Any) -> str:
    """A quarter as the detector keys it (2026Q3) in words."""
    year, _sep, number = str(text or "").partition("Q")
    if not (year.isdigit() and number in ("1", "2", "3", "4")):
        return str(text or "")
    return _("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": number}


def _facts(rows: list[tuple[str, Any]]) -> Table:
    return Table(
        _("Facts"),
        [_("Item"), _("Value")],
        [[label, value] for label, value in rows if value not in (None, "")],
        "facts",
    )


def _two_places(evidence: dict) -> tuple[list[Table], Timeline | None]:
    role = evidence.get("role")
    who = _("Teacher") if role == "teacher" else _("Trainee")
    classes = evidence.get("classes") or ["", ""]
    pairs = evidence.get("pairs") or []
    facts = _facts(
        [
            (who, _person(evidence.get("person"))),
            (_("Classes"), "、".join(classes)),
            (_("Overlapping lessons"), len(pairs)),
            (_("Minutes overlapping in all"), evidence.get("overlap_minutes")),
        ]
    )
    lessons = Table(
        _("Lessons at the same time"),
        [
            _("Lesson (class A)"),
            _("From"),
            _("To"),
            _("Lesson (class B)"),
            _("From"),
            _("To"),
            _("Minutes overlapping"),
        ],
        [
            [
                p.get("lesson_a"),
                p.get("from_a"),
                p.get("to_a"),
                p.get("lesson_b"),
                p.get("from_b"),
                p.get("to_b"),
                p.get("overlap_minutes"),
            ]
            for p in pairs
        ],  # fmt: skip
        "lessons",
    )
    timeline = Timeline(lanes=[f"{_('Class')} {classes[0]}", f"{_('Class')} {classes[-1]}"])
    for p in pairs:
        a_from, a_to, b_from, b_to = (_time(p.get(k)) for k in ("from_a", "to_a", "from_b", "to_b"))
        if None in (a_from, a_to, b_from, b_to):
            continue
        timeline.bars.append(Bar(0, a_from, a_to, p.get("lesson_a", "")))
        timeline.bars.append(Bar(1, b_from, b_to, p.get("lesson_b", "")))
        start, end = max(a_from, b_from), min(a_to, b_to)
        if start < end:
            timeline.overlaps.append((start, end))
    return [facts, lessons], timeline if timeline.bars else None


def _day_overload(evidence: dict) -> tuple[list[Table], Timeline | None]:
    lessons = evidence.get("lessons") or []
    minutes = evidence.get("minutes")
    facts = _facts(
        [
            (_("Trainee"), _person(evidence.get("person"))),
            (_("Day"), evidence.get("day")),
            (_("Lessons"), len(lessons)),
            (_("Minutes credited that day"), minutes),
            (_("Hours credited that day"), f"{int(minutes) / 60:.1f}" if isinstance(minutes, int) else None),
        ]
    )
    table = Table(
        _("Lessons credited that day"),
        [_("Lesson"), _("Class"), _("Organisation code"), _("From"), _("To"), _("Minutes credited")],
        [
            [
                row.get("lesson"),
                row.get("class"),
                row.get("organization"),
                row.get("from"),
                row.get("to"),
                row.get("credited_minutes"),
            ]
            for row in lessons
        ],  # fmt: skip
        "lessons",
    )
    classes = list(dict.fromkeys(row.get("class", "") for row in lessons))
    timeline = Timeline(lanes=[f"{_('Class')} {code}" for code in classes])
    for row in lessons:
        start, end = _time(row.get("from")), _time(row.get("to"))
        if start is not None and end is not None:
            timeline.bars.append(Bar(classes.index(row.get("class", "")), start, end, row.get("lesson", "")))
    ordered = sorted(timeline.bars, key=lambda bar: bar.start)
    for first, second in zip(ordered, ordered[1:], strict=False):
        start, end = max(first.start, second.start), min(first.end, second.end)
        if start < end:
            timeline.overlaps.append((start, end))
    return [facts, table], timeline if timeline.bars else None


def _cloned_checkins(evidence: dict) -> tuple[list[Table], Timeline | None]:
    instants = evidence.get("instants") or []
    facts = _facts(
        [
            (_("Lesson"), evidence.get("lesson")),
            (_("Class"), evidence.get("class")),
            (_("Trainees signing in at a shared instant"), sum(int(row.get("people") or 0) for row in instants)),
        ]
    )
    table = Table(
        _("Check-ins at the same instant"),
        [_("Instant (to the second)"), _("Trainees")],
        [[row.get("at"), row.get("people")] for row in instants],
        "instants",
    )
    return [facts, table], None


def _identical_answers(evidence: dict) -> tuple[list[Table], Timeline | None]:
    scores = evidence.get("scores") or ["", ""]
    common, agree, wrong = evidence.get("common"), evidence.get("agree"), evidence.get("same_wrong")
    facts = _facts([(_("Sitting"), evidence.get("sitting"))])
    comparison = Table(
        _("Answer comparison"),
        [
            _("Candidate"),
            _("Score"),
            _("Questions answered by both"),
            _("Same answer"),
            _("Agreement"),
            _("Same wrong answer"),
        ],  # fmt: skip
        [
            [_person(evidence.get("candidate")), scores[0], common, agree, _percent(agree, common), wrong],
            [_person(evidence.get("other_candidate")), scores[-1], common, agree, _percent(agree, common), wrong],
        ],
        "answers",
    )
    return [facts, comparison], None


def _too_fast(evidence: dict) -> tuple[list[Table], Timeline | None]:
    table = Table(
        _("Time spent on the paper"),
        [
            _("Candidate"),
            _("Sitting"),
            _("Questions"),
            _("Seconds from start to submission"),
            _("Seconds per question"),
            _("Score"),
        ],  # fmt: skip
        [
            [
                _person(evidence.get("candidate")),
                evidence.get("sitting"),
                evidence.get("questions"),
                evidence.get("seconds"),
                evidence.get("seconds_per_question"),
                evidence.get("score"),
            ]
        ],  # fmt: skip
        "paper",
    )
    return [table], None


def _pass_rate(evidence: dict) -> tuple[list[Table], Timeline | None]:
    n, k = evidence.get("first_attempts"), evidence.get("passed")
    others_n, others_k = evidence.get("others_first_attempts"), evidence.get("others_passed")
    counts = Table(
        _("Pass rates of first attempts"),
        [_("Exam points"), _("First attempts"), _("Passed"), _("Pass rate")],
        [
            [_("This exam point"), n, k, _percent(k, n)],
            [_("The other exam points of the province"), others_n, others_k, _percent(others_k, others_n)],
        ],
        "counts",
    )
    test = _facts(
        [
            (_("Operation item"), evidence.get("item")),
            (_("Quarter"), _quarter(evidence.get("quarter"))),
            (_("p-value (one-sided binomial test)"), _p(evidence.get("p_value"))),
            (_("p-value adjusted (Benjamini–Hochberg)"), _p(evidence.get("bh_adjusted_p"))),
            (_("Tests in the province"), evidence.get("tests")),
            (_("False discovery rate q"), evidence.get("q")),
        ]
    )
    return [counts, test], None


def _not_separated(evidence: dict) -> tuple[list[Table], Timeline | None]:
    table = _facts(
        [
            (_("Person"), _person(evidence.get("person"))),
            (_("Exam roles at the exam point"), _roles(evidence.get("exam_roles"))),
            (_("Training institution (code)"), evidence.get("training_institution")),
            (_("Roles at the training institution"), _roles(evidence.get("training_roles"))),
            (_("Its trainees examined at the exam point"), evidence.get("trainees")),
            (_("Sittings"), evidence.get("sittings")),
            (_("From"), evidence.get("first_day")),
            (_("To"), evidence.get("last_day")),
        ]
    )
    return [table], None


RENDERERS = {
    "TRN-PERSON-TWO-PLACES": _two_places,
    "TRN-TEACHER-TWO-PLACES": _two_places,
    "TRN-DAY-OVERLOAD": _day_overload,
    "TRN-CLONED-CHECKINS": _cloned_checkins,
    "EXM-IDENTICAL-ANSWERS": _identical_answers,
    "EXM-TOO-FAST": _too_fast,
    "EXM-PASS-RATE-OUTLIER": _pass_rate,
    "EXM-TRAINING-NOT-SEPARATED": _not_separated,
}


def evidence_of(detector_code: str, evidence: dict | None) -> tuple[list[Table], SafeString | None]:
    """The tables and the timeline (SVG or None) of an alert's evidence."""
    render = RENDERERS.get(detector_code)
    if render is None or not isinstance(evidence, dict):
        return [], None
    try:
        tables, timeline = render(evidence)
    except (AttributeError, TypeError, ValueError, IndexError, KeyError):
        return [], None  # evidence of another shape (an older run): the explanation still reads it out
    return tables, timeline_svg(timeline) if timeline is not None else None


# -- the timeline -----------------------------------------------------------------------------------------------

WIDTH, PAD, LANE, TOP, AXIS = 420, 8, 36, 4, 20


def timeline_svg(timeline: Timeline) -> SafeString:
    """The lanes (one per class, its name above it) with a bar per lesson and the overlaps shaded across the
    lanes, time on an axis below (Beijing times, as in the evidence)."""
    start = min(bar.start for bar in timeline.bars)
    end = max(bar.end for bar in timeline.bars)
    span = max((end - start).total_seconds(), 60.0)
    plot = WIDTH - 2 * PAD
    lanes_bottom = TOP + LANE * len(timeline.lanes)
    height = lanes_bottom + AXIS

    def x(moment: dt.datetime) -> float:
        return round(PAD + plot * (moment - start).total_seconds() / span, 1)

    def width(first: dt.datetime, last: dt.datetime) -> float:
        return max(x(last) - x(first), 1.5)

    parts: list[SafeString] = []
    overlap = _("Overlap")
    for first, last in timeline.overlaps:
        parts.append(
            format_html(
                '<rect class="overlap" x="{}" y="{}" width="{}" height="{}" fill="#d9480f" fill-opacity="0.25">'
                "<title>{}</title></rect>",
                x(first),
                TOP + 14,
                width(first, last),
                lanes_bottom - TOP - 12,
                f"{overlap} {first:%H:%M}–{last:%H:%M}",
            )  # fmt: skip
        )
    for index, lane in enumerate(timeline.lanes):
        top = TOP + LANE * index
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" fill="currentColor">{}</text>'
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#adb5bd" stroke-width="1"/>',
                PAD,
                top + 12,
                lane[:40],
                PAD,
                WIDTH - PAD,
                top + 25,
                top + 25,
            )  # fmt: skip
        )
    for bar in timeline.bars:
        parts.append(
            format_html(
                '<rect class="lesson" x="{}" y="{}" width="{}" height="16" rx="3" fill="#1c7ed6">'
                "<title>{}</title></rect>",
                x(bar.start),
                TOP + LANE * bar.row + 17,
                width(bar.start, bar.end),
                f"{bar.label} {bar.start:%Y-%m-%d %H:%M}–{bar.end:%H:%M}",
            )  # fmt: skip
        )
    ticks = 4
    long_span = (end - start) >= dt.timedelta(days=1)
    for tick in range(ticks + 1):
        moment = start + (end - start) * tick / ticks
        anchor = "start" if tick == 0 else "end" if tick == ticks else "middle"
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="{}" fill="currentColor">{}</text>',
                x(moment),
                lanes_bottom + 14,
                anchor,
                f"{moment:%m-%d %H:%M}" if long_span else f"{moment:%H:%M}",
            )  # fmt: skip
        )
    body = format_html_join("", "{}", ((part,) for part in parts))
    return format_html(
        '<svg class="timeline" role="img" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet"'
        ' xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        WIDTH, height, _("Timeline of the lessons: overlaps shaded"), body,
    )  # fmt: skip
