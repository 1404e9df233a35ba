"""What query intelligence costs in latency: the same queries with it on and off, side by side.

    python tests/bench/intelligence_cost.py --index /tmp/bench/legal/ours --legal   # kept by relevance.py
    python tests/bench/intelligence_cost.py --index /tmp/bench/news/ours --news --rounds 5

Three engines on one index folder, in one process: ``on`` (accent restoration, abbreviations, spelling),
``off`` (``Engine.query_intelligence = False``: words as typed) and ``on-again``, a second engine with
intelligence on. ``on-again`` against ``on`` is the noise floor: the gap between two identical
configurations measured the same way. A slowdown is measurable when ``on`` is slower than ``off`` by
more than that floor.

Each query is answered by the three engines in turn, the order rotating from query to query, so no
configuration always runs first (the first to read a word's postings pays the disk, the others find
it in the page cache). The process-wide cache of decoded posting lists is off for the same reason
(``--postings-cache`` keeps it on, as a server has it), and the answer cache too: every run of every
query is searched from the index. The figures per
configuration: p50/p95/mean over all runs of all queries (nearest rank), and the mean ratio of each
query's median time to its median time in ``off``.

Whether p95 moved is then decided by a bootstrap over the queries: the query set is drawn again with
replacement (each query with all its runs in every configuration) and the p95 difference between two
configurations computed on each draw; the 2.5th and 97.5th percentiles of those differences bound it.
A slowdown is measurable when that interval for ``on`` against ``off`` lies above zero.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ["SEARCH_RESULT_CACHE"] = "0"
if "--postings-cache" not in sys.argv:
    os.environ["SEARCH_POSTINGS_CACHE_MB"] = "0"

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parents[1]))

from datasets import load_legal_qrels, load_news_queries, strip_diacritics  # noqa: E402
from metrics import mean, percentile  # noqa: E402

CONFIGS = ("on", "off", "on-again")


def queries(use_legal: bool, use_news: bool, limit: int | None) -> list[str]:
    """Legal questions typed without diacritics; news known-item queries as written and without."""
    out: list[str] = []
    if use_legal:
        out += [strip_diacritics(q["query"]) for q in load_legal_qrels()]
    if use_news:
        news = [q["query"] for q in load_news_queries()]
        out += news + [strip_diacritics(q) for q in news]
    return out[:limit] if limit else out


def measure(index: str, texts: list[str], rounds: int) -> dict[str, list[list[float]]]:
    """ms[config][query] = the times of that query's runs in that configuration."""
    from searcher.search.engine import Engine

    engines = {name: Engine(index) for name in CONFIGS}
    engines["off"].query_intelligence = False
    for engine in engines.values():
        engine.search("khởi động")  # open the searcher, lexicon and abbreviation table
    ms = {name: [[] for _ in texts] for name in CONFIGS}
    for r in range(rounds):
        for i, text in enumerate(texts):
            shift = (i + r) % len(CONFIGS)
            for name in CONFIGS[shift:] + CONFIGS[:shift]:
                start = time.perf_counter()
                engines[name].search(text)
                ms[name][i].append((time.perf_counter() - start) * 1000)
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)
    return ms


def p95_difference(
    ms: dict[str, list[list[float]]], a: str, b: str, draws: int = 2000, seed: int = 1
) -> tuple[float, float, float]:
    """p95 of ``a`` minus p95 of ``b`` (ms), with its 95% bootstrap interval over the queries."""
    import numpy as np

    runs_a, runs_b = np.array(ms[a]), np.array(ms[b])  # queries x runs
    count = len(runs_a)

    def p95(runs):  # nearest rank, as percentile() in metrics
        ordered = np.sort(runs.ravel())
        return ordered[max(1, int(np.ceil(0.95 * len(ordered)))) - 1]

    rng = np.random.default_rng(seed)
    differences = []
    for _ in range(draws):
        drawn = rng.integers(0, count, count)
        differences.append(p95(runs_a[drawn]) - p95(runs_b[drawn]))
    low, high = np.percentile(differences, [2.5, 97.5])
    return float(p95(runs_a) - p95(runs_b)), float(low), float(high)


def report(
    ms: dict[str, list[list[float]]],
    names=CONFIGS,
    base: str = "off",
    pairs=(("on", "off"), ("on-again", "off"), ("on", "on-again")),
) -> None:
    """The latency table of ``names`` (each query's median time against ``base``'s), then the p95
    differences of ``pairs``."""
    medians_base = [statistics.median(runs) for runs in ms[base]]
    print(f"| configuration | p50 ms | p95 ms | mean ms | per-query time / {base} |")
    print("|---|---|---|---|---|")
    for name in names:
        flat = [t for runs in ms[name] for t in runs]
        ratios = [statistics.median(runs) / b for runs, b in zip(ms[name], medians_base) if b > 0]
        print(
            f"| {name} | {percentile(flat, 50):.1f} | {percentile(flat, 95):.1f} | {mean(flat):.1f} "
            f"| {mean(ratios):.3f} |"
        )
    print()
    print("| p95 difference | ms | 95% interval (bootstrap over queries) | mean difference ms |")
    print("|---|---|---|---|")
    for a, b in pairs:
        difference, low, high = p95_difference(ms, a, b)
        mean_difference = mean([t for runs in ms[a] for t in runs]) - mean(
            [t for runs in ms[b] for t in runs]
        )
        print(f"| {a} - {b} | {difference:+.2f} | [{low:+.2f}, {high:+.2f}] | {mean_difference:+.2f} |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", required=True, help="an index folder (e.g. one kept by relevance.py)")
    parser.add_argument("--legal", action="store_true", help="legal questions without diacritics")
    parser.add_argument("--news", action="store_true", help="news queries, as written and without diacritics")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit-queries", type=int, default=None)
    parser.add_argument(
        "--postings-cache",
        action="store_true",
        help="keep the process-wide cache of decoded posting lists on, as a server has it "
        "(shared by the three engines: after the first round, common words' lists are "
        "decoded already whichever configuration read them first)",
    )
    args = parser.parse_args(argv)
    if not (args.legal or args.news):
        parser.error("choose --legal and/or --news")
    texts = queries(args.legal, args.news, args.limit_queries)
    print(
        f"{len(texts)} queries x {args.rounds} rounds; load average at the start: "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    report(measure(args.index, texts, args.rounds))
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
