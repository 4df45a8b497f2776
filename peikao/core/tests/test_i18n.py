"""The Chinese translation is complete and compiled."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
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


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_the_catalogue_holds_exactly_the_messages_of_the_code(tmp_path):
    """`make messages` run now would change nothing: no message of the code is missing from the
    catalogue (it would reach the user in English) and none is left over."""
    source = LOCALE.parents[2]
    copy = tmp_path / "peikao"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (tmp_path / "catalogue_settings.py").write_text(
        f"from peikao.settings import *  # noqa: F403\nLOCALE_PATHS = [{str(copy / 'locale')!r}]\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans"]
        + ["--no-obsolete", "--no-location", "--no-wrap"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(source.parent)]),
            "DJANGO_SETTINGS_MODULE": "catalogue_settings",
        },
    )
    assert result.returncode == 0, result.stderr

    def entries(path):
        return [line for line in path.read_text().splitlines() if "POT-Creation-Date" not in line]

    regenerated = entries(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    committed = entries(LOCALE / "django.po")
    changed = list(difflib.unified_diff(committed, regenerated, lineterm="", n=0))
    assert not changed, "run `make messages` and translate:\n" + "\n".join(changed[:40])


def test_the_interface_speaks_chinese(client, django_user_model):
    response = client.get("/login/")
    assert "登录" in response.content.decode()
