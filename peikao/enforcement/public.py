"""Public case pages: decisions marked for publication, with personal data masked (no login)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from peikao.core.http import public_response
from peikao.core.privacy import mask_text
from peikao.enforcement import selectors


def _case(decision) -> dict:
    findings = list(decision.findings.all())
    names = [f.person.name for f in findings if f.person_id]
    return {
        "decision": decision,
        "organization": decision.inspection.organization,
        "findings": [
            {
                "name": f.violation.label if f.violation_id else "",
                "basis": f.violation.basis_title if f.violation_id else "",
                "description": mask_text(f.description, names),
            }
            for f in findings
        ],
    }


def _public(response):
    return public_response(response, cache_control="public, max-age=300")


@require_GET
def case_list(request):
    page = Paginator(selectors.public_cases().select_related("inspection__organization__region"), 30).get_page(
        request.GET.get("page")
    )
    return _public(render(request, "enforcement/public_case_list.html", {"page_obj": page}))


@require_GET
def case_detail(request, decision_code: str):
    decision = (
        selectors.public_cases()
        .filter(code=decision_code)
        .prefetch_related("findings__person", "findings__violation__instrument")
        .first()
    )
    if decision is None:
        raise Http404
    return _public(render(request, "enforcement/public_case.html", _case(decision)))


public_urlpatterns = [
    path("cases/", case_list, name="public_cases"),
    path("cases/<str:decision_code>/", case_detail, name="public_case"),
]
