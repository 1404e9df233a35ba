"""From one file's bytes to a clean :class:`~searcher.model.Document`: decode, normalise, clean, metadata."""
from __future__ import annotations

import codecs
import datetime as dt

from .model import Document, Skipped
from .normalize import normalize_text

TITLE_MAX_CHARS = 200


def document_from_file(source, data: bytes) -> Document | Skipped:
    """Extract, clean and describe one non-JSONL file."""
    suffix = source.path.suffix.lower()
    if suffix not in (".txt", ".md"):
        return Skipped(str(source.path), f"unsupported file type {suffix or '(none)'}")
    if not data.strip():
        return Skipped(str(source.path), "empty file")
    text = decode_text(data)
    if text is None:
        return Skipped(str(source.path), "binary content or unknown encoding")
    doc = Document(
        id=source.rel_id,
        title="",
        text=normalize_text(text),
        path=str(source.path),
        content_hash="",
    )
    doc = finish_document(doc)
    if not doc.date:
        doc.date = dt.datetime.fromtimestamp(source.mtime_ns / 1e9).date().isoformat()
        doc.date_source = "file"
    return doc


def decode_text(data: bytes) -> str | None:
    """Decode a text file: BOM first (UTF-8, UTF-16), then UTF-8; None when it is not text."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def finish_document(doc: Document) -> Document:
    """Fill in what the source did not give: the title from the text's first meaningful line."""
    if not doc.title:
        doc.title = first_line_title(doc.text)
    return doc


def first_line_title(text: str) -> str:
    for line in text.split("\n"):
        line = line.strip()
        if sum(ch.isalpha() for ch in line) >= 3:
            if len(line) > TITLE_MAX_CHARS:
                cut = line.rfind(" ", 0, TITLE_MAX_CHARS)
                line = line[: cut if cut > 0 else TITLE_MAX_CHARS] + "…"
            return line
    return ""
