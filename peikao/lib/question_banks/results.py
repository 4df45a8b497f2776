"""What the parser returns: accepted questions, the problems of rejected rows, and the counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

QType = Literal["judge", "single", "multi"]
MAX_OPTIONS = 6
MIN_OPTIONS = {"single": 2, "multi": 3}
LETTERS = "ABCDEF"
VALUE_LIMIT = 200  # a report shows at most this much of a cell


@dataclass
class ParsedQuestion:
    """One accepted question, normalised.

    ``answer`` is "T"/"F" for judge, one letter for single, sorted letters for multi. ``code`` (the
    exchange file's question_code) and ``sheet`` (which worksheet the row came from) are extras with
    defaults: the real banks have no codes, and diyadiangong's workbook has two data sheets.
    """

    source_row: int
    qtype: QType
    stem: str
    options: list[str]
    answer: str
    category: str = ""
    knowledge_point: str = ""
    difficulty: int | None = None
    explanation: str = ""
    code: str = ""
    sheet: str = ""


@dataclass(frozen=True)
class BankProblem:
    """Why one row (or the whole file, row 0/1) was rejected; ``zh`` and ``en`` say the same thing."""

    row: int
    column: str
    value: str
    code: str
    zh: str
    en: str
    sheet: str = ""


@dataclass
class BankResult:
    """What ``parse_bank`` found: accepted questions, problems, and how many duplicates it dropped."""

    format: str
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[BankProblem] = field(default_factory=list)
    duplicates: int = 0
    # Non-empty worksheets that hold no question layout (e.g. a task list next to the bank). They are
    # named here rather than reported as problems: none of their rows is a question.
    skipped_sheets: list[str] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        """How many distinct rows were rejected (a row may have several problems)."""
        return len({(p.sheet, p.row) for p in self.problems})

    def counts(self) -> dict[str, int]:
        """Accepted questions per type, e.g. ``{"judge": 10, "single": 5, "multi": 0}``."""
        found = Counter(q.qtype for q in self.questions)
        return {qtype: found.get(qtype, 0) for qtype in ("judge", "single", "multi")}

    def problem_codes(self) -> dict[str, int]:
        """How many problems of each code."""
        return dict(Counter(p.code for p in self.problems))
