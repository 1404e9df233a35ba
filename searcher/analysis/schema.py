"""The index schema, in one place, with the reason for every field.

Bump :data:`SCHEMA_VERSION` whenever a field or an analyzer changes: an index built with another
version is rebuilt instead of being updated in place.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, Schema

from .analyzers import SyllableText

# 2: i/y spellings merged by the analyzers; 3: modules moved into packages (Whoosh pickles the
# analyzers and the codec by their import path, so an older index cannot be opened); 4: the source's own
# text stored, relative paths, publication dates only from evidence, places mentioned, file dates;
# 5: side tables in SQLite, committed with the index (searcher.index.sidetables); ids unique per source
# (a second folder's or JSON Lines file's id qualified, never shared), printable; the compact codec;
# 6: accented title bigrams (a quoted accented phrase holds in a title only as typed)
SCHEMA_VERSION = 6


def make_schema() -> Schema:
    """Build the schema. Title and body are each indexed in several forms from the same string."""
    return Schema(
        # Identity and bookkeeping
        id=ID(unique=True, stored=True),  # one per source: searcher.ingest.ids (a relative path, a record id)
        path=ID(stored=True),  # source file relative to the folder indexed (never an absolute path)
        content_hash=STORED,  # hash of the source record: unchanged documents are skipped on re-index
        # Title: exact syllables (accents, canonical tone), folded syllables, folded bigrams
        # (positions only where phrases are matched: the folded fields), accented bigrams (the
        # folded phrase finds "trọng tài thương mại", these tell it from a typed "trọng tại")
        title=SyllableText("exact", stored=True, phrase=False),
        title_fold=SyllableText("folded", phrase=True),
        title_bi=SyllableText("bigram", phrase=False),
        title_bi_exact=SyllableText("exact_bigram", phrase=False),
        # Body: the same forms, plus accented bigrams so an accented query's exact words win
        body=SyllableText("exact", phrase=False),
        body_fold=SyllableText("folded", phrase=True),
        body_bi=SyllableText("bigram", phrase=False),
        body_bi_exact=SyllableText("exact_bigram", phrase=False),
        # The source's own text (decoded, cleaned) every offset refers to: shown, highlighted, returned by
        # `search show`; the analyzers read dashes, quotes and tone placement in their plain forms
        text=STORED,
        # Metadata for display and filtering
        date=ID(stored=True, sortable=True),  # ISO YYYY-MM-DD: lexical order is date order
        date_source=STORED,  # "text", "metadata" or "record"; no date when there is no evidence of one
        places=KEYWORD(stored=True, commas=True, scorable=False),  # provinces/cities the report is about
        places_mentioned=STORED,  # every province/city it names, comma-separated
        modified=STORED,  # ISO date the file was last modified: shown as such, never a publication date
        author=STORED,
        url=STORED,
        source=STORED,
        dup_of=ID(stored=True),  # group key shared by the copies of one story (searcher.index.duplicates)
    )
