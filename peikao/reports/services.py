"""The reports app's write path: historical patrol records (patrols.csv) written through the exams services,
with the patroller's identity kept beside the patrol (``ImportedPatrol``); the provinces' keys and their
returns received by the ministry's platform."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.exchange.base import WriteCounts
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.exams import services as exams_services
from peikao.exams.choices import PatrolMode, Sanction
from peikao.exams.models import PatrolFinding, Registration, Sitting
from peikao.lib.jws import PublicKeySet
from peikao.reports.models import ImportedPatrol, ProvincialReturn, ReturnKey
from peikao.reports.returns import InvalidReturn, read_return, return_kid, verify_return
from peikao.reports.selectors import Period

# outcome of patrols.csv → the sanction of the patrol finding (no_issue: a patrol without a finding)
OUTCOMES = {"no_issue": None, "warning": Sanction.WARNING, "score_cancelled": Sanction.SCORE_CANCELLED}


@dataclass(frozen=True)
class PatrolRow:
    """One cleaned row of patrols.csv."""

    sitting: Sitting
    patrolled_at: dt.datetime
    patroller_id_number: str
    outcome: str
    registration: Registration | None
    note: str


@transaction.atomic
def patrol_import_bulk(*, actor: User, rows: list[PatrolRow]) -> WriteCounts:
    """Write historical patrols: one patrol per sitting, time and patroller (the importing regulator is its
    watcher, the patroller's ID number is kept beside it), and a confirmed finding with its sanction per warned
    or cancelled candidate (a cancelled score goes through the result's transition). A row already imported
    changes nothing."""
    counts = WriteCounts()
    if not rows:
        return counts
    existing = {
        (p.patrol.sitting_id, p.patrol.started_at, p.patroller_id_number): p.patrol
        for p in ImportedPatrol.objects.filter(
            patrol__sitting__in={row.sitting.pk for row in rows},
            patroller_id_number__in={row.patroller_id_number for row in rows},
        ).select_related("patrol")
    }
    sanctioned = set(
        PatrolFinding.objects.filter(
            patrol__in=[patrol.pk for patrol in existing.values()], registration__isnull=False
        ).values_list("patrol_id", "registration_id", "sanction")
    )
    for row in rows:
        key = (row.sitting.pk, row.patrolled_at, row.patroller_id_number)
        patrol = existing.get(key)
        new = patrol is None
        if patrol is None:
            patrol = exams_services.patrol_record(
                actor=actor,
                sitting=row.sitting,
                mode=PatrolMode.LIVE,
                started_at=row.patrolled_at,
                ended_at=None,
                notes=row.note,
            )
            audited_create(
                ImportedPatrol(patrol=patrol, patroller_id_number=row.patroller_id_number, imported_by=actor)
            )
            existing[key] = patrol
        sanction = OUTCOMES[row.outcome]
        if sanction is not None and row.registration is not None:
            mark = (patrol.pk, row.registration.pk, sanction)
            if mark not in sanctioned:
                exams_services.finding_record(
                    actor=actor,
                    sitting=row.sitting,
                    observation=row.note or str(sanction.label),
                    sanction=sanction,
                    observed_at=row.patrolled_at,
                    registration=row.registration,
                    patrol=patrol,
                )
                sanctioned.add(mark)
                new = True
        if new:
            counts.imported += 1
        else:
            counts.unchanged += 1
    return counts


# -- provincial returns ---------------------------------------------------------------------------------------


@transaction.atomic
def return_key_add(*, actor: User | None, region: Region, jwks: dict) -> list[ReturnKey]:
    """Trust the public keys of a province's published JWKS (its /.well-known/jwks.json) for its returns."""
    if actor is not None:
        require_perm(actor, Perm.MANAGE_USERS)
    if region.level != "province":
        raise DomainError("not_a_province", _("Returns come from provinces."), field="region")
    try:
        keys = PublicKeySet.from_jwks(jwks)
    except TypeError:
        raise DomainError("bad_jwks", _("Not a JWKS (a JSON object with a list of keys).")) from None
    if not len(keys):
        raise DomainError("bad_jwks", _("The JWKS holds no Ed25519 key."))
    entries = {jwk["kid"]: jwk for jwk in jwks["keys"] if isinstance(jwk, dict) and jwk.get("kid") in keys.kids()}
    taken = dict(ReturnKey.objects.filter(kid__in=list(entries)).values_list("kid", "region_id"))
    if any(code != region.code for code in taken.values()):
        raise Conflict("key_of_another_province", _("This key is already another province's."))
    return [
        audited_create(ReturnKey(region=region, kid=kid, jwk=jwk, added_by=actor))
        for kid, jwk in entries.items()
        if kid not in taken
    ]


# Why a return is refused, in words (``InvalidReturn.code``: a ``lib.jws.TokenErrorCode`` or ``too_large``).
RETURN_REFUSALS = {
    "malformed": _("it is not a readable signed return"),
    "too_large": _("it is larger than a return may be (5 MB)"),
    "bad_alg": _("it is not signed with EdDSA"),
    "bad_typ": _("it is a signed document of another kind"),
    "unknown_kid": _("it is not signed with a key of a province"),
    "bad_signature": _("its signature does not match: it was altered, or signed by another key"),
}


@transaction.atomic
def return_import(*, actor: User | None, text: str | bytes, now: dt.datetime | None = None) -> ProvincialReturn:
    """Receive a province's return: its signature must be one of that province's keys, the region it states that
    province, its period a period; a later return of the same period replaces the earlier one (audited)."""
    if actor is not None and not actor.sees_everything:
        raise PermissionDenied("ministry_only", _("Returns are received by the ministry's platform."))
    try:
        token = read_return(text)
        kid = return_kid(token)
        key = ReturnKey.objects.filter(kid=kid).select_related("region").first() if kid else None
        # no key of a province: verify_token refuses it as unknown_kid, after the checks of the header
        payload = verify_return(token, PublicKeySet.from_jwks({"keys": [key.jwk] if key else []}))
    except InvalidReturn as error:
        reason = RETURN_REFUSALS.get(error.code, RETURN_REFUSALS["malformed"])
        raise DomainError(f"return_{error.code}", _("The return is refused: %(reason)s."), {"reason": reason}) from None
    assert key is not None and kid is not None  # verified with its key
    if payload["region"] != key.region_id or payload["figures"].get("region", {}).get("code") != key.region_id:
        raise DomainError(
            "return_region_mismatch",
            _("The return is refused: it states region %(stated)s, but is signed with a key of %(region)s."),
            {"stated": str(payload["region"]), "region": key.region.name},
        )
    try:
        start = dt.date.fromisoformat(payload["period"]["from"])
        end = dt.date.fromisoformat(payload["period"]["to"])
        Period(start, end)
        signed_at = dt.datetime.fromtimestamp(int(payload["iat"]), tz=dt.UTC)
    except (KeyError, TypeError, ValueError):
        raise DomainError("return_period", _("The return is refused: its period is not a period.")) from None
    if payload["figures"].get("period") != payload["period"]:
        raise DomainError("return_period", _("The return is refused: its period is not a period."))
    digest = hashlib.sha256(token.encode()).hexdigest()
    earlier = (
        ProvincialReturn.objects.select_for_update()
        .filter(region=key.region, period_from=start, period_to=end, current=True)
        .first()
    )
    if earlier is not None:
        if earlier.token_sha256 == digest:
            return earlier  # the same return again: nothing changes
        before = snapshot(earlier)
        earlier.current = False
        audited_update(earlier, before)
    return audited_create(
        ProvincialReturn(
            region=key.region,
            period_from=start,
            period_to=end,
            figures=payload["figures"],
            kid=kid,
            signed_at=signed_at,
            token_sha256=digest,
            received_by=actor,
            received_at=now or timezone.now(),
        )
    )
