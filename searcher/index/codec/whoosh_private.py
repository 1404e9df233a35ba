"""Every use of Whoosh's private parts, in one module.

Whoosh's extension points (codecs, weighting models, writer options) let a new on-disk format be
plugged in, but not written or read fast: the array codec's writers and matcher override Whoosh's
private steps (``_write_block``, ``_read_data``, ...), the readers reach the posting file and the
length columns behind a segment reader, and the segment writer hands its postings over through
``_flush_segment``. All of that is here, so that what a Whoosh upgrade may break is in one place.
``tests/test_codec.py`` and ``tests/test_ranking.py`` compare the results with Whoosh's own writer
and scorer; ``tests/test_whoosh_private.py`` keeps every other module off Whoosh's private names.
See ``docs/whoosh-internals.md``.

What the rest of the project uses:

- reading: :func:`posting_file`, :func:`length_column_bytes`, :func:`has_length_column`,
  :func:`leaf_blocks`, :func:`field_B`, :class:`ArrayLeafMatcher`
- the codec (:mod:`searcher.index.codec`): :func:`codec_settings`, :class:`InliningPostingsWriter`,
  :class:`ArrayPostingsWriter`, :class:`FieldWriter`, :func:`terms_reader_file`,
  :func:`packed_terms_reader`
- the segment writers (:mod:`searcher.index.pool`): :class:`TermGroupsFlush`,
  :func:`start_document`, :func:`field_boost`, :func:`document_added`
- the worker processes (:mod:`searcher.index.workers`): :class:`MpWriterTasks`,
  :func:`process_job_file`, :func:`finalize_segment`
- commits kept in step with the side tables (:mod:`searcher.index.indexer`): :class:`PreviousKept`,
  :func:`release_previous`, :func:`roll_back_to`, :func:`ids_added_after`
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pickle import dumps
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh.codec.base import FieldCursor, TermsReader
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3FieldCursor,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
    _lenfield,
)
from whoosh.columns import NumericColumn
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.index import TOC, EmptyIndexError, clean_files
from whoosh.multiproc import SubWriterTask
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.system import pack_ushort, unpack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from .blocks import (
    ChunkBlocks,
    decode_block,
    frequencies_of,
    has_values_from_weights,
    has_varint_positions,
    packed_block_data,
)
from .compact import (
    VALUES_EMPTY,
    VALUES_FREQUENCIES,
    VALUES_POSITIONS,
    VALUES_RAW,
    decode_inlined,
    encode_inlined_rows,
    encode_inlined_values,
    encode_varint_positions,
    read_varint,
    varints,
    whoosh_positions_lengths,
    whoosh_values_of_varint_positions,
)
from .packed import block_header, read_block_header
from .positions import decode_positions
from .reading import mapped_file
from .stored import DictionaryStoredColumn
from .termtable import TermTable, TermTableWriter

if TYPE_CHECKING:  # the mixins below are mixed into these (type checkers then know their attributes)
    from whoosh.multiproc import MpWriter as _MpWriterBase
    from whoosh.writing import SegmentWriter as _SegmentWriterBase
else:
    _MpWriterBase = _SegmentWriterBase = object

# Postings turned into arrays and lists at a time when a segment is written term by term.
CHUNK_POSTINGS = 1 << 18

# a term table entry's statistics: inlined?, weight, doc frequency, min/max length byte, max weight, min/max id
_TERM_INFO = W3TermInfo._struct
_ROW_LENGTHS = struct.Struct("!ii")  # a hash file row's key and value lengths (whoosh.filedb.filetables)
_POINTER = struct.Struct("!Iq")  # a hash table slot: the key's hash and the row's position (the same)
# A length byte's length as Whoosh decodes it (byte_to_length), byte 0 kept as 0: "no length", left
# out of a block's shortest length. searcher.index.postings.LENGTH_OF_BYTE is the same table but for
# byte 0, read as 1 there (the length Whoosh's BM25F asks for when there is none); it cannot be used
# here, as that module imports this package.
_DECODED_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)


# --- reading ---------------------------------------------------------------------------------------


def posting_file(reader):
    """A segment reader's posting file (a ``StructFile``): where its codec wrote the posting lists
    that the term infos' extents point into."""
    return reader._terms._postfile


def _whoosh3_per_document(reader):
    """A segment reader's Whoosh 3 per-document reader, or None for another kind of reader."""
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    return perdoc


def _length_column(perdoc, fieldname: str):
    """The column reader of a field's length bytes in a Whoosh 3 per-document reader, or None."""
    return perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)


def has_length_column(reader, fieldname: str) -> bool:
    """Whether :func:`length_column_bytes` reads ``fieldname``'s lengths for this segment reader."""
    perdoc = _whoosh3_per_document(reader)
    return perdoc is not None and _length_column(perdoc, fieldname) is not None


def length_column_bytes(reader, fieldname: str) -> bytes | None:
    """The length byte of every document in ``fieldname`` for one segment reader (0: no length), or
    None if its codec keeps them elsewhere. A column of one byte per document is read from the file
    in one piece, others a document at a time."""
    perdoc = _whoosh3_per_document(reader)
    if perdoc is None:
        return None
    column = _length_column(perdoc, fieldname)
    if column is None:
        return None
    size = reader.doc_count_all()
    if isinstance(column, NumericColumn.Reader) and column._fixedlen == 1:
        stored = min(column._count, size)  # documents past the stored ones have the default, 0
        return bytes(column._dbfile.get(column._basepos, stored)) + bytes(size - stored)
    return bytes(column[d] for d in range(size))


