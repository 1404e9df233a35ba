"""The array layout of a posting block's data, encoded and decoded with numpy (no Whoosh in here).

A block's data is a header (bytes per id delta, per weight, per value length; how the value
lengths and values are kept), the id deltas (the first number absolute), the weights, then the value
lengths and the values end to end: as they are, compressed together, or as they are with the values
positions in varints (:mod:`searcher.index.codec.compact`). Whoosh's own block header (count, last id, maximum
weight, ...) comes before it in the posting file: see :mod:`searcher.index.codec.whoosh_private`.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from . import packed
from .compact import VALUES_EMPTY, VALUES_FREQUENCIES, VALUES_POSITIONS

# bytes per id delta, per weight (0: all 1.0; 1 or 2: whole numbers; 4: float32), per value length;
# how the value lengths and values are kept (one of the three below)
_HEADER = struct.Struct("<BBBB")
VALUES_AS_THEY_ARE, VALUES_COMPRESSED, VALUES_VARINT_POSITIONS = 0, 1, 2
# ... or not written: each value is the posting's weight as a frequency (Whoosh's pack_uint)
VALUES_FROM_WEIGHTS = 3
_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32}
_WEIGHTS = {1: np.uint8, 2: np.uint16, 4: np.float32}


def encode_block(
    deltas: bytes,
    id_size: int,
    weights: bytes,
    weight_size: int,
    lengths: bytes | None,
    length_size: int,
    values: bytes,
    compression: int,
    varint_positions: bool = False,
    values_from_weights: bool = False,
) -> bytes:
    """A block's data in the array layout: header, id deltas and weights as they are (read with
    numpy, nothing to decompress), then the value lengths and values compressed together (unless
    ``compression`` is 0 or the values are varint positions, which are left as they are)."""
    kept = VALUES_VARINT_POSITIONS if varint_positions else VALUES_COMPRESSED if compression else 0
    if values_from_weights:
        kept, length_size = VALUES_FROM_WEIGHTS, 0
    parts = [_HEADER.pack(id_size, weight_size, length_size, kept), deltas, weights]
    if length_size:
        assert lengths is not None, "value lengths come with their size"
        tail = lengths + values
        parts.append(zlib.compress(tail, compression) if kept == VALUES_COMPRESSED else tail)
    return b"".join(parts)


def _unsigned_sizes(largest: np.ndarray) -> np.ndarray:
    """Bytes per number of each block (1, 2 or 4) given its largest number."""
    return np.where(largest < 1 << 8, 1, np.where(largest < 1 << 16, 2, 4))


def _weight_sizes(integral, largest) -> np.ndarray:
    """Bytes per weight of each block: whole numbers in 1 or 2 bytes, others as float32."""
    return np.where(integral & (largest < 1 << 8), 1, np.where(integral & (largest < 1 << 16), 2, 4))


class ChunkBlocks:
    """The blocks of many terms' postings laid out at once: every statistic and array a block
    needs, computed with numpy over a chunk of postings instead of a dozen numpy calls per block
    (most blocks hold a few dozen postings, where numpy's per-call cost dominates)."""

    _BIG = 1 << 62

    def __init__(self, ids, weights, field_lengths, value_lengths, starts, counts, blocklimit, packed=False):
        counts = np.asarray(counts, dtype=np.int64)
        starts = np.asarray(starts, dtype=np.int64)
        per_term = (counts + blocklimit - 1) // blocklimit
        term_of = np.repeat(np.arange(len(counts)), per_term)
        nth = np.arange(len(term_of)) - np.repeat(np.cumsum(per_term) - per_term, per_term)
        begin = starts[term_of] + nth * blocklimit
        end = np.minimum(begin + blocklimit, (starts + counts)[term_of])
        self.begin, self.end = begin.tolist(), end.tolist()
        bounds = np.empty(2 * len(begin), dtype=np.int64)
        bounds[0::2], bounds[1::2] = begin, end

        def per_block(ufunc, array):  # ufunc over each block's slice (gaps between blocks ignored)
            return ufunc.reduceat(np.append(array, array[:1]), bounds)[0::2]

        deltas = np.diff(ids, prepend=0)
        deltas[begin] = ids[begin]  # a block's first number is absolute
        self.id_size = _unsigned_sizes(per_block(np.maximum, deltas)).tolist()
        self.deltas = {size: deltas.astype(_UNSIGNED[size]) for size in set(self.id_size)}
        self.first, self.last = ids[begin].tolist(), ids[end - 1].tolist()
        self.weights = weights.astype(np.float32)
        all_ones = per_block(np.minimum, (self.weights == 1.0).astype(np.int8)) == 1
        integral = per_block(np.minimum, (self.weights == np.floor(self.weights)).astype(np.int8)) == 1
        largest_weight = per_block(np.maximum, self.weights)
        self.weight_size = np.where(all_ones, 0, _weight_sizes(integral, largest_weight)).tolist()
        self.weight_arrays = {
            1: self.weights.astype(np.uint8),
            2: self.weights.astype(np.uint16),
            4: self.weights,
        }
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
        self.packed = packed
        if packed:
            self._pack(deltas, begin, end, per_block, integral)
        if value_lengths is not None:
            self.length_size = _unsigned_sizes(per_block(np.maximum, value_lengths)).tolist()
            self.lengths = {size: value_lengths.astype(_UNSIGNED[size]) for size in set(self.length_size)}
            ends = np.cumsum(value_lengths)
            self.value_begin = (ends - value_lengths)[begin].tolist()
            self.value_end = ends[end - 1].tolist()

    def _pack(self, deltas, begin, end, per_block, integral) -> None:
        """Each block's gaps and weights bit-packed (:mod:`.packed`), all blocks at once."""
        gaps = np.asarray(deltas, dtype=np.int64).copy()
        gaps[begin] = 0  # (a block's first number is written apart: its place holds 0)
        self.id_width = packed.bit_widths(per_block(np.maximum, gaps)).tolist()
        self.gaps, self.gap_at = packed.pack_runs(gaps, begin, end, self.id_width)
        codes = packed.weights_codes(
            integral, per_block(np.minimum, self.weights), np.asarray(self.max_weight)
        )
        self.weight_code = codes.tolist()
        bits = np.where(codes == packed.FLOAT_WEIGHTS, 0, codes)
        whole_weights = np.where(np.abs(self.weights) < 2.0**40, self.weights, 1).astype(np.int64)
        self.packed_weights, self.weight_at = packed.pack_runs(
            np.maximum(whole_weights - 1, 0), begin, end, bits
        )

    def statistics(self, n: int) -> tuple:
        """Block ``n``'s (count, first id, last id, largest weight, sum of weights, shortest field
        length or None, longest field length): what a term info gathers from a block."""
        return (
            self.end[n] - self.begin[n],
            self.first[n],
            self.last[n],
            self.max_weight[n],
            self.weight_sum[n],
            self.min_length[n],
            self.max_length[n],
        )

    def data(
        self,
        n: int,
        values: bytes,
        compression: int,
        varint_positions: bool = False,
        values_from_weights: bool = False,
    ) -> bytes:
        """Block ``n``'s data (:func:`encode_block`); ``values`` are the chunk's values end to end."""
        begin, end, id_size, weight_size = self.begin[n], self.end[n], self.id_size[n], self.weight_size[n]
        deltas = self.deltas[id_size][begin:end].tobytes()
        weights = self.weight_arrays[weight_size][begin:end].tobytes() if weight_size else b""
        if self.value_lengths is None or values_from_weights:
            return encode_block(
                deltas, id_size, weights, weight_size, None, 0, b"", compression, False, values_from_weights
            )
        length_size = self.length_size[n]
        return encode_block(
            deltas,
            id_size,
            weights,
            weight_size,
            self.lengths[length_size][begin:end].tobytes(),
            length_size,
            values[self.value_begin[n] : self.value_end[n]],
            compression,
            varint_positions,
        )


def packed_block_data(
    blocks: ChunkBlocks, n: int, values: bytes, compression: int, kind: int, positions_by_weights: bool
) -> bytes:
    """Block ``n``'s data in the packed layout (``blocks`` made with ``packed``); ``kind`` is how the
    compact codec keeps the chunk's values (:mod:`.compact`'s VALUES_*), ``positions_by_weights``
    whether each posting's positions number its weight."""
    begin, end = blocks.begin[n], blocks.end[n]
    gaps = blocks.gaps[blocks.gap_at[n] : blocks.gap_at[n + 1]]
    code = blocks.weight_code[n]
    if code == packed.FLOAT_WEIGHTS:
        weights = blocks.weights[begin:end].astype("<f4").tobytes()
    else:
        weights = blocks.packed_weights[blocks.weight_at[n] : blocks.weight_at[n + 1]]
    head = (blocks.first[n], blocks.id_width[n], gaps, code, weights)
    if blocks.value_lengths is None or kind in (VALUES_EMPTY, VALUES_FREQUENCIES):
        value_kind = (
            packed.NO_VALUES
            if blocks.value_lengths is None or kind == VALUES_EMPTY
            else packed.VALUES_FROM_WEIGHTS
        )
        return packed.encode_packed(value_kind, *head)
    own = values[blocks.value_begin[n] : blocks.value_end[n]]
    if kind == VALUES_POSITIONS:
        if positions_by_weights and code != packed.FLOAT_WEIGHTS:
            return packed.encode_packed(packed.POSITIONS_COUNTED_BY_WEIGHTS, *head, values=own)
        value_kind = packed.POSITIONS_WITH_LENGTHS
    else:
        value_kind = packed.VALUES_COMPRESSED if compression else packed.VALUES_WITH_LENGTHS
    length_size = blocks.length_size[n]
    lengths = blocks.lengths[length_size][begin:end].tobytes()
    return packed.encode_packed(value_kind, *head, lengths, length_size, own, compression)


def decode_block(data: bytes, count: int, values: bool = True):
    """(id deltas, weights or None for all 1.0, value lengths or None, values end to end) of a
    block, of either layout; without ``values`` the lengths and values are left compressed (None, b"")."""
    if packed.is_packed(data):
        return packed.decode_packed(data, count, values)
    id_size, weight_size, len_size, kept = _HEADER.unpack_from(data)
    at = _HEADER.size
    deltas = np.frombuffer(data, dtype=_UNSIGNED[id_size], count=count, offset=at)
    at += count * id_size
    weights = None
    if weight_size:
        weights = np.frombuffer(data, dtype=_WEIGHTS[weight_size], count=count, offset=at)
        at += count * weight_size
    if not (values and len_size):
        return deltas, weights, None, b""
    tail = zlib.decompress(data[at:]) if kept == VALUES_COMPRESSED else bytes(data[at:])
    lens = np.frombuffer(tail, dtype=_UNSIGNED[len_size], count=count)
    return deltas, weights, lens, memoryview(tail)[count * len_size :]


def has_varint_positions(data) -> bool:
    """Whether a block's values are positions as varint deltas (else as the field's format writes them)."""
    if packed.is_packed(data):
        return packed.values_kind(data) in (
            packed.POSITIONS_COUNTED_BY_WEIGHTS,
            packed.POSITIONS_WITH_LENGTHS,
        )
    return _HEADER.unpack_from(data)[3] == VALUES_VARINT_POSITIONS


def has_values_from_weights(data) -> bool:
    """Whether a block's values are its weights as frequencies, not written."""
    if packed.is_packed(data):
        return packed.values_kind(data) == packed.VALUES_FROM_WEIGHTS
    return _HEADER.unpack_from(data)[3] == VALUES_FROM_WEIGHTS


def frequencies_of(weights: np.ndarray | None, count: int) -> tuple[np.ndarray, bytes]:
    """(value lengths, values end to end) of a block whose values are its weights (None: all 1.0) as
    Whoosh's ``Frequency`` values: 4 bytes each, big-endian."""
    numbers = np.ones(count, dtype=">u4") if weights is None else weights.astype(">u4")
    return np.full(count, 4, dtype=np.int64), numbers.tobytes()
