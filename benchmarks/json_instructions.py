"""Figure 1a counted rather than timed: the instructions one advice as JSON takes, on tenders not seen before.

    python benchmarks/json_instructions.py               # 10,000 tenders to warm, 400 counted (about 6 minutes)
    python benchmarks/json_instructions.py --warm 3000   # quicker; fewer items and runs are kept by then

The same work twice under valgrind's callgrind, side by side (hash seed fixed, as
``bench.bench_cli_instructions``): generated tenders (``profiles.py``) written as JSON in both languages to warm
the catalogue's kept pieces, the collector's objects then frozen, then ``--tenders`` new ones written, or not (both
runs make and validate them). Per advice: the difference of the two counts, divided by ``--tenders``. Wall times on
a shared machine move by a quarter from one run to the next; these counts move by well under one per cent. Without
freezing, a full collection that falls among the counted tenders or not moves the figure by some 0.1 million
instructions either way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import _instructions, settle_cache  # noqa: E402
from profiles import tender_dicts  # noqa: E402

ON = dt.date(2026, 6, 1)


def _child(warm: int, count: int, write: int) -> None:
    from inclusief_inkopen import TenderProfile, evaluate, load_catalogue

    catalogue = load_catalogue(trust_cache=True)
    # Both runs make and validate the same profiles, so that the difference is the advice alone.
    profiles = [TenderProfile.model_validate(d) for d in tender_dicts(warm + count)]
    for profile in profiles[:warm]:
        evaluate(profile, catalogue, on=ON).to_json()
    gc.collect()
    gc.freeze()  # the warm-up's objects out of the collector's passes, alike in both runs
    if write:
        for profile in profiles[warm:]:
            evaluate(profile, catalogue, on=ON).to_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=10_000, help="tenders written first (default 10,000)")
    parser.add_argument("--tenders", type=int, default=400, help="new tenders counted (default 400)")
    parser.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("valgrind is not installed: this benchmark counts instructions with its callgrind tool")
    if args.tenders < 1:
        raise SystemExit("--tenders must be at least 1")
    script = [sys.executable, str(Path(__file__).resolve()), "--child"]
    env = dict(os.environ)
    settle_cache([*script, "0", "0", "0"], env)  # without it the same code counted 1.438 and 1.578 million an advice
    runs = [[*script, str(args.warm), str(args.tenders), write] for write in ("0", "1")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(lambda run: _instructions(valgrind, run, env), runs))
    if None in counts:
        raise SystemExit("callgrind printed no instruction count")
    none, some = counts
    per_advice = (some - none) / args.tenders  # type: ignore[operator]
    print(
        f"| 1a, counted (valgrind): instructions per advice as JSON, both languages, {args.tenders:,} new tenders "
        f"after {args.warm:,} | {per_advice / 1e6:.3f} million | | |"
    )


if __name__ == "__main__":
    main()