def leaf_blocks(matcher, values: bool):
    """The blocks of a Whoosh 3 block matcher as Whoosh decodes them, walking it to its end: (id
    deltas, weights (None: all 1.0; a float: all that weight), the values if ``values`` else None,
    count) per block. None, the matcher untouched, for any other matcher, one over term vectors,
    or when ``values`` are asked of a format whose values have a fixed size."""
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        return None
    if values and matcher._fixedsize is not None:
        return None
    return _walk_blocks(matcher, values)


def _walk_blocks(matcher, values: bool):
    while matcher.is_active():
        matcher._read_data()
        data = matcher._data
        yield data[0], data[1], data[2] if values else None, matcher._blocklength
        matcher._next_block()


def field_B(weighting, fieldname: str) -> float:
    """BM25F's B for a field: its own (``<field>_B=`` given to ``BM25F``), else the model's."""
    return weighting._field_B.get(fieldname, weighting.B)


class ArrayLeafMatcher(W3LeafMatcher):
    """Whoosh's block matcher over the array layout (the array scorer reads whole lists with
    :func:`searcher.index.codec.reading.read_term_postings` instead)."""

    def _read_data(self):
        data = bytes(self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset))
        self._data = decode_block(data, self._blocklength)
        self._varint_positions = has_varint_positions(data)
        if has_values_from_weights(data):  # Whoosh's matchers read Whoosh's own Frequency values
            self._data = self._data[:2] + frequencies_of(self._data[1], self._blocklength)

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = np.cumsum(self._data[0], dtype=np.int64).tolist()

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        self._weights = [1.0] * self._blocklength if weights is None else weights.astype(np.float64).tolist()

    def _read_values(self):
        if self._data is None:
            self._read_data()
        _, _, lens, blob = self._data
        if lens is None:
            filler = None if self._fixedsize == 0 else b""
            self._values = (filler,) * self._blocklength
            return
        if self._varint_positions:  # Whoosh's matchers read Whoosh's own Positions values
            self._values = whoosh_values_of_varint_positions(lens, blob)
            return
        ends = np.cumsum(lens, dtype=np.int64).tolist()
        starts = [0] + ends[:-1]
        raw = bytes(blob)
        self._values = [raw[s:e] for s, e in zip(starts, ends)]


class PackedLeafMatcher(ArrayLeafMatcher):
    """Whoosh's block matcher over a list of blocks in the packed layout (:mod:`.packed`): a block's
    header is varints, not Whoosh's pickled tuple, and the list starts with its first block."""

    _HEADER_BYTES = 40  # enough for any header (a flags byte, three varints, a float, two bytes)

    def _read_header(self):
        self._baseoffset = self._startoffset
        self._end = self._startoffset + (self._length[0] if isinstance(self._length, tuple) else self._length)

    def _goto(self, position):
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        head = self._postfile.get(position, min(self._HEADER_BYTES, self._end - position))
        count, last_id, max_weight, min_byte, max_byte, start, end = read_block_header(head, 0)
        self._blocklength, self._maxid, self._maxweight, self._compression = count, last_id, max_weight, 0
        self._minlength, self._maxlength = byte_to_length(min_byte), byte_to_length(max_byte)
        self._dataoffset = position + start
        self._nextoffset = position + end
        self._lastblock = self._nextoffset >= self._end


# --- stored fields against a dictionary (PackedCodec) ------------------------------------------------

_STORED_COLUMN = "_stored"  # Whoosh's name for the column of a segment's stored fields


class PackedPerDocWriter(W3PerDocWriter):
    """Whoosh 3's per-document writer with the stored fields' column of :mod:`.stored` (documents
    compressed against a dictionary of the segment's first ones); the other columns are Whoosh's."""

    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, DictionaryStoredColumn() if fieldname == _STORED_COLUMN else column)


class PackedPerDocReader(W3PerDocReader):
    """Whoosh 3's per-document reader reading the stored fields of :class:`PackedPerDocWriter`."""

    def stored_fields(self, docnum):
        reader = self._cached_reader(_STORED_COLUMN, DictionaryStoredColumn())
        found = reader[docnum] if reader is not None else None
        return {} if found is None else found


# --- the compact term table ----------------------------------------------------------------------

# The flags byte of a term info (Whoosh: 0, a block list; 1, inlined postings pickled): this bit
# marks an inlined term in the compact encoding, the low bits being its flags (compact.encode_inlined)
_COMPACT_INLINED = 0x10
# ... and this one a term with blocks in the posting file, its entry in varints (PackedTermInfo)
_COMPACT_BLOCKS = 0x20
_WHOLE_TERM_WEIGHTS = 0x01  # (with _COMPACT_BLOCKS) total and largest weight as varints, not float32
_PACKED_LIST = 0x02  # (with _COMPACT_BLOCKS) the blocks are in the packed layout (.packed)
_FLOAT32 = struct.Struct("<f")  # Whoosh keeps a term's total and largest weight as float32
_TWO_FLOAT32 = struct.Struct("<ff")


def _as_float32(number: float) -> float:
    return _FLOAT32.unpack(_FLOAT32.pack(number))[0]


