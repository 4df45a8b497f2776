"""One write path (house style, principle 1; docs/adr/0002): every state change goes through a service.

The test reads every module of ``peikao/`` outside the services (and outside migrations, tests and the shared
test factories; the demo province is held to it like any other caller) with ``ast`` and fails on any call that
writes — a model's ``save``/``create``/``update``/``delete``/``bulk_create``/``bulk_update``/``get_or_create``/
``update_or_create``, or the change-log and bulk writers ``audited_*``, ``record_bulk*``, ``apply_upsert``, ``bulk_upsert``, ``insert_rows*``, ``update_rows`` — unless
``write_path_allowlist.py`` names it with its reason. A method of the same name on something that is not a model
(``dict.update``, a hash's ``update``, a workbook's ``save``) is reshaped where that is easy (``a |= b``) or
allowlisted as "not a model".
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from peikao.core.tests.write_path_allowlist import ALLOWED

ROOT = Path(__file__).resolve().parents[3]
WRITE_METHODS = frozenset(
    {"save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
)
WRITE_FUNCTIONS = frozenset(
    {"apply_upsert", "bulk_upsert", "insert_rows", "insert_rows_ignoring_duplicates", "update_rows"}
)
WRITE_PREFIXES = ("audited_", "record_bulk")
SKIPPED_DIRECTORIES = frozenset({"migrations", "tests", "services"})
SKIPPED_FILES = frozenset({"services.py", "conftest.py"})
SKIPPED_TREES = (("peikao", "testing"),)

Finding = tuple[str, int, str]  # (path from the repository root, line, the callee as written)


def is_write(func: ast.expr) -> bool:
    """Whether a call of ``func`` looks like a write: a write method on anything, or a writer function by name."""
    if isinstance(func, ast.Attribute):
        name = func.attr
        if name in WRITE_METHODS:
            return True
    elif isinstance(func, ast.Name):
        name = func.id
    else:
        return False
    return name in WRITE_FUNCTIONS or name.startswith(WRITE_PREFIXES)


def write_calls(source: str) -> list[tuple[int, str]]:
    """(line, callee as written) of every call in ``source`` that looks like a write, in source order."""
    calls = [
        (node.lineno, node.col_offset, ast.unparse(node.func))
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and is_write(node.func)
    ]
    return [(line, call) for line, _column, call in sorted(calls)]


def is_checked(relative: Path) -> bool:
    """Whether the module at ``relative`` (a path from the repository root) is held to the rule."""
    parts = relative.parts
    if relative.suffix != ".py" or relative.name in SKIPPED_FILES:
        return False
    if SKIPPED_DIRECTORIES.intersection(parts[:-1]):
        return False
    return not any(parts[: len(tree)] == tree for tree in SKIPPED_TREES)


def checked_modules(root: Path = ROOT) -> Iterator[Path]:
    for path in sorted((root / "peikao").rglob("*.py")):
        relative = path.relative_to(root)
        if is_checked(relative):
            yield relative


def findings(root: Path = ROOT) -> list[Finding]:
    return [
        (relative.as_posix(), line, call)
        for relative in checked_modules(root)
        for line, call in write_calls((root / relative).read_text(encoding="utf-8"))
    ]


def problems(found: Iterable[Finding], allowed: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The findings no entry of ``allowed`` covers, as ``path:line: call``."""
    return [f"{path}:{line}: {call}" for path, line, call in found if call not in allowed.get(path, {})]


def stale_entries(found: Iterable[Finding], allowed: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Entries of ``allowed`` that no finding needs any more."""
    seen = {(path, call) for path, _line, call in found}
    return [f"{path}: {call}" for path, calls in allowed.items() for call in calls if (path, call) not in seen]


def test_nothing_outside_the_services_writes():
    unexplained = problems(findings(), ALLOWED)
    assert not unexplained, (
        "Writes outside the services: move each into a service function (services.py or services/), or, for the "
        "framework's own bookkeeping or a call that is not a model's, name it with its reason in "
        "peikao/core/tests/write_path_allowlist.py:\n" + "\n".join(unexplained)
    )


def test_every_allowlist_entry_is_still_needed():
    stale = stale_entries(findings(), ALLOWED)
    assert not stale, "Allowlisted writes that are gone: remove them from write_path_allowlist.py:\n" + "\n".join(stale)


def test_every_allowlist_entry_gives_its_reason():
    for path, calls in ALLOWED.items():
        assert (ROOT / path).suffix == ".py", path
        for call, reason in calls.items():
            assert reason.strip(), f"{path}: {call} needs its reason"


def test_the_checker_finds_model_writes_and_writer_functions():
    source = """
def view(request, org):
    Organization.objects.create(name="x")
    org.save(update_fields=["name"])
    Organization.objects.filter(pk=org.pk).update(name="y")
    Lesson.objects.select_for_update().get_or_create(code="a")
    audited_create(org)
    record_bulk_rows(Lesson, [])
    apply_upsert(staged)
    insert_rows(Lesson, [], [])
    update_rows(Lesson, ["code"], [])
    org.refresh_from_db()
    Organization.objects.filter(pk=org.pk).exists()
    created = org.created_at
    return render(request, "x.html", {"updated": org.update_fields})
"""
    assert write_calls(source) == [
        (3, "Organization.objects.create"),
        (4, "org.save"),
        (5, "Organization.objects.filter(pk=org.pk).update"),
        (6, "Lesson.objects.select_for_update().get_or_create"),
        (7, "audited_create"),
        (8, "record_bulk_rows"),
        (9, "apply_upsert"),
        (10, "insert_rows"),
        (11, "update_rows"),
    ]


def test_a_new_write_outside_the_services_fails_until_it_is_allowlisted():
    found = [("peikao/training/views.py", 12, "Lesson.objects.create")]
    assert problems(found, ALLOWED) == ["peikao/training/views.py:12: Lesson.objects.create"]
    allowed = {"peikao/training/views.py": {"Lesson.objects.create": "a reason"}}
    assert problems(found, allowed) == []
    assert stale_entries([], allowed) == ["peikao/training/views.py: Lesson.objects.create"]


def test_the_services_migrations_and_tests_are_not_checked_the_demo_is():
    assert is_checked(Path("peikao/training/views.py"))
    assert is_checked(Path("peikao/core/exchange/runner.py"))
    assert is_checked(Path("peikao/demo/training.py"))
    for path in (
        "peikao/registry/services/persons.py",
        "peikao/training/services/lessons.py",
        "peikao/training/migrations/0001_initial.py",
        "peikao/training/tests/test_views.py",
        "peikao/conftest.py",
        "peikao/testing/factories.py",
        "peikao/training/templates/training/class_detail.html",
    ):
        assert not is_checked(Path(path)), path
