"""Benchmarks for inclusief-inkopen: prints figures to paste into the README's performance section.

    python benchmarks/bench.py                 # all three, with the sizes the targets are set for
    python benchmarks/bench.py --batch 100000  # a shorter batch run

1. Decisions with reason records (``rules.decide``) over the built-in catalogue on generated profiles (fixed seed),
   next to the same rules written by hand (``handwritten.py``); both must pick the same criteria for every
   profile. Beside them: the full advice as JSON (both languages, and one), and ``evaluate(tender)`` with the
   built-in catalogue against ``evaluate(tender, catalogue)``.
2. ``evaluate_many`` streaming over many profiles: tenders per second on one core and on all cores, and peak
   memory at a tenth of the batch and at the whole batch (flat means the batch size does not matter).
3. CLI cold start: ``inclusief-inkopen advies`` against the smallest program on the same dependencies (one
   pydantic model validated and dumped, plus ``import yaml``), and against ``python -c "import pydantic"``;
   where valgrind is installed, also counted in instructions, which a busy machine does not move.

Targets are ratios measured in the same run, so they hold on a noisy machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from handwritten import suggestions  # noqa: E402
from profiles import tender_dicts  # noqa: E402

from inclusief_inkopen import TenderProfile, evaluate, evaluate_many, load_catalogue  # noqa: E402
from inclusief_inkopen.advice.json_out import Kept  # noqa: E402
from inclusief_inkopen.rules.decide import decide  # noqa: E402

ON = dt.date(2026, 6, 1)
# The full advice as JSON before it was written from kept pieces (issue 25's measurement, 2,000 tenders on this
# kind of machine): the figure 1a is compared with.
JSON_BEFORE = (527, "issue 25's measurement")


def _rate(count: int, run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return count / (time.perf_counter() - start)


class _Forgetful(dict):  # type: ignore[type-arg]
    """A catalogue's store of renderings that keeps nothing: what the advice costs without it."""

    def __setitem__(self, key: object, value: object) -> None:
        pass


def bench_evaluate(count: int, rounds: int = 3) -> dict[str, float]:
    """Tenders per second; each figure is the best of ``rounds`` runs taken in turns, so a busy spell on the
    machine does not fall on one of them alone."""
    catalogue = load_catalogue(trust_cache=True)
    profiles = [TenderProfile.model_validate(d) for d in tender_dicts(count)]
    lists = dict(catalogue.lists)

    engine = [decide(p, catalogue, ON).ids() for p in profiles]
    by_hand = [suggestions(p, lists) for p in profiles]
    disagree = sum(set(a) != b for a, b in zip(engine, by_hand, strict=True))
    if disagree:
        raise SystemExit(f"the hand-written rules and the decisions disagree on {disagree} profiles; fix that first")

    few = profiles[: max(count // 5, 1)]
    # The JSON is measured on tenders the catalogue has not seen, a new set in every round, after the others have
    # warmed it up: what a long batch of varied tenders gets, not the same tenders again.
    unseen = [TenderProfile.model_validate(d) for d in tender_dicts(count + len(few) * 3 * rounds)][count:]
    chunks = iter([unseen[i : i + len(few)] for i in range(0, len(unseen), len(few))])
    forgetful = dataclasses.replace(catalogue, plans={}, wording=_Forgetful(), json_pieces=Kept(limit=0))
    # As UTF-8, on a catalogue of its own: what a process that only serves the API keeps (one that writes both
    # keeps both, and fills its store twice as fast).
    as_utf8 = dataclasses.replace(catalogue, plans={}, wording={}, json_pieces=None)
    runs: dict[str, tuple[int, Callable[[], object]]] = {
        "hand": (count, lambda: [suggestions(p, lists) for p in profiles]),
        "decide": (count, lambda: [decide(p, catalogue, ON) for p in profiles]),
        "reasons": (count, lambda: [[d.reasons for d in decide(p, catalogue, ON)] for p in profiles]),
        "json": (len(few), lambda: [evaluate(p, catalogue, on=ON).to_json() for p in next(chunks)]),
        "json_nl": (len(few), lambda: [evaluate(p, catalogue, on=ON).to_json(lang="nl") for p in next(chunks)]),
        "json_bytes": (len(few), lambda: [evaluate(p, as_utf8, on=ON).to_json_bytes() for p in next(chunks)]),
        "json_again": (len(few), lambda: [evaluate(p, catalogue, on=ON).to_json() for p in few]),
        "json_unkept": (len(few), lambda: [evaluate(p, forgetful, on=ON).to_json() for p in few]),
        "with_catalogue": (count, lambda: [evaluate(p, catalogue, on=ON) for p in profiles]),
        "default": (count, lambda: [evaluate(p, on=ON) for p in profiles]),
    }
    for p in profiles:  # the warm-up
        evaluate(p, catalogue, on=ON).to_json()
        evaluate(p, as_utf8, on=ON).to_json_bytes()
    best = dict.fromkeys(runs, 0.0)
    for _ in range(rounds):
        for name, (n, run) in runs.items():
            best[name] = max(best[name], _rate(n, run))
    return best


def _own_peak_kib() -> int:
    """This process's own peak memory. On Linux ``ru_maxrss`` also counts the peak of the process that started
    this one (the high-water mark survives ``exec``), so the benchmark's own size would show up here; the kernel's
    ``VmHWM`` is this program's alone."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _batch_child(count: int, workers: int) -> None:
    """Runs in a fresh process so that its peak memory is its own."""
    import resource

    start = time.perf_counter()
    n = 0
    for _ in evaluate_many(tender_dicts(count), on=ON, workers=workers, as_json=True):
        n += 1
    seconds = time.perf_counter() - start
    own = _own_peak_kib()
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


def _compiled_example() -> Path:
    """Our package's bytecode compiled (see ``bench_cli``); the tender the command runs on."""
    import inclusief_inkopen

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(inclusief_inkopen.__file__).parent)],
        check=True,
        capture_output=True,
    )
    return ROOT / "examples" / "website-bewoners.yaml"