class CompactTermInfo(W3TermInfo):
    """Whoosh 3's term info; an inlined term's entry in the compact encoding: flags, document
    frequency, first document number (varints), the shortest and longest length bytes, then the
    postings (:func:`searcher.index.codec.compact.encode_inlined`). The total and largest weight and
    the last document number, which Whoosh also writes, are worked out from the postings, as Whoosh
    reads them back (float32 weights)."""

    packed_blocks = False  # whether the term's blocks are in the packed layout (PackedCodec)

    def to_bytes(self):
        if not self.is_inlined():
            return super().to_bytes()
        ids, weights, values = self._inlined
        flags, tail = encode_inlined_values(ids, weights, values)
        return _compact_entry(
            flags,
            ids,
            0 if self._minlength is None else length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
            tail,
        )

    @classmethod
    def from_bytes(cls, s):
        flags = s[0]
        if flags & _COMPACT_BLOCKS:
            return cls._blocks_from_bytes(s)
        if not flags & _COMPACT_INLINED:
            return super().from_bytes(s)
        df, at = read_varint(s, 1)
        first_id, at = read_varint(s, at)
        terminfo = cls()
        terminfo._df = df
        terminfo._minlength = byte_to_length(s[at])
        terminfo._maxlength = byte_to_length(s[at + 1])
        ids, weights, values = decode_inlined(
            flags & ~_COMPACT_INLINED, first_id, df, memoryview(s)[at + 2 :]
        )
        terminfo._inlined = ids, weights, values
        terminfo._weight = _as_float32(sum(weights))
        terminfo._maxweight = _as_float32(max(0, *weights))
        terminfo._minid, terminfo._maxid = ids[0], ids[-1]
        return terminfo

    @classmethod
    def _blocks_from_bytes(cls, s):
        terminfo = cls()
        df, at = read_varint(s, 1)
        minid, at = read_varint(s, at)
        span, at = read_varint(s, at)
        offset, at = read_varint(s, at)
        length, at = read_varint(s, at)
        terminfo._df, terminfo._minid, terminfo._maxid = df, minid, minid + span
        terminfo._offset, terminfo._length = offset, length
        terminfo._minlength = byte_to_length(s[at])
        terminfo._maxlength = byte_to_length(s[at + 1])
        terminfo.packed_blocks = bool(s[0] & _PACKED_LIST)
        at += 2
        if s[0] & _WHOLE_TERM_WEIGHTS:
            weight, at = read_varint(s, at)
            max_weight, at = read_varint(s, at)
            terminfo._weight, terminfo._maxweight = float(weight), float(max_weight)
        else:
            terminfo._weight, terminfo._maxweight = _TWO_FLOAT32.unpack_from(s, at)
        return terminfo


class PackedTermInfo(CompactTermInfo):
    """:class:`CompactTermInfo` whose entry for a term with blocks in the posting file is varints too
    (flags, document frequency, first and last document number, extent, the length bytes, total and
    largest weight): Whoosh's fixed 35 bytes were a third of the table's values on news articles."""

    def to_bytes(self):
        if self.is_inlined() or self._minid is None or self._offset is None:
            return super().to_bytes()
        weight, max_weight = _as_float32(self._weight), _as_float32(self._maxweight)
        flags = _COMPACT_BLOCKS | (_PACKED_LIST if self.packed_blocks else 0)
        if all(_whole_float(number) for number in (weight, max_weight)):
            flags |= _WHOLE_TERM_WEIGHTS
            weights = varints(int(weight), int(max_weight))
        else:
            weights = _TWO_FLOAT32.pack(weight, max_weight)
        return (
            bytes((flags,))
            + varints(self._df, self._minid, self._maxid - self._minid, self._offset, self._length)
            + bytes(
                (
                    0 if self._minlength is None else length_to_byte(self._minlength),
                    length_to_byte(self._maxlength),
                )
            )
            + weights
        )


def _whole_float(number: float) -> bool:
    return number.is_integer() and 0 <= number < 1 << 53


_LENGTH_BYTE_LIMITS = np.array([byte_to_length(i) for i in range(256)], dtype=np.int64)


def _length_bytes(lengths: np.ndarray) -> np.ndarray:
    """``length_to_byte`` of many field lengths."""
    lengths = np.asarray(lengths, dtype=np.int64)
    return np.where(lengths >= 106374, 255, np.searchsorted(_LENGTH_BYTE_LIMITS, lengths, side="left"))


def _compact_entry(flags: int, ids, min_length_byte: int, max_length_byte: int, tail: bytes) -> bytes:
    return (
        bytes((_COMPACT_INLINED | flags,))
        + varints(len(ids), ids[0])
        + bytes((min_length_byte, max_length_byte))
        + tail
    )


class _CompactFieldCursor(W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return CompactTermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


class CompactTermsReader(W3TermsReader):
    """Whoosh 3's term reader reading term infos as :class:`CompactTermInfo` (Whoosh names its own
    class in each method)."""

    def cursor(self, fieldname, fieldobj):
        return _CompactFieldCursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)

    def items(self):
        decode = self._keydecoder
        return ((decode(key), CompactTermInfo.from_bytes(value)) for key, value in self._tindex.items())

    def items_from(self, fieldname, prefix):
        decode = self._keydecoder
        rows = self._tindex.items_from(self._keycoder(fieldname, prefix))
        return ((decode(key), CompactTermInfo.from_bytes(value)) for key, value in rows)

    def term_info(self, fieldname, tbytes):
        try:
            return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    # (Whoosh reads these two at fixed places in the entry: a missing term raises KeyError, as there)
    def frequency(self, fieldname, tbytes):
        return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)]).weight()

    def doc_frequency(self, fieldname, tbytes):
        return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)]).doc_frequency()


class _PackedFieldCursor(FieldCursor):
    """A cursor over one field's terms in a :class:`~.termtable.TermTable` (Whoosh's fuzzy terms)."""

    def __init__(self, terms: PackedTermsReader, fieldname: str, fieldobj):
        self._terms, self._fieldname, self._fieldobj = terms, fieldname, fieldobj
        self.first()

    def first(self):
        return self._start(b"")

    def find(self, term):
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        return self._start(term)

    def _start(self, tbytes: bytes):
        self._rows = self._terms.field_rows(self._fieldname, tbytes)
        return self.next()

    def next(self):
        row = next(self._rows, None)
        if row is None:
            self._text = self._value = None
            return None
        tbytes, self._value = row
        self._text = self._fieldobj.from_bytes(tbytes)
        return self._text

    def text(self):
        return self._text

    def term(self):
        return self._text

    def term_info(self):
        return None if self._value is None else CompactTermInfo.from_bytes(self._value)


