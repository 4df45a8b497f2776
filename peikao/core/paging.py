"""Pagination shared by the list pages."""

from __future__ import annotations

from django.core.paginator import Paginator

PER_PAGE = 50


def paginate(request, queryset, per_page: int = PER_PAGE) -> dict:
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {"page_obj": page, "rows": page.object_list, "querystring_without_page": params.urlencode()}
