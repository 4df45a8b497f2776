"""Fixtures of the exam tests (the world itself is built in peikao/testing/exams.py)."""

from __future__ import annotations

import pytest

from peikao.testing.exams import make_exam_world


@pytest.fixture
def exam_world(db):
    return make_exam_world()