class PackedTermsReader(TermsReader):
    """The terms of a segment of :class:`~searcher.index.codec.PackedCodec`: its term table is a
    :class:`~.termtable.TermTable` (sorted blocks) instead of Whoosh's hash file; keys are Whoosh's
    (the field's number, then the term's bytes), values :class:`CompactTermInfo` entries."""

    def __init__(self, codec, dbfile, postfile):
        self._codec, self._dbfile, self._postfile = codec, dbfile, postfile
        data = mapped_file(dbfile)
        if data is None:
            dbfile.seek(0)
            data = dbfile.read()
        self._table = TermTable(data)
        self._fieldmap = self._table.extras["fieldmap"]
        self._fieldunmap = {number: name for name, number in self._fieldmap.items()}

    def _key(self, fieldname: str, tbytes: bytes) -> bytes:
        return pack_ushort(self._fieldmap.get(fieldname, 65535)) + tbytes

    def _decoded(self, key: bytes) -> tuple:
        return self._fieldunmap.get(unpack_ushort(key[:2])[0]), key[2:]

    def field_rows(self, fieldname: str, tbytes: bytes):
        """(term bytes, entry) of ``fieldname``'s terms from ``tbytes`` on."""
        prefix = pack_ushort(self._fieldmap.get(fieldname, 65535))
        for key, value in self._table.items_from(prefix + tbytes):
            if not key.startswith(prefix):
                return
            yield key[2:], value

    def __contains__(self, term):
        return self._key(*term) in self._table

    def indexed_field_names(self):
        return self._fieldmap.keys()

    def cursor(self, fieldname, fieldobj):
        return _PackedFieldCursor(self, fieldname, fieldobj)

    def terms(self):
        return (self._decoded(key) for key in self._table.keys())

    def terms_from(self, fieldname, prefix):
        return (self._decoded(key) for key in self._table.keys_from(self._key(fieldname, prefix)))

    def items(self):
        return ((self._decoded(key), CompactTermInfo.from_bytes(value)) for key, value in self._table.items())

    def items_from(self, fieldname, prefix):
        rows = self._table.items_from(self._key(fieldname, prefix))
        return ((self._decoded(key), CompactTermInfo.from_bytes(value)) for key, value in rows)

    def term_info(self, fieldname, tbytes):
        value = self._table.get(self._key(fieldname, tbytes))
        if value is None:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return CompactTermInfo.from_bytes(value)

    # (a missing term raises KeyError, as Whoosh's term readers do)
    def frequency(self, fieldname, tbytes):
        return CompactTermInfo.from_bytes(self._table[self._key(fieldname, tbytes)]).weight()

    def doc_frequency(self, fieldname, tbytes):
        return CompactTermInfo.from_bytes(self._table[self._key(fieldname, tbytes)]).doc_frequency()

    def matcher(self, fieldname, tbytes, format_, scorer=None):
        terminfo = self.term_info(fieldname, tbytes)
        return self._codec.postings_reader(
            self._postfile, terminfo, format_, term=(fieldname, tbytes), scorer=scorer
        )

    def close(self):
        self._dbfile.close()
        self._postfile.close()


def packed_terms_reader(codec, storage, segment) -> PackedTermsReader:
    """:class:`PackedTermsReader` over a segment's term table (``W3Codec.terms_reader``'s files)."""
    return PackedTermsReader(
        codec,
        segment.open_file(storage, codec.TERMS_EXT),
        segment.open_file(storage, codec.POSTS_EXT),
    )


def terms_reader_file(codec, storage, segment):
    """:class:`CompactTermsReader` over a segment's term table (``W3Codec.terms_reader``'s files)."""
    name = segment.make_filename(codec.TERMS_EXT)
    postfile = segment.open_file(storage, codec.POSTS_EXT)
    return CompactTermsReader(codec, storage.open_file(name), storage.file_length(name), postfile)


# --- the codec's writers ---------------------------------------------------------------------------


def codec_settings(codec) -> dict:
    """A Whoosh 3 codec's settings, as keyword arguments of its posting writers."""
    return {
        "blocklimit": codec._blocklimit,
        "compression": codec._compression,
        "inlinelimit": codec._inlinelimit,
    }


class InliningPostingsWriter(W3PostingsWriter):
    """Whoosh 3's posting writer with lists of fewer than ``inlinelimit`` postings kept in the term's
    entry (Whoosh's own ``finish_postings`` calls a term info method that does not exist)."""

    _terminfo: W3TermInfo | None  # the term being written (from start_postings), None between terms

    def finish_postings(self):
        terminfo = self._terminfo
        assert terminfo is not None, "finish_postings outside a term"
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo.add_block(self)
        # Every posting needs a value: merging copies them one by one and Whoosh wants bytes there
        # (frequency-only fields record none, a ListMatcher without values would answer "").
        values = tuple(self._values) or (b"",) * len(self._ids)
        terminfo.set_inlined(self._ids, self._weights, values)
        self._terminfo = None
        return terminfo


class _BlockStats:
    """What a term info gathers from a block (``W3TermInfo.add_block``, which reads a posting
    writer's attributes), worked out beforehand."""

    def __init__(self, count, first_id, last_id, max_weight, weight_sum, min_length, max_length):
        self._count, self._first, self._last = count, first_id, last_id
        self._maxweight, self._minlength, self._maxlength = max_weight, min_length, max_length
        self._weights = (weight_sum,)  # add_block sums this

    def __len__(self):
        return self._count

    def min_id(self):
        return self._first

    def max_id(self):
        return self._last

    def min_length(self):
        return self._minlength

    def max_length(self):
        return self._maxlength

    def max_weight(self):
        return self._maxweight


