"""Seeing damage in a generation's segment files: checksums recorded at commit, checked when read.

Whoosh never changes a segment's files once written (deletions live in the table of contents, and
every commit writes a new one), so one checksum per file, taken when the file first appears, stays
true for the file's life. :func:`record` is called after each commit; :func:`check` compares the
files with the record (sizes only, or sizes and contents); :func:`structural_problems` reads every
term, posting list, length column and stored document, for an index built before records existed.

Side tables (lexicon, copies, manifest, meta) change in place and are not recorded here.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import threading
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .store import Damage, IndexDamaged

RECORD = "checksums.json"
INDEX_NAME = "MAIN"  # the name Whoosh gives an index folder's files by default
_TOC = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")
_SEGMENT_FILE = re.compile(rf"^({INDEX_NAME}_[0-9a-z]+)\.[A-Za-z0-9_.]+$")
_READ_CHUNK = 1 << 20


def describe(exc: BaseException) -> str:
    """An exception met while reading index files, in a few words for a one-line message."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def latest_toc(generation: Path) -> str | None:
    """The table of contents Whoosh opens: the highest-numbered one."""
    numbered = [(int(m.group(1)), name) for name in os.listdir(generation) if (m := _TOC.match(name))]
    return max(numbered)[1] if numbered else None


def toc_version(generation: Path) -> int | None:
    """The version of the index that table of contents is (Whoosh's generation number)."""
    name = latest_toc(generation)
    match = _TOC.match(name) if name else None
    return int(match.group(1)) if match else None


def live_segments(generation: Path) -> tuple[str, set[str]]:
    """The latest table of contents and the ids of the segments it lists.

    :raise IndexDamaged: there is no table of contents, or it cannot be read.
    """
    from whoosh.filedb.filestore import RamStorage
    from whoosh.index import TOC

    toc_name = latest_toc(generation)
    if toc_name is None:
        raise IndexDamaged(generation.parent, [Damage("", "no table of contents (.toc file)")])
    try:
        # read from a copy in memory: Whoosh leaves the file open when reading it fails
        copy = RamStorage()
        with copy.create_file(toc_name) as fh:
            fh.write((generation / toc_name).read_bytes())
        toc = TOC.read(copy, INDEX_NAME)
        segment_ids = {segment.segment_id() for segment in toc.segments}
    except Exception as exc:  # a cut or garbled pickle raises anything from EOFError to KeyError
        raise IndexDamaged(generation.parent, [Damage(toc_name, f"unreadable: {describe(exc)}")]) from None
    return toc_name, segment_ids


def live_files(generation: Path) -> tuple[str, list[str]]:
    """The latest table of contents and the files of every segment it lists.

    :raise IndexDamaged: there is no table of contents, or it cannot be read.
    """
    toc_name, segment_ids = live_segments(generation)
    files = [
        name
        for name in os.listdir(generation)
        if (m := _SEGMENT_FILE.match(name)) and m.group(1) in segment_ids
    ]
    return toc_name, sorted(files)


def checksum(path: Path) -> int:
    value = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_READ_CHUNK):
            value = zlib.crc32(chunk, value)
    return value


def read_record(generation: Path) -> dict | None:
    """The record of the last commit, or None when there is none (or it is not one)."""
    try:
        data = json.loads((generation / RECORD).read_bytes())
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not isinstance(data.get("toc"), str):
        return None
    if not all(isinstance(v, dict) and {"size", "crc32"} <= v.keys() for v in files.values()):
        return None
    return data


def record(generation: Path) -> None:
    """Record the size and checksum of the live segment files of ``generation`` (after a commit).

    Files already recorded keep their checksum (they cannot have changed since), so a commit reads
    only the files it wrote; an index without a record gets one for every file.
    """
    generation = Path(generation)
    toc_name, files = live_files(generation)
    previous = (read_record(generation) or {}).get("files", {})
    entries = {}
    for name in [toc_name, *files]:
        stat = (generation / name).stat()
        known = previous.get(name)
        if known is not None and known["size"] == stat.st_size:
            entries[name] = known
        else:
            entries[name] = {
                "size": stat.st_size,
                "crc32": checksum(generation / name),
                "mtime_ns": stat.st_mtime_ns,
            }
    tmp = generation / (RECORD + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"toc": toc_name, "files": entries}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, generation / RECORD)


@dataclass
class CheckResult:
    damage: list[Damage]
    unrecorded: list[str]  # live files the record does not cover: only a structural read can tell


