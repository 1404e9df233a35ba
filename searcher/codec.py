"""Whoosh's on-disk format, with rare terms' postings kept in the term table.

Syllable bigrams make most terms rare: half of them occur in one document. Whoosh's default codec
writes every term's postings as a pickled, zlib-compressed block in the postings file, which made
writing those blocks the largest cost of indexing. Whoosh can store short posting lists inside the
term's entry instead ("inlining"), but its writer calls a method that does not exist, so the option
is unusable as shipped; this codec repairs it. Readers need nothing new: an inlined term is read by
Whoosh's own ``ListMatcher``. Segments record the codec that wrote them, so older indexes stay readable.

Writing a segment also looked up each posting's document length in the segment's length column, a
file read per posting (a fifth of the commit on 5,000 articles); the lengths are read once per field.
"""
from __future__ import annotations

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3FieldWriter, W3PostingsWriter, _lenfield
from whoosh.util.numeric import byte_to_length

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


class _FieldLengths:
    """A segment's document lengths, one array per field, answering as ``doc_field_length`` does."""

    def __init__(self, perdoc):
        self._perdoc = perdoc
        self._arrays: dict = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        if fieldname not in self._arrays:
            reader = self._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            self._arrays[fieldname] = None if reader is None else reader.load()
        array = self._arrays[fieldname]
        if array is None:
            return default
        lbyte = array[docnum]
        return byte_to_length(lbyte) if lbyte else None


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        if lengths is not None and hasattr(lengths, "_cached_reader"):  # Whoosh 3's per-document reader
            lengths = _FieldLengths(lengths)
        return super().add_postings(schema, lengths, items)


class InliningCodec(W3Codec):
    """Whoosh 3's codec with posting lists of fewer than ``inlinelimit`` documents inlined."""

    def __init__(self, blocklimit=128, compression=3, inlinelimit=INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                       compression=self._compression, inlinelimit=self._inlinelimit)