class ArrayPostingsWriter(InliningPostingsWriter):
    """Writes blocks in the array layout; takes postings one by one (Whoosh's merges) or a whole
    term's blocks laid out beforehand (:meth:`add_blocks`, from :meth:`FieldWriter.add_term_groups`).
    With ``varint_positions``, positions are written as varint deltas (``CompactCodec``)."""

    varint_positions = False
    packed_blocks = False  # blocks in the packed layout (PackedCodec, searcher.index.codec.packed)

    def _write_block(self, last=False):
        # postings added one by one (Whoosh's merges): their block laid out like any other
        ids = np.frombuffer(self._ids, dtype=np.uint32).astype(np.int64)
        weights = np.frombuffer(self._weights, dtype=np.float32)
        values = self._values
        value_lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) if values else None
        joined = b"".join(values)
        kind, by_weights = None, False
        if value_lengths is not None and self.varint_positions:  # (CompactCodec)
            kind, value_lengths, joined, by_weights = _compact_values(
                weights, value_lengths, joined, self._format
            )
        blocks = ChunkBlocks(
            ids, weights, None, value_lengths, [0], [len(ids)], len(ids), packed=self.packed_blocks
        )
        count, first_id, last_id, max_weight, weight_sum, _, _ = blocks.statistics(0)
        stats = _BlockStats(
            count, first_id, last_id, max_weight, weight_sum, self._minlength, self._maxlength
        )
        self._write_prepared(stats, self._block_data(blocks, 0, joined, kind, by_weights), last)
        self._new_block()

    def _block_data(self, blocks: ChunkBlocks, n: int, values: bytes, kind, by_weights: bool) -> bytes:
        if self.packed_blocks:
            return packed_block_data(blocks, n, values, self._values_compression(), kind, by_weights)
        return blocks.data(
            n, values, self._values_compression(), kind == VALUES_POSITIONS, kind == VALUES_FREQUENCIES
        )

    def _values_compression(self) -> int:
        # Positions are left uncompressed: a phrase reads them straight from the file, where
        # decompressing a common word's blocks was a third of a phrase query's time
        return 0 if self._format.supports("positions") else self._compression

    def start_postings(self, format_, terminfo):
        if self._terminfo:
            raise Exception("Called start in a term")
        self._format = format_
        self._blockcount = 0
        self._new_block()
        self._terminfo = terminfo
        if self.packed_blocks:
            terminfo.packed_blocks = True  # (PackedTermInfo: its entry says so)
        # Known when the first block is written: most terms are inlined and never need it (asking
        # the file for its position costs a system call, 8% of a build when done for every term)
        self._startoffset = None

    def add_blocks(
        self,
        blocks: ChunkBlocks,
        first: int,
        count: int,
        values: bytes,
        kind: int | None = None,
        positions_by_weights: bool = False,
    ) -> None:
        """Write blocks ``first`` to ``first + count - 1`` of ``blocks``: a term's postings (after
        ``start_postings``); ``values`` are the chunk's values end to end, of ``kind`` (for
        ``CompactCodec``: positions as varint deltas, frequencies left to the weights;
        ``positions_by_weights``: each posting's weight is its number of positions)."""
        for n in range(first, first + count):
            self._write_prepared(
                _BlockStats(*blocks.statistics(n)),
                self._block_data(blocks, n, values, kind, positions_by_weights),
                last=n == first + count - 1,
            )

    def finish_postings(self):
        if self._blockcount and not len(self):  # add_blocks wrote the last block already
            terminfo = self._terminfo
            assert terminfo is not None, "finish_postings outside a term"
            terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
            self._terminfo = None
            return terminfo
        return super().finish_postings()

    def _write_prepared(self, stats: _BlockStats, data: bytes, last: bool) -> None:
        if not self._blockcount:
            self._startoffset = self._postfile.tell()
            if not self.packed_blocks:
                self._postfile.write(WHOOSH3_HEADER_MAGIC)
        assert self._terminfo is not None, "a block written outside a term"
        self._terminfo.add_block(stats)
        if self.packed_blocks:  # a list's end is known from its extent: no sign for the last block
            header = block_header(
                len(stats),
                stats.max_id(),
                len(data),
                stats.max_weight(),
                length_to_byte(stats.min_length()),
                length_to_byte(stats.max_length()),
            )
            self._postfile.write(header + data)
            self._blockcount += 1
            return
        # the block as a whole is not compressed (its values are): Whoosh's compression flag says 0
        info = dumps(
            (
                len(stats),
                stats.max_id(),
                stats.max_weight(),
                0,
                length_to_byte(stats.min_length()),
                length_to_byte(stats.max_length()),
            ),
            2,
        )
        size = len(info) + len(data)
        self._postfile.write_int(-size if last else size)
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1


class _FieldLengths:
    """A segment's document lengths, one array per field, answering as ``doc_field_length`` does."""

    def __init__(self, perdoc):
        self._perdoc = perdoc
        self._arrays: dict = {}

    def bytes_of(self, fieldname):
        """Every document's length byte in ``fieldname`` (numpy, 0: none), or None."""
        if fieldname not in self._arrays:
            column = _length_column(self._perdoc, fieldname)
            self._arrays[fieldname] = (
                None if column is None else np.frombuffer(bytes(column.load()), dtype=np.uint8)
            )
        return self._arrays[fieldname]

    def lengths_of(self, fieldname, docnums: np.ndarray) -> np.ndarray | None:
        """The field lengths of ``docnums`` (0: none), or None if the field records no lengths."""
        array = self.bytes_of(fieldname)
        if array is None:
            return None
        lbytes = np.zeros(len(docnums), dtype=np.uint8)
        inside = docnums < len(array)
        lbytes[inside] = array[docnums[inside]]
        return _DECODED_LENGTH[lbytes]

    def doc_field_length(self, docnum, fieldname, default=0):
        array = self.bytes_of(fieldname)
        if array is None:
            return default
        lbyte = int(array[docnum]) if docnum < len(array) else 0
        return byte_to_length(lbyte) if lbyte else None


