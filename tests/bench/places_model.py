"""The subject-place model: more labels to learn from, its weights, and how well it does.

    PYTHONPATH=.:tests/bench python3 tests/bench/places_model.py sample --data DIR
    PYTHONPATH=.:tests/bench python3 tests/bench/places_model.py sheet --data DIR ID...

``sample`` draws the articles of the second development set ("dev2" in
``tests/data/places-labels.jsonl``) from news-dev, with a fixed seed, among articles not labelled yet:
some drawn from all of them, more from those whose text names two places or more (where telling the
subject from a passing mention is hard). ``sheet`` prints what a labeller reads for each article: its
title, its lead and every place name in context (every match of a place's spelling written as a name,
before any rule of the tagger, so that labels do not follow the tagger).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from datasets import build_news_dev, read_jsonl

from searcher.ingest.sources import document_from_record

REPO = Path(__file__).resolve().parents[2]
LABELS = REPO / "tests" / "data" / "places-labels.jsonl"
SAMPLE_SEED = 20261213
SAMPLE_ANY, SAMPLE_SEVERAL = 70, 130


def read_labels() -> list[dict]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]


def news_records(data: Path) -> dict[str, dict]:
    return {record["id"]: record for record in read_jsonl(build_news_dev(data))}


def loose_mentions(text: str) -> list[tuple[str, int, int]]:
    """(canonical place, start, end) of every spelling of a place written as a name, no rule applied."""
    from searcher.ingest import places
    from searcher.text.fold import fold_offsets_preserved

    found = []
    for match in places._pattern().finditer(fold_offsets_preserved(text)):
        start, end = match.span(2)
        if places._is_name(text[start:end]):
            found.append((places._names()[" ".join(match.group(2).split())], start, end))
    return found


def named_places_loosely(record: dict) -> set[str]:
    return {place for place, _, _ in loose_mentions(record["title"] + "\n" + record["text"])}


def draw_sample(data: Path) -> list[str]:
    records = news_records(data)
    labelled = {row["id"] for row in read_labels() if row["split"] != "dev2"}  # drawn before dev2
    pool = sorted(doc_id for doc_id in records if doc_id not in labelled)
    rng = random.Random(SAMPLE_SEED)
    chosen = rng.sample(pool, SAMPLE_ANY)
    rest = [doc_id for doc_id in pool if doc_id not in set(chosen)]
    several = [doc_id for doc_id in rest if len(named_places_loosely(records[doc_id])) >= 2]
    chosen += rng.sample(several, SAMPLE_SEVERAL)
    return chosen


def sheet(data: Path, ids: list[str], context: int = 110) -> str:
    records = news_records(data)
    out = []
    for doc_id in ids:
        doc = document_from_record(records[doc_id], "news", "", "news")
        text = doc.text
        out.append(f"=== {doc_id}  ({len(text)} chars)\nTITLE: {doc.title}")
        out.append("LEAD: " + " ".join(text[:600].split()))
        mentions = loose_mentions(text)
        out.append(f"PLACES NAMED: {sorted({p for p, _, _ in mentions})}")
        shown_until = -1
        for place, start, end in mentions:
            if start < shown_until:
                continue
            left, right = max(0, start - context), min(len(text), end + context)
            snippet = text[left:start] + "[[" + text[start:end] + "]]" + text[end:right]
            out.append(f"  @{start} {place}: " + " ".join(snippet.split()))
            shown_until = end + context // 2
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("sample", "sheet"))
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--data", type=Path, required=True, help="folder for news-dev20k.jsonl")
    args = parser.parse_args()
    if args.command == "sample":
        print("\n".join(draw_sample(args.data)))
    elif args.command == "sheet":
        ids = args.ids or [line.strip() for line in sys.stdin if line.strip()]
        print(sheet(args.data, ids))


if __name__ == "__main__":
    main()
