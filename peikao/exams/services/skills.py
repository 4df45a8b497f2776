"""Vocational skill level certificates (职业技能等级证书) recorded for a candidate, as shown with the application:
under order No. 19 a matching one stands for the training of the special-operations items it matches
(``selectors.eligibility`` reads them)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.exams.choices import SkillLevel
from peikao.exams.models import SkillCertificate
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import Person

EXAM_BODIES = frozenset({OrganizationKind.EXAM_INSTITUTION, OrganizationKind.EXAM_POINT})


@transaction.atomic
def skill_certificate_record(
    *,
    actor: User,
    person: Person,
    number: str,
    occupation: str,
    level: str,
    issuer: str,
    issued_on: dt.date,
) -> SkillCertificate:
    """Record a person's skill certificate (exam bodies and regulators, who check it with the application). The
    same certificate recorded again is left as it is; a number recorded for someone else is refused."""
    require_perm(actor, Perm.SITTING_MANAGE)
    if actor.is_org_member and actor.organization.kind not in EXAM_BODIES:
        raise PermissionDenied("exam_bodies_only", _("Skill certificates are recorded by exam bodies and regulators."))
    number, occupation, issuer = number.strip(), occupation.strip(), issuer.strip()
    if not (number and occupation and issuer):
        raise DomainError(
            "skill_certificate_incomplete", _("A skill certificate needs its number, occupation and issuer.")
        )
    if level not in SkillLevel.values:
        raise DomainError("skill_level", _("Unknown skill level."))
    if issued_on > timezone.localdate():
        raise DomainError("skill_issued_later", _("A skill certificate cannot be issued after today."))
    known = SkillCertificate.objects.select_for_update().filter(number=number).first()
    if known is not None:
        if known.person_id != person.pk:
            raise Conflict(
                "skill_certificate_taken", _("This skill certificate number is recorded for another person.")
            )
        return known
    return audited_create(
        SkillCertificate(
            person=person,
            number=number,
            occupation=occupation,
            level=level,
            issuer=issuer,
            issued_on=issued_on,
            recorded_by=actor,
        )
    )
