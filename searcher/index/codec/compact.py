"""The compact encodings of :class:`searcher.index.codec.CompactCodec` (no Whoosh in here).

Most of an index's terms are rare syllable pairs whose postings are kept in the term table: Whoosh
pickles them there, about 45 bytes for one document; and positions were pickled lists in the posting
blocks too, 13 bytes for a word met once. Here both are variable-length integers (7 bits a byte, the
high bit set on every byte but a number's last, "LEB128"):

- positions: the deltas of a posting's positions, nothing else (their count is the number of
  numbers); numpy decodes the values of many postings at once (:func:`decode_varint_positions`);
- an inlined term's entry: its document frequency and first document number (the statistics Whoosh
  keeps in 23 bytes are worked out from the postings), then the document number deltas, the weights
  as whole numbers, and the values as the field's format makes them, written as one of a few kinds
  (:func:`encode_inlined`).

What Whoosh's own readers see is unchanged: values are turned back into the bytes of Whoosh's
``Positions`` and ``Frequency`` formats (:func:`whoosh_positions_value`, ``pack_uint``) on reading.
"""

from __future__ import annotations

import pickle
import struct

import numpy as np

_UINT = struct.Struct("!I")  # Whoosh's pack_uint: a count, a frequency
_PICKLE_BATCH = 1000  # pickle writes longer lists in batches: not the layout counted below

# kinds of values of an inlined term
VALUES_EMPTY = 0  # every value b"" (fields without values)
VALUES_FREQUENCIES = 1  # each value the weight as Whoosh's Frequency value (pack_uint)
VALUES_POSITIONS = 2  # each value a Positions value, kept as varint deltas
VALUES_RAW = 3  # anything else: each value's length, then its bytes
_WHOLE_WEIGHTS = 4  # weights as varints (else float64, 8 bytes each)


# --- variable-length integers, a few at a time (an inlined term) ------------------------------------


def _put_varint(out: bytearray, number: int) -> None:
    while number >= 0x80:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)


def varints(*numbers: int) -> bytes:
    """``numbers`` as varints, one after another."""
    out = bytearray()
    for number in numbers:
        _put_varint(out, number)
    return bytes(out)


def read_varint(data, at: int) -> tuple[int, int]:
    """(the varint at ``at``, where the next starts)."""
    return _get_varint(data, at)


def _get_varint(data, at: int) -> tuple[int, int]:
    number, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        number |= (byte & 0x7F) << shift
        if byte < 0x80:
            return number, at
        shift += 7


def varint_deltas(numbers) -> bytes:
    """Ascending ``numbers`` as varints of their deltas (the first from 0)."""
    out = bytearray()
    previous = 0
    for number in numbers:
        _put_varint(out, number - previous)
        previous = number
    return bytes(out)


def _varints_of(data) -> list[int]:
    numbers, at = [], 0
    while at < len(data):
        number, at = _get_varint(data, at)
        numbers.append(number)
    return numbers


# --- Whoosh's Positions values ------------------------------------------------------------------------


def whoosh_positions_value(deltas: list[int]) -> bytes:
    """The value Whoosh's ``Positions.encode`` writes for positions with these deltas: the count,
    then the deltas pickled (protocol 2)."""
    return _UINT.pack(len(deltas)) + pickle.dumps(deltas, 2)


def _pickled_item_sizes(deltas: np.ndarray) -> np.ndarray:
    """Bytes pickle takes for each small whole number (BININT1, BININT2, BININT)."""
    return np.where(deltas < 1 << 8, 2, np.where(deltas < 1 << 16, 3, 5))


