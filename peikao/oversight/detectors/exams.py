"""Detectors of fake exams: copied or handed-out answers, papers answered faster than anyone reads, exam points
where (almost) everyone passes, and 培考不分 — exam staff who also teach the candidates' training institution."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from peikao.core.i18n import render
from peikao.lib.binomial import benjamini_hochberg, binomial_upper_tail
from peikao.oversight.detectors import names
from peikao.oversight.detectors.base import (
    FAR_DATE,
    Found,
    RunScope,
    as_aware,
    as_date,
    beijing_date,
    beijing_quarter,
    day_of,
    days_text,
    detector,
    epoch,
    fetch,
    greatest,
    json_array_size,
    json_entries,
    json_object_size,
    json_value,
    least,
    postgres,
)
from peikao.registry.choices import AssignmentRole

VALID = "valid"


def _sitting_scope(scope: RunScope) -> tuple[str, list]:
    time, time_params = scope.time_sql("s.starts_at")
    region, region_params = scope.region_sql("o.region_id")
    return f"{time} AND {region}", [*time_params, *region_params]


@detector("EXM-IDENTICAL-ANSWERS")
def identical_answers(scope: RunScope) -> list[Found]:
    """Two candidates of one theory sitting with enough answered questions in common, agreeing on nearly all of
    them and sharing enough identical wrong answers. One alert per pair, on the candidate who submitted later.

    The answers are unnested once, keeping only the wrong ones (a few a paper), keyed by integers (sitting,
    question) and the answer; the pairs of one sitting are counted by a self-join on that key (the CTE, used twice,
    is computed once), grouped on the two result ids alone. Only the pairs sharing enough identical wrong answers
    (few) are then compared on every answer, looked up by question in the other paper: comparing every pair of a
    sitting on every question would read 50·49/2·100 rows a sitting.

    (Filtering first the papers with fewer wrong answers than the threshold was measured slower: it reads the
    wrong answers twice and removes few pair rows.)"""
    where, params = _sitting_scope(scope)
    entries = json_entries("r.answers")
    lateral = f"CROSS JOIN LATERAL {entries} AS j" if postgres() else f", {entries} j"
    entries_a = json_entries("ra.answers")
    lateral_a = f"CROSS JOIN LATERAL {entries_a} AS j" if postgres() else f", {entries_a} j"
    other = json_value("rb.answers", "j.key")
    sql = f"""
    WITH wrong AS (
        SELECT r.id AS result_id, g.sitting_id, q.id AS question_id, j.value AS answer
        FROM exams_result r
        JOIN exams_registration g ON g.id = r.registration_id
        JOIN exams_sitting s ON s.id = g.sitting_id
        JOIN registry_organization o ON o.id = s.exam_point_id
        {lateral}
        JOIN exams_question q ON q.question_code = j.key
        WHERE s.part = 'theory' AND r.status = '{VALID}' AND {where}
          AND j.value IS NOT NULL AND j.value <> '' AND j.value <> q.answer
    ),
    suspects AS (
        SELECT a.result_id AS result_a, b.result_id AS result_b, COUNT(*) AS same_wrong
        FROM wrong a
        JOIN wrong b ON b.sitting_id = a.sitting_id AND b.question_id = a.question_id AND b.answer = a.answer
             AND b.result_id > a.result_id
        GROUP BY a.result_id, b.result_id
        HAVING COUNT(*) >= %s
    ),
    pairs AS (
        SELECT p.result_a, p.result_b, p.same_wrong, COUNT(*) AS common,
               SUM(CASE WHEN j.value = {other} THEN 1 ELSE 0 END) AS agree
        FROM suspects p
        JOIN exams_result ra ON ra.id = p.result_a
        JOIN exams_result rb ON rb.id = p.result_b
        {lateral_a}
        WHERE j.value IS NOT NULL AND j.value <> '' AND {other} IS NOT NULL AND {other} <> ''
        GROUP BY p.result_a, p.result_b, p.same_wrong
        HAVING COUNT(*) >= %s
    )
    SELECT p.result_a, p.result_b, ga.sitting_id, p.common, p.agree, p.same_wrong,
           ga.person_id AS person_a, gb.person_id AS person_b, ra.submitted_at AS submitted_a,
           rb.submitted_at AS submitted_b, ra.score AS score_a, rb.score AS score_b,
           s.exam_point_id AS org_id, {epoch("s.starts_at")} AS starts
    FROM pairs p
    JOIN exams_result ra ON ra.id = p.result_a
    JOIN exams_result rb ON rb.id = p.result_b
    JOIN exams_registration ga ON ga.id = ra.registration_id
    JOIN exams_registration gb ON gb.id = rb.registration_id
    JOIN exams_sitting s ON s.id = ga.sitting_id
    WHERE p.agree * 10000 >= %s * p.common"""
    min_common = int(scope.threshold("min_common"))
    ratio = scope.threshold("min_agree_ratio")
    min_wrong = int(scope.threshold("min_same_wrong"))
    # ~10 pairs a paper: hashed in the memory of every scan (base.SCAN_SETTINGS), not spilled to disk in batches.
    rows = fetch(sql, [*params, min_wrong, min_common, int(ratio * 10000)])
    persons = names.persons(row[k] for row in rows for k in ("person_a", "person_b"))
    orgs = names.organizations(row["org_id"] for row in rows)
    sittings = names.sittings(row["sitting_id"] for row in rows)
    found = []
    for row in rows:
        a, b = ("a", "b")
        submitted_a = as_aware(row["submitted_a"]) if row["submitted_a"] else None
        submitted_b = as_aware(row["submitted_b"]) if row["submitted_b"] else None
        if submitted_a is not None and (submitted_b is None or submitted_a > submitted_b):
            a, b = "b", "a"  # the alert is on the later paper; the other candidate is named beside
        person, other = row[f"person_{b}"], row[f"person_{a}"]
        day = day_of(row["starts"])
        agree_pct = f"{100 * int(row['agree']) / int(row['common']):.1f}"
        found.append(
            Found(
                organization_id=row["org_id"],
                person_id=person,
                period_from=day,
                period_to=day,
                keys=(sittings[row["sitting_id"]], *sorted(map(str, (row["person_a"], row["person_b"])))),
                evidence={
                    "sitting": sittings[row["sitting_id"]],
                    "candidate": persons.get(person, {}),
                    "other_candidate": persons.get(other, {}),
                    "common": int(row["common"]),
                    "agree": int(row["agree"]),
                    "same_wrong": int(row["same_wrong"]),
                    "scores": [str(row[f"score_{b}"]), str(row[f"score_{a}"])],
                },
                figures={
                    "org": orgs[row["org_id"]]["name"],
                    "sitting": sittings[row["sitting_id"]],
                    "person": persons.get(person, {}).get("name", ""),
                    "other_person": persons.get(other, {}).get("name", ""),
                    "common": int(row["common"]),
                    "agree": int(row["agree"]),
                    "agree_pct": agree_pct,
                    "same_wrong": int(row["same_wrong"]),
                    "min_common": min_common,
                    "min_agree_pct": f"{ratio * 100:g}",
                    "min_same_wrong": min_wrong,
                },
            )
        )
    return found


@detector("EXM-TOO-FAST")
def too_fast(scope: RunScope) -> list[Found]:
    """A passed, valid theory paper whose time from start to submission averages under the threshold per
    question (the questions of its paper, else those it answered; on PostgreSQL counted by a path query, a few
    times cheaper than the rows of jsonb_object_keys)."""
    where, params = _sitting_scope(scope)
    seconds = f"{epoch('COALESCE(r.submitted_at, sh.submitted_at)')} - {epoch('COALESCE(r.started_at, sh.started_at)')}"
    questions = f"COALESCE({json_array_size('p.items')}, {json_object_size('r.answers')})"
    sql = f"""
    WITH timed AS (
        SELECT r.id AS result_id, g.person_id, s.id AS sitting_id, s.exam_point_id AS org_id, r.score,
               {seconds} AS seconds, {questions} AS questions, {epoch("s.starts_at")} AS starts
        FROM exams_result r
        JOIN exams_registration g ON g.id = r.registration_id
        JOIN exams_sitting s ON s.id = g.sitting_id
        JOIN registry_organization o ON o.id = s.exam_point_id
        LEFT JOIN exams_answersheet sh ON sh.registration_id = r.registration_id
        LEFT JOIN exams_paper p ON p.registration_id = r.registration_id
        WHERE s.part = 'theory' AND r.passed = %s AND r.status = '{VALID}' AND {where}
    )
    SELECT * FROM timed WHERE questions > 0 AND seconds IS NOT NULL AND seconds * 100 < %s * questions"""
    minimum = scope.threshold("min_seconds_per_question")
    rows = fetch(sql, [True, *params, int(minimum * 100)])
    persons = names.persons(row["person_id"] for row in rows)
    orgs = names.organizations(row["org_id"] for row in rows)
    sittings = names.sittings(row["sitting_id"] for row in rows)
    found = []
    for row in rows:
        day = day_of(row["starts"])
        spent, count = max(int(row["seconds"]), 0), int(row["questions"])
        found.append(
            Found(
                organization_id=row["org_id"],
                person_id=row["person_id"],
                period_from=day,
                period_to=day,
                keys=(sittings[row["sitting_id"]],),
                evidence={
                    "sitting": sittings[row["sitting_id"]],
                    "candidate": persons.get(row["person_id"], {}),
                    "seconds": spent,
                    "questions": count,
                    "seconds_per_question": round(spent / count, 2),
                    "score": str(row["score"]),
                },
                figures={
                    "person": persons.get(row["person_id"], {}).get("name", ""),
                    "org": orgs[row["org_id"]]["name"],
                    "sitting": sittings[row["sitting_id"]],
                    "questions": count,
                    "seconds": spent,
                    "per_question": f"{spent / count:.2f}",
                    "min_seconds": f"{minimum:g}",
                    "score": f"{row['score']:g}" if row["score"] is not None else "—",
                },
            )
        )
    return found


def _quarter_bounds(key: int) -> tuple[dt.date, dt.date]:
    year, quarter = divmod(int(key), 10)
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


@detector("EXM-PASS-RATE-OUTLIER")
def pass_rate_outlier(scope: RunScope) -> list[Found]:
    """Per exam point, operation item and quarter with enough first attempts: a one-sided exact binomial test of
    its theory pass rate against the pooled rate of the province's other exam points for that item and quarter,
    Benjamini–Hochberg across all the tests at q. The counts come from one grouped statement; the tests run on the
    groups (a few per exam point). A region's run still pools its whole province."""
    time, time_params = scope.time_sql("s.starts_at")
    province = scope.region_prefix[:2]
    region, region_params = RunScope(thresholds={}, region_prefix=province).region_sql("o.region_id")
    quarter = beijing_quarter("s.starts_at")
    sql = f"""
    SELECT s.exam_point_id AS org_id, o.region_id, s.operation_item_id AS item_id, {quarter} AS quarter,
           COUNT(*) AS n, SUM(CASE WHEN r.passed THEN 1 ELSE 0 END) AS k
    FROM exams_result r
    JOIN exams_registration g ON g.id = r.registration_id
    JOIN exams_sitting s ON s.id = g.sitting_id
    JOIN registry_organization o ON o.id = s.exam_point_id
    WHERE s.part = 'theory' AND g.attempt = 1 AND r.status = '{VALID}' AND s.operation_item_id IS NOT NULL
      AND {time} AND {region}
    GROUP BY s.exam_point_id, o.region_id, s.operation_item_id, {quarter}"""
    groups = fetch(sql, [*time_params, *region_params])
    totals: dict[tuple[str, int, int], list[int]] = defaultdict(lambda: [0, 0])
    for group in groups:
        total = totals[(group["region_id"][:2], group["item_id"], int(group["quarter"]))]
        total[0] += int(group["n"])
        total[1] += int(group["k"])
    min_n = int(scope.threshold("min_first_attempts"))
    q = float(scope.threshold("fdr_q"))
    tests = []
    for group in groups:
        n, k = int(group["n"]), int(group["k"])
        all_n, all_k = totals[(group["region_id"][:2], group["item_id"], int(group["quarter"]))]
        others_n, others_k = all_n - n, all_k - k
        if n < min_n or others_n == 0:
            continue
        pooled = others_k / others_n
        tests.append((group, n, k, others_n, others_k, binomial_upper_tail(k, n, pooled)))
    decisions = benjamini_hochberg([test[-1] for test in tests], q)
    flagged = [
        (test, adjusted)
        for test, (rejected, adjusted) in zip(tests, decisions, strict=True)
        if rejected and scope.in_region(test[0]["region_id"]) and test[2] / test[1] > test[4] / test[3]
    ]
    orgs = names.organizations(test[0]["org_id"] for test, _ in flagged)
    items = names.items(test[0]["item_id"] for test, _ in flagged)
    found = []
    for (group, n, k, others_n, others_k, p_value), adjusted in flagged:
        start, end = _quarter_bounds(group["quarter"])
        year, number = divmod(int(group["quarter"]), 10)
        found.append(
            Found(
                organization_id=group["org_id"],
                person_id=None,
                period_from=start,
                period_to=end,
                keys=(str(group["item_id"]), str(group["quarter"])),
                evidence={
                    "item": items[group["item_id"]],
                    "quarter": f"{year}Q{number}",
                    "first_attempts": n,
                    "passed": k,
                    "others_first_attempts": others_n,
                    "others_passed": others_k,
                    "p_value": p_value,
                    "bh_adjusted_p": adjusted,
                    "tests": len(tests),
                    "q": q,
                },
                figures={
                    "quarter": f"{year}年第{'一二三四'[number - 1]}季度",
                    "org": orgs[group["org_id"]]["name"],
                    "item": items[group["item_id"]],
                    "n": n,
                    "k": k,
                    "rate": f"{100 * k / n:.1f}",
                    "others_n": others_n,
                    "others_rate": f"{100 * others_k / others_n:.1f}",
                    "p_value": f"{p_value:.2g}",
                    "q": f"{q:g}",
                },
            )
        )
    return found


