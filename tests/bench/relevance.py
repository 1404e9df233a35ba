"""Ranking quality and query latency of our engine beside two baselines, on the shared judged sets.

    python tests/bench/relevance.py                         # legal set: 946 questions, with/without diacritics
    python tests/bench/relevance.py --news                  # plus the 80 news known-item queries (20,000 articles)
    python tests/bench/relevance.py --systems whoosh-standard,sqlite-fts5 --limit-queries 100
    python tests/bench/relevance.py --keep-index /tmp/bench --json /tmp/bench/relevance.json

Progress goes to stderr, Markdown tables (for the README) to stdout. All systems run in this one
process, one after the other, on the same data. Latency is the wall time of each search call (our
engine's includes its snippets); each system answers one untimed query first so that opening its index
is not counted as a query.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(REPO))

from baselines import SYSTEMS  # noqa: E402
from datasets import (  # noqa: E402
    LEGAL,
    NEWS_STYLES,
    alias_only_queries,
    build_news_dev,
    legal_alias_ids,
    load_legal,
    load_legal_qrels,
    load_news_queries,
    read_jsonl,
    same_text_ids,
    strip_diacritics,
)
from intent import run_intent  # noqa: E402
from metrics import mean, mrr_at_k, ndcg_at_k, percentile, recall_at_k  # noqa: E402

K = 10
WARM_UP_QUERY = "điều khoản"


@dataclass
class Query:
    qid: str
    text: str
    relevant: frozenset[str]
    style: str = ""


@dataclass
class Run:
    """One system's answers to one list of queries: metrics and latency per query."""

    ndcg: list[float] = field(default_factory=list)
    mrr: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    first_rank: dict[str, int | None] = field(default_factory=dict)

    def summary(self) -> dict:
        return {
            "n": len(self.ms),
            "ndcg": mean(self.ndcg),
            "mrr": mean(self.mrr),
            "recall": mean(self.recall),
            "p50_ms": percentile(self.ms, 50),
            "p95_ms": percentile(self.ms, 95),
        }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- running ---------------------------------------------------------------------------------------


def judge_by_alias(aliases: dict[str, set[str]]):
    """A hit is relevant when its id, or the id of an article merged into it, is judged relevant: the
    hit is then replaced by that judged id before scoring."""

    def judge(ranked: list[str], relevant: frozenset[str]) -> list[str]:
        out = []
        for doc_id in ranked:
            matched = relevant & aliases.get(doc_id, set()) if doc_id not in relevant else ()
            out.append(min(matched) if matched else doc_id)
        return out

    return judge


def run_queries(system, queries: list[Query], label: str, judge=None) -> Run:
    run = Run()
    system.search(WARM_UP_QUERY, K)
    started = time.perf_counter()
    for done, query in enumerate(queries, 1):
        t0 = time.perf_counter()
        ranked = system.search(query.text, K)
        run.ms.append((time.perf_counter() - t0) * 1000)
        if judge is not None:
            ranked = judge(ranked, query.relevant)
        run.ndcg.append(ndcg_at_k(ranked, query.relevant, K))
        run.mrr.append(mrr_at_k(ranked, query.relevant, K))
        run.recall.append(recall_at_k(ranked, query.relevant, K))
        run.first_rank[query.qid] = next(
            (i + 1 for i, d in enumerate(ranked[:K]) if d in query.relevant), None
        )
        if done % 100 == 0 or done == len(queries):
            log(
                f"  {system.name} {label}: {done}/{len(queries)} queries, {time.perf_counter() - started:.1f} s"
            )
    return run


def build_system(name: str, folder: Path, source: Path):
    """A system with its index built in ``folder`` on the records of ``source``, and its build time."""
    system = SYSTEMS[name](folder)
    log(f"{name}: building index in {folder}")
    started = time.perf_counter()
    system.build(read_jsonl(source), source=source)
    seconds = time.perf_counter() - started
    summary = getattr(system, "summary", None)
    reused = bool(summary is not None and not summary.rebuilt and summary.added == 0 and summary.updated == 0)
    log(f"{name}: built in {seconds:.1f} s" + (" (kept index, nothing changed)" if reused else ""))
    return system, {"build_s": seconds, "index_reused": reused}


# --- tables ----------------------------------------------------------------------------------------


def metric_cells(m: dict) -> str:
    return (
        f"{m['n']} | {m['ndcg']:.3f} | {m['mrr']:.3f} | {m['recall']:.3f} | "
        f"{m['p50_ms']:.1f} | {m['p95_ms']:.1f}"
    )


def build_cell(info: dict) -> str:
    return f"{info['build_s']:.1f}" + (" (kept)" if info["index_reused"] else "")


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


# --- data sets -------------------------------------------------------------------------------------