def check(generation: Path, contents: bool = True, trust_times: bool = False) -> CheckResult:
    """Compare the live segment files of ``generation`` with its record: present, of the recorded size,
    and (``contents``) with the recorded checksum. The table of contents is read in any case.
    ``trust_times``: a file still of the size and modification time recorded is taken as unchanged
    without reading it (whatever writes to a file changes its time; only ``search verify`` reads every
    file, as a change the time does not show, a disk's own decay, is rare)."""
    generation = Path(generation)
    record_ = read_record(generation)
    recorded = (record_ or {}).get("files", {})
    damage = [
        Damage(name, problem)
        for name, entry in recorded.items()
        if (problem := _differs(generation, name, entry, contents, trust_times))
    ]
    if record_ is None and (generation / RECORD).exists():
        damage.append(Damage(RECORD, "unreadable: the checksums cannot be compared"))
    try:
        toc_name, segment_ids = live_segments(generation)
    except IndexDamaged as exc:
        told = {d.file for d in damage}
        return CheckResult(damage + [d for d in exc.damage if d.file not in told], [])

    def live(name: str) -> bool:
        segment = _SEGMENT_FILE.match(name)
        return name == toc_name or (segment is not None and segment.group(1) in segment_ids)

    files = sorted(name for name in os.listdir(generation) if name != toc_name and live(name))
    unrecorded = [name for name in [toc_name, *files] if name not in recorded]
    if record_ is None:
        return CheckResult(damage, unrecorded)
    recorded_toc = record_["toc"]
    if recorded_toc not in recorded or _toc_number(recorded_toc) > _toc_number(toc_name):
        damage.append(Damage(RECORD, f"names {recorded_toc[:40]!r}, not a table of contents it records"))
    elif recorded_toc == toc_name:  # the record of this very commit: it covers the live files, no other
        damage += [Damage(name, "not in the record of checksums") for name in unrecorded]
        damage += [
            Damage(RECORD, f"names {name[:60]!r}, no file of the index")
            for name in recorded
            if not live(name)
        ]
        unrecorded = []
    else:
        # a commit cut short before its record (a crash): a recorded file no table of contents lists
        # was merged away since, and the new files are read whole instead
        damage = [d for d in damage if live(d.file) or d.detail != "missing"]
    return CheckResult(damage, unrecorded)


def _toc_number(name: str) -> int:
    found = _TOC.match(name)
    return int(found.group(1)) if found else 1 << 62


def _differs(
    generation: Path, name: str, entry: dict, contents: bool, trust_times: bool = False
) -> str | None:
    try:
        stat = (generation / name).stat()
    except FileNotFoundError:
        return "missing"
    size = stat.st_size
    if size != entry["size"]:
        return f"{size} bytes, {entry['size']} when written"
    if trust_times and entry.get("mtime_ns") == stat.st_mtime_ns:
        return None
    if contents and checksum(generation / name) != entry["crc32"]:
        return "contents changed since written (checksum differs)"
    return None


def state(generation: Path) -> tuple:
    """What :func:`check` depends on, cheaply: each segment file's name, size and time of change."""
    names = sorted(
        n for n in os.listdir(generation) if _TOC.match(n) or _SEGMENT_FILE.match(n) or n == RECORD
    )
    stats = []
    for name in names:
        try:
            st = os.stat(generation / name)
        except FileNotFoundError:
            continue
        stats.append((name, st.st_size, st.st_mtime_ns))
    return (str(generation), tuple(stats))


class CheckedGenerations:
    """The last check's answer per generation, redone when a file's size or time changes; a file
    still of its recorded size and time is not read again (see :func:`check`'s ``trust_times``)."""

    def __init__(self):
        self._answers: dict[str, tuple[tuple, list[Damage]]] = {}
        self._lock = threading.Lock()

    def damage(self, generation: Path) -> list[Damage]:
        try:
            now = state(generation)
        except OSError as exc:
            return [Damage("", f"cannot list the generation folder: {describe(exc)}")]
        with self._lock:  # threads opening the same index wait for one check instead of each doing it
            known = self._answers.get(str(generation))
            if known is not None and known[0] == now:
                return known[1]
            found = check(generation, trust_times=True).damage
            self._answers[str(generation)] = (now, found)
            return found


