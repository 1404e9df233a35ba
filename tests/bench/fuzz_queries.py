"""Fuzzing the query path at scale: random and hostile inputs through the engine and /search.json.

    python tests/bench/fuzz_queries.py                        # 100,000 inputs over an index of the seeds
    python tests/bench/fuzz_queries.py --inputs 20000 --index-dir /tmp/bench/news/ours

Inputs come from Hypothesis' generators (the strategies of tests/test_hostile_queries.py: query syntax,
Vietnamese words, random Unicode), drawn without shrinking. Every input goes to Engine.search and, one
in five, to /search.json through Flask's test client. Counted as failures: an exception, a 5xx, a
status other than 200/400, a snippet with a tag other than <mark>, or a query over the time budget.
Prints a Markdown table row for the README.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--index-dir", type=Path, help="an index to fuzz (default: a fresh index of seeds/)")
    parser.add_argument("--budget-s", type=float, default=10.0, help="slowest acceptable answer")
    args = parser.parse_args()

    from hypothesis import strategies as st
    from test_hostile_queries import queries

    from searcher.index.indexer import index_paths
    from searcher.search.engine import Engine
    from web import create_app

    index_dir = args.index_dir
    if index_dir is None:
        index_dir = Path(tempfile.mkdtemp(prefix="fuzz-index-"))
        index_paths([REPO / "seeds"], index_dir)
    engine = Engine(index_dir)
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    pages = st.one_of(st.integers(-5, 2000).map(str), st.text(max_size=5))

    failures: list[tuple[str, str]] = []
    durations: list[float] = []
    web_requests = 0
    started = time.perf_counter()
    for i in range(args.inputs):
        text = queries.example()
        t0 = time.perf_counter()
        try:
            result = engine.search(text, limit=10)
            for hit in result.hits:
                if "<" in hit.snippet.replace("<mark>", "").replace("</mark>", ""):
                    failures.append((text, "tag in snippet"))
        except Exception as exc:  # noqa: BLE001 - counting every kind of failure is the point
            failures.append((text, f"{type(exc).__name__}: {exc}"))
        elapsed = time.perf_counter() - t0
        durations.append(elapsed)
        if elapsed > args.budget_s:
            failures.append((text, f"took {elapsed:.1f} s"))
        if i % 5 == 0:
            web_requests += 1
            response = client.get("/search.json", query_string={"q": text, "page": pages.example()})
            if response.status_code not in (200, 400):
                failures.append((text, f"HTTP {response.status_code}"))
        if (i + 1) % 10_000 == 0:
            print(f"{i + 1} inputs, {len(failures)} failures", file=sys.stderr)
    total_s = time.perf_counter() - started
    durations.sort()
    for text, why in failures[:20]:
        print(f"FAILURE {why}: {text!r}", file=sys.stderr)
    print("| inputs | via /search.json | failures | slowest ms | p99 ms | wall s |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.inputs} | {web_requests} | {len(failures)} | {durations[-1] * 1000:.0f} | "
        f"{durations[int(len(durations) * 0.99)] * 1000:.1f} | {total_s:.0f} |"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
