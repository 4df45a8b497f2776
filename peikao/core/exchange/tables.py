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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError

FORMATS = ("csv", "xlsx")
ROW_CELLS = 64  # a CSV row may be as long as this many full cells
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
    for index, cell in enumerate(cells):
        if len(cell) > limit:
            raise _cell_too_long(row, index + 1)
    return cells


class _Lines:
    """The physical lines of a CSV for ``csv.reader``, read with a bound: one row (its lines together: a quoted
    cell may span lines) is at most ``limit`` characters, so a file of one endless line is refused, not held."""

    def __init__(self, text: io.TextIOWrapper, limit: int):
        self.text = text
        self.limit = limit
        self.used = 0  # characters of the row being read; the reader of rows resets it after each row

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(self.limit - self.used + 1)
        if not line:
            raise StopIteration
        self.used += len(line)
        if self.used > self.limit:
            raise TableError("row_too_long", _("A row of the file is longer than %(n)d characters."), {"n": self.limit})
        return line


def _read_csv(binary: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    cell_limit = settings.PEIKAO["IMPORT_MAX_CELL_CHARS"]
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    lines = _Lines(text, cell_limit * ROW_CELLS)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise TableError("empty_file", _("The file is empty: a header row is needed.")) from None
    except UnicodeDecodeError:
        raise _not_utf8() from None
    except csv.Error as exc:
        raise TableError("bad_csv", _("The file is not valid CSV: %(error)s"), {"error": str(exc)}) from None
    lines.used = 0

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for cells in reader:
                lines.used = 0
                number += 1
                stripped = [unescape_text(cell.strip()) for cell in cells]
                if not any(stripped):
                    continue
                yield number, _checked(stripped, number, cell_limit)
        except UnicodeDecodeError:
            raise _not_utf8() from None
        except csv.Error as exc:
            raise TableError(
                "bad_csv", _("Row %(row)d is not valid CSV: %(error)s"), {"row": number + 1, "error": str(exc)}
            ) from None
        finally:
            text.close()

    return _checked([unescape_text(cell.strip()) for cell in header], 1, cell_limit), rows()


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
