"""Metadata a reader can trust, measured on news-dev: publication dates, places, titles.

    PYTHONPATH=. python3 tests/bench/metadata.py [--data DIR] [--build]

Reports, as Markdown tables on stdout:

- dates: how many news-dev articles get a publication date, and how many of those fall outside the
  period each source covers (VNTC 2005-2006, baomoi 2017);
- places: precision and recall of the subject places against ``tests/data/places-labels.jsonl``,
  separately for each labelled set (the place model is fitted on those read by two blind readers,
  ``places_model.DEVELOPMENT``: in-sample figures, ``places_model.py cv`` gives cross-validated ones;
  dev3 is read, not fitted on), the held-out set and the seeds and real files;
- titles: the distribution of title lengths in words, and titles that are long or hold markup;
- with ``--build``: the time to index the 20,000 articles from scratch, wall and CPU (with
  ``--build-only`` nothing else, so that another checkout on ``PYTHONPATH`` gives the "before" of a
  before/after pair on one machine);
- with ``--tagging-against OLD``: the CPU time of tagging the places of every news-dev article, this
  checkout and the checkout at OLD in alternate rounds (each in a process of its own, the segmenter's
  cache emptied first), their medians and ratio.

The corpus is read in place (``BENCH_CORPUS`` overrides ``../shared/corpus``); news-dev's JSONL is
rebuilt from its id list into ``--data`` (a temporary folder by default).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from datasets import CORPUS, build_news_dev, read_jsonl
from places_model import DEVELOPMENT

from searcher.ingest.model import Document
from searcher.ingest.sources import document_from_record, read_source, walk_sources

REPO = Path(__file__).resolve().parents[2]
LABELS = REPO / "tests" / "data" / "places-labels.jsonl"
# the years each source's articles appeared in (VNTC: the corpus's own description; baomoi: its name)
PERIODS = {"vntc/": ("2005-01-01", "2006-12-31"), "baomoi/": ("2017-01-01", "2017-12-31")}


def news_documents(data: Path) -> dict[str, Document]:
    """Every news-dev article as the indexer describes it, by id."""
    path = build_news_dev(data)
    docs = {}
    for record in read_jsonl(path):
        docs[record["id"]] = document_from_record(record, path.name, "", path.parent.name)
    return docs


def file_documents() -> dict[str, Document]:
    """The seeds and the real files as the indexer describes them, by "seeds/..." / "real-files/..." ids."""
    docs = {}
    for root, prefix in ((REPO / "seeds", "seeds/"), (CORPUS / "real-files", "real-files/")):
        sources, _ = walk_sources([root])
        for source in sources:
            if source.path.suffix.lower() not in (".txt", ".html", ".doc", ".rtf", ".pdf"):
                continue
            for doc in read_source(source, source.path.read_bytes()):
                if isinstance(doc, Document):
                    docs[prefix + doc.id] = doc
    return docs


def date_table(docs: dict[str, Document]) -> list[str]:
    rows = ["| source | articles | dated | outside the period | years |", "|---|---:|---:|---:|---|"]
    for prefix, (first, last) in PERIODS.items():
        mine = [d for i, d in docs.items() if i.startswith(prefix)]
        dated = [d.date for d in mine if d.date]
        outside = [d for d in dated if not first <= d <= last]
        years = Counter(d[:4] for d in dated)
        rows.append(
            f"| {prefix.rstrip('/')} ({first[:4]}-{last[:4]}) | {len(mine):,} | {len(dated):,} | "
            f"{len(outside)} | {', '.join(f'{y}: {n}' for y, n in sorted(years.items()))} |"
        )
    return rows


def place_scores(docs: dict[str, Document], labels: list[dict]) -> tuple[float, float, int, int, int, int]:
    tp = fp = fn = 0
    for label in labels:
        doc = docs[label["id"]]
        got, want = set(doc.places), set(label["places"])
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, len(labels), tp, fp, fn


def place_table(news: dict[str, Document], files: dict[str, Document], held_out: bool = False) -> list[str]:
    """Subject places against the labels by set; the held-out set only when asked (``held_out``):
    each look at it spends some of what it says about articles no rule was written from."""
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [
        "| labelled set | documents | precision | recall | tp | fp | fn |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    # the sets in order: dev, dev2, ... dev10, then the held-out set and the files
    kinds = {label["split"] for label in labels}
    splits = sorted(kinds, key=lambda split: (split == "files", split == "held-out", len(split), split))
    named = {
        split: f"{split} ({'fitted on' if split in DEVELOPMENT else 'read, not fitted on'})"
        for split in splits
        if split.startswith("dev")
    }
    for split, docs in ((split, files if split == "files" else news) for split in splits):
        chosen = [label for label in labels if label["split"] == split]
        if not chosen:
            continue
        if split == "held-out" and not held_out:
            rows.append(f"| held-out | {len(chosen)} | (not scored: --score-held-out) | | | | |")
            continue
        p, r, n, tp, fp, fn = place_scores(docs, chosen)
        rows.append(f"| {named.get(split, split)} | {n} | {p:.3f} | {r:.3f} | {tp} | {fp} | {fn} |")
    for split, name in (("dev", "dev, fitted on"), ("dev3", "dev3, not fitted on")):
        hard = [label for label in labels if label.get("hard") and label["split"] == split]
        p, r, n, tp, fp, fn = place_scores(news, hard)
        rows.append(f"| of which hard cases ({name}) | {n} | {p:.3f} | {r:.3f} | {tp} | {fp} | {fn} |")
    return rows


def title_table(docs: dict[str, Document]) -> list[str]:
    words = sorted(len(d.title.removesuffix(" …").split()) for d in docs.values())
    chars = [len(d.title) for d in docs.values()]

    def pct(q: float) -> int:
        return words[min(len(words) - 1, int(q * len(words)))]

    markup = sum(1 for d in docs.values() if "<" in d.title and ">" in d.title)
    return [
        "| titles | median words | p90 | p99 | max | over 25 words | over 150 chars | with markup |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {len(words):,} | {pct(0.5)} | {pct(0.9)} | {pct(0.99)} | {words[-1]} | "
        f"{sum(w > 25 for w in words)} | {sum(c > 150 for c in chars)} | {markup} |",
    ]


def top_places(docs: dict[str, Document], count: int = 8) -> str:
    facet = Counter(p for d in docs.values() for p in d.places)
    return ", ".join(f"{name} {n:,}" for name, n in facet.most_common(count))


def build_time(data: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of a full build of news-dev; CPU counts this process and its workers."""
    import resource

    from searcher.index.indexer import index_paths

    path = build_news_dev(data)

    def cpu() -> float:
        me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + workers.ru_utime + workers.ru_stime

    with tempfile.TemporaryDirectory() as index_dir:
        started, used = time.perf_counter(), cpu()
        index_paths([path], Path(index_dir), rebuild=True)
        return time.perf_counter() - started, cpu() - used


