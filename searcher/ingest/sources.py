"""Finding source files and turning them into :class:`~searcher.ingest.model.Document` objects.

A source is a file; a ``.jsonl``/``.jsonl.gz`` file holds many documents, any other supported file one.
Reading never raises for a bad file: the problem comes back as a :class:`~searcher.ingest.model.Skipped`
(or a :class:`SourceError` for a file that could not be read at all).

Only regular files are opened, and each is checked on the open file itself (``fstat`` of the
descriptor, opened without blocking): a named pipe, a device or a socket, even one that takes a
file's place between the scan and the read, is skipped, never waited on. A JSON Lines file is read a
line at a time, whatever its size; each record is held to the size limit of a file.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import stat
import zlib
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

from ..text.normalize import decode_text
from .extract import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, too_large_reason
from .ids import id_forms, printable
from .model import Document, Skipped
from .sites import site_of

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
CHUNK = 1 << 20


class SourceError(Exception):
    """A source that cannot be read at all (not a regular file, refused, unreadable gzip); ``reason``
    in words fit for a skip log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class SourceFile:
    """A file found under one of the folders given to ``search index``."""

    path: Path  # absolute
    root: Path  # the folder (or file) the user named; ids are relative to it
    size: int
    mtime_ns: int

    @property
    def relative(self) -> str:
        """The path relative to the folder indexed (a file named by itself: its name), as found."""
        if self.root == self.path:
            return self.path.name
        return self.path.relative_to(self.root).as_posix()

    @property
    def rel_id(self) -> str:
        """The path relative to the folder indexed, printable (see :func:`searcher.ingest.ids.printable`):
        the document's ``path``, and its id unless another source holds that id."""
        return printable(self.relative)

    @property
    def root_name(self) -> str:
        """The name of the folder indexed (of the folder holding a file named by itself)."""
        folder = self.path.parent if self.root == self.path else self.root
        return printable(folder.name or "root")

    @property
    def shown(self) -> str:
        """The full path, printable: how skip reports name the file."""
        return printable(self.path)

    def id_forms(self, record_id: str | None = None) -> list[str]:
        """The ids this file's document (or its record ``record_id``) may take, the first free one
        being taken: its path relative to the folder indexed, then with the folder's name before it
        (``B/report.txt``); a record: its own id, then with its file (``news.jsonl#123``), then with
        the folder's name too; last, with a hash of the full path (see :mod:`searcher.ingest.ids`)."""
        full = str(self.path)
        qualified = f"{self.root_name}/{self.rel_id}"
        if record_id is None:
            return id_forms([self.rel_id, qualified], full)
        return id_forms(
            [record_id, f"{self.rel_id}#{record_id}", f"{qualified}#{record_id}"], f"{full}#{record_id}"
        )

    @property
    def folder_name(self) -> str:
        """The folder the file was found in, as named from the folder indexed ("news", "news/2017")."""
        if self.root == self.path:
            return printable(self.path.parent.name)
        parent = self.path.parent.relative_to(self.root).as_posix()
        name = printable(self.root.name)
        return name if parent == "." else f"{name}/{printable(parent)}"

    @property
    def is_jsonl(self) -> bool:
        return self.path.name.lower().endswith(JSONL_SUFFIXES)


_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def not_regular_reason(mode: int) -> str:
    return f"not a regular file: {_KINDS.get(stat.S_IFMT(mode), 'a special file')}"


@dataclass
class Scan:
    """What :func:`scan_sources` found under the folders indexed."""

    found: list[SourceFile] = field(default_factory=list)
    problems: list[Skipped] = field(default_factory=list)  # everything passed over, and why
    # Paths (folders, files) that could not be looked at: a missing folder indexed, a folder that cannot
    # be read, a file that cannot be examined. That nothing was found below one proves nothing is there.
    unsure: dict[str, Skipped] = field(default_factory=dict)
    empty_roots: list[Path] = field(default_factory=list)  # folders indexed that hold nothing at all
    incomplete: bool = False  # a folder indexed is missing or a folder could not be read

    def doubt(self, path: Path | str, reason: str, folder: bool = False) -> Skipped:
        """Note ``path`` as not looked at; ``folder``: a folder, so the scan is incomplete."""
        problem = Skipped(printable(path), reason)
        self.problems.append(problem)
        self.unsure[os.fspath(path)] = problem
        self.incomplete = self.incomplete or folder
        return problem


