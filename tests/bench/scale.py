"""Archive scale: build, update and query the news corpus, beside SQLite FTS5, Tantivy and Whoosh.

    python tests/bench/scale.py --limit 5000 --workdir /tmp/scale        # a subset, minutes
    python tests/bench/scale.py --workdir /tmp/scale                      # all 119,572 articles
    python tests/bench/scale.py --limit 20000 --systems ours,sqlite-fts5 --json /tmp/scale/20k.json

The records of ``vntc.jsonl.gz`` and ``baomoi2017.jsonl.gz`` are written, as read, to one JSONL file in
the work folder (``--limit N``: the first N articles, taken from both files in proportion to their
sizes). Our engine indexes that file the way users do (``python -m searcher index FILE``, in a
process of its own, ``--jobs`` workers); the references (SQLite FTS5 with ``unicode61
remove_diacritics 2``, Tantivy's default tokenizer, Whoosh's ``StandardAnalyzer``) index the same titles
and texts (NFC) in this process; Whoosh's OR queries are slow, so only ``--whoosh-queries`` of each set
are timed for it. Reported, per system where it applies:

- build: wall time, documents per second, peak RSS (the indexing process and its workers together),
  size on disk;
- ours only: re-running ``search index`` on the unchanged file, then an update after 1,000 articles of
  the file changed, new files (``search index FILE`` for one report and its delay until an open
  engine finds it, for a JSONL file of 1,000 new articles, and ``--watch`` from a file's write until it
  is found: :func:`new_files`), the CLI's cold start (``python -m searcher query``, a new process each time, median
  of several) and the RSS of ``search serve`` after 1,000 queries;
- query latency p50/p95/p99 (ms, nearest rank) for four sets drawn from the corpus with a fixed seed:
  short keyword queries (2-3 syllables of a title) with diacritics and without, 3-word phrase queries
  (quoted) and 20-word questions (20 consecutive words of an article); each query retrieves the top 10
  with highlighted snippets.

The engine's result cache is off (``SEARCH_RESULT_CACHE=0`` unless set), so every query is searched.
The machine's load average is printed with the figures: on a shared machine compare the systems of
one run rather than runs. Markdown goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import CORPUS, NEWS_SOURCES, strip_diacritics  # noqa: E402
from metrics import percentile  # noqa: E402
from web_load import start_server  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SYSTEMS = ("ours", "sqlite-fts5", "tantivy", "whoosh-standard")
QUERY_SETS = ("keyword", "keyword-unaccented", "phrase", "question")
CHANGED = 1000  # articles changed for the incremental update
_WORD = re.compile(r"[^\W\d_]+")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


# --- corpus and queries ------------------------------------------------------------------------------


def write_corpus(workdir: Path, limit: int | None) -> Path:
    """The first ``limit`` articles (all without a limit) as one JSONL file; reused when present."""
    counts = {"vntc.jsonl.gz": 84_132, "baomoi2017.jsonl.gz": 35_440}
    total = sum(counts.values())
    wanted = dict(counts)
    if limit and limit < total:
        wanted["vntc.jsonl.gz"] = round(limit * counts["vntc.jsonl.gz"] / total)
        wanted["baomoi2017.jsonl.gz"] = limit - wanted["vntc.jsonl.gz"]
    path = workdir / f"news-{sum(wanted.values())}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as out:
            for name in NEWS_SOURCES:
                with gzip.open(CORPUS / name) as src:
                    for line in itertools.islice(src, wanted[name]):
                        out.write(line)
        os.replace(tmp, path)
    return path


def read_records(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def make_queries(records: list[dict], per_set: int, seed: int = 6) -> dict[str, list[str]]:
    """Query sets drawn from the articles themselves, so every query has answers at any size."""
    rng = random.Random(seed)
    keyword, phrase, question = [], [], []
    while len(keyword) < per_set or len(phrase) < per_set or len(question) < per_set:
        doc = rng.choice(records)
        title_words = _WORD.findall(unicodedata.normalize("NFC", doc.get("title") or ""))
        words = _WORD.findall(unicodedata.normalize("NFC", doc["text"]))
        if len(keyword) < per_set and len(title_words) >= 3:
            n = rng.choice((2, 3))
            start = rng.randrange(len(title_words) - n + 1)
            keyword.append(" ".join(title_words[start : start + n]).lower())
        if len(words) < 40:
            continue
        if len(phrase) < per_set:
            start = rng.randrange(len(words) - 3)
            phrase.append('"' + " ".join(words[start : start + 3]).lower() + '"')
        if len(question) < per_set:
            start = rng.randrange(len(words) - 20)
            question.append(" ".join(words[start : start + 20]).lower())
    return {
        "keyword": keyword,
        "keyword-unaccented": [strip_diacritics(q) for q in keyword],
        "phrase": phrase,
        "question": question,
    }


# --- measuring processes -------------------------------------------------------------------------------


def tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants, in kB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as fh:
                pages = int(fh.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total


def run_measured(cmd: list[str]) -> tuple[float, int, str]:
    """Run ``cmd``; its wall time, the peak RSS (kB) of its process tree, and its stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.wait(0.25):
            peak = max(peak, tree_rss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    took = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return took, peak, out


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def latencies(search, queries: dict[str, list[str]]) -> dict[str, dict]:
    """p50/p95/p99 (ms) of ``search(query)`` per query set; one warm-up query first."""
    out = {}
    search(next(iter(queries.values()))[0])
    for name, items in queries.items():
        times = []
        for query in items:
            started = time.perf_counter()
            search(query)
            times.append((time.perf_counter() - started) * 1000)
        out[name] = {p: round(percentile(times, q), 1) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))}
    return out