def tagging_time(data: Path) -> float:
    """CPU seconds to tag the places of every news-dev article once, the segmenter's cache empty."""
    from searcher.ingest import places

    docs = list(news_documents(data).values())
    joins = getattr(places, "_joins_outside", None)
    if joins is not None:
        joins.cache_clear()
    started = time.process_time()
    for doc in docs:
        places.tag_places(doc.title, doc.text)
    return time.process_time() - started


def tagging_rounds(data: Path, old: Path, rounds: int) -> list[str]:
    """Alternate rounds of :func:`tagging_time` for the checkout at ``old`` and this one."""
    import os
    import statistics
    import subprocess

    seconds: dict[str, list[float]] = {"before": [], "after": []}
    for number in range(rounds):
        for name, checkout in (("before", old), ("after", REPO)):
            env = dict(os.environ, PYTHONPATH=f"{checkout}:{Path(__file__).parent}")
            command = [sys.executable, __file__, "--tagging-only", "--data", str(data)]
            output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
            seconds[name].append(float(output.split()[-1]))
            print(f"round {number + 1} {name}: {seconds[name][-1]:.2f} s", file=sys.stderr)
    before, after = statistics.median(seconds["before"]), statistics.median(seconds["after"])
    return [
        "| tagging 20,000 articles | median CPU s | per article | rounds |",
        "|---|---:|---:|---|",
        f"| before ({old.name}) | {before:.2f} | {before / 20:.3f} ms | "
        + ", ".join(f"{s:.2f}" for s in seconds["before"])
        + " |",
        f"| after | {after:.2f} | {after / 20:.3f} ms | "
        + ", ".join(f"{s:.2f}" for s in seconds["after"])
        + " |",
        f"| ratio after / before | {after / before:.3f} | | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="folder for news-dev20k.jsonl (kept between runs)")
    parser.add_argument("--build", action="store_true", help="also time a full index build of news-dev")
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="only time the build (works with any checkout on PYTHONPATH)",
    )
    parser.add_argument(
        "--tagging-against",
        type=Path,
        metavar="OLD",
        help="time place tagging of this checkout against the checkout at OLD, in alternate rounds",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --tagging-against")
    parser.add_argument(
        "--score-held-out",
        action="store_true",
        help="also score the places of the held-out set (once a round)",
    )
    parser.add_argument("--tagging-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp())
    data.mkdir(parents=True, exist_ok=True)
    if args.tagging_only:
        print(f"tagging CPU seconds: {tagging_time(data):.3f}")
        return
    if args.tagging_against:
        print("\n".join(tagging_rounds(data, args.tagging_against.resolve(), args.rounds)))
        return
    if args.build_only:
        wall, cpu = build_time(data)
        print(f"news-dev (20,000 articles), full build: wall {wall:.1f} s, CPU {cpu:.1f} s")
        return
    started = time.perf_counter()
    news = news_documents(data)
    took = time.perf_counter() - started
    print(f"read and described {len(news):,} articles in {took:.1f} s", file=sys.stderr)
    files = file_documents()
    print("### Publication dates (news-dev)\n")
    print("\n".join(date_table(news)))
    print("\n### Places (subject places against tests/data/places-labels.jsonl)\n")
    print("\n".join(place_table(news, files, args.score_held_out)))
    print(f"\nMost frequent subject places on news-dev: {top_places(news)}.")
    print("\n### Titles (news-dev)\n")
    print("\n".join(title_table(news)))
    if args.build:
        wall, cpu = build_time(data)
        print(f"\n### Build\n\nnews-dev (20,000 articles), full build: wall {wall:.1f} s, CPU {cpu:.1f} s")


if __name__ == "__main__":
    main()
