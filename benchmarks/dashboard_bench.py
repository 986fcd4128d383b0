"""Dashboard benchmark: a store with 5,000 contracts and 100,000 reports, on SQLite and (with --postgres URL) on
PostgreSQL, in one run:

1. the dashboard's sums of social return agreed and realised per department (``Store.contract_figures``, through
   SQLAlchemy) beside the same aggregate as one hand-written SQL query: median of 5 each, and their ratio (target:
   at most 2x);
2. the whole dashboard (``GET /api/v1/dashboard``, in single-user mode) against the same query: warm (the ratings
   kept from an earlier request, the median of 5), after one new report (that contract rated again), and cold
   (every commitment rated by the library's rules, as a worker's first request does).

    python benchmarks/dashboard_bench.py
    python benchmarks/dashboard_bench.py --contracts 1000 --postgres postgresql+psycopg://user:pw@127.0.0.1/db

The contracts are made from one real checklist (the website tender, every item applied) with a department,
supplier, value and start drawn at random (fixed seed); each gets 20 reports on its social-return and
accessibility commitments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_contracts import TENDER  # the website tender the contract tests use

from inclusief_inkopen import evaluate
from inclusief_inkopen.checklists.checklist import from_advice
from inclusief_inkopen.contracts import contract as ct
from inclusief_inkopen.web.store import Actor, CommitmentRow, ContractRow, ReportRow, Store

DEPARTMENTS = ["ICT", "Sociaal Domein", "Ruimte en Economie", "Stadsbeheer", "Dienstverlening"]
HANDWRITTEN = """
WITH agreed AS (
  SELECT c.department,
         SUM(CASE WHEN k.metric = 'sr-value-eur' THEN k.target_num END) AS money,
         SUM(CASE WHEN k.metric = 'sr-placements' THEN k.target_num END) AS placements
    FROM contracts c JOIN contract_commitments k ON k.contract_id = c.id
   WHERE k.metric IN ('sr-value-eur', 'sr-placements')
   GROUP BY c.department
), realised AS (
  SELECT c.department,
         SUM(CASE WHEN k.metric = 'sr-value-eur' THEN r.value_num END) AS money,
         SUM(CASE WHEN k.metric = 'sr-placements' THEN r.value_num END) AS placements
    FROM contract_reports r
    JOIN contract_commitments k ON k.contract_id = r.contract_id AND k.commitment = r.commitment
    JOIN contracts c ON c.id = r.contract_id
   WHERE k.metric IN ('sr-value-eur', 'sr-placements')
   GROUP BY c.department
)
SELECT a.department, a.money, a.placements, r.money, r.placements
  FROM agreed a LEFT JOIN realised r
    ON r.department = a.department OR (r.department IS NULL AND a.department IS NULL)
 ORDER BY a.department
