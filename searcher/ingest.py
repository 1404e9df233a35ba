"""From one file's bytes to a clean :class:`~searcher.model.Document`: decode, normalise, clean, metadata."""
from __future__ import annotations

import codecs
import datetime as dt

from .clean import remove_boilerplate
from .metadata import extract_author, extract_date, extract_title
from .model import Document, Skipped
from .normalize import normalize_text
from .places import find_places


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
    doc = finish_document(doc, clean=True)
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


def finish_document(doc: Document, clean: bool = False) -> Document:
    """Fill in what the source did not give: title, date, places, byline.

    :param clean: remove portal furniture from the text (files saved from web portals); records from
        JSONL exports are taken as they are.
    """
    raw = doc.text
    if not doc.title:
        doc.title = extract_title(raw)
    if not doc.date:
        doc.date = extract_date(raw)
        doc.date_source = "text" if doc.date else None
    if clean:
        doc.text = remove_boilerplate(raw)
        doc.author = doc.author or extract_author(doc.text)
    doc.places = doc.places or find_places(doc.title, doc.text)
    return doc
