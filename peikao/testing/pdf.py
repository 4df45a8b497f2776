"""Checking a PDF the platform renders with poppler's tools: every font embedded, the text read back, and the page
rendered on a machine state without any system font (fontconfig given a configuration with no font folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

POPPLER = ("pdftoppm", "pdffonts", "pdftotext")


def require_tools(tools=POPPLER) -> None:
    """Skip where a tool is missing, except in CI (``CI`` set), where a missing tool fails the test."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} must be installed in CI (.ci/run installs poppler-utils and zbar-tools)")
        pytest.skip(f"{missing} not installed")


def fonts(pdf: Path) -> list[dict[str, str]]:
    """``pdffonts``' table: name, type, emb, sub and uni of every font of the document."""
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in listing.splitlines()[2:]:
        words = line.split()
        if words:  # name type [encoding words…] emb sub uni object-id generation
            rows.append({"name": words[0], "emb": words[-5], "sub": words[-4], "uni": words[-3], "line": line})
    return rows


def assert_fonts_embedded(pdf_bytes: bytes, tmp_path: Path, *, font: str = "PeikaoCJK") -> str:
    """Every font of the PDF is embedded as a subset, ``font`` among them; the text as pdftotext reads it."""
    source = tmp_path / "checked.pdf"
    source.write_bytes(pdf_bytes)
    rows = fonts(source)
    table = "\n".join(row["line"] for row in rows)
    assert rows, "the PDF has no font"
    assert all((row["emb"], row["sub"]) == ("yes", "yes") for row in rows), f"a font is not embedded:\n{table}"
    assert any(f"+{font}" in row["name"] for row in rows), table
    return subprocess.run(["pdftotext", str(source), "-"], capture_output=True, text=True, check=True).stdout


def no_fonts_environment(tmp_path: Path) -> dict[str, str]:
    """The environment of a machine without any system font: fontconfig reads a configuration with no font
    folder (poppler finds fonts through fontconfig only)."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    environment = {**os.environ, "FONTCONFIG_FILE": str(config), "HOME": str(tmp_path)}
    environment.pop("FONTCONFIG_PATH", None)
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list"], env=environment, capture_output=True, text=True, check=True).stdout
        assert listed.strip() == "", f"the no-font environment still lists fonts:\n{listed}"
    return environment


def page_image(pdf_bytes: bytes, tmp_path: Path, name: str, environment: dict[str, str], page: int = 1):
    """One page rendered by pdftoppm at 72 dpi in grey, where poppler had to substitute no font."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf_bytes)
    rendered = subprocess.run(
        ["pdftoppm", "-r", "72", "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(source),
         str(tmp_path / name)],
        env=environment, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "font" not in rendered.stderr.lower(), rendered.stderr  # poppler says when it must substitute a font
    return Image.open(tmp_path / f"{name}.png").convert("L")


def changed_pixels(one, other) -> int:
    """How many pixels of two renders of a page differ clearly."""
    from PIL import ImageChops

    return ImageChops.difference(one, other).point(lambda value: 255 if value > 64 else 0).histogram()[255]
