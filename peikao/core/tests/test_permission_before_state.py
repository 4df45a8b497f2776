"""Transition services check the permission before the state: a role that may not act is refused (403) on an
object in any status, and never learns from a 409 where the object stands. An analyst reads and does nothing.
(Leads, which got this wrong, are tested in certificates/tests/test_lead_permissions.py.)"""

from __future__ import annotations

import pytest

from peikao.certificates import services as certificate_services
from peikao.core.errors import PermissionDenied
from peikao.enforcement import services as enforcement_services
from peikao.exams import services as exam_services
from peikao.training import services as training_services

pytestmark = pytest.mark.django_db


def _final(instance, status: str):
    """Put a record in a final status (test setup, as an import of the past would)."""
    type(instance).objects.filter(pk=instance.pk).update(status=status)
    instance.refresh_from_db()
    return instance


CASES = {
    "sitting_open": lambda actor, own: exam_services.sitting_open(
        actor=actor, sitting=_final(own["sitting"], "closed")
    ),
    "finding_review": lambda actor, own: exam_services.finding_review(
        actor=actor, finding=_final(own["finding"], "dismissed"), confirm=True
    ),
    "plan_draw": lambda actor, own: enforcement_services.plan_draw(actor=actor, plan=_final(own["plan"], "drawn")),
    "inspection_start": lambda actor, own: enforcement_services.inspection_start(
        actor=actor, inspection=_final(own["inspection"], "completed")
    ),
    "rectification_verify": lambda actor, own: enforcement_services.rectification_verify(
        actor=actor, rectification=_final(own["rectification"], "open"), accept=True
    ),
    "class_file": lambda actor, own: training_services.class_file(
        actor=actor, training_class=_final(own["training_class"], "closed")
    ),
    "certificate_reinstate": lambda actor, own: certificate_services.reinstate(
        actor=actor, certificate=_final(own["certificate"], "revoked"), reason="复核"
    ),
    "lead_close": lambda actor, own: certificate_services.lead_close(
        actor=actor, lead=_final(own["lead"], "closed"), reason="复核"
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_analyst_is_refused_whatever_the_status(world, case):
    with pytest.raises(PermissionDenied):
        CASES[case](world.users["province_analyst"], world.own["province_analyst"])
