"""Every part of the demo province, registered in the order its steps run (each module's ``@step``)."""

from __future__ import annotations

from peikao.demo import certificates, enforcement, exams, history, injuries, oversight, registry, training  # noqa: F401  (register steps)
from peikao.demo.steps import DemoContext, steps

__all__ = ["DemoContext", "steps"]
