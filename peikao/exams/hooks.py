"""What the exams app asks of higher apps (registered in their ``AppConfig.ready()``; see core/hooks.py)."""

from __future__ import annotations

import datetime as dt

from peikao.core.hooks import Hook

#: ``(person_id=int, day=date) -> date | None``: the last day of a ban from applying for an exam that runs on
#: ``day`` (order No. 30 art. 30: three years after a certificate revoked for false information or fraud).
#: Registered by certificates.
application_ban_until: Hook[dt.date] = Hook("exams.application_ban_until")