class _PositionTrackingFile:
    """A file being written that knows its position without asking the system (``tell`` is a
    system call; Whoosh's term table asks twice per term, 8% of a build)."""

    def __init__(self, file):
        self._file = file
        self._position = file.tell()

    def write(self, data):
        written = self._file.write(data)
        self._position += written
        return written

    def tell(self):
        return self._position

    def seek(self, *args):
        self._position = self._file.seek(*args)
        return self._position

    def __getattr__(self, name):  # close, flush, fileno, ...
        return getattr(self._file, name)


class _TermTable(OrderedHashWriter):
    """Whoosh's term table writer with its hash tables written by :func:`write_hash_tables`."""

    def _write_hashes(self):
        write_hash_tables(self)


class _CompactTermTable(_TermTable):
    """The term table of ``CompactCodec``: hash tables of 3 slots for 2 terms instead of Whoosh's 2
    for 1 (Whoosh's reader takes each table's size from the file). A slot is 12 bytes, a compact
    term's entry about 40: the slots were a third of the table."""

    def _write_hashes(self):
        write_hash_tables(self, compact=True)


class FieldWriter(W3FieldWriter):
    """Whoosh 3's field writer, also taking a segment's postings grouped by term
    (:meth:`add_term_groups`), and reading the document lengths once per field."""

    # (set by Whoosh's __init__, or by ours for PackedCodec)
    _tindex: Any
    _postwriter: Any
    _fieldobj: Any

    def __init__(self, codec, storage, segment):
        self._compact = bool(getattr(codec, "compact", False))  # CompactCodec
        self._packed = bool(getattr(codec, "packed", False))  # PackedCodec
        if self._packed:
            # Whoosh's __init__ with a term table of our own instead of its hash file
            self._codec, self._storage, self._segment = codec, storage, segment
            self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
            self._tindex = TermTableWriter(self._create_file(codec.TERMS_EXT))
            self._fieldmap = self._tindex.extras["fieldmap"] = {}
            self._postfile = self._create_file(codec.POSTS_EXT)
            self._postwriter = None
            self._infield = False
            self.is_closed = False
            self._postfile.file = _PositionTrackingFile(self._postfile.file)
            return
        super().__init__(codec, storage, segment)
        for structfile in (self._tindex.dbfile, self._postfile):
            structfile.file = _PositionTrackingFile(structfile.file)
        # Whoosh's __init__ makes the term table itself (only its header is written yet): it becomes
        # a _TermTable, the same object with a faster way of writing its hash tables
        self._tindex.__class__ = _CompactTermTable if self._compact else _TermTable

    def start_term(self, btext):
        if not self._compact:
            return super().start_term(btext)
        if self._postwriter is None:
            raise Exception("Called start_term before start_field")
        self._btext = btext
        terminfo = PackedTermInfo() if self._packed else CompactTermInfo()
        self._postwriter.start_postings(self._fieldobj.format, terminfo)

    def add_postings(self, schema, lengths, items):
        if lengths is not None and hasattr(lengths, "_cached_reader"):  # Whoosh 3's per-document reader
            lengths = _FieldLengths(lengths)
        return super().add_postings(schema, lengths, items)

    def add_term_groups(self, schema, lengths, fields) -> None:
        """Write postings grouped by term: ``fields`` yields ``(field name, SortedField)`` in field
        name order (:mod:`searcher.index.pool`). Arrays per chunk of terms, Python per term only."""
        if lengths is not None and hasattr(lengths, "_cached_reader"):
            lengths = _FieldLengths(lengths)
        for fieldname, field in fields:
            fieldobj = schema[fieldname]
            self.start_field(fieldname, fieldobj)
            self._add_field_terms(fieldname, field, lengths if fieldobj.scorable else None)
            self.finish_field()

    def _add_field_terms(self, fieldname, field, lengths) -> None:
        postwriter = self._postwriter
        inline_limit = postwriter._inlinelimit
        fieldformat = self._fieldobj.format
        counts = field.counts.tolist()
        ends = np.cumsum(field.counts)
        texts = field.texts
        term, start = 0, 0
        while term < len(counts):
            # the terms of about CHUNK_POSTINGS postings (at least one term)
            last = max(term + 1, int(np.searchsorted(ends, start + CHUNK_POSTINGS, side="right")))
            end = int(ends[last - 1])
            ids, weights, value_lengths, values = field.postings(start, end)
            kind, by_weights = None, False
            if self._compact:
                kind, value_lengths, values, by_weights = _compact_values(
                    weights, value_lengths, values, fieldformat
                )
            field_lengths = lengths.lengths_of(fieldname, ids) if lengths is not None else None
            if kind is None:  # (the term by term encoding below reads lists)
                id_list, weight_list = ids.tolist(), weights.tolist()
                length_list = field_lengths.tolist() if field_lengths is not None else None
                value_ends = np.cumsum(value_lengths).tolist() if value_lengths is not None else None
            chunk_counts = np.asarray(field.counts[term:last], dtype=np.int64)
            chunk_starts = np.cumsum(chunk_counts) - chunk_counts
            big = chunk_counts >= inline_limit
            blocks = None
            if big.any():
                blocks = ChunkBlocks(
                    ids,
                    weights,
                    field_lengths,
                    value_lengths,
                    chunk_starts[big].tolist(),
                    chunk_counts[big].tolist(),
                    postwriter._blocklimit,
                    packed=postwriter.packed_blocks,
                )
            block = 0
            at = 0
            field_key = pack_ushort(self._fieldid)
            inlined: list[tuple[bytes, bytes]] = []  # term table rows not written yet, in term order
            compact_rows = None
            if kind is not None:  # every inlined term's entry of the chunk at once
                compact_rows = iter(
                    encode_inlined_rows(
                        chunk_starts[~big],
                        chunk_counts[~big],
                        ids,
                        weights,
                        field_lengths,
                        kind,
                        value_lengths,
                        values,
                        _COMPACT_INLINED,
                        _length_bytes,
                    )
                )
            for number in range(term, last):
                count = counts[number]
                stop = at + count
                if count < inline_limit:
                    if compact_rows is not None:
                        row = next(compact_rows)
                    else:
                        if value_ends is None:
                            term_values = (b"",) * count
                        else:
                            bounds = [value_ends[at - 1] if at else 0] + value_ends[at:stop]
                            term_values = tuple([values[bounds[i] : bounds[i + 1]] for i in range(count)])
                        row = _inlined_term_info(
                            id_list[at:stop],
                            weight_list[at:stop],
                            length_list[at:stop] if length_list is not None else None,
                            term_values,
                        )
                    inlined.append((field_key + texts[number], row))
                else:
                    _add_rows(self._tindex, inlined)
                    inlined = []
                    self.start_term(texts[number])
                    term_blocks = (count + postwriter._blocklimit - 1) // postwriter._blocklimit
                    postwriter.add_blocks(blocks, block, term_blocks, values, kind, by_weights)
                    block += term_blocks
                    self.finish_term()
                at = stop
            _add_rows(self._tindex, inlined)
            term, start = last, end


