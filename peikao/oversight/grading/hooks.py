"""Registered from OversightConfig.ready(): the reference-data loader of graded supervision and the grades'
answers to enforcement's draw hooks (the weight of a subject, the subjects a plan must take first)."""

from peikao.enforcement import hooks as enforcement_hooks
from peikao.oversight.grading import draw, refdata  # noqa: F401 — registers the loader

enforcement_hooks.draw_weights.register(draw.grade_weights)
enforcement_hooks.forced_subjects.register(draw.forced_by_grade)
enforcement_hooks.plan_panels.register(draw.plan_panel)
