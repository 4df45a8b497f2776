"""Public case pages: decisions marked for publication, with personal data masked (no login)."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from peikao.certificates.public import PUBLIC_HEADERS
from peikao.certificates.verification import mask_name
from peikao.core.validators import mask_id_number
from peikao.enforcement import selectors

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[0-9Xx](?![0-9A-Za-z])")


def masked_text(text: str, names: list[str]) -> str:
    """Free text with ID numbers and the names of the persons concerned masked."""
    text = _ID_NUMBER.sub(lambda match: mask_id_number(match.group(0)), text)
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


def _case(decision) -> dict:
    findings = list(decision.findings.all())
    names = [f.person.name for f in findings if f.person_id]
    return {
        "decision": decision,
        "organization": decision.inspection.organization,
        "findings": [
            {
                "code": f.violation.code if f.violation_id else "",
                "check": f.violation.check_text if f.violation_id else "",
                "basis": f.violation.basis_title if f.violation_id else "",
                "description": masked_text(f.description, names),
            }
            for f in findings
        ],
    }


def _public(response):
    for header, value in PUBLIC_HEADERS.items():
        response[header] = value
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def case_list(request):
    page = Paginator(selectors.public_cases().select_related("inspection__organization__region"), 30).get_page(
        request.GET.get("page")
    )
    return _public(render(request, "enforcement/public_case_list.html", {"page_obj": page}))


@require_GET
def case_detail(request, decision_code: str):
    decision = selectors.public_cases().filter(code=decision_code).prefetch_related("findings__person").first()
    if decision is None:
        raise Http404
    return _public(render(request, "enforcement/public_case.html", _case(decision)))


public_urlpatterns = [
    path("cases/", case_list, name="public_cases"),
    path("cases/<str:decision_code>/", case_detail, name="public_case"),
]
