"""Compliance gaps as one set-based SQL statement (PostgreSQL and SQLite): rosters against the rules in force.

For every current assignment at an enterprise (dispatched workers included) on the day judged:

- special operators: the best certificate the holder has for the item (valid > suspended > review overdue >
  expired > revoked or cancelled), in the status it had on the day (suspensions, reinstatements and
  revocations recorded later are undone from the certificate events); anything but valid is a gap, and so is
  having none;
- special operators back on the job after 6 months or more away (order No. 30 art. 32, in force on the day
  they came back; unconfirmed from order No. 19's first day) without a passed practical exam since;
- principals and safety managers of high-risk industries in office for 6 months without a valid competency
  certificate for their post (order No. 3 art. 24), and those of units whose own department assesses them
  (construction, road transport: Safety Law art. 27 — advisory);
- employees hired in the last year whose initial training hours fall short of the pre-job minimum of their
  industry; everyone in office for a year whose refresher hours of the last year fall short of the annual
  minimum of their post and industry (advisory where the minimum is a policy figure, or the post is assessed
  by another department).

The tables are named through their models, so the dependency on registry, training, exams and certificates is
an import like any other (and held by the layer contract). The statement returns (organization_id, person_id, gap,
operation_item_id, dispatched_by_id, ref_date, have_tenths, need_tenths, basis, assessed_by, advisory,
unconfirmed); ``explain`` turns a row into words. The hour minimums of every industry are a small VALUES table
(``needs``) joined to the rosters. ``insert_sql`` wraps the statement into an INSERT … SELECT so that a scan never
brings the rows into Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.certificates import rules as certificate_rules
from peikao.certificates.models import Certificate, CertificateEvent
from peikao.compliance import rules
from peikao.compliance.rules import GapType, HourNeeds
from peikao.core.errors import DomainError
from peikao.core.scoping import region_code_range
from peikao.exams.models import Registration, Result, Sitting
from peikao.registry.models import Assignment, Industry, Organization
from peikao.training.models import CreditedHours, Enrolment, HourRule, TrainingClass

COLUMNS = (
    "organization_id",
    "person_id",
    "gap",
    "operation_item_id",
    "dispatched_by_id",
    "ref_date",
    "have_tenths",
    "need_tenths",
    "basis",  # the rule the row is judged by where it depends on the row ('' : the gap type's rule)
    "assessed_by",  # the department that assesses a manager of a construction or transport unit ('' : none)
    "advisory",
    "unconfirmed",
)
FAR_FUTURE = dt.date(9999, 12, 31)
# Typed NULLs: PostgreSQL types a bare NULL of a UNION's first branch as text.
NULL_INT, NULL_DATE = "CAST(NULL AS BIGINT)", "CAST(NULL AS DATE)"


@dataclass(frozen=True)
class Scope:
    """Which enterprises: a region (code prefix), one organisation, or everything."""

    region_prefix: str | None = None
    organization_id: int | None = None


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"(julianday({later}) - julianday({earlier}))"


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def judged_needs(as_of: dt.date) -> HourNeeds:
    """The hour rules in force on ``as_of``; a day no rule judges (before the first was in force, or the last day
    of the calendar, whose next day the statement needs) is refused with the reason, never computed."""
    if not dt.date.min + 2 * rules.YEAR < as_of < FAR_FUTURE:  # the statement looks two years back, a day ahead
        raise DomainError(
            "date_out_of_range",
            _("Compliance cannot be judged on %(date)s: the date is out of range."),
            {"date": as_of},
        )
    if not HourRule.objects.in_force(as_of).exists():
        raise DomainError(
            "no_rule_in_force",
            _("No training-hour rule was in force on %(date)s: compliance cannot be judged on that day."),
            {"date": as_of},
        )
    return rules.hour_needs(as_of)


def _needs_cte(needs: HourNeeds, params: dict) -> str:
    """The hour minimums as a VALUES table: (kind, role, industry_id, tenths, basis, advisory, unconfirmed), one row
    per post and industry (industry 0: an organisation without one). Numbers are inlined (ints), text is bound."""
    rows = [("pre_job", "employee", industry, need) for industry, need in sorted(needs.pre_job.items())]
    rows += [("refresher", post, industry, need) for (post, industry), need in sorted(needs.refresher.items())]
    values = []
    for index, (kind, role, industry, need) in enumerate(rows):
        params[f"nb{index}"] = need.basis
        advisory = "%(true)s" if need.advisory else "%(false)s"
        unconfirmed = "%(true)s" if need.unconfirmed else "%(false)s"
        values.append(
            f"('{kind}', '{role}', {int(industry)}, {int(need.tenths)}, %(nb{index})s, {advisory}, {unconfirmed})"
        )
    if not values:  # no minimum in force for anyone: a row that matches no one
        values.append("('none', 'none', -1, 0, '', %(false)s, %(false)s)")
    return f"needs (kind, role, industry_id, tenths, basis, advisory, unconfirmed) AS (VALUES {', '.join(values)})"


def gap_sql(as_of: dt.date, scope: Scope) -> tuple[str, dict]:
    """The statement and its parameters."""
    deadlines = rules.deadlines()
    needs = judged_needs(as_of)
    abolished = certificate_rules.reviews_abolished_on() or FAR_FUTURE
    params: dict = {
        "d": as_of,
        "abolished": abolished,
        "d_manager": rules.months_before(as_of, deadlines.manager_assessment_months),
        "d_year": as_of - rules.YEAR,
        "d_two_years": as_of - 2 * rules.YEAR,
        "away_until": deadlines.away_rule_until or FAR_FUTURE,
        "away_from": deadlines.away_rule_from or dt.date(1900, 1, 1),
        "away_unconfirmed": deadlines.away_unconfirmed_from or FAR_FUTURE,
        "away_days": rules.SIX_MONTHS_DAYS,
        "manager_basis": deadlines.manager_basis,
        "elsewhere_basis": rules.ASSESSED_ELSEWHERE_BASIS,
        "true": True,
        "false": False,
        # Certificate changes recorded from the next day on did not apply yet on the day (status_then).
        "d_end": connection.ops.adapt_datetimefield_value(
            timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
        ),
    }
    scope_sql = ""
    if scope.organization_id is not None:
        scope_sql = " AND o.id = %(org)s"
        params["org"] = scope.organization_id
    elif scope.region_prefix:
        params["low"], params["high"] = region_code_range(scope.region_prefix)
        scope_sql = " AND o.region_id BETWEEN %(low)s AND %(high)s"
    needs_cte = _needs_cte(needs, params)
    # A principal's or safety manager's department, where it is not this regulator (Safety Law art. 27).
    elsewhere = "COALESCE(i.competency_assessed_by, '')"
    manager_elsewhere = f"(a.role IN ('principal', 'safety_manager') AND {elsewhere} <> '')"

    assignment = _table(Assignment)
    organization = _table(Organization)
    industry = _table(Industry)
    certificate = _table(Certificate)
    certificate_event = _table(CertificateEvent)
    enrolment = _table(Enrolment)
    credited = _table(CreditedHours)
    training_class = _table(TrainingClass)
    result = _table(Result)
    registration = _table(Registration)
    sitting = _table(Sitting)
    current = "a.start_date <= %(d)s AND (a.end_date IS NULL OR a.end_date >= %(d)s)"
    enterprise = "o.kind = 'enterprise'"
    # A certificate's status on the day, not today: the first change recorded after the day says what it was
    # before (its old status; a certificate imported later is taken as imported). COALESCE(st.status, c.status).
    status_then = f"""
