"""Whoosh's on-disk format, with posting blocks laid out as arrays and rare terms kept in the term table.

Two changes to Whoosh 3's codec, each measured on news articles:

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

Segments record the codec that wrote them: segments written before keep being read as they were.

Writing a segment also looked up each posting's document length in the segment's length column, a
file read per posting (a fifth of the commit on 5,000 articles); the lengths are read once per field.
"""
from __future__ import annotations

import io
import mmap
import pickle
import struct
import weakref
import zlib
from functools import partial
from itertools import accumulate, chain
from pickle import dumps

import numpy as np
from whoosh.codec.whoosh3 import (LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter,
                                  W3LeafMatcher, W3PostingsWriter, W3TermInfo, _lenfield)
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.matching import ListMatcher
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

# Posting lists shorter than this are inlined; longer ones get blocks (and skip lists).
INLINE_LIMIT = 8
# Postings per block of the array layout: fewer, larger blocks cost less per posting to read whole,
# which is how the array scorer reads them; Whoosh's own matchers skip by block all the same.
ARRAY_BLOCK_LIMIT = 1024
# Postings turned into arrays and lists at a time when a segment is written term by term.
CHUNK_POSTINGS = 1 << 18

_INT = struct.Struct("!i")  # Whoosh's block length
_TERM_INFO = W3TermInfo._struct  # inlined?, weight, doc frequency, min/max length byte, max weight, min/max id
_ROW_LENGTHS = struct.Struct("!ii")  # a hash file row's key and value lengths (whoosh.filedb.filetables)
_POINTER = struct.Struct("!Iq")  # a hash table slot: the key's hash and the row's position (the same)
# bytes per id delta, per weight (0: all 1.0; 1 or 2: whole numbers; 4: float32), per value length;
# whether the value lengths and values are compressed
_HEADER = struct.Struct("<BBBB")
_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32}
_WEIGHTS = {1: np.uint8, 2: np.uint16, 4: np.float32}
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
    """What a term info gathers from a block (``W3TermInfo.add_block``), worked out beforehand."""

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


def _encode_block(deltas: bytes, id_size: int, weights: bytes, weight_size: int, lengths: bytes | None,
                  length_size: int, values: bytes, compression: int) -> bytes:
    """A block's data in the array layout: header, id deltas and weights as they are (read with
    numpy, nothing to decompress), then the value lengths and values compressed together."""
    parts = [_HEADER.pack(id_size, weight_size, length_size, bool(compression)), deltas, weights]
    if length_size:
        tail = lengths + values
        parts.append(zlib.compress(tail, compression) if compression else tail)
    return b"".join(parts)


def _weight_sizes(integral, largest) -> np.ndarray:
    """Bytes per weight of each block: whole numbers in 1 or 2 bytes, others as float32."""
    return np.where(integral & (largest < 1 << 8), 1, np.where(integral & (largest < 1 << 16), 2, 4))


