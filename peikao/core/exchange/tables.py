"""Reading and writing exchange tables: CSV (UTF-8, with or without BOM) and XLSX (first sheet).

Reading streams rows, so a file of millions of rows is never held in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError

FORMATS = ("csv", "xlsx")


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


def _read_csv(binary: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
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
        try:
            for cells in reader:
                number += 1
                stripped = [cell.strip() for cell in cells]
                if not any(stripped):
                    continue
                yield number, stripped
        except UnicodeDecodeError:
            raise _not_utf8() from None
        except csv.Error as exc:
            raise TableError(
                "bad_csv", _("Row %(row)d is not valid CSV: %(error)s"), {"row": number + 1, "error": str(exc)}
            ) from None
        finally:
            text.close()

    return [cell.strip() for cell in header], rows()


def _read_xlsx(binary: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise TableError(
            "bad_xlsx", _("The file cannot be read as an .xlsx workbook (%(error)s)."), {"error": type(exc).__name__}
        ) from None
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    header: list[str] | None = None
    number = 0
    for values in iterator:
        number += 1
        cells = [cell_text(value) for value in values]
        if any(cells):
            header = cells
            break
    if header is None:
        workbook.close()
        raise TableError("empty_file", _("The file is empty: a header row is needed."))
    while header and not header[-1]:
        header.pop()
    width = len(header)

    def rows() -> Iterator[tuple[int, list[str]]]:
        current = number
        try:
            for values in iterator:
                current += 1
                cells = [cell_text(value) for value in values[:width]]
                if not any(cells):
                    continue
                yield current, cells
        finally:
            workbook.close()

    return header, rows()


def write_table(target: IO[bytes], filename: str, header: list[str], rows: Iterable[list[str]]) -> int:
    """Write a header and rows as CSV (UTF-8 with BOM, so Excel opens it) or XLSX; return the row count."""
    fmt = table_format(filename)
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
        text.flush()
        text.detach()
        return count
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "@"  # text: ID numbers and codes must not become numbers
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(target)
    return count
