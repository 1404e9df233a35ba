"""Plain data objects shared by ingestion, indexing and search.

The core passes these around instead of dicts so that every stage agrees on one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Document:
    """One indexable document, already cleaned.

    ``text`` is the exact string that is analysed, stored and highlighted: every character offset the
    index keeps points into it, so it must be NFC-normalised before it gets here.
    """

    id: str  # path relative to the folder given, or the record's id in a JSONL file
    title: str
    text: str
    path: str = ""  # the source file, as the user will recognise it
    date: str | None = None  # ISO date (YYYY-MM-DD) of publication
    date_source: str | None = None  # "text" (found in the article), "metadata" (the page or file
    # properties), "record" (JSONL), or "file" (mtime fallback)
    places: list[str] = field(default_factory=list)  # provinces/cities the report is about
    author: str | None = None
    url: str | None = None
    source: str | None = None
    content_hash: str = ""  # hash of the source bytes/record, for incremental indexing


@dataclass
class Skipped:
    """A source that was not indexed, and why (shown to the user, never silently dropped)."""

    path: str
    reason: str
