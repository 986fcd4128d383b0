"""Build src/inclusief_inkopen/data/cpv2008.tsv.gz from the project's shared CPV 2008 table.

Input: ``../shared/data/cpv/cpv2008.csv`` (all 9,454 codes of Regulation (EC) No 213/2008 with check digit and
English and Dutch labels; its README names the sources: labels from the eForms SDK, CC BY 4.0; check digits
confirmed by two independent lists). Output: one line per code, ``code<TAB>check digit<TAB>label nl<TAB>label en``,
gzip-compressed with a fixed timestamp so that a rebuild is byte-identical.

    python scripts/build_cpv_data.py [path/to/cpv2008.csv]
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "cpv" / "cpv2008.csv"
TARGET = ROOT / "src" / "inclusief_inkopen" / "data" / "cpv2008.tsv.gz"


def build(source: Path) -> bytes:
    lines = []
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            fields = [row["code"], row["check_digit"], row["label_nl"], row["label_en"]]
            if any("\t" in f or "\n" in f for f in fields) or len(row["code"]) != 8:
                raise SystemExit(f"{source}: unexpected row {row!r}")
            lines.append("\t".join(fields))
    if len(lines) != len(set(line.split("\t")[0] for line in lines)):
        raise SystemExit(f"{source}: duplicate codes")
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=9, mtime=0)


if __name__ == "__main__":
    data = build(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
    TARGET.write_bytes(data)
    print(f"wrote {TARGET} ({len(data)} bytes)")
