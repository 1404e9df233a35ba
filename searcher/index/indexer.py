"""Building and updating the index from source files.

``index_paths`` is incremental: a manifest (source path → size, mtime, content hash, document ids)
kept in each generation's side tables decides what to add, replace, remove or skip, and the side
tables change by the documents that changed, committed with the Whoosh commit they describe
(:mod:`searcher.index.sidetables`). ``rebuild=True`` (or a schema change) builds a fresh generation
beside the live one and switches to it atomically.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from ..analysis.schema import SCHEMA_VERSION, make_schema
from ..ingest.documents import document_from_file
from ..ingest.extract import DEFAULT_MAX_BYTES
from ..ingest.ids import printable
from ..ingest.isolation import ExtractLimits, Extractor
from ..ingest.model import EXTRACTION_VERSION, Document, Skipped
from ..ingest.sources import (
    KnownRecord,
    SourceError,
    SourceFile,
    hash_bytes,
    hash_stream,
    open_source,
    precheck,
    read_jsonl,
    read_limited,
    scan_sources,
)
from ..lexicon.lexicon import LexiconBuilder
from . import integrity, store
from .codec import PackedCodec
from .codec.whoosh_private import ids_added_after, release_previous, roll_back_to
from .duplicates import DuplicateRegistry, save_copy_groups
from .pool import GroupingSegmentWriter
from .sidetables import STATE_FILE, Manifest, SideTables, side_table_damage
from .workers import LexiconProcess, ParallelWriter, default_jobs

# A run writing fewer documents than this stays in this process: starting workers would cost more
# than they save, and each worker adds a segment that a later commit merges.
PARALLEL_MIN_DOCS = 200
# A long run commits what it has indexed this often, so that a run stopped by Ctrl-C, a kill or a
# full disk keeps it and the next run goes on from there (each commit adds segments; fewer is faster).
BATCH_DOCUMENTS = 100_000
BATCH_SECONDS = 600.0

# A folder indexed that is found empty while it held documents: taken for an unmounted share's mount point
EMPTY_ROOT = "the folder is empty (a drive or share not mounted?)"


@dataclass
class IndexProgress:
    """Where an indexing run is, handed to its ``progress`` callback as it moves: after each document
    and file, and when a phase starts (``scanning``, ``indexing``, then ``committing``, ``lexicon``,
    ``copies`` and ``finishing``, which read no files)."""

    phase: str = "scanning"
    documents: int = 0  # documents read so far: a JSON Lines file holds many
    files_done: int = 0
    files_total: int = 0
    bytes_done: float = 0.0  # of the files' bytes, the part read (within a JSON Lines file, by its lines)
    bytes_total: int = 0

    @property
    def fraction(self) -> float | None:
        """How much of the reading is done, for an estimate of the time left."""
        return self.bytes_done / self.bytes_total if self.bytes_total else None


Progress = Callable[[IndexProgress], None]


@dataclass
class IndexSummary:
    """What one ``search index`` run did (``--json`` prints exactly these fields)."""

    ok: bool = True  # False: a folder indexed is missing or a folder could not be read (its documents kept)
    added: int = 0
    recovered: int = 0  # indexed again because the run that indexed them was stopped before it ended
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    took_s: float = 0.0
    documents: int = 0
    rebuilt: bool = False
    # why every file was read afresh: "asked" (--rebuild), "new" (no index yet), "schema" (built
    # with other fields or analyzers), "extraction" (built by other rules of reading files)
    rebuilt_because: str | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["took_s"] = round(self.took_s, 3)
        return data


class NothingToIndex(ValueError):
    """No folder was given and the index remembers none."""


class IncompleteRebuild(RuntimeError):
    """A rebuild from the folders remembered could not read them all: the live index is kept."""


class IndexingStopped(KeyboardInterrupt):
    """Ctrl-C stopped a run: what its batches committed stays in the index."""

    def __init__(self, committed: int):
        super().__init__(f"stopped: {committed} documents committed; run again to continue")
        self.committed = committed


def to_index_doc(doc: Document) -> dict:
    """Project a Document onto the schema's fields (title and body each feed several fields)."""
    title_words = doc.title_words or doc.title
    return {
        "id": doc.id,
        "path": doc.path,
        "content_hash": doc.content_hash,
        "title": title_words,
        "_stored_title": doc.title,
        "title_fold": title_words,
        "title_bi": title_words,
        "title_bi_exact": title_words,
        "body": doc.text,
        "body_fold": doc.text,
        "body_bi": doc.text,
        "body_bi_exact": doc.text,
        "text": doc.text,
        "date": doc.date or "",
        "date_source": doc.date_source,
        "places": ",".join(doc.places),
        "places_mentioned": ",".join(doc.places_mentioned),
        "modified": doc.modified,
        "author": doc.author,
        "url": doc.url,
        "source": doc.source,
        "dup_of": "",
    }


