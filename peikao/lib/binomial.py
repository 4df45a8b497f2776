"""The one-sided exact binomial test and the Benjamini–Hochberg procedure, in the standard library only (the
oversight detector EXM-PASS-RATE-OUTLIER tests a few hundred aggregated groups; no SciPy needed for that).

``binomial_upper_tail(k, n, p)`` is P(X ≥ k) for X ~ Binomial(n, p): SciPy's
``binomtest(k, n, p, alternative="greater").pvalue``. It sums the terms in log space (``math.lgamma``) from the
largest down, so that it neither underflows nor loses the small tails a strong outlier has.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def _log_pmf(i: int, n: int, p: float) -> float:
    return (
        math.lgamma(n + 1)
        - math.lgamma(i + 1)
        - math.lgamma(n - i + 1)
        + (i * math.log(p) if i else 0.0)
        + ((n - i) * math.log1p(-p) if n - i else 0.0)
    )


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), 0 ≤ k ≤ n + 1, 0 ≤ p ≤ 1."""
    if n < 0 or not 0.0 <= p <= 1.0:
        raise ValueError("n ≥ 0 and 0 ≤ p ≤ 1")
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p == 0.0:
        return 0.0
    if p == 1.0:
        return 1.0
    logs = [_log_pmf(i, n, p) for i in range(k, n + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * math.fsum(math.exp(value - top) for value in logs))


def benjamini_hochberg(p_values: Sequence[float], q: float) -> list[tuple[bool, float]]:
    """For each p-value, in the given order: whether the Benjamini–Hochberg step-up procedure at false-discovery
    rate ``q`` rejects it, and its BH-adjusted p-value (the smallest q at which it would be rejected)."""
    m = len(p_values)
    if m == 0:
        return []
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):  # from the largest p-value down: adjusted = min over ranks ≥ this of p·m/rank
        index = order[rank - 1]
        running = min(running, p_values[index] * m / rank)
        adjusted[index] = running
    return [(adjusted[i] <= q, adjusted[i]) for i in range(m)]
