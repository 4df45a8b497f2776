"""The demo province: a seeded, realistic data set built by ``manage.py demo``.

Each app adds its part in its own demo.py with ``@step``; steps run in order and share a
``DemoContext``. Data enters through the same services and imports as real data, so it is
validated and change-logged like everything else.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from peikao.core.errors import DomainError
from peikao.exams import papers

DEMO_PASSWORD = "Peikao-demo-2026"
DEMO_PROVINCE = "350000"  # 福建省

_STEPS: list[tuple[int, str, Callable[[DemoContext], str]]] = []


@dataclass
class DemoContext:
    seed: int
    today: dt.date
    province: str = DEMO_PROVINCE
    scale: float = 1.0
    rng: random.Random = field(init=False)
    data: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, where)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def n(self, count: int) -> int:
        return max(1, round(count * self.scale))


def step(order: int, name: str):
    def decorate(func: Callable[[DemoContext], str]) -> Callable[[DemoContext], str]:
        if all(existing != name for _order, existing, _func in _STEPS):
            _STEPS.append((order, name, func))
        return func

    return decorate


def steps() -> list[tuple[int, str, Callable[[DemoContext], str]]]:
    return sorted(_STEPS)


def imported(result, kind: str):
    """``result`` of a demo file's import, refused with its first bad row if any: the demo's own data is wrong (an
    error, not an ``assert`` that ``python -O`` would drop)."""
    if not result.ok:
        first = result.problems[0]
        raise DomainError("demo_failed", f"demo {kind}: row {first.row} {first.column}: {first.en}")
    return result


@contextmanager
def seeded_papers(seed: int) -> Iterator[None]:
    """Exam papers drawn within from ``seed``, where the platform draws them from the system's randomness. The demo's
    candidates answer their papers with the demo's seeded draws, as many as the paper's questions ask for; with papers
    of chance, who passes, who is certified and whom every later step picks would change from one run to the next."""
    rng = random.Random(seed)
    drawn = papers.new_seed
    papers.new_seed = lambda: rng.getrandbits(62)
    try:
        yield
    finally:
        papers.new_seed = drawn
