"""From one file's bytes to a clean :class:`~searcher.ingest.model.Document`: decode, normalise, clean, metadata."""

from __future__ import annotations

import datetime as dt

from ..text.normalize import decode_text
from .clean import remove_boilerplate
from .extract import DEFAULT_MAX_BYTES, ExtractError, extract_file
from .metadata import extract_author, extract_date, extract_title, official_date, official_title, strip_markup
from .model import Document, Skipped
from .places import home_place, tag_places

# Formats whose files carry an official document (decision, decree, report) rather than a web article.
OFFICE_KINDS = (".doc", ".docx", ".rtf", ".pdf")


def document_from_file(source, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Document | Skipped:
    """Extract, clean and describe one non-JSONL file; a file that cannot be used comes back as Skipped.

    Title, date and byline the format provides (a page's headline and publication time) are kept;
    what is missing is read from the text. Office documents and PDFs are titled by their type and
    subject ("Quyết định về việc ...") unless their properties hold a longer title: short property
    titles ("Nghị định", a department's name) are template leftovers.
    """
    try:
        extracted = extract_file(source.path, max_bytes=max_bytes, data=data)
    except ExtractError as exc:
        return Skipped(source.shown, exc.reason)
    text = decode_text(extracted.text)
    title = strip_markup(decode_text(extracted.title or ""))
    date, date_source = _iso_date(extracted.date), "metadata"
    author = decode_text(extracted.author).strip() if extracted.author else None
    official = official_title(text)
    if source.path.suffix.lower() in OFFICE_KINDS:
        author = None  # the properties name whoever typed the file; a signature is read from the text
        if official and len(official) >= len(title):  # a property title shorter than that is a leftover
            title = official
    # the heading's "<place>, ngày D tháng M năm Y" (a text file must also open like an official document)
    if (official or source.path.suffix.lower() in OFFICE_KINDS) and official_date(text):
        date, date_source = official_date(text), "text"
    doc = Document(
        id=source.rel_id,
        title=title,
        text=text,
        path=source.rel_id,
        date=date,
        date_source=date_source if date else None,
        author=author,
        url=extracted.url,
        source=extracted.site or source.folder_name,
        content_hash="",
        modified=dt.datetime.fromtimestamp(source.mtime_ns / 1e9).date().isoformat(),
    )
    return finish_document(doc, clean=True)


def _iso_date(value: str | None) -> str | None:
    try:
        return dt.date.fromisoformat((value or "")[:10]).isoformat()
    except ValueError:
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
    if not doc.places:
        home = home_place(doc.source, doc.url)
        doc.places, doc.places_mentioned = tag_places(doc.title, doc.text, home=home)
    return doc
