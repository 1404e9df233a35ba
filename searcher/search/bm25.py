"""BM25F as Whoosh computes it, with each field's document lengths read from a list.

Whoosh's scorer looks a document's field length up through three method calls and a column read for
every posting it scores, a sixth of a long question's time. Here each segment's lengths are decoded
once into a list (20,000 documents: ~25 ms per field, kept while the segment reader lives), and the
score is Whoosh's own ``bm25`` formula, so rankings do not change.
"""

from __future__ import annotations

import threading
import weakref

from whoosh.scoring import BM25F, BM25FScorer, WeightScorer

from ..index.codec.whoosh_private import field_B, has_length_column
from ..index.postings import LENGTH_OF_BYTE, segment_length_bytes

_LENGTHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # segment reader -> {field: list}
_LOCK = threading.Lock()


def field_lengths(reader, fieldname: str) -> list[int] | None:
    """Every document's length in ``fieldname`` for one segment reader, or None if not readable.

    The bytes are the ones :mod:`searcher.index.postings` reads and keeps for the array scorer; they
    are decoded here into a list because a list is the quickest to index once per posting scored."""
    with _LOCK:
        per_field = _LENGTHS.setdefault(reader, {})
        lengths = per_field.get(fieldname)
        if lengths is None:
            if not has_length_column(reader, fieldname):
                return None  # Whoosh's own lookup is used
            lengths = per_field[fieldname] = [
                LENGTH_OF_BYTE[b] for b in segment_length_bytes(reader, fieldname).tolist()
            ]
        return lengths


class _ListLengthScorer(BM25FScorer):
    def __init__(self, searcher, fieldname, text, B, K1, qf=1):
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        lengths = field_lengths(searcher.reader(), fieldname)
        if lengths is not None:
            self.dfl = lengths.__getitem__

    def score(self, matcher):
        # whoosh.scoring.bm25, inlined: one call less per posting, the same arithmetic
        tf, fl, K1, B = matcher.weight(), self.dfl(matcher.id()), self.K1, self.B
        return self.idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / self.avgfl)))


class ListLengthBM25F(BM25F):
    """:class:`whoosh.scoring.BM25F` with the faster scorer above (same parameters, same scores)."""

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        return _ListLengthScorer(searcher, fieldname, text, field_B(self, fieldname), self.K1, qf=qf)
