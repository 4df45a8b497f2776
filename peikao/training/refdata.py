"""Reference data of training: minimum hours and the length of a credited hour (domain/training_hours.yaml)."""

from __future__ import annotations

from decimal import Decimal

from peikao.core.models import LegalInstrument
from peikao.core.refdata import as_date, loader, read_domain, sync_rows
from peikao.registry.models import Industry
from peikao.training.models import HourRule, HourUnit


def _instrument_code(basis: str) -> str:
    """'order_3 art. 9' → 'order_3'."""
    return basis.split()[0]


@loader(50, "hour_rules")
def load_hour_rules() -> str:
    instruments = {item.code: item for item in LegalInstrument.objects.all()}
    industries = dict(Industry.objects.values_list("code", "pk"))
    data = read_domain("training_hours.yaml")
    rows = []
    for rule in data["rules"]:
        instrument = instruments.get(_instrument_code(rule["basis"]))
        valid_from = as_date(rule.get("valid_from")) or (instrument.valid_from if instrument else None)
        valid_to = as_date(rule.get("valid_to")) or (instrument.valid_to if instrument else None)
        for category in rule["trainee_category"]:
            industry = rule.get("industry", "")
            industry_class = rule.get("industry_class", "")
            key = f"{category}:{industry or industry_class or 'any'}:{rule['training_type']}:{valid_from or ''}"
            rows.append(
                {
                    "key": key,
                    "trainee_category": category,
                    "industry_class": industry_class,
                    "industry_id": industries.get(industry) if industry else None,
                    "training_type": rule["training_type"],
                    "hours": Decimal(str(rule["hours"])).quantize(Decimal("0.1")),
                    "per_year": rule.get("per") == "year",
                    "basis": rule["basis"],
                    "instrument_id": instrument.pk if instrument else None,
                    "advisory": rule.get("strength") == "policy"
                    or (instrument is not None and instrument.strength == "policy"),
                    "note": rule.get("note", ""),
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "confirmed": rule.get("confirmed", True),
                }
            )
    unit = data["hour_unit_minutes"]
    instrument = instruments.get(unit["basis"])
    units = [
        {
            "key": f"units:{unit['basis']}",
            "offline_minutes": unit["offline"],
            "online_minutes": unit["online"],
            "basis": f"{unit['basis']} 4.4",
            "instrument_id": instrument.pk if instrument else None,
            # The 45/30-minute hour is older than AQ 8011-2023; it is the only definition we hold, so it applies
            # to every date until a rule with another valid_from is loaded.
            "valid_from": None,
        }
    ]
    return "; ".join([sync_rows(HourRule, "key", rows), sync_rows(HourUnit, "key", units)])
