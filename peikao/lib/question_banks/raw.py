"""What a reader yields: one raw row of cells, and what the file's layout implies beyond them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Conventions:
    """What a layout implies beyond its cells."""

    zero_means_true: bool = False  # diyadiangong judge lines: $0 = 正确, $1 = 错误
    infer_qtype: bool = False  # the layout has no type column


@dataclass
class RawRow:
    """One data row: canonical field → raw text, and field → the column name to show in a report."""

    number: int
    values: dict[str, str]
    columns: dict[str, str]
    sheet: str = ""
    option_list: list[str] | None = None  # options already split by the layout itself (diyadiangong)

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def column(self, key: str) -> str:
        return self.columns.get(key, key)

    @property
    def blank(self) -> bool:
        return not any(v.strip() for v in [*self.values.values(), *(self.option_list or [])])
