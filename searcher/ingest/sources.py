"""Finding source files and turning them into :class:`~searcher.ingest.model.Document` objects.

A source is a file; a ``.jsonl``/``.jsonl.gz`` file holds many documents, any other supported file one.
Reading never raises for a bad file: the problem comes back as a :class:`~searcher.ingest.model.Skipped`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..text.normalize import decode_text
from .extract import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, too_large_reason
from .model import Document, Skipped

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")


@dataclass
class SourceFile:
    """A file found under one of the folders given to ``search index``."""

    path: Path  # absolute
    root: Path  # the folder (or file) the user named; ids are relative to it
    size: int
    mtime_ns: int

    @property
    def rel_id(self) -> str:
        if self.root == self.path:
            return self.path.name
        return self.path.relative_to(self.root).as_posix()

    @property
    def folder_name(self) -> str:
        """The folder the file was found in, as named from the folder indexed ("news", "news/2017")."""
        if self.root == self.path:
            return self.path.parent.name
        parent = self.path.parent.relative_to(self.root).as_posix()
        return self.root.name if parent == "." else f"{self.root.name}/{parent}"

    @property
    def is_jsonl(self) -> bool:
        return self.path.name.lower().endswith(JSONL_SUFFIXES)


def walk_sources(roots: list[Path]) -> tuple[list[SourceFile], list[Skipped]]:
    """All regular files under ``roots`` in a stable order; hidden files and folders are passed over.

    Symbolic links are not followed: a link could lead outside the folder the user chose to index.
    """
    found: list[SourceFile] = []
    problems: list[Skipped] = []
    for root in roots:
        root = root.resolve()
        if root.is_file():
            st = root.stat()
            found.append(SourceFile(root, root, st.st_size, st.st_mtime_ns))
            continue
        if not root.is_dir():
            problems.append(Skipped(str(root), "no such file or folder"))
            continue
        for folder, dirnames, filenames in os.walk(
            root,
            onerror=lambda e: problems.append(Skipped(str(e.filename), f"cannot read folder: {e.strerror}")),
        ):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(folder) / name
                if path.is_symlink():
                    problems.append(Skipped(str(path), "symbolic link: not followed"))
                    continue
                try:
                    st = path.stat()
                except OSError as exc:
                    problems.append(Skipped(str(path), f"cannot read file: {exc.strerror}"))
                    continue
                found.append(SourceFile(path, root, st.st_size, st.st_mtime_ns))
    return found, problems


def hash_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_source(
    source: SourceFile, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document | Skipped]:
    """Documents (or problems) from one file's bytes."""
    if source.is_jsonl:
        yield from _read_jsonl(source, data)
        return
    from .documents import document_from_file

    yield document_from_file(source, data, max_bytes=max_bytes)


def precheck(source: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> Skipped | None:
    """Why ``source`` is skipped without reading it (unsupported type, empty, over the size limit), or None."""
    if source.is_jsonl:
        return None
    suffix = source.path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return Skipped(str(source.path), f"unsupported file type {suffix or '(no extension)'}")
    if source.size == 0:
        return Skipped(str(source.path), "empty file")
    if source.size > max_bytes:
        return Skipped(str(source.path), too_large_reason(source.size, max_bytes))
    return None


def _read_jsonl(source: SourceFile, data: bytes) -> Iterator[Document | Skipped]:
    if source.path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            yield Skipped(str(source.path), f"not a readable gzip file: {exc}")
            return
    # Two passes: the first only notes each valid record's id (a record whose id comes again later
    # in the file is superseded by the later one), the second parses the records kept as they are
    # indexed, so a large file's records are never all held at once.
    lines = data.splitlines()
    last: dict[str, int] = {}
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        where = f"{source.path}:{number + 1}"
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield Skipped(where, f"invalid JSON: {exc}")
            continue
        if not isinstance(record, dict) or not record.get("id") or not isinstance(record.get("text"), str):
            yield Skipped(where, "a record needs an 'id' and a 'text' string")
            continue
        last[str(record["id"])] = number
    for number in sorted(last.values()):
        line = lines[number]
        yield document_from_record(json.loads(line), source.rel_id, hash_bytes(line), source.folder_name)


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
    if isinstance(url, str) and "://" in url:
        host = url.split("://", 1)[1].split("/", 1)[0].lower()
        return host.removeprefix("www.") or None
    return folder or None


def document_from_record(record: dict, path: str, content_hash: str, folder: str = "") -> Document:
    """A JSONL record (``id``, ``title``, ``text``, optional ``date``, ``url``, ``source``) as a Document.

    :param path: the JSONL file, relative to the folder indexed.
    """
    from .documents import finish_document
    from .metadata import headline, strip_markup

    date = record.get("date")
    text = decode_text(record["text"])
    title = strip_markup(decode_text(str(record.get("title") or "")))
    url = record.get("url")
    return finish_document(
        Document(
            id=str(record["id"]),
            title=headline(title, text) if title else "",
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
