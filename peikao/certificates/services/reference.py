"""The certificates' reference data: the rules of validity, review and renewal by regime (refdata.py reads them
from domain/exams_certificates.yaml)."""

from __future__ import annotations

from typing import Any

from peikao.certificates import rules
from peikao.certificates.models import CertificateRule
from peikao.certificates.verification.reference import reset_reference
from peikao.core.refdata import sync_rows


def certificate_rules_sync(*, rows: list[dict[str, Any]]) -> str:
    """Write the certificate rules (keyed by code) and forget what was read from the former ones: the rules'
    cache and the reference tables of the public answers. Returns the summary of ``sync_rows``."""
    summary = sync_rows(CertificateRule, "code", rows)
    rules.clear_cache()
    reset_reference()
    return summary