def whoosh_positions_lengths(counts: np.ndarray, deltas: np.ndarray) -> np.ndarray:
    """The length of the value :func:`whoosh_positions_value` writes for each posting (``counts[i]``
    deltas each, end to end in ``deltas``): count, protocol, empty list memoised, MARK for two or
    more, the items, APPEND(S), STOP. Only for counts up to pickle's batch."""
    item_bytes = np.zeros(len(counts), dtype=np.int64)
    if len(deltas):
        owner = np.repeat(np.arange(len(counts)), counts)
        item_bytes = np.bincount(owner, weights=_pickled_item_sizes(deltas), minlength=len(counts))
    return 4 + 7 + (counts >= 2) + item_bytes.astype(np.int64)


# --- positions in blocks, many postings at once (numpy) ---------------------------------------------


def varint_sizes(numbers: np.ndarray) -> np.ndarray:
    """Bytes of each number's varint (numbers below 2**35)."""
    sizes = np.ones(len(numbers), dtype=np.int64)
    for k in range(1, 5):
        sizes += numbers >= 1 << (7 * k)
    return sizes


def encode_varint_positions(counts: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, bytes]:
    """Each posting's positions (``counts[i]`` of them, ascending, end to end in ``positions``) as
    varints of their deltas: (bytes per posting, the values end to end)."""
    counts = np.asarray(counts, dtype=np.int64)
    deltas = np.asarray(positions, dtype=np.int64).copy()
    firsts = np.cumsum(counts) - counts
    deltas[1:] -= deltas[:-1].copy()
    present = firsts[counts > 0]
    deltas[present] = np.asarray(positions, dtype=np.int64)[present]  # each posting's first from 0
    sizes = varint_sizes(deltas)
    out = np.zeros(int(sizes.sum()), dtype=np.uint8)
    at = np.cumsum(sizes) - sizes
    for k in range(5):
        has = sizes > k
        if not has.any():
            break
        more = (sizes[has] > k + 1).astype(np.int64) << 7
        out[at[has] + k] = ((deltas[has] >> (7 * k)) & 0x7F) | more
    owner = np.repeat(np.arange(len(counts)), counts)
    lengths = np.bincount(owner, weights=sizes, minlength=len(counts)).astype(np.int64)
    return lengths, out.tobytes()


