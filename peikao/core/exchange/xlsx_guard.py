"""Checks on an XLSX upload before any XML in it is parsed: zip bombs and XML floods.

An XLSX is a zip of XML parts. A part of 1 GiB of blanks packs into 1 MB, and the XML parsers hold a run of
text between two tags, or a row with all its cells, as one piece in memory. So before openpyxl sees the file:

- the zip holds at most ``MAX_PARTS`` parts; each part, and all of them together, unpacks to at most
  ``XLSX_MAX_UNPACKED_BYTES`` and (parts over ``RATIO_FLOOR`` bytes) to at most ``XLSX_MAX_COMPRESSION_RATIO``
  times its packed size — read from the zip's directory, nothing is unpacked yet;
- every XML part is then unpacked as a stream (a block at a time, nothing kept) and scanned: no run of text or
  tag between two ``<`` longer than a cell may be; in worksheets no row with more tags than ``MAX_ROW_TAGS``, no
  row or cell reference beyond ``XLSX_MAX_ROWS`` or ``MAX_COLUMNS``, at most ``XLSX_MAX_ROWS`` rows in all sheets;
  other parts (read whole by openpyxl) at most ``MAX_PART_TAGS`` tags (shared strings: ``SHARED_STRING_TAGS``
  per row allowed).

Memory then stays bounded whatever the file, and each refusal says why (a ``TableError``).
"""

from __future__ import annotations

import re
import zipfile
from typing import IO

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peikao.core.exchange.tables import TableError

MAX_PARTS = 10_000
RATIO_FLOOR = 1 << 20  # smaller parts may be as repetitive as they like (their total is capped)
MAX_COLUMNS = 702  # column ZZ: a reference with three letters is beyond it
MAX_ROW_TAGS = 65_536  # tags from one row's start to the next (cells, their values, rich-text runs)
MAX_PART_TAGS = 500_000  # styles, workbook, relations, … (openpyxl builds a tree of each)
SHARED_STRING_TAGS = 20  # per allowed row: the shared strings part of a sheet of n rows has at most 20·n tags
BLOCK = 1 << 20
XML_SUFFIXES = (".xml", ".rels", ".vml")
# A row's start tag, with or without a namespace prefix (not <rowBreaks>), and its r attribute.
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])[^>]*")
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"'](\d+)")
_WIDE_CELL = re.compile(rb"\sr\s*=\s*[\"'][A-Za-z]{3}")


def _too_big(code: str, message, params: dict | None = None) -> TableError:
    return TableError(code, message, params)


def check_xlsx(handle: IO[bytes]) -> None:
    """Refuse (``TableError``) an XLSX that would unpack or parse beyond the limits; rewind the handle."""
    limits = settings.PEIKAO
    max_bytes = limits["XLSX_MAX_UNPACKED_BYTES"]
    max_ratio = limits["XLSX_MAX_COMPRESSION_RATIO"]
    max_rows = limits["XLSX_MAX_ROWS"]
    max_run = limits["IMPORT_MAX_CELL_CHARS"] * 8 + 4096  # UTF-8 and &amp; escapes, plus the tag around it
    start = handle.tell() if handle.seekable() else 0
    try:
        archive = zipfile.ZipFile(handle)
    except Exception as exc:
        raise TableError(
            "bad_xlsx", _("The file cannot be read as an .xlsx workbook (%(error)s)."), {"error": type(exc).__name__}
        ) from None
    try:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _too_big("xlsx_too_many_parts", _("The workbook has more than %(n)d parts."), {"n": MAX_PARTS})
        total = 0
        for part in parts:
            total += part.file_size
            if part.file_size > max_bytes or total > max_bytes:
                raise _too_big(
                    "xlsx_too_large",
                    _("The workbook unpacks to more than %(mb)d MB (part “%(part)s”); split it or send it as CSV."),
                    {"mb": max_bytes >> 20, "part": part.filename[:100]},
                )
            if part.file_size > RATIO_FLOOR and part.file_size > max_ratio * max(part.compress_size, 1):
                raise _too_big(
                    "xlsx_compression_ratio",
                    _("Part “%(part)s” of the workbook unpacks to more than %(ratio)d times its size (a zip bomb?)."),
                    {"part": part.filename[:100], "ratio": max_ratio},
                )
        scan = _Scan(max_rows=max_rows, max_run=max_run)
        for part in parts:
            if part.filename.lower().endswith(XML_SUFFIXES) and not part.is_dir():
                scan.part(archive, part)
    except TableError:
        raise
    except Exception as exc:
        # openpyxl would fail on it too: the file is refused with the kind of damage.
        raise TableError(
            "bad_xlsx", _("The file cannot be read as an .xlsx workbook (%(error)s)."), {"error": type(exc).__name__}
        ) from None
    finally:
        archive.close()
        handle.seek(start)


