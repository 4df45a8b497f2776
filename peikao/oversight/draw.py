"""What oversight answers when a plan is drawn (enforcement.hooks.forced_subjects): the subjects of alerts a
regulator confirmed into that plan's draw come first."""

from __future__ import annotations

from peikao.oversight.models import Alert


def forced_by_alert(*, plan, organization_ids: list[int]) -> set[int] | None:
    """The candidates of ``plan`` that a confirmed alert forces into its draw."""
    forced = set(
        Alert.objects.filter(forced_plan=plan, organization_id__in=organization_ids).values_list(
            "organization_id", flat=True
        )
    )
    return forced or None
