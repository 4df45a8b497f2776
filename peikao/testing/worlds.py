"""The persona world: two provinces (福建 35, 江西 36), organisations in several counties, one user per persona,
and records of every kind owned inside and outside each persona's jurisdiction (the route × persona tests)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from peikao.certificates import publishing
from peikao.certificates.models import Certificate, Lead
from peikao.core.choices import Role
from peikao.core.models import Region
from peikao.enforcement.models import Decision, Evidence, Inspection, InspectionPlan, PlanSubject, Rectification
from peikao.exams.models import PatrolFinding, Registration, Result, Sitting
from peikao.oversight.grading.models import Commitment, ExitProposal, Grade
from peikao.oversight.injuries.models import InjuryCase
from peikao.oversight.models import Alert
from peikao.registry.choices import AssignmentRole, OrganizationKind
from peikao.registry.models import OperationItem, PersonLink
from peikao.testing.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    OrganizationFactory,
    PersonFactory,
    TrainingClassFactory,
    UserFactory,
)
from peikao.training.models import AttendanceDevice

PERSONAS = [
    "system_admin",
    "ministry_admin",
    "province_admin",
    "province_analyst",
    "city_inspector",
    "county_inspector",
    "ti_admin",
    "ti_clerk",
    "ent_admin",
    "candidate",
]


@dataclass
class World:
    """Two provinces (福建 35, 江西 36), organisations in several counties, and one user per persona."""

    orgs: dict
    persons: dict
    classes: dict
    sittings: dict
    users: dict
    own: dict  # persona -> {"organization": Organization, "person": Person, …}
    foreign: dict


def build_world():

    region = Region.objects.in_bulk(["000000", "350000", "350100", "350102", "350103", "350203", "360102"])
    orgs = {
        "ti_a": OrganizationFactory(kind=OrganizationKind.TRAINING_INSTITUTION, region=region["350102"], items=["1.2"]),
        "ti_b": OrganizationFactory(kind=OrganizationKind.TRAINING_INSTITUTION, region=region["350103"]),
        "ti_c": OrganizationFactory(kind=OrganizationKind.TRAINING_INSTITUTION, region=region["360102"]),
        "ent_a": OrganizationFactory(kind=OrganizationKind.ENTERPRISE, region=region["350102"]),
        "ent_b": OrganizationFactory(kind=OrganizationKind.ENTERPRISE, region=region["350203"]),
        "ei_a": OrganizationFactory(kind=OrganizationKind.EXAM_INSTITUTION, region=region["350102"]),
        "dispatch_a": OrganizationFactory(kind=OrganizationKind.LABOR_DISPATCH, region=region["350102"]),
    }
    orgs["ep_a"] = OrganizationFactory(
        kind=OrganizationKind.EXAM_POINT, region=region["350102"], parent=orgs["ei_a"], items=["1.2"]
    )
    persons = {
        "p_a": PersonFactory(name="张三"),
        "p_b": PersonFactory(name="李四"),
        "p_c": PersonFactory(name="王五", born_in="360102"),
        "p_t": PersonFactory(name="赵六"),
        "p_e": PersonFactory(name="钱七"),
    }
    AssignmentFactory(person=persons["p_a"], organization=orgs["ent_a"], role=AssignmentRole.EMPLOYEE)
    AssignmentFactory(person=persons["p_b"], organization=orgs["ent_b"], role=AssignmentRole.EMPLOYEE)
    AssignmentFactory(person=persons["p_c"], organization=orgs["ti_c"], role=AssignmentRole.TEACHER)
    AssignmentFactory(person=persons["p_t"], organization=orgs["ti_a"], role=AssignmentRole.TEACHER)

    classes = {
        key: TrainingClassFactory(organization=orgs[key], class_code=f"CLS-{key.upper()}")
        for key in ("ti_a", "ti_b", "ti_c")
    }
    for key in ("ent_a", "ent_b"):
        classes[key] = TrainingClassFactory(
            organization=orgs[key], class_code=f"CLS-{key.upper()}", trainee_category="employee", required_tenths=240
        )
    EnrolmentFactory(training_class=classes["ti_a"], person=persons["p_a"])
    sittings, findings = build_exam_world(orgs, persons, region)
    EnrolmentFactory(training_class=classes["ti_b"], person=persons["p_e"])
    EnrolmentFactory(training_class=classes["ti_c"], person=persons["p_c"])
    users = {
        "system_admin": UserFactory(username="sysadmin", role=Role.SYSTEM_ADMIN),
        "ministry_admin": UserFactory(username="ministry", role=Role.REGULATOR_ADMIN, region=region["000000"]),
        "province_admin": UserFactory(username="fj-admin", role=Role.REGULATOR_ADMIN, region=region["350000"]),
        "province_analyst": UserFactory(username="fj-analyst", role=Role.ANALYST, region=region["350000"]),
        "city_inspector": UserFactory(username="fz-inspector", role=Role.INSPECTOR, region=region["350100"]),
        "county_inspector": UserFactory(username="gl-inspector", role=Role.INSPECTOR, region=region["350102"]),
        "ti_admin": UserFactory(username="ti-admin", role=Role.ORG_ADMIN, organization=orgs["ti_a"]),
        "ti_clerk": UserFactory(username="ti-clerk", role=Role.ORG_CLERK, organization=orgs["ti_a"]),
        "ent_admin": UserFactory(username="ent-admin", role=Role.ORG_ADMIN, organization=orgs["ent_a"]),
        "candidate": UserFactory(username="candidate", role=Role.CANDIDATE, person=persons["p_a"]),
    }
    own = {
        "system_admin": {"organization": orgs["ti_c"], "person": persons["p_c"], "training_class": classes["ti_c"]},
        "ministry_admin": {"organization": orgs["ti_c"], "person": persons["p_c"], "training_class": classes["ti_c"]},
        "province_admin": {"organization": orgs["ent_b"], "person": persons["p_b"], "training_class": classes["ti_b"]},
        "province_analyst": {
            "organization": orgs["ent_b"],
            "person": persons["p_b"],
            "training_class": classes["ti_b"],
        },
        "city_inspector": {"organization": orgs["ti_b"], "person": persons["p_a"], "training_class": classes["ti_b"]},
        "county_inspector": {
            "organization": orgs["ent_a"],
            "person": persons["p_a"],
            "training_class": classes["ti_a"],
        },
        "ti_admin": {"organization": orgs["ti_a"], "person": persons["p_t"], "training_class": classes["ti_a"]},
        "ti_clerk": {"organization": orgs["ti_a"], "person": persons["p_t"], "training_class": classes["ti_a"]},
        "ent_admin": {"organization": orgs["ent_a"], "person": persons["p_a"], "training_class": classes["ent_a"]},
        "candidate": {"organization": None, "person": persons["p_a"], "training_class": classes["ti_a"]},
    }
    foreign = {
        "system_admin": None,
        "ministry_admin": None,
        "province_admin": {"organization": orgs["ti_c"], "person": persons["p_c"], "training_class": classes["ti_c"]},
        "province_analyst": {"organization": orgs["ti_c"], "person": persons["p_c"], "training_class": classes["ti_c"]},
        "city_inspector": {"organization": orgs["ent_b"], "person": persons["p_b"], "training_class": classes["ent_b"]},
        "county_inspector": {"organization": orgs["ti_b"], "person": persons["p_b"], "training_class": classes["ti_b"]},
        "ti_admin": {"organization": orgs["ti_b"], "person": persons["p_b"], "training_class": classes["ti_b"]},
        "ti_clerk": {"organization": orgs["ent_a"], "person": persons["p_b"], "training_class": classes["ent_a"]},
        "ent_admin": {"organization": orgs["ent_b"], "person": persons["p_b"], "training_class": classes["ent_b"]},
        "candidate": {"organization": orgs["ent_b"], "person": persons["p_b"], "training_class": classes["ti_b"]},
    }
    exam_own = {
        "system_admin": "c",
        "ministry_admin": "c",
        "province_admin": "b",
        "province_analyst": "b",
        "city_inspector": "b",
        "county_inspector": "a",
        "ti_admin": "a",
        "ti_clerk": "a",
        "ent_admin": "a",
        "candidate": "a",
    }
    exam_foreign = {
        "province_admin": "c",
        "province_analyst": "c",
        "city_inspector": "c",
        "county_inspector": "b",
        "ti_admin": "b",
        "ti_clerk": "b",
        "ent_admin": "b",
        "candidate": "b",
    }
    certificates, leads, results = build_certificate_world(orgs, persons, sittings)
    enforcement = build_enforcement_world(orgs)
    for persona, key in exam_own.items():
        own[persona].update(
            **enforcement[key],
            sitting=sittings[key],
            finding=findings[key],
            certificate=certificates[key],
            lead=leads[key],
            result=results[key],
        )
    for persona, key in exam_foreign.items():
        foreign[persona].update(
            **enforcement[key],
            sitting=sittings[key],
            finding=findings[key],
            certificate=certificates[key],
            lead=leads[key],
            result=results[key],
        )
    for side in (own, foreign):
        for records in side.values():
            if records is not None:  # a link of the organisation (one of its persons; made and left pending if none)
                org = records["organization"] or orgs["ent_a"]
                records["link"] = PersonLink.objects.filter(organization=org).order_by("pk").first()
                if records["link"] is None:
                    records["link"] = PersonLink.objects.create(organization=org, person=records["person"])
                # an attendance device of the organisation (its key withdrawn through a route by its code)
                records["device"], _created = AttendanceDevice.objects.get_or_create(
                    device_code=f"DEV-{org.org_code}",
                    defaults={"organization": org, "kind": "face", "key_prefix": "dv_world", "key_hash": org.org_code},
                )
    return World(orgs=orgs, persons=persons, classes=classes, users=users, own=own, foreign=foreign, sittings=sittings)


def build_exam_world(orgs, persons, region):
    """Sittings at exam points in 鼓楼 (a), 台江 (b) and 南昌 (c), each with a finding; 张三 sits the first."""

    jiangxi_centre = OrganizationFactory(kind=OrganizationKind.EXAM_INSTITUTION, region=region["360102"])
    orgs["ep_b"] = OrganizationFactory(
        kind=OrganizationKind.EXAM_POINT, region=Region.objects.get(code="350103"), parent=orgs["ei_a"], items=["1.2"]
    )
    orgs["ep_c"] = OrganizationFactory(
        kind=OrganizationKind.EXAM_POINT, region=region["360102"], parent=jiangxi_centre, items=["1.2"]
    )
    item = OperationItem.objects.get(code="1.2")
    start = dt.datetime(2026, 9, 15, 1, tzinfo=dt.UTC)
    sittings, findings = {}, {}
    for key, point in (("a", orgs["ep_a"]), ("b", orgs["ep_b"]), ("c", orgs["ep_c"])):
        sittings[key] = Sitting.objects.create(
            sitting_code=f"SIT-{key.upper()}",
            exam_point=point,
            part="theory",
            operation_item=item,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=30,
        )
        findings[key] = PatrolFinding.objects.create(
            sitting=sittings[key], source="patrol", observed_at=start, observation=f"发现情况{key}", status="to_review"
        )
    Registration.objects.create(sitting=sittings["a"], person=persons["p_a"], admission_code="12345678")
    return sittings, findings


def build_certificate_world(orgs, persons, sittings):
    """Legacy certificates of 张三 (福州), 李四 (厦门), 王五 (南昌); a lead in each place; a result per sitting."""

    item = OperationItem.objects.get(code="1.2")
    slots = publishing.allocate_slots(3)
    certificates, leads, results = {}, {}, {}
    now = timezone.now()
    for (key, person, issuer, lead_region), slot in zip(
        (("a", "p_a", "350100", "350102"), ("b", "p_b", "350200", "350203"), ("c", "p_c", "360100", "360102")),
        slots,
        strict=True,
    ):
        holder = persons[person]
        certificates[key] = Certificate.objects.create(
            cert_no="T" + holder.id_number,
            cert_type="special_operation",
            person=holder,
            operation_item=item,
            issuer_region=Region.objects.get(code=issuer),
            first_issued_on=dt.date(2024, 3, 1),
            valid_from=dt.date(2024, 3, 1),
            valid_until=dt.date(2030, 2, 28),
            next_review_due=dt.date(2027, 3, 1),
            status_index=slot,
            source="imported",
        )
        leads[key] = Lead.objects.create(
            kind="failed_lookup",
            cert_no=f"T{key.upper()}FAKE",
            name=f"假证{key}",
            source=f"ip:10.0.0.{ord(key)}",
            region=Region.objects.get(code=lead_region),
            first_seen=now,
            last_seen=now,
        )
    persons["p_r"] = PersonFactory(name="孙八")  # sits the exam at 台江 (b)
    candidates = {"a": persons["p_a"], "b": persons["p_r"], "c": persons["p_c"]}
    for key, sitting in sittings.items():
        registration = Registration.objects.filter(sitting=sitting).first() or Registration.objects.create(
            sitting=sitting, person=candidates[key], admission_code=f"8765432{ord(key) % 10}"
        )
        results[key] = Result.objects.create(registration=registration, score=88, passed=True, source="import")
    return certificates, leads, results


def build_enforcement_world(orgs):
    """A plan, an inspection with evidence, an order to rectify, an alert, an exit proposal and a signed commitment
    in 鼓楼 (a: 企业 a), 台江 (b: 机构 b), 南昌 (c)."""

    out = {}
    for key, org_key in (("a", "ent_a"), ("b", "ti_b"), ("c", "ti_c")):
        organization = orgs[org_key]
        region = Region.objects.get(code=organization.region_id)
        plan = InspectionPlan.objects.create(region=region, year=2026, name=f"计划{key}", subjects_wanted=1)
        PlanSubject.objects.create(plan=plan, organization=organization, weight=1, rank=1)
        inspection = Inspection.objects.create(
            code=f"INSP-{key.upper()}", organization=organization, region=region, kind="routine",
            inspected_on=dt.date(2026, 10, 1), status="in_progress",
        )  # fmt: skip
        body = f"evidence {key}".encode()
        evidence = Evidence.objects.create(
            inspection=inspection,
            sha256=hashlib.sha256(body).hexdigest(),
            file=ContentFile(body, name=f"{key}.jpg"),
            original_name=f"{key}.jpg",
            size=len(body),
        )
        decision = Decision.objects.create(
            code=f"DEC-{key.upper()}", inspection=inspection, measure="rectify_order",
            decided_on=dt.date(2026, 10, 2), due_on=dt.date(2026, 11, 2),
        )  # fmt: skip
        rectification = Rectification.objects.create(decision=decision, due_on=decision.due_on)
        alert = Alert.objects.create(
            fingerprint=hashlib.sha256(f"world-alert-{key}".encode()).hexdigest(), detector_id="TRN-CLONED-CHECKINS",
            organization=organization, period_from=dt.date(2026, 9, 15), period_to=dt.date(2026, 9, 15),
            severity="high", explanation=f"{organization.name}的课次有7名学员在同一秒签到。",
            evidence={"lesson": f"L-{key.upper()}", "class": f"CLS-{key.upper()}",
                      "instants": [{"at": "2026-09-15 08:29:59", "people": 7}]},
        )  # fmt: skip
        proposal = ExitProposal.objects.create(
            rule_id="TWO_SERIOUS_FINDINGS", organization=organization, authority=region, measure="suspend",
            evidence={"decisions": 2}, explanation="12个月内两次严重违法。", proposed_on=dt.date(2026, 10, 3),
        )  # fmt: skip
        signed = f"%PDF-1.4 commitment {key}".encode()
        digest = hashlib.sha256(signed).hexdigest()
        commitment = Commitment.objects.create(
            organization=organization, template_id="2026.1", signatory="签署人", lawyer="见证律师",
            law_firm="某律师事务所", signed_on=dt.date(2026, 1, 1), valid_from=dt.date(2026, 1, 2),
            valid_to=dt.date(2027, 1, 1), sha256=digest, size=len(signed),
            file=ContentFile(signed, name=f"commitments/{digest[:2]}/{digest}.pdf"),
        )  # fmt: skip
        injury_case = InjuryCase.objects.create(
            case_no=f"GS-WORLD-{key.upper()}", id_number="350102000000000000", organization=organization,
            occurred_on=dt.date(2026, 9, 1), severity="minor",
        )  # fmt: skip
        grade = Grade.objects.create(
            organization=organization, kind=organization.kind, computed="B", score=2, indicator_set_id="2026.1",
            as_of=dt.date(2026, 10, 3),
        )  # fmt: skip
        out[key] = {
            "grade": grade,
            "plan": plan,
            "injury_case": injury_case,
            "case": injury_case,  # the owner of InjuryCaseEvent, by its field name (test_events)
            "inspection": inspection,
            "evidence": evidence,
            "decision": decision,
            "rectification": rectification,
            "alert": alert,
            "proposal": proposal,
            "commitment": commitment,
        }
    return out