def _inlined_term_info(ids: list, weights: list, lengths: list | None, values: tuple) -> bytes:
    """The term table's value for a term whose postings are inlined: the bytes that
    ``W3TermInfo.to_bytes`` makes of the term info that ``W3TermInfo.add_block`` and
    :meth:`InliningPostingsWriter.finish_postings` would build (most terms are inlined: building
    those objects was most of a segment's writing time)."""
    positive = [length for length in lengths if length] if lengths else ()
    return _TERM_INFO.pack(
        1,
        sum(weights),
        len(ids),
        length_to_byte(min(positive)) if positive else 0,
        length_to_byte(max(positive) if positive else 0),
        max(0, *weights),
        ids[0],
        ids[-1],
    ) + dumps((tuple(ids), tuple(weights), values), 2)


def _compact_values(weights: np.ndarray, value_lengths, values: bytes, fieldformat):
    """(kind, value lengths, values, whether each posting has as many positions as its weight) of a
    chunk of postings for the compact codec: positions as varint deltas (VALUES_POSITIONS),
    frequencies that the weights give (VALUES_FREQUENCIES), none (VALUES_EMPTY); VALUES_RAW, the
    values untouched, for anything else."""
    if value_lengths is None or not len(value_lengths) or not value_lengths.any():
        return VALUES_EMPTY, value_lengths, values, False
    if fieldformat.supports("positions"):
        compact = varint_positions_of(value_lengths, values, fieldformat)
        if compact is not None:
            counts, lengths, varint_values = compact
            return VALUES_POSITIONS, lengths, varint_values, bool((counts == weights).all())
        return VALUES_RAW, value_lengths, values, False
    if (value_lengths == 4).all():
        frequencies = np.frombuffer(values, dtype=">u4")
        if (frequencies == weights).all():
            return VALUES_FREQUENCIES, value_lengths, values, False
    return VALUES_RAW, value_lengths, values, False


def varint_positions_of(value_lengths: np.ndarray, values: bytes, fieldformat):
    """(count of positions, value lengths, values) of postings whose values are Whoosh's
    ``Positions`` values, as varint deltas; None unless every value is exactly what
    ``Positions.encode`` writes (so that reading gives the same bytes back)."""
    ends = np.cumsum(value_lengths, dtype=np.int64)
    starts = ends - value_lengths
    counts, positions = decode_positions(values, starts, ends, fieldformat)
    if not len(counts) or counts.max() > 1000 or counts.min() < 1:
        return None
    firsts = np.cumsum(counts) - counts
    deltas = positions.copy()
    deltas[1:] -= positions[:-1]
    deltas[firsts] = positions[firsts]
    if (deltas < 0).any() or not (whoosh_positions_lengths(counts, deltas) == value_lengths).all():
        return None
    return (counts, *encode_varint_positions(counts, positions))


def _add_rows(table: OrderedHashWriter | TermTableWriter, rows: list[tuple[bytes, bytes]]) -> None:
    """``OrderedHashWriter.add`` for many rows in key order, written to the file at once."""
    if not rows:
        return
    if isinstance(table, TermTableWriter):
        table.add_rows(rows)
        return
    if rows[0][0] <= table.lastkey:
        raise ValueError(f"Keys must increase: {table.lastkey!r}..{rows[0][0]!r}")
    dbfile = table.dbfile
    position = dbfile.tell()
    positions, buckets, hash_of = table.index, table.buckets, table.hashfn
    parts = []
    for key, value in rows:
        positions.append(position)
        parts.append(_ROW_LENGTHS.pack(len(key), len(value)))
        parts.append(key)
        parts.append(value)
        h = hash_of(key)
        buckets[h & 255].append((h, position))
        position += _ROW_LENGTHS.size + len(key) + len(value)
    dbfile.write(b"".join(parts))
    table.lastkey = rows[-1][0]


