"""Running an import or an export of an exchange file.

An import is one transaction. Rows are read as a stream and handled a chunk at a time: cleaned,
checked for duplicate keys within the file, and written in bulk. When any row is bad the whole
file is rolled back (unless ``skip_invalid``), but every row is still read so that the report
names every bad row. A dry run always rolls back.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audit_context, current_context, record_id_number_views
from peikao.core.choices import ImportStatus
from peikao.core.errors import DomainError
from peikao.core.exchange.base import ExchangeKind, ExportContext, ImportContext, WriteCounts, get_kind
from peikao.core.exchange.rows import Problem, Row, RowRejected
from peikao.core.exchange.runs import import_runs_sweep, process_token
from peikao.core.exchange.tables import TableError, read_table, table_format, write_table
from peikao.core.exchange.xlsx_guard import check_xlsx
from peikao.core.i18n import both
from peikao.core.models import ImportRun
from peikao.core.permissions import Perm, has_perm, require_perm

REPORT_LIMIT_STORED = 1000  # bad rows kept on the ImportRun for the UI and API
REPORT_LIMIT_MEMORY = 200_000  # beyond this only the count grows
REPORT_HEADER = ["row", "column", "value", "code", "reason_zh", "reason_en"]
# C0 control characters other than tab, line feed and carriage return: no name or code holds them, PostgreSQL
# refuses NUL in text and XML (XLSX) cannot carry them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Rollback(Exception):
    pass


@dataclass
class ImportResult:
    """The outcome of an import: counts, status and the report of every bad row."""

    kind: str
    status: str
    rows: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    run: ImportRun | None = None
    unreadable: bool = False  # the file as a whole was refused: nothing is written, even with skip_invalid

    @property
    def summary(self) -> str:
        c = self.counts
        return f"imported {c.imported}, updated {c.updated}, unchanged {c.unchanged}, rejected {self.rejected}"

    @property
    def ok(self) -> bool:
        return self.status != ImportStatus.REJECTED


def unknown_kind(name: str) -> DomainError:
    return DomainError("unknown_kind", _("There is no exchange file called “%(name)s”."), {"name": name}, status=404)


def _file_problem(code: str, message, params=None, column: str = "", value: str = "") -> Problem:
    zh, en = both(message, params)
    return Problem(1, column, value, code, zh, en)


def _map_header(kind: ExchangeKind, header: list[str]) -> tuple[list[str | None], list[Problem]]:
    mapping = kind.header_map
    keys: list[str | None] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for cell in header:
        cleaned = cell.strip().lstrip("\ufeff").rstrip("*").strip()
        key = mapping.get(cleaned) or mapping.get(cleaned.lower())
        if key is None:
            if cleaned:
                problems.append(
                    _file_problem(
                        "unknown_column", _("Unknown column “%(name)s”."), {"name": cleaned}, cleaned, cleaned
                    )
                )
            keys.append(None)
            continue
        if key in seen:
            problems.append(
                _file_problem("duplicate_column", _("The column %(name)s appears twice."), {"name": key}, key, cleaned)
            )
        seen.add(key)
        keys.append(key)
    for column in kind.columns:
        if column.required and column.key not in seen:
            problems.append(
                _file_problem(
                    "missing_column",
                    _("The required column %(key)s (%(label)s) is missing."),
                    {"key": column.key, "label": column.label},
                    column.key,
                )
            )
    return keys, problems


def run_import(
    *,
    kind_name: str,
    source: IO[bytes] | str | Path,
    filename: str,
    user=None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    label: str = "",
    options: dict | None = None,
) -> ImportResult:
    """Import one exchange file for ``user`` (``None``: the system, from a command). See module doc.
    ``options`` are kind-specific settings (e.g. the operation item of a question bank without one)."""
    kind = get_kind(kind_name)
    if kind is None or not kind.importable:
        raise unknown_kind(kind_name)
    if user is not None:
        require_perm(user, kind.import_perm)
    import_runs_sweep()
    if isinstance(source, str | Path):
        path = Path(source)
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.stat().st_size < 50_000_000 else ""
        handle: IO[bytes] = open(path, "rb")  # noqa: SIM115
    else:
        handle, digest = source, ""
        if hasattr(handle, "seek"):
            sha = hashlib.sha256()
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
            digest = sha.hexdigest()
            handle.seek(0)
    result = ImportResult(kind=kind.name, status=ImportStatus.IMPORTED)
    outer = current_context()
    context_label = label or f"import:{kind.name}"
    # The run is recorded first (outside the import's transaction) so that rows can point at it.
    result.run = ImportRun.objects.create(
        kind=kind.name,
        file_name=Path(filename).name[:255],
        file_sha256=digest,
        user=user if user is not None and user.is_authenticated else None,
        actor_label=(user.username if user is not None else context_label)[:150],
        worker=process_token(),
        started_at=timezone.now(),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        status=ImportStatus.RUNNING,
    )
    try:
        with (
            _without_cyclic_gc(),
            audit_context(
                user=user if user is not None else outer.actor,
                label=context_label,
                request=outer.request,
                request_id=outer.request_id,
            ),
        ):
            # Pipelining needs a second connection that sees what the import refers to: not inside a larger
            # transaction (tests), and not on SQLite, where a writer locks the other connections out.
            pipelined = kind.pipelined and connection.vendor == "postgresql" and not connection.in_atomic_block
            try:
                with transaction.atomic():
                    ctx = ImportContext(
                        user=user, dry_run=dry_run, skip_invalid=skip_invalid, run=result.run, options=options or {}
                    )
                    if kind.whole_file:
                        _import_whole_file(kind, handle, filename, ctx, result)
                    else:
                        _import_rows(kind, handle, filename, ctx, result, pipelined)
                    if dry_run or result.unreadable or (result.problem_count and not skip_invalid):
                        raise _Rollback
            except _Rollback:
                pass
    finally:
        handle.close()
    if result.unreadable or (result.problem_count and not skip_invalid):
        result.status = ImportStatus.REJECTED
        result.counts = WriteCounts()
    elif dry_run:
        result.status = ImportStatus.DRY_RUN
    run = result.run
    run.finished_at = timezone.now()
    run.status = result.status
    run.rows = result.rows
    run.imported, run.updated, run.unchanged = result.counts.imported, result.counts.updated, result.counts.unchanged
    run.rejected = result.rejected
    run.errors = [problem.as_dict() for problem in result.problems[:REPORT_LIMIT_STORED]]
    run.save()
    return result


@contextlib.contextmanager
def _without_cyclic_gc():
    """Imports hold millions of small live objects (keys seen, chunks in flight) and make few cycles: the
    cyclic collector would walk them all again and again (a third of the time of a million-row file).
    Reference counting still frees everything; the collector runs again once the import is over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _Chunk:
    """One chunk of rows, cleaned: what to write and what to report."""

    rows: int = 0
    valid: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: int = 0
    staged: Any = None  # kind.stage(valid), once the chunk is known to be written


