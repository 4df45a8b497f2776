"""Public pages of graded supervision (no login): institutions and exam points that exited, and an institution's
self-discipline commitment with its status ("接受社会监督"); persons' names masked."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from peikao.core.http import public_response
from peikao.core.privacy import mask_name
from peikao.oversight.grading import selectors


def _public(response):
    return public_response(response, cache_control="public, max-age=300")


@require_GET
def exit_list(request):
    page = Paginator(selectors.public_exits(), 30).get_page(request.GET.get("page"))
    return _public(render(request, "oversight/grading/public_exits.html", {"page_obj": page}))


@require_GET
def commitment_page(request, institution_code: str):
    organization = selectors.public_organization(institution_code)
    commitments = list(selectors.public_commitments(organization)) if organization is not None else []
    if not commitments:
        raise Http404
    rows = [
        {
            "commitment": c,
            "signatory": mask_name(c.signatory),
            "lawyer": mask_name(c.lawyer),
        }
        for c in commitments
    ]
    return _public(
        render(request, "oversight/grading/public_commitment.html", {"organization": organization, "rows": rows})
    )


public_urlpatterns = [
    path("exits/", exit_list, name="public_exits"),
    path("commitments/<str:institution_code>/", commitment_page, name="public_commitment"),
]
