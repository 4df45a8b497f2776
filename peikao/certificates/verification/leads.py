"""Fake-certificate leads as the lookup log shows them: what a suspicious number looks like, whose region it is,
and the suspicious lookups logged since the last run, grouped in the database (services.leads_derive writes
the leads)."""

from __future__ import annotations

import re

from django.db.models import Count, Max, Min

from peikao.certificates.choices import OUTCOME_LEADS, LookupOutcome
from peikao.certificates.models import Lookup
from peikao.certificates.verification.reference import reference
from peikao.core.models import Region

LeadKey = tuple[str, str, str]  # kind, number, source


def number_pattern(cert_no: str) -> str:
    """What fake numbers from one source tend to share: the letters, the first four digits and the length."""
    if not cert_no:
        return ""
    match = re.match(r"^([A-Z]*)(\d{0,4})", cert_no)
    letters, digits = (match.group(1), match.group(2)) if match else ("", "")
    return f"{letters}{digits}…({len(cert_no)})"[:32]


def lead_region_code(cert_no: str, claimed_issuer: str = "") -> str | None:
    """The region whose regulators see a lead: the claimed issuer, else the place coded in a T number
    (or the nearest region above it that exists). Read from the in-memory reference tables."""
    regions = reference().regions
    candidates = []
    issuer = (claimed_issuer or "").strip()
    if re.fullmatch(r"\d{6}", issuer):
        candidates.append(issuer)
    if cert_no.startswith("T") and re.fullmatch(r"\d{6}", cert_no[1:7]):
        candidates.append(cert_no[1:7])
    for code in candidates:
        for attempt in (code, code[:4] + "00", code[:2] + "0000"):
            if attempt in regions:
                return attempt
    if issuer:
        short = issuer.replace("应急管理局", "").replace("应急管理厅", "")
        return next((code for code, (name, _level) in regions.items() if name in (issuer, short)), None)
    return None


def lead_region(cert_no: str, claimed_issuer: str = "") -> Region | None:
    """The region of ``lead_region_code``, or None."""
    code = lead_region_code(cert_no, claimed_issuer)
    return Region.objects.filter(code=code).first() if code else None


def suspicious_lookups_since(start: int, top: int) -> dict[LeadKey, dict]:
    """The suspicious lookups with keys in (``start``, ``top``], grouped in the database by outcome, number and
    client, then by the kind of lead each becomes (revoked and cancelled are one kind): the count, first and last
    time, a name, a claimed issuer and a certificate of each group."""
    rows = (
        Lookup.objects.filter(pk__gt=start, pk__lte=top, outcome__in=list(OUTCOME_LEADS))
        .values("outcome", "cert_no", "client")
        .annotate(
            n=Count("id"),
            first=Min("time"),
            last=Max("time"),
            name=Max("name"),
            issuer=Max("claimed_issuer"),
            certificate=Max("certificate_id"),
        )
        .order_by()
    )
    groups: dict[LeadKey, dict] = {}
    for row in rows:
        key = (OUTCOME_LEADS[LookupOutcome(row["outcome"])], row["cert_no"], f"ip:{row['client']}")
        group = groups.get(key)
        if group is None:
            groups[key] = dict(row)
        else:  # revoked and cancelled are one kind of lead
            group["n"] += row["n"]
            group["first"], group["last"] = min(group["first"], row["first"]), max(group["last"], row["last"])
    return groups
