"""Readers of the layouts (headed spreadsheets and CSV, diyadiangong's workbook and text lines, JSON):
each yields raw rows (or problems) in file order."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from peikao.lib.question_banks.messages import problem
from peikao.lib.question_banks.raw import Conventions, RawRow
from peikao.lib.question_banks.results import LETTERS, BankResult
from peikao.lib.question_banks.text import cell_text

# Header → canonical field. Headers are compared after NFKC, without spaces, case and any note in
# brackets ("试题类型(判断题、单选题、多选题)", "题目选项(选项之间用##隔开)").
HEADERS: dict[str, str] = {
    "question_code": "code",
    "试题编号": "code",
    "operation_item": "category",
    "作业项目": "category",
    "作业种类": "category",
    "category": "category",
    "类别": "category",
    "分类": "category",
    "qtype": "qtype",
    "题型": "qtype",
    "试题类型": "qtype",
    "题目类型": "qtype",
    "type": "qtype",
    "stem": "stem",
    "题干": "stem",
    "题目内容": "stem",
    "题目": "stem",
    "试题内容": "stem",
    "试题": "stem",
    "title": "stem",
    "question": "stem",
    "options": "options",
    "题目选项": "options",
    "选项": "options",
    "choices": "options",
    "answer": "answer",
    "答案": "answer",
    "题目答案": "answer",
    "正确答案": "answer",
    "标准答案": "answer",
    "参考答案": "answer",
    "knowledge_point": "knowledge_point",
    "知识点": "knowledge_point",
    "difficulty": "difficulty",
    "难度": "difficulty",
    "explanation": "explanation",
    "解析": "explanation",
    "答案解析": "explanation",
    "试题解析": "explanation",
}
for _letter in LETTERS:
    for _name in (f"option_{_letter}", f"选项{_letter}", _letter, f"option{_letter}"):
        HEADERS[_name.lower()] = f"option_{_letter.lower()}"


def _header_key(header: Any) -> str | None:
    text = unicodedata.normalize("NFKC", cell_text(header))
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)
    return HEADERS.get(re.sub(r"\s+", "", text).lower())


def _header_map(cells: list[Any]) -> dict[int, str] | None:
    """Column index → field when ``cells`` is a header row (it names at least the stem and the answer)."""
    mapping: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        if key and key not in mapping.values():
            mapping[index] = key
    return mapping if {"stem", "answer"} <= set(mapping.values()) else None


HEADER_SEARCH_ROWS = 10  # a title line or two may sit above the header


def _table_rows(rows: Iterable[tuple[int, list[Any]]], sheet: str) -> tuple[str | None, Iterator[RawRow]]:
    """Find the header among the first rows, then yield the data rows below it as raw rows.

    Returns (layout, rows): layout is "exchange" when there is a question_code column, "bank" for
    other headed tables, None when no header was found.
    """
    iterator = iter(rows)
    mapping = None
    header_cells: list[Any] = []
    # Rows above the header (a title line) are no questions and are passed over.
    for _attempt, (_number, cells) in zip(range(HEADER_SEARCH_ROWS), iterator, strict=False):
        mapping = _header_map(cells)
        if mapping:
            header_cells = cells
            break
    if not mapping:
        return None, iter(())
    columns = {key: cell_text(header_cells[index]).strip() for index, key in mapping.items()}
    layout = "exchange" if "code" in mapping.values() else "bank"

    def generate() -> Iterator[RawRow]:
        for number, cells in iterator:
            values = {key: cell_text(cells[index]) if index < len(cells) else "" for index, key in mapping.items()}
            yield RawRow(number, values, columns, sheet)

    return layout, generate()


def _xlsx_sheets(workbook: Any) -> Iterator[tuple[str, list[tuple[int, list[Any]]]]]:
    for sheet in workbook.worksheets:
        yield sheet.title, [(number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), 1)]


# diyadiangong's processed workbook has no header: sheet "xz" (选择) holds stem + options with the
# correct one first, sheet "pd" (判断) holds stem + 0/1 with 0 = 正确.
DIYADIANGONG_SHEETS = {"xz": "single", "pd": "judge"}


def _diyadiangong_rows(sheet: str, rows: Iterable[tuple[int, list[Any]]]) -> Iterator[RawRow]:
    qtype = DIYADIANGONG_SHEETS[sheet]
    for number, cells in rows:
        texts = [cell_text(c) for c in cells]
        stem = texts[0] if texts else ""
        if qtype == "judge":
            values = {"qtype": "判断题", "stem": stem, "answer": texts[1] if len(texts) > 1 else ""}
            yield RawRow(number, values, {"stem": "A", "answer": "B", "qtype": "sheet"}, sheet)
            continue
        options = texts[1:]
        while options and not options[-1].strip():
            options.pop()  # a short row ends in empty cells; they are no options
        # The first option is the correct one (see the NOTE): the answer is implied, not read.
        values = {"qtype": "单选题", "stem": stem, "answer": "A" if options else ""}
        columns = {"stem": "A", "options": "B–", "answer": "B", "qtype": "sheet"}
        yield RawRow(number, values, columns, sheet, option_list=options)


def _looks_like_diyadiangong(sheet: str, rows: list[tuple[int, list[Any]]]) -> bool:
    if sheet not in DIYADIANGONG_SHEETS:
        return False
    sample = [cells for _n, cells in rows if any(cell_text(c).strip() for c in cells)][:20]
    if not sample:
        return False
    if DIYADIANGONG_SHEETS[sheet] == "judge":
        return all(cell_text(cells[1] if len(cells) > 1 else "").strip() in ("0", "1") for cells in sample)
    return all(sum(1 for c in cells[1:] if cell_text(c).strip()) >= 2 for cells in sample)


def read_xlsx(workbook: Any, result: BankResult) -> tuple[str, list[tuple[RawRow, Conventions]]]:
    """Every worksheet with a known layout; the others are listed in ``result.skipped_sheets``."""
    rows_out: list[tuple[RawRow, Conventions]] = []
    layouts: list[str] = []
    for sheet, materialised in _xlsx_sheets(workbook):
        layout, raw_rows = _table_rows(materialised, sheet)
        if layout:
            layouts.append(layout)
            rows_out += [(row, Conventions()) for row in raw_rows]
        elif _looks_like_diyadiangong(sheet, materialised):
            layouts.append("diyadiangong")
            rows_out += [(row, Conventions(zero_means_true=True)) for row in _diyadiangong_rows(sheet, materialised)]
        elif any(cell_text(c).strip() for _n, cells in materialised for c in cells):
            result.skipped_sheets.append(sheet)
    return (layouts[0] if layouts else ""), rows_out


def read_csv(text: str) -> tuple[str, list[tuple[RawRow, Conventions]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows = ((number, cells) for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1))
    layout, raw_rows = _table_rows(rows, "")
    return (layout or ""), [(row, Conventions()) for row in raw_rows]


_JUDGE_LINE_RE = re.compile(r"^\s*\d*\s*#(?P<stem>.*)\$\s*(?P<answer>[01])\s*$")
_CHOICE_LINE_RE = re.compile(r"^\s*\d*\s*#(?P<stem>[^#]*)#(?P<options>.*)$")


def read_diyadiangong_txt(text: str, result: BankResult) -> list[tuple[RawRow, Conventions]]:
    """Lines ``<n>#<statement>$<0|1>`` (0 = 正确) and ``<n>#<stem>#<o1>$<o2>$…`` (first option correct)."""
    rows: list[tuple[RawRow, Conventions]] = []
    conventions = Conventions(zero_means_true=True)
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        choice = _CHOICE_LINE_RE.match(line)
        judge = _JUDGE_LINE_RE.match(line)
        if choice:
            options = choice.group("options").split("$")
            # The first option is the correct one (see the NOTE): the answer is implied, not read.
            values = {"qtype": "单选题", "stem": choice.group("stem"), "answer": "A"}
            columns = {"stem": "stem", "options": "options", "answer": "options", "qtype": "line"}
            rows.append((RawRow(number, values, columns, option_list=options), conventions))
        elif judge:
            values = {"qtype": "判断题", "stem": judge.group("stem"), "answer": judge.group("answer")}
            rows.append((RawRow(number, values, {"stem": "stem", "answer": "answer", "qtype": "line"}), conventions))
        else:
            result.problems.append(problem(number, "line", line, "bad_line"))
    return rows


def read_json(data: Any, result: BankResult) -> list[tuple[RawRow, Conventions]] | None:
    """A list of question objects (None when ``data`` is no list); gtpx_web keeps the type in ``category``."""
    if isinstance(data, dict):
        # Some exports wrap the list: {"questions": [...]} or {"data": [...]}.
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        return None
    keys_seen = {key for item in data if isinstance(item, dict) for key in item}
    type_in_category = "category" in keys_seen and not any(_header_key(k) == "qtype" for k in keys_seen)
    rows: list[tuple[RawRow, Conventions]] = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            result.problems.append(
                problem(number, "", json.dumps(item, ensure_ascii=False), "bad_record", index=number)
            )
            continue
        values: dict[str, str] = {}
        columns: dict[str, str] = {}
        for name, value in item.items():
            key = "qtype" if (name == "category" and type_in_category) else _header_key(name)
            if key and key not in values:
                values[key] = cell_text(value)
                columns[key] = name
        rows.append((RawRow(number, values, columns), Conventions(infer_qtype="qtype" not in columns)))
    return rows
