"""Plain data objects shared by ingestion, indexing and search.

The core passes these around instead of dicts so that every stage agrees on one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Bump whenever a change to how files are read or described (their text, headline, lead, date,
# places or source) changes what a file already indexed would now give: the next `search index`
# reads every file again, beside the live index, which answers meanwhile. (Changes to fields or
# analyzers bump searcher.analysis.schema.SCHEMA_VERSION instead.)
EXTRACTION_VERSION = 6


@dataclass
class Document:
    """One indexable document, already cleaned.

    ``text`` is the source's own text, decoded (``searcher.text.normalize.decode_text``): it is stored,
    shown, analysed and highlighted, and every character offset the index keeps points into it, so it
    must be NFC before it gets here. Dashes, quotes and tone placement are as the source wrote them.
    """

    id: str  # path relative to the folder given, or the record's id in a JSONL file
    title: str
    text: str
    path: str = ""  # the source file relative to the folder indexed (never an absolute server path)
    date: str | None = None  # ISO date (YYYY-MM-DD) of publication; None when unknown
    date_source: str | None = None  # "text" (a date line of the article or a document's heading),
    # "metadata" (the page's or file's properties) or "record" (JSONL)
    places: list[str] = field(default_factory=list)  # provinces/cities the report is about
    places_mentioned: list[str] = field(default_factory=list)  # every province/city it names
    author: str | None = None
    url: str | None = None
    source: str | None = None  # the site or publisher ("vnexpress.net", "Tuổi Trẻ"), else the folder
    modified: str | None = None  # ISO date the file was last modified (not a publication date)
    content_hash: str = ""  # hash of the source bytes/record, for incremental indexing
    # the source's own title field when the headline shown (``title``) was cut from it: its words
    # are the title's words for ranking, as the source gave them; empty when nothing was cut
    title_words: str = ""


@dataclass
class Skipped:
    """A source that was not indexed, and why (shown to the user, never silently dropped)."""

    path: str
    reason: str