def decode_varint_positions(data, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the postings whose values are ``data[starts[i]:ends[i]]`` (varint deltas, as
    :func:`encode_varint_positions` writes them): (count per posting, positions end to end)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    last_byte = raw < 0x80
    # numbers ending before each byte: a value's numbers are those ending in its bytes
    ended = np.concatenate(([0], np.cumsum(last_byte, dtype=np.int64)))
    counts = ended[ends] - ended[starts]
    if last_byte.all():  # most numbers fit in one byte: each byte is one
        numbers = raw.astype(np.int64)
    else:
        begins = np.flatnonzero(np.concatenate(([True], last_byte[:-1])))[: int(ended[-1])]
        owner = ended[:-1]  # the number each byte belongs to
        shifts = 7 * (np.arange(len(raw)) - begins[np.minimum(owner, len(begins) - 1)])
        parts = (raw & 0x7F).astype(np.int64) << shifts
        numbers = np.add.reduceat(parts, begins) if len(begins) else np.zeros(0, dtype=np.int64)
    total = int(counts.sum())
    firsts = np.cumsum(counts) - counts
    picked = np.repeat(ended[starts] - firsts, counts) + np.arange(total)
    positions = np.cumsum(numbers[picked])
    if total:
        before = np.where(firsts > 0, positions[np.maximum(firsts - 1, 0)], 0)
        positions -= np.repeat(before, counts)
    return counts, positions


def whoosh_values_of_varint_positions(lengths: np.ndarray, data) -> list[bytes]:
    """Values as Whoosh's ``Positions`` format writes them, from varint positions (a value's bytes
    per posting in ``lengths``): for Whoosh's own matchers and merges."""
    ends = np.cumsum(lengths, dtype=np.int64)
    counts, positions = decode_varint_positions(data, ends - lengths, ends)
    values = []
    at = 0
    listed = positions.tolist()
    for count in counts.tolist():
        own = listed[at : at + count]
        values.append(whoosh_positions_value([b - a for a, b in zip([0, *own], own)]))
        at += count
    return values


# --- an inlined term's postings ------------------------------------------------------------------------


def _positions_varints(value: bytes) -> bytes | None:
    """A Positions value as varint deltas, or None if it is not exactly what Whoosh writes."""
    if len(value) < 6 or value[4:6] != b"\x80\x02":
        return None
    try:
        deltas = pickle.loads(value[4:])
    except Exception:  # noqa: BLE001 (any malformed pickle: kept raw)
        return None
    if not isinstance(deltas, list) or any(type(d) is not int or d < 0 for d in deltas):
        return None
    if whoosh_positions_value(deltas) != value:
        return None
    out = bytearray()
    for delta in deltas:
        _put_varint(out, delta)
    return bytes(out)


def _whole(weight: float, below: int) -> bool:
    """Whether a weight is a whole number from 0 to ``below`` (never for infinities or NaN)."""
    return float(weight).is_integer() and 0 <= weight < below


def values_kind(weights, values) -> int:
    """How an inlined term's values are best kept (one of the ``VALUES_*`` kinds)."""
    if all(not value for value in values):
        return VALUES_EMPTY
    if all(
        _whole(weight, 1 << 32) and value == _UINT.pack(int(weight)) for weight, value in zip(weights, values)
    ):
        return VALUES_FREQUENCIES
    if all(_positions_varints(value) is not None for value in values):
        return VALUES_POSITIONS
    return VALUES_RAW


def encode_inlined(ids, weights, kind: int, values) -> tuple[int, bytes]:
    """(flags, bytes) of an inlined term's postings: document number deltas after the first (the
    term info holds the first), the weights, then the values of ``kind`` (for VALUES_POSITIONS,
    already as varint deltas; for VALUES_EMPTY and VALUES_FREQUENCIES, not written)."""
    out = bytearray()
    previous = ids[0]
    for number in ids[1:]:
        _put_varint(out, number - previous)
        previous = number
    flags = kind
    if all(_whole(weight, 1 << 35) for weight in weights):
        flags |= _WHOLE_WEIGHTS
        for weight in weights:
            _put_varint(out, int(weight))
    else:
        out += struct.pack(f"<{len(weights)}d", *weights)
    if kind in (VALUES_POSITIONS, VALUES_RAW):
        for value in values:
            _put_varint(out, len(value))
            out += value
    return flags, bytes(out)


def encode_inlined_values(ids, weights, values) -> tuple[int, bytes]:
    """:func:`encode_inlined` of postings whose values are as Whoosh's formats give them."""
    kind = values_kind(weights, values)
    if kind == VALUES_POSITIONS:
        values = [_positions_varints(value) for value in values]
    return encode_inlined(ids, weights, kind, values)


def decode_inlined(flags: int, first_id: int, count: int, data) -> tuple[tuple, tuple, tuple]:
    """(ids, weights, values) of an inlined term, values as Whoosh's formats write them."""
    ids = [first_id]
    at = 0
    for _ in range(count - 1):
        delta, at = _get_varint(data, at)
        ids.append(ids[-1] + delta)
    if flags & _WHOLE_WEIGHTS:
        weights = []
        for _ in range(count):
            weight, at = _get_varint(data, at)
            weights.append(float(weight))
    else:
        weights = list(struct.unpack_from(f"<{count}d", data, at))
        at += 8 * count
    kind = flags & 3
    values: list[bytes]
    if kind == VALUES_EMPTY:
        values = [b""] * count
    elif kind == VALUES_FREQUENCIES:
        values = [_UINT.pack(int(weight)) for weight in weights]
    else:
        values = []
        for _ in range(count):
            length, at = _get_varint(data, at)
            value = bytes(data[at : at + length])
            at += length
            if kind == VALUES_POSITIONS:
                value = whoosh_positions_value(_varints_of(value))
            values.append(value)
    return tuple(ids), tuple(weights), tuple(values)
