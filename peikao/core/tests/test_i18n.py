"""The Chinese translation is complete and compiled."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is not installed")
def test_every_message_is_translated_and_the_compiled_catalogue_is_current(tmp_path):
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(compiled), str(LOCALE / "django.po")],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert compiled.read_bytes() == (LOCALE / "django.mo").read_bytes(), "run `make messages`"


def test_the_interface_speaks_chinese(client, django_user_model):
    response = client.get("/login/")
    assert "登录" in response.content.decode()