def _clean_chunk(kind: ExchangeKind, ctx: ImportContext, keys: list[str | None], chunk: list) -> _Chunk:
    out = _Chunk()
    parsed = [Row(number, _row_dict(keys, cells), kind) for number, cells in chunk]
    out.rows = len(parsed)
    controlled = [row for row in parsed if CONTROL_CHARACTERS.search("\t".join(row.values.values()))]
    if controlled:  # reported, and kept away from the database (PostgreSQL refuses NUL even in a query)
        for row in controlled:
            out.problems.extend(_control_character_problems(row))
        out.rejected += len(controlled)
        flagged = {id(row) for row in controlled}
        parsed = [row for row in parsed if id(row) not in flagged]
    kind.prepare(parsed, ctx)
    for row in parsed:
        try:
            cleaned = kind.clean(row, ctx)
            row.done()
        except RowRejected as rejected:
            out.problems.extend(rejected.problems)
            out.rejected += 1
            continue
        except DomainError as error:
            row.fail(kind.key[0], error.message, error.params, code=error.code)
            out.problems.extend(row.problems)
            out.rejected += 1
            continue
        if kind.unique_keys_in_file:
            key = kind.row_key(cleaned)
            first = ctx.seen.get(key)
            if first is not None:
                row.fail(
                    kind.key[0],
                    _("The same key (%(key)s) is already in row %(first)d of this file."),
                    {"key": " / ".join(str(part) for part in key), "first": first},
                    code="duplicate_key",
                )
                out.problems.extend(row.problems)
                out.rejected += 1
                continue
            ctx.seen[key] = row.number
        out.valid.append((row.number, cleaned))
    if controlled:
        out.problems.sort(key=lambda problem: problem.row)  # the report in file order
    return out


