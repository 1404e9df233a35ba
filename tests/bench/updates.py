"""Update times, an older version of the code beside this one on copies of the same index.

    python tests/bench/updates.py --before-code /tmp/before --index /tmp/scale/ours \\
        --source /tmp/scale/news-119572.jsonl --workdir /tmp/updates

``--before-code`` is a checkout of the older version (``git archive REV | tar -x -C DIR``). Each
version indexes into its own copy of ``--index`` (``--after-index``: another index for this version,
e.g. one already updated by it), first one small file untimed (an index written by an older version
may do once-only work at its first update), then, alternating between the versions:

- ``search index FILE`` for a JSONL file of 1,000 new articles, the first 200 records of ``--source``
  each given five times under new ids with a line added (as ``scale.py`` makes them), ``--rounds``
  times, each time into a fresh copy;
- ``search index FILE`` for one new report (a text file), ``--runs`` times, one after the other.

Each run is a process of its own (``python -m searcher``); reported: its wall time and the CPU time of
it and its children (the workers), with the machine's load average. Markdown goes to stdout.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import write_new_articles  # noqa: E402


def run(code: Path, path: Path, index_dir: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``search index path`` by the code at ``code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "searcher", "index", str(path), "--index-dir", str(index_dir), "--json"],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(code)},
        cwd="/",
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def fresh_copy(index: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["cp", "-a", str(index), str(target)], check=True)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before-code", required=True, type=Path)
    parser.add_argument("--index", required=True, type=Path, help="the index both versions update a copy of")
    parser.add_argument("--after-index", type=Path, help="this version's own index (default: --index)")
    parser.add_argument("--source", required=True, type=Path, help="a JSONL file of articles")
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    here = Path(__file__).resolve().parents[2]
    versions = {"before": (args.before_code, args.index), "after": (here, args.after_index or args.index)}
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    with args.source.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in itertools.islice(fh, 200)]
    batch = write_new_articles(work / "new-1000.jsonl", records)

    def report(name: str, i: int, tag: str) -> Path:
        path = work / "inbox" / f"{name}-{tag}-{i}.txt"
        path.parent.mkdir(exist_ok=True)
        record = records[100 + i]
        path.write_text(
            f"{record['title']}\n\n{record['text']}\nMã tin {tag}{i}x{os.getpid()}.\n", encoding="utf-8"
        )
        return path

    figures: dict[str, dict[str, list]] = {name: {"new_1000": [], "one_file": []} for name in versions}
    for round_ in range(args.rounds):
        for name, (code, index) in versions.items():
            target = work / f"ix-{name}"
            fresh_copy(index, target)
            run(code, report(name, round_, "warm"), target)
            wall, cpu = run(code, batch, target)
            figures[name]["new_1000"].append((wall, cpu, load()))
            print(
                f"{name}: 1,000 new articles {wall:.1f} s (CPU {cpu:.1f} s, load {load()})", file=sys.stderr
            )
    for i in range(args.runs):
        for name, (code, _) in versions.items():
            wall, cpu = run(code, report(name, i, "one"), work / f"ix-{name}")
            figures[name]["one_file"].append((wall, cpu, load()))
            print(f"{name}: one new report {wall:.2f} s (CPU {cpu:.2f} s)", file=sys.stderr)

    print("| version | step | runs: wall s (CPU s) | median wall s | load average |")
    print("|---|---|---|---:|---|")
    for name, steps in figures.items():
        for step, runs in steps.items():
            shown = ", ".join(f"{w:.2f} ({c:.1f})" for w, c, _ in runs)
            median = statistics.median(w for w, _, _ in runs)
            print(f"| {name} | {step} | {shown} | {median:.2f} | {runs[0][2]} … {runs[-1][2]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
