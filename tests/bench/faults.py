"""Load with faults: concurrent clients against ``search serve`` while the index is updated, rebuilt
twice, and a third rebuild is killed with SIGKILL; then nothing may be lost.

    python tests/bench/faults.py                       # 32 clients, 2,000 legal articles as .txt files
    python tests/bench/faults.py --docs 3552 --clients 32 --workdir /tmp/faults

Steps, all while the clients run (queries from the judged legal questions, with and without
diacritics, plus document fetches by id):
  1. an incremental update: 100 files changed, 50 added, 20 removed;
  2. a full rebuild (``search index --rebuild``);
  3. a rebuild killed with ``kill -9`` at a random moment;
  4. a full rebuild again.
Afterwards: every document that should exist is fetched by id through /doc.json (documents lost),
``search verify`` is run, and the clients' requests, errors and latency are reported.

Damage rounds (``--damage``, no server): an index of ``--docs`` legal articles is built, its answers to
the judged questions noted, then each round damages a copy of its files, runs ``search verify`` and
asks every question again through a new engine, before the files are put back:

    python tests/bench/faults.py --damage --docs 1000 --rounds 300

  - flips: 1 to 8 random bits flipped in one random index file (segment files, table of contents,
    CURRENT, meta.json, checksums.json; not the side tables' SQLite files, which keep no checksums);
  - truncations: each file kind in turn cut at a random length, the side tables and the saved copy
    groups too.
An index must be flagged by ``verify`` whenever a byte differs, and a question may only be answered as
before or with an error. ``--without-record`` runs the same rounds with the checksums removed first
(an index built before they were recorded: the structural read alone).
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import load_legal, load_legal_qrels, strip_diacritics  # noqa: E402
from metrics import percentile  # noqa: E402
from web_load import client_loop, start_server  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def search_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "searcher", *args]


def write_docs(folder: Path, docs: list[dict]) -> dict[str, str]:
    """One .txt file per article (title line, then text); returns file name → title."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for i, doc in enumerate(docs):
        name = f"legal-{i:05d}.txt"
        (folder / name).write_text(f"{doc['title']}\n\n{doc['text']}\n", encoding="utf-8")
        names[name] = doc["title"]
    return names


