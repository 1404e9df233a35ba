"""The index directory on disk: generations, the atomic switch between them, and the writers' lock.

Layout::

    index/
      CURRENT          name of the live generation, replaced atomically (os.replace)
      gen-000007/      a complete Whoosh index, its side tables (searcher.index.sidetables) + meta.json
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
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CURRENT = "CURRENT"
LOCK = ".lock"
META = "meta.json"
REBUILD_HINT = "rebuild it with 'search index --rebuild'"
_GENERATION = re.compile(r"^gen-[0-9]{6}$")


def default_index_dir() -> Path:
    """``$SEARCH_INDEX_DIR``, else ``index/`` of the project (the current folder's ``index/``)."""
    return Path(os.environ.get("SEARCH_INDEX_DIR") or Path.cwd() / "index")


class IndexLocked(RuntimeError):
    """Another process is writing to this index."""


@dataclass(frozen=True)
class Damage:
    file: str  # a file name inside the generation folder (or the index folder, for CURRENT)
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: {self.detail}" if self.file else self.detail


class IndexDamaged(RuntimeError):
    """The index on disk cannot be trusted: a file is missing, cut short, altered or unreadable."""

    def __init__(self, index_dir: Path | str, damage: list[Damage]):
        self.index_dir = str(index_dir)
        self.damage = list(damage)
        super().__init__(f"the index at {self.index_dir} is damaged ({self.summary()}): {REBUILD_HINT}")

    def summary(self) -> str:
        """What is damaged, for one line: the first few files."""
        shown = "; ".join(str(d) for d in self.damage[:3])
        return shown + (f" (and {len(self.damage) - 3} more)" if len(self.damage) > 3 else "")


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
    """The live generation's folder, or None when no index has been built.

    :raise IndexDamaged: ``CURRENT`` does not name a generation that is there.
    """
    try:
        raw = (index_dir / CURRENT).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        name = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise IndexDamaged(index_dir, [Damage(CURRENT, "not text (not UTF-8)")]) from None
    if not _GENERATION.match(name):
        shown = name[:40].encode("unicode_escape").decode("ascii")
        raise IndexDamaged(index_dir, [Damage(CURRENT, f"'{shown}' is not a generation's name")])
    path = index_dir / name
    if not path.is_dir():
        raise IndexDamaged(index_dir, [Damage(CURRENT, f"names {name}, which is missing")])
    return path


def _newest_complete(index_dir: Path) -> Path | None:
    complete = [p for p in index_dir.glob("gen-*") if _GENERATION.match(p.name) and p.is_dir()]
    return max(complete, key=lambda p: p.name, default=None)


def read_meta(generation: Path) -> dict:
    """A generation's ``meta.json`` (schema version, roots, dates, count), checked for its shape.

    :raise IndexDamaged: missing, unreadable, or not of the expected shape.
    """
    meta = _read_checked(generation, META)
    if not isinstance(meta, dict):
        raise IndexDamaged(generation.parent, [Damage(META, "not a JSON object")])
    roots = meta.get("roots", [])
    if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
        raise IndexDamaged(generation.parent, [Damage(META, "'roots' is not a list of folders")])
    if not isinstance(meta.get("schema_version"), int):
        raise IndexDamaged(generation.parent, [Damage(META, "no schema version")])
    return meta


def _read_checked(generation: Path, name: str):
    try:
        return json.loads((generation / name).read_bytes())
    except FileNotFoundError:
        raise IndexDamaged(generation.parent, [Damage(name, "missing")]) from None
    except ValueError as exc:  # (not UTF-8, or not JSON)
        raise IndexDamaged(generation.parent, [Damage(name, f"not JSON: {str(exc)[:80]}")]) from None


def previous_state(index_dir: Path, rebuild: bool) -> tuple[Path | None, dict]:
    """The live generation and its meta, for an indexing run. A rebuild needs neither: whatever the
    damage, it gets what can still be read (the folders indexed, from the newest generation's meta
    or else its manifest) and builds afresh.

    :raise IndexDamaged: (without ``rebuild``) ``CURRENT`` or the live generation's meta is damaged.
    """
    try:
        live = current_generation(index_dir)
    except IndexDamaged:
        if not rebuild:
            raise
        live, source = None, _newest_complete(index_dir)
    else:
        source = live
    if source is None:
        return live, {}
    try:
        return live, read_meta(source)
    except IndexDamaged:
        if not rebuild:
            raise
    from .sidetables import read_manifest  # (the manifest is a side table)

    try:
        roots = {entry["root"] for entry in read_manifest(source).values()}
    except IndexDamaged:
        roots = set()
    return live, {"roots": sorted(roots)}


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
    try:
        previous = current_generation(index_dir)
    except IndexDamaged:  # (a rebuild repairing a damaged pointer)
        previous = None
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
        try:
            yield
        except BaseException:
            # a full disk or an interruption: nothing the failed run wrote is left behind (a
            # half-built generation, segments no table of contents lists) once the lock is let go
            remove_abandoned(index_dir)
            _remove_orphans(index_dir)
            raise
    finally:
        fh.close()  # closing releases the lock, also when the process is killed


def _remove_orphans(index_dir: Path) -> None:
    from .integrity import remove_orphans  # (which files are a segment's is the integrity module's)

    try:
        live = current_generation(index_dir)
    except IndexDamaged:
        return
    if live is not None:
        remove_orphans(live)


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
    try:
        with open(tmp, "wb") as fh:
            fh.write(encoded)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk: no half-written file left behind
        tmp.unlink(missing_ok=True)
        raise


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