class _Scan:
    """The streaming scan of the XML parts of one workbook (see the module doc)."""

    def __init__(self, *, max_rows: int, max_run: int):
        self.max_rows = max_rows
        self.max_run = max_run
        self.rows = 0
        self.long_run = re.compile(b"<[^<]{%d}" % max_run)

    def part(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        name = info.filename.lower()
        sheet = name.startswith("xl/worksheets/")
        if name.endswith("sharedstrings.xml"):
            tag_limit = SHARED_STRING_TAGS * self.max_rows + MAX_PART_TAGS
        else:
            tag_limit = MAX_ROW_TAGS if sheet else MAX_PART_TAGS
        tags = 0  # since the last row start (sheets) or since the part began
        carry = b"<"  # the text before the first tag counts as a run too
        unpacked = 0
        with archive.open(info) as stream:
            while True:
                block = stream.read(BLOCK)
                unpacked += len(block)
                if unpacked > info.file_size:  # the directory lied: zipfile stops there, but be sure
                    raise zipfile.BadZipFile("size")
                data = carry + block
                cut = data.rfind(b"<") if block else len(data)  # data starts with the carried "<"
                segment, carry = data[:cut], data[cut:]
                if len(carry) > self.max_run:
                    self._long_run(info)
                if segment:
                    if self.long_run.search(segment):
                        self._long_run(info)
                    tags = self._tags(info, segment, tags, tag_limit, sheet)
                if not block:
                    return

    def _tags(self, info: zipfile.ZipInfo, segment: bytes, tags: int, limit: int, sheet: bool) -> int:
        if not sheet:
            tags += segment.count(b"<")
            if tags > limit:
                raise _too_big(
                    "xlsx_too_many_tags",
                    _("Part “%(part)s” of the workbook has more than %(n)d elements."),
                    {"part": info.filename[:100], "n": limit},
                )
            return tags
        if _WIDE_CELL.search(segment):
            raise _too_big(
                "xlsx_too_many_columns",
                _("The sheet has cells beyond column ZZ: a file may use only the first %(n)d columns."),
                {"n": MAX_COLUMNS},
            )
        position = 0
        for match in _ROW.finditer(segment):
            tags += segment.count(b"<", position, match.start())
            self._check_row_tags(tags)
            tags, position = 0, match.start()
            self.rows += 1
            number = _ROW_NUMBER.search(match.group())
            if self.rows > self.max_rows or (number and int(number.group(1)) > self.max_rows):
                raise _too_big(
                    "xlsx_too_many_rows",
                    _("The workbook has more than %(n)d rows; send a larger file as CSV."),
                    {"n": self.max_rows},
                )
        tags += segment.count(b"<", position)
        self._check_row_tags(tags)
        return tags

    @staticmethod
    def _check_row_tags(tags: int) -> None:
        if tags > MAX_ROW_TAGS:
            raise _too_big(
                "xlsx_row_too_wide",
                _("A row of the sheet has more than %(n)d elements."),
                {"n": MAX_ROW_TAGS},
            )

    def _long_run(self, info: zipfile.ZipInfo) -> None:
        raise _too_big(
            "cell_too_long",
            _("Part “%(part)s” of the workbook holds a text longer than a cell may be (%(n)d characters)."),
            {"part": info.filename[:100], "n": settings.PEIKAO["IMPORT_MAX_CELL_CHARS"]},
        )