def _control_character_problems(row: Row) -> list[Problem]:
    for key, value in row.values.items():
        control = CONTROL_CHARACTERS.search(value)
        if control:
            row.values[key] = CONTROL_CHARACTERS.sub("\ufffd", value)  # the report shows the value, not the NUL
            row.fail(
                key,
                _("The value holds a control character (U+%(code)04X), which no value may contain."),
                {"code": ord(control.group())},
                code="control_character",
            )
    return row.problems


_DONE = object()


def _cleaned_chunks(kind, ctx, keys, rows, chunk_size: int, pipelined: bool):
    """Cleaned chunks in file order. Pipelined, a second thread (with its own database connection, which
    sees committed data only) reads and cleans the next chunks while this thread writes: Python and the
    database work at the same time. Only kinds whose cleaning needs nothing written by this import ask for it."""
    if not pipelined:
        for chunk in _chunks(rows, chunk_size):
            yield _clean_chunk(kind, ctx, keys, chunk)
        return
    import queue
    import threading

    from django.db import connections

    handoff: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read() -> None:
        failing = False  # the writer's judgement: after a bad row (not skipped) nothing is written, so not staged
        try:
            for chunk in _chunks(rows, chunk_size):
                if stop.is_set():
                    return
                cleaned = _clean_chunk(kind, ctx, keys, chunk)
                failing = failing or (bool(cleaned.problems) and not ctx.skip_invalid)
                if not failing and cleaned.valid:
                    cleaned.staged = kind.stage(cleaned.valid, ctx)
                handoff.put(cleaned)
        except BaseException as exc:  # handed to the writing thread, which raises it
            handoff.put(exc)
        finally:
            connections.close_all()
            handoff.put(_DONE)

    reader = threading.Thread(target=read, name=f"import-{kind.name}", daemon=True)
    reader.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():  # let the reader finish its current chunk and see the stop flag
            with contextlib.suppress(queue.Empty):
                handoff.get(timeout=0.1)
        reader.join()


def _import_whole_file(kind: ExchangeKind, handle, filename: str, ctx: ImportContext, result: ImportResult) -> None:
    """Kinds whose files have their own layouts (question banks) read the whole file themselves, once the file
    passed the checks of the exchange tables (an XLSX: its zip; a text: no NUL)."""
    try:
        _check_whole_file(handle, filename)
    except TableError as error:
        result.unreadable = True
        result.problems.append(_file_problem(error.code, error.message, error.params))
        result.problem_count = 1
        return
    outcome = kind.import_file(handle, filename, ctx)
    result.rows = outcome.rows
    result.rejected = outcome.rejected
    result.problems.extend(outcome.problems[:REPORT_LIMIT_MEMORY])
    result.problem_count = len(outcome.problems)
    if not result.problem_count or ctx.skip_invalid:
        result.counts += outcome.counts


def _check_whole_file(handle, filename: str) -> None:
    try:
        xlsx = table_format(filename) == "xlsx"
    except TableError:
        xlsx = False  # a kind of its own may read other formats (a question bank in JSON or text)
    if xlsx:
        check_xlsx(handle)
        return
    start = handle.tell()
    try:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if b"\x00" in block:
                raise TableError("control_character", _("The file holds NUL characters: it is not a text file."))
    finally:
        handle.seek(start)


