"""Whoosh's on-disk format, with posting blocks laid out as arrays and rare terms kept in the term table.

Two changes to Whoosh 3's codec, each measured on news articles:

- Rare terms inlined. Syllable bigrams make most terms rare: half of them occur in one document.
  Whoosh can keep short posting lists inside the term's entry instead of writing a block to the
  postings file ("inlining"), but its writer calls a method that does not exist, so the option is
  unusable as shipped; :class:`InliningCodec` repairs it. Readers need nothing new: an inlined term
  is read by Whoosh's own ``ListMatcher``.
- Blocks as arrays (:class:`ArrayCodec`, used for every new segment). Whoosh pickles each block's
  document numbers, weights and positions together, so reading the numbers of a common word meant
  unpickling a bytes object per posting for its positions too: 1 µs per posting, most of a short
  query's first read. Here a block is its numbers (deltas), weights and value lengths as packed
  arrays, then the values end to end: numpy reads a block's numbers and weights without touching
  its positions, and a phrase slices out only the positions it checks. Writing is vectorised too.
  The block header (count, last id, maximum weight, ...) is Whoosh's own, so skipping and block
  quality work unchanged, and Whoosh's matcher interface is kept for every other reader.

Segments record the codec that wrote them: segments written before keep being read as they were.

Writing a segment also looked up each posting's document length in the segment's length column, a
file read per posting (a fifth of the commit on 5,000 articles); the lengths are read once per field.
"""
from __future__ import annotations

import struct
import zlib
from pickle import dumps

import numpy as np
from whoosh.codec.whoosh3 import (LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter,
                                  W3LeafMatcher, W3PostingsWriter, _lenfield)
from whoosh.matching import ListMatcher
from whoosh.util.numeric import byte_to_length, length_to_byte

# Posting lists shorter than this are inlined; longer ones get blocks (and skip lists).
INLINE_LIMIT = 8
# Postings per block of the array layout: fewer, larger blocks cost less per posting to read whole,
# which is how the array scorer reads them; Whoosh's own matchers skip by block all the same.
ARRAY_BLOCK_LIMIT = 256
# Postings turned into arrays and lists at a time when a segment is written term by term.
CHUNK_POSTINGS = 1 << 18

_HEADER = struct.Struct("<BBB")  # bytes per id delta, weights stored (0/1), bytes per value length
_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32}
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)


def _unsigned_size(largest: int) -> int:
    return 1 if largest < 1 << 8 else 2 if largest < 1 << 16 else 4


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


class _BlockStats:
    """What a term info gathers from a block (``W3TermInfo.add_block``), from arrays."""

    def __init__(self, ids: np.ndarray, weights: np.ndarray, lengths: np.ndarray | None):
        self._ids, self._weights = ids, weights
        positive = lengths[lengths > 0] if lengths is not None else lengths
        self._minlength = int(positive.min()) if positive is not None and len(positive) else None
        self._maxlength = int(positive.max()) if positive is not None and len(positive) else 0

    def __len__(self):
        return len(self._ids)

    def min_id(self):
        return int(self._ids[0])

    def max_id(self):
        return int(self._ids[-1])

    def min_length(self):
        return self._minlength

    def max_length(self):
        return self._maxlength

    def max_weight(self):
        return float(self._weights.max())