class _ChunkBlocks:
    """The blocks of many terms' postings laid out at once: every statistic and array a block
    needs, computed with numpy over a chunk of postings instead of a dozen numpy calls per block
    (most blocks hold a few dozen postings, where numpy's per-call cost dominates)."""

    _BIG = 1 << 62

    def __init__(self, ids, weights, field_lengths, value_lengths, starts, counts, blocklimit):
        counts = np.asarray(counts, dtype=np.int64)
        starts = np.asarray(starts, dtype=np.int64)
        per_term = (counts + blocklimit - 1) // blocklimit
        term_of = np.repeat(np.arange(len(counts)), per_term)
        nth = np.arange(len(term_of)) - np.repeat(np.cumsum(per_term) - per_term, per_term)
        begin = starts[term_of] + nth * blocklimit
        end = np.minimum(begin + blocklimit, (starts + counts)[term_of])
        self.blocks_per_term = per_term.tolist()
        self.begin, self.end = begin.tolist(), end.tolist()
        bounds = np.empty(2 * len(begin), dtype=np.int64)
        bounds[0::2], bounds[1::2] = begin, end

        def per_block(ufunc, array):  # ufunc over each block's slice (gaps between blocks ignored)
            return ufunc.reduceat(np.append(array, array[:1]), bounds)[0::2]

        deltas = np.diff(ids, prepend=0)
        deltas[begin] = ids[begin]  # a block's first number is absolute
        largest = per_block(np.maximum, deltas)
        self.id_size = np.where(largest < 1 << 8, 1, np.where(largest < 1 << 16, 2, 4)).tolist()
        self.deltas = {size: deltas.astype(_UNSIGNED[size]) for size in set(self.id_size)}
        self.first, self.last = ids[begin].tolist(), ids[end - 1].tolist()
        self.weights = weights.astype(np.float32)
        all_ones = per_block(np.minimum, (self.weights == 1.0).astype(np.int8)) == 1
        integral = per_block(np.minimum, (self.weights == np.floor(self.weights)).astype(np.int8)) == 1
        largest_weight = per_block(np.maximum, self.weights)
        self.weight_size = np.where(all_ones, 0, _weight_sizes(integral, largest_weight)).tolist()
        self.weight_arrays = {1: self.weights.astype(np.uint8), 2: self.weights.astype(np.uint16), 4: self.weights}
        self.max_weight = largest_weight.tolist()
        self.weight_sum = per_block(np.add, self.weights.astype(np.float64)).tolist()
        if field_lengths is None:
            self.min_length = [None] * len(begin)
            self.max_length = [0] * len(begin)
        else:
            shortest = per_block(np.minimum, np.where(field_lengths > 0, field_lengths, self._BIG))
            self.min_length = [None if n == self._BIG else n for n in shortest.tolist()]
            self.max_length = per_block(np.maximum, field_lengths).tolist()
        self.value_lengths = value_lengths
        if value_lengths is not None:
            largest = per_block(np.maximum, value_lengths)
            self.length_size = np.where(largest < 1 << 8, 1, np.where(largest < 1 << 16, 2, 4)).tolist()
            self.lengths = {size: value_lengths.astype(_UNSIGNED[size]) for size in set(self.length_size)}
            ends = np.cumsum(value_lengths)
            self.value_begin = (ends - value_lengths)[begin].tolist()
            self.value_end = ends[end - 1].tolist()

    def stats(self, n: int) -> _BlockStats:
        return _BlockStats(self.end[n] - self.begin[n], self.first[n], self.last[n], self.max_weight[n],
                           self.weight_sum[n], self.min_length[n], self.max_length[n])

    def data(self, n: int, values: bytes, compression: int) -> bytes:
        begin, end, id_size, weight_size = self.begin[n], self.end[n], self.id_size[n], self.weight_size[n]
        deltas = self.deltas[id_size][begin:end].tobytes()
        weights = self.weight_arrays[weight_size][begin:end].tobytes() if weight_size else b""
        if self.value_lengths is None:
            return _encode_block(deltas, id_size, weights, weight_size, None, 0, b"", compression)
        length_size = self.length_size[n]
        return _encode_block(deltas, id_size, weights, weight_size, self.lengths[length_size][begin:end].tobytes(),
                             length_size, values[self.value_begin[n]:self.value_end[n]], compression)


class _ArrayPostingsWriter(_InliningPostingsWriter):
    """Writes blocks in the array layout; takes postings one by one (Whoosh's merges) or a whole
    term's blocks laid out beforehand (:meth:`add_blocks`, from :mod:`searcher.index.pool`)."""

    def _write_block(self, last=False):
        # postings added one by one (Whoosh's merges): their block laid out like any other
        ids = np.frombuffer(self._ids, dtype=np.uint32).astype(np.int64)
        weights = np.frombuffer(self._weights, dtype=np.float32)
        values = self._values
        value_lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) if values else None
        blocks = _ChunkBlocks(ids, weights, None, value_lengths, [0], [len(ids)], len(ids))
        stats = blocks.stats(0)
        stats._minlength, stats._maxlength = self._minlength, self._maxlength
        self._write_prepared(stats, blocks.data(0, b"".join(values), self._values_compression()), last)
        self._new_block()

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
        # Known when the first block is written: most terms are inlined and never need it (asking
        # the file for its position costs a system call, 8% of a build when done for every term)
        self._startoffset = None

    def add_blocks(self, blocks: _ChunkBlocks, first: int, count: int, values: bytes) -> None:
        """Write blocks ``first`` to ``first + count - 1`` of ``blocks``: a term's postings (after
        ``start_postings``); ``values`` are the chunk's values end to end."""
        for n in range(first, first + count):
            self._write_prepared(blocks.stats(n), blocks.data(n, values, self._values_compression()),
                                 last=n == first + count - 1)

    def finish_postings(self):
        if self._blockcount and not len(self):  # add_blocks wrote the last block already
            terminfo = self._terminfo
            terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
            self._terminfo = None
            return terminfo
        return super().finish_postings()

    def _write_prepared(self, stats: _BlockStats, data: bytes, last: bool) -> None:
        if not self._blockcount:
            self._startoffset = self._postfile.tell()
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(stats)
        # the block as a whole is not compressed (its values are): Whoosh's compression flag says 0
        info = dumps((len(stats), stats.max_id(), stats.max_weight(), 0,
                      length_to_byte(stats.min_length()), length_to_byte(stats.max_length())), 2)
        size = len(info) + len(data)
        self._postfile.write_int(-size if last else size)
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1


