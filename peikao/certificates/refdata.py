"""Reference data of certificates: validity, review and renewal by regime (domain/exams_certificates.yaml)."""

from __future__ import annotations

from peikao.certificates import services
from peikao.certificates.choices import CertificateType
from peikao.core.models import LegalInstrument
from peikao.core.refdata import loader, read_domain


@loader(70, "certificate_rules")
def load_certificate_rules() -> str:
    instruments = {item.code: item for item in LegalInstrument.objects.all()}
    domain = read_domain("exams_certificates.yaml")["certificates"]
    rows = []
    for regime, rule in domain["special_operation"].items():
        if regime not in instruments:
            continue  # number_format, revoke_grounds, … are not regimes
        instrument = instruments[regime]
        review = rule.get("review_every_years")
        rows.append(
            {
                "code": f"special_operation_{regime}",
                "cert_type": CertificateType.SPECIAL_OPERATION,
                "valid_from": instrument.valid_from,
                "valid_to": instrument.valid_to,
                "validity_years": rule["validity_years"],
                "review_every_years": review if isinstance(review, int) else None,
                "review_may_extend_to_years": rule.get("review_interval_may_extend_to_years"),
                "review_window_days": rule.get("review_apply_window_days_before_due", 60),
                # Order No. 30 art. 21/26: applied for within the 60 days before the date (an opening).
                "renew_window_days": rule.get("review_apply_window_days_before_due", 60),
                "renew_deadline_days": None,
                "basis": regime,
                "instrument": instrument,
            }
        )
    competency = domain["competency"]
    basis = competency["basis"]
    instrument = instruments[basis.split()[0]]
    rows.append(
        {
            "code": "competency_order_44",
            "cert_type": CertificateType.COMPETENCY,
            "valid_from": instrument.valid_from,
            "valid_to": instrument.valid_to,
            "validity_years": competency["validity_years"],
            "review_every_years": None,
            "review_may_extend_to_years": None,
            "review_window_days": 0,
            # Order No. 44 art. 25: apply no later than 30 days before expiry — a deadline, not an opening.
            "renew_window_days": None,
            "renew_deadline_days": competency.get("renew_apply_days_before_expiry", 30),
            "basis": basis,
            "instrument": instrument,
        }
    )
    return services.certificate_rules_sync(rows=rows)
