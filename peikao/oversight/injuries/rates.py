"""Rates and relative risks of the injury analysis: pure arithmetic, tested by hand-computed values.

A group's rate is its cases per 1,000 workers of the roster baseline; its relative risk compares it with the rest of
the same dimension (all other groups together): RR = (a / n1) / (c / n2), with the 95 % confidence interval of the
log method (Katz et al. 1978): exp(ln RR ± 1.96 · √(1/a − 1/n1 + 1/c − 1/n2)). Undefined (None) where a count is zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

Z95 = 1.959963984540054


@dataclass(frozen=True)
class RelativeRisk:
    ratio: float
    low: float
    high: float


def rate_per_1000(cases: int, workers: int) -> float | None:
    return cases * 1000 / workers if workers > 0 else None


def relative_risk(a: int, n1: int, c: int, n2: int) -> RelativeRisk | None:
    """``a`` cases among ``n1`` workers of the group against ``c`` cases among ``n2`` workers of the rest.

    Where every worker of a side was injured (a = n1 or c = n2) the 2×2 table has an empty cell and Katz's standard
    error loses that side's term (1 case of 1 worker gave 7.33, 5.64–9.54): its interval then adds 0.5 to each cell
    (Haldane–Anscombe), as wide as so few cases warrant; the ratio stays the ratio of the rates shown."""
    if min(a, n1, c, n2) <= 0 or a > n1 or c > n2:
        return None
    ratio = (a / n1) / (c / n2)  # the rates' ratio as the table shows them
    if a == n1 or c == n2:
        se = math.sqrt(1 / (a + 0.5) - 1 / (n1 + 1) + 1 / (c + 0.5) - 1 / (n2 + 1))
    else:
        se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    log_ratio = math.log(ratio)
    return RelativeRisk(ratio, math.exp(log_ratio - Z95 * se), math.exp(log_ratio + Z95 * se))


# (lowest, highest age in whole years, band).
AGE_BANDS = ((0, 24, "<25"), (25, 34, "25-34"), (35, 44, "35-44"), (45, 54, "45-54"), (55, 200, "55+"))


def age_band(age: int | Decimal | None) -> str:
    """The band of an age in whole years (the year of the day less the year of birth); "" for none (no birth date,
    or an age no band holds)."""
    if age is not None:
        for low, high, band in AGE_BANDS:
            if low <= age <= high:
                return band
    return ""