status_then AS (
    SELECT x.certificate_id, COALESCE(NULLIF(x.old_status, ''), x.new_status) AS status
    FROM (SELECT e.certificate_id, e.old_status, e.new_status,
                 ROW_NUMBER() OVER (PARTITION BY e.certificate_id ORDER BY e.time, e.id) AS n
          FROM {certificate_event} e WHERE e.time >= %(d_end)s) x
    WHERE x.n = 1
)"""
    sql = f"""
WITH {status_then},
{needs_cte},
cur AS (
    SELECT a.id, a.organization_id, a.person_id, a.operation_item_id, a.dispatched_by_id, a.start_date
    FROM {assignment} a JOIN {organization} o ON o.id = a.organization_id
    WHERE a.role = 'special_operator' AND {current} AND {enterprise}{scope_sql}
),
ranked AS (
    SELECT c.person_id, c.operation_item_id, MAX(c.valid_until) AS last_until, MIN(CASE
        WHEN COALESCE(st.status, c.status) IN ('revoked', 'cancelled') THEN 4
        WHEN COALESCE(st.status, c.status) = 'suspended' THEN 1
        WHEN c.valid_until < %(d)s THEN 3
        WHEN c.next_review_due IS NOT NULL AND c.next_review_due < %(d)s AND c.next_review_due < %(abolished)s THEN 2
        ELSE 0 END) AS best
    FROM {certificate} c LEFT JOIN status_then st ON st.certificate_id = c.id
    WHERE c.cert_type = 'special_operation' AND c.first_issued_on <= %(d)s
      AND c.person_id IN (SELECT person_id FROM cur)
    GROUP BY c.person_id, c.operation_item_id
),
prev AS (
    SELECT cur.id AS cur_id, MAX(p.end_date) AS last_end
    FROM cur JOIN {assignment} p ON p.person_id = cur.person_id AND p.operation_item_id = cur.operation_item_id
    WHERE p.role = 'special_operator' AND p.id <> cur.id AND p.end_date IS NOT NULL AND p.end_date < cur.start_date
    GROUP BY cur.id
),
initial_hours AS (
    SELECT e.person_id, SUM(ch.credited_tenths) AS tenths
    FROM {enrolment} e JOIN {credited} ch ON ch.enrolment_id = e.id
    JOIN {training_class} tc ON tc.id = e.training_class_id
    WHERE tc.trainee_category = 'employee' AND tc.training_type = 'initial'
      AND tc.end_date <= %(d)s AND tc.end_date >= %(d_two_years)s
    GROUP BY e.person_id
),
refresher_hours AS (
    SELECT e.person_id, tc.trainee_category AS category, SUM(ch.credited_tenths) AS tenths
    FROM {enrolment} e JOIN {credited} ch ON ch.enrolment_id = e.id
    JOIN {training_class} tc ON tc.id = e.training_class_id
    WHERE tc.training_type = 'refresher' AND tc.end_date > %(d_year)s AND tc.end_date <= %(d)s
    GROUP BY e.person_id, tc.trainee_category
)
SELECT cur.organization_id, cur.person_id,
    CASE WHEN r.best IS NULL THEN '{GapType.SPECOPS_NO_CERTIFICATE}'
         WHEN r.best = 1 THEN '{GapType.SPECOPS_CERTIFICATE_SUSPENDED}'
         WHEN r.best = 2 THEN '{GapType.SPECOPS_REVIEW_OVERDUE}'
         WHEN r.best = 3 THEN '{GapType.SPECOPS_CERTIFICATE_EXPIRED}'
         ELSE '{GapType.SPECOPS_CERTIFICATE_REVOKED}' END,
    cur.operation_item_id, cur.dispatched_by_id, r.last_until, {NULL_INT}, {NULL_INT},
    '', '', %(false)s, %(false)s