def scan_sources(roots: list[Path]) -> Scan:
    """All regular files under ``roots`` in a stable order; hidden files and folders are passed over.

    Symbolic links are not followed: a link could lead outside the folder the user chose to index.
    A file found under two of the roots (one inside the other) is listed once, under the first.
    """
    scan = Scan()
    listed: set[str] = set()
    for root in roots:
        root = root.resolve()
        try:
            st = root.stat()
        except FileNotFoundError:
            scan.doubt(
                root, "no such file or folder (moved, renamed, or a drive or share not mounted?)", True
            )
            continue
        except OSError as exc:
            scan.doubt(root, f"cannot read: {exc.strerror or exc}", True)
            continue
        if stat.S_ISREG(st.st_mode):
            if str(root) not in listed:
                listed.add(str(root))
                scan.found.append(SourceFile(root, root, st.st_size, st.st_mtime_ns))
            continue
        if not stat.S_ISDIR(st.st_mode):
            scan.problems.append(Skipped(printable(root), not_regular_reason(st.st_mode)))
            continue
        _walk_folder(root, scan, listed)
    return scan


def _walk_folder(root: Path, scan: Scan, listed: set[str]) -> None:
    def unreadable(error: OSError) -> None:
        scan.doubt(error.filename or root, f"cannot read folder: {error.strerror or error}", folder=True)

    for folder, dirnames, filenames in os.walk(root, onerror=unreadable):
        if folder == str(root) and not dirnames and not filenames:
            scan.empty_roots.append(root)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                continue  # removed since the folder was listed
            except OSError as exc:
                scan.doubt(path, f"cannot read file: {exc.strerror or exc}")
                continue
            if stat.S_ISLNK(st.st_mode):
                scan.problems.append(Skipped(printable(path), "symbolic link: not followed"))
                continue
            if not stat.S_ISREG(st.st_mode):
                scan.problems.append(Skipped(printable(path), not_regular_reason(st.st_mode)))
                continue
            if str(path) in listed:
                continue
            listed.add(str(path))
            scan.found.append(SourceFile(path, root, st.st_size, st.st_mtime_ns))


def walk_sources(roots: list[Path]) -> tuple[list[SourceFile], list[Skipped]]:
    """The files under ``roots`` and the problems met (:func:`scan_sources` tells more)."""
    scan = scan_sources(roots)
    return scan.found, scan.problems


def open_source(source: SourceFile) -> BinaryIO:
    """``source`` opened for reading, if it is (still) a regular file; raises :class:`SourceError`.

    Opened without blocking and checked on the descriptor itself, so a file replaced by a named pipe
    or a device after the scan is refused, not waited on; a symbolic link put in its place is not
    followed.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(source.path, flags)
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SourceError(not_regular_reason(st.st_mode))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(fh: BinaryIO, max_bytes: int) -> bytes:
    """The whole file, unless it holds more than ``max_bytes`` (it may have grown since the scan)."""
    try:
        data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise SourceError(too_large_reason(max(os.fstat(fh.fileno()).st_size, len(data)), max_bytes))
    return data


def hash_stream(fh: BinaryIO) -> str:
    """The content hash of an open file (as :func:`hash_bytes` of its bytes), read in chunks; the file
    is left at its start."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
        fh.seek(0)
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from None
    return digest.hexdigest()


def hash_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_source(
    source: SourceFile, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document | Skipped]:
    """Documents (or problems) from one file's bytes, extracted in this process (the indexer extracts
    files other than JSON Lines in a worker process with limits: :mod:`searcher.ingest.isolation`)."""
    if source.is_jsonl:
        try:
            # (no hash known: every record is read)
            yield from cast("Iterator[Document | Skipped]", read_jsonl(source, io.BytesIO(data), max_bytes))
        except SourceError as exc:
            yield Skipped(source.shown, exc.reason)
        return
    from .documents import document_from_file

    yield document_from_file(source, data, max_bytes=max_bytes)


