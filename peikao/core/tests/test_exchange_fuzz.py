"""Fuzzing the readers of exchange files (issue 13): random bytes and random cells never crash an import, a
rejected file writes nothing, and every rejection is reported. Examples are bounded so that CI stays quick."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook

from peikao.core import synthetic
from peikao.core.choices import ImportStatus
from peikao.core.exchange.runner import run_import
from peikao.core.exchange.tables import TableError, escape_text, read_table, unescape_text, write_table
from peikao.registry.models import Person

FUZZ = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def small_xlsx() -> bytes:
    book = Workbook()
    for row in (["id_number", "name"], ["110101199003071234", "张三"], ["110101199003071235", "=1+1"]):
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


SEED_XLSX = small_xlsx()


def read_all(data: bytes, filename: str) -> list:
    """Everything the reader yields, or the TableError it raises: nothing else may come out."""
    try:
        header, rows = read_table(io.BytesIO(data), filename)
        return [header, *rows]
    except TableError as refused:
        assert refused.code and refused.zh and refused.en
        return []


@FUZZ
@given(data=st.binary(max_size=2048))
@example(data=b"\xff\xfe")  # not UTF-8
@example(data=b'a,"b\n')  # an unterminated quote
@example(data=b"\x00,\x00\n\x00")
def test_random_bytes_as_csv_are_read_or_refused(data):
    read_all(data, "x.csv")


@FUZZ
@given(data=st.binary(max_size=2048))
@example(data=b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
def test_random_bytes_as_xlsx_are_read_or_refused(data):
    read_all(data, "x.xlsx")


@FUZZ
@given(
    edits=st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(SEED_XLSX) - 1), st.integers(min_value=0, max_value=255)),
        min_size=1,
        max_size=8,
    ),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=len(SEED_XLSX))),
)
def test_a_damaged_xlsx_is_read_or_refused(edits, cut):
    data = bytearray(SEED_XLSX)
    for position, value in edits:
        data[position] = value
    read_all(bytes(data[:cut] if cut is not None else data), "x.xlsx")


@FUZZ
@given(sheet=st.binary(max_size=1024), strings=st.binary(max_size=256))
def test_random_xml_in_an_xlsx_is_read_or_refused(sheet, strings):
    archive_data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(SEED_XLSX)) as seed, zipfile.ZipFile(archive_data, "w") as archive:
        for name in seed.namelist():
            content = seed.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<sheetData>", b"<sheetData>" + sheet, 1)
            archive.writestr(name, content)
        archive.writestr("xl/sharedStrings.xml", strings)
    read_all(archive_data.getvalue(), "x.xlsx")


texts = st.text(st.characters(codec="utf-8"), max_size=40)


@FUZZ
@given(value=texts)
@example(value="'=x")
@example(value="''")
@example(value="'")
def test_every_stripped_text_survives_a_csv_round_trip(value):
    value = value.strip()
    assert unescape_text(escape_text(value)) == value
    target = io.BytesIO()
    write_table(target, "x.csv", ["id_number", "name"], [["1", value]])
    rows = read_all(target.getvalue(), "x.csv")
    assert rows == [["id_number", "name"], (2, ["1", value])] or (not value and rows == [["id_number", "name"]])
    assert not escape_text(value).startswith(("=", "+", "-", "@", "\t", "\r"))


@FUZZ
@given(value=st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=40))
def test_every_printable_text_survives_an_xlsx_round_trip(value):
    value = value.strip()
    target = io.BytesIO()
    write_table(target, "x.xlsx", ["id_number", "name"], [["1", value]])
    rows = read_all(target.getvalue(), "x.xlsx")
    assert rows == [["id_number", "name"], (2, ["1", value])] or (not value and rows == [["id_number", "name"]])


# -- whole imports: no crash, no partial write, every rejection reported -----------------------------------------
born = dt.date(1990, 3, 7)
valid_numbers = st.integers(min_value=0, max_value=10_000).map(
    lambda seed: synthetic.id_number(random.Random(seed), "350102", born)
)
cells = st.one_of(texts, st.sampled_from(["", "=1+1", "'=1", "张三", "13800000000", "高中", "\x00", "长" * 60]))
rows_strategy = st.lists(
    st.tuples(st.one_of(valid_numbers, cells), cells, cells, cells).map(list), min_size=0, max_size=8
)


def file_of(rows: list[list[str]], fmt: str) -> io.BytesIO:
    header = ["id_number", "name", "phone", "education"]
    data = io.BytesIO()
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerows([header, *rows])  # as a person or another program writes it, not escaped
        data.write(text.getvalue().encode("utf-8"))
    else:
        write_table(data, "x.xlsx", header, rows)
    data.seek(0)
    return data


@pytest.mark.django_db
@FUZZ
@given(rows=rows_strategy, fmt=st.sampled_from(["csv", "xlsx"]), skip_invalid=st.booleans())
def test_an_import_of_random_cells_imports_or_rejects_and_reports(rows, fmt, skip_invalid):
    before = Person.objects.count()
    result = run_import(kind_name="persons", source=file_of(rows, fmt), filename=f"x.{fmt}", skip_invalid=skip_invalid)
    after = Person.objects.count()
    assert result.status in (ImportStatus.IMPORTED, ImportStatus.REJECTED)
    assert result.run.status == result.status and result.run.finished_at is not None
    for problem in result.problems:
        assert problem.code and problem.zh and problem.en
    rejected_rows = {problem.row for problem in result.problems if problem.row > 1}
    assert result.rejected == len(rejected_rows)  # every rejected row is reported, and only those
    if result.status == ImportStatus.REJECTED:
        assert result.problems  # a rejection says why
        assert after == before  # and writes nothing
    else:
        assert after - before == result.counts.imported
        assert not result.problems or skip_invalid
