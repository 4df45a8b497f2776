"""Fixtures of the certificate tests: a key ring per test; the passed world (peikao/testing/certificates.py)."""

from __future__ import annotations

import pytest

from peikao.certificates import publishing, verification
from peikao.testing.certificates import make_passed_world


@pytest.fixture(autouse=True)
def _keys(tmp_path, settings):
    """Every test signs with a key ring of its own, in a directory of its own; lookups are written at once."""
    settings.PEIKAO = {**settings.PEIKAO, "SIGNING_KEY_DIR": tmp_path / "keys", "LOOKUP_LOG_FLUSH_SECONDS": 0}
    publishing.reset_keyring()
    verification.register_cache.clear()
    publishing.forget_published_list()
    yield
    publishing.reset_keyring()
    publishing.forget_published_list()


@pytest.fixture
def passed_world(db):
    return make_passed_world()
