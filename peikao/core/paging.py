"""Pagination shared by the list pages and the API's lists."""

from __future__ import annotations

from django.core.paginator import Paginator
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

PER_PAGE = 50

# The API's lists: ``limit`` and ``offset`` are bounded, so that a number beyond what the database takes (a
# 64-bit integer) is refused as a 422 with its reason instead of failing in the query.
API_PER_PAGE = 100
API_MAX_LIMIT = 1000
API_MAX_OFFSET = 1_000_000_000


def paginate(request, queryset, per_page: int = PER_PAGE) -> dict:
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {"page_obj": page, "rows": page.object_list, "querystring_without_page": params.urlencode()}


class ApiPagination(LimitOffsetPagination):
    """``?limit=&offset=`` of the API's lists (``@paginate(ApiPagination)``), within bounds the OpenAPI declares."""

    class Input(Schema):
        limit: int = Field(API_PER_PAGE, ge=1, le=API_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=API_MAX_OFFSET)

    def __init__(self, **kwargs) -> None:
        super().__init__(max_limit=API_MAX_LIMIT, **kwargs)