def structural_problems(generation: Path, postings: bool = True) -> list[Damage]:
    """Read every segment: the table of contents, the length columns, every stored document and
    (``postings``) each field's terms and posting lists whole. The term walk costs about a second per
    thousand documents, where the checksums take a fraction of that: it is what tells damage in files
    the record does not cover (an index built before records were kept)."""
    from .postings import length_bytes, read_segment_postings

    try:
        searcher = open_searcher(generation)
    except IndexDamaged as exc:
        return exc.damage
    damage: list[Damage] = []
    try:
        for reader, _ in searcher.reader().leaf_readers():
            segment = reader.segment()
            if segment is None:  # an index without documents: its one reader is an empty one
                continue
            where = segment.segment_id()
            try:
                _read_segment(reader, read_segment_postings, length_bytes, generation, where, postings)
            except _Broken as broken:
                damage.append(Damage(f"{where}.*", str(broken)))
            except Exception as exc:
                damage.append(Damage(f"{where}.*", f"unreadable: {describe(exc)}"))
    finally:
        searcher.close()
    return damage


class _Broken(Exception):
    pass


def _read_segment(reader, read_postings, length_bytes, generation: Path, where: str, postings: bool) -> None:
    documents = reader.doc_count_all()
    terms_size = sum(p.stat().st_size for p in generation.glob(f"{where}.trm")) or 1 << 40
    seen = 0
    for fieldname in reader.schema.names():
        field = reader.schema[fieldname]
        if not field.indexed:
            continue
        if field.scorable:
            lengths = length_bytes(reader, fieldname)
            if lengths is not None and len(lengths) != documents:
                raise _Broken(f"{len(lengths)} lengths of {fieldname!r} for {documents} documents")
        if not postings:
            continue
        for text, info in reader.iter_field(fieldname):
            seen += 1
            if seen > terms_size // 8:  # each row takes 8 bytes at least: a loop in the term table
                raise _Broken("the term table runs past its end")
            ids, weights, values = read_postings(reader, fieldname, text, info, True)
            if len(ids) != info.doc_frequency() or len(weights) != len(ids) or len(values) != len(ids):
                raise _Broken(
                    f"a posting list of {fieldname!r} holds {len(ids)} of {info.doc_frequency()} entries"
                )
            if len(ids) and (ids[0] < 0 or ids[-1] >= documents or np.any(np.diff(ids) <= 0)):
                raise _Broken(f"a posting list of {fieldname!r} names documents out of order or range")
    stored = sum(1 for _ in reader.all_stored_fields())
    if stored != reader.doc_count():
        raise _Broken(f"{stored} stored documents of {reader.doc_count()}")


def open_for_update(generation: Path):
    """The Whoosh index of ``generation``, opened to be updated once its files are checked: present
    and of their recorded sizes (reading them all would cost every update the whole index's size).

    :raise IndexDamaged: a file is missing or cut short, or the index cannot be opened.
    """
    damage = check(generation, contents=False).damage
    if damage:
        raise IndexDamaged(generation.parent, damage)
    return _opened(generation, lambda ix: ix)


def open_searcher(generation: Path, **options):
    """A Whoosh searcher on ``generation`` (``options``: its weighting).

    :raise IndexDamaged: it cannot be opened.
    """
    return _opened(generation, lambda ix: ix.searcher(**options))


def _opened(generation: Path, then):
    from whoosh import index as whoosh_index

    # Whoosh leaves the files it had opened when opening a damaged segment fails: they are closed
    # when the exception goes, quietly (the damage is what is told)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return then(whoosh_index.open_dir(str(generation)))
        except Exception as exc:
            failed = Damage(latest_toc(generation) or "", f"cannot be opened: {describe(exc)}")
        gc.collect()
    raise IndexDamaged(generation.parent, [failed])


def remove_orphans(generation: Path) -> list[str]:
    """Delete what a failed commit left in ``generation``: segment files no table of contents lists,
    half-written temporary files and folders. Returns the names removed."""
    try:
        toc_name, live = live_files(generation)
    except IndexDamaged:
        return []  # which files are whose cannot be told: nothing is removed
    keep = {toc_name, *live}
    removed = []
    for name in os.listdir(generation):
        half_written = name.startswith(f"_{INDEX_NAME}_") and ".toc." in name
        half_written = half_written or name.endswith(".tmp") or ".tmp." in name
        orphan = (_SEGMENT_FILE.match(name) or _TOC.match(name)) and name not in keep
        if half_written or orphan:
            try:
                if (generation / name).is_dir():  # a segment writer's scratch folder
                    shutil.rmtree(generation / name)
                else:
                    os.remove(generation / name)
                removed.append(name)
            except OSError:
                pass
    return removed
