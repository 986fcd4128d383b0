"""Benchmarks for inclusief-inkopen: prints figures to paste into the README's performance section.

    python benchmarks/bench.py                 # all three, with the sizes the targets are set for
    python benchmarks/bench.py --batch 100000  # a shorter batch run

1. ``evaluate()`` with reasons over the built-in catalogue on generated profiles (fixed seed), next to the same
   rules written by hand (``handwritten.py``); both must pick the same criteria for every profile.
2. ``evaluate_many`` streaming over many profiles: tenders per second on one core and on all cores, and peak
   memory at a tenth of the batch and at the whole batch (flat means the batch size does not matter).
3. CLI cold start: ``inclusief-inkopen advies`` against ``python -c "import pydantic"``.

Targets are ratios measured in the same run, so they hold on a noisy machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from handwritten import suggestions  # noqa: E402
from profiles import tender_dicts  # noqa: E402

from inclusief_inkopen import TenderProfile, evaluate, evaluate_many, load_catalogue  # noqa: E402

ON = dt.date(2026, 6, 1)


def bench_evaluate(count: int) -> dict[str, float]:
    catalogue = load_catalogue(trust_cache=True)
    profiles = [TenderProfile.model_validate(d) for d in tender_dicts(count)]
    lists = dict(catalogue.lists)

    start = time.perf_counter()
    engine = [evaluate(p, catalogue, on=ON).suggestion_ids() for p in profiles]
    engine_s = time.perf_counter() - start

    start = time.perf_counter()
    by_hand = [suggestions(p, lists) for p in profiles]
    hand_s = time.perf_counter() - start

    disagree = sum(set(a) != b for a, b in zip(engine, by_hand, strict=True))
    if disagree:
        raise SystemExit(f"the hand-written rules and evaluate() disagree on {disagree} profiles; fix that first")
    return {"engine": count / engine_s, "hand": count / hand_s}


def _batch_child(count: int, workers: int) -> None:
    """Runs in a fresh process so that its peak memory is its own."""
    import resource

    start = time.perf_counter()
    n = 0
    for _ in evaluate_many(tender_dicts(count), on=ON, workers=workers, as_json=True):
        n += 1
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{n} {seconds} {own} {children}")


def _run_batch(count: int, workers: int) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--batch-child", str(count), str(workers)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    n, seconds, own_kib, children_kib = int(out[0]), float(out[1]), int(out[2]), int(out[3])
    assert n == count
    return n / seconds, max(own_kib, children_kib) / 1024


# The least any program on pydantic and PyYAML pays at start: one model with a constraint, validated and dumped.
SMALLEST_PYDANTIC_PROGRAM = """\
from pydantic import BaseModel, Field
class M(BaseModel):
    x: int = Field(ge=0)
M(x=1).model_dump_json()
import yaml
"""


def bench_cli(runs: int = 15) -> dict[str, float]:
    """Median wall times; the commands take turns, so a busy spell on the machine hits all of them alike."""
    example = ROOT / "examples" / "website-bewoners.yaml"
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "INCLUSIEF_INKOPEN_CACHE": cache}
        commands = {
            "pydantic": [sys.executable, "-c", "import pydantic"],
            "floor": [sys.executable, "-c", SMALLEST_PYDANTIC_PROGRAM],
            "cli": [sys.executable, "-m", "inclusief_inkopen", "advies", str(example)],
        }
        subprocess.run(commands["cli"], check=True, env=env, capture_output=True)  # first use fills the cache
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, args in commands.items():
                start = time.perf_counter()
                subprocess.run(args, check=True, env=env, capture_output=True)
                times[name].append(time.perf_counter() - start)
        return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=10_000, help="profiles for figure 1 (default 10,000)")
    parser.add_argument("--batch", type=int, default=1_000_000, help="profiles for figure 2 (default 1,000,000)")
    parser.add_argument("--batch-child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.batch_child:
        _batch_child(*args.batch_child)
        return

    cores = os.cpu_count() or 1
    print(f"inclusief-inkopen benchmarks, {dt.date.today()}, Python {platform.python_version()}, {cores} cores\n")
    print("| figure | measured | target | met |")
    print("|---|---|---|---|")

    e = bench_evaluate(args.profiles)
    ratio = e["engine"] / e["hand"]
    print(
        f"| 1. `evaluate()` with reasons, {args.profiles:,} profiles | {e['engine']:,.0f} tenders/s; hand-written "
        f"rules {e['hand']:,.0f}/s; ratio 1 : {1 / ratio:,.0f} | at least 1 : 3 | {'yes' if ratio >= 1 / 3 else 'no'} |"
    )

    small = max(args.batch // 10, 1)
    _, mem_small = _run_batch(small, 1)
    one, mem_one = _run_batch(args.batch, 1)
    print(
        f"| 2a. `evaluate_many`, 1 core, {args.batch:,} profiles | {one:,.0f} tenders/s; peak memory "
        f"{mem_small:,.0f} MiB at {small:,}, {mem_one:,.0f} MiB at {args.batch:,} | memory flat | "
        f"{'yes' if mem_one <= mem_small * 1.1 + 5 else 'no'} |"
    )
    if cores > 1:
        many, mem_many = _run_batch(args.batch, 0)
        print(
            f"| 2b. `evaluate_many`, {cores} cores, {args.batch:,} profiles | {many:,.0f} tenders/s "
            f"({many / one:.1f}× one core); peak memory per process {mem_many:,.0f} MiB | more than one core's | "
            f"{'yes' if many > one else 'no'} |"
        )

    c = bench_cli()
    print(
        f"| 3. CLI cold start, `advies` | {c['cli'] * 1000:,.0f} ms; `import pydantic` {c['pydantic'] * 1000:,.0f} ms; "
        f"ratio {c['cli'] / c['pydantic']:.1f}× | at most 3× | {'yes' if c['cli'] <= 3 * c['pydantic'] else 'no'} |"
    )
    print(
        f"| 3, for reference: the smallest program on pydantic and PyYAML (one model validated and dumped) | "
        f"{c['floor'] * 1000:,.0f} ms; ratio {c['floor'] / c['pydantic']:.1f}× | | |"
    )


if __name__ == "__main__":
    main()