def bench_cli(runs: int = 15) -> dict[str, float]:
    """Median wall times; the commands take turns, so a busy spell on the machine hits all of them alike.

    Our package's bytecode is compiled first, as pip does when it installs a wheel (pydantic's and PyYAML's, which
    the smallest program imports, were compiled when they were installed): with PYTHONDONTWRITEBYTECODE set, as
    on this project's machines, an editable install would otherwise compile its sources at every start, which
    measures the machine's settings, not the program (about 40 ms here)."""
    example = _compiled_example()
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


def _instructions(valgrind: str, args: list[str], env: dict[str, str]) -> int | None:
    """Instructions one run executes, counted by valgrind's callgrind."""
    done = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *args],
        env={**env, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if found else None


def settle_cache(command: list[str], env: dict[str, str]) -> None:
    """Run ``command`` twice, 2.1 s apart, before counting: the first run fills the catalogue cache, the second
    remembers the settled files' hashes (a file changed in the last two seconds is hashed again). Else one counted
    run may hash every catalogue and engine file, some 60 million instructions."""
    for _ in range(2):
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        time.sleep(2.1)


def bench_cli_instructions() -> dict[str, int] | None:
    """Figure 3 counted rather than timed: the instructions each command executes (valgrind's callgrind, hash
    seed fixed). Wall times on a shared machine move by a quarter from one minute to the next; these counts move
    by well under one per cent, so they tell a change of a few per cent in the start from the machine's mood.
    The same commands and cache as ``bench_cli``; None where valgrind is not installed."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    example = _compiled_example()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "INCLUSIEF_INKOPEN_CACHE": cache}
        cli = [sys.executable, "-m", "inclusief_inkopen", "advies", str(example)]
        settle_cache(cli, env)  # as a command run every day finds it
        counts = {
            "floor": _instructions(valgrind, [sys.executable, "-c", SMALLEST_PYDANTIC_PROGRAM], env),
            "cli": _instructions(valgrind, cli, env),
        }
    return None if None in counts.values() else counts  # type: ignore[return-value]


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
    ratio = e["decide"] / e["hand"]
    print(
        f"| 1. decisions with reason records (`decide`), {args.profiles:,} profiles | {e['decide']:,.0f} tenders/s; "
        f"hand-written rules {e['hand']:,.0f}/s; ratio {ratio:.2f} | at least 0.25 | "
        f"{'yes' if ratio >= 0.25 else 'no'} |"
    )
    print(
        f"| 1, for reference: the reason records in full (each with the fact's value and matched codes) | "
        f"{e['reasons']:,.0f} tenders/s; ratio {e['reasons'] / e['hand']:.3f} | | |"
    )
    ten_times = e["json"] >= 10 * JSON_BEFORE[0] and e["json"] >= 5000
    print(
        f"| 1a. the full advice as JSON, both languages / Dutch only, on tenders not seen before | "
        f"{e['json']:,.0f} / {e['json_nl']:,.0f} tenders/s; {e['json'] / JSON_BEFORE[0]:.1f}× the "
        f"{JSON_BEFORE[0]:,} of {JSON_BEFORE[1]} | at least 10× and 5,000/s | {'yes' if ten_times else 'no'} |"
    )
    print(
        f"| 1a, for reference: as UTF-8 (`to_json_bytes`, what the API and worker processes send), on tenders not "
        f"seen before / the same tenders again / nothing kept per catalogue (every item written by pydantic) | "
        f"{e['json_bytes']:,.0f} / {e['json_again']:,.0f} / {e['json_unkept']:,.0f} tenders/s | | |"
    )
    slower = e["with_catalogue"] / e["default"]
    print(
        f"| 1b. `evaluate(tender)` (built-in catalogue) against `evaluate(tender, catalogue)` | "
        f"{e['default']:,.0f} against {e['with_catalogue']:,.0f} tenders/s; {slower:.2f}× the time | at most 1.5× | "
        f"{'yes' if slower <= 1.5 else 'no'} |"
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
        f"| 3. CLI cold start, `advies` | {c['cli'] * 1000:,.0f} ms; the smallest program on pydantic and PyYAML "
        f"{c['floor'] * 1000:,.0f} ms; ratio {c['cli'] / c['floor']:.2f}× | at most 1.3× | "
        f"{'yes' if c['cli'] <= 1.3 * c['floor'] else 'no'} |"
    )
    print(
        f"| 3, for reference: `import pydantic` | {c['pydantic'] * 1000:,.0f} ms; `advies` is "
        f"{c['cli'] / c['pydantic']:.1f}×, the smallest program {c['floor'] / c['pydantic']:.1f}× | | |"
    )
    counted = bench_cli_instructions()
    if counted is not None:
        ratio = counted["cli"] / counted["floor"]
        print(
            f"| 3, counted (valgrind): instructions executed | `advies` {counted['cli'] / 1e6:,.0f} million; the "
            f"smallest program {counted['floor'] / 1e6:,.0f} million; ratio {ratio:.2f}× | at most 1.3× | "
            f"{'yes' if ratio <= 1.3 else 'no'} |"
        )


if __name__ == "__main__":
    main()
