"""A rebuild killed with SIGKILL at random moments leaves the previous index whole and answering as
before; a second concurrent ``search index`` refuses clearly or waits.

CI kills the rebuild a few times; the slow variant kills it 20 times:
``CRASH_KILLS=20 python3 -m pytest tests/test_crash.py``.
"""

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO, SEEDS

from searcher.index.indexer import index_paths
from searcher.search.engine import Engine

KILLS = int(os.environ.get("CRASH_KILLS", "3"))
QUERIES = [
    "quốc phòng toàn dân",
    "dien bien",
    '"khu vực phòng thủ"',
    "hội nghị sơ kết",
    "lai chau",
    "bảo vệ tổ quốc",
    "đề tài 17",
]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}

pytestmark = pytest.mark.slow  # indexing runs in subprocesses, killed and restarted


def search_command(*args):
    return [sys.executable, "-m", "searcher", *map(str, args)]


def answers(index_dir):
    engine = Engine(index_dir)
    try:
        return {q: [(h.id, h.title) for h in engine.search(q, limit=50).hits] for q in QUERIES}, engine.info()
    finally:
        engine.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds and 30 reports made of their paragraphs, enough for a rebuild to take a while."""
    folder = tmp_path_factory.mktemp("crash-docs")
    paragraphs = []
    for seed in sorted(SEEDS.iterdir()):
        (folder / seed.name).write_bytes(seed.read_bytes())
        paragraphs += [p for p in seed.read_text(encoding="utf-8").split("\n") if len(p) > 80]
    rng = random.Random(7)
    for n in range(30):
        body = "\n\n".join(rng.sample(paragraphs, 6))
        (folder / f"report-{n:03d}.txt").write_text(
            f"Báo cáo số {n} về đề tài {n % 20}\n\n{body}\n", encoding="utf-8"
        )
    return folder


def test_killed_rebuilds_leave_the_index_answering_as_before(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([corpus], index_dir)
    before, info_before = answers(index_dir)
    assert all(before[q] for q in QUERIES[:5])
    started = time.perf_counter()
    subprocess.run(
        search_command("index", corpus, "--rebuild", "--index-dir", index_dir),
        env=ENV,
        check=True,
        capture_output=True,
    )
    full = time.perf_counter() - started
    rng = random.Random(int(os.environ.get("CRASH_SEED", "1")))
    for _ in range(KILLS):
        with subprocess.Popen(
            search_command("index", corpus, "--rebuild", "--index-dir", index_dir),
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ) as proc:
            time.sleep(rng.uniform(0.05, full * 0.95))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        after, info_after = answers(index_dir)  # whichever generation is live, it answers the same
        assert after == before
        assert info_after["documents"] == info_before["documents"]
    summary = index_paths([corpus], index_dir)  # the lock was released by the kill; left-overs removed
    assert (summary.added, summary.updated, summary.removed) == (0, 0, 0)
    assert not list(index_dir.glob("gen-*.tmp"))
    assert answers(index_dir)[0] == before


def test_second_indexing_run_refuses_or_waits(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([SEEDS], index_dir)
    with subprocess.Popen(
        search_command("index", corpus, "--rebuild", "--index-dir", index_dir),
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as first:
        deadline = time.monotonic() + 30
        while not list(index_dir.glob("gen-*.tmp")):  # the first run holds the lock and is building
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.02)
        refused = subprocess.run(
            search_command("index", SEEDS, "--index-dir", index_dir, "--json"),
            env=ENV,
            capture_output=True,
            text=True,
        )
        assert refused.returncode == 1
        assert "another 'search index' run is writing" in refused.stdout
        waited = subprocess.run(
            search_command("index", SEEDS, "--index-dir", index_dir, "--wait", "60"),
            env=ENV,
            capture_output=True,
            text=True,
        )
        assert waited.returncode == 0, waited.stderr
        assert first.wait(60) == 0
    # the corpus's 35, and the seeds folder's 5 beside them: its files share names with five of the
    # corpus's, but a document's id is its own (seeds/000_....txt), never merged with another's
    assert Engine(index_dir).info()["documents"] == 40