"""


def fill(store: Store, contracts: int, reports_each: int, seed: int = 7) -> None:
    chance = random.Random(seed)
    checklist = from_advice(evaluate(TENDER, on=dt.date(2024, 6, 1)))
    items = [i.model_copy(update={"decision": "applied", "weight": 10 if i.kind == "award-criterion" else None,
                                  "decided_by": "Bram"}) for i in checklist.items]  # fmt: skip
    checklist = checklist.model_copy(update={"items": items, "award_basis": "best-price-quality"})
    tender_id = store.save_tender(TENDER, Actor("anna", "Anna"), department="ICT")
    checklist_id = store.save_checklist(checklist, Actor("bram", "Bram"), tender_id)
    template = ct.from_checklist(
        checklist, supplier="x", start=dt.date(2024, 7, 1), end=dt.date(2026, 7, 1), value_eur=400000
    )
    measured = [c for c in template.commitments if c.kpi and c.kpi.metric in ("sr-value-eur", "a11y-status")]
    now = dt.datetime.now(dt.UTC)
    contract_rows, commitment_rows, report_rows = [], [], []
    for n in range(contracts):
        value = chance.randrange(100_000, 3_000_000, 1000)
        start = dt.date(2023, 1, 1) + dt.timedelta(days=chance.randrange(0, 900))
        contract = template.model_copy(
            update={
                "id": str(uuid.uuid4()),
                "supplier": f"Leverancier {n % 400}",
                "start": start,
                "end": start + dt.timedelta(days=730),
                "awarded_on": start,
                "value_eur": float(value),
            }
        )
        department = chance.choice(DEPARTMENTS)
        contract_rows.append(
            {
                "id": contract.id,
                "checklist_id": checklist_id,
                "tender_id": tender_id,
                "department": department,
                "supplier": contract.supplier,
                "title": "Website",
                "product_groups": '["websites-apps"]',
                "start": start,
                "end": contract.end,
                "value_eur": float(value),
                "data": contract.model_dump_json(),
                "created_by": "cora",
                "created_at": now,
            }
        )
        for c in contract.commitments:
            target = (0.05 * value) if c.kpi and c.kpi.metric == "sr-value-eur" else (c.kpi.target if c.kpi else None)
            commitment_rows.append(
                {
                    "contract_id": contract.id,
                    "commitment": c.id,
                    "theme": c.theme,
                    "metric": c.kpi.metric if c.kpi else None,
                    "target_num": target if isinstance(target, float) else None,
                    "target_text": target if isinstance(target, str) else None,
                }
            )
        for r in range(reports_each):
            commitment = measured[r % len(measured)]
            on = start + dt.timedelta(days=30 + 30 * r)
            value_given: Any = (
                float(chance.randrange(0, 4000)) if commitment.kpi.metric == "sr-value-eur" else chance.choice("ABCDE")
            )
            report = ct.Report(
                id=f"R{r + 1:04d}", commitment=commitment.id, on=on, value=value_given, by="Cora", entered_on=on
            )
            report_rows.append(
                {
                    "contract_id": contract.id,
                    "report_id": report.id,
                    "commitment": commitment.id,
                    "on": on,
                    "value_num": value_given if isinstance(value_given, float) else None,
                    "value_text": value_given if isinstance(value_given, str) else None,
                    "data": report.model_dump_json(),
                    "subject": "cora",
                    "entered_at": now,
                }
            )
    with store.engine.begin() as connection:
        for table, rows in ((ContractRow, contract_rows), (CommitmentRow, commitment_rows), (ReportRow, report_rows)):
            for i in range(0, len(rows), 5000):
                connection.execute(insert(table.__table__), rows[i : i + 5000])


def median_seconds(run: Any, turns: int = 5) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(turns):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(url: str, contracts: int, reports_each: int) -> dict[str, Any]:
    store = Store(url)
    started = time.perf_counter()
    fill(store, contracts, reports_each)
    filled = time.perf_counter() - started
    library, figures = median_seconds(lambda: store.contract_figures())
    engine = create_engine(url)
    with engine.connect() as connection:
        by_hand, rows = median_seconds(lambda: connection.execute(text(HANDWRITTEN)).all())
    engine.dispose()
    hand = {
        d or "": {
            "agreed": round(float(a or 0), 2),
            "realised": round(float(r or 0), 2),
            "placements_agreed": round(float(pa or 0), 2),
            "placements_realised": round(float(pr or 0), 2),
        }
        for d, a, pa, r, pr in rows
    }
    assert hand == figures["social_return_by_department"], "the two aggregates differ"

    from fastapi.testclient import TestClient

    from inclusief_inkopen.web.app import create_app

    client = TestClient(create_app(url))

    def dashboard() -> Any:
        answer = client.get("/api/v1/dashboard", params={"on": "2025-12-31"})
        assert answer.status_code == 200, answer.text[:300]
        return answer.json()

    started = time.perf_counter()
    dashboard()
    cold = time.perf_counter() - started
    warm, _ = median_seconds(dashboard)
    # one new report: the dashboard rates that one contract again, and reuses the rest
    some = store.contract_rows()[0]["id"]
    contract, _ = store.contract(some)
    commitment = next(c for c in contract.commitments if c.kpi and c.kpi.metric == "sr-value-eur")
    report = ct.add_report(contract, commitment.id, on=dt.date(2025, 12, 1), value=100, by="Cora")
    store.add_contract_report(some, report.reports[-1], [], Actor("cora", "Cora"))
    started = time.perf_counter()
    dashboard()
    after_one = time.perf_counter() - started
    store.engine.dispose()
    return {"fill": filled, "library": library, "hand": by_hand, "cold": cold, "warm": warm, "after_one": after_one}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=5000)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL database (emptied first)")
    args = parser.parse_args()
    each = max(1, args.reports // args.contracts)
    print(f"{args.contracts:,} contracts, {args.contracts * each:,} reports")
    print(
        f"{'database':<12} {'one SQL query':>14} {'sums (ORM)':>11} {'ratio':>6} {'dashboard warm':>15} {'ratio':>6}"
        f" {'after 1 report':>15} {'cold':>8}"
    )
    targets = [("SQLite", None)]
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    for name, url in targets:
        if url is None:
            folder = tempfile.mkdtemp(prefix="dashboard-bench-")
            url = f"sqlite:///{folder}/bench.sqlite3"
        else:
            engine = create_engine(url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS dashboard_bench CASCADE"))
                connection.execute(text("CREATE SCHEMA dashboard_bench"))
            engine.dispose()
            url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3Ddashboard_bench"
        figures = measure(url, args.contracts, each)
        ratio = figures["library"] / figures["hand"]
        warm = figures["warm"] / figures["hand"]
        print(
            f"{name:<12} {figures['hand'] * 1000:>12.1f}ms {figures['library'] * 1000:>9.1f}ms {ratio:>5.2f}x"
            f" {figures['warm'] * 1000:>13.1f}ms {warm:>5.2f}x {figures['after_one'] * 1000:>13.1f}ms"
            f" {figures['cold']:>7.2f}s"
        )
    print(
        "target: the dashboard within 2x the one SQL query. Warm: every contract rated before, the figures checked"
        " again; after 1 report: that contract rated again; cold: every contract read and rated, once per worker."
    )


if __name__ == "__main__":
    main()