def decode_block(data: bytes, count: int, values: bool = True):
    """(id deltas, weights or None for all 1.0, value lengths or None, values end to end) of a
    block; without ``values`` the lengths and values are left compressed (None, b"")."""
    id_size, weight_size, len_size, compressed = _HEADER.unpack_from(data)
    at = _HEADER.size
    deltas = np.frombuffer(data, dtype=_UNSIGNED[id_size], count=count, offset=at)
    at += count * id_size
    weights = None
    if weight_size:
        weights = np.frombuffer(data, dtype=_WEIGHTS[weight_size], count=count, offset=at)
        at += count * weight_size
    if not (values and len_size):
        return deltas, weights, None, b""
    tail = zlib.decompress(data[at:]) if compressed else bytes(data[at:])
    lens = np.frombuffer(tail, dtype=_UNSIGNED[len_size], count=count)
    return deltas, weights, lens, memoryview(tail)[count * len_size:]


_MAPPED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # posting file -> a view of it mapped


def _bytes_at(postfile, offset: int, length: int) -> memoryview:
    """``length`` bytes of a segment's posting file from ``offset``, from a memory map of the file (a
    common word's list with its positions is hundreds of kB: read, it is copied every time; mapped,
    the page cache is read in place). A file that cannot be mapped is read."""
    view = _MAPPED.get(postfile, False)
    if view is False:
        try:  # (a segment's files never change once written; the map goes with the file object)
            view = memoryview(mmap.mmap(postfile.file.fileno(), 0, access=mmap.ACCESS_READ))
        except (AttributeError, OSError, ValueError):  # no file number (in memory, compound), empty
            view = None
        _MAPPED[postfile] = view
    if view is None or offset + length > len(view):
        return memoryview(postfile.get(offset, length))
    return view[offset:offset + length]


def term_blocks(postfile, terminfo):
    """A term's posting list as read from the file: (its bytes, [(data start, data end, count,
    last id), ...] of its blocks), for the readers below."""
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # as Whoosh's term info reads it back from disk
        length = length[0]
    raw = _bytes_at(postfile, offset, length)
    if bytes(raw[:4]) != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a posting list")
    stream = io.BytesIO(raw)
    at = 4
    blocks = []
    while True:
        size = _INT.unpack_from(raw, at)[0]
        stream.seek(at + _INT.size)
        count, last_id = pickle.load(stream)[:2]
        end = at + _INT.size + abs(size)
        blocks.append((stream.tell(), end, count, last_id))
        if size < 0:
            return raw, blocks
        at = end


def read_term_postings(postfile, terminfo, values: bool):
    """All of a term's postings in the array layout, read in one piece: (document numbers, weights,
    value lengths, values end to end); without ``values``, (numbers, weights, None, b"") from the
    front of each block only (a positional block's positions are not even looked at).

    A matcher visits a block at a time, with a file seek and read for its header and another for its
    data: on a common word's hundreds of blocks that was most of the time of reading it.
    """
    raw, blocks = term_blocks(postfile, terminfo)
    if len(blocks) == 1:  # most lists: no joining of blocks
        start, end, count, _ = blocks[0]
        deltas, weights, lengths, blob = decode_block(raw[start:end], count, values)
        weights = weights.astype(np.float64) if weights is not None else np.ones(count)
        ids = np.cumsum(deltas, dtype=np.int64)
        return (ids, weights, None, b"") if lengths is None else (ids, weights, lengths, bytes(blob))
    deltas, weights, lengths, blobs = [], [], [], []
    for start, end, count, _ in blocks:
        block = decode_block(raw[start:end], count, values)
        deltas.append(block[0])
        weights.append(block[1] if block[1] is not None else _ones(count))
        if block[2] is not None:
            lengths.append(block[2])
            blobs.append(block[3])
    # each block's first number is absolute: made relative to the block before, one cumsum does all
    ids = np.concatenate(deltas).astype(np.int64)
    firsts = np.cumsum([0] + [len(d) for d in deltas[:-1]])
    ids[firsts[1:]] -= np.asarray([last_id for _, _, _, last_id in blocks[:-1]], dtype=np.int64)
    ids = np.cumsum(ids)
    weights = np.concatenate(weights).astype(np.float64)
    if not lengths:
        return ids, weights, None, b""
    return ids, weights, np.concatenate(lengths), b"".join(blobs)