FROM cur LEFT JOIN ranked r ON r.person_id = cur.person_id AND r.operation_item_id = cur.operation_item_id
WHERE r.best IS NULL OR r.best > 0
UNION ALL
SELECT cur.organization_id, cur.person_id, '{GapType.SPECOPS_AWAY_6_MONTHS}', cur.operation_item_id,
    cur.dispatched_by_id, prev.last_end, {NULL_INT}, {NULL_INT}, '', '', %(false)s,
    CASE WHEN cur.start_date >= %(away_unconfirmed)s THEN %(true)s ELSE %(false)s END
FROM cur JOIN prev ON prev.cur_id = cur.id
WHERE cur.start_date <= %(away_until)s AND cur.start_date >= %(away_from)s
  AND {_days_between("cur.start_date", "prev.last_end")} >= %(away_days)s
  AND NOT EXISTS (
    SELECT 1 FROM {assignment} q
    WHERE q.person_id = cur.person_id AND q.operation_item_id = cur.operation_item_id AND q.role = 'special_operator'
      AND q.id <> cur.id AND q.start_date < cur.start_date AND (q.end_date IS NULL OR q.end_date >= cur.start_date))
  AND NOT EXISTS (
    SELECT 1 FROM {result} res JOIN {registration} g ON g.id = res.registration_id
    JOIN {sitting} s ON s.id = g.sitting_id
    WHERE g.person_id = cur.person_id AND s.operation_item_id = cur.operation_item_id AND s.part = 'practical'
      AND res.status = 'valid' AND res.passed = %(true)s AND s.starts_at >= prev.last_end)
