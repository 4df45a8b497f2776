"""What the compliance app asks of higher apps (registered in their ``AppConfig.ready()``; see core/hooks.py)."""

from __future__ import annotations

from peikao.core.hooks import Hook

#: ``() -> dict[str, ViolationItem]``: the current violation catalogue by code, for the violation and legal
#: basis shown beside each gap. Registered by enforcement, which owns the catalogue.
violation_catalogue: Hook[dict] = Hook("compliance.violation_catalogue")
