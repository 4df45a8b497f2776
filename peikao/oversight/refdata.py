"""Reference data of oversight: the detectors and their dated thresholds (domain/oversight_detectors.yaml)."""

from __future__ import annotations

from decimal import Decimal

from peikao.core.refdata import as_date, loader, read_domain, sync_rows
from peikao.oversight.models import Detector, DetectorThreshold


def _one_line(text: str) -> str:
    """A template written over several lines of the file is one Chinese paragraph (no spaces between lines)."""
    return "".join(line.strip() for line in str(text).splitlines())


def detector_rows() -> tuple[list[dict], list[dict]]:
    data = read_domain("oversight_detectors.yaml")
    detectors, thresholds = [], []
    for position, item in enumerate(data["detectors"], start=1):
        detectors.append(
            {
                "code": item["code"],
                "name": item["name"],
                "description": _one_line(item.get("description", "")),
                "subject_kind": item["subject_kind"],
                "severity": item["severity"],
                "violation_code": item.get("violation", ""),
                "explanation": _one_line(item["explanation"]),
                "source": item.get("source", ""),
                "position": position,
            }
        )
        for threshold in item.get("thresholds") or []:
            valid_from = as_date(threshold.get("valid_from"))
            thresholds.append(
                {
                    "key": f"{item['code']}:{threshold['param']}:{valid_from or ''}",
                    "detector_id": item["code"],
                    "param": threshold["param"],
                    "value": Decimal(str(threshold["value"])).quantize(Decimal("0.0001")),
                    "unit": threshold.get("unit", ""),
                    "source": threshold["source"],
                    "valid_from": valid_from,
                    "valid_to": as_date(threshold.get("valid_to")),
                    "confirmed": threshold.get("confirmed", True),
                }
            )
    return detectors, thresholds


@loader(90, "oversight_detectors")
def load_detectors() -> str:
    detectors, thresholds = detector_rows()
    return "; ".join([sync_rows(Detector, "code", detectors), sync_rows(DetectorThreshold, "key", thresholds)])
