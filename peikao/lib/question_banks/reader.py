"""The entry point: one question-bank file → accepted questions, problems and a duplicate count."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import BinaryIO

from peikao.lib.question_banks.dedupe import dedupe
from peikao.lib.question_banks.formats import read_csv, read_diyadiangong_txt, read_json, read_xlsx
from peikao.lib.question_banks.messages import problem
from peikao.lib.question_banks.raw import Conventions, RawRow
from peikao.lib.question_banks.results import BankResult, ParsedQuestion
from peikao.lib.question_banks.rows import build
from peikao.lib.question_banks.text import StemNumbers


def _read_bytes(path_or_file: str | os.PathLike[str] | BinaryIO | bytes) -> bytes:
    if isinstance(path_or_file, bytes):
        return path_or_file
    if isinstance(path_or_file, str | os.PathLike):
        return Path(path_or_file).read_bytes()
    data = path_or_file.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _decode(data: bytes) -> str:
    # UTF-8 (with or without BOM) is the exchange rule; GB18030 covers the GBK files Chinese Excel
    # and Notepad still write.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def parse_bank(path_or_file: str | os.PathLike[str] | BinaryIO | bytes, filename: str) -> BankResult:
    """Parse one question-bank file into accepted questions, problems and a duplicate count.

    ``path_or_file`` is a path, an open binary file or the file's bytes; ``filename`` gives the
    extension (.xlsx, .csv, .json, .txt), and the content decides the layout within it. The result's
    ``format`` names what was recognised: ``xlsx-bank``, ``xlsx-exchange``, ``xlsx-diyadiangong``,
    ``csv-bank``, ``csv-exchange``, ``json``, ``txt-diyadiangong`` or ``unknown`` (then a problem says why).
    """
    data = _read_bytes(path_or_file)
    extension = Path(filename).suffix.lower().lstrip(".")
    if extension not in ("xlsx", "xlsm", "xls", "csv", "json", "txt"):
        # Unknown or missing extension: let the content say what it is.
        head = data[:64].lstrip()
        extension = "xlsx" if data[:2] == b"PK" else "json" if head[:1] in (b"[", b"{") else "txt"

    result = BankResult(format="unknown")
    if extension == "xls":
        return _unreadable(result, "Excel 97–2003 (.xls); save it as .xlsx")
    layout = ""
    rows: list[tuple[RawRow, Conventions]] | None = []
    if extension in ("xlsx", "xlsm"):
        import openpyxl  # only XLSX needs it

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            return _unreadable(result, f"{type(error).__name__}: {error}")
        try:
            layout, rows = read_xlsx(workbook, result)
        finally:
            workbook.close()
        layout = f"xlsx-{layout}" if layout else ""
    elif extension == "csv":
        layout, rows = read_csv(_decode(data))
        layout = f"csv-{layout}" if layout else ""
    elif extension == "json":
        try:
            loaded = json.loads(_decode(data))
        except ValueError as error:
            return _unreadable(result, f"JSON: {error}")
        rows = read_json(loaded, result)
        layout = "json" if rows is not None else ""
    else:
        rows = read_diyadiangong_txt(_decode(data), result)
        # A text file is only a bank when at least one line fits; otherwise one problem, not one per line.
        layout = "txt-diyadiangong" if rows else ""
        if not rows:
            result.problems.clear()

    if not layout or rows is None:
        if not result.problems:
            result.problems.append(
                problem(
                    1,
                    "",
                    "",
                    "unknown_layout",
                    detail_zh="找不到含“题干/题目内容”和“答案/题目答案”列的表头，也不是已知的文本或 JSON 格式。",
                    detail_en="no header row naming the stem (题干/题目内容) and answer (答案/题目答案) columns, "
                    "and not a known text or JSON layout.",
                )
            )
        return result
    result.format = layout
    _collect(result, rows, exchange=layout.endswith("exchange"))
    return result


def _unreadable(result: BankResult, detail: str) -> BankResult:
    result.problems.append(
        problem(
            1,
            "",
            detail,
            "unknown_layout",
            detail_zh=f"文件无法读取（{detail}）。",
            detail_en=f"the file cannot be read ({detail}).",
        )
    )
    return result


def _collect(result: BankResult, rows: list[tuple[RawRow, Conventions]], *, exchange: bool) -> None:
    """Build every row, report the defective ones, then de-duplicate the accepted questions."""
    accepted: list[ParsedQuestion] = []
    stem_columns: dict[int, str] = {}  # id(question) -> the stem's column name, for reports on duplicates
    codes: dict[str, int] = {}
    numbers: dict[str, StemNumbers] = {}
    for row, conventions in rows:
        if row.blank:
            continue  # sheets end in hundreds of formatted but empty rows
        question, problems = build(row, conventions, numbers.setdefault(row.sheet, StemNumbers()))
        if exchange:
            code = row.get("code").strip()
            if not code:
                problems.append(problem(row.number, row.column("code"), "", "missing_code", row.sheet))
            elif code in codes:
                problems.append(
                    problem(row.number, row.column("code"), code, "duplicate_code", row.sheet, first=codes[code])
                )
            else:
                codes[code] = row.number
        if problems:
            result.problems += problems
        elif question:
            accepted.append(question)
            stem_columns[id(question)] = row.column("stem")
    dedupe(result, accepted, stem_columns)
    # Conflicting duplicates are found last; put every problem back in file order (sheets as they come).
    sheets = {row.sheet: index for index, (row, _c) in reversed(list(enumerate(rows)))}
    result.problems.sort(key=lambda p: (sheets.get(p.sheet, 0), p.row))
