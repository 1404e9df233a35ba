"""Whoosh's on-disk format, with posting blocks laid out as arrays and rare terms kept in the term table.

Changes to Whoosh 3's codec, each measured on news articles:

- Rare terms inlined. Syllable bigrams make most terms rare: half of them occur in one document.
  Whoosh can keep short posting lists inside the term's entry instead of writing a block to the
  postings file ("inlining"), but its writer calls a method that does not exist, so the option is
  unusable as shipped; :class:`InliningCodec` repairs it. Readers need nothing new: an inlined term
  is read by Whoosh's own ``ListMatcher``.
- Blocks as arrays (:class:`ArrayCodec`, used for every new segment). Whoosh pickles and compresses
  each block's document numbers, weights and positions together, so reading the numbers of a common
  word meant decompressing and unpickling a bytes object per posting for its positions too: 1 µs per
  posting, most of a short query's first read. Here a block is its numbers (deltas of 1, 2 or 4
  bytes) and weights (whole numbers in 1 or 2 bytes) as plain arrays, then its value lengths and
  values: numpy reads numbers and weights straight from the file's bytes, and a phrase slices out
  only the positions it checks. Positions are stored as they are (a phrase of common words spent a
  third of its time decompressing them; the postings file grows by half, the full news index by
  9%); other fields' values (frequencies, which the scorer reads from the weights) are compressed.
  Blocks hold 1,024 postings (Whoosh's 128 made the per-block work most of a long list's reading).
  Writing is vectorised too.
  The block header (count, last id, maximum weight, ...) is Whoosh's own, so skipping and block
  quality work unchanged, and Whoosh's matcher interface is kept for every other reader.

- The compact encodings (:class:`CompactCodec`, used for every new segment): an inlined term's
  postings as variable-length integers instead of a pickle after Whoosh's 23 bytes of statistics
  (most terms are inlined: the term table was most of the index), positions as varint deltas,
  frequencies left to the weights, and fewer empty hash slots (:mod:`.compact`). On 20,000 news
  articles the index went from 897 to 468 MB.
- The packed codec (:class:`PackedCodec`, used for every new segment): three more of Whoosh's parts
  are ours, each measured on 20,000 news articles. The term table (:mod:`.termtable`): Whoosh's is a
  hash file whose per-term overhead (row lengths, hash slots, an ordered index: 30 bytes) and whole
  keys were most of it; ours keeps sorted keys, each after the first of its block as the part it
  does not share with the key before, found by binary search, and entries of terms with blocks in
  varints too (181 -> 56 MB). Posting blocks (:mod:`.packed`): Whoosh's pickled block header
  (about 40 bytes for the many terms of one short block) becomes a few varints, number gaps and
  weights take 1 to 32 bits, and positions are read without their lengths (93 -> 65 MB). Stored
  fields (:mod:`.stored`): compressed against a dictionary of the segment's first documents
  (34 -> 26 MB).

Segments record the codec that wrote them: segments written before keep being read as they were.

Writing a segment also looked up each posting's document length in the segment's length column, a
file read per posting (a fifth of the commit on 5,000 articles); the lengths are read once per field.

The package's modules, one role each:

- :mod:`.blocks`: a block's data in the array layout, encoded and decoded with numpy;
- :mod:`.reading`: a term's posting list read from the posting file as arrays, whole or only the
  blocks that may hold given documents;
- :mod:`.positions`: the positions of many postings decoded at once;
- :mod:`.compact`: the encodings of :class:`CompactCodec` (varints for inlined postings and positions);
- :mod:`.termtable`: the term table of :class:`PackedCodec` (sorted keys sharing their prefixes in
  blocks, found by binary search);
- :mod:`.packed`: the block layout of :class:`PackedCodec` (bit-packed numbers, headers of varints);
- :mod:`.stored`: the stored fields' column of :class:`PackedCodec` (compressed against a dictionary);
- :mod:`.whoosh_private`: the writers and the matcher, which override Whoosh's private steps, and
  every other use of Whoosh's private parts in the project (``docs/whoosh-internals.md``).

The codec classes stay in this module: Whoosh pickles each segment's codec into the index's table of
contents by its import path (``searcher.index.codec.ArrayCodec``).
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec
from whoosh.matching import ListMatcher

from .blocks import decode_block
from .positions import decode_positions
from .reading import read_term_postings, term_blocks, term_positions_among, term_postings_among
from .whoosh_private import (
    CHUNK_POSTINGS,
    ArrayLeafMatcher,
    ArrayPostingsWriter,
    FieldWriter,
    InliningPostingsWriter,
    PackedLeafMatcher,
    PackedPerDocReader,
    PackedPerDocWriter,
    codec_settings,
    packed_terms_reader,
    terms_reader_file,
)

__all__ = [
    "ARRAY_BLOCK_LIMIT",
    "CHUNK_POSTINGS",
    "INLINE_LIMIT",
    "ArrayCodec",
    "ArrayLeafMatcher",
    "CompactCodec",
    "InliningCodec",
    "PackedCodec",
    "decode_block",
    "decode_positions",
    "read_term_postings",
    "term_blocks",
    "term_positions_among",
    "term_postings_among",
]

# Posting lists shorter than this are inlined; longer ones get blocks (and skip lists).
INLINE_LIMIT = 8
# Postings per block of the array layout: fewer, larger blocks cost less per posting to read whole,
# which is how the array scorer reads them; Whoosh's own matchers skip by block all the same.
ARRAY_BLOCK_LIMIT = 1024


class InliningCodec(W3Codec):
    """Whoosh 3's codec with posting lists of fewer than ``inlinelimit`` documents inlined (the
    format of segments written before :class:`ArrayCodec`; still read)."""

    def __init__(self, blocklimit=128, compression=3, inlinelimit=INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(dbfile, byteids=byteids, **codec_settings(self))


class ArrayCodec(InliningCodec):
    """Inlined rare terms and posting blocks in the array layout (see the module's docstring)."""

    def __init__(self, blocklimit=ARRAY_BLOCK_LIMIT, compression=3, inlinelimit=INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors: Whoosh's layout
            return super().postings_writer(dbfile, byteids)
        return ArrayPostingsWriter(dbfile, byteids=False, **codec_settings(self))

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        matcher = PackedLeafMatcher if getattr(terminfo, "packed_blocks", False) else ArrayLeafMatcher
        return matcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class CompactCodec(ArrayCodec):
    """The array codec with the compact encodings of :mod:`.compact` (see the module's docstring);
    what Whoosh's readers are given is unchanged."""

    compact = True  # read by the field writer: term infos in the compact encoding

    def postings_writer(self, dbfile, byteids=False):
        writer = super().postings_writer(dbfile, byteids)
        if isinstance(writer, ArrayPostingsWriter):
            writer.varint_positions = True
        return writer

    def terms_reader(self, storage, segment):
        return terms_reader_file(self, storage, segment)


class PackedCodec(CompactCodec):
    """The compact codec with a term table of its own (:mod:`.termtable`: sorted keys sharing their
    prefixes in blocks, found by binary search, instead of Whoosh's hash file) whose entries for terms
    with blocks are varints too (``PackedTermInfo``), posting blocks in the packed layout
    (:mod:`.packed`), and stored fields compressed against a dictionary (:mod:`.stored`)."""

    packed = True  # read by the field writer

    def postings_writer(self, dbfile, byteids=False):
        writer = super().postings_writer(dbfile, byteids)
        if isinstance(writer, ArrayPostingsWriter):
            writer.packed_blocks = True
        return writer

    def terms_reader(self, storage, segment):
        return packed_terms_reader(self, storage, segment)

    def per_document_writer(self, storage, segment):
        return PackedPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return PackedPerDocReader(storage, segment)
