"""Scan benchmark: a generated portfolio of eForms notices, scanned on one core and on all cores, as loose files
and as TED-style daily packages (one ``.tar.gz`` per day, read as they stream).

    python benchmarks/scan_bench.py                # 10,000 notices
    python benchmarks/scan_bench.py --count 2000   # shorter

The portfolio is made from the eForms SDK's example contract notice ``cn_24_open.xml`` (fixed seed): each copy
gets a value, a main CPV code, a nature, one to four lots and, per lot, accessibility (BT-754), strategic
procurement (BT-06), social objectives (BT-775) and reserved participation (BT-71) codes drawn from the SDK code
lists, and a procedure identifier (BT-04) of its own, so each notice is one procedure; one in a hundred files is cut
in half, so the figures include unreadable files. The same notices are then packed as TED packs its daily bulk
downloads, 400 notices to a day, with a README of the package in each (which the scan must list as skipped).
Prints notices per second and peak memory, and the portfolio's headline indicators.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import io
import os
import random
import resource
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from lxml import etree

from inclusief_inkopen.notices.eforms import NAMESPACES, codes
from inclusief_inkopen.notices.scan import indicators, mark_counted, scan

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "tests" / "data" / "eforms" / "notices" / "cn_24_open.xml"
CAC, CBC = f"{{{NAMESPACES['cac']}}}", f"{{{NAMESPACES['cbc']}}}"
CPV = ["72413000", "72212000", "48000000", "79710000", "90910000", "45233000", "45210000", "85311300", "30213100",
       "55520000", "18100000", "79620000", "71000000", "09310000", "34100000", "39100000"]  # fmt: skip


def _additional(project: etree._Element, list_name: str, code: str) -> None:
    extra = etree.SubElement(project, f"{CAC}ProcurementAdditionalType")
    element = etree.SubElement(extra, f"{CBC}ProcurementTypeCode", listName=list_name)
    element.text = code


def generate(folder: Path, count: int, seed: int = 20261122) -> list[Path]:
    rng = random.Random(seed)
    ids = random.Random(seed + 1)
    template = etree.parse(str(TEMPLATE)).getroot()
    strategic = sorted(codes("strategic-procurement"))
    social = sorted(codes("social-objective"))
    paths = []
    for n in range(count):
        root = copy.deepcopy(template)
        # from a stream of its own, so that the notices are otherwise the same as before identifiers were given
        root.find(f"{CBC}ContractFolderID").text = f"{ids.getrandbits(128):032x}"
        project = root.find(f"{CAC}ProcurementProject")
        project.find(f"{CBC}ProcurementTypeCode").text = rng.choice(["services", "services", "supplies", "works"])
        amount = project.find(f"{CAC}RequestedTenderTotal/{CBC}EstimatedOverallContractAmount")
        amount.text = str(rng.choice([40_000, 150_000, 250_000, 900_000, 3_000_000, 8_000_000]))
        project.find(f"{CAC}MainCommodityClassification/{CBC}ItemClassificationCode").text = rng.choice(CPV)
        lot = root.find(f"{CAC}ProcurementProjectLot")
        for i in range(rng.randint(1, 4)):
            copy_ = lot if i == 0 else copy.deepcopy(lot)
            copy_.find(f"{CBC}ID").text = f"LOT-{i + 1:04d}"
            if i:
                root.append(copy_)
            lot_project = copy_.find(f"{CAC}ProcurementProject")
            _additional(lot_project, "accessibility", rng.choice(["inc", "inc", "n-inc", "n-inc-just"]))
            goals = rng.sample(strategic, rng.randint(1, 2))
            for code in goals:
                _additional(lot_project, "strategic-procurement", code)
            if "soc-obj" in goals:
                for code in rng.sample(social, rng.randint(1, 2)):
                    _additional(lot_project, "social-objective", code)
            reserved = copy_.find(
                f"{CAC}TenderingTerms/{CAC}TendererQualificationRequest/{CAC}SpecificTendererRequirement/"
                f"{CBC}TendererRequirementTypeCode[@listName='reserved-procurement']"
            )
            if reserved is not None:
                reserved.text = rng.choice(["none"] * 18 + ["res-ws", "res-pub-ser"])
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        if n % 100 == 99:
            data = data[: len(data) // 2]
        path = folder / f"notice-{n:05d}.xml"
        path.write_bytes(data)
        paths.append(path)
    return paths


def pack_daily(paths: list[Path], folder: Path, per_day: int = 400) -> list[Path]:
    """The notices as daily packages: ``YYYYMMDD.tar.gz`` holding ``YYYYMMDD/<notice>.xml`` and a readme."""
    packages = []
    day = dt.date(2026, 1, 2)
    for start in range(0, len(paths), per_day):
        name = day.strftime("%Y%m%d")
        package = folder / f"{name}.tar.gz"
        with tarfile.open(package, "w:gz") as tar:
            for path in paths[start : start + per_day]:
                tar.add(path, arcname=f"{name}/{path.name}")
            readme = f"daily package {name}\n".encode()
            info = tarfile.TarInfo(f"{name}/README.txt")
            info.size = len(readme)
            tar.addfile(info, io.BytesIO(readme))
        packages.append(package)
        day += dt.timedelta(days=1)
    return packages


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    on = dt.date(2026, 6, 1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notices"
        folder.mkdir()
        started = time.perf_counter()
        paths = generate(folder, args.count)
        made = time.perf_counter() - started
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1024 / 1024
        print(f"portfolio: {args.count:,} notices, {size:.0f} MB, generated in {made:.1f} s")
        packages = Path(tmp) / "packages"
        packages.mkdir()
        daily = pack_daily(paths, packages)
        packed = sum(p.stat().st_size for p in daily) / 1024 / 1024
        print(f"as daily packages: {len(daily)} .tar.gz files, {packed:.0f} MB")
        list(scan(paths[:200], on=on))  # the catalogue is loaded and compiled once, before any clock runs
        results = {}
        for source, where in (("files", folder), ("daily packages", packages)):
            for workers in (1, 0):
                started = time.perf_counter()
                rows = list(scan([where], on=on, workers=workers))
                seconds = time.perf_counter() - started
                notices = [r for r in rows if r["status"] != "skipped"]
                results[source, workers] = len(notices)
                label = "1 core" if workers == 1 else f"all cores ({os.cpu_count()})"
                print(
                    f"scan {source}, {label}: {len(notices):,} notices in {seconds:.1f} s = "
                    f"{len(notices) / seconds:,.0f} notices/s; {len(rows) - len(notices)} skipped files listed"
                )
        assert set(results.values()) == {args.count}, results
        statuses = {s: sum(r["status"] == s for r in rows) for s in ("ok", "gaps", "not-assessed", "error")}
        print("rows: " + ", ".join(f"{n:,} {s}" for s, n in statuses.items()))
        print(f"peak memory of this process: {peak_mib():.0f} MiB")
        mark_counted(rows)
        print(f"procedures: {len({r.get('procedure_id') for r in rows if r.get('counted') == 'yes'}):,}")
        for item in indicators(rows):
            if item.group == "all":
                print(f"  {item.indicator}: {item.numerator:,}/{item.denominator:,} = {item.share:.1%}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
