"""The packed layout of a posting block (``PackedCodec``), encoded and decoded with numpy (no Whoosh in here).

In the array layout (:mod:`.blocks`) a block's document numbers are deltas of 1, 2 or 4 bytes (the
first number absolute, so that most blocks took 2 bytes a number), its weights 1 or 2 bytes each,
each value's length a byte or more, and Whoosh's header before it a pickled tuple: about 40 bytes a
term for the many terms of a single short block. Here:

- the header (:func:`block_header`) is a flags byte and varints: count, last document number, the
  data's length, the largest weight, then the shortest and longest field length bytes;
- the data: a byte of :data:`PACKED` and the kind of values, the width of the number gaps, the
  weights' code; the first number (a varint); then the gaps (the first written as 0), the weights
  less one (none if all are 1; float32 if any is not a whole number from 1), then the values. Gaps
  and weights take 1, 2, 4, 8, 16 or 32 bits each, as few as the block's largest needs: numpy reads
  whole bytes as they are and smaller widths a byte at a time from a table. Any width (as many bits
  as the largest needs) made the posting file 13% smaller still, but each run then took four numpy
  calls more to read, and queries 5-8% longer (a query reads a few dozen blocks; each numpy call
  costs more than the numbers it reads);
- positions are varint deltas (:mod:`.compact`) whose count per posting is its weight (a position
  field's weight is its frequency): no lengths are written, they are found from the varints' last
  bytes. Other values keep their lengths (1, 2 or 4 bytes each), compressed or not.

Numbers are packed low bits first, each run of them from a byte boundary.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from .compact import read_varint, varint

PACKED = 0x80  # the first byte of a packed block's data (the array layout's is a width: 1, 2 or 4)
# kinds of values (the low bits of the first byte)
NO_VALUES = 0
VALUES_FROM_WEIGHTS = 1  # each value the weight as Whoosh's Frequency value: not written
POSITIONS_COUNTED_BY_WEIGHTS = 2  # varint position deltas, as many per posting as its weight
POSITIONS_WITH_LENGTHS = 3  # varint position deltas, each posting's byte length written
VALUES_WITH_LENGTHS = 4  # the values as the field's format writes them, their lengths before them
VALUES_COMPRESSED = 5  # the same, lengths and values compressed together (zlib)

FLOAT_WEIGHTS = 0xFF  # the weights' code when they are float32 (else the bits of each weight less one)
_WHOLE_MAX_WEIGHT = 1  # header flag: the largest weight as a varint (else float32)
_FLOAT32 = struct.Struct("<f")
_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32}


# --- block headers ---------------------------------------------------------------------------------


def block_header(
    count: int, last_id: int, data_length: int, max_weight: float, min_length_byte: int, max_length_byte: int
) -> bytes:
    """A packed block's header: what Whoosh's block info holds (count, last number, largest weight,
    length bytes) and the length of the data after it."""
    whole = float(max_weight).is_integer() and 0 <= max_weight < 1 << 53
    weight = varint(int(max_weight)) if whole else _FLOAT32.pack(max_weight)
    return (
        bytes((_WHOLE_MAX_WEIGHT if whole else 0,))
        + varint(count)
        + varint(last_id)
        + varint(data_length)
        + weight
        + bytes((min_length_byte, max_length_byte))
    )


def read_block_header(data, at: int) -> tuple[int, int, float, int, int, int, int]:
    """(count, last number, largest weight, shortest and longest length byte, data start, data end)
    of the block whose header starts at ``at``."""
    flags = data[at]
    at += 1
    numbers = []  # count, last number, data length (and the largest weight, when whole)
    for _ in range(4 if flags & _WHOLE_MAX_WEIGHT else 3):  # (varints read here: a query reads dozens)
        number = data[at]
        at += 1
        if number >= 0x80:
            number, at = read_varint(data, at - 1)
        numbers.append(number)
    if flags & _WHOLE_MAX_WEIGHT:
        count, last_id, length, whole = numbers
        max_weight = float(whole)
    else:
        count, last_id, length = numbers
        max_weight = _FLOAT32.unpack_from(data, at)[0]
        at += _FLOAT32.size
    return count, last_id, max_weight, data[at], data[at + 1], at + 2, at + 2 + length


def list_blocks(data, end: int | None = None) -> list[tuple[int, int, int, int]]:
    """[(data start, data end, count, last number), ...] of the blocks of a packed posting list (its
    bytes, blocks back to back to ``end``)."""
    at, end = 0, len(data) if end is None else end
    blocks = []
    while at < end:
        count, last_id, _, _, _, start, stop = read_block_header(data, at)
        if stop > end or not count:
            raise ValueError("a posting block runs past its list")
        blocks.append((start, stop, count, last_id))
        at = stop
    return blocks


# --- numbers in bits -------------------------------------------------------------------------------


def bit_widths(largest: np.ndarray) -> np.ndarray:
    """The width of :data:`WIDTHS` each of ``largest`` (whole numbers below 2**32) needs."""
    largest = np.asarray(largest, dtype=np.int64)
    limits = np.int64(1) << np.asarray(WIDTHS[1:], dtype=np.int64)
    return np.asarray(WIDTHS, dtype=np.int64)[(largest[:, None] >= limits).sum(axis=1) + (largest > 0)]


def pack_runs(numbers: np.ndarray, begins: np.ndarray, ends: np.ndarray, widths: np.ndarray):
    """Runs ``numbers[begins[r]:ends[r]]`` in ``widths[r]`` bits each, low bits first, each run from
    a byte boundary: (the bytes, where each run's bytes start, one more for the end)."""
    begins, ends = np.asarray(begins, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    widths = np.asarray(widths, dtype=np.int64)
    counts = ends - begins
    sizes = (counts * widths + 7) // 8
    run_at = np.concatenate(([0], np.cumsum(sizes)))
    total = int(run_at[-1])
    out = np.zeros(total + 8, dtype=np.uint8)
    run_of = np.repeat(np.arange(len(counts)), counts)
    nth = np.arange(len(run_of)) - np.repeat(np.cumsum(counts) - counts, counts)
    width = widths[run_of]
    live = width > 0
    if live.any():
        run_of, nth, width = run_of[live], nth[live], width[live]
        taken = np.asarray(numbers, dtype=np.uint64)[begins[run_of] + nth]
        bit = run_at[run_of] * 8 + nth * width
        shifted = taken << (bit & 7).astype(np.uint64)
        byte = bit >> 3
        for k in range((int(width.max()) + 7 + 7) // 8):
            np.bitwise_or.at(
                out, byte + k, ((shifted >> np.uint64(8 * k)) & np.uint64(0xFF)).astype(np.uint8)
            )
    return out[:total].tobytes(), run_at.tolist()


def unpack_bits(data, at: int, count: int, width: int) -> np.ndarray:
    """``count`` numbers of ``width`` bits (one of :data:`WIDTHS`) each from byte ``at`` of ``data``
    (as :func:`pack_runs`), as a numpy array of unsigned integers: whole bytes as they are, smaller
    widths a byte at a time from a table."""
    if not width or not count:
        return np.zeros(count, dtype=np.uint8)
    if width >= 8:
        return np.frombuffer(data, dtype=_WHOLE_BYTES[width], count=count, offset=at)
    raw = np.frombuffer(data, dtype=np.uint8, count=(count * width + 7) // 8, offset=at)
    return _IN_BYTE[width][raw].reshape(-1)[:count]


def _in_byte(width: int, plus: int = 0, dtype=np.uint8) -> np.ndarray:
    """The numbers of ``width`` bits in each byte value, low bits first, each plus ``plus``."""
    numbers = (np.arange(256)[:, None] >> (width * np.arange(8 // width))) & ((1 << width) - 1)
    return (numbers + plus).astype(dtype)


WIDTHS = (0, 1, 2, 4, 8, 16, 32)  # bits per number
_WHOLE_BYTES: dict[int, np.dtype] = {8: np.dtype("<u1"), 16: np.dtype("<u2"), 32: np.dtype("<u4")}
_IN_BYTE = {width: _in_byte(width) for width in (1, 2, 4)}
_WEIGHTS_IN_BYTE = {width: _in_byte(width, plus=1) for width in (1, 2, 4)}  # (weights are written less one)
_GAPS_IN_BYTE = {width: _in_byte(width, dtype=np.int64) for width in (1, 2, 4)}


def weights_codes(whole: np.ndarray, smallest: np.ndarray, largest: np.ndarray) -> np.ndarray:
    """How each block's weights are kept: 0 if all are 1, the width of the largest less one if all
    are whole numbers from 1, else :data:`FLOAT_WEIGHTS` (for blocks whose weights are ``whole`` or
    not, from ``smallest`` to ``largest``)."""
    whole, smallest, largest = (np.asarray(a) for a in (whole, smallest, largest))
    floats = ~whole.astype(bool) | ~(smallest >= 1) | ~(largest - 1 < 1 << 32)
    widths = bit_widths(np.where(floats, 0, largest - 1).astype(np.int64))
    return np.where(floats, FLOAT_WEIGHTS, widths)


def encode_packed(
    kind: int,
    first_id: int,
    id_width: int,
    gaps: bytes,
    weight_code: int,
    weights: bytes,
    lengths: bytes = b"",
    length_size: int = 0,
    values: bytes = b"",
    compression: int = 0,
) -> bytes:
    """A block's data in the packed layout (the bit-packed gaps and weights as :func:`pack_runs`
    made them; ``weights`` float32 when ``weight_code`` is :data:`FLOAT_WEIGHTS`)."""
    parts = [bytes((PACKED | kind, id_width, weight_code)), varint(first_id), gaps, weights]
    if kind in (POSITIONS_WITH_LENGTHS, VALUES_WITH_LENGTHS):
        parts += [bytes((length_size,)), lengths, values]
    elif kind == VALUES_COMPRESSED:
        parts += [bytes((length_size,)), zlib.compress(lengths + values, compression)]
    elif kind == POSITIONS_COUNTED_BY_WEIGHTS:
        parts.append(values)
    return b"".join(parts)


def is_packed(data) -> bool:
    return bool(data[0] & PACKED)


def values_kind(data) -> int:
    return data[0] & ~PACKED & 0xFF


def decode_packed(data, count: int, values: bool = True):
    """(id deltas with the first number whole, weights or None for all 1.0, value lengths or None,
    values end to end) of a packed block: what :func:`searcher.index.codec.blocks.decode_block`
    gives for the array layout. Positions come with their lengths found from the varints."""
    kind, id_width, weight_code = data[0] & ~PACKED & 0xFF, data[1], data[2]
    first_id, at = read_varint(data, 3)
    if 0 < id_width < 8:  # (a new array of int64 straight from the table: callers sum them as int64)
        raw = np.frombuffer(data, dtype=np.uint8, count=(count * id_width + 7) // 8, offset=at)
        deltas = _GAPS_IN_BYTE[id_width][raw].reshape(-1)[:count]
    else:
        deltas = unpack_bits(data, at, count, id_width).astype(np.int64)
    deltas[0] = first_id
    at += (count * id_width + 7) // 8
    weights = None
    if weight_code == FLOAT_WEIGHTS:
        weights = np.frombuffer(data, dtype="<f4", count=count, offset=at)
        at += 4 * count
    elif weight_code:
        size = (count * weight_code + 7) // 8
        if weight_code < 8:
            raw = np.frombuffer(data, dtype=np.uint8, count=size, offset=at)
            weights = _WEIGHTS_IN_BYTE[weight_code][raw].reshape(-1)[:count]
        else:
            weights = unpack_bits(data, at, count, weight_code).astype(np.int64) + 1
        at += size
    if not values or kind in (NO_VALUES, VALUES_FROM_WEIGHTS):
        return deltas, weights, None, b""
    if kind == POSITIONS_COUNTED_BY_WEIGHTS:
        blob = memoryview(data)[at:]
        counts = np.ones(count, dtype=np.int64) if weights is None else weights.astype(np.int64)
        last_bytes = np.flatnonzero(np.frombuffer(blob, dtype=np.uint8) < 0x80)
        ends = last_bytes[np.cumsum(counts) - 1] + 1
        return deltas, weights, np.diff(ends, prepend=0), blob[: int(ends[-1])]
    length_size = data[at]
    at += 1
    tail = zlib.decompress(data[at:]) if kind == VALUES_COMPRESSED else data[at:]
    lengths = np.frombuffer(tail, dtype=_UNSIGNED[length_size], count=count)
    return deltas, weights, lengths, memoryview(tail)[count * length_size :]