class _ArrayPostingsWriter(_InliningPostingsWriter):
    """Writes blocks in the array layout; takes postings one by one (Whoosh's merges) or a whole
    term's at once (:meth:`add_arrays`, from :mod:`searcher.pool`)."""

    def _write_block(self, last=False):
        ids = np.frombuffer(self._ids, dtype=np.uint32).astype(np.int64)
        weights = np.frombuffer(self._weights, dtype=np.float32)
        values = self._values
        lens = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) if values else None
        stats = _BlockStats(ids, weights, None)
        stats._minlength, stats._maxlength = self._minlength, self._maxlength
        self._write_arrays(stats, lens, b"".join(values), last)
        self._new_block()

    def start_postings(self, format_, terminfo):
        if self._terminfo:
            raise Exception("Called start in a term")
        self._format = format_
        self._blockcount = 0
        self._new_block()
        self._terminfo = terminfo
        # Known when the first block is written: most terms are inlined and never need it (asking
        # the file for its position costs a system call, 8% of a build when done for every term)
        self._startoffset = None

    def add_inline(self, ids: list, weights: list, lengths: list | None, values: list) -> None:
        """A short term's postings at once, as lists (after ``start_postings``): inlined by
        ``finish_postings`` when fewer than the inline limit."""
        self._ids, self._weights, self._values = ids, weights, values
        self._maxweight = max(weights)
        positive = [length for length in lengths if length] if lengths else ()
        self._minlength = min(positive) if positive else None
        self._maxlength = max(positive) if positive else 0

    def add_arrays(self, ids: np.ndarray, weights: np.ndarray, lengths: np.ndarray | None,
                   value_lengths: np.ndarray | None, values: bytes) -> None:
        """A term's postings at once, as arrays (after ``start_postings``), written as blocks:
        document numbers ascending, weights, each document's field length (0: none) or None, and
        the postings' values end to end with their lengths (None: no values)."""
        count = len(ids)
        starts = np.concatenate(([0], np.cumsum(value_lengths))) if value_lengths is not None else None
        for begin in range(0, count, self._blocklimit):
            end = min(begin + self._blocklimit, count)
            stats = _BlockStats(ids[begin:end], weights[begin:end],
                                lengths[begin:end] if lengths is not None else None)
            if starts is None:
                lens, blob = None, b""
            else:
                lens, blob = value_lengths[begin:end], values[starts[begin]:starts[end]]
            self._write_arrays(stats, lens, blob, last=end == count)

    def finish_postings(self):
        if self._blockcount and not len(self):  # add_arrays wrote the last block already
            terminfo = self._terminfo
            terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
            self._terminfo = None
            return terminfo
        return super().finish_postings()

    def _write_arrays(self, stats: _BlockStats, lens, blob, last: bool) -> None:
        if not self._blockcount:
            self._startoffset = self._postfile.tell()
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(stats)
        ids, weights = stats._ids, stats._weights
        deltas = np.diff(ids, prepend=0)
        id_size = _unsigned_size(int(deltas.max()))
        weighted = not bool(np.all(weights == 1.0))
        len_size = 0 if lens is None else _unsigned_size(int(lens.max()))
        parts = [_HEADER.pack(id_size, weighted, len_size), deltas.astype(_UNSIGNED[id_size]).tobytes()]
        if weighted:
            parts.append(weights.astype(np.float32).tobytes())
        if len_size:
            parts.append(np.asarray(lens).astype(_UNSIGNED[len_size]).tobytes())
            parts.append(bytes(blob))
        data = b"".join(parts)
        comp = self._compression
        if comp:
            data = zlib.compress(data, comp)
        info = dumps((len(ids), int(ids[-1]), stats.max_weight(), comp,
                      length_to_byte(stats._minlength), length_to_byte(stats._maxlength)), 2)
        size = len(info) + len(data)
        self._postfile.write_int(-size if last else size)
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1


def decode_block(data: bytes, count: int):
    """(id deltas, weights or None for all 1.0, value lengths or None, values end to end) of a block."""
    id_size, weighted, len_size = _HEADER.unpack_from(data)
    at = _HEADER.size
    deltas = np.frombuffer(data, dtype=_UNSIGNED[id_size], count=count, offset=at)
    at += count * id_size
    weights = None
    if weighted:
        weights = np.frombuffer(data, dtype=np.float32, count=count, offset=at)
        at += count * 4
    lens = None
    if len_size:
        lens = np.frombuffer(data, dtype=_UNSIGNED[len_size], count=count, offset=at)
        at += count * len_size
    return deltas, weights, lens, memoryview(data)[at:]


class ArrayLeafMatcher(W3LeafMatcher):
    """Whoosh's block matcher over the array layout (:meth:`block_arrays` for whole-block reads)."""

    def _read_data(self):
        data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compression:
            data = zlib.decompress(data)
        self._data = decode_block(bytes(data), self._blocklength)

    def block_arrays(self):
        """The current block's (document numbers, weights, value lengths or None, values) as arrays."""
        if self._data is None:
            self._read_data()
        deltas, weights, lens, blob = self._data
        ids = np.cumsum(deltas, dtype=np.int64)
        weights = np.ones(len(ids)) if weights is None else weights.astype(np.float64)
        return ids, weights, lens, blob

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = np.cumsum(self._data[0], dtype=np.int64).tolist()

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        self._weights = [1.0] * self._blocklength if weights is None else weights.tolist()

    def _read_values(self):
        if self._data is None:
            self._read_data()
        _, _, lens, blob = self._data
        if lens is None:
            filler = None if self._fixedsize == 0 else b""
            self._values = (filler,) * self._blocklength
            return
        ends = np.cumsum(lens, dtype=np.int64).tolist()
        starts = [0] + ends[:-1]
        raw = bytes(blob)
        self._values = [raw[s:e] for s, e in zip(starts, ends)]


