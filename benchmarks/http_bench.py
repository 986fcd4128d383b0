"""HTTP benchmark: advice over ``POST /api/v1/advice`` under concurrent load, beside the library call itself.

    python benchmarks/http_bench.py                          # 50 clients, 4,000 requests, 2 workers
    python benchmarks/http_bench.py --clients 10 --requests 1000 --workers 1

Needs the web and test extras (uvicorn, httpx). In one run, on the same generated tender profiles (fixed seed):

1. the library: ``parse_tender`` + ``evaluate`` + ``to_json`` per profile, which is what a Python tool calls to get
   the same JSON the API sends, and ``evaluate`` alone; calls per second and p50/p99 per call, on one core;
2. ``inclusief-inkopen serve`` started as a separate process (``--workers``), then one client sending requests one
   after another: the p50 of this is the library call plus everything HTTP adds (parsing, validation, the JSON
   response, the loopback), and is compared with the library call's p50 (target: at most 2x);
3. ``--clients`` clients at once (asyncio, one keep-alive connection each): throughput, p50 and p99.

The load generator runs on the same machine and takes CPU from the server; the figures say what one box does.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from profiles import tender_dicts

from inclusief_inkopen import evaluate
from inclusief_inkopen.rules.catalogues import default_catalogue
from inclusief_inkopen.tender.profile import parse_tender

PATH = "/api/v1/advice"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def library(tenders: list[dict[str, Any]], rounds: int) -> dict[str, float]:
    catalogue = default_catalogue()
    for tender in tenders[:20]:  # warm-up: compiled conditions, caches
        evaluate(parse_tender(tender), catalogue).to_json()
    gc.collect()
    gc.freeze()  # as the server does after its warm-up (web.app.warm_up), so both are measured alike
    whole, alone = [], []
    started = time.perf_counter()
    for _ in range(rounds):
        for tender in tenders:
            t0 = time.perf_counter()
            profile = parse_tender(tender)
            t1 = time.perf_counter()
            advice = evaluate(profile, catalogue)
            t2 = time.perf_counter()
            advice.to_json()
            t3 = time.perf_counter()
            whole.append(t3 - t0)
            alone.append(t2 - t1)
    elapsed = time.perf_counter() - started
    return {
        "per_s": len(whole) / elapsed,
        "p50": percentile(whole, 50),
        "p99": percentile(whole, 99),
        "evaluate_p50": percentile(alone, 50),
        "evaluate_per_s": len(alone) / sum(alone),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, data_dir: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "inclusief_inkopen", "serve", "--port", str(port), "--data-dir", data_dir]
    server = subprocess.Popen([*command, "--workers", str(workers)], stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/product-groups", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start within 30 s")


def sequential(port: int, bodies: list[bytes], count: int) -> list[float]:
    # The standard library's client: the least client-side work, so the figure is the server's.
    times = []
    connection = http.client.HTTPConnection("127.0.0.1", port)
    try:
        for i in range(count):
            t0 = time.perf_counter()
            connection.request("POST", PATH, body=bodies[i % len(bodies)], headers={"content-type": "application/json"})
            response = connection.getresponse()
            body = response.read()
            times.append(time.perf_counter() - t0)
            if response.status != 200:
                raise SystemExit(f"request {i}: {response.status} {body[:200]!r}")
    finally:
        connection.close()
    return times


async def concurrent(url: str, bodies: list[bytes], clients: int, count: int) -> tuple[list[float], float]:
    times: list[float] = []
    next_index = iter(range(count))

    async def one_client() -> None:
        async with httpx.AsyncClient(headers={"content-type": "application/json"}, timeout=60) as client:
            for i in next_index:
                t0 = time.perf_counter()
                response = await client.post(url, content=bodies[i % len(bodies)])
                times.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    raise SystemExit(f"request {i}: {response.status_code} {response.text[:200]}")

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    return times, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    parser.add_argument("--profiles", type=int, default=200, help="distinct tender profiles sent in turn")
    parser.add_argument("--turns", type=int, default=3, help="library and one client in turns; the median shown")
    args = parser.parse_args()

    tenders = list(tender_dicts(args.profiles))
    bodies = [json.dumps(t).encode() for t in tenders]

    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    libs, ones, ratios = [], [], []
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_server(port, args.workers, data_dir)
        try:
            sequential(port, bodies, 100)  # warm-up of every worker
            # The library and one client take turns, so a busy spell on the machine falls on both alike.
            for _ in range(args.turns):
                libs.append(library(tenders, rounds=max(1, 1000 // len(tenders))))
                ones.append(sequential(port, bodies, 1000))
                ratios.append(percentile(ones[-1], 50) / libs[-1]["p50"])
            loaded, elapsed = asyncio.run(concurrent(url, bodies, args.clients, args.requests))
        finally:
            server.terminate()
            server.wait(timeout=10)
    middle = sorted(range(args.turns), key=lambda t: ratios[t])[args.turns // 2]
    lib, one = libs[middle], ones[middle]

    version = default_catalogue().info.version
    print(f"machine: {os.cpu_count()} cores; {args.profiles} generated profiles; catalogue {version}")
    print(f"{'':44}{'per s':>10}{'p50 ms':>10}{'p99 ms':>10}")

    def row(label: str, per_s: float, p50: float, p99: float | None = None) -> None:
        print(f"{label:44}{per_s:>10.0f}{p50 * 1000:>10.2f}" + (f"{p99 * 1000:>10.2f}" if p99 is not None else ""))

    row("library: evaluate() alone, 1 core", lib["evaluate_per_s"], lib["evaluate_p50"])
    row("library: parse + evaluate + to_json, 1 core", lib["per_s"], lib["p50"], lib["p99"])
    row("HTTP: 1 client, one request at a time", len(one) / sum(one), percentile(one, 50), percentile(one, 99))
    row(
        f"HTTP: {args.clients} clients, {args.workers} workers",
        len(loaded) / elapsed,
        percentile(loaded, 50),
        percentile(loaded, 99),
    )
    ratio = ratios[middle]
    verdict = "within" if ratio <= 2 else "OVER"
    turns = ", ".join(f"{r:.2f}x" for r in ratios)
    print(f"HTTP cost at p50: {ratio:.2f}x the library call, the median of {args.turns} turns ({turns}); {verdict} 2x")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
