"""Reading and writing exchange tables: CSV (UTF-8, with or without BOM) and XLSX (first sheet).

Reading streams rows, so a file of millions of rows is never held in memory; what one row or cell may hold is
bounded (``IMPORT_MAX_CELL_CHARS``), and an XLSX is checked for zip bombs before it is parsed (xlsx_guard.py).

Writing keeps text as text: a spreadsheet must never run a value as a formula. In CSV a text starting with
``= + - @``, a tab or a carriage return gets a leading ``'`` (as does one starting with ``'`` followed by one of
those or another ``'``), and reading a CSV removes that one ``'`` again, so every value survives the round trip.
In XLSX every text is a string cell (never a formula), marked as typed with a leading ``'`` when it starts with
one of those characters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from itertools import repeat
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError

FORMATS = ("csv", "xlsx")
ROW_CELLS = 64  # a line of a CSV may be as long as this many full cells
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_STARTS = (*FORMULA_STARTS, "'")


class TableError(DomainError):
    """The file as a whole cannot be read."""


def table_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise TableError(
            "unsupported_format",
            _("Files must be .csv or .xlsx, not “%(name)s”."),
            {"name": Path(filename).name},
        )
    return suffix


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def escape_text(value: str) -> str:
    """A text for a CSV cell that no spreadsheet runs as a formula (see the module doc)."""
    if value.startswith(FORMULA_STARTS) or (value.startswith("'") and value[1:2].startswith(_ESCAPED_STARTS)):
        return "'" + value
    return value


def unescape_text(value: str) -> str:
    """The inverse of ``escape_text``: drop the one ``'`` it added."""
    if value.startswith("'") and value[1:2].startswith(_ESCAPED_STARTS):
        return value[1:]
    return value


