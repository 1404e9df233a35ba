"""Query latency of two versions of the engine, side by side in one run: an older checkout and this one.

    git worktree add /tmp/before 4cea2aa             # e.g. the engine before query intelligence
    PYTHONPATH=/tmp/before python -m searcher index --index-dir /tmp/before-index /tmp/bench/news-dev20k.jsonl
    python tests/bench/before_after.py --before-code /tmp/before --before-index /tmp/before-index \\
        --index /tmp/bench/news/ours --news --rounds 5

Each version runs in its own worker process (the two cannot share one: same package name), with its own
index built by that version from the same documents. The workers answer one query at a time, in turn,
the order rotating from query to query, and time each search inside the worker (``Engine.search``, as
a server would call it), so the pipe between processes is not counted and neither worker runs while
the other does. Three workers by default: ``before``, ``after`` and ``after-again`` (this version a
second time: the noise floor, the gap between two identical configurations measured the same way);
``--plain`` adds ``after-plain``, this version with query intelligence off.

With ``--parts``, each search's time is also split by part (planning, matching, place tiers, passage
re-ranking, snippets: the engine's own functions wrapped in each worker, by the names both versions
use), and the mean per query of each part's median over the rounds is printed for ``before`` and
``after``, to see where a difference comes from (the wrappers add a little to every search).

Answer caches and the decoded-postings cache are off, as in ``intelligence_cost.py``, so every run of
every query is searched from the index. The report is the same as ``intelligence_cost.py``'s: p50, p95
and mean per worker, each query's median time against ``before``, and p95 differences with a 95%
bootstrap interval over the queries.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]


# the parts of a search timed with --parts: (where, function name, part), the same in both versions
PARTS = [
    ("Engine", "_plan", "planning"),
    ("Engine", "_matches", "matching"),
    ("module", "_in_tiers", "place tiers"),
    ("Engine", "_by_passages", "passages"),
    ("module", "make_snippet", "snippets"),
]


def worker(code: str, index: str, plain: bool, parts: bool = False) -> None:
    """Answer queries read from stdin (one JSON string a line) with the engine of ``code``; write each
    search's time in ms (with ``parts``: a JSON object of the time of each part, and ``total``)."""
    sys.path.insert(0, code)
    from searcher import Engine  # the public name: the same in older layouts

    spent: dict[str, float] = {}
    if parts:
        from searcher.search import engine as module

        for where, name, part in PARTS:
            owner = Engine if where == "Engine" else module
            if hasattr(owner, name):  # (an older version may not have it: counted as 0)
                setattr(owner, name, _timed(getattr(owner, name), part, spent))
    engine = Engine(index)
    if plain:
        engine.query_intelligence = False
    engine.search("khởi động")  # open the searcher (and the lexicon, where there is one)
    print("ready", flush=True)
    for line in sys.stdin:
        text = json.loads(line)
        spent.clear()
        start = time.perf_counter()
        engine.search(text)
        total = (time.perf_counter() - start) * 1000
        print(json.dumps({**spent, "total": total}) if parts else f"{total:.6f}", flush=True)


def _timed(function, part: str, spent: dict):
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[part] = spent.get(part, 0.0) + (time.perf_counter() - start) * 1000

    return timed


class Worker:
    def __init__(self, name: str, code: Path, index: Path, plain: bool = False, parts: bool = False):
        self.name = name
        self.parts = parts
        self.spent: list[dict[str, float]] = []  # with parts: each search's parts, in order
        env = dict(os.environ, SEARCH_RESULT_CACHE="0", SEARCH_POSTINGS_CACHE_MB="0", PYTHONPATH=str(code))
        command = (
            [sys.executable, __file__, "--worker", str(code), str(index)]
            + (["--plain"] if plain else [])
            + (["--parts"] if parts else [])
        )
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=str(code)
        )
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            raise SystemExit(f"{name}: the worker did not start (see the error above)")

    def search(self, text: str) -> float:
        self.process.stdin.write(json.dumps(text) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not self.parts:
            return float(answer)
        self.spent.append(json.loads(answer))
        return self.spent[-1]["total"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def measure(workers: list[Worker], texts: list[str], rounds: int) -> dict[str, list[list[float]]]:
    """ms[worker][query] = the times of that query's runs by that worker."""
    ms = {w.name: [[] for _ in texts] for w in workers}
    for r in range(rounds):
        for i, text in enumerate(texts):
            shift = (i + r) % len(workers)
            for w in workers[shift:] + workers[:shift]:
                ms[w.name][i].append(w.search(text))
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)
    return ms


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        worker(argv[1], argv[2], "--plain" in argv[3:], "--parts" in argv[3:])
        return
    sys.path.insert(0, str(HERE))
    from intelligence_cost import queries, report

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before-code", required=True, type=Path, help="a checkout of the older version")
    parser.add_argument(
        "--before-index", required=True, type=Path, help="an index built by the older version"
    )
    parser.add_argument("--index", required=True, type=Path, help="an index built by this version")
    parser.add_argument("--legal", action="store_true", help="legal questions without diacritics")
    parser.add_argument("--news", action="store_true", help="news queries, as written and without diacritics")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit-queries", type=int, default=None)
    parser.add_argument("--plain", action="store_true", help="also this version with query intelligence off")
    parser.add_argument("--parts", action="store_true", help="also the time of each part, before and after")
    args = parser.parse_args(argv)
    if not (args.legal or args.news):
        parser.error("choose --legal and/or --news")
    texts = queries(args.legal, args.news, args.limit_queries)
    workers = [
        Worker("before", args.before_code.resolve(), args.before_index.resolve(), parts=args.parts),
        Worker("after", PROJECT, args.index.resolve(), parts=args.parts),
        Worker("after-again", PROJECT, args.index.resolve()),
    ]
    if args.plain:
        workers.append(Worker("after-plain", PROJECT, args.index.resolve(), plain=True))
    print(
        f"{len(texts)} queries x {args.rounds} rounds; load average at the start: "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    try:
        ms = measure(workers, texts, args.rounds)
    finally:
        for w in workers:
            w.close()
    report(
        ms,
        [w.name for w in workers],
        base="before",
        pairs=[("after", "before"), ("after-again", "before"), ("after", "after-again")]
        + ([("after", "after-plain")] if args.plain else []),
    )
    if args.parts:
        print()
        report_parts(workers[:2], len(texts))
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def report_parts(workers: list[Worker], queries: int) -> None:
    """Per part, the mean over the queries of its median time over the rounds, for each worker
    (the searches of a worker come query after query, round after round)."""
    names = [part for _, _, part in PARTS] + ["total"]
    means = {}
    for w in workers:
        for part in names:
            by_query = [[s.get(part, 0.0) for s in w.spent[i::queries]] for i in range(queries)]
            means[(w.name, part)] = statistics.mean(statistics.median(runs) for runs in by_query)
    first, second = (w.name for w in workers)
    print(f"| part | {first} ms | {second} ms | {second} - {first} ms |")
    print("|---|---|---|---|")
    for part in names:
        a, b = means[(first, part)], means[(second, part)]
        print(f"| {part} | {a:.3f} | {b:.3f} | {b - a:+.3f} |")


if __name__ == "__main__":
    main()
