"""Benchmark of the campaign notice (PostgreSQL, issue 16): the national notice JSON of a generated campaign.

Shape at scale 1.0: the seed's campaign (应急厅函〔2023〕85号) as ``peikao.testing.campaign`` builds it —
287,384 organisations over two counties of every province, as many inspections, 136,751 findings, 65,924
decisions, 7,001 sittings with 7,101 patrols and 1,404 patrol findings (set-up, written with COPY, timed but
not judged). The measured step is the national notice as JSON (``reports.selectors.notice_figures`` for the
nation with ``by_subregion`` per province, and its rendering), which must also carry exactly the seed's figures.
Target: under 5 s.
"""

from __future__ import annotations

import sys

from bench.harness import PYTHON, fresh_database, measured, write_result

NAME = "notice"
TARGET_SECONDS = 5.0

WORKER = r"""
import json, sys, time, dataclasses
import django
django.setup()
from peikao.core.models import Region
from peikao.reports.documents import notice_content, render
from peikao.reports.selectors import Period, notice_figures
from peikao.testing.campaign import PERIOD, SEED, build_campaign

scale = float(sys.argv[1])
figures = SEED if scale == 1.0 else dataclasses.replace(
    SEED, **{f.name: max(1, int(getattr(SEED, f.name) * scale)) for f in dataclasses.fields(SEED)
             if f.name not in {"ent_fines_yuan", "ent_fined"}}
)
started = time.perf_counter()
counts = build_campaign(figures)
built = time.perf_counter() - started
from django.db import connection
with connection.cursor() as cursor:  # what autovacuum does after a bulk load: statistics for the planner
    cursor.execute("ANALYZE")
nation = Region.objects.get(code="000000")
started = time.perf_counter()
data = notice_figures(user=None, region=nation, period=Period(*PERIOD))
body = render(notice_content(data, region=nation, issued_on=PERIOD[1]), "json")
seconds = time.perf_counter() - started
exact = all(data[key] == value for key, value in figures.notice_json().items())
print(json.dumps({"rows": counts, "build_seconds": round(built, 2), "notice_seconds": round(seconds, 3),
                  "json_bytes": len(body), "seed_figures": exact}))
"""


def main(scale: float = 1.0) -> dict:
    fresh_database()
    result = measured([PYTHON, "-c", WORKER, str(scale)])
    ok = result["notice_seconds"] < TARGET_SECONDS and result["seed_figures"]
    payload = {
        "scale": scale,
        "ok": ok,
        "result": result,
        "checks": {
            "national notice JSON": {"value": result["notice_seconds"], "target": f"< {TARGET_SECONDS} s", "ok": ok},
        },
    }
    write_result(NAME, payload)
    return payload


if __name__ == "__main__":
    outcome = main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
    sys.exit(0 if outcome["ok"] else 1)
