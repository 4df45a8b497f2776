"""Reference data of the injury linkage: its dated weights and thresholds (domain/injury_linkage.yaml)."""

from __future__ import annotations

from decimal import Decimal

from peikao.core.refdata import as_date, loader, read_domain, sync_rows
from peikao.oversight.injuries.models import LinkageWeight


def weight_rows() -> list[dict]:
    rows = []
    for item in read_domain("injury_linkage.yaml")["weights"]:
        valid_from = as_date(item.get("valid_from"))
        rows.append(
            {
                "key": f"{item['comparison']}:{item['level']}:{valid_from or ''}",
                "comparison": item["comparison"],
                "level": item["level"],
                "weight": Decimal(str(item["weight"])).quantize(Decimal("0.001")),
                "source": item["source"],
                "valid_from": valid_from,
                "valid_to": as_date(item.get("valid_to")),
                "confirmed": item.get("confirmed", True),
            }
        )
    return rows


@loader(95, "injury_linkage")
def load_weights() -> str:
    return sync_rows(LinkageWeight, "key", weight_rows())
