"""Every export kind × every persona: an export is refused (403, with the reason) or holds exactly the rows the
persona sees on the kind's page — nothing outside its jurisdiction, and no answer key unless the persona is the
authority that owns the question banks.

The pages' selectors say what a persona sees; the export is read through the API as a CSV, as an attacker would.
Beside the personas of the world (peikao/testing/worlds.py) the walk adds the roles the world has no persona for:
an exam point's and an exam institution's administrators, and a city regulator's administrator.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from peikao.certificates import selectors as certificate_selectors
from peikao.compliance import selectors as compliance_selectors
from peikao.core.choices import Role
from peikao.core.exchange import all_kinds, get_kind
from peikao.core.models import Region
from peikao.core.services import api_token_create
from peikao.enforcement import selectors as enforcement_selectors
from peikao.exams import selectors as exam_selectors
from peikao.exams.models import Question, Result
from peikao.oversight import selectors as oversight_selectors
from peikao.oversight.grading import selectors as grading_selectors
from peikao.oversight.grading.services.exits import exit_proposals_detect
from peikao.oversight.grading.services.grades import grades_recompute
from peikao.oversight.injuries import analysis as injury_analysis
from peikao.oversight.injuries import selectors as injury_selectors
from peikao.oversight.injuries.models import InjuryCase
from peikao.oversight.tests import grading_records
from peikao.registry import selectors as registry_selectors
from peikao.registry.models import OperationItem, Person
from peikao.testing.exams import make_bank
from peikao.testing.factories import UserFactory
from peikao.testing.http import read_download
from peikao.testing.worlds import PERSONAS
from peikao.training import selectors as training_selectors
from peikao.training.models import AttendanceEvent

pytestmark = pytest.mark.django_db

EXTRA_PERSONAS = ["ep_admin", "ei_admin", "city_admin"]
# Who owns the question banks, and so their answer keys: the provincial exam administration (a province's or
# the nation's regulator administrator) and the system administrator. Nobody else, whatever else they see.
BANK_OWNERS = {"system_admin", "ministry_admin", "province_admin"}


def _orgs(user):
    return registry_selectors.organization_list(user=user)


def _classes(user):
    return training_selectors.class_list(user=user)


def _lessons(user):
    return [lesson for c in _classes(user) for lesson in training_selectors.lessons(user=user, training_class=c)]


def _attendance(user):
    events = AttendanceEvent.objects.filter(lesson__in=[lesson.pk for lesson in _lessons(user)])
    return {
        (e.lesson.lesson_code, e.person.id_number, e.event, timezone.localtime(e.at).isoformat())
        for e in events.select_related("lesson", "person")
    }


def _class_hours(user):
    return {
        (c.class_code, enrolment.person.id_number)
        for c in _classes(user)
        for enrolment in training_selectors.class_hours(user=user, training_class=c)
        if hasattr(enrolment, "credited")
    }


def _results(user):
    return {
        (sitting.sitting_code, registration.person.id_number)
        for sitting in exam_selectors.sitting_list(user=user)
        for registration in exam_selectors.registrations(user=user, sitting=sitting)
        if hasattr(registration, "result")
    }


def _questions(user):
    return {(q.question_code,) for q in exam_selectors.question_list(user=user)}


def _gaps(user):
    numbers = dict(Person.objects.values_list("pk", "id_number"))
    return {
        (row["org_code"], numbers[row["person_id"]], row["gap"])
        for organization in _orgs(user)
        for row in compliance_selectors.enterprise_gaps(user=user, organization=organization)
    }


def _findings(user):
    return {
        (finding.code,)
        for inspection in enforcement_selectors.inspection_list(user=user)
        for finding in inspection.findings.all()
    }


def _injury_groups(user):
    if not injury_analysis.may_analyse(user):
        return set()
    date_from, date_to = injury_analysis.default_period(timezone.localdate())
    found = injury_analysis.injury_analysis(user=user, region=None, date_from=date_from, date_to=date_to)
    return {(row.dimension, row.group) for row in found.rows()}


# Kind → the rows (keyed as the kind's key) that the persona sees on the kind's pages.
PAGES = {
    "organizations": lambda user: {(o.org_code,) for o in _orgs(user)},
    "persons": lambda user: {(p.id_number,) for p in registry_selectors.person_list(user=user)},
    "assignments": lambda user: {
        (a.person.id_number, a.organization.org_code, a.role, a.start_date.isoformat())
        for a in registry_selectors.assignment_list(user=user)
    },
    "classes": lambda user: {(c.class_code,) for c in _classes(user)},
    "lessons": lambda user: {(lesson.lesson_code,) for lesson in _lessons(user)},
    "attendance": _attendance,
    "class_hours": _class_hours,
    "questions": _questions,
    "sittings": lambda user: {(s.sitting_code,) for s in exam_selectors.sitting_list(user=user)},
    "results": _results,
    "certificates": lambda user: {
        (c.cert_no, c.operation_item.code) for c in certificate_selectors.certificate_list(user=user)
    },
    "leads": lambda user: {(str(lead.pk),) for lead in certificate_selectors.lead_list(user=user)},
    "compliance_gaps": _gaps,
    "inspections": lambda user: {(i.code,) for i in enforcement_selectors.inspection_list(user=user)},
    "findings": _findings,
    "decisions": lambda user: {(d.code,) for d in enforcement_selectors.decision_list(user=user)},
    "injuries": lambda user: {(c.case_no,) for c in injury_selectors.injury_list(user=user)},
    "injury_analysis": _injury_groups,
    "alerts": lambda user: {(a.fingerprint,) for a in oversight_selectors.alert_list(user=user)},
    "grades": lambda user: {(g.organization.org_code,) for g in grading_selectors.grade_list(user=user)},
    "exit_proposals": lambda user: {
        (p.organization.org_code, p.rule_id, p.proposed_on.isoformat())
        for p in grading_selectors.proposal_list(user=user)
    },
}

EXPORT_KINDS = sorted(kind.name for kind in all_kinds() if kind.exportable)


def test_every_export_kind_has_its_page():
    """A new export kind joins the walk: say which page shows its rows."""
    assert set(EXPORT_KINDS) == set(PAGES)


@pytest.fixture
def walk(world):
    """The world with a question bank, a perfect paper (its answers are the key), and the extra personas."""
    item = OperationItem.objects.get(code="1.2")
    bank = make_bank(item, judge=4, single=3)
    # A perfect score: the candidate's answers are the answer key of every question on the paper.
    Result.objects.filter(pk=world.own["county_inspector"]["result"].pk).update(
        answers={q.question_code: q.answer for q in bank}
    )
    users = dict(world.users)
    users["ep_admin"] = UserFactory(username="ep-admin", role=Role.ORG_ADMIN, organization=world.orgs["ep_a"])
    users["ei_admin"] = UserFactory(username="ei-admin", role=Role.ORG_ADMIN, organization=world.orgs["ei_a"])
    users["city_admin"] = UserFactory(
        username="fz-admin", role=Role.REGULATOR_ADMIN, region=Region.objects.get(code="350100")
    )
    # An injury case linked in each city (the analysis counts them; the injuries export lists them).
    for n, key in enumerate(("ent_a", "ent_b")):
        person = world.persons["p_a" if key == "ent_a" else "p_b"]
        InjuryCase.objects.create(
            case_no=f"GS-{n}",
            id_number=person.id_number,
            organization=world.orgs[key],
            person=person,
            occurred_on=timezone.localdate(),
            severity="minor",
            link_status="exact",
        )
    # Grades of every graded subject, and an exit proposal on each side (two fines each in 福建 and in 江西).
    for key in ("ti_a", "ti_c"):
        for _ in range(2):
            grading_records.decision(world.orgs[key], "fine", day=timezone.localdate() - dt.timedelta(days=30))
    grades_recompute(actor=None)
    exit_proposals_detect(actor=None)  # the world has one on each side; ti_a's two fines add another
    tokens = {persona: api_token_create(user=user, name="walk")[1] for persona, user in users.items()}
    return {"world": world, "users": users, "tokens": tokens, "bank": bank}


def _export(client, kind_name: str, token: str):
    response = client.get(f"/api/exports/{kind_name}?format=csv", HTTP_AUTHORIZATION=f"Bearer {token}")
    if response.status_code != 200:
        return response, None
    text = read_download(response).decode("utf-8-sig")
    return response, list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("kind_name", EXPORT_KINDS)
def test_an_export_shows_what_its_page_shows(client, walk, kind_name):
    kind = get_kind(kind_name)
    assert kind is not None
    problems = []
    for persona in [*PERSONAS, *EXTRA_PERSONAS]:
        user = walk["users"][persona]
        response, rows = _export(client, kind_name, walk["tokens"][persona])
        if rows is None:
            body = response.json() if response["Content-Type"].startswith("application/json") else {}
            if response.status_code != 403 or not (body.get("message_zh") and body.get("message_en")):
                problems.append(f"{persona}: {response.status_code} without a reason ({body})")
            continue
        exported = {tuple(row[key] for key in kind.key) for row in rows}
        shown = PAGES[kind_name](user)
        if exported != shown:
            problems.append(
                f"{persona}: exported but not on its page {sorted(exported - shown)}; "
                f"on its page but not exported {sorted(shown - exported)}"
            )
        if persona not in BANK_OWNERS:
            # A key (questions), or a copy of it (the answers of a full score in results).
            # (An alert's explanation is the detector's sentence about its subject, not a question's explanation.)
            explained = kind_name != "alerts"
            leaked = [
                row for row in rows if row.get("answer") or (explained and row.get("explanation")) or row.get("answers")
            ]
            if leaked:
                problems.append(f"{persona}: answers exported to a non-owner of the banks: {leaked[:2]}")
    assert not problems, "\n".join(problems)


def test_the_bank_owner_exports_the_bank_with_its_answers(client, walk):
    _response, rows = _export(client, "questions", walk["tokens"]["province_admin"])
    assert rows is not None
    assert {(row["question_code"], row["answer"]) for row in rows} == {
        (q.question_code, {"T": "对", "F": "错"}.get(q.answer, q.answer)) for q in Question.objects.active()
    }


def test_the_pickers_offer_each_persona_exactly_the_kinds_it_may_export_and_import(client, walk):
    """The export and import pickers of the imports page: a kind is offered when, and only when, the API would
    not refuse this persona (a role is never offered a file it would be refused)."""
    from peikao.core.permissions import Perm, has_perm

    problems = []
    for persona in [*PERSONAS, *EXTRA_PERSONAS]:
        user = walk["users"][persona]
        if not has_perm(user, Perm.IMPORT):
            continue  # the page itself is refused: nothing is offered
        client.force_login(user)
        response = client.get("/imports/")
        assert response.status_code == 200, persona
        offered_export = {value for value, _label in response.context["export_form"].fields["kind"].choices}
        offered_import = {value for value, _label in response.context["form"].fields["kind"].choices}
        allowed_export = {
            name for name in EXPORT_KINDS if _export(client, name, walk["tokens"][persona])[0].status_code == 200
        }
        allowed_import = {kind.name for kind in all_kinds() if kind.importable and has_perm(user, kind.import_perm)}
        if offered_export != allowed_export:
            problems.append(f"{persona} export: offered {sorted(offered_export ^ allowed_export)} wrongly")
        if offered_import != allowed_import:
            problems.append(f"{persona} import: offered {sorted(offered_import ^ allowed_import)} wrongly")
    assert not problems, "\n".join(problems)
    # The answer keys are offered to the banks' owner only.
    client.force_login(walk["users"]["ti_admin"])
    assert "questions" not in dict(client.get("/imports/").context["export_form"].fields["kind"].choices)
    client.force_login(walk["users"]["province_admin"])
    assert "questions" in dict(client.get("/imports/").context["export_form"].fields["kind"].choices)