def _blocks_holding(blocks, wanted: np.ndarray):
    """(block, the documents of ``wanted`` it may hold) for each of a term's ``blocks`` (as
    :func:`term_blocks` lists them) that may hold one of ``wanted`` (ascending numbers): told apart by
    the blocks' last numbers, without decoding any."""
    last_ids = np.asarray([last_id for _, _, _, last_id in blocks], dtype=np.int64)
    block_of = np.searchsorted(last_ids, wanted)  # the first block whose last number is not below
    for number in np.unique(block_of[block_of < len(blocks)]).tolist():
        yield blocks[number], wanted[block_of == number]


def _rows_of(ids: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """The rows of ``ids`` (ascending) holding those of ``asked`` that are there."""
    rows = np.minimum(np.searchsorted(ids, asked), len(ids) - 1)
    return rows[ids[rows] == asked]


def term_postings_among(postfile, terminfo, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(documents, weights) of those of the documents ``wanted`` (ascending numbers) that hold a term,
    in the array layout: only the blocks that may hold one of them are decoded (an AND of common words
    narrowed down by its rarest one reads little of the others; a phrase's ranking words are scored in
    its few matches only)."""
    raw, blocks = term_blocks(postfile, terminfo)
    found, weights = [], []
    for (start, end, count, _), asked in _blocks_holding(blocks, wanted):
        deltas, block_weights, _, _ = decode_block(raw[start:end], count, values=False)
        ids = np.cumsum(deltas, dtype=np.int64)  # a block's first number is absolute
        rows = _rows_of(ids, asked)
        found.append(ids[rows])
        weights.append(block_weights[rows].astype(np.float64) if block_weights is not None else np.ones(len(rows)))
    if not found:
        return wanted[:0], np.zeros(0)
    return np.concatenate(found), np.concatenate(weights)


def term_value_spans(postfile, terminfo, wanted: np.ndarray):
    """Where the values (positions) of a term's postings are, for those of the documents ``wanted``
    (ascending numbers) that hold the term, in the array layout: (documents, value starts, value ends,
    values end to end), to give :func:`decode_positions`. Only the blocks that may hold one of them
    are decoded. None if the field keeps no values.

    A phrase whose candidates are already known (the documents holding all of its word pairs) reads
    its common words this way: a handful of documents out of lists of tens of thousands.
    """
    raw, blocks = term_blocks(postfile, terminfo)
    docs, starts, ends, blobs = [], [], [], []
    base = 0  # where this block's values start in the blobs joined
    for (start, end, count, _), asked in _blocks_holding(blocks, wanted):
        deltas, _, lengths, blob = decode_block(raw[start:end], count, values=True)
        if lengths is None:
            return None
        ids = np.cumsum(deltas, dtype=np.int64)
        rows = _rows_of(ids, asked)
        value_ends = np.cumsum(lengths, dtype=np.int64)
        docs.append(ids[rows])
        starts.append(base + value_ends[rows] - lengths[rows])
        ends.append(base + value_ends[rows])
        blobs.append(blob)
        base += len(blob)
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, b""
    return np.concatenate(docs), np.concatenate(starts), np.concatenate(ends), b"".join(blobs)


def _ones(count: int) -> np.ndarray:
    return np.ones(count, dtype=np.float32)


class ArrayLeafMatcher(W3LeafMatcher):
    """Whoosh's block matcher over the array layout (the array scorer reads whole lists with
    :func:`read_term_postings` instead)."""

    def _read_data(self):
        data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        self._data = decode_block(bytes(data), self._blocklength)

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
        ends = np.cumsum(lens, dtype=np.int64).tolist()
        starts = [0] + ends[:-1]
        raw = bytes(blob)
        self._values = [raw[s:e] for s, e in zip(starts, ends)]


_PICKLED_LIST = np.frombuffer(b"\x80\x02]q\x00", dtype=np.uint8)  # protocol 2: a list, memoised
_BININT1, _BININT2, _BININT, _MARK = ord("K"), ord("M"), ord("J"), ord("(")
_APPEND, _APPENDS, _STOP = ord("a"), ord("e"), ord(".")
_PICKLE_BATCH = 1000  # pickle splits longer lists into several batches: left to pickle itself
_FEW_LEFT = 48  # lists still being read, below which the rest are unpickled one by one
_STEPS_PER_LIST = 4  # ... or below this many per step still to go (a step costs about as much as 4 unpickles)


def decode_positions(data, starts: np.ndarray, ends: np.ndarray, format_) -> tuple[np.ndarray, np.ndarray]:
    """The positions of many postings at once: (count per posting, positions end to end), each
    posting's ascending. ``data[starts[i]:ends[i]]`` is a value of Whoosh's ``Positions`` format:
    the count, then the pickled list of position deltas.

    A phrase over common words checks thousands of postings; unpickling them one by one was most of
    its time. Here the pickles are read with numpy, one step per list item for all postings together:
    small numbers are one opcode and 1, 2 or 4 bytes. A value not laid out that way (a very long
    list, another writer) is decoded by ``format_.decode_positions``.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    last = len(raw) - 1
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    if not len(starts):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)

    def at(index):  # bytes at ``index``, kept inside: a malformed value reads garbage, never out of bounds
        return raw[np.minimum(index, last)].astype(np.int64)

    counts = (at(starts) << 24) | (at(starts + 1) << 16) | (at(starts + 2) << 8) | at(starts + 3)
    valid = (ends - starts >= 4 + len(_PICKLED_LIST) + 2) & (counts >= 1) & (counts <= _PICKLE_BATCH)
    for i, byte in enumerate(_PICKLED_LIST.tolist()):
        valid &= at(starts + 4 + i) == byte
    counts = np.where(valid, counts, 0)
    several = counts >= 2
    valid &= ~several | (at(starts + 4 + len(_PICKLED_LIST)) == _MARK)
    pointer = starts + 4 + len(_PICKLED_LIST) + several
    firsts = np.cumsum(counts) - counts
    deltas = np.zeros(int(counts.sum()), dtype=np.int64)
    # Most lists hold only one-byte numbers: their length says so, and their items are every other
    # byte. (The closing opcodes of every list are checked below.)
    size = pointer + 2 * counts + 1 - starts
    short = valid & ((ends - starts == size) | (ends - starts == size + 1))
    if short.any():
        items = np.repeat(pointer[short] - 2 * firsts[short], counts[short]) + 2 * np.arange(len(deltas))[
            np.repeat(short, counts)]
        valid[short] &= np.logical_and.reduceat(raw[np.minimum(items, last)] == _BININT1,
                                                np.cumsum(counts[short]) - counts[short])
        deltas[np.repeat(short, counts)] = at(items + 1)
        pointer[short] += 2 * counts[short]
    # the others one list item at a time, for all of them together; by decreasing count, those
    # still reading items are a prefix of this order
    order = np.flatnonzero(~short & (counts > 0))
    order = order[np.argsort(-counts[order], kind="stable")]
    remaining = counts[order]
    for item in range(int(remaining[0]) if len(remaining) else 0):
        active = order[:int(np.searchsorted(-remaining, -item, side="left"))]
        if len(active) <= _FEW_LEFT or len(active) < _STEPS_PER_LIST * (int(remaining[0]) - item):
            # the lists left are few for the steps still to go: cheaper to unpickle them (below)
            valid[active] = False
            break
        where = pointer[active]
        opcode = at(where)
        value = at(where + 1)
        two = opcode != _BININT1
        value[two] |= at(where[two] + 2) << 8
        four = opcode == _BININT
        if four.any():  # signed 32 bits; positions are far below 2**31
            value[four] |= (at(where[four] + 3) << 16) | (at(where[four] + 4) << 24)
        valid[active[two & (opcode != _BININT2) & ~four]] = False
        deltas[firsts[active] + item] = value
        pointer[active] = where + np.where(two, np.where(four, 5, 3), 2)
    # the list ends with its APPEND (one item) or APPENDS, then pickle's STOP (which may be cut off)
    closing = np.where(several, _APPENDS, _APPEND)
    valid &= at(pointer) == closing
    valid &= (pointer + 1 == ends) | ((pointer + 2 == ends) & (at(pointer + 1) == _STOP))
    positions = np.cumsum(deltas)
    positions -= np.repeat(positions[firsts - 1] * (firsts > 0) if len(positions) else firsts, counts)
    if valid.all():
        return counts, positions
    # the others unpickled one by one, and the arrays put back together in posting order
    others = np.flatnonzero(~valid)
    lists = [_unpickled_positions(data[start:end], format_)
             for start, end in zip(starts[others].tolist(), ends[others].tolist())]
    kept = np.repeat(valid, counts)
    counts = counts.copy()
    counts[others] = [len(found) for found in lists]
    joined = np.empty(int(counts.sum()), dtype=np.int64)
    joined[np.repeat(valid, counts)] = positions[kept]
    joined[np.repeat(~valid, counts)] = list(chain.from_iterable(lists))
    return counts, joined


