"""Relevance and latency benchmark on the shared judged sets, ours beside two baselines.

    python tests/bench/relevance.py                     # legal set: 946 questions, accented and not
    python tests/bench/relevance.py --news              # plus the 80 news known-item queries
    python tests/bench/relevance.py --systems ours --keep-index /tmp/legal-ix

Prints Markdown tables (paste them into the README). Latency is wall time around each search call,
snippets included for ours; all systems run in this one process, one after the other, on one machine.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from baselines import SYSTEMS  # noqa: E402
from datasets import LEGAL, build_news_dev, load_legal_qrels, load_news_queries  # noqa: E402
from metrics import mrr_at_k, ndcg_at_k, percentile, recall_at_k  # noqa: E402

from searcher.normalize import fold  # noqa: E402

K = 10


def evaluate(system, queries: list[tuple[str, set[str]]]) -> dict:
    ndcg, mrr, recall, latency = [], [], [], []
    for text, relevant in queries:
        started = time.perf_counter()
        ranked = system.search(text, K)
        latency.append((time.perf_counter() - started) * 1000)
        ndcg.append(ndcg_at_k(ranked, relevant, K))
        mrr.append(mrr_at_k(ranked, relevant, K))
        recall.append(recall_at_k(ranked, relevant, K))
    n = len(queries) or 1
    return {"n": len(queries), "ndcg": sum(ndcg) / n, "mrr": sum(mrr) / n, "recall": sum(recall) / n,
            "p50": percentile(latency, 50), "p95": percentile(latency, 95)}


def row(name: str, variant: str, m: dict) -> str:
    return (f"| {name} | {variant} | {m['n']} | {m['ndcg']:.3f} | {m['mrr']:.3f} | {m['recall']:.3f} "
            f"| {m['p50']:.1f} | {m['p95']:.1f} |")


HEADER = ("| system | queries | n | nDCG@10 | MRR@10 | Recall@10 | p50 ms | p95 ms |\n"
          "|---|---|---|---|---|---|---|---|")


def build(names, jsonl: Path, keep_index: str | None):
    systems = []
    for name in names:
        system = SYSTEMS[name](keep_index) if name == "ours" else SYSTEMS[name]()
        started = time.perf_counter()
        system.build(jsonl)
        print(f"{name}: built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        systems.append(system)
    return systems


def legal(names, keep_index, results):
    qrels = load_legal_qrels()
    accented = [(q["query"], set(q["relevant_ids"])) for q in qrels]
    plain = [(fold(text), rel) for text, rel in accented]
    print("\n### Legal questions (alqac-legal, 946 judged questions)\n")
    print(HEADER)
    for system in build(names, LEGAL, keep_index):
        a, u = evaluate(system, accented), evaluate(system, plain)
        results[f"legal/{system.name}"] = {"accented": a, "unaccented": u}
        print(row(system.name, "with diacritics", a))
        print(row(system.name, "without diacritics", u))
        print(f"{system.name}: unaccented/accented nDCG ratio {u['ndcg'] / a['ndcg']:.3f}", file=sys.stderr)
        sys.stdout.flush()


def news(names, keep_index, results):
    jsonl = build_news_dev(Path(tempfile.gettempdir()) / "news-dev20k.jsonl")
    queries = load_news_queries()
    by_style = defaultdict(list)
    for q in queries:
        by_style[q["style"]].append((q["query"], set(q["relevant_ids"])))
    print("\n### News known-item queries (news-dev, 20,000 articles, 80 queries)\n")
    print("| system | style | n | nDCG@10 | MRR@10 | Recall@10 | p50 ms | p95 ms |\n|---|---|---|---|---|---|---|---|")
    for system in build(names, jsonl, keep_index):
        every = [(text, rel) for items in by_style.values() for text, rel in items]
        for style in sorted(by_style):
            print(row(system.name, style, evaluate(system, by_style[style])))
        overall = evaluate(system, every)
        print(row(system.name, "**all**", overall))
        accented = by_style["accented"]
        a = evaluate(system, accented)
        u = evaluate(system, [(fold(t), r) for t, r in accented])
        print(row(system.name, "accented, diacritics removed", u))
        results[f"news/{system.name}"] = {"all": overall, "accented": a, "accented_folded": u,
                                          "mrr_ratio": u["mrr"] / a["mrr"] if a["mrr"] else 0.0}
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--systems", default="ours,whoosh-standard,sqlite-fts5")
    parser.add_argument("--news", action="store_true", help="also run the news known-item set")
    parser.add_argument("--no-legal", action="store_true")
    parser.add_argument("--keep-index", help="index folder for ours (reused when it exists)")
    parser.add_argument("--news-index", help="index folder for ours on the news set")
    parser.add_argument("--json", help="write all figures to this file")
    args = parser.parse_args()
    names = [n.strip() for n in args.systems.split(",") if n.strip()]
    results: dict = {}
    if not args.no_legal:
        legal(names, args.keep_index, results)
    if args.news:
        news(names, args.news_index, results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