# --- our engine ----------------------------------------------------------------------------------------


def bench_ours(
    source: Path, workdir: Path, queries: dict, jobs: int | None, cold_runs: int, reuse: bool = False
) -> dict:
    index_dir = workdir / "ours"
    if reuse and index_dir.exists():  # query figures only, over the index an earlier run built
        result = {"reused_index": True}
        return _query_ours(index_dir, result, queries, cold_runs)
    shutil.rmtree(index_dir, ignore_errors=True)
    cmd = [sys.executable, "-m", "searcher", "index", str(source), "--index-dir", str(index_dir), "--json"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    log(f"ours: building ({load_average()})")
    took, peak, out = run_measured(cmd)
    summary = json.loads(out)
    result = {
        "build_s": round(took, 1),
        "documents": summary["documents"],
        "peak_rss_mb": peak // 1024,
        "docs_per_s": round(summary["documents"] / took, 1),
        "size_mb": folder_bytes(index_dir) // 2**20,
        "load_build": load_average(),
    }
    log(f"ours: {result}")

    took, _, out = run_measured(cmd)
    result["rerun_unchanged_s"] = round(took, 1)
    log(f"ours: re-run on the unchanged file {took:.1f}s ({json.loads(out)['unchanged']} unchanged)")

    change_records(source, CHANGED)
    took, peak, out = run_measured(cmd)
    summary = json.loads(out)
    result.update(update_s=round(took, 1), updated=summary["updated"], update_peak_rss_mb=peak // 1024)
    log(f"ours: update of {summary['updated']} changed articles {took:.1f}s")

    result.update(new_files(source, workdir, index_dir))
    return _query_ours(index_dir, result, queries, cold_runs)


def write_new_articles(path: Path, records: list[dict], count: int = 1000) -> Path:
    """``count`` articles the index does not hold: ``records`` again under new ids, each with a line
    of its own, so that none is a copy of another (JSONL at ``path``)."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            record = dict(records[i % len(records)])
            record["id"] = f"new-{i}"
            record["text"] = record["text"] + f"\nTin bổ sung số {i}."
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def new_files(source: Path, workdir: Path, index_dir: Path, runs: int = 5) -> dict:
    """Seconds until new files are searchable: ``search index FILE`` for one new report (its wall
    time, then how long an open engine takes to find it), a JSONL file of 1,000 new articles, and
    ``--watch``: from a new file's write until an open engine finds it. Medians of ``runs``."""
    from searcher.search.engine import Engine

    inbox = workdir / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir()
    records = [json.loads(line) for line in itertools.islice(source.open(encoding="utf-8"), 200)]
    engine = Engine(index_dir)
    engine.search("khởi động")  # a searcher opened before the files come

    def report_file(name: str, record: dict, word: str) -> Path:
        path = inbox / name
        path.write_text(f"{record['title']}\n\n{record['text']}\nMã tin {word}.\n", encoding="utf-8")
        return path

    def found_after(word: str, started: float, limit_s: float = 60.0) -> float:
        while time.perf_counter() - started < limit_s:
            if engine.search(word).total:
                return time.perf_counter() - started
            time.sleep(0.02)
        return float("inf")

    one, seen = [], []
    for i in range(runs):
        word = f"moitin{i}x{os.getpid()}"
        path = report_file(f"one-{i}.txt", records[i], word)
        took, _, _ = run_measured(
            [sys.executable, "-m", "searcher", "index", str(path), "--index-dir", str(index_dir), "--json"]
        )
        one.append(took)
        seen.append(found_after(word, time.perf_counter()))
    log(f"ours: one new file {one} s, then found by an open engine after {seen} s")

    batch = write_new_articles(workdir / "new-1000.jsonl", records)
    took_1000, _, out_text = run_measured(
        [sys.executable, "-m", "searcher", "index", str(batch), "--index-dir", str(index_dir), "--json"]
    )
    log(f"ours: 1,000 new articles {took_1000:.1f}s ({json.loads(out_text)['added']} added)")

    watched = workdir / "watched"
    shutil.rmtree(watched, ignore_errors=True)
    watched.mkdir()
    watcher = subprocess.Popen(
        [sys.executable, "-m", "searcher", "index", "--watch", str(watched), "--index-dir", str(index_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    watch_s = []
    try:
        time.sleep(5)  # its first run (the folder is empty)
        for i in range(runs):
            word = f"theodoi{i}x{os.getpid()}"
            started = time.perf_counter()
            (watched / f"w-{i}.txt").write_text(
                f"{records[i]['title']}\n\n{records[i]['text']}\nMã tin {word}.\n", encoding="utf-8"
            )
            watch_s.append(found_after(word, started))
    finally:
        watcher.terminate()
        watcher.wait(30)
    engine.close()
    log(f"ours: --watch, written to found {watch_s} s")
    return {
        "one_file_index_s": round(statistics.median(one), 2),
        "one_file_found_after_s": round(statistics.median(seen), 2),
        "new_1000_s": round(took_1000, 1),
        "watch_found_s": round(statistics.median(watch_s), 2),
    }


def _query_ours(index_dir: Path, result: dict, queries: dict, cold_runs: int) -> dict:
    from searcher.search.engine import Engine

    engine = Engine(index_dir)
    log(f"ours: queries ({load_average()})")
    result["latency"] = latencies(lambda q: engine.search(q, limit=10), queries)
    result["load_queries"] = load_average()
    engine.close()
    result["cold_start_s"] = cold_start(index_dir, queries["keyword"][0], cold_runs)
    result["server_rss_mb"] = server_rss_after(index_dir, queries, 1000)
    log(f"ours: cold start {result['cold_start_s']} s, server RSS {result['server_rss_mb']} MB")
    return result


def change_records(source: Path, count: int) -> None:
    """Rewrite ``source`` with ``count`` records, spread over the file, given a new last sentence."""
    lines = source.read_bytes().splitlines()
    step = max(1, len(lines) // count)
    stamp = time.strftime("%H%M%S")
    for i in range(0, min(len(lines), step * count), step):
        record = json.loads(lines[i])
        record["text"] += f"\nBài viết được cập nhật lúc {stamp}."
        lines[i] = json.dumps(record, ensure_ascii=False).encode("utf-8")
    tmp = source.with_suffix(".tmp")
    tmp.write_bytes(b"\n".join(lines) + b"\n")
    os.replace(tmp, source)


def cold_start(index_dir: Path, query: str, runs: int) -> dict:
    """Wall time of ``python -m searcher query`` in a new process (index files in the page cache)."""
    cmd = [sys.executable, "-m", "searcher", "query", query, "--index-dir", str(index_dir), "--json"]
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return {"first": round(times[0], 2), "median": round(statistics.median(times[1:]), 2)}


def server_rss_after(index_dir: Path, queries: dict, count: int) -> int:
    """RSS (MB) of ``search serve`` after ``count`` /search.json requests cycling through the sets."""
    proc, host, port = start_server(index_dir, threads=8)
    try:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        cycle = itertools.cycle(q for items in queries.values() for q in items)
        for _ in range(count):
            conn.request("GET", "/search.json?" + urllib.parse.urlencode({"q": next(cycle)}))
            conn.getresponse().read()
        conn.close()
        return tree_rss_kb(proc.pid) // 1024
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --- references ----------------------------------------------------------------------------------------


def nfc_docs(records: list[dict]):
    for r in records:
        yield (
            r["id"],
            unicodedata.normalize("NFC", r.get("title") or ""),
            unicodedata.normalize("NFC", r["text"]),
        )


def fresh_folder(folder: Path, system: str) -> Path:
    """An empty ``folder`` for a reference system's index, and the log line that it starts building."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log(f"{system}: building ({load_average()})")
    return folder


def bench_fts5(records: list[dict], workdir: Path, queries: dict) -> dict:
    folder = fresh_folder(workdir / "fts5", "sqlite-fts5")
    started = time.perf_counter()
    db = sqlite3.connect(folder / "fts5.sqlite3")
    db.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, title, text, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    db.executemany("INSERT INTO fts (id, title, text) VALUES (?, ?, ?)", nfc_docs(records))
    db.commit()
    took = time.perf_counter() - started

    def search(query: str):
        words = _WORD.findall(query)
        if not words:
            return []
        if query.startswith('"'):
            match = '"' + " ".join(words) + '"'
        else:
            match = " OR ".join(f'"{w}"' for w in words)
        return db.execute(
            "SELECT id, snippet(fts, 2, '<mark>', '</mark>', '…', 24) FROM fts "
            "WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT 10",
            (match,),
        ).fetchall()

    result = {
        "build_s": round(took, 1),
        "docs_per_s": round(len(records) / took, 1),
        "size_mb": folder_bytes(folder) // 2**20,
        "latency": latencies(search, queries),
    }
    db.close()
    log(f"sqlite-fts5: {result}")
    return result


def bench_tantivy(records: list[dict], workdir: Path, queries: dict) -> dict:
    import tantivy

    folder = fresh_folder(workdir / "tantivy", "tantivy")
    started = time.perf_counter()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True)
    builder.add_text_field("text", stored=True)
    schema = builder.build()
    index = tantivy.Index(schema, path=str(folder))
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    for doc_id, title, text in nfc_docs(records):
        writer.add_document(tantivy.Document(id=doc_id, title=title, text=text))
    writer.commit()
    writer.wait_merging_threads()
    took = time.perf_counter() - started
    index.reload()
    searcher = index.searcher()

    def search(query: str):
        words = _WORD.findall(query)
        if not words:
            return []
        text = '"' + " ".join(words) + '"' if query.startswith('"') else " ".join(words)
        parsed = index.parse_query(text, ["title", "text"])
        hits = searcher.search(parsed, 10).hits
        snippets = tantivy.SnippetGenerator.create(searcher, parsed, schema, "text")
        return [snippets.snippet_from_doc(searcher.doc(address)).to_html() for _, address in hits]

    result = {
        "build_s": round(took, 1),
        "docs_per_s": round(len(records) / took, 1),
        "size_mb": folder_bytes(folder) // 2**20,
        "latency": latencies(search, queries),
    }
    log(f"tantivy: {result}")
    return result


# --- report --------------------------------------------------------------------------------------------


def bench_whoosh_standard(records: list[dict], workdir: Path, queries: dict, per_set: int) -> dict:
    """Whoosh out of the box: StandardAnalyzer on title and text, its query parser (OR of the words),
    BM25F, highlights from Whoosh's highlighter; two writer processes. Its OR queries score every
    posting in Python, so only the first ``per_set`` queries of each set are timed."""
    from whoosh import index as whoosh_index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser, OrGroup

    folder = fresh_folder(workdir / "whoosh-standard", "whoosh-standard")
    started = time.perf_counter()
    schema = Schema(
        id=ID(stored=True),
        title=TEXT(analyzer=StandardAnalyzer(), stored=True),
        text=TEXT(analyzer=StandardAnalyzer(), stored=True),
    )
    ix = whoosh_index.create_in(str(folder), schema)
    writer = ix.writer(procs=2, limitmb=256, multisegment=True)
    for doc_id, title, text in nfc_docs(records):
        writer.add_document(id=doc_id, title=title, text=text)
    writer.commit()
    took = time.perf_counter() - started
    parser = MultifieldParser(["title", "text"], schema, group=OrGroup)
    searcher = ix.searcher()

    def search(query: str):
        hits = searcher.search(parser.parse(query), limit=10)
        return [(hit["id"], hit.highlights("text")) for hit in hits]

    result = {
        "build_s": round(took, 1),
        "docs_per_s": round(len(records) / took, 1),
        "size_mb": folder_bytes(folder) // 2**20,
        "queries_per_set": per_set,
        "latency": latencies(search, {name: items[:per_set] for name, items in queries.items()}),
    }
    searcher.close()
    log(f"whoosh-standard: {result}")
    return result


def markdown(results: dict, documents: int) -> str:
    lines = [
        f"Documents: {documents:,}; load average at the start: {results['load_start']}",
        "",
        "| system | build | docs/s | peak RSS | size on disk |",
        "|---|---|---|---|---|",
    ]
    for name in SYSTEMS:
        r = results.get(name)
        if r and "build_s" in r:
            rss = f"{r['peak_rss_mb']} MB" if "peak_rss_mb" in r else "(in process)"
            lines.append(f"| {name} | {r['build_s']} s | {r['docs_per_s']} | {rss} | {r['size_mb']} MB |")
    lines += [
        "",
        "Query latency, top 10 with highlighted snippets, ms p50 / p95 / p99:",
        "",
        "| system | " + " | ".join(QUERY_SETS) + " |",
        "|---" * (len(QUERY_SETS) + 1) + "|",
    ]
    for name in SYSTEMS:
        r = results.get(name)
        if r:
            cells = [
                f"{r['latency'][s]['p50']} / {r['latency'][s]['p95']} / {r['latency'][s]['p99']}"
                for s in QUERY_SETS
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    ours = results.get("ours")
    if ours:
        lines += ["", "| ours | figure |", "|---|---|"]
        if "update_s" in ours:
            lines += [
                f"| re-run on the unchanged corpus | {ours['rerun_unchanged_s']} s |",
                f"| update after {ours['updated']:,} articles changed | {ours['update_s']} s |",
                f"| `search index FILE`, one new report (median of 5) | {ours['one_file_index_s']} s |",
                f"| ... then found by an open engine after | {ours['one_file_found_after_s']} s |",
                f"| `search index FILE`, 1,000 new articles in one JSONL file | {ours['new_1000_s']} s |",
                f"| `--watch`: a new file written to found (median of 5) | {ours['watch_found_s']} s |",
            ]
        lines += [
            f"| `search query` cold start (first / median) | {ours['cold_start_s']['first']} s / "
            f"{ours['cold_start_s']['median']} s |",
            f"| `search serve` RSS after 1,000 queries | {ours['server_rss_mb']} MB |",
        ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="the first N articles (default: all)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scale-bench"))
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--jobs", type=int, default=None, help="our indexer's worker processes")
    parser.add_argument("--queries", type=int, default=100, help="queries per set")
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument(
        "--reuse-index",
        action="store_true",
        help="ours: query the index an earlier run left in the work folder (no build figures)",
    )
    parser.add_argument(
        "--whoosh-queries",
        type=int,
        default=20,
        help="queries per set timed for whoosh-standard (its OR queries are slow)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write every figure to this file")
    args = parser.parse_args(argv)
    systems = [s for s in args.systems.split(",") if s]
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems: {', '.join(sorted(unknown))}")

    # every query searched, in this process and in the server (its environment is inherited)
    os.environ.setdefault("SEARCH_RESULT_CACHE", "0")
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {"load_start": load_average()}
    source = write_corpus(args.workdir, args.limit)
    records = read_records(source)
    queries = make_queries(records, args.queries)
    log(f"{len(records):,} articles in {source}; load {results['load_start']}")
    if "sqlite-fts5" in systems:
        results["sqlite-fts5"] = bench_fts5(records, args.workdir, queries)
    if "tantivy" in systems:
        results["tantivy"] = bench_tantivy(records, args.workdir, queries)
    if "whoosh-standard" in systems:
        results["whoosh-standard"] = bench_whoosh_standard(
            records, args.workdir, queries, args.whoosh_queries
        )
    documents = len(records)
    del records
    if "ours" in systems:
        results["ours"] = bench_ours(
            source, args.workdir, queries, args.jobs, args.cold_runs, args.reuse_index
        )
    results["load_end"] = load_average()
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(markdown(results, documents))
    print(f"\nLoad average at the end: {results['load_end']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
