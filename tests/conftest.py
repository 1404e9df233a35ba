"""Shared fixtures: the seed articles, an index built from them once per session, the CLI runner,
`search serve` started on a free port and `--watch` run in a thread."""

from __future__ import annotations

import contextlib
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"

# Seed ids (file names) by the place each report is about.
LAI_CHAU = "000_c39e642c6c60865f.txt"
BAC_KAN = "001_f01ec78be0abed4e.txt"
DIEN_BIEN_2022 = "002_b57587347717fa6b.txt"
TAM_DIEP = "003_bd50b492c9cad855.txt"
DIEN_BIEN_2023 = "004_981139cf777c2e3c.txt"


def need_corpus(*parts: str) -> Path:
    """The shared corpus path, or skip the test with the reason when it is absent."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not available at {path}")
    return path


def corpus_records(wanted: set[str]) -> list[tuple[str, dict]]:
    """(file name, record) of the shared corpus's news records with these ids (skips without it)."""
    import gzip
    import json

    folder = need_corpus()
    found = []
    for name in ("vntc.jsonl.gz", "baomoi2017.jsonl.gz"):
        with gzip.open(folder / name, "rt", encoding="utf-8") as fh:
            for line in fh:
                # most lines' ids are read without parsing them: '{"id": "...'
                if line[8 : line.find('"', 8)] in wanted or json.loads(line)["id"] in wanted:
                    record = json.loads(line)
                    if record["id"] in wanted:
                        found.append((name, record))
    return found


# Fixtures built from the shared corpus: a test using one is marked "corpus" (deselected by default)
CORPUS_FIXTURES = {"corpus_index", "corpus_engine"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if CORPUS_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.corpus)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """An index of the five seeds, built once through the library API."""
    from searcher.index.indexer import index_paths

    index_dir = tmp_path_factory.mktemp("seed-index")
    summary = index_paths([SEEDS], index_dir)
    assert summary.added == 5, summary
    return index_dir


@pytest.fixture(scope="session")
def engine(seed_index):
    from searcher.search.engine import Engine

    eng = Engine(seed_index)
    yield eng
    eng.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    """A writable copy of the seed folder, for tests that add, change or delete files."""
    target = tmp_path / "docs"
    shutil.copytree(SEEDS, target)
    return target


# Administrative and military news chosen from the shared corpus for the query-intelligence tests:
# the first articles of baomoi2017 that name these, plus the first legal articles.
NEWS_MARKERS = ("UBND", "quân sự", "Quân khu", "Biên phòng", "HĐND")
NEWS_SLICE = 300
LEGAL_SLICE = 200


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """The seeds plus a few hundred real articles (shared corpus), indexed once; skips without it."""
    import gzip
    import json

    from searcher.index.indexer import index_paths

    news_file = need_corpus("baomoi2017.jsonl.gz")
    legal_file = need_corpus("alqac-legal.jsonl")
    docs = tmp_path_factory.mktemp("corpus-docs")
    shutil.copytree(SEEDS, docs / "seeds")
    picked = []
    with gzip.open(news_file, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if any(marker in record["text"] for marker in NEWS_MARKERS):
                picked.append(line)
                if len(picked) >= NEWS_SLICE:
                    break
    with open(legal_file, encoding="utf-8") as lines:
        for _, line in zip(range(LEGAL_SLICE), lines):
            picked.append(line)
    (docs / "slice.jsonl").write_text("".join(picked), encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("corpus-index")
    index_paths([docs], index_dir)
    return index_dir


@pytest.fixture(scope="session")
def corpus_engine(corpus_index):
    from searcher.search.engine import Engine

    eng = Engine(corpus_index)
    yield eng
    eng.close()


def start_serve(index_dir: Path, *extra: str, env=None) -> tuple[subprocess.Popen, str]:
    """`search serve` on a free port, and the address it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "searcher", "serve", "--index-dir", str(index_dir), "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"(http://\S+/)", line)
        if match:
            return proc, match.group(1)
        if proc.poll() is not None:
            break
    proc.kill()
    proc.wait()
    proc.stdout.close()
    raise AssertionError("search serve printed no URL")


@contextlib.contextmanager
def watching(folders: list[Path], index_dir: Path, interval_s: float = 0.1):
    """``searcher.index.watch.watch`` in a thread for the ``with`` block; yields the queue its run
    summaries arrive in, and on leaving stops it and checks that it stopped."""
    from searcher.index.watch import watch

    reports: queue.Queue = queue.Queue()
    stop = threading.Event()
    worker = threading.Thread(
        target=watch,
        args=(folders, index_dir, reports.put),
        kwargs={"interval_s": interval_s, "stop": stop},
        daemon=True,
    )
    worker.start()
    try:
        yield reports
    finally:
        stop.set()
        worker.join(30)
    assert not worker.is_alive()