def index_paths(
    paths: list[Path],
    index_dir: Path,
    rebuild: bool = False,
    progress: Progress | None = None,
    wait_s: float = 0.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    jobs: int | None = None,
    limits: ExtractLimits | None = None,
) -> IndexSummary:
    """Bring the index at ``index_dir`` in step with the files under ``paths``.

    :param paths: folders or files; empty means the folders the index was last built from.
    :param rebuild: build a fresh generation and switch to it atomically.
    :param progress: called with an :class:`IndexProgress` as the run moves (the same object, updated).
    :param wait_s: how long to wait for another indexing run to finish before refusing.
    :param max_bytes: files larger than this are skipped (a previously indexed version is kept).
    :param jobs: worker processes for a fresh build (default: one per core; 1 indexes in this process).
    :param limits: the time and memory one file's extraction may take (searcher.ingest.isolation).
    :raise store.IndexLocked: another run holds the lock.
    :raise NothingToIndex: no paths given and none remembered.
    :raise store.DamagedMeta: no paths given and the folders remembered are not readable as such.
    :raise IncompleteRebuild: a rebuild (asked for, or after a schema change) from the folders remembered
        found one missing or unreadable; the live generation is kept.

    A folder indexed that is missing, or empty when it held documents, and a folder that cannot be
    read keep their documents: the summary names them, and is not ``ok``.
    """
    started = time.perf_counter()
    index_dir = Path(index_dir)
    with store.writer_lock(index_dir, wait_s=wait_s):
        store.remove_abandoned(index_dir)
        live, meta = store.previous_state(index_dir, rebuild)
        roots = [Path(p).resolve() for p in paths] or [Path(r) for r in store.roots_of(meta)]
        if not roots:
            raise NothingToIndex("nothing to index: name a folder or file, e.g. 'search index seeds/'")
        rebuilt_because = _why_fresh(rebuild, live is None, meta)
        fresh = rebuilt_because is not None
        # A first build is live from the start, so that its committed batches outlast a stopped run;
        # a rebuild beside a live index is switched to only when complete.
        live_target = not fresh or live is None
        if fresh:
            target = store.new_generation(index_dir)
            if live is None:
                target = store.switch_to(index_dir, target)
            ix = whoosh_index.create_in(str(target), make_schema())
            remembered_roots: list[str] = []
        else:
            assert live is not None  # (a fresh build otherwise)
            target = live
            ix = integrity.open_for_update(target)
            remembered_roots = store.roots_of(meta)
        all_roots = sorted({*remembered_roots, *(str(r) for r in roots)})
        created = meta.get("created") if not fresh else store.now_iso()

        def write_meta() -> None:  # after each batch committed, and at the end
            _write_meta(target, created=created, roots=all_roots, documents=ix.doc_count())

        if fresh and live is None:
            write_meta()
        if not fresh:
            # an update without its manifest would take every file for a new one and index it twice
            lost = [d for d in side_table_damage(target, whole=False) if d.file == STATE_FILE]
            if lost:
                raise store.IndexDamaged(index_dir, lost)
        tables = SideTables(target, journal=live_target)
        if fresh:  # the empty index: a first batch stopped before its side tables is undone to it
            tables.commit(ix.latest_generation())
        summary = IndexSummary(rebuilt=fresh, rebuilt_because=rebuilt_because)
        recovering = set() if fresh else _undo_unfinished_commit(ix, tables)
        # counts committed by a lexicon process whose batch was then undone are counted again
        recount = not fresh and tables.lexicon_behind()
        manifest = tables.manifest()
        jobs = default_jobs() if jobs is None else jobs

        # a fresh build on several cores counts its lexicon in a process of its own; an update's
        # counts are committed in one transaction with the other side tables
        lexicon: LexiconBuilder | LexiconProcess
        if fresh and jobs > 1:
            lexicon = LexiconProcess(target, journal=live_target)
        else:
            lexicon = LexiconBuilder(target, fresh, ix, db=tables.db, recount=recount)

        state = IndexProgress()
        run = _Run(
            ix,
            manifest,
            summary,
            fresh,
            lexicon,
            max_bytes,
            DuplicateRegistry(tables.db, fresh),
            jobs=jobs,
            progress=progress,
            state=state,
            tables=tables,
            recovering=recovering,
            batches=live_target,
            after_batch=write_meta,
        )
        try:
            run.report("scanning")
            # in the folders' alphabetical order: when two files would take one id, the first keeps it
            scan = scan_sources(sorted(roots, key=str))
            for root in scan.empty_roots:  # an unmounted share often leaves its empty mount point
                if any(e["root"] == str(root) and e["docs"] for e in manifest.values()):
                    scan.doubt(root, EMPTY_ROOT, folder=True)
            if fresh and live is not None and not paths and scan.incomplete:
                # (a rebuild holds only what it reads: it would drop a missing folder's documents)
                where = "; ".join(f"{p.path}: {p.reason}" for p in scan.unsure.values())
                raise IncompleteRebuild(
                    f"not rebuilt, the index is as it was: {where}; rebuild when it is back, or name the "
                    "folders to rebuild from: 'search index --rebuild FOLDER ...'"
                )
            summary.skipped.extend(scan.problems)
            summary.ok = not scan.incomplete
            sources = scan.found
            state.files_total = len(sources)
            state.bytes_total = sum(s.size for s in sources)
            run.report("indexing")
            read = 0
            with Extractor(max_bytes, limits) as run.extractor:
                for source in sources:
                    run.process(source)
                    read += source.size
                    state.files_done += 1
                    state.bytes_done = float(read)
                    run.report()
            run.extractor = None
            run.remove_missing(roots, {str(s.path) for s in sources}, scan.unsure)
            run.commit()
        except BaseException as exc:
            run.cancel()  # no worker or counting process is left waiting for documents
            tables.rollback()
            if live_target:  # a Whoosh commit whose side tables were not committed is undone
                _undo_unfinished_commit(ix, tables)
            tables.close()
            if isinstance(exc, KeyboardInterrupt) and live_target:
                raise IndexingStopped(run.committed) from None
            raise
        tables.close()
        summary.documents = ix.doc_count()
        run.report("copies")
        save_copy_groups(ix, target)
        run.report("finishing")
        write_meta()
        ix.close()
        if not live_target:
            store.switch_to(index_dir, target)
    summary.took_s = time.perf_counter() - started
    return summary


