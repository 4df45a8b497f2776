"""Reference data of exams: the exam rules of order No. 30 and order No. 19 (domain/exams_certificates.yaml)."""

from __future__ import annotations

from peikao.core.models import LegalInstrument
from peikao.core.refdata import loader, read_domain
from peikao.exams import services


@loader(60, "exam_regimes")
def load_exam_regimes() -> str:
    instruments = {item.code: item for item in LegalInstrument.objects.filter(code__in=["order_30", "order_19"])}
    rules = read_domain("exams_certificates.yaml")["exams"]["special_operation"]
    rows = []
    for code, rule in rules.items():
        instrument = instruments[code]
        theory = rule.get("theory_attempts")
        makeup = rule.get("makeup_attempts")
        rows.append(
            {
                "code": code,
                "title": instrument.title,
                "valid_from": instrument.valid_from,
                "valid_to": instrument.valid_to,
                "pass_score": rule["pass_score"],
                "max_score": rule["max_score"],
                "theory_minutes": rule.get("theory_minutes", 120),
                # order No. 30: one make-up per part (two attempts); order No. 19: theory unlimited, practical 5.
                "theory_attempts": None if theory == "unlimited" else (theory or (1 + makeup if makeup else None)),
                "practical_attempts": rule.get("practical_attempts") or (1 + makeup if makeup else None),
                "retraining_after_fail": rule.get("retraining_after_fail", True),
                "result_valid_months": rule.get("result_valid_months"),
                "training_valid_months": rule.get("result_valid_months") or 12,
                "practical_since_passed_theory": rule.get("practical_attempts_since") == "passed_theory",
                "skill_certificate_skips_training": bool(rule.get("skill_certificate_holders_skip_training")),
                "skill_occupations": rule.get("skill_certificate_occupations") or {},
                "articles": rule.get("articles") or {},
                "basis": code,
            }
        )
    return services.exam_regime_sync_bulk(rows=rows)