def legal(names: list[str], workdir: Path, limit: int | None) -> dict:
    docs = load_legal()
    qrels = load_legal_qrels()[:limit]
    # Identical articles are merged and the others' ids listed as aliases. If a judged id survived only
    # as an alias, the article holding it is the judged text, so a hit counts when its own id or one of
    # its aliases is relevant. On this corpus no judged id is an alias (the count is printed); the rule
    # keeps the figures right should the merge ever pick another article as the survivor.
    affected = alias_only_queries(qrels, docs)
    aliases = {doc["id"]: set(legal_alias_ids(doc)) for doc in docs if doc.get("aliases")}
    # Articles with the very same text (other laws or editions repeating it) are one text to a reader,
    # and an engine that groups duplicates shows one of them: any counts as the judged one.
    for doc_id, same in same_text_ids(docs).items():
        aliases.setdefault(doc_id, set()).update(same)
    judge = judge_by_alias(aliases)
    log(
        f"legal: {len(docs)} articles, {len(qrels)} questions; {len(affected)} with a relevant id only "
        f"found as an alias"
    )
    accented = [Query(q["qid"], q["query"], frozenset(q["relevant_ids"])) for q in qrels]
    plain = [Query(q.qid, strip_diacritics(q.text), q.relevant) for q in accented]

    results = {"documents": len(docs), "queries": len(qrels), "alias_only_queries": affected, "systems": {}}
    for name in names:
        system, info = build_system(name, workdir / "legal" / name, LEGAL)
        try:
            a = run_queries(system, accented, "accented", judge)
            u = run_queries(system, plain, "unaccented", judge)
        finally:
            system.close()
        results["systems"][name] = {
            **info,
            "accented": a.summary(),
            "unaccented": u.summary(),
            "ndcg_ratio": ratio(mean(u.ndcg), mean(a.ndcg)),
            "first_rank": {"accented": a.first_rank, "unaccented": u.first_rank},
        }
    print_legal(results)
    return results


