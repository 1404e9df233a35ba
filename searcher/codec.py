"""Whoosh's on-disk format, with rare terms' postings kept in the term table.

Syllable bigrams make most terms rare: half of them occur in one document. Whoosh's default codec
writes every term's postings as a pickled, zlib-compressed block in the postings file, which made
writing those blocks the largest cost of indexing. Whoosh can store short posting lists inside the
term's entry instead ("inlining"), but its writer calls a method that does not exist, so the option
is unusable as shipped; this codec repairs it. Readers need nothing new: an inlined term is read by
Whoosh's own ``ListMatcher``. Segments record the codec that wrote them, so older indexes stay readable.
"""
from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter

# Posting lists shorter than this are inlined; longer ones still get blocks (and skip lists).
INLINE_LIMIT = 8


class _InliningPostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        terminfo = self._terminfo
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo.add_block(self)
        # Every posting needs a value: merging copies them one by one and Whoosh wants bytes there
        # (frequency-only fields record none, a ListMatcher without values would answer "").
        values = tuple(self._values) or (b"",) * len(self._ids)
        terminfo._inlined = (tuple(self._ids), tuple(self._weights), values)
        self._terminfo = None
        return terminfo


class InliningCodec(W3Codec):
    """Whoosh 3's codec with posting lists of fewer than ``inlinelimit`` documents inlined."""

    def __init__(self, blocklimit=128, compression=3, inlinelimit=INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return _InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                       compression=self._compression, inlinelimit=self._inlinelimit)
