"""Exchange files of oversight (docs/exchange.md), one module per sub-domain; core autodiscovers this module."""

from peikao.oversight.injuries import imports as injuries  # noqa: F401 — injuries.csv, injury_analysis