def _why_fresh(asked: bool, no_index: bool, meta: Mapping) -> str | None:
    """Why this run builds a fresh index rather than updating the live one (None: it updates)."""
    if asked:
        return "asked"
    if no_index:
        return "new"
    if meta.get("schema_version") != SCHEMA_VERSION:
        return "schema"
    if meta.get("extraction_version") != EXTRACTION_VERSION:
        return "extraction"
    return None


def _write_meta(generation: Path, created: str | None, roots: list, documents: int) -> None:
    store.write_json(
        generation / store.META,
        {
            "schema_version": SCHEMA_VERSION,
            "extraction_version": EXTRACTION_VERSION,
            "created": created,
            "updated": store.now_iso(),
            "roots": sorted(str(r) for r in roots),
            "documents": documents,
        },
    )


def _undo_unfinished_commit(ix, tables: SideTables) -> set[str]:
    """Undo a Whoosh commit whose side tables were never committed (the run was killed between the
    two); returns the ids of the documents it had added, which this run indexes again."""
    recorded = tables.whoosh_generation()
    if recorded is None or ix.latest_generation() <= recorded:
        return set()
    added = ids_added_after(ix, recorded)
    roll_back_to(ix, recorded)
    release_previous(ix)
    return added


class _Run:
    """The changes of one indexing run: opens a writer only when something changed."""

    def __init__(
        self,
        ix,
        manifest: Manifest,
        summary: IndexSummary,
        fresh: bool,
        lexicon: LexiconBuilder | LexiconProcess | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        duplicates: DuplicateRegistry | None = None,
        jobs: int = 1,
        progress: Progress | None = None,
        state: IndexProgress | None = None,
        tables: SideTables | None = None,
        recovering: set[str] | None = None,
        batches: bool = False,
        after_batch: Callable[[], None] | None = None,
    ):
        self.ix = ix
        self.tables = tables
        self.recovering = recovering or set()
        self.batches = batches  # commit every BATCH_DOCUMENTS or BATCH_SECONDS
        self.after_batch = after_batch
        self.committed = 0  # documents added, replaced or removed by the batches committed so far
        self._in_batch = 0
        self._batch_started = time.monotonic()
        self.progress = progress
        self.state = state or IndexProgress()
        self.jobs = jobs
        self.duplicates = duplicates  # groups copies of one story (see searcher.index.duplicates)
        self.max_bytes = max_bytes
        self.lexicon = lexicon  # spelling statistics, kept in step with the documents
        self.files = manifest
        self.summary = summary
        self.fresh = fresh
        self.writer: ParallelWriter | GroupingSegmentWriter | None = None
        self._pending: list[tuple[str, dict]] = []  # writer calls made before the writer was chosen
        self._pending_docs = 0
        # which file holds each id: a document never takes an id another file's document holds
        self.owners = {doc_id: key for key, entry in self.files.items() for doc_id in entry["docs"]}
        self.extractor: Extractor | None = None  # the worker that extracts files (none: in this process)

    def report(self, phase: str | None = None) -> None:
        if phase is not None:
            self.state.phase = phase
        if self.progress is not None:
            self.progress(self.state)

    def _write(self, method: str, **kwargs) -> None:
        """Pass a call to the writer; until enough documents have come to choose one, queue it."""
        if self.writer is not None:
            getattr(self.writer, method)(**kwargs)
            return
        self._pending.append((method, kwargs))
        if method != "delete_by_term":
            self._pending_docs += 1
            if self.jobs > 1 and self._pending_docs >= PARALLEL_MIN_DOCS:
                self._open_writer(parallel=True)

    def _open_writer(self, parallel: bool) -> None:
        # compound=False: Whoosh copies a compound segment's postings and terms into memory for
        # every searcher it opens (1.2 GB per thread on 20k news articles); separate files are read
        # through the OS page cache, shared by all threads and processes
        # (postings are pooled in memory as arrays, searcher.index.pool: Whoosh's limitmb no longer applies)
        options = {"compound": False, "codec": PackedCodec()}
        # With workers, documents are analysed and written by worker processes, one segment each;
        # deletions stay with this process's writer, which sees every existing segment.
        if parallel:
            self.writer = ParallelWriter(self.ix, procs=self.jobs, spread=self.fresh, **options)
        else:
            self.writer = GroupingSegmentWriter(self.ix, **options)
        for method, kwargs in self._pending:
            getattr(self.writer, method)(**kwargs)
        self._pending = []

    def process(self, source: SourceFile) -> None:
        key = str(source.path)
        entry = self.files.get(key)
        # (a file a stopped run had started has no hash yet: it is read again)
        if entry and entry["hash"] and entry["size"] == source.size and entry["mtime_ns"] == source.mtime_ns:
            self._unchanged(key, entry)
            return
        problem = precheck(source, self.max_bytes)
        if problem is not None:
            self._skip(problem.path, problem.reason, entry)
            return
        try:
            # only a regular file is read (a pipe or a device is refused, never waited on)
            with open_source(source) as fh:
                if source.is_jsonl:  # read a line at a time, whatever its size
                    content_hash = hash_stream(fh)
                    if not self._touched_only(entry, source, content_hash):
                        known = set(entry["docs"].values()) if entry else set()
                        records = read_jsonl(source, fh, self.max_bytes, known)
                        self._index(source, entry, content_hash, records, fh)
                    return
                data = read_limited(fh, self.max_bytes)
        except SourceError as exc:
            self._skip(source.shown, exc.reason, entry)
            return
        content_hash = hash_bytes(data)
        if self._touched_only(entry, source, content_hash):
            return
        # extracted in a worker process under time and memory limits (searcher.ingest.isolation)
        extractor = self.extractor
        item = (
            extractor.document(source, data)
            if extractor
            else document_from_file(source, data, self.max_bytes)
        )
        self._index(source, entry, content_hash, [item])

    def _touched_only(self, entry: dict | None, source: SourceFile, content_hash: str) -> bool:
        """Whether the file's content is what was indexed (only its time changed): then noted so."""
        if entry and entry["hash"] == content_hash:
            entry.update(size=source.size, mtime_ns=source.mtime_ns)
            self.files.touch(str(source.path))
            self._unchanged(str(source.path), entry)
            return True
        return False

    def _index(
        self,
        source: SourceFile,
        entry: dict | None,
        content_hash: str,
        items: Iterable[Document | KnownRecord | Skipped],
        fh=None,
    ) -> None:
        """Index the documents of one file (a JSON Lines file's as they are read, so the workers start at
        once) and replace the file's previous documents with them."""
        key = str(source.path)
        previous = entry["docs"] if entry else {}
        doc_hashes: dict[str, str] = {}
        claimed: set[str] = set()
        file_start = self.state.bytes_done
        for item in items:
            self.state.documents += 1
            if fh is not None:  # a JSON Lines file is one file but many documents: how far through it
                self.state.bytes_done = file_start + min(fh.tell(), source.size)
            self.report()
            if isinstance(item, Skipped):
                self.summary.skipped.append(item)
                continue
            forms = source.id_forms(item.id if source.is_jsonl else None)
            doc_id = self._claim(key, forms, claimed)
            if doc_id is None:
                self.summary.skipped.append(
                    Skipped(
                        f"{source.shown}#{forms[0]}" if source.is_jsonl else source.shown,
                        f"its id {forms[0]} and the other forms of it ({', '.join(forms[1:])}) "
                        "belong to other documents: not indexed, so as not to replace one",
                    )
                )
                continue
            unchanged = previous.get(doc_id) == (item.content_hash or content_hash)
            if isinstance(item, KnownRecord):
                if unchanged:
                    doc_hashes[doc_id] = item.content_hash
                    self.summary.unchanged += 1
                    continue
                item = item.document()  # (its id went elsewhere meanwhile: indexed as any record)
            item.id = doc_id
            item.content_hash = item.content_hash or content_hash
            doc_hashes[doc_id] = item.content_hash
            self._add(item, unchanged=unchanged, replacing=doc_id in previous)
            if self._batch_full():
                # what the file gave so far is recorded; its hash is not, so the next run reads it
                # again and skips the documents already there
                self.files[key] = {
                    "root": str(source.root),
                    "size": source.size,
                    "mtime_ns": source.mtime_ns,
                    "hash": "",
                    "docs": {**previous, **doc_hashes},
                }
                self.checkpoint()
        if not doc_hashes and not source.is_jsonl:
            reason = self.summary.skipped[-1].reason if self.summary.skipped else "no text found"
            if entry and entry["docs"]:
                # A file that no longer extracts keeps its previous version rather than vanishing;
                # its entry stays as it was, so the next run tries the new version again.
                self.summary.skipped[-1].reason += "; the previously indexed version is kept"
                return
            # Remembered, so an unchanged file that cannot be used is not extracted again (OCR, ...)
            self.files[key] = {
                "root": str(source.root),
                "size": source.size,
                "mtime_ns": source.mtime_ns,
                "hash": content_hash,
                "docs": {},
                "skipped": reason,
            }
            return
        for gone in set(previous) - set(doc_hashes):
            self._delete(gone)
        self.files[key] = {
            "root": str(source.root),
            "size": source.size,
            "mtime_ns": source.mtime_ns,
            "hash": content_hash,
            "docs": doc_hashes,
        }
        if self._batch_full():
            self.checkpoint()

    def _claim(self, key: str, forms: list[str], claimed: set[str]) -> str | None:
        """The id a document of the file ``key`` takes among its ``forms`` (searcher.ingest.ids): one the
        file held before stays its own; else the first that no other file holds. None: all are held.
        ``claimed``: the ids given to the file's documents in this run."""
        for doc_id in forms:
            if self.owners.get(doc_id) == key and doc_id not in claimed:
                break
        else:
            for doc_id in forms:
                if doc_id not in self.owners and doc_id not in claimed:
                    break
            else:
                return None
        claimed.add(doc_id)
        self.owners[doc_id] = key
        return doc_id

    def _add(self, doc: Document, unchanged: bool, replacing: bool) -> None:
        if unchanged:
            self.summary.unchanged += 1
            return
        doc_id = doc.id
        if self.lexicon is not None:
            if replacing:
                self.lexicon.forget(doc_id)
            self.lexicon.add(doc.title, doc.text)
        fields = to_index_doc(doc)
        if self.duplicates is not None:
            fields["dup_of"] = self.duplicates.group_for(doc_id, doc.text)
        # Only a replaced document can be in the index already: an id no file held is not (the
        # manifest lists every indexed id), and adding skips update_document's look-up in each segment
        self._write("update_document" if replacing and not self.fresh else "add_document", **fields)
        self._in_batch += 1
        if replacing:
            self.summary.updated += 1
        elif doc_id in self.recovering:
            self.summary.recovered += 1
        else:
            self.summary.added += 1

    def remove_missing(self, roots: list[Path], seen: set[str], unsure: Mapping[str, Skipped]) -> None:
        """Drop the documents of files that were under the given roots and are gone now.

        Gone means not found in a folder that was read: a file below a path of ``unsure`` (a folder
        indexed that is missing, a folder that could not be read) keeps its documents, and that
        path's problem tells how many.
        """
        root_names = {str(r) for r in roots}
        doubts = sorted(unsure, key=len, reverse=True)  # the closest first
        kept: dict[str, int] = {}
        for key, entry in list(self.files.items()):
            if entry["root"] not in root_names or key in seen:
                continue
            doubt = next((d for d in doubts if key == d or key.startswith(d.rstrip(os.sep) + os.sep)), None)
            if doubt is not None:
                kept[doubt] = kept.get(doubt, 0) + len(entry["docs"])
                continue
            for doc_id in self.files.remove(key)["docs"]:
                self._delete(doc_id)
        for doubt, count in kept.items():
            if count:
                documents = f"{count} indexed documents are" if count != 1 else "1 indexed document is"
                unsure[doubt].reason += f"; its {documents} kept"
                if unsure[doubt].reason.startswith(EMPTY_ROOT):  # (emptied on purpose?)
                    unsure[doubt].reason += " ('search index --rebuild' drops them)"

    def _delete(self, doc_id: str) -> None:
        if self.lexicon is not None:
            self.lexicon.forget(doc_id)
        if self.duplicates is not None:
            self.duplicates.forget(doc_id)
        self._write("delete_by_term", fieldname="id", text=doc_id)
        self._in_batch += 1
        self.owners.pop(doc_id, None)
        self.summary.removed += 1

    def _skip(self, path: str, reason: str, entry) -> None:
        if entry and entry["docs"]:
            reason += "; the previously indexed version is kept"
        self.summary.skipped.append(Skipped(path, reason))

    def _unchanged(self, path: str, entry: dict) -> None:
        if entry.get("skipped"):  # still unusable: reported again, not extracted again
            self.summary.skipped.append(Skipped(printable(path), entry["skipped"]))
        self.summary.unchanged += len(entry["docs"])

    def cancel(self) -> None:
        try:
            if self.writer is not None and not self.writer.is_closed:
                self.writer.cancel()
        finally:
            if isinstance(self.lexicon, LexiconProcess):
                self.lexicon.cancel()

    def _batch_full(self) -> bool:
        if not self.batches or not self._in_batch:
            return False
        return self._in_batch >= BATCH_DOCUMENTS or time.monotonic() - self._batch_started >= BATCH_SECONDS

    def checkpoint(self) -> None:
        """Commit the batch so far (index and side tables) and start the next one."""
        self.commit(final=False)
        if self.after_batch is not None:
            self.after_batch()
        self.writer = None
        self._pending, self._pending_docs = [], 0
        self._batch_started = time.monotonic()

    def commit(self, final: bool = True) -> None:
        """Commit the Whoosh index, then the side tables describing it, then let the previous
        version's files go (see :mod:`searcher.index.sidetables`). Only a final commit merges small
        segments and refreshes the autocomplete tables; a fresh build counts its lexicon on and
        writes it at its final commit only (writing it at each batch made a first build half as
        fast again: a stopped build's lexicon is counted again from the index)."""
        lexicon_now = final or not self.fresh
        if isinstance(self.lexicon, LexiconProcess) and lexicon_now:
            self.lexicon.close_input(final)  # its counts are written while the segments are
        if self.writer is None and self._pending:
            self._open_writer(parallel=False)
        lexicon_saved = False
        if isinstance(self.writer, ParallelWriter) and self._lexicon_saved_early(lexicon_now):
            # its counts and phrases are written while the workers write their segments (both wait
            # for the side tables' commit below: a failed Whoosh commit rolls them back)
            self.writer.while_workers_finish = lambda: self._save_lexicon(final)
            lexicon_saved = True
        if self.writer is not None:
            self.report("committing")
            if final:
                self.writer.commit()
            else:
                self.writer.commit(merge=False)
        self._save_side_tables(final, lexicon_now, save_lexicon=lexicon_now and not lexicon_saved)
        if self.writer is not None:
            release_previous(self.ix)
            integrity.record(Path(self.ix.storage.folder))  # the new segment files' checksums
        self.committed += self._in_batch
        self._in_batch = 0

    def _lexicon_saved_early(self, lexicon_now: bool) -> bool:
        """Whether the lexicon can be written before the Whoosh commit: an update's in-process
        counts (a lexicon counted again from the index needs the new segments)."""
        lexicon = self.lexicon
        return lexicon_now and isinstance(lexicon, LexiconBuilder) and not lexicon.bootstrap

    def _save_lexicon(self, final: bool) -> None:
        if self.lexicon is not None:
            self.report("lexicon")
            self.lexicon.save(final=final)

    def _save_side_tables(self, final: bool, lexicon_now: bool = True, save_lexicon: bool = True) -> None:
        """Write the side tables and commit them; ``lexicon_now``: the lexicon counts every document
        (``save_lexicon``: and is written here, not already)."""
        if save_lexicon:
            self._save_lexicon(final)
        if self.duplicates is not None:
            self.report("copies")
            self.duplicates.save()
        if self.tables is not None:
            self.tables.write_manifest(self.files)
            self.tables.commit(self.ix.latest_generation(), lexicon_complete=lexicon_now)