def timed(step: str, log: list, args: list[str], **kw) -> subprocess.CompletedProcess:
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=REPO, **kw)
    log.append((step, time.perf_counter() - started, done.returncode))
    print(f"{step}: exit {done.returncode} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/search-faults"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--damage", action="store_true", help="damage rounds instead of the load steps")
    parser.add_argument("--rounds", type=int, default=300, help="byte-flip rounds with --damage")
    parser.add_argument("--queries", type=int, default=100, help="questions asked per damage round")
    parser.add_argument("--without-record", action="store_true", help="remove the checksums first")
    args = parser.parse_args()
    if args.damage:
        damage_rounds(args)
        return
    rng = random.Random(args.seed)

    import shutil

    shutil.rmtree(args.workdir, ignore_errors=True)
    folder, index_dir = args.workdir / "docs", args.workdir / "index"
    legal = load_legal()
    names = write_docs(folder, legal[: args.docs])
    log: list = []
    timed("initial index", log, search_cmd("index", str(folder), "--index-dir", str(index_dir)))

    questions = [q["query"] for q in load_legal_qrels()[:200]]
    texts = questions + [strip_diacritics(q) for q in questions]
    paths = [f"/search.json?{urllib.parse.urlencode({'q': t})}" for t in texts]
    removed = rng.sample(sorted(names), 20)  # removed in step 1: never fetched by the clients
    kept = sorted(set(names) - set(removed))
    paths += [f"/doc.json?{urllib.parse.urlencode({'id': n})}" for n in rng.sample(kept, min(200, len(kept)))]
    proc, host, port = start_server(index_dir, threads=8)
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + 24 * 3600  # the clients stop when the steps are done
    stop_flag = {"at": stop_at}

    def clients():
        workers = [
            threading.Thread(
                target=client_loop, args=(host, port, paths, stop_flag["at"], latencies, errors, i)
            )
            for i in range(args.clients)
        ]
        for w in workers:
            w.start()
        return workers

    # client_loop reads its stop time once: run the load in rounds of 20 s until the steps are done
    done_steps = threading.Event()
    load_started = time.perf_counter()

    def load():
        while not done_steps.is_set():
            stop_flag["at"] = time.perf_counter() + 20
            for w in clients():
                w.join()

    loader = threading.Thread(target=load)
    loader.start()
    try:
        time.sleep(10)
        # 1. incremental update: change 100, add 50, remove 20
        existing = sorted(names)
        for name in rng.sample(existing, 100):
            with open(folder / name, "a", encoding="utf-8") as fh:
                fh.write("\nSửa đổi bổ sung trong khi máy chủ đang phục vụ.\n")
        extra = write_docs(folder / "added", legal[args.docs : args.docs + 50])
        for name in removed:
            (folder / name).unlink()
        timed("incremental update", log, search_cmd("index", "--index-dir", str(index_dir)))
        expected = {n for n in names if n not in removed} | {f"added/{n}" for n in extra}
        # 2. full rebuild
        timed("rebuild 1", log, search_cmd("index", "--rebuild", "--index-dir", str(index_dir)))
        # 3. a rebuild killed at a random moment
        victim = subprocess.Popen(
            search_cmd("index", "--rebuild", "--index-dir", str(index_dir)),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        delay = rng.uniform(2, 20)
        time.sleep(delay)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        log.append((f"rebuild killed with SIGKILL after {delay:.1f} s", delay, victim.returncode))
        # 4. full rebuild again
        timed("rebuild 2", log, search_cmd("index", "--rebuild", "--index-dir", str(index_dir)))
        time.sleep(10)
    finally:
        done_steps.set()
        loader.join()
    load_s = time.perf_counter() - load_started

    lost = []
    base = f"http://{host}:{port}"
    for doc_id in sorted(expected):
        url = f"{base}/doc.json?{urllib.parse.urlencode({'id': doc_id})}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if json.load(response).get("id") != doc_id:
                    lost.append(doc_id)
        except OSError:
            lost.append(doc_id)
    proc.terminate()
    proc.wait(timeout=30)
    verify = timed("search verify", log, search_cmd("verify", "--index-dir", str(index_dir), "--json"))
    report = json.loads(verify.stdout)

    print(
        f"\n{args.clients} clients for {load_s:.0f} s against `search serve` over {args.docs} legal articles "
        f"as .txt files\n"
    )
    print("| step | seconds | exit |")
    print("|---|---:|---:|")
    for step, seconds, code in log:
        print(f"| {step} | {seconds:.1f} | {code} |")
    print("\n| requests | errors | req/s | p50 ms | p95 ms | documents expected | documents lost | verify |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    print(
        f"| {len(latencies)} | {len(errors)} | {len(latencies) / load_s:.1f} | {percentile(latencies, 50):.1f} | "
        f"{percentile(latencies, 95):.1f} | {len(expected)} | {len(lost)} | "
        f"{'ok' if report['ok'] else str(len(report['problems'])) + ' problems'} |"
    )
    for path in errors[:10]:
        print(f"error: {path}", file=sys.stderr)
    for doc_id in lost[:10]:
        print(f"lost: {doc_id}", file=sys.stderr)
    sys.exit(0 if not errors and not lost and report["ok"] else 1)


# --- damage rounds ----------------------------------------------------------------------------------
# the kinds of file a generation holds, by how their names end (a truncation round for each)
FILE_KINDS = (
    ".trm",
    ".pst",
    "._stored.col",
    "._body_len.col",
    ".date.col",
    ".toc",
    "CURRENT",
    "meta.json",
    "checksums.json",
)
# cut short, never flipped: SQLite keeps no checksums, so a value changed in a well-formed page of a
# side table cannot be seen; a saved copy-group array is read again from the index when unreadable
TRUNCATED_ONLY = ("lexicon.sqlite", "state.sqlite", ".npz")


def damage_rounds(args) -> None:
    import shutil

    from searcher.index import integrity, store
    from searcher.index.verify import verify_index
    from searcher.search.engine import Engine

    rng = random.Random(args.seed)
    shutil.rmtree(args.workdir, ignore_errors=True)
    folder, index_dir = args.workdir / "docs", args.workdir / "index"
    write_docs(folder, load_legal()[: args.docs])
    timed("index", [], search_cmd("index", str(folder), "--index-dir", str(index_dir), "--jobs", "1"))
    generation = store.current_generation(index_dir)
    assert generation is not None
    if args.without_record:
        (generation / integrity.RECORD).unlink()
    started = time.perf_counter()
    verify_index(index_dir, deep=False)
    verify_s = time.perf_counter() - started
    questions = [q["query"] for q in load_legal_qrels()[: args.queries // 2]]
    questions += [strip_diacritics(q) for q in questions]

    def answers() -> list:
        engine = Engine(index_dir)
        found = []
        try:
            for question in questions:
                try:
                    hits = engine.search(question, limit=10).hits
                    found.append([(h.id, round(h.score, 4), h.title, h.snippet) for h in hits])
                except store.IndexDamaged:
                    found.append("damaged")
                except Exception as exc:  # noqa: BLE001 (an error that does not say what is wrong)
                    found.append(f"error: {type(exc).__name__}")
        except store.IndexDamaged:  # (the engine refused before the first question)
            found = ["damaged"] * len(questions)
        finally:
            engine.close()
        return found

    expected = answers()
    files = sorted(p for p in generation.iterdir() if p.is_file() and _kind(p.name))
    files.append(index_dir / store.CURRENT)
    by_kind: dict[str, list[Path]] = {}
    for path in files:
        by_kind.setdefault(_kind(path.name), []).append(path)
    kinds = sorted(kind for kind in by_kind if kind not in TRUNCATED_ONLY)  # each as often
    rounds = [("flip", rng.choice(by_kind[rng.choice(kinds)])) for _ in range(args.rounds)]
    for kind in FILE_KINDS + TRUNCATED_ONLY:
        rounds += [("truncate", path) for path in files if path.name.endswith(kind)][:1]
    table: dict[tuple[str, str], Counter] = {}
    for n, (action, path) in enumerate(rounds, 1):
        original = path.read_bytes()
        changed = _flip(original, rng) if action == "flip" else original[: rng.randrange(len(original))]
        path.write_bytes(changed)
        try:
            try:
                flagged = not verify_index(index_dir, deep=False).ok
            except (store.IndexDamaged, FileNotFoundError):
                flagged = True
            except Exception as exc:  # noqa: BLE001
                print(f"verify raised {type(exc).__name__}: {exc}", file=sys.stderr)
                flagged = False
            got = answers()
        finally:
            path.write_bytes(original)
        counts = table.setdefault((action, _kind(path.name)), Counter())
        counts["rounds"] += 1
        counts["flagged"] += flagged
        counts["unflagged damage"] += not flagged and changed != original
        for before, after in zip(expected, got, strict=True):
            if after == "damaged":
                counts["told damaged"] += 1
            elif isinstance(after, str):
                counts["other error"] += 1
            elif after != before:
                counts["different, no error"] += 1
            else:
                counts["same"] += 1
        if n % 50 == 0:
            print(f"{n}/{len(rounds)} rounds", file=sys.stderr)
    _print_damage_table(args, table, len(questions), verify_s)
    bad = sum(c["unflagged damage"] + c["different, no error"] + c["other error"] for c in table.values())
    sys.exit(1 if bad else 0)


def _kind(name: str) -> str:
    if name == "CURRENT":
        return name
    for kind in FILE_KINDS + TRUNCATED_ONLY:
        if name.endswith(kind):
            return kind
    if name.endswith("_len.col"):
        return "other length column"
    return "other column" if name.endswith(".col") else ""


def _flip(data: bytes, rng: random.Random) -> bytes:
    changed = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        changed[rng.randrange(len(changed))] ^= 1 << rng.randrange(8)
    return bytes(changed)


def _print_damage_table(args, table: dict, questions: int, verify_s: float) -> None:
    record = "checksums removed first" if args.without_record else "checksums recorded"
    print(
        f"\n{args.docs} legal articles as .txt files, {questions} questions per round, {record}; "
        f"`search verify --quick` on the undamaged index: {verify_s:.2f} s\n"
    )
    print(
        "| damage | file kind | rounds | flagged by verify | answers told damaged | other errors | "
        "different, no error | same |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    totals: Counter = Counter()
    for (action, kind), counts in sorted(table.items()):
        totals.update(counts)
        print(
            f"| {action} | `{kind}` | {counts['rounds']} | {counts['flagged']} | {counts['told damaged']} | "
            f"{counts['other error']} | {counts['different, no error']} | {counts['same']} |"
        )
    print(
        f"| **all** | | {totals['rounds']} | {totals['flagged']} | {totals['told damaged']} | "
        f"{totals['other error']} | {totals['different, no error']} | {totals['same']} |"
    )


if __name__ == "__main__":
    main()