class _FieldLengths:
    """A segment's document lengths, one array per field, answering as ``doc_field_length`` does."""

    def __init__(self, perdoc):
        self._perdoc = perdoc
        self._arrays: dict = {}

    def bytes_of(self, fieldname):
        """Every document's length byte in ``fieldname`` (numpy, 0: none), or None."""
        if fieldname not in self._arrays:
            reader = self._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            self._arrays[fieldname] = None if reader is None else np.frombuffer(bytes(reader.load()), dtype=np.uint8)
        return self._arrays[fieldname]

    def lengths_of(self, fieldname, docnums: np.ndarray) -> np.ndarray | None:
        """The field lengths of ``docnums`` (0: none), or None if the field records no lengths."""
        array = self.bytes_of(fieldname)
        if array is None:
            return None
        lbytes = np.zeros(len(docnums), dtype=np.uint8)
        inside = docnums < len(array)
        lbytes[inside] = array[docnums[inside]]
        return np.where(lbytes > 0, _LENGTH_OF_BYTE[lbytes], 0)

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


class _FieldWriter(W3FieldWriter):
    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        for structfile in (self._tindex.dbfile, self._postfile):
            structfile.file = _PositionTrackingFile(structfile.file)

    def add_postings(self, schema, lengths, items):
        if lengths is not None and hasattr(lengths, "_cached_reader"):  # Whoosh 3's per-document reader
            lengths = _FieldLengths(lengths)
        return super().add_postings(schema, lengths, items)

    def add_term_groups(self, schema, lengths, fields) -> None:
        """Write postings grouped by term: ``fields`` yields ``(field name, SortedField)`` in field
        name order (:mod:`searcher.pool`). Arrays per chunk of terms, Python per term only."""
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
        counts = field.counts.tolist()
        ends = np.cumsum(field.counts)
        texts = field.texts
        term, start = 0, 0
        while term < len(counts):
            # the terms of about CHUNK_POSTINGS postings (at least one term)
            last = max(term + 1, int(np.searchsorted(ends, start + CHUNK_POSTINGS, side="right")))
            end = int(ends[last - 1])
            ids, weights, value_lengths, values = field.postings(start, end)
            field_lengths = lengths.lengths_of(fieldname, ids) if lengths is not None else None
            id_list, weight_list = ids.tolist(), weights.tolist()
            length_list = field_lengths.tolist() if field_lengths is not None else None
            value_ends = np.cumsum(value_lengths).tolist() if value_lengths is not None else None
            at = 0
            for number in range(term, last):
                count = counts[number]
                stop = at + count
                self.start_term(texts[number])
                if count < inline_limit:
                    if value_ends is None:
                        term_values = [b""] * count
                    else:
                        bounds = [value_ends[at - 1] if at else 0] + value_ends[at:stop]
                        term_values = [values[bounds[i]:bounds[i + 1]] for i in range(count)]
                    postwriter.add_inline(id_list[at:stop], weight_list[at:stop],
                                          length_list[at:stop] if length_list is not None else None,
                                          term_values)
                else:
                    value_start = (value_ends[at - 1] if at else 0) if value_ends is not None else 0
                    value_stop = value_ends[stop - 1] if value_ends is not None else 0
                    postwriter.add_arrays(ids[at:stop], weights[at:stop],
                                          field_lengths[at:stop] if field_lengths is not None else None,
                                          value_lengths[at:stop] if value_lengths is not None else None,
                                          values[value_start:value_stop])
                self.finish_term()
                at = stop
            term, start = last, end


class InliningCodec(W3Codec):
    """Whoosh 3's codec with posting lists of fewer than ``inlinelimit`` documents inlined (the
    format of segments written before :class:`ArrayCodec`; still read)."""

    def __init__(self, blocklimit=128, compression=3, inlinelimit=INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                       compression=self._compression, inlinelimit=self._inlinelimit)


class ArrayCodec(InliningCodec):
    """Inlined rare terms and posting blocks in the array layout (see the module's docstring)."""

    def __init__(self, blocklimit=ARRAY_BLOCK_LIMIT, compression=3, inlinelimit=INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors: Whoosh's layout
            return super().postings_writer(dbfile, byteids)
        return _ArrayPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=False,
                                    compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