def _import_rows(kind, handle, filename, ctx: ImportContext, result: ImportResult, pipelined=False) -> None:
    def add_problems(problems: list[Problem]) -> None:
        result.problem_count += len(problems)
        room = REPORT_LIMIT_MEMORY - len(result.problems)
        if room > 0:
            result.problems.extend(problems[:room])

    try:
        header, rows = read_table(handle, filename)
    except TableError as error:
        result.unreadable = True
        add_problems([_file_problem(error.code, error.message, error.params)])
        return
    keys, header_problems = _map_header(kind, header)
    if header_problems:
        add_problems(header_problems)
        return
    skip_invalid = ctx.skip_invalid
    chunk_size = settings.PEIKAO["IMPORT_CHUNK_SIZE"]
    writing = True
    try:
        for chunk in _cleaned_chunks(kind, ctx, keys, rows, chunk_size, pipelined):
            result.rows += chunk.rows
            result.rejected += chunk.rejected
            add_problems(chunk.problems)
            if result.problem_count and not skip_invalid:
                writing = False  # the file will be rejected: keep reading only to report every bad row
            if writing and chunk.valid:
                staged = chunk.staged if chunk.staged is not None else kind.stage(chunk.valid, ctx)
                result.counts += kind.write(staged, ctx)
        if writing:
            kind.finish(ctx)
    except TableError as error:  # found while streaming: what was written is rolled back, skip_invalid or not
        result.unreadable = True
        add_problems([_file_problem(error.code, error.message, error.params)])


def _row_dict(keys: list[str | None], cells: list[str]) -> dict[str, str]:
    return {key: value for key, value in zip(keys, cells, strict=False) if key is not None}


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        yield chunk


def write_report(problems: list[Problem], target: IO[bytes], filename: str = "report.csv") -> None:
    write_table(
        target,
        filename,
        REPORT_HEADER,
        ([str(p.row), p.column, p.value, p.code, p.zh, p.en] for p in problems),
    )


def run_export(
    *,
    kind_name: str,
    target: IO[bytes],
    filename: str,
    user=None,
    region=None,
    as_of=None,
    headers: str = "en",
    date_from=None,
    date_to=None,
) -> int:
    """Write an exchange file for ``user`` (scoped) and return the number of rows written. ``date_from`` and
    ``date_to`` are the period of a kind that covers one (injury_analysis); without ``date_to`` it ends on the
    export's day (``as_of``). The period is checked here, once, for every kind and every caller."""
    kind = get_kind(kind_name)
    if kind is None or not kind.exportable:
        raise unknown_kind(kind_name)
    if user is not None:
        kind.require_export(user)
    ctx = ExportContext(user=user, region=region, date_from=date_from, date_to=date_to)
    if as_of is not None:
        ctx.as_of = as_of
    if date_from is not None and date_from > (date_to or ctx.as_of):
        raise DomainError("bad_period", _("The period starts after it ends."))
    header = [column.label if headers == "zh" else column.key for column in kind.columns]
    keys = [column.key for column in kind.columns]
    log_views = user is not None and kind.exports_id_numbers and has_perm(user, Perm.VIEW_FULL_ID_NUMBER)
    pending: list[tuple[int, str]] = []

    def rows() -> Iterator[list[str]]:
        for row in kind.export_rows(ctx):
            if log_views:
                pending.extend(kind.export_person_ids(row))
                if len(pending) >= 5000:
                    record_id_number_views(user=user, persons=pending, purpose=f"export:{kind.name}")
                    pending.clear()
            yield [row.get(key, "") for key in keys]

    count = write_table(target, filename, header, rows())
    if pending:
        record_id_number_views(user=user, persons=pending, purpose=f"export:{kind.name}")
    return count


def export_response(
    *, kind_name: str, fmt: str, user, region=None, as_of=None, headers: str = "en", date_from=None, date_to=None
):
    """An exchange file as a download (spooled to disk beyond 16 MiB)."""
    import tempfile

    from django.http import FileResponse

    from peikao.core.http import with_file_name

    filename = f"{kind_name}.{fmt}"
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - closed by the response
    try:
        run_export(
            kind_name=kind_name,
            target=spool,
            filename=filename,
            user=user,
            region=region,
            as_of=as_of,
            headers=headers,
            date_from=date_from,
            date_to=date_to,
        )
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    kind = get_kind(kind_name)
    title = str(kind.title) if kind else kind_name
    response = FileResponse(spool, as_attachment=True, filename=filename)
    return with_file_name(response, f"{title}.{fmt}", fallback=filename)
