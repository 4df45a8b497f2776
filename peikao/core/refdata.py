"""Reference data: the domain rules (peikao/domain/*.yaml) and the administrative divisions, loaded into
dated tables by ``manage.py load_reference``. Each app registers its loaders in its own refdata.py.

Loading is idempotent: rows are matched on their key, only changes are written, and every change
goes to the change log like any other write.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction

from peikao.core.choices import RegionLevel
from peikao.core.services import reference_rows_sync

DOMAIN_DIR = Path(__file__).resolve().parent.parent / "domain"
REGION_DIR = Path(__file__).resolve().parent / "data" / "regions"

_LOADERS: list[tuple[int, str, Callable[[], str]]] = []


def loader(order: int, name: str):
    """Register a reference-data loader; loaders run in ``order`` (dependencies first)."""

    def decorate(func: Callable[[], str]) -> Callable[[], str]:
        if all(existing != name for _order, existing, _func in _LOADERS):
            _LOADERS.append((order, name, func))
        return func

    return decorate


def load_all(only: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Run every registered loader (or those named) in one transaction; return (name, summary) pairs."""
    wanted = set(only or [])
    results = []
    with transaction.atomic():
        for _order, name, func in sorted(_LOADERS):
            if wanted and name not in wanted:
                continue
            results.append((name, func()))
    return results


@cache
def read_domain(name: str) -> Any:
    with open(DOMAIN_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def as_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def sync_rows(model: type[models.Model], key: str, rows: list[dict[str, Any]]) -> str:
    """Create or update ``rows`` of ``model`` matched on ``key``; record every change; return a summary (the
    service ``reference_rows_sync`` writes)."""
    return reference_rows_sync(model=model, key=key, rows=rows)


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(REGION_DIR / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@loader(10, "regions")
def load_regions() -> str:
    """The nation, 31 provinces, their prefectures and counties (NBS 2023)."""
    from peikao.core.models import NATION_CODE

    rows: dict[str, dict[str, Any]] = {
        NATION_CODE: {"code": NATION_CODE, "name": "全国", "level": RegionLevel.NATION, "parent_id": None}
    }
    for province in _read_csv("nbs2023_provinces.csv"):
        code = province["code"].ljust(6, "0")
        rows[code] = {"code": code, "name": province["name"], "level": RegionLevel.PROVINCE, "parent_id": NATION_CODE}
    for city in _read_csv("nbs2023_cities.csv"):
        code = city["code"].ljust(6, "0")
        rows[code] = {
            "code": code,
            "name": city["name"],
            "level": RegionLevel.CITY,
            "parent_id": city["provinceCode"].ljust(6, "0"),
        }
    for county in _read_csv("nbs2023_areas.csv"):
        code = county["code"]
        city_code = county["cityCode"].ljust(6, "0")
        if code == city_code:
            # A prefecture-level city without counties (东莞, 中山, 儋州): the city is its own county.
            rows[code] = {**rows[code], "level": RegionLevel.COUNTY}
            continue
        rows[code] = {
            "code": code,
            "name": county["name"],
            "level": RegionLevel.COUNTY,
            "parent_id": city_code,
        }
    for row in rows.values():
        row["is_development_zone"] = row["level"] == RegionLevel.COUNTY and row["code"][4] == "7"
    from peikao.core.models import Region

    ordered = sorted(rows.values(), key=lambda r: {"nation": 0, "province": 1, "city": 2, "county": 3}[r["level"]])
    return sync_rows(Region, "code", ordered)


@loader(20, "legal_instruments")
def load_legal_instruments() -> str:
    from peikao.core.models import LegalInstrument

    rows = []
    for item in read_domain("regimes.yaml"):
        strength = item.get("strength") or ("standard" if item["code"].startswith("aq_") else "law")
        rows.append(
            {
                "code": item["code"],
                "title": item["title"],
                "valid_from": as_date(item.get("valid_from")),
                "valid_to": as_date(item.get("valid_to")),
                "strength": strength,
                "confirmed": item.get("confirmed", True),
            }
        )
    return sync_rows(LegalInstrument, "code", rows)
