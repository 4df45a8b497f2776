"""Compliance API: an enterprise's gaps on a day; a region's scan.

(No `from __future__ import annotations` here: django-ninja reads the annotations at import time.)
"""

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema

from peikao.compliance import selectors, services
from peikao.core.models import Region
from peikao.registry import selectors as registry_selectors

router = Router(tags=["compliance"])


class GapOut(Schema):
    org_code: str
    person_id: int
    person_name: str
    id_number: str
    gap: str
    gap_label: str
    violation_code: str  # empty for an advisory gap (never a finding or a fine)
    violation_basis: str
    basis: str  # the rule the gap rests on, cited
    advisory: bool
    advisory_reason: str  # why it is advisory: a policy figure, or the department that assesses the person
    unconfirmed: bool  # the rule applied is not checked against the primary text (待确认)
    detail: str
    dispatched_by: str


class ScanIn(Schema):
    region_code: str
    as_of: dt.date | None = None


class ScanOut(Schema):
    id: int
    as_of: dt.date
    region_code: str | None
    gap_count: int
    enterprise_count: int
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id


@router.get("/organizations/{org_code}/compliance", response=list[GapOut], summary="An enterprise's compliance gaps")
def enterprise_gaps(request, org_code: str, as_of: dt.date | None = None):
    organization = registry_selectors.organization_get(user=request.user, org_code=org_code)
    return selectors.enterprise_gaps(user=request.user, organization=organization, as_of=as_of or timezone.localdate())


@router.post("/compliance/scans", response={201: ScanOut}, summary="Scan a region's enterprises (set-based)")
def scan(request, payload: ScanIn):
    from django.shortcuts import get_object_or_404

    region = get_object_or_404(Region, code=payload.region_code)
    return 201, services.scan(actor=request.user, region=region, as_of=payload.as_of)
