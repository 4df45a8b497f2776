"""Where the tests find the real data that may not be copied into the repository (the question banks of
``../shared/data/question-banks`` declare no licence: they are used in tests only, from beside the repository).

Tests that need it carry ``@pytest.mark.shared_data``. Without the folder, ``make test`` deselects them and says
so (peikao/conftest.py); CI runs them wherever the folder is present. ``PEIKAO_SHARED_DATA`` points elsewhere.
Data whose licence allows it lives in the repository instead (e.g. peikao/core/tests/data/vectors/).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("PEIKAO_SHARED_DATA") or ROOT.parent / "shared" / "data")
QUESTION_BANKS = SHARED_DATA / "question-banks"
MARKER = "shared_data"


def available() -> bool:
    """Whether the shared data is on this machine (its question banks are what the marked tests read)."""
    return QUESTION_BANKS.is_dir()
