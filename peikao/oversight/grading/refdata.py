"""Reference data of graded supervision (domain/oversight_grading.yaml): indicator sets and their indicators, the
draw rules of the grades, the exit rules and the commitment texts."""

from __future__ import annotations

from decimal import Decimal

from peikao.core.refdata import as_date, loader, read_domain, sync_rows
from peikao.oversight.grading.choices import EnterpriseScope
from peikao.oversight.grading.models import (
    CommitmentTemplate,
    DrawRule,
    ExitRule,
    Indicator,
    IndicatorSet,
)


def _one_line(text: str) -> str:
    return "".join(line.strip() for line in str(text).splitlines())


def _dec(value, places: str = "0.01") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


def _scope(value) -> str:
    if value not in EnterpriseScope.values:
        raise ValueError(f"oversight_grading.yaml: enterprises must be one of {EnterpriseScope.values}, not {value!r}")
    return str(value)


def _dates(item: dict) -> dict:
    return {
        "valid_from": as_date(item.get("valid_from")),
        "valid_to": as_date(item.get("valid_to")),
        "confirmed": item.get("confirmed", True),
    }


def grading_rows() -> dict[str, list[dict]]:
    data = read_domain("oversight_grading.yaml")
    sets, indicators = [], []
    for item in data["indicator_sets"]:
        version = str(item["version"])
        sets.append(
            {
                "version": version,
                "name": item["name"],
                "source": item["source"],
                "max_a": _dec(item["max_a"]),
                "max_b": _dec(item["max_b"]),
                "max_c": _dec(item["max_c"]),
                "enterprises": _scope(item.get("enterprises", EnterpriseScope.HIGH_RISK)),
                **_dates(item),
            }
        )
        for position, indicator in enumerate(item["indicators"], start=1):
            threshold = indicator.get("threshold")
            indicators.append(
                {
                    "key": f"{version}:{indicator['code']}",
                    "indicator_set_id": version,
                    "code": indicator["code"],
                    "kinds": list(indicator["kinds"]),
                    "points": _dec(indicator["points"]),
                    "cap": _dec(indicator["cap"]),
                    "threshold": None if threshold is None else _dec(threshold, "0.0001"),
                    "minimum": int(indicator.get("minimum", 0)),
                    "months": int(indicator.get("months", 24)),
                    "description": _one_line(indicator["description"]),
                    "position": position,
                }
            )
    draw = [
        {
            "key": f"{rule['grade']}:{as_date(rule.get('valid_from')) or ''}",
            "grade": rule["grade"],
            "weight": _dec(rule["weight"]),
            "min_per_year": int(rule.get("min_per_year", 0)),
            "at_most_every_years": int(rule.get("at_most_every_years", 0)),
            "source": rule["source"],
            **_dates(rule),
        }
        for rule in data["draw_rules"]
    ]
    exits = [
        {
            "code": rule["code"],
            "name": rule["name"],
            "kinds": list(rule["kinds"]),
            "measure": rule["measure"],
            "threshold": _dec(rule.get("threshold", 0), "0.0001"),
            "minimum": int(rule.get("minimum", 0)),
            "months": int(rule.get("months", 12)),
            "description": _one_line(rule["description"]),
            "source": rule["source"],
            **_dates(rule),
        }
        for rule in data["exit_rules"]
    ]
    templates = [
        {
            "version": str(item["version"]),
            "title": item["title"],
            "text": _one_line(item["text"]),
            "breach_codes": list(item.get("breach_codes") or []),
            "source": item["source"],
            **_dates(item),
        }
        for item in data["commitment_templates"]
    ]
    return {"sets": sets, "indicators": indicators, "draw": draw, "exits": exits, "templates": templates}


@loader(91, "oversight_grading")
def load_grading() -> str:
    rows = grading_rows()
    return "; ".join(
        [
            sync_rows(IndicatorSet, "version", rows["sets"]),
            sync_rows(Indicator, "key", rows["indicators"]),
            sync_rows(DrawRule, "key", rows["draw"]),
            sync_rows(ExitRule, "code", rows["exits"]),
            sync_rows(CommitmentTemplate, "version", rows["templates"]),
        ]
    )
