"""What the enforcement app asks of higher apps (registered in their ``AppConfig.ready()``; see core/hooks.py)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.safestring import SafeString

from peikao.core.hooks import Hook

#: ``(plan=InspectionPlan, organization_ids=list[int]) -> dict[int, Decimal] | None``: the weight in the random
#: draw of the candidates an implementation knows (a weight of 0 leaves a candidate out); the others keep the
#: simple risk weight. Registered by oversight (the risk grades and their draw rules).
draw_weights: Hook[dict[int, Decimal]] = Hook("enforcement.draw_weights")

#: ``(plan=InspectionPlan, organization_ids=list[int]) -> set[int] | None``: candidates the draw must take first
#: (a grade's minimum frequency, a confirmed alert). Registered by oversight.
forced_subjects: Hook[set[int]] = Hook("enforcement.forced_subjects")

#: ``(plan=InspectionPlan, user=User) -> SafeString | None``: a panel of the plan's page (the grades' count of
#: what the plan's rules ask for and what was drawn). Registered by oversight.
plan_panels: Hook[SafeString] = Hook("enforcement.plan_panels")
