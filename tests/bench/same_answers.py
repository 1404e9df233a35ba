"""Whether two versions of the engine, each on its own index of the same documents, give the same answers.

    git worktree add /tmp/before main
    PYTHONPATH=/tmp/before python -m searcher index --index-dir /tmp/before-index /tmp/bench/news-dev20k.jsonl
    PYTHONPATH=. python -m searcher index --index-dir /tmp/after-index /tmp/bench/news-dev20k.jsonl
    python tests/bench/same_answers.py --before-code /tmp/before --before-index /tmp/before-index \\
        --index /tmp/after-index

For a change of the index's format that must not change any answer. The queries: the 80 news
known-item queries as written and without diacritics, and their first three words quoted, both ways
(280 distinct queries with the news-dev set), each asked for its first ``--limit`` hits and, with
``--facets``, the place and date counts. Each version answers in its own process (the two cannot share
one: same package name), with the caches of a fresh engine. Compared: every hit's id, score (the
engine's, not its 4 decimals shown, rounded to ``--decimals``), title, snippet, date, places and
duplicates, the total and the notes. Prints the
queries that differ (at most ``--show``) and a summary line; exits 1 if any differs.

The mean reciprocal rank of the first relevant document among the first 10 hits of the 80 queries as
written and without diacritics is printed for both, as a check that the queries found something.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from datasets import load_news_queries, strip_diacritics  # noqa: E402


def worker(code: str, index: str, limit: int, decimals: int, facets: bool) -> None:
    """Answer the queries read from stdin (one JSON string a line) with the engine of ``code``: one
    JSON object a line."""
    sys.path.insert(0, code)
    import builtins

    from searcher import Engine
    from searcher.search import engine as module

    # the engine rounds each hit's score to 4 decimals: kept whole here, compared to ``decimals``
    module.round = lambda number, digits=None: number if digits == 4 else builtins.round(number, digits)  # type: ignore[attr-defined]
    engine = Engine(index)
    for line in sys.stdin:
        text = json.loads(line)
        result = engine.search(text, limit=limit, facets=facets)
        answer = {
            "total": result.total,
            "notes": [str(note) for note in result.notes],
            "hits": [
                {
                    "id": hit.id,
                    "score": round(hit.score, decimals),
                    "title": hit.title,
                    "snippet": hit.snippet,
                    "date": hit.date,
                    "places": hit.places,
                    "duplicates": hit.duplicates,
                }
                for hit in result.hits
            ],
        }
        if facets:
            answer["facets"] = getattr(result, "facets", None)
        print(json.dumps(answer, ensure_ascii=False, sort_keys=True, default=str), flush=True)
    engine.close()


def queries() -> list[str]:
    """The known-item queries as written and without diacritics, then their first three words quoted."""
    written = [q["query"] for q in load_news_queries()]
    texts = written + [strip_diacritics(q) for q in written]
    quoted = [f'"{" ".join(text.split()[:3])}"' for text in texts]
    return list(dict.fromkeys(texts + quoted))


def answers(code: str, index: str, texts: list[str], args) -> list[dict]:
    command = [sys.executable, __file__, "--worker", code, "--index", index]
    command += ["--limit", str(args.limit), "--decimals", str(args.decimals)]
    command += ["--facets"] if args.facets else []
    stdin = "".join(json.dumps(text, ensure_ascii=False) + "\n" for text in texts)
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def in_tie_order(answer: dict) -> dict:
    """``answer`` with its hits of equal scores in id order."""
    return {**answer, "hits": sorted(answer["hits"], key=lambda hit: (-hit["score"], hit["id"]))}


def cut_tie_only(before: dict, after: dict) -> bool:
    """Whether two answers differ only in which hits of the last (lowest) score the limit kept."""
    a, b = in_tie_order(before), in_tie_order(after)
    if len(a["hits"]) != len(b["hits"]) or not a["hits"]:
        return False
    last = a["hits"][-1]["score"]
    if b["hits"][-1]["score"] != last:
        return False
    kept = (
        [hit for hit in a["hits"] if hit["score"] != last],
        [hit for hit in b["hits"] if hit["score"] != last],
    )
    return kept[0] == kept[1] and {**a, "hits": []} == {**b, "hits": []}


def first_difference(a, b, where: str = "") -> tuple[str, object, object]:
    """(path, value before, value after) of the first place two answers differ."""
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        for key in a:
            if a[key] != b[key]:
                return first_difference(a[key], b[key], f"{where}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for n, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{where}[{n}]")
    return where, a, b


def reciprocal_rank(hits: list[dict], relevant: set[str]) -> float:
    for rank, hit in enumerate(hits[:10], 1):
        if hit["id"] in relevant:
            return 1 / rank
    return 0.0


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before-code", help="the older checkout (its folder holding searcher/)")
    parser.add_argument("--before-index", help="the index the older version built")
    parser.add_argument("--index", required=True, help="the index this version built")
    parser.add_argument(
        "--code", default=str(HERE.parents[1]), help="this version's checkout (default: this one)"
    )
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--decimals", type=int, default=9)
    parser.add_argument("--facets", action="store_true")
    parser.add_argument("--show", type=int, default=5, help="queries that differ to print")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.index, args.limit, args.decimals, args.facets)
        return
    if not (args.before_code and args.before_index):
        parser.error("--before-code and --before-index are needed")
    texts = queries()
    before = answers(args.before_code, args.before_index, texts, args)
    after = answers(args.code, args.index, texts, args)
    differ = [n for n in range(len(texts)) if before[n] != after[n]]
    # documents of equal scores come in document number order, and a parallel build numbers them as
    # its workers happen to take them: hits of one score are compared as a set, and a set cut by the
    # limit is only told
    ties = [n for n in differ if in_tie_order(before[n]) == in_tie_order(after[n])]
    cut = [n for n in differ if n not in ties and cut_tie_only(before[n], after[n])]
    differ = [n for n in differ if n not in ties and n not in cut]
    for n in differ[: args.show]:
        where, old, new = first_difference(before[n], after[n])
        print(f"differs: {texts[n]!r} at {where}\n  before {old!r:.300}\n  after  {new!r:.300}")
    judged = [(q["query"], set(q["relevant_ids"])) for q in load_news_queries()]
    judged += [(strip_diacritics(text), relevant) for text, relevant in judged]
    row = {text: n for n, text in enumerate(texts)}
    for name, found in (("before", before), ("after", after)):
        ranks = [reciprocal_rank(found[row[text]]["hits"], relevant) for text, relevant in judged]
        print(f"{name}: MRR@10 {sum(ranks) / len(ranks):.3f} over {len(ranks)} queries")
    hits = sum(len(answer["hits"]) for answer in after)
    print(
        f"{len(texts)} queries, {hits} hits: {len(differ)} differ; {len(ties)} only in the order of hits"
        f" of equal scores, {len(cut)} only in which hits of the last score the limit keeps"
    )
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
