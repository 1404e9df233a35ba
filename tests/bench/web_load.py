"""Concurrent clients against ``search serve``: requests per second, latency p50/p95 and errors.

    python tests/bench/web_load.py --index-dir /tmp/bench/news/ours            # 8 and 32 clients
    python tests/bench/web_load.py --index-dir DIR --clients 8,32 --seconds 30 --workers 1

The server is started as users start it (``python -m searcher serve``: gunicorn with one worker per
core unless ``--workers`` says otherwise, waitress with ``--workers 1``) on a free local port. Each
client is a thread with its own connection (kept alive where the server keeps it; gunicorn's workers
close it after each answer) that sends ``/search.json`` requests, the queries taken in turn from the
80 news known-item queries as written and without diacritics, each with a random page 1-3. The
engine's result cache is off unless ``--cache`` is given, so every request is searched. The clients
run on the same 2-core machine as the server and take CPU from it: the figures are a floor for a
separate client.
Markdown goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import load_news_queries, strip_diacritics  # noqa: E402
from metrics import percentile  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def start_server(
    index_dir: Path, threads: int | None = None, cache: bool = True, workers: int | None = None
) -> tuple[subprocess.Popen, str, int]:
    """``search serve`` on a free port (``cache=False``: no result cache; ``threads``, ``workers`` None:
    the server's defaults); its log goes to $BENCH_SERVER_LOG if set."""
    log = (
        open(os.environ["BENCH_SERVER_LOG"], "w")
        if os.environ.get("BENCH_SERVER_LOG")
        else subprocess.DEVNULL
    )
    env = {**os.environ, **({} if cache else {"SEARCH_RESULT_CACHE": "0"})}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "searcher",
            "serve",
            "--index-dir",
            str(index_dir),
            "--port",
            "0",
            *(["--workers", str(workers)] if workers else []),
            *(["--threads", str(threads)] if threads else []),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    for line in proc.stdout:
        match = re.search(r"http://([\d.]+):(\d+)/", line)
        if match:
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
            return proc, match.group(1), int(match.group(2))
    raise SystemExit("search serve did not start")


def client_loop(host, port, paths, stop_at, latencies, errors, seed):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    while time.perf_counter() < stop_at:
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            latency = (time.perf_counter() - started) * 1000  # the answer is in: checking it is ours
            ok = response.status == 200 and json.loads(body).get("ok") is True
        except (OSError, http.client.HTTPException, ValueError):
            latency = (time.perf_counter() - started) * 1000
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        latencies.append(latency)
        if not ok:
            errors.append(path)
    conn.close()


def warm_up(host, port, paths, clients: int = 4) -> None:
    """Every request once (split between ``clients`` connections): the index opened, the parts of it
    these queries read in the OS cache, as on a server that has been answering for a while."""

    def send(share):
        conn = http.client.HTTPConnection(host, port, timeout=60)
        for path in share:
            conn.request("GET", path)
            conn.getresponse().read()
        conn.close()

    threads = [threading.Thread(target=send, args=(paths[i::clients],)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run(host, port, paths, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + seconds
    workers = [
        threading.Thread(target=client_loop, args=(host, port, paths, stop_at, latencies, errors, i))
        for i in range(clients)
    ]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
    }


def server_rss_mb(pid: int) -> float:
    """RSS of the server process and its worker processes, in MB."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if proc.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
    return total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index-dir", required=True, type=Path, help="a built index (e.g. of news-dev)")
    parser.add_argument("--clients", default="8,32", help="comma-separated client counts (default 8,32)")
    parser.add_argument("--seconds", type=float, default=30, help="duration of each run (default 30)")
    parser.add_argument("--threads", type=int, help="server threads per process (default: the server's)")
    parser.add_argument(
        "--workers", type=int, help="server processes (default: the server's, one per core; 1: waitress)"
    )
    parser.add_argument(
        "--cache",
        action="store_true",
        help="keep the engine's result cache (default: off, so every request is searched)",
    )
    args = parser.parse_args()

    queries = [q["query"] for q in load_news_queries()]
    texts = queries + [strip_diacritics(q) for q in queries]
    paths = [f"/search.json?{urllib.parse.urlencode({'q': t, 'page': p})}" for t in texts for p in (1, 2, 3)]
    proc, host, port = start_server(args.index_dir, args.threads, cache=args.cache, workers=args.workers)
    try:
        warm_up(host, port, paths)
        results = []
        for clients in [int(c) for c in args.clients.split(",")]:
            print(f"{clients} clients for {args.seconds:.0f} s ...", file=sys.stderr)
            results.append(run(host, port, paths, clients, args.seconds))
        rss = server_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    workers = args.workers or os.cpu_count() or 1
    server = "waitress" if workers == 1 else f"gunicorn, {workers} workers"
    threads = f"{args.threads} threads" if args.threads else "default threads"
    print(
        f"\n`search serve` ({server}, {threads}, result cache {'on' if args.cache else 'off'}) "
        f"over {args.index_dir}, "
        f"{len(texts)} distinct queries x 3 pages, {args.seconds:.0f} s per run; server RSS after: {rss:.0f} MB\n"
    )
    print("| clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['clients']} | {r['requests']} | {r['errors']} | {r['rps']:.1f} | {r['p50']:.1f} | "
            f"{r['p95']:.1f} | {r['p99']:.1f} |"
        )


if __name__ == "__main__":
    main()
