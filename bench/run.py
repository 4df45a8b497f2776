"""``make bench``: run the benchmarks on PostgreSQL with generated data; figures go to bench/results/*.json.

    python -m bench.run [NAME ...] [--scale X]

BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/peikao_bench, or peikao_bench_NAME when one benchmark
is named, so that two benchmarks can run side by side) is dropped and recreated.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

BENCHMARKS = [
    "persons_import",
    "training",
    "papers",
    "exam_load",
    "qr_verify",
    "verify_load",
    "compliance",
    "injury_linkage",
    "injury_analysis",
    "notice",
    "oversight",
    "grading",
    "campaign_import",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", default=BENCHMARKS)
    parser.add_argument("--scale", type=float, default=1.0, help="Multiply the data sizes (targets are for 1.0).")
    args = parser.parse_args()
    suffix = f"_{args.names[0]}" if len(args.names) == 1 else ""
    os.environ.setdefault("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/peikao_bench{suffix}")
    failed = []
    for name in args.names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        payload = module.main(args.scale)
        for check, figures in payload["checks"].items():
            mark = "ok " if figures["ok"] else "MISS"
            print(f"  [{mark}] {check}: {figures['value']} (target {figures['target']})")
        if not payload["ok"]:
            failed.append(name)
    print(json.dumps({"failed": failed}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
