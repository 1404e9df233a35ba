"""The index directory on disk: generations, the atomic switch between them, and the writers' lock.

Layout::

    index/
      CURRENT          name of the live generation, replaced atomically (os.replace)
      gen-000007/      a complete Whoosh index + manifest.json (sources seen) + meta.json
      gen-000008.tmp/  a rebuild in progress (renamed when complete; left-overs are removed)
      .lock            held by the one process that writes

A rebuild writes a new generation beside the live one and switches CURRENT only when it is complete,
so searches keep using the previous generation meanwhile and a killed rebuild changes nothing. The
previous generation is kept until the next switch, so searchers that opened it just before a switch
can finish.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

CURRENT = "CURRENT"
LOCK = ".lock"
MANIFEST = "manifest.json"
META = "meta.json"


class IndexLocked(RuntimeError):
    """Another process is writing to this index."""


class DamagedMeta(ValueError):
    """A generation's meta.json cannot be read as what it records."""


def roots_of(meta: dict) -> list[str]:
    """The folders and files an index was built from, as its ``meta.json`` records them.

    :raise DamagedMeta: ``roots`` is not a list of absolute paths (a string would be walked letter by
        letter: "/" first).
    """
    roots = meta.get("roots", []) if isinstance(meta, dict) else None
    if not isinstance(roots, list) or not all(isinstance(r, str) and os.path.isabs(r) for r in roots):
        raise DamagedMeta(
            "the index's meta.json is damaged: its 'roots' is not a list of folders; "
            "rebuild it from yours with 'search index --rebuild FOLDER ...'"
        )
    return roots


def current_generation(index_dir: Path) -> Path | None:
    """The live generation's folder, or None when no index has been built."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    path = index_dir / name
    return path if name and path.is_dir() else None


def new_generation(index_dir: Path) -> Path:
    """Create an empty folder for a generation that is being built (a ``.tmp`` name until switched)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[4:10]) for p in index_dir.glob("gen-*") if p.name[4:10].isdigit()]
    path = index_dir / f"gen-{max(numbers, default=0) + 1:06d}.tmp"
    path.mkdir()
    return path


def switch_to(index_dir: Path, building: Path) -> Path:
    """Make the finished generation ``building`` the live one, atomically; prune older ones."""
    final = building.with_name(building.name.removesuffix(".tmp"))
    os.replace(building, final)
    _fsync_dir(index_dir)
    pointer = index_dir / (CURRENT + ".tmp")
    with open(pointer, "w", encoding="utf-8") as fh:
        fh.write(final.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    previous = current_generation(index_dir)
    os.replace(pointer, index_dir / CURRENT)
    _fsync_dir(index_dir)
    keep = {final.name, previous.name if previous else ""}
    for old in index_dir.glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    return final


def remove_abandoned(index_dir: Path) -> None:
    """Delete generations left half-built by a killed rebuild (call with the lock held)."""
    for old in index_dir.glob("gen-*.tmp"):
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def writer_lock(index_dir: Path, wait_s: float = 0.0):
    """Hold the index's write lock; wait up to ``wait_s`` seconds for another writer, then refuse."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fh = open(index_dir / LOCK, "a+")
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"another 'search index' run is writing to {index_dir}; try again when it ends"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        fh.close()  # closing releases the lock, also when the process is killed


def read_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return default


def write_json(path: Path, data) -> None:
    """Write JSON atomically (temp file + rename), so a crash never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    text = json.dumps(data, ensure_ascii=False)
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8 (its bytes kept as lone surrogates)
        encoded = json.dumps(data).encode("ascii")  # "\udce1": read back as the same name
    with open(tmp, "wb") as fh:
        fh.write(encoded)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
