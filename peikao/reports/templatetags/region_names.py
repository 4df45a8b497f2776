"""``{{ row.name|within:data.region.name }}``: a sub-region named as its charts name it (鼓楼区 on 福州市's
dashboard, not 福建省福州市鼓楼区), so a table and the chart beside it read the same."""

from __future__ import annotations

from django import template

from peikao.reports.selectors import name_within

register = template.Library()


@register.filter
def within(name: object, region_name: object) -> str:
    return name_within(str(name or ""), str(region_name or ""))
