"""Runs one measured operation in its own process (so its peak memory is its own) and prints JSON.

python -m bench.worker import persons FILE
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peikao.settings")
    import django

    django.setup()
    action, kind, path = sys.argv[1:4]
    if action != "import":
        raise SystemExit(f"unknown action {action}")
    from peikao.core.audit import audit_context
    from peikao.core.exchange.runner import run_import

    started = time.perf_counter()
    with audit_context(label="bench"):
        result = run_import(kind_name=kind, source=path, filename=os.path.basename(path))
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "summary": result.summary, "rows": result.rows, "ok": result.ok}))


if __name__ == "__main__":
    main()