EXAM_ROLES = ("proctor", "examiner", "exam_admin")
TRAINING_ROLES = ("teacher", "practical_instructor", "principal")


def _roles_zh(codes: list[str]) -> str:
    """Roles as the explanation names them: their Chinese labels (an explanation is Chinese in any language)."""
    return "、".join(render(AssignmentRole(code).label, "zh-hans") for code in codes)


@detector("EXM-TRAINING-NOT-SEPARATED")
def training_not_separated(scope: RunScope) -> list[Found]:
    """A person in an exam role at an exam point (an assignment, or the staff of one of its sittings) while, in
    overlapping dates, teacher, practical instructor or principal of a training institution whose trainees sat
    at that exam point within the overlap."""
    where, params = _sitting_scope(scope)
    sat_on = beijing_date("s.starts_at")
    exam_roles = ", ".join(f"'{role}'" for role in EXAM_ROLES)
    training_roles = ", ".join(f"'{role}'" for role in TRAINING_ROLES)
    sql = f"""
    WITH exam_roles AS (
        SELECT a.person_id, a.organization_id AS point_id, a.role, a.start_date AS d_from,
               COALESCE(a.end_date, %s) AS d_to
        FROM registry_assignment a JOIN registry_organization po ON po.id = a.organization_id
        WHERE a.role IN ({exam_roles}) AND po.kind = 'exam_point'
        UNION ALL
        SELECT st.person_id, ss.exam_point_id, st.role, {beijing_date("ss.starts_at")}, {beijing_date("ss.starts_at")}
        FROM exams_sittingstaff st JOIN exams_sitting ss ON ss.id = st.sitting_id
    ),
    training_roles AS (
        SELECT a.person_id, a.organization_id AS institution_id, a.role, a.start_date AS d_from,
               COALESCE(a.end_date, %s) AS d_to
        FROM registry_assignment a JOIN registry_organization tio ON tio.id = a.organization_id
        WHERE a.role IN ({training_roles}) AND tio.kind = 'training_institution'
    ),
    both_roles AS (
        SELECT e.person_id, e.point_id, t.institution_id, e.role AS exam_role, t.role AS training_role,
               {greatest("e.d_from", "t.d_from")} AS d_from, {least("e.d_to", "t.d_to")} AS d_to
        FROM exam_roles e JOIN training_roles t ON t.person_id = e.person_id
        WHERE e.d_from <= t.d_to AND t.d_from <= e.d_to
    )
    SELECT br.person_id, br.point_id, br.institution_id, br.exam_role, br.training_role,
           COUNT(DISTINCT g.person_id) AS trainees, COUNT(DISTINCT s.id) AS sittings,
           MIN({sat_on}) AS first_day, MAX({sat_on}) AS last_day
    FROM both_roles br
    JOIN exams_sitting s ON s.exam_point_id = br.point_id
    JOIN exams_registration g ON g.sitting_id = s.id
    JOIN training_trainingclass c ON c.id = g.training_class_id AND c.organization_id = br.institution_id
    JOIN registry_organization o ON o.id = br.point_id
    WHERE {sat_on} >= br.d_from AND {sat_on} <= br.d_to AND {where}
    GROUP BY br.person_id, br.point_id, br.institution_id, br.exam_role, br.training_role"""
    rows = fetch(sql, [FAR_DATE, FAR_DATE, *params])
    groups: dict[tuple[int, int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["person_id"], row["point_id"], row["institution_id"])].append(row)
    persons = names.persons(person for person, _point, _institution in groups)
    orgs = names.organizations({org for _p, point, institution in groups for org in (point, institution)})
    found = []
    for (person_id, point_id, institution_id), role_rows in groups.items():
        first = min(as_date(r["first_day"]) for r in role_rows)
        last = max(as_date(r["last_day"]) for r in role_rows)
        exam = sorted({r["exam_role"] for r in role_rows})
        training = sorted({r["training_role"] for r in role_rows})
        found.append(
            Found(
                organization_id=point_id,
                person_id=person_id,
                period_from=first,
                period_to=last,
                keys=(orgs[institution_id]["org_code"],),
                evidence={
                    "person": persons.get(person_id, {}),
                    "exam_roles": exam,
                    "training_institution": orgs[institution_id]["org_code"],
                    "training_roles": training,
                    "trainees": max(int(r["trainees"]) for r in role_rows),
                    "sittings": max(int(r["sittings"]) for r in role_rows),
                    "first_day": first.isoformat(),
                    "last_day": last.isoformat(),
                },
                figures={
                    "person": persons.get(person_id, {}).get("name", ""),
                    "period": days_text(first, last),
                    "org": orgs[point_id]["name"],
                    "exam_roles": _roles_zh(exam),
                    "training_org": orgs[institution_id]["name"],
                    "training_roles": _roles_zh(training),
                    "trainees": max(int(r["trainees"]) for r in role_rows),
                    "sittings": max(int(r["sittings"]) for r in role_rows),
                },
            )
        )
    return found
