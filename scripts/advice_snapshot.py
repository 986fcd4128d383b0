"""Print one sha256 per advice case, to show that a change to the engine leaves the advice byte-identical.

    python scripts/advice_snapshot.py > before.txt   # on the old code
    python scripts/advice_snapshot.py > after.txt    # on the new code
    diff before.txt after.txt                        # no output: every advice is the same bytes

Cases: generated complete profiles (benchmarks/profiles.py, fixed seed) and the same with facts left out (so that
criteria are undetermined and questions asked), on three dates each, and every example tender on three dates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from profiles import tender_dicts  # noqa: E402

from inclusief_inkopen import evaluate, load_catalogue, load_tender  # noqa: E402

DATES = (dt.date(2025, 6, 1), dt.date(2026, 3, 1), dt.date(2027, 6, 1))
OPTIONAL = (
    "end_users",
    "digital",
    "physical",
    "people_facing",
    "staffing",
    "labour_share",
    "cpv",
    "procedure",
    "supply_chain_risk",
    "eaa_services",
    "building_work",
    "social_services_procedure",
    "duration_months",
)


def cases(count: int) -> list[tuple[str, object]]:
    rng = random.Random(7)
    out: list[tuple[str, object]] = []
    for i, d in enumerate(tender_dicts(count)):
        out.append((f"complete {i}", d))
        partial = {k: v for k, v in d.items() if not (k in OPTIONAL and rng.random() < 0.35)}
        out.append((f"partial {i}", partial))
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        out.append((path.name, load_tender(path)))
    return out


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    catalogue = load_catalogue()
    for name, tender in cases(count):
        for on in DATES:
            digest = hashlib.sha256(evaluate(tender, catalogue, on=on).to_json().encode()).hexdigest()
            print(f"{name} {on} {digest}")


if __name__ == "__main__":
    main()
