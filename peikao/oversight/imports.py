"""Exchange files of oversight (docs/exchange.md), one module per sub-domain; core autodiscovers this module."""

from peikao.oversight import exports as alerts  # noqa: F401 — alerts (the alert queue)
from peikao.oversight.grading import exports as grading  # noqa: F401 — grades, exit_proposals (issue 17)
from peikao.oversight.injuries import imports as injuries  # noqa: F401 — injuries.csv, injury_analysis
