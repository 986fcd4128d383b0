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


def start_server(port: int, workers: int, data_dir: str, floor: bool = False) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "inclusief_inkopen", "serve", "--port", str(port), "--data-dir", data_dir]
    command += ["--workers", str(workers)]
    if floor:
        command = [sys.executable, __file__, "--floor-server", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/product-groups", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start within 30 s")


def floor_app(tenders: list[dict[str, Any]]) -> Any:
    """The least an HTTP server can do here: uvicorn with the same protocol and settings as ``serve``, and an ASGI
    app that reads the request and answers with an advice written beforehand (the same bytes the API would send
    for that tender), without parsing, checking or evaluating anything."""
    answers = {json.dumps(t).encode(): evaluate(parse_tender(t)).to_json_bytes() for t in tenders}
    fallback = next(iter(answers.values()))

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        answer = answers.get(body, fallback)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    return app


def run_floor_server(port: int, workers: int, profiles: int) -> None:
    import uvicorn

    from inclusief_inkopen.web.server import options

    if workers > 1:  # each worker writes its own answers (floor_factory)
        os.environ["INCLUSIEF_INKOPEN_FLOOR_PROFILES"] = str(profiles)
        uvicorn.run("http_bench:floor_factory", factory=True, workers=workers, **options("127.0.0.1", port))
    else:
        uvicorn.run(floor_app(list(tender_dicts(profiles))), **options("127.0.0.1", port))


def floor_factory() -> Any:
    return floor_app(list(tender_dicts(int(os.environ["INCLUSIEF_INKOPEN_FLOOR_PROFILES"]))))


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


async def concurrent(port: int, bodies: list[bytes], clients: int, count: int) -> tuple[list[float], float]:
    """``clients`` keep-alive connections at once, each sending its next request when the last answer is in.

    A plain asyncio client that writes the request bytes and reads the answer by its Content-Length: an HTTP
    library in the same process as 50 clients on a 2-core machine was itself the bottleneck (a bare server that
    does no work at all measured the same throughput and tail as the real one)."""
    times: list[float] = []
    next_index = iter(range(count))
    requests = [
        b"POST " + PATH.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        for body in bodies
    ]

    async def one_client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i in next_index:
                t0 = time.perf_counter()
                writer.write(requests[i % len(requests)])
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                times.append(time.perf_counter() - t0)
                if not head.startswith(b"HTTP/1.1 200"):
                    raise SystemExit(f"request {i}: {head[:200]!r}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    return times, time.perf_counter() - started


def measure(port: int, bodies: list[bytes], args: argparse.Namespace, tenders: list[Any]) -> Any:
    libs, ones, ratios = [], [], []
    sequential(port, bodies, 100)  # warm-up of every worker
    # The library and one client take turns, so a busy spell on the machine falls on both alike.
    for _ in range(args.turns):
        libs.append(library(tenders, rounds=max(1, 1000 // len(tenders))))
        ones.append(sequential(port, bodies, 1000))
        ratios.append(percentile(ones[-1], 50) / libs[-1]["p50"])
    loaded, elapsed = asyncio.run(concurrent(port, bodies, args.clients, args.requests))
    middle = sorted(range(args.turns), key=lambda t: ratios[t])[args.turns // 2]
    return libs[middle], ones[middle], ratios, loaded, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    parser.add_argument("--profiles", type=int, default=200, help="distinct tender profiles sent in turn")
    parser.add_argument("--turns", type=int, default=3, help="library and one client in turns; the median shown")
    parser.add_argument("--floor-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_server:
        run_floor_server(args.floor_server, args.workers, args.profiles)
        return 0

    tenders = list(tender_dicts(args.profiles))
    bodies = [json.dumps(t).encode() for t in tenders]
    figures = {}
    for floor in (False, True):
        port = free_port()
        with tempfile.TemporaryDirectory() as data_dir:
            server = start_server(port, args.workers, data_dir, floor=floor)
            try:
                figures[floor] = measure(port, bodies, args, tenders)
            finally:
                server.terminate()
                server.wait(timeout=10)
    lib, one, ratios, loaded, elapsed = figures[False]
    _, bare, _, bare_loaded, bare_elapsed = figures[True]

    version = default_catalogue().info.version
    print(f"machine: {os.cpu_count()} cores; {args.profiles} generated profiles; catalogue {version}")
    print(f"{'':52}{'per s':>10}{'p50 ms':>10}{'p99 ms':>10}")

    def row(label: str, per_s: float, p50: float, p99: float | None = None) -> None:
        print(f"{label:52}{per_s:>10.0f}{p50 * 1000:>10.2f}" + (f"{p99 * 1000:>10.2f}" if p99 is not None else ""))

    row("library: evaluate() alone, 1 core", lib["evaluate_per_s"], lib["evaluate_p50"])
    row("library: parse + evaluate + to_json, 1 core", lib["per_s"], lib["p50"], lib["p99"])
    row("HTTP: 1 client, one request at a time", len(one) / sum(one), percentile(one, 50), percentile(one, 99))
    row(f"HTTP: {args.clients} clients, {args.workers} workers", len(loaded) / elapsed, *_p50_p99(loaded))
    row(
        "floor: bare ASGI app, stored answer, 1 client",
        len(bare) / sum(bare),
        percentile(bare, 50),
        percentile(bare, 99),
    )
    row(f"floor: the same, {args.clients} clients", len(bare_loaded) / bare_elapsed, *_p50_p99(bare_loaded))
    ratio = sorted(ratios)[len(ratios) // 2]
    turns = ", ".join(f"{r:.2f}x" for r in ratios)
    p50, p99 = _p50_p99(loaded)
    floor_p50 = percentile(bare, 50)
    print(
        f"HTTP at p50: {ratio:.2f}x the library call, the median of {args.turns} turns ({turns}); target 1.3x: "
        f"{'met' if ratio <= 1.3 else 'not met'}"
    )
    print(
        f"  the floor alone (HTTP with no work at all) is {floor_p50 / lib['p50']:.2f}x the library call; the API "
        f"adds {(percentile(one, 50) - floor_p50 - lib['p50']) * 1000:.2f} ms to floor + library"
    )
    print(
        f"{args.clients} clients: p99 {p99 / p50:.1f}x p50 (the floor {_ratio(bare_loaded):.1f}x); target 10x: "
        f"{'met' if p99 <= 10 * p50 else 'not met'}"
    )
    return 0


def _p50_p99(times: list[float]) -> tuple[float, float]:
    return percentile(times, 50), percentile(times, 99)


def _ratio(times: list[float]) -> float:
    p50, p99 = _p50_p99(times)
    return p99 / p50


if __name__ == "__main__":
    raise SystemExit(main())