UNION ALL
SELECT a.organization_id, a.person_id, '{GapType.MANAGER_NO_COMPETENCY_CERTIFICATE}', {NULL_INT}, a.dispatched_by_id,
    a.start_date, {NULL_INT}, {NULL_INT},
    CASE WHEN {elsewhere} <> '' THEN %(elsewhere_basis)s ELSE %(manager_basis)s END, {elsewhere},
    CASE WHEN {elsewhere} <> '' THEN %(true)s ELSE %(false)s END,
    CASE WHEN {elsewhere} = '' AND i.confirmed = %(false)s THEN %(true)s ELSE %(false)s END
FROM {assignment} a JOIN {organization} o ON o.id = a.organization_id JOIN {industry} i ON i.id = o.industry_id
WHERE a.role IN ('principal', 'safety_manager') AND {current} AND {enterprise}{scope_sql}
  AND (i.high_risk = %(true)s OR {elsewhere} <> '') AND a.start_date <= %(d_manager)s
  AND NOT EXISTS (
    SELECT 1 FROM {certificate} c LEFT JOIN status_then st ON st.certificate_id = c.id
    WHERE c.person_id = a.person_id AND c.cert_type = 'competency' AND c.trainee_category = a.role
      AND COALESCE(st.status, c.status) = 'valid' AND c.valid_until >= %(d)s AND c.first_issued_on <= %(d)s)
UNION ALL
SELECT a.organization_id, a.person_id, '{GapType.NEW_EMPLOYEE_PRE_JOB_TRAINING_SHORT}', {NULL_INT}, a.dispatched_by_id,
    a.start_date, COALESCE(h.tenths, 0), n.tenths, n.basis, '', n.advisory, n.unconfirmed
FROM {assignment} a JOIN {organization} o ON o.id = a.organization_id
JOIN needs n ON n.kind = 'pre_job' AND n.industry_id = COALESCE(o.industry_id, 0)
LEFT JOIN initial_hours h ON h.person_id = a.person_id
WHERE a.role = 'employee' AND {current} AND {enterprise}{scope_sql} AND a.start_date > %(d_year)s
  AND COALESCE(h.tenths, 0) < n.tenths
UNION ALL
SELECT a.organization_id, a.person_id, '{GapType.ANNUAL_REFRESHER_SHORT}', {NULL_INT}, a.dispatched_by_id,
    {NULL_DATE}, COALESCE(h.tenths, 0), n.tenths,
    CASE WHEN {manager_elsewhere} THEN %(elsewhere_basis)s ELSE n.basis END,
    CASE WHEN {manager_elsewhere} THEN {elsewhere} ELSE '' END,
    CASE WHEN n.advisory = %(true)s OR {manager_elsewhere} THEN %(true)s ELSE %(false)s END,
    CASE WHEN {manager_elsewhere} THEN %(false)s ELSE n.unconfirmed END
FROM {assignment} a JOIN {organization} o ON o.id = a.organization_id
LEFT JOIN {industry} i ON i.id = o.industry_id
JOIN needs n ON n.kind = 'refresher' AND n.role = a.role AND n.industry_id = COALESCE(o.industry_id, 0)
LEFT JOIN refresher_hours h ON h.person_id = a.person_id AND h.category = a.role
WHERE a.role IN ('principal', 'safety_manager', 'employee') AND {current} AND {enterprise}{scope_sql}
  AND a.start_date <= %(d_year)s AND COALESCE(h.tenths, 0) < n.tenths
"""
    return sql, params


def rows(as_of: dt.date, scope: Scope):
    """The gap rows, streamed from the database (tuples in COLUMNS order)."""
    sql, params = gap_sql(as_of, scope)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            batch = cursor.fetchmany(5000)
            if not batch:
                return
            yield from batch


def insert_sql(table: str, scan_id: int, as_of: dt.date, scope: Scope) -> tuple[str, dict]:
    sql, params = gap_sql(as_of, scope)
    columns = ", ".join(("scan_id", *COLUMNS))
    params["scan_id"] = scan_id
    return f"INSERT INTO {table} ({columns}) SELECT %(scan_id)s, g.* FROM ({sql}) g", params
