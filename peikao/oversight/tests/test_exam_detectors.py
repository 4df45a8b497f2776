"""The exam detectors on hand-built cases: planted cases found, clean cases of realistic shape silent, both sides of
each threshold."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import translation

from peikao.oversight.detectors.base import SCAN_SETTINGS
from peikao.oversight.tests.helpers import DAY, exam_point, institution, result, run, sitting, training_class
from peikao.registry.models import OperationItem
from peikao.testing.exams import make_bank
from peikao.testing.factories import AssignmentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    """60 true/false questions: code → correct answer."""
    questions = make_bank(OperationItem.objects.get(code="1.2"), judge=60, single=0)
    return {q.question_code: q.answer for q in questions}


def flip(answer: str) -> str:
    return "F" if answer == "T" else "T"


def sheets(bank, *, common: int = 60, disagree: int = 2, same_wrong: int = 10):
    """Two papers over the first ``common`` questions of the bank: ``same_wrong`` identical wrong answers,
    ``disagree`` questions answered differently, the rest both right."""
    codes = list(bank)[:common]
    a, b = {}, {}
    for index, code in enumerate(codes):
        right = bank[code]
        if index < same_wrong:
            a[code] = b[code] = flip(right)
        elif index < same_wrong + disagree:
            a[code], b[code] = right, flip(right)
        else:
            a[code] = b[code] = right
    return a, b


# -- EXM-IDENTICAL-ANSWERS ---------------------------------------------------------------------------------------


def test_two_papers_agreeing_on_almost_all_with_ten_same_wrong_answers_are_found(bank):
    point = exam_point()
    the_sitting = sitting(point)
    a, b = sheets(bank, common=60, disagree=3, same_wrong=10)  # 57 of 60 agree: 95 %, the threshold itself
    first = result(the_sitting, answers=a, seconds=3000)
    later = result(the_sitting, answers=b, seconds=3300)
    result(the_sitting, answers=dict(bank))  # an honest candidate, all right
    [found] = run("EXM-IDENTICAL-ANSWERS")
    assert found.organization_id == point.pk
    assert found.person_id == later.registration.person_id  # the later paper
    assert found.evidence["other_candidate"]["name"] == first.registration.person.name
    assert (found.evidence["common"], found.evidence["agree"], found.evidence["same_wrong"]) == (60, 57, 10)
    assert found.figures["agree_pct"] == "95.0"


@pytest.mark.parametrize(
    "common, disagree, same_wrong",
    [
        (60, 4, 10),  # 56 of 60 agree: 93.3 % < 95 %
        (60, 0, 9),  # nine identical wrong answers only
        (49, 0, 12),  # 49 answered questions in common
    ],
)
def test_below_any_threshold_two_papers_are_not_found(bank, common, disagree, same_wrong):
    the_sitting = sitting(exam_point())
    a, b = sheets(bank, common=common, disagree=disagree, same_wrong=same_wrong)
    result(the_sitting, answers=a)
    result(the_sitting, answers=b)
    assert run("EXM-IDENTICAL-ANSWERS") == []


def test_identical_papers_in_different_sittings_or_all_right_are_not_found(bank):
    point = exam_point()
    a, b = sheets(bank, disagree=0, same_wrong=12)
    result(sitting(point, hour=9), answers=a)
    result(sitting(point, hour=14), answers=b)  # copied across sittings is not this detector's case
    right = dict(bank)
    other = sitting(point, day=DAY + dt.timedelta(days=1))
    result(other, answers=right)
    result(other, answers=right)  # two excellent candidates agree on everything and share no wrong answer
    assert run("EXM-IDENTICAL-ANSWERS") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner settings are PostgreSQL's")
def test_the_pair_count_puts_the_planner_settings_back(bank):
    a, b = sheets(bank, disagree=0, same_wrong=12)
    the_sitting = sitting(exam_point())
    result(the_sitting, answers=a)
    result(the_sitting, answers=b)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        before = cursor.fetchone()
        assert len(run("EXM-IDENTICAL-ANSWERS")) == 1
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        assert cursor.fetchone() == before
    assert before[0] != SCAN_SETTINGS["work_mem"]  # else the test could not see them left changed


# -- EXM-TOO-FAST ------------------------------------------------------------------------------------------------


def test_a_passed_paper_under_five_seconds_a_question_is_found(bank):
    point = exam_point()
    answers = dict(bank)  # 60 questions
    fast = result(sitting(point), answers=answers, seconds=299)  # 4.98 s a question
    [found] = run("EXM-TOO-FAST")
    assert (found.organization_id, found.person_id) == (point.pk, fast.registration.person_id)
    assert found.evidence["seconds"] == 299 and found.evidence["questions"] == 60
    assert found.figures["per_question"] == "4.98"


def test_five_seconds_a_question_a_failed_or_a_cancelled_paper_is_not_found(bank):
    the_sitting = sitting(exam_point())
    answers = dict(bank)
    result(the_sitting, answers=answers, seconds=300)  # exactly five seconds a question
    result(the_sitting, answers=answers, seconds=100, passed=False, score="40")
    result(the_sitting, answers=answers, seconds=100, passed=False, status="cancelled")
    result(the_sitting, answers=answers, seconds=2400)  # a normal paper
    assert run("EXM-TOO-FAST") == []


# -- EXM-PASS-RATE-OUTLIER ---------------------------------------------------------------------------------------


def _results(point, passed: int, failed: int, *, day=DAY, attempt=1):
    the_sitting = sitting(point, day=day)
    for _ in range(passed):
        result(the_sitting, passed=True, attempt=attempt)
    for _ in range(failed):
        result(the_sitting, passed=False, score="50", attempt=attempt)


def _province(outlier_passed: int, outlier_failed: int):
    """Four ordinary exam points passing 60 % (of 50 each), and one more."""
    for code in ("350102", "350103", "350203", "350102"):
        _results(exam_point(code), 30, 20)
    outlier = exam_point("350102")
    _results(outlier, outlier_passed, outlier_failed)
    return outlier


def test_an_exam_point_where_everyone_passes_is_found():
    outlier = _province(40, 0)
    [found] = run("EXM-PASS-RATE-OUTLIER")
    assert found.organization_id == outlier.pk and found.person_id is None
    assert (found.period_from, found.period_to) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    evidence = found.evidence
    assert (evidence["first_attempts"], evidence["passed"], evidence["others_first_attempts"]) == (40, 40, 200)
    assert evidence["p_value"] == pytest.approx(0.6**40, rel=1e-9)
    assert evidence["bh_adjusted_p"] <= 0.01 and evidence["tests"] == 5
    assert found.figures["quarter"] == "2026年第三季度"


def test_a_pass_rate_a_little_above_the_others_is_not_an_outlier():
    _province(28, 12)  # 70 % against 60 %: p ≈ 0.12
    assert run("EXM-PASS-RATE-OUTLIER") == []


def test_fewer_than_thirty_first_attempts_are_not_tested_and_retakes_do_not_count():
    outlier = _province(29, 0)
    _results(outlier, 20, 0, attempt=2)
    assert run("EXM-PASS-RATE-OUTLIER") == []


def test_quarters_are_tested_apart_and_a_region_run_pools_its_province():
    outlier = _province(40, 0)
    _results(outlier, 30, 20, day=dt.date(2026, 10, 10))  # Q4: an ordinary quarter of the same point
    [found] = run("EXM-PASS-RATE-OUTLIER", region_prefix="350102")
    assert found.organization_id == outlier.pk and found.evidence["quarter"] == "2026Q3"
    assert run("EXM-PASS-RATE-OUTLIER", region_prefix="350103") == []


# -- EXM-TRAINING-NOT-SEPARATED ----------------------------------------------------------------------------------


def _conflict(*, teacher_until=None, proctor=True):
    point, school = exam_point(), institution()
    person = PersonFactory(name="郑兼职")
    if proctor:
        AssignmentFactory(person=person, organization=point, role="proctor", start_date=dt.date(2026, 1, 1))
    AssignmentFactory(
        person=person, organization=school, role="teacher", start_date=dt.date(2026, 3, 1), end_date=teacher_until
    )
    cls = training_class(school, day=dt.date(2026, 8, 3))
    the_sitting = sitting(point)
    for _ in range(3):
        result(the_sitting, training_class=cls)
    result(the_sitting, training_class=training_class())  # a trainee of another institution
    return person, point, school, the_sitting


def test_a_proctor_who_teaches_the_candidates_institution_is_found():
    person, point, school, _sitting = _conflict()
    with translation.override("en"):  # a run names the roles in Chinese whatever the language around it
        [found] = run("EXM-TRAINING-NOT-SEPARATED")
    assert (found.organization_id, found.person_id) == (point.pk, person.pk)
    assert found.evidence["trainees"] == 3 and found.evidence["sittings"] == 1
    assert found.evidence["training_institution"] == school.org_code
    assert found.figures["exam_roles"] == "监考人员" and found.figures["training_roles"] == "授课教师"
    assert found.period_from == found.period_to == DAY


def test_a_teacher_who_left_before_the_sitting_is_clean():
    _conflict(teacher_until=DAY - dt.timedelta(days=1))
    assert run("EXM-TRAINING-NOT-SEPARATED") == []


def test_staffing_the_sitting_itself_is_an_exam_role():
    from peikao.exams.models import SittingStaff

    person, point, _school, the_sitting = _conflict(proctor=False)
    assert run("EXM-TRAINING-NOT-SEPARATED") == []
    SittingStaff.objects.create(sitting=the_sitting, person=person, role="examiner")
    [found] = run("EXM-TRAINING-NOT-SEPARATED")
    assert (found.organization_id, found.figures["exam_roles"]) == (point.pk, "考评员")
