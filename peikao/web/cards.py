"""The work-list cards of the apps below web (registry, training, exams, certificates, compliance, enforcement).

Each count is one scoped query through the app's selector, with the same filters as the list page it links to,
so that the number on the card is the number of rows behind the link. Registered by ``WebConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peikao.certificates import rules as certificate_rules
from peikao.certificates import selectors as certificates
from peikao.compliance import selectors as compliance
from peikao.core.permissions import Perm, has_perm
from peikao.enforcement import selectors as enforcement
from peikao.exams import selectors as exams
from peikao.registry import selectors as registry
from peikao.registry.choices import OrganizationKind
from peikao.training import selectors as training
from peikao.web.worklist import REGION, Card, Viewer, register

Kind = OrganizationKind


def link(name: str, query: dict | None = None, fragment: str = "", **kwargs) -> str:
    url = reverse(name, kwargs=kwargs or None)
    return url + (f"?{urlencode(query)}" if query else "") + (f"#{fragment}" if fragment else "")


# -- who ---------------------------------------------------------------------------------------------------


def regulator(viewer: Viewer) -> bool:
    return viewer.user.is_regulator or viewer.user.is_system_admin


def may(perm: str, *, regulators: bool = False):
    """The viewer has the right (and, with ``regulators``, is a regulator: an organisation's right of the same
    name is about its own records)."""
    return lambda viewer: has_perm(viewer.user, perm) and (not regulators or regulator(viewer))


def member_of(*kinds: str, perm: str | None = None):
    return lambda viewer: viewer.organization_kind in kinds and (perm is None or has_perm(viewer.user, perm))


def reviews_held(viewer: Viewer) -> bool:
    """Reviews of special-operations certificates are still held (none from 2026-06-01, order No. 19)."""
    abolished = certificate_rules.reviews_abolished_on()
    return abolished is None or viewer.today < abolished


def candidate(viewer: Viewer) -> bool:
    return viewer.user.is_candidate and viewer.user.person_id is not None


SUPERVISED = (Kind.TRAINING_INSTITUTION, Kind.EXAM_INSTITUTION, Kind.EXAM_POINT, Kind.ENTERPRISE, Kind.LABOR_DISPATCH)


# -- what: each filter is the list page's own ---------------------------------------------------------------

MY_INSPECTIONS = {"mine": "1", "open": "1"}


def listed(selector, name: str, filters, *, dated: bool = False):
    """A card's count and link for a list page: the count is the page's own query (``selector``, the one the
    page's view calls, with the page's filters), the link opens the page with the same filters. ``filters`` is a
    dict, or a function of the viewer for filters that depend on who or when; ``dated`` passes the viewer's day
    to a selector that judges by it (due, overdue)."""

    def query(viewer: Viewer) -> dict:
        return filters(viewer) if callable(filters) else filters

    def count(viewer: Viewer) -> int:
        day = {"today": viewer.today} if dated else {}
        return selector(user=viewer.user, filters=query(viewer), **day).count()

    return count, lambda viewer: link(name, query(viewer))


def _week(viewer: Viewer) -> dict:
    monday = viewer.today - dt.timedelta(days=viewer.today.weekday())
    return {"starts_from": monday.isoformat(), "starts_to": (monday + dt.timedelta(days=6)).isoformat()}


def _org_code(viewer: Viewer) -> str:
    return viewer.user.organization.org_code


def _certificates_due(due: str):
    def filters(viewer: Viewer) -> dict:
        return {"due": due, "organization": _org_code(viewer)}

    return listed(certificates.certificate_list, "certificates:list", filters, dated=True)


def _rectifications(state: str):
    return listed(enforcement.rectification_list, "enforcement:rectification_list", {"state": state}, dated=True)


def _classes(**filters: str):
    return listed(training.class_list, "training:class_list", filters)


def _sittings(filters):
    return listed(exams.sitting_list, "exams:sitting_list", filters)


def _organizations(kind: str):
    def count(viewer: Viewer) -> int:
        return viewer.shared("organizations", lambda: registry.organization_counts(user=viewer.user)).get(kind, 0)

    return count, lambda viewer: link("registry:organization_list", {"kind": kind})


def _enterprise_gaps(viewer: Viewer) -> int:
    organization = viewer.user.organization
    return len(compliance.enterprise_gaps(user=viewer.user, organization=organization, as_of=viewer.today))


def _valid_certificates(viewer: Viewer) -> int:
    return certificates.certificate_counts(user=viewer.user, today=viewer.today).get("valid", 0)


def _person_link(fragment: str):
    return lambda viewer: link("registry:person_detail", fragment=fragment, person_id=viewer.user.person_id)


CARDS = [
    # A regulator's work: what waits for them
    Card(
        "my_inspections",
        _("My inspections to carry out"),
        may(Perm.INSPECT, regulators=True),
        *listed(enforcement.inspection_list, "enforcement:inspection_list", MY_INSPECTIONS),
        order=10,
        hint=_("planned or in progress, with you on the team"),
    ),
    Card(
        "subjects_to_inspect",
        _("Drawn subjects not inspected yet"),
        may(Perm.PLAN_MANAGE, regulators=True),
        lambda v: enforcement.subjects_to_inspect(user=v.user).count(),
        lambda v: link("web:subjects_to_inspect"),
        order=15,
        hint=_("of your region's plans: open each inspection from its plan"),
    ),
    Card(
        "rectifications_to_verify",
        _("Rectifications awaiting verification"),
        may(Perm.INSPECT, regulators=True),
        *_rectifications("to_verify"),
        order=20,
        hint=_("evidence submitted, to verify or return"),
    ),
    Card(
        "rectifications_overdue",
        _("Overdue rectifications"),
        may(Perm.DECIDE, regulators=True),
        *_rectifications("overdue"),
        order=30,
        hint=_("past the deadline, not closed"),
    ),
    Card(
        "classes_to_review",
        _("Classes awaiting review"),
        may(Perm.CLASS_REVIEW, regulators=True),
        *_classes(status="filed"),
        order=40,
        hint=_("filed, to accept or return (审核备案)"),
    ),
    Card(
        "findings_to_review",
        _("Patrol findings to review"),
        may(Perm.PATROL, regulators=True),
        lambda v: exams.finding_queue(user=v.user).count(),
        lambda v: link("exams:finding_list"),
        order=50,
    ),
    Card(
        "leads_open",
        _("Fake-certificate leads"),
        may(Perm.LEAD_REVIEW, regulators=True),
        *listed(certificates.lead_list, "certificates:lead_list", {"open": "1"}),
        order=60,
        hint=_("new or under review"),
    ),
    # A training institution's work
    Card(
        "classes_to_file",
        _("Classes to file"),
        member_of(Kind.TRAINING_INSTITUTION, perm=Perm.CLASS_MANAGE),
        *_classes(status="draft"),
        order=110,
        hint=_("drafts not yet filed with the regulator"),
    ),
    Card(
        "classes_returned",
        _("Amendments requested"),
        member_of(Kind.TRAINING_INSTITUTION, perm=Perm.CLASS_MANAGE),
        *_classes(status="returned"),
        order=120,
        hint=_("classes the regulator returned, to amend and file again"),
    ),
    Card(
        "classes_short_hours",
        _("Classes with trainees short of hours"),
        member_of(Kind.TRAINING_INSTITUTION),
        *_classes(short_hours="true"),
        order=130,
        hint=_("ended, a trainee's credited hours short of the requirement"),
    ),
    # An exam point's (and its exam institution's) work
    Card(
        "sittings_this_week",
        _("Sittings this week"),
        member_of(Kind.EXAM_POINT, Kind.EXAM_INSTITUTION),
        *_sittings(_week),
        order=210,
        waiting=False,
    ),
    Card(
        "sittings_conflicts",
        _("Sittings with staff conflicts"),
        member_of(Kind.EXAM_POINT, Kind.EXAM_INSTITUTION),
        *_sittings({"conflicts": "1"}),
        order=220,
        hint=_("a proctor or examiner works for a training institution whose trainees sit it"),
    ),
    Card(
        "sittings_findings",
        _("Sittings with patrol findings"),
        member_of(Kind.EXAM_POINT, Kind.EXAM_INSTITUTION),
        *_sittings({"findings": "1"}),
        order=230,
        hint=_("remote patrol or video analytics, not dismissed"),
    ),
    # An enterprise's work
    Card(
        "compliance_gaps",
        _("Compliance gaps"),
        member_of(Kind.ENTERPRISE),
        _enterprise_gaps,
        lambda v: link("compliance:enterprise", org_code=_org_code(v)),
        order=310,
        hint=_("people on the job without the training or certificate it needs"),
    ),
    Card(
        "certificates_expiring",
        _("Certificates expiring"),
        member_of(Kind.ENTERPRISE),
        *_certificates_due("expiry"),
        order=320,
        hint=_("of your staff, within the reminder period"),
    ),
    Card(
        "certificates_review_due",
        _("Certificate reviews due"),
        lambda v: member_of(Kind.ENTERPRISE)(v) and reviews_held(v),
        *_certificates_due("review"),
        order=330,
        hint=_("of your staff, within the reminder period"),
    ),
    # Every supervised organisation: what the regulator ordered it to put right
    Card(
        "rectifications_due",
        _("Rectifications due"),
        member_of(*SUPERVISED, perm=Perm.RECTIFY_SUBMIT),
        *_rectifications("open"),
        order=400,
        hint=_("orders to rectify not yet closed"),
    ),
    # A candidate's own record
    Card(
        "my_exams",
        _("My exams"),
        candidate,
        lambda v: exams.registration_count(user=v.user, person=v.user.person),
        _person_link("person-exams"),
        order=510,
        waiting=False,
    ),
    Card(
        "my_certificates",
        _("My certificates"),
        candidate,
        lambda v: certificates.person_certificates(user=v.user, person=v.user.person, today=v.today).count(),
        _person_link("person-certificates"),
        order=520,
        waiting=False,
    ),
    Card(
        "my_training",
        _("My training"),
        candidate,
        lambda v: training.person_enrolments(user=v.user, person=v.user.person).count(),
        _person_link("person-training"),
        order=530,
        waiting=False,
    ),
    # A regulator's region in figures
    *[
        Card(f"organizations_{kind}", label, regulator, *_organizations(kind), section=REGION, order=600 + index)
        for index, (kind, label) in enumerate(Kind.choices)
    ],
    Card(
        "persons",
        _("Persons"),
        regulator,
        lambda v: registry.person_list(user=v.user).count(),
        lambda v: link("registry:person_list"),
        section=REGION,
        order=650,
    ),
    Card(
        "certificates_valid",
        _("Certificates in force"),
        regulator,
        _valid_certificates,
        lambda v: link("certificates:list", {"standing": "valid"}),
        section=REGION,
        order=660,
    ),
    Card(
        "inspections_this_year",
        _("Inspections this year"),
        regulator,
        *listed(enforcement.inspection_list, "enforcement:inspection_list", lambda v: {"year": v.today.year}),
        section=REGION,
        order=665,
    ),
    Card(
        "rectifications_open",
        _("Open rectifications"),
        regulator,
        *_rectifications("open"),
        section=REGION,
        order=670,
    ),
]


def register_cards() -> None:
    register(*CARDS)
