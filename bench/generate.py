"""Generated data for the benchmarks: deterministic (seeded), valid, at the scale an issue names.

python -m bench.generate persons 1000000 bench/data/persons-1m.csv
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

from peikao.core.synthetic import GIVEN, SURNAMES
from peikao.core.validators import ID_CHECK_CHARS, ID_WEIGHTS

# Current county codes of 福建 and the provinces migrant workers come from (GB/T 2260, all real).
BIRTH_REGIONS = [
    "350102", "350103", "350104", "350105", "350111", "350112", "350121", "350122", "350181", "350203",
    "350205", "350206", "350211", "350212", "350213", "350302", "350303", "350402", "350403", "350502",
    "350503", "350504", "350581", "350582", "350583", "350602", "350603", "350702", "350802", "350902",
    "360102", "360103", "430102", "430103", "510104", "510105", "520102", "520103", "450102", "410102",
]  # fmt: skip
EDUCATION = ["junior_high", "senior_high", "college", "bachelor", "", "高中", "初中", "大专"]


def person_rows(count: int, seed: int = 2026):
    """Yield (id_number, name, phone, education) rows with unique, valid ID numbers."""
    rng = random.Random(seed)
    start = dt.date(1960, 1, 1).toordinal()
    span = dt.date(2006, 12, 31).toordinal() - start
    seen: set[str] = set()
    produced = 0
    while produced < count:
        birth = dt.date.fromordinal(start + rng.randrange(span))
        first17 = f"{rng.choice(BIRTH_REGIONS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        if first17 in seen:
            continue
        seen.add(first17)
        total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
        number = first17 + ID_CHECK_CHARS[total % 11]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        phone = "1" + str(rng.randrange(3, 10)) + f"{rng.randrange(10**9):09d}" if rng.random() < 0.8 else ""
        yield number, name, phone, rng.choice(EDUCATION)
        produced += 1


def write_persons(count: int, path: Path, seed: int = 2026) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id_number", "name", "phone", "education"])
        writer.writerows(person_rows(count, seed))
    tmp.rename(path)
    return path


GENERATORS = {"persons": write_persons}


if __name__ == "__main__":
    kind, count, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    GENERATORS[kind](count, out)
    print(f"wrote {count} {kind} rows to {out}")
