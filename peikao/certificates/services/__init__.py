"""The certificates' write path, by sub-domain; every public service is importable from here.

- :mod:`.issuance` — issuance from results, legacy certificates from certificates.csv.
- :mod:`.reviews` — reviews (复审) and renewals (换证).
- :mod:`.status` — suspension, reinstatement, revocation, cancellation: logged transitions of the status.
- :mod:`.leads` — fake-certificate leads: derived from the lookup log, reported by the public, reviewed.
- :mod:`.lookups` — the lookup log's batched appends and its purge.
- :mod:`.publishing` — status-list slots, numbering counters, the register version.
- :mod:`.reference` — the certificate rules of the reference data.

Transitions are in ``choices`` (``CERTIFICATE_TRANSITIONS``, ``LEAD_TRANSITIONS``); the checks an issuance rests
on in ``rules`` and ``selectors`` (``special_operation_plan``, ``competency_plan``).
"""

from peikao.certificates.selectors import competency_plan, special_operation_plan
from peikao.certificates.services.issuance import certificates_import_bulk, issue_competency, issue_special_operation
from peikao.certificates.services.leads import (
    lead_close,
    lead_hand_over,
    lead_reveal_number,
    lead_start_review,
    leads_apply,
    leads_derive,
    report_from_public,
)
from peikao.certificates.services.lookups import lookups_purge, lookups_record_bulk
from peikao.certificates.services.publishing import counter_reserve, status_slots_allocate, status_version_bump
from peikao.certificates.services.reference import certificate_rules_sync
from peikao.certificates.services.reviews import renew, review_record
from peikao.certificates.services.status import cancel, reinstate, revoke, suspend

__all__ = [
    "cancel",
    "certificate_rules_sync",
    "certificates_import_bulk",
    "competency_plan",  # a read, kept here for callers (the demo) that plan through services
    "counter_reserve",
    "issue_competency",
    "issue_special_operation",
    "lead_close",
    "lead_hand_over",
    "lead_reveal_number",
    "lead_start_review",
    "leads_apply",
    "leads_derive",
    "lookups_purge",
    "lookups_record_bulk",
    "reinstate",
    "renew",
    "report_from_public",
    "review_record",
    "revoke",
    "special_operation_plan",  # a read, as competency_plan
    "status_slots_allocate",
    "status_version_bump",
    "suspend",
]
