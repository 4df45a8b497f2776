"""Every mask of personal data lives in core/privacy.py: what each mask keeps, and that nobody writes another."""

from __future__ import annotations

import ast
from pathlib import Path

from peikao.core.privacy import (
    mask_certificate_number,
    mask_id_number,
    mask_id_numbers_in_text,
    mask_name,
    mask_text,
)

ROOT = Path(__file__).resolve().parents[3]


def test_each_mask_keeps_what_it_should_and_is_idempotent():
    assert mask_id_number("35010219900101123x") == "3501**********123X"
    assert mask_id_number("1234567") == "*******" and mask_id_number(None) == ""
    assert mask_certificate_number("T35010219900101123X") == "T3501**********123X"
    assert mask_certificate_number("AQ-2026-0001") == "AQ-2026-0001"  # carries no personal identifier
    assert mask_name("张三") == "张*" and mask_name("欧阳小明") == "欧**明" and mask_name("李") == "李"
    assert mask_text("张三（350102199001011234）未经培训上岗", ["张三"]) == "张*（3501**********1234）未经培训上岗"
    for masked in ("3501**********123X", "T3501**********123X", "欧**明"):
        assert mask_id_number(masked) == masked  # a masked value masked again is unchanged
        assert mask_certificate_number(masked) == masked and mask_name(masked) == masked
    assert (
        mask_id_numbers_in_text("GET /verify/?cert_no=T11010519491231002X")
        == "GET /verify/?cert_no=T1101**********002X"
    )


def _masks_outside_privacy() -> list[str]:
    """Functions named mask… and "*"-repetitions anywhere in peikao/ but core/privacy.py (tests aside)."""
    found = []
    for path in sorted((ROOT / "peikao").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative == "peikao/core/privacy.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("mask_"):
                found.append(f"{relative}:{node.lineno}: def {node.name}")
            if (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Mult)
                and any(isinstance(side, ast.Constant) and side.value == "*" for side in (node.left, node.right))
            ):
                found.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_mask_is_written_outside_core_privacy():
    # logging.mask_server_logs installs the log filter (which calls privacy); it masks nothing itself.
    found = [line for line in _masks_outside_privacy() if not line.endswith("def mask_server_logs")]
    assert not found, "Masks belong in peikao/core/privacy.py:\n" + "\n".join(found)
