"""Fixtures shared by every app's tests: reference data, and a small world of two provinces with personas."""

from __future__ import annotations

import pytest

from peikao.testing import shared_data
from peikao.testing.worlds import build_world


def pytest_configure(config):
    from django.conf import settings

    config.addinivalue_line(
        "markers",
        f"{shared_data.MARKER}: reads real data that may not be copied into the repository (../shared/data); "
        "deselected when it is absent, run wherever it is present (CI)",
    )

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Public lookups are written at once in tests (no background writer outliving a test's database access).
    settings.PEIKAO = {**settings.PEIKAO, "LOOKUP_LOG_FLUSH_SECONDS": 0, "VERIFY_CACHE_SECONDS": 0}


def pytest_report_header(config):
    if shared_data.available():
        return f"shared data: {shared_data.SHARED_DATA} (tests marked {shared_data.MARKER} run)"
    return (
        f"shared data: {shared_data.SHARED_DATA} is absent: the tests marked {shared_data.MARKER} (real question "
        "banks, which may not be copied into the repository) are deselected; every other test runs"
    )


def pytest_collection_modifyitems(config, items):
    """Without the shared data, the tests that read it are deselected (not skipped): a fresh clone passes with
    nothing skipped, and the header says what was left out and why."""
    if shared_data.available():
        return
    wanted = [item for item in items if item.get_closest_marker(shared_data.MARKER) is None]
    if len(wanted) == len(items):
        return
    config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker(shared_data.MARKER)])
    items[:] = wanted


@pytest.fixture(autouse=True)
def _own_rate_limits(tmp_path, settings):
    """Each test counts public lookups in a rate-limit table of its own (parallel workers share none), and
    starts with an empty cache of public answers."""
    from peikao.certificates.verification import register_cache
    from peikao.core import ratelimit

    settings.PEIKAO = {**settings.PEIKAO, "RATE_LIMIT_FILE": str(tmp_path / "ratelimit")}
    ratelimit.reset_local_table()
    register_cache.clear()  # answers cached by an earlier test's data must not leak into this one
    yield
    ratelimit.reset_local_table()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the regions and domain rules once per test database."""
    from peikao.core.refdata import load_all

    with django_db_blocker.unblock():
        load_all()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live server) ends with a flush of every table: reload the reference data after it."""
    yield
    marker = item.get_closest_marker("django_db")
    marked = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    # live_server and transactional_db make a test transactional without the marker saying so
    if not (marked or {"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ()))):
        return
    if nextitem is None:  # the session is over: the test database is already gone
        return
    from pytest_django.plugin import blocking_manager_key

    from peikao.core.refdata import load_all

    with item.config.stash[blocking_manager_key].unblock():
        load_all()


@pytest.fixture
def world(db):
    return build_world()