def write_hash_tables(table: OrderedHashWriter, compact: bool = False) -> None:
    """``HashWriter._write_hashes`` with each table written at once (it wrote every slot with a call
    of its own: millions of calls for a segment's terms). The same bytes: the same open addressing,
    empty slots (0, 0). ``compact``: 3 slots for every 2 entries (and one more), not 2 for 1; there
    is always an empty slot, where a look-up of a missing key stops."""
    dbfile = table.dbfile
    empty = _POINTER.pack(0, 0)
    for entries in table.buckets:
        slots = (len(entries) + len(entries) // 2 + 1 if entries else 0) if compact else 2 * len(entries)
        table.directory.append((dbfile.tell(), slots))
        hashtable: list = [None] * slots
        for hashval, position in entries:
            slot = (hashval >> 8) % slots
            while hashtable[slot] is not None:
                slot = (slot + 1) % slots
            hashtable[slot] = (hashval, position)
        dbfile.write(b"".join([_POINTER.pack(*entry) if entry else empty for entry in hashtable]))


# --- the segment writers -----------------------------------------------------------------------------


class TermGroupsFlush(_SegmentWriterBase):
    """Mixin for Whoosh's segment writers whose pool gives its postings grouped by term
    (``pool.sorted_fields()``, :class:`searcher.index.pool.TermPool`): the step that writes a
    segment's postings hands them to the field writer's ``add_term_groups`` at once, instead of
    one posting at a time to ``add_postings``."""

    def _flush_segment(self):
        writer = self.fieldwriter
        if not hasattr(writer, "add_term_groups"):  # a codec without the bulk path
            return super()._flush_segment()
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        writer.add_term_groups(self.schema, lengths, self.pool.sorted_fields())
        writer.close()
        if lengths is not None:
            lengths.close()


def start_document(writer, fields: dict) -> tuple[float, list[str]]:
    """What Whoosh's ``SegmentWriter.add_document`` does before a document's fields: check that the
    writer is open and every field is in the schema. Returns the document's boost and the names of
    its fields in order (not those starting with "_", which carry boosts and stored values)."""
    writer._check_state()
    docboost = writer._doc_boost(fields)
    fieldnames = sorted(name for name in fields if not name.startswith("_"))
    writer._check_fields(writer.schema, fieldnames)
    return docboost, fieldnames


def field_boost(writer, fields: dict, fieldname: str, docboost: float) -> float:
    """A field's boost in a document, as Whoosh's writer works it out (``_<field>_boost``, else the
    document's boost)."""
    return writer._field_boost(fields, fieldname, docboost)


def document_added(writer) -> None:
    """Mark a segment writer as holding new documents (Whoosh's commit writes a segment only then)."""
    writer._added = True


# --- the worker processes --------------------------------------------------------------------------


class MpWriterTasks(_MpWriterBase):
    """Mixin for Whoosh's ``MpWriter``: its worker processes are made of ``task_class`` (Whoosh's
    ``_new_task`` makes a ``SubWriterTask``)."""

    task_class: type = SubWriterTask
    # work of the parent's own, done once the workers are told to finish and before it waits for them
    while_workers_finish: Callable[[], None] | None = None
    # job files waiting in the queue that start a worker beyond the first (None: each starts at once)
    more_workers_at_backlog: int | None = None

    def _merge_segments(self, mergetype, optimize, merge):
        segments = super()._merge_segments(mergetype, optimize, merge)
        if self.while_workers_finish is not None:
            self.while_workers_finish()
        return segments

    def _new_task(self):
        # (asked by Whoosh at each job file handed out while there are fewer workers than procs)
        backlog = self.more_workers_at_backlog
        if self.tasks and backlog is not None and self.jobqueue.qsize() < backlog:
            return None
        task = self.task_class(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment
        )
        self.tasks.append(task)
        task.start()
        return task


def process_job_file(task, filename: str, doc_count: int) -> None:
    """Add the documents of a job file written by Whoosh's ``MpWriter`` to a worker's writer
    (``SubWriterTask._process_file``)."""
    task._process_file(filename, doc_count)


def finalize_segment(writer):
    """Write out a segment writer's segment and return it, without committing it (a worker hands
    its segment to the parent process, whose commit adds it to the index)."""
    return writer._finalize_segment()


# --- commits in step with the side tables -----------------------------------------------------------


class PreviousKept(_SegmentWriterBase):
    """Mixin for Whoosh's segment writers: a commit writes the new table of contents but leaves the
    previous version's table and segment files in place (Whoosh deletes them at once), so that a
    commit whose side tables never got written can be undone (:func:`roll_back_to`). The caller
    deletes them with :func:`release_previous` once the side tables are committed too."""

    def _commit_toc(self, segments):
        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)


def release_previous(ix) -> None:
    """Delete the files of every version of the index but the latest (Whoosh's clean-up after a commit)."""
    toc = ix._read_toc()
    clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)


def roll_back_to(ix, generation: int) -> list[int]:
    """Undo the commits after ``generation`` by deleting their tables of contents (their segment files
    go with the next :func:`release_previous`); returns the generations undone. The files of
    ``generation`` are still there when every later commit was made with :class:`PreviousKept`."""
    undone = []
    for name in list(ix.storage):
        match = TOC._pattern(ix.indexname).match(name)
        if match and int(match.group(1)) > generation:
            ix.storage.delete_file(name)
            undone.append(int(match.group(1)))
    return sorted(undone)


def ids_added_after(ix, generation: int, fieldname: str = "id") -> set[str]:
    """The ``fieldname`` values of the documents in the segments that the latest version of the index
    holds and version ``generation`` does not (what a commit about to be undone added)."""
    latest = ix._read_toc()
    try:
        before = {s.segment_id() for s in TOC.read(ix.storage, ix.indexname, gen=generation).segments}
    except (OSError, EmptyIndexError):  # that version's table is gone: every segment counts
        before = set()
    found: set[str] = set()
    for segment in latest.segments:
        if segment.segment_id() in before:
            continue
        reader = SegmentReader(ix.storage, latest.schema, segment, generation=latest.generation)
        try:
            for _docnum, fields in reader.iter_docs():
                found.add(fields[fieldname])
        finally:
            reader.close()
    return found
