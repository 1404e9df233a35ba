"""Keeping an index in step with folders: ``search index --watch FOLDER``.

The folders are polled: every ``interval`` seconds each file's size and time are compared with the
last poll's (a stat per file, no reading, nothing opened), and when anything differs an incremental
run indexes what was added, changed or removed.
Polling needs no file-system notification support, so it also works on network shares and mounted
drives, and it cannot miss an event: whatever happened between two polls is seen by the next one.
The write lock is held only during each run, so a ``search index`` started by hand meanwhile waits for
it or is refused as usual.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from ..ingest.extract import DEFAULT_MAX_BYTES
from ..ingest.isolation import ExtractLimits
from ..ingest.places import load_segmenter
from ..ingest.sources import walk_sources
from .indexer import IndexSummary, index_paths
from .store import IndexLocked

DEFAULT_INTERVAL_S = 1.0


def changed(summary: IndexSummary) -> bool:
    return bool(summary.added or summary.updated or summary.removed)


def watch(
    paths: list[Path],
    index_dir: Path,
    report: Callable[[IndexSummary], None],
    interval_s: float = DEFAULT_INTERVAL_S,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stop: threading.Event | None = None,
    wait_s: float = 30.0,
    limits: ExtractLimits | None = None,
) -> None:
    """Index ``paths`` now, then again whenever files change, until ``stop`` is set (or Ctrl-C).

    :param report: called with the first run's summary and with every later one that changed something
        (or found a folder missing, or back).
    :param wait_s: how long each run waits for another writer before trying again at the next poll.
    """
    stop = stop or threading.Event()
    load_segmenter()  # (each run's extraction worker is forked from this process)
    first, was_ok = True, True
    seen: dict | None = None
    while not stop.is_set():
        now = _snapshot(paths)
        if now != seen:
            try:
                summary = index_paths(paths, index_dir, max_bytes=max_bytes, wait_s=wait_s, limits=limits)
                seen = now  # (a run that found the lock taken leaves it for the next poll)
            except IndexLocked:
                summary = None  # another run is writing: it will have done the work, or the next poll will
            # (also when a folder goes missing or comes back: nothing changed in the index, but it is told)
            if summary is not None and (first or changed(summary) or summary.ok != was_ok):
                report(summary)
                first, was_ok = False, summary.ok
        stop.wait(interval_s)


def _snapshot(paths: list[Path]) -> dict:
    """Every file's size and time under ``paths``, and the problems met walking them."""
    sources, problems = walk_sources([Path(p).resolve() for p in paths])
    return {
        "files": {str(s.path): (s.size, s.mtime_ns) for s in sources},
        "problems": sorted((p.path, p.reason) for p in problems),
    }