def _unpickled_positions(value, format_) -> list[int]:
    """One value's positions: pickle reads the deltas (Whoosh's decoder adds them up the same way)."""
    value = bytes(value)
    if value[4:6] != b"\x80\x02":  # not a pickle: whatever the format makes of it
        return format_.decode_positions(value)
    return list(accumulate(pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")))


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
        self._tindex._write_hashes = partial(_write_hash_tables, self._tindex)

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
            big = [(number, at) for number, at in zip(range(term, last), _running_starts(counts, term, last))
                   if counts[number] >= inline_limit]
            blocks = None
            if big:
                blocks = _ChunkBlocks(ids, weights, field_lengths, value_lengths, [at for _, at in big],
                                      [counts[number] for number, _ in big], postwriter._blocklimit)
            block = 0
            at = 0
            field_key = pack_ushort(self._fieldid)
            inlined: list[tuple[bytes, bytes]] = []  # term table rows not written yet, in term order
            for number in range(term, last):
                count = counts[number]
                stop = at + count
                if count < inline_limit:
                    if value_ends is None:
                        term_values = (b"",) * count
                    else:
                        bounds = [value_ends[at - 1] if at else 0] + value_ends[at:stop]
                        term_values = tuple([values[bounds[i]:bounds[i + 1]] for i in range(count)])
                    inlined.append((field_key + texts[number],
                                    _inlined_term_info(id_list[at:stop], weight_list[at:stop],
                                                       length_list[at:stop] if length_list is not None else None,
                                                       term_values)))
                else:
                    _add_rows(self._tindex, inlined)
                    inlined = []
                    self.start_term(texts[number])
                    term_blocks = (count + postwriter._blocklimit - 1) // postwriter._blocklimit
                    postwriter.add_blocks(blocks, block, term_blocks, values)
                    block += term_blocks
                    self.finish_term()
                at = stop
            _add_rows(self._tindex, inlined)
            term, start = last, end


def _inlined_term_info(ids: list, weights: list, lengths: list | None, values: tuple) -> bytes:
    """The term table's value for a term whose postings are inlined: the bytes that
    ``W3TermInfo.to_bytes`` makes of the term info that ``W3TermInfo.add_block`` and
    :meth:`_InliningPostingsWriter.finish_postings` would build (most terms are inlined: building
    those objects was most of a segment's writing time)."""
    positive = [length for length in lengths if length] if lengths else ()
    return _TERM_INFO.pack(1, sum(weights), len(ids), length_to_byte(min(positive)) if positive else 0,
                           length_to_byte(max(positive) if positive else 0), max(0, *weights),
                           ids[0], ids[-1]) + dumps((tuple(ids), tuple(weights), values), 2)


def _add_rows(table: OrderedHashWriter, rows: list[tuple[bytes, bytes]]) -> None:
    """``OrderedHashWriter.add`` for many rows in key order, written to the file at once."""
    if not rows:
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


def _write_hash_tables(table: OrderedHashWriter) -> None:
    """``HashWriter._write_hashes`` with each table written at once (it wrote every slot with a call
    of its own: millions of calls for a segment's terms). The same bytes: the same open addressing,
    empty slots (0, 0)."""
    dbfile = table.dbfile
    empty = _POINTER.pack(0, 0)
    for entries in table.buckets:
        slots = 2 * len(entries)
        table.directory.append((dbfile.tell(), slots))
        hashtable: list = [None] * slots
        for hashval, position in entries:
            slot = (hashval >> 8) % slots
            while hashtable[slot] is not None:
                slot = (slot + 1) % slots
            hashtable[slot] = (hashval, position)
        dbfile.write(b"".join([_POINTER.pack(*entry) if entry else empty for entry in hashtable]))


def _running_starts(counts: list, first: int, last: int):
    """Where each of the terms ``first`` to ``last - 1`` starts in their chunk of postings."""
    at = 0
    for number in range(first, last):
        yield at
        at += counts[number]


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
