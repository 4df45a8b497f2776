"""Reference data of the registry: industries and the special-operations catalogue."""

from __future__ import annotations

from peikao.core.refdata import as_date, loader, read_domain, sync_rows
from peikao.registry.models import Industry, OperationCategory, OperationItem

ORDER_19_FROM = "2026-06-01"


@loader(30, "industries")
def load_industries() -> str:
    """Industries; ``confirmed: false`` marks a classification not checked against the primary text (oil and gas
    as high-risk: order No. 20 art. 4), shown wherever a rule applies it."""
    rows = [
        {
            "code": item["code"],
            "name": item["name"],
            "high_risk": bool(item.get("high_risk")),
            "competency_assessed_by": item.get("competency_assessed_by", ""),
            "note": item.get("note", ""),
            "confirmed": item.get("confirmed", True),
        }
        for item in read_domain("industries.yaml")
    ]
    return sync_rows(Industry, "code", rows)


@loader(40, "operation_catalogue")
def load_operation_catalogue() -> str:
    """Categories and items. Items not confirmed for order No. 30 (1.4-1.6) are in force from order No. 19."""
    industries = dict(Industry.objects.values_list("code", "pk"))
    catalogue = read_domain("operation_items.yaml")["categories"]
    categories, items = [], []
    position = 0
    for index, category in enumerate(catalogue):
        categories.append(
            {
                "code": category["code"],
                "name": category["name"],
                "industry_id": industries.get(category.get("industry")),
                "education_min": category.get("education_min", ""),
                "position": index,
            }
        )
    summary = [sync_rows(OperationCategory, "code", categories)]
    category_ids = dict(OperationCategory.objects.values_list("code", "pk"))
    for category in catalogue:
        for item in category["items"]:
            position += 1
            confirmed = item.get("confirmed", True)
            items.append(
                {
                    "code": item["code"],
                    "name": item["name"],
                    "category_id": category_ids[category["code"]],
                    "position": position,
                    "confirmed": confirmed,
                    # Unconfirmed items belong to the new catalogue of order No. 19 only.
                    "valid_from": None if confirmed else as_date(ORDER_19_FROM),
                }
            )
    summary.append(sync_rows(OperationItem, "code", items))
    return "; ".join(summary)
