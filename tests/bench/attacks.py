"""Normal searches while ``search serve`` is attacked: a flood of expensive queries, then slow clients.

    python tests/bench/attacks.py --index-dir /tmp/news20k                      # both servers, all phases
    python tests/bench/attacks.py --index-dir DIR --workers 2 --flood --seconds 10

For each server (``--workers 1``: waitress; ``--workers 2``: gunicorn with two processes) the script
starts ``search serve`` on a free port as web_load.py does (result cache off, so every request is
searched), warms it up, then runs these phases of ``--seconds`` each, one after the other:

- ``alone``: ``--normal`` clients send the news known-item queries (as web_load.py does), one after
  the other, and nothing else runs: the baseline;
- ``flood``: the same, while ``--attackers`` clients send ``c* c* c* ...`` (333 times, 1,000
  characters: the query of issue 25) as fast as they are answered, ignoring ``Retry-After``;
- ``slow``: the same, while ``--slow`` connections are held open: half of them send half a request
  line and then nothing, the other half a request line and then a header line every 2 s; any the
  server closes is opened again at once.

For each phase: the normal queries' count, errors (anything but a 200 with ``ok``, or no answer within
60 s), p50 and p95 in ms, and p95 as a multiple of the ``alone`` phase's; for the flood, how many
attacking requests were answered (200) and turned away (503); for the slow clients, how many
connections the server closed. The clients run on the server's machine and take CPU from it.
Markdown goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import random
import selectors
import socket
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import load_news_queries, strip_diacritics  # noqa: E402
from metrics import percentile  # noqa: E402
from web_load import start_server, warm_up  # noqa: E402

FLOOD_QUERY = " ".join(["c*"] * 333)
CLIENT_TIMEOUT_S = 60
TRICKLE_EVERY_S = 2.0


def normal_client(host, port, paths, stop: threading.Event, latencies: list, errors: list, seed: int):
    rng = random.Random(seed)
    while not stop.is_set():
        path = rng.choice(paths)
        started = time.perf_counter()
        try:  # a new connection per search, as a browser opening a results page after a while
            conn = http.client.HTTPConnection(host, port, timeout=CLIENT_TIMEOUT_S)
            conn.request("GET", path)
            response = conn.getresponse()
            ok = response.status == 200 and json.loads(response.read()).get("ok") is True
            conn.close()
        except (OSError, http.client.HTTPException, ValueError):
            ok = False
        latencies.append((time.perf_counter() - started) * 1000)
        if not ok:
            errors.append(path)


def flood_client(host, port, stop: threading.Event, statuses: Counter):
    path = "/search.json?" + urllib.parse.urlencode({"q": FLOOD_QUERY})
    while not stop.is_set():
        try:
            conn = http.client.HTTPConnection(host, port, timeout=CLIENT_TIMEOUT_S)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            statuses[response.status] += 1
            conn.close()
        except (OSError, http.client.HTTPException):
            statuses["no answer"] += 1


def flood(host, port, attackers: int, statuses: Counter, stop: threading.Event):
    pool = [
        threading.Thread(target=flood_client, args=(host, port, stop, statuses)) for _ in range(attackers)
    ]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def slow_clients(host, port, count: int, counts: Counter, stop: threading.Event):
    """``count`` connections kept open: even ones stall after half a request line, odd ones send a
    header line every TRICKLE_EVERY_S; a connection the server closes is opened again."""
    selector = selectors.DefaultSelector()
    next_line: dict[socket.socket, float] = {}

    def open_one(kind: int) -> None:
        try:
            sock = socket.create_connection((host, port), timeout=5)
        except OSError:
            counts["refused"] += 1
            return
        if kind % 2 == 0:
            sock.sendall(b"GET /search.json?q=qu")
        else:
            sock.sendall(b"GET /search.json?q=quoc HTTP/1.1\r\nHost: bench\r\n")
            next_line[sock] = time.monotonic() + TRICKLE_EVERY_S
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, kind)
        counts["opened"] += 1

    def close_one(sock: socket.socket, kind: int) -> None:
        selector.unregister(sock)
        next_line.pop(sock, None)
        sock.close()
        counts["closed by the server"] += 1
        if not stop.is_set():
            open_one(kind)

    for i in range(count):
        open_one(i)
    while not stop.is_set():
        for key, _ in selector.select(timeout=0.2):
            try:
                closed = not key.fileobj.recv(4096)  # type: ignore[union-attr]
            except OSError:
                closed = True
            if closed:
                close_one(key.fileobj, key.data)  # type: ignore[arg-type]
        now = time.monotonic()
        for sock, due in list(next_line.items()):
            if due <= now:
                try:
                    sock.send(f"X-Trickle-{int(now)}: 1\r\n".encode())
                    next_line[sock] = now + TRICKLE_EVERY_S
                except OSError:
                    close_one(sock, selector.get_key(sock).data)
    for key in list(selector.get_map().values()):
        key.fileobj.close()  # type: ignore[union-attr]
    selector.close()


def phase(host, port, paths, normal: int, seconds: float, attack=None) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    stop = threading.Event()
    attackers = [threading.Thread(target=attack, args=(stop,))] if attack else []
    for t in attackers:
        t.start()
    time.sleep(1 if attack else 0)  # the attack under way before the normal searches start
    clients = [
        threading.Thread(target=normal_client, args=(host, port, paths, stop, latencies, errors, i))
        for i in range(normal)
    ]
    for t in clients:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in clients + attackers:
        t.join()
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "p50": percentile(latencies, 50) if latencies else float("nan"),
        "p95": percentile(latencies, 95) if latencies else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index-dir", required=True, type=Path, help="a built index (e.g. /tmp/news20k)")
    parser.add_argument("--workers", default="1,2", help="server processes, comma-separated (default 1,2)")
    parser.add_argument("--seconds", type=float, default=20, help="length of each phase (default 20)")
    parser.add_argument("--normal", type=int, default=2, help="clients sending normal searches (default 2)")
    parser.add_argument("--attackers", type=int, default=16, help="flooding clients (default 16)")
    parser.add_argument("--slow", type=int, default=200, help="slow connections (default 200)")
    parser.add_argument("--flood", action="store_true", help="only the flood (with the baseline)")
    parser.add_argument("--slowloris", action="store_true", help="only the slow clients (with the baseline)")
    args = parser.parse_args()
    both = not args.flood and not args.slowloris

    queries = [q["query"] for q in load_news_queries()]
    texts = queries + [strip_diacritics(q) for q in queries]
    paths = [f"/search.json?{urllib.parse.urlencode({'q': t, 'page': p})}" for t in texts for p in (1, 2, 3)]
    print(
        f"Normal searches ({args.normal} clients, {len(texts)} queries x 3 pages, a connection each) "
        f"while `search serve` over {args.index_dir} is attacked; {args.seconds:.0f} s per phase, "
        "result cache off.\n"
    )
    print("| server | phase | normal searches | errors | p50 ms | p95 ms | p95 / alone | attack |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for workers in [int(w) for w in args.workers.split(",")]:
        server = "waitress" if workers == 1 else f"gunicorn, {workers} workers"
        proc, host, port = start_server(args.index_dir, cache=False, workers=workers)
        rows = []
        try:
            warm_up(host, port, paths)
            print(f"{server}: alone ...", file=sys.stderr)
            alone = phase(host, port, paths, args.normal, args.seconds)
            rows.append(("alone", alone, ""))
            if both or args.flood:
                print(f"{server}: flood ...", file=sys.stderr)
                statuses: Counter = Counter()
                attack = functools.partial(flood, host, port, args.attackers, statuses)
                result = phase(host, port, paths, args.normal, args.seconds, attack)
                shown = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items(), key=str))
                rows.append((f"flood, {args.attackers} clients", result, shown))
            if both or args.slowloris:
                print(f"{server}: slow clients ...", file=sys.stderr)
                counts: Counter = Counter()
                attack = functools.partial(slow_clients, host, port, args.slow, counts)
                result = phase(host, port, paths, args.normal, args.seconds, attack)
                shown = ", ".join(f"{what}: {n}" for what, n in sorted(counts.items()))
                rows.append((f"{args.slow} slow connections", result, shown))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        for name, r, shown in rows:
            ratio = r["p95"] / alone["p95"] if alone["p95"] else float("nan")
            print(
                f"| {server} | {name} | {r['requests']} | {r['errors']} | {r['p50']:.0f} | {r['p95']:.0f} | "
                f"{ratio:.1f} | {shown} |"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