def print_legal(results: dict) -> None:
    print(
        f"\n### Legal questions (ALQAC, {results['documents']:,} articles, {results['queries']} judged questions)\n"
    )
    print("| system | queries | n | nDCG@10 | MRR@10 | Recall@10 | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results["systems"].items():
        print(f"| {name} | with diacritics | {metric_cells(r['accented'])} |")
        print(f"| {name} | without diacritics | {metric_cells(r['unaccented'])} |")
    print("\n| system | build s | nDCG@10 without / with diacritics |")
    print("|---|---|---|")
    for name, r in results["systems"].items():
        print(f"| {name} | {build_cell(r)} | {fmt_ratio(r['ndcg_ratio'])} |")
    print(
        f"\nQuestions whose relevant article is only listed as an alias: {len(results['alias_only_queries'])}."
    )
    sys.stdout.flush()


def news(
    names: list[str], workdir: Path, limit: int | None, folders: dict[str, Path], intent: bool = False
) -> dict:
    log("news: rebuilding the 20,000-article sub-corpus from vntc.jsonl.gz and baomoi2017.jsonl.gz")
    started = time.perf_counter()
    source = build_news_dev(workdir)
    log(f"news: {source} ready in {time.perf_counter() - started:.1f} s")
    queries = [
        Query(q["qid"], q["query"], frozenset(q["relevant_ids"]), q["style"])
        for q in load_news_queries()[:limit]
    ]
    styles = [s for s in NEWS_STYLES if any(q.style == s for q in queries)]
    styles += sorted({q.style for q in queries} - set(styles))
    accented = [q for q in queries if q.style == "accented"]
    folded = [Query(q.qid, strip_diacritics(q.text), q.relevant, q.style) for q in accented]

    with open(source, "rb") as fh:
        documents = sum(1 for _ in fh)
    results = {"documents": documents, "queries": len(queries), "systems": {}}
    for name in names:
        system, info = build_system(name, folders.get(name, workdir / "news" / name), source)
        try:
            every = run_queries(system, queries, "all styles")
            plain = run_queries(system, folded, "accented, diacritics removed")
            if intent:
                # (with query intelligence off the reading is not used: no restoration figure)
                found = run_intent(system, source, log, restore=name != "ours-plain")
        finally:
            system.close()
        by_style = {}
        for style in styles:
            picked = [i for i, q in enumerate(queries) if q.style == style]
            part = Run(
                ndcg=[every.ndcg[i] for i in picked],
                mrr=[every.mrr[i] for i in picked],
                recall=[every.recall[i] for i in picked],
                ms=[every.ms[i] for i in picked],
            )
            by_style[style] = part.summary()
        accented_mrr = by_style.get("accented", {}).get("mrr", 0.0)
        results["systems"][name] = {
            **info,
            "styles": by_style,
            "all": every.summary(),
            "accented_unaccented": plain.summary(),
            "mrr_ratio": ratio(mean(plain.mrr), accented_mrr),
            "first_rank": {"all": every.first_rank, "accented_unaccented": plain.first_rank},
        }
        if intent:
            results["systems"][name]["intent"] = found
    print_news(results, styles)
    if intent:
        print_intent(results)
    return results


def print_intent(results: dict) -> None:
    systems = {name: r["intent"] for name, r in results["systems"].items()}
    first = next(iter(systems.values()))
    print(
        f"\n### What the query means (news-dev: {first['accent']['queries']} accent queries, "
        f"{first['places']['queries']} place queries over {first['places']['provinces']} provinces, "
        "sentences of other articles)\n"
    )
    print(
        "| system | accent fidelity | words | pairs | quoted pairs | with an unaccented word "
        "| place precision@10 | restoration (syllables) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, r in systems.items():
        kinds = r["accent"]["by_kind"]
        cells = [
            f"{kinds[k]['fidelity']:.3f}" if k in kinds else ""
            for k in ("word", "pair", "quoted pair", "with an unaccented word")
        ]
        restored = r.get("restoration")
        restored_cell = f"{restored['accuracy']:.4f} of {restored['syllables']:,}" if restored else "n/a"
        print(
            f"| {name} | {r['accent']['fidelity']:.3f} | {' | '.join(cells)} "
            f"| {r['places']['precision']:.3f} | {restored_cell} |"
        )
    sys.stdout.flush()


def print_news(results: dict, styles: list[str]) -> None:
    print(
        f"\n### News known-items (news-dev, {results['documents']:,} articles, {results['queries']} queries)\n"
    )
    print("| system | style | n | nDCG@10 | MRR@10 | Recall@10 | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results["systems"].items():
        for style in styles:
            print(f"| {name} | {style} | {metric_cells(r['styles'][style])} |")
        print(f"| {name} | **all** | {metric_cells(r['all'])} |")
        print(f"| {name} | accented, diacritics removed | {metric_cells(r['accented_unaccented'])} |")
    print("\n| system | build s | MRR@10 of the accented queries without / with diacritics |")
    print("|---|---|---|")
    for name, r in results["systems"].items():
        print(f"| {name} | {build_cell(r)} | {fmt_ratio(r['mrr_ratio'])} |")
    sys.stdout.flush()


# --- command line ----------------------------------------------------------------------------------


def environment() -> dict:
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except OSError:
        commit = ""
    import whoosh

    return {
        "commit": commit,
        "python": platform.python_version(),
        "whoosh": whoosh.versionstring(),
        "sqlite": sqlite3.sqlite_version,
        "machine": platform.machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--systems",
        default=",".join(n for n in SYSTEMS if n != "ours-before"),
        help=f"comma-separated, from {', '.join(SYSTEMS)} (default: all but ours-before, which "
        "--before-code adds)",
    )
    parser.add_argument("--news", action="store_true", help="also run the news known-item queries")
    parser.add_argument("--no-legal", action="store_true", help="skip the legal set")
    parser.add_argument("--limit-queries", type=int, metavar="N", help="only the first N queries of each set")
    parser.add_argument(
        "--keep-index",
        metavar="DIR",
        help="build the indexes (and the news JSONL) under DIR and keep them; our index "
        "there is then updated incrementally on the next run, the baselines rebuilt",
    )
    parser.add_argument(
        "--news-index",
        metavar="DIR",
        help="our engine's news index folder (default: under --keep-index or a temporary folder)",
    )
    parser.add_argument("--json", metavar="OUT", help="also write every figure, per query too, to OUT")
    parser.add_argument(
        "--intent",
        action="store_true",
        help="with --news: also accent fidelity, place precision and restoration accuracy (tests/bench/intent.py)",
    )
    parser.add_argument(
        "--before-code",
        metavar="DIR",
        help="a checkout of an older version: adds the system ours-before, that version's engine in a "
        "worker process on an index it builds (or updates) itself",
    )
    args = parser.parse_args(argv)
    args.names = [n.strip() for n in args.systems.split(",") if n.strip()]
    if args.before_code:
        SYSTEMS["ours-before"].code = Path(args.before_code).resolve()
        if "ours-before" not in args.names:
            args.names.insert(0, "ours-before")
    unknown = [n for n in args.names if n not in SYSTEMS]
    if unknown or not args.names:
        parser.error(
            f"unknown system(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(SYSTEMS)}"
        )
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("SEARCH_RESULT_CACHE", "0")  # every query searched, not answered from memory
    temp = None
    if args.keep_index:
        workdir = Path(args.keep_index).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        temp = tempfile.TemporaryDirectory(prefix="bench-relevance-")
        workdir = Path(temp.name)
    results: dict = {"environment": environment(), "k": K, "systems": args.names}
    try:
        if not args.no_legal:
            results["legal"] = legal(args.names, workdir, args.limit_queries)
        if args.news:
            folders = (
                {name: Path(args.news_index).resolve() for name in ("ours", "ours-plain")}
                if args.news_index
                else {}
            )
            results["news"] = news(args.names, workdir, args.limit_queries, folders, args.intent)
    finally:
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
            log(f"figures written to {args.json}")
        if temp is not None:
            temp.cleanup()


if __name__ == "__main__":
    main()
