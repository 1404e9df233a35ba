"""Autocomplete latency (Engine.suggest) on a big index's lexicon.

    python tests/bench/suggest_latency.py --index /tmp/bench/news/ours      # an index kept by relevance.py
    python tests/bench/suggest_latency.py --index DIR --prefixes 3000

The prefixes are what people type on the way to a title's words: for the first syllables of titles
of the index, every cut after 1-3 letters of the last syllable, with and without diacritics. Prints
one Markdown table row (lexicon size, prefixes, p50/p95/max ms). Each prefix is answered once, cold
for that prefix (nothing is cached per prefix), on a warm process (the lexicon opened before timing).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parents[1]))

from metrics import percentile  # noqa: E402


def prefixes_from_titles(engine, wanted: int, seed: int = 7) -> list[str]:
    from searcher.text.normalize import fold

    searcher = engine._searcher()
    titles = [stored.get("title") or "" for stored in searcher.all_stored_fields()]
    random.Random(seed).shuffle(titles)
    out: list[str] = []
    for title in titles:
        words = [w for w in title.lower().split() if w.isalpha()]
        if len(words) < 2:
            continue
        n = random.Random(title).randint(1, min(3, len(words)))
        head, last = words[: n - 1], words[n - 1]
        for cut in range(1, min(3, len(last)) + 1):
            typed = " ".join(head + [last[:cut]])
            out.extend([typed, fold(typed)])
        if len(out) >= wanted:
            break
    return out[:wanted]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", required=True, help="an index folder (e.g. one kept by relevance.py)")
    parser.add_argument("--prefixes", type=int, default=2000)
    args = parser.parse_args(argv)

    from searcher.search.engine import Engine

    engine = Engine(args.index)
    lexicon = engine.lexicon()
    if lexicon is None:
        sys.exit(f"{args.index} has no lexicon: index it again with this version")
    rows = lexicon._one("SELECT count(*) FROM ngram")
    documents = engine._searcher().doc_count()
    prefixes = prefixes_from_titles(engine, args.prefixes)
    engine.suggest("a")  # opens the lexicon
    times = []
    for prefix in prefixes:
        started = time.perf_counter()
        engine.suggest(prefix)
        times.append((time.perf_counter() - started) * 1000)
    print("| documents | lexicon n-grams | prefixes | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {documents:,} | {rows:,} | {len(prefixes)} | {percentile(times, 50):.2f} | "
        f"{percentile(times, 95):.2f} | {max(times):.2f} |"
    )


if __name__ == "__main__":
    main()
