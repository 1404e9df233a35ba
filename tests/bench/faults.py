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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
