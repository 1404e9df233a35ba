"""Does the index match its sources? ``search verify`` answers after crashes, kills and restores.

Checked, for the live generation: every segment file is whole (the size and checksum recorded at
commit, and a read of every segment: terms, posting lists, lengths, stored documents); it opens and
has the current schema, and its files were read by the current rules (``EXTRACTION_VERSION``); every
document the manifest
records is in the index once, with the content hash the manifest records; the index holds no document
the manifest does not know (an orphan); every source file is still there and unchanged (by content
hash, or by size and modification time with ``deep=False``); no supported file under the indexed
folders is missing from the manifest; the side tables describe the index's latest version and register
the documents it holds; the side tables' SQLite files are whole (SQLite's quick check, or opened
only with ``deep=False``).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from stat import S_ISREG

from ..analysis.schema import SCHEMA_VERSION
from ..ingest.ids import printable
from ..ingest.model import EXTRACTION_VERSION
from ..ingest.sources import hash_bytes, not_regular_reason, precheck, walk_sources
from ..lexicon.lexicon import FORMAT, LEXICON_FILE, stored_format, stored_meta
from . import integrity, store
from .duplicates import unreadable_copy_groups
from .sidetables import FORMAT as STATE_FORMAT
from .sidetables import fingerprint_ids, lexicon_disagrees, read_manifest, read_state, side_table_damage


@dataclass
class Problem:
    # missing | stale | duplicate | orphan | source-gone | source-changed | not-indexed | schema | meta | tables
    # | root-missing
    kind: str
    where: str  # a document id or a source path
    detail: str


@dataclass
class VerifyReport:
    ok: bool = True
    documents: int = 0
    files: int = 0
    skipped_files: int = 0  # files remembered as unusable (empty, binary, ...): not problems
    problems: list[Problem] = field(default_factory=list)
    took_s: float = 0.0

    def add(self, kind: str, where: str, detail: str) -> None:
        self.problems.append(Problem(kind, where, detail))
        self.ok = False

    def as_dict(self) -> dict:
        data = asdict(self)
        data["took_s"] = round(self.took_s, 3)
        return data


def verify_index(index_dir: Path, deep: bool = True) -> VerifyReport:
    """Compare the live generation of ``index_dir`` with its manifest and its source files.

    :raise FileNotFoundError: there is no index at ``index_dir``.
    """
    started = time.perf_counter()
    report = VerifyReport()
    generation = store.current_generation(Path(index_dir))
    if generation is None:
        raise FileNotFoundError(f"no index at {index_dir}")
    meta = store.read_meta(generation)
    _check_files(generation, deep)
    if meta.get("schema_version") != SCHEMA_VERSION:
        report.add(
            "schema",
            str(generation),
            f"schema version {meta.get('schema_version')} is not the current "
            f"{SCHEMA_VERSION}: run 'search index --rebuild'",
        )
    elif meta.get("extraction_version") != EXTRACTION_VERSION:
        report.add(
            "extraction",
            str(generation),
            f"files read by the rules of version {meta.get('extraction_version') or 'none'}, not the "
            f"current {EXTRACTION_VERSION} (dates, places, headlines may differ): run 'search index'",
        )
    manifest = read_manifest(generation)
    tables = read_state(generation)

    with integrity.open_searcher(generation) as searcher:
        stored = [(fields["id"], fields.get("content_hash")) for fields in searcher.all_stored_fields()]
        version = searcher.reader().generation()
    if version is None:  # (an index without documents opens as an empty reader, which has none)
        version = integrity.toc_version(generation)
    if tables.get("whoosh_generation") != str(version):
        report.add(
            "tables",
            str(generation),
            f"the side tables describe version {tables.get('whoosh_generation')} of the index, "
            f"not {version}: run 'search index'",
        )
    if stored_format(generation / LEXICON_FILE) not in (None, str(FORMAT)) or tables.get(
        "format", str(STATE_FORMAT)
    ) != str(STATE_FORMAT):
        report.add(
            "tables",
            str(generation),
            "the side tables are in their first format (searches go without accents, spelling and "
            "autocomplete until then): the next 'search index' converts them",
        )
    elif lexicon_disagrees(stored_meta(generation / LEXICON_FILE, "saves"), tables):
        report.add(
            "tables",
            str(generation),
            "the lexicon does not count every document (a run stopped before writing it): accents, "
            "spelling and autocomplete lag until the next 'search index', which counts it again",
        )
    report.documents = len(stored)
    indexed = dict(stored)
    for doc_id, count in Counter(doc_id for doc_id, _ in stored).items():
        if count > 1:
            report.add("duplicate", doc_id, f"indexed {count} times")

    expected: dict[str, str] = {}
    roots = [Path(r) for r in store.roots_of(meta)]
    missing_roots = {str(root) for root in roots if not root.exists()}  # (told once, below)
    for path, entry in manifest.items():
        if entry.get("skipped") and not entry.get("docs"):
            report.skipped_files += 1
        else:
            report.files += 1
        expected.update(entry.get("docs", {}))
        if entry.get("root") not in missing_roots:
            _check_source(report, Path(path), entry, deep)
    for doc_id, content_hash in expected.items():
        if doc_id not in indexed:
            report.add("missing", doc_id, "in the manifest but not in the index")
        elif indexed[doc_id] != content_hash:
            report.add("stale", doc_id, "the indexed text is not the one the manifest records")
    for doc_id in indexed.keys() - expected.keys():
        report.add("orphan", doc_id, "in the index but in no source file the manifest knows")
    registered = fingerprint_ids(generation)
    for doc_id in sorted(indexed.keys() ^ registered):
        where = "the duplicate registry" if doc_id in registered else "the index"
        report.add("tables", doc_id, f"only in {where}: the duplicate registry and the index disagree")

    for name in unreadable_copy_groups(generation):
        report.add(
            "tables",
            name,
            "cannot be read (searches work the copy groups out again): run 'search index', which writes it",
        )
    _check_meta(report, meta, manifest)
    for root in roots:
        if not root.exists():
            report.add(
                "root-missing",
                printable(root),
                "a folder indexed is missing (moved, renamed, or not mounted?): its documents are kept; "
                "'search index --rebuild' with the other folders drops them",
            )
    sources, _ = walk_sources([r for r in roots if r.exists()])
    for source in sources:
        # (a file of a type not indexed, or empty, is passed over by every run: no manifest entry)
        if str(source.path) not in manifest and precheck(source, max_bytes=sys.maxsize) is None:
            report.add("not-indexed", source.shown, "a new file: run 'search index'")
    report.took_s = time.perf_counter() - started
    return report


def _check_files(generation: Path, deep: bool = True) -> None:
    """Every segment file against its checksum, then a read of every segment: its posting lists too
    when a file has no recorded checksum (the walk costs several times the checksums, and tells
    nothing they do not); the side tables through SQLite's quick check (``deep``), else opened.

    :raise store.IndexDamaged: with every damaged file found.
    """
    checked = integrity.check(generation)
    damage = checked.damage or integrity.structural_problems(generation, postings=bool(checked.unrecorded))
    damage = [*damage, *side_table_damage(generation, whole=deep)]
    if damage:
        raise store.IndexDamaged(generation.parent, damage)


def _check_meta(report: VerifyReport, meta: dict, manifest: dict) -> None:
    """``meta.json`` against the index and the manifest: its count, its dates, its folders."""
    if meta.get("documents") != report.documents:
        report.add(
            "meta",
            store.META,
            f"records {meta.get('documents')} documents, the index holds {report.documents}",
        )
    for name in ("created", "updated"):
        try:
            dt.datetime.fromisoformat(str(meta.get(name)))
        except ValueError:
            report.add("meta", store.META, f"its '{name}' is not a date")
    unknown = {entry["root"] for entry in manifest.values()} - set(meta.get("roots", []))
    if unknown:
        report.add(
            "meta", store.META, f"the manifest names folders it does not: {', '.join(sorted(unknown))[:200]}"
        )


def _check_source(report: VerifyReport, path: Path, entry: dict, deep: bool) -> None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        report.add("source-gone", str(path), "the file was removed or moved: run 'search index'")
        return
    except OSError as exc:  # (an update keeps its documents: running one would change nothing)
        report.add("source-gone", str(path), f"cannot read: {exc.strerror or exc}")
        return
    if not S_ISREG(stat.st_mode):  # a pipe or a device in its place would never end a read
        report.add("source-changed", str(path), f"{not_regular_reason(stat.st_mode)}: run 'search index'")
        return
    if not deep:
        if stat.st_size != entry.get("size") or stat.st_mtime_ns != entry.get("mtime_ns"):
            report.add("source-changed", str(path), "size or time changed since indexing: run 'search index'")
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.add("source-gone", str(path), f"cannot read: {exc.strerror or exc}")
        return
    if hash_bytes(data) != entry.get("hash"):
        report.add("source-changed", str(path), "content changed since indexing: run 'search index'")