def precheck(source: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> Skipped | None:
    """Why ``source`` is skipped without reading it (unsupported type, empty, over the size limit), or None.

    A JSON Lines file may be of any size: it is read a line at a time, and each record is held to
    ``max_bytes``.
    """
    if source.is_jsonl:
        return None
    suffix = source.path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return Skipped(source.shown, f"unsupported file type {printable(suffix) or '(no extension)'}")
    if source.size == 0:
        return Skipped(source.shown, "empty file")
    if source.size > max_bytes:
        return Skipped(source.shown, too_large_reason(source.size, max_bytes))
    return None


def read_jsonl(
    source: SourceFile,
    fh: BinaryIO,
    max_bytes: int = DEFAULT_MAX_BYTES,
    known: Container[str] = frozenset(),
) -> Iterator[Document | KnownRecord | Skipped]:
    """The records of an open JSON Lines file (``.gz`` decompressed as it is read), one Document each.

    Two passes over the file, neither holding more than a line: the first only notes each valid
    record's id (a record whose id comes again later in the file is superseded by the later one), the
    second parses the records kept as they are indexed. A record longer than ``max_bytes`` is skipped.
    A record whose bytes hash to one of ``known`` (the hashes of the records indexed from this file) is
    given as a :class:`KnownRecord`, not read further: a few changed records of a large export cost
    only what reading those few costs.
    :raise SourceError: the file cannot be read through (a broken gzip stream): before any Document.
    """
    last: dict[str, int] = {}
    for number, line in _lines(source, fh, max_bytes):
        where = f"{source.shown}:{number + 1}"
        if isinstance(line, int):
            yield Skipped(where, too_large_reason(line, max_bytes, "record"))
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield Skipped(where, f"invalid JSON: {exc}")
            continue
        if not isinstance(record, dict) or not record.get("id") or not isinstance(record.get("text"), str):
            yield Skipped(where, "a record needs an 'id' and a 'text' string")
            continue
        last[str(record["id"])] = number
    kept = {number: record_id for record_id, number in last.items()}
    del last
    try:
        fh.seek(0)
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from None
    for number, line in _lines(source, fh, max_bytes):
        record_id = kept.get(number)
        if record_id is None or not isinstance(line, bytes):
            continue
        content_hash = hash_bytes(line)
        if content_hash in known:
            yield KnownRecord(record_id, content_hash, line, source.rel_id, source.folder_name)
        else:
            yield document_from_record(json.loads(line), source.rel_id, content_hash, source.folder_name)


@dataclass
class KnownRecord:
    """A JSON Lines record whose bytes are those indexed before: its document is worked out (headline,
    date, places) only if it is needed after all, its id having gone to another file meanwhile."""

    id: str
    content_hash: str
    line: bytes
    path: str
    folder: str

    def document(self) -> Document:
        return document_from_record(json.loads(self.line), self.path, self.content_hash, self.folder)


def _lines(source: SourceFile, fh: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | int]]:
    """(number, line without its end) for each line of ``fh``; for a line over ``max_bytes``, its
    length instead, the line being read past rather than held."""
    gz = source.path.name.lower().endswith(".gz")
    stream: BinaryIO = gzip.GzipFile(fileobj=fh, mode="rb") if gz else fh  # type: ignore[assignment]
    number = 0
    try:
        while line := stream.readline(max_bytes + 1):
            if len(line) > max_bytes and not line.endswith(b"\n"):
                size = len(line)
                while more := stream.readline(CHUNK):
                    size += len(more.removesuffix(b"\n"))
                    if more.endswith(b"\n"):
                        break
                yield number, size
            else:
                yield number, line.rstrip(b"\n").removesuffix(b"\r")
            number += 1
    except (OSError, EOFError, zlib.error) as exc:
        if gz:
            raise SourceError(f"not a readable gzip file: {exc}") from None
        raise SourceError(f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from None


# News agencies as VNTC's records name them
AGENCIES = {
    "NLD": "Người Lao Động",
    "TT": "Tuổi Trẻ",
    "TN": "Thanh Niên",
    "VNE": "VnExpress",
    "VNN": "VietNamNet",
    "DT": "Dân Trí",
    "TTXVN": "TTXVN",
}


def record_source(record: dict, folder: str = "") -> str | None:
    """The site or publisher of a JSONL record: its ``source``/``source_site``/``publisher``, its news
    agency's name, the host of its ``url``, else the folder it was found in."""
    for key in ("source", "source_site", "publisher", "site"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    agency = record.get("news_agency")
    if isinstance(agency, str) and agency.strip():
        return AGENCIES.get(agency.strip().upper(), agency.strip())
    url = record.get("url")
    site = site_of(url) if isinstance(url, str) else None
    return site or folder or None


def document_from_record(record: dict, path: str, content_hash: str, folder: str = "") -> Document:
    """A JSONL record (``id``, ``title``, ``text``, optional ``date``, ``url``, ``source``) as a Document.

    :param path: the JSONL file, relative to the folder indexed.
    """
    from .documents import finish_document
    from .metadata import headline, strip_markup

    date = record.get("date")
    text = decode_text(record["text"])
    title = strip_markup(decode_text(str(record.get("title") or "")))
    shown = headline(title, text) if title else ""
    url = record.get("url")
    return finish_document(
        Document(
            id=str(record["id"]),
            title=shown,
            title_words=title if shown != title else "",
            text=text,
            path=path,
            date=_record_date(date),
            date_source="record" if _record_date(date) else None,
            url=url if isinstance(url, str) and url else None,
            source=record_source(record, folder),
            content_hash=content_hash,
        )
    )


def _record_date(value) -> str | None:
    """The ISO date of a record's ``date`` (``2017-06-12``, ``2017-06-12T08:00:00+07:00``), or None."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(value or "")[:10]).isoformat()
    except ValueError:
        return None
