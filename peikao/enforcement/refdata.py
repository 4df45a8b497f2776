"""Reference data of enforcement: the violation catalogue (domain/violations.yaml), as versioned items.

Items from the domain file are matched on their code; a changed item becomes a new version (the old one is
retired, never edited), so findings keep what they were judged by. Items added by administrators are left
alone.
"""

from __future__ import annotations

from peikao.core.models import LegalInstrument
from peikao.core.refdata import loader, read_domain
from peikao.enforcement import services
from peikao.enforcement.models import ViolationItem

SUBJECTS = {
    "training_institution": "training_institution",
    "exam_body": "exam_body",
    "enterprise": "enterprise",
    "individual": "individual",
}


def catalogue_rows() -> list[dict]:
    """The items of violations.yaml as field values, each with its short Chinese name (violations_zh.yaml
    ``names``), ``same_as`` penalties resolved (with the fine of the person directly responsible for a violation
    not corrected in time), surface items coded; each item's source: the campaign list it is traced to, or the
    rule it comes from."""
    instruments = {item.code: item.pk for item in LegalInstrument.objects.all()}
    domain = read_domain("violations.yaml")
    chinese = read_domain("violations_zh.yaml")  # what inspectors read; the domain file stays as published
    zh_checks, zh_surface = chinese.get("checks", {}), chinese.get("surface_items", [])
    zh_sources = chinese.get("sources", {})  # sources that are not an instrument's code, in Chinese
    names, surface_names = chinese.get("names", {}), chinese.get("surface_names", [])
    by_code = {}
    for subject in SUBJECTS:
        for item in domain.get(subject, []):
            by_code[item["code"]] = item
    rows = []
    for subject, subject_type in SUBJECTS.items():
        for item in domain.get(subject, []):
            penalty = item.get("penalty") or {}
            if isinstance(penalty, str) and penalty.startswith("same_as"):
                penalty = by_code[penalty.split()[1]].get("penalty") or {}
            overdue = penalty.get("overdue") or {}
            instrument = str(item.get("basis", "")).split()[0].rstrip(";")
            rows.append(
                {
                    "code": item["code"],
                    "name": names.get(item["code"], ""),
                    "subject_type": subject_type,
                    "check_text": zh_checks.get(item["code"], item["check"]),
                    "basis": str(item.get("basis", "")),
                    "instrument_id": instruments.get(instrument),
                    "surface": False,
                    "order_to_correct": bool(penalty.get("order_to_correct")),
                    "warning": bool(penalty.get("warning")),
                    "fine_min": penalty.get("fine_min", 0 if penalty.get("fine_max") else None),
                    "fine_max": penalty.get("fine_max"),
                    "overdue_fine_min": overdue.get("fine_min"),
                    "overdue_fine_max": overdue.get("fine_max"),
                    "overdue_suspend": bool(overdue.get("suspend")),
                    "responsible_fine_min": overdue.get("responsible_person_fine_min"),
                    "responsible_fine_max": overdue.get("responsible_person_fine_max"),
                    "same_act_as": item.get("same_act_as", ""),
                    "revoke_certificate": bool(penalty.get("revoke_certificate")),
                    "ban_years": penalty.get("ban_years"),
                    "campaign_list": item.get("campaign_list", ""),
                    "source": zh_sources.get(str(item.get("source", "")), str(item.get("source", ""))),
                    "confirmed": item.get("confirmed", True),
                }
            )
    for number, text in enumerate(domain.get("surface_items", []), start=1):
        rows.append(
            {
                "code": f"SURFACE-{number}",
                "name": surface_names[number - 1] if number <= len(surface_names) else "",
                "subject_type": "any",
                "check_text": zh_surface[number - 1] if number <= len(zh_surface) else text,
                "basis": "",
                "instrument_id": None,
                "surface": True,
                "order_to_correct": True,
                "warning": False,
                "fine_min": None,
                "fine_max": None,
                "overdue_fine_min": None,
                "overdue_fine_max": None,
                "overdue_suspend": False,
                "responsible_fine_min": None,
                "responsible_fine_max": None,
                "same_act_as": "",
                "revoke_certificate": False,
                "ban_years": None,
                "campaign_list": "",
                "source": "",
                "confirmed": True,
            }
        )
    return rows


@loader(80, "violation_catalogue")
def load_violation_catalogue() -> str:
    created, retired = services.violations_load(rows=catalogue_rows())
    total = ViolationItem.objects.filter(retired=False).count()
    return f"violation catalogue: {created} new versions, {retired} retired, {total} current"