def read_table(source: IO[bytes] | str | Path, filename: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Return the header and an iterator of (row number, cells); row 1 is the header.

    Fully empty rows (the hundreds of formatted blank rows spreadsheets end with) are skipped.
    """
    fmt = table_format(filename)
    if isinstance(source, str | Path):
        source = open(source, "rb")  # noqa: SIM115 - closed when the iterator is exhausted
    if fmt == "csv":
        return _read_csv(source)
    return _read_xlsx(source)


def _not_utf8() -> TableError:
    return TableError(
        "not_utf8",
        _("The file is not UTF-8 text. If it came from Excel, save it as “CSV UTF-8” or as .xlsx."),
    )


def _cell_too_long(row: int, column: int) -> TableError:
    return TableError(
        "cell_too_long",
        _("Row %(row)d, column %(column)d: a cell may hold at most %(n)d characters."),
        {"row": row, "column": column, "n": settings.PEIKAO["IMPORT_MAX_CELL_CHARS"]},
    )


def _checked(cells: list[str], row: int, limit: int) -> list[str]:
    if cells and max(map(len, cells)) > limit:
        raise _cell_too_long(row, next(index for index, cell in enumerate(cells) if len(cell) > limit) + 1)
    return cells


def _unescaped(cells: list[str]) -> list[str]:
    stripped = [cell.strip() for cell in cells]
    if any(map(str.startswith, stripped, repeat("'"))):  # rare: the loop in Python only then
        return [unescape_text(cell) for cell in stripped]
    return stripped


class _LineBound(io.RawIOBase):
    """The bytes of a CSV, refused (``TableError``) as soon as one line runs past ``limit`` bytes: a file of one
    endless line is never held whole. Checked a block at a time, so the reading of rows stays in C."""

    def __init__(self, raw: IO[bytes], limit: int):
        self.raw = raw
        self.limit = limit
        self.run = 0  # bytes since the last line break
        self.long_line = re.compile(b"\n[^\n]{%d}" % limit)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        if not data:
            return 0
        first = data.find(b"\n")
        if first < 0:
            self.run += len(data)
        else:
            last = data.rfind(b"\n")
            if self.run + first > self.limit or (last > first and self.long_line.search(data, first, last)):
                self._refuse()
            self.run = len(data) - last - 1
        if self.run > self.limit:
            self._refuse()
        buffer[: len(data)] = data
        return len(data)

    def _refuse(self) -> None:
        raise TableError("row_too_long", _("A line of the file is longer than %(n)d bytes."), {"n": self.limit})

    def close(self) -> None:
        self.raw.close()
        super().close()


def _read_csv(binary: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    cell_limit = settings.PEIKAO["IMPORT_MAX_CELL_CHARS"]
    bounded = io.BufferedReader(_LineBound(binary, cell_limit * ROW_CELLS * 3), 1 << 16)  # 3: UTF-8 of CJK
    text = io.TextIOWrapper(bounded, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise TableError("empty_file", _("The file is empty: a header row is needed.")) from None
    except UnicodeDecodeError:
        raise _not_utf8() from None
    except csv.Error as exc:
        raise TableError("bad_csv", _("The file is not valid CSV: %(error)s"), {"error": str(exc)}) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        quotes = repeat("'")
        try:
            for cells in reader:  # the hot loop of a million-row import: the checks stay in C where they can
                number += 1
                stripped = [cell.strip() for cell in cells]
                if not any(stripped):
                    continue
                if any(map(str.startswith, stripped, quotes)):
                    stripped = [unescape_text(cell) for cell in stripped]
                if max(map(len, stripped)) > cell_limit:
                    _checked(stripped, number, cell_limit)
                yield number, stripped
        except UnicodeDecodeError:
            raise _not_utf8() from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):  # a quoted cell running over many lines
                raise TableError(
                    "cell_too_long",
                    _("Row %(row)d: a cell may hold at most %(n)d characters."),
                    {"row": number + 1, "n": cell_limit},
                ) from None
            raise TableError(
                "bad_csv", _("Row %(row)d is not valid CSV: %(error)s"), {"row": number + 1, "error": str(exc)}
            ) from None
        finally:
            text.close()

    return _checked(_unescaped(header), 1, cell_limit), rows()


def _bad_xlsx(exc: BaseException) -> TableError:
    return TableError(
        "bad_xlsx", _("The file cannot be read as an .xlsx workbook (%(error)s)."), {"error": type(exc).__name__}
    )


def _read_xlsx(binary: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The first sheet, read as a stream (openpyxl's read-only mode) once the zip passed ``check_xlsx``."""
    from openpyxl import load_workbook

    from peikao.core.exchange.xlsx_guard import check_xlsx

    check_xlsx(binary)
    max_rows = settings.PEIKAO["XLSX_MAX_ROWS"]
    cell_limit = settings.PEIKAO["IMPORT_MAX_CELL_CHARS"]
    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise _bad_xlsx(exc) from None
    try:
        iterator = workbook.worksheets[0].iter_rows(values_only=True)
    except Exception as exc:  # no sheet, or a chart sheet first
        workbook.close()
        raise _bad_xlsx(exc) from None

    def values_of() -> Iterator[tuple[int, tuple]]:
        number = 0
        while True:
            try:
                values = next(iterator)
            except StopIteration:
                return
            except Exception as exc:  # a damaged cell or part found while streaming
                raise _bad_xlsx(exc) from None
            number += 1
            if number > max_rows:
                raise TableError(
                    "xlsx_too_many_rows",
                    _("The workbook has more than %(n)d rows; send a larger file as CSV."),
                    {"n": max_rows},
                )
            yield number, values

    stream = values_of()
    header: list[str] | None = None
    number = 0
    try:
        for number, values in stream:
            cells = [cell_text(value) for value in values]
            if any(cells):
                header = _checked(cells, number, cell_limit)
                break
    except TableError:
        workbook.close()
        raise
    if header is None:
        workbook.close()
        raise TableError("empty_file", _("The file is empty: a header row is needed."))
    while header and not header[-1]:
        header.pop()
    width = len(header)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for current, values in stream:
                cells = [cell_text(value) for value in values[:width]]
                if not any(cells):
                    continue
                yield current, _checked(cells, current, cell_limit)
        finally:
            workbook.close()

    return header, rows()


def write_table(target: IO[bytes], filename: str, header: list[str], rows: Iterable[list[str]]) -> int:
    """Write a header and rows as CSV (UTF-8 with BOM, so Excel opens it) or XLSX; return the row count.
    Text stays text (see the module doc)."""
    fmt = table_format(filename)
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow([_csv_value(value) for value in header])
        for row in rows:
            writer.writerow([_csv_value(value) for value in row])
            count += 1
        text.flush()
        text.detach()
        return count
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([_xlsx_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
    workbook.save(target)
    return count


def _csv_value(value: Any) -> Any:
    return escape_text(value) if isinstance(value, str) else value


def _xlsx_cell(sheet, value: Any):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        # Control characters have no place in XML; a string cell is never a formula, whatever it starts with.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # as if typed with a leading ': Excel keeps it text when the cell is edited
    cell.number_format = "@"  # text: ID numbers and codes must not become numbers
    return cell
