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


def varint(number: int) -> bytes:
    """``number`` as a varint."""
    if number < 0x80:
        return bytes((number,))
    out = bytearray()
    _put_varint(out, number)
    return bytes(out)


def read_varint(data, at: int) -> tuple[int, int]:
    """(the varint at ``at``, where the next starts)."""
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
        number, at = read_varint(data, at)
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
    put_varints(out, np.cumsum(sizes) - sizes, deltas, sizes)
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


def encode_inlined_rows(
    starts: np.ndarray,
    counts: np.ndarray,
    ids: np.ndarray,
    weights: np.ndarray,
    lengths: np.ndarray | None,
    kind: int,
    value_lengths: np.ndarray | None,
    values: bytes,
    header: int,
    length_byte,
) -> list[bytes]:
    """The term table entries of many inlined terms at once: for each term (its postings
    ``starts[i]:starts[i] + counts[i]`` of a chunk's ``ids``, ``weights``, field ``lengths`` and
    values), the bytes of ``header | flags``, its count and first document number as varints, the
    bytes of its shortest and longest field length (``length_byte``), then :func:`encode_inlined`'s.
    The same bytes as term by term, built with numpy: most of a segment's terms are inlined."""
    starts = np.asarray(starts, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    terms = len(counts)
    if not terms:
        return []
    first_of_term = np.cumsum(counts) - counts  # in the gathered postings
    picked = np.repeat(starts - first_of_term, counts) + np.arange(int(counts.sum()))
    ids = np.asarray(ids, dtype=np.int64)[picked]
    weights = np.asarray(weights, dtype=np.float64)[picked]
    term_of = np.repeat(np.arange(terms), counts)

    whole_posting = (weights == np.floor(weights)) & (weights >= 0) & (weights < 1 << 35)
    whole = np.minimum.reduceat(whole_posting, first_of_term) if len(weights) else whole_posting
    flags = header | kind | np.where(whole, _WHOLE_WEIGHTS, 0)
    if lengths is None:
        shortest = longest = np.zeros(terms, dtype=np.int64)
    else:
        lengths = np.asarray(lengths, dtype=np.int64)[picked]
        positive = lengths > 0
        shortest = np.minimum.reduceat(np.where(positive, lengths, np.iinfo(np.int64).max), first_of_term)
        longest = np.maximum.reduceat(np.where(positive, lengths, 0), first_of_term)
        none = ~np.logical_or.reduceat(positive, first_of_term)
        shortest = np.where(none, 0, length_byte(np.where(none, 1, shortest)))
        longest = length_byte(longest)

    # the streams of a row, in order: (owning term of each item, bytes of each item, writer)
    later = np.ones(len(ids), dtype=bool)
    later[first_of_term] = False
    deltas = np.diff(ids, prepend=0)[later]
    whole_weights = whole[term_of]
    streams = [
        _fixed_stream(np.arange(terms), flags.astype(np.uint8)[:, None]),
        _varint_stream(np.arange(terms), counts),
        _varint_stream(np.arange(terms), ids[first_of_term]),
        _fixed_stream(np.arange(terms), np.stack([shortest, longest], axis=1).astype(np.uint8)),
        _varint_stream(term_of[later], deltas),
        _varint_stream(term_of[whole_weights], weights[whole_weights].astype(np.int64)),
        _fixed_stream(
            term_of[~whole_weights], weights[~whole_weights].astype("<f8").view(np.uint8).reshape(-1, 8)
        ),
    ]
    if kind in (VALUES_POSITIONS, VALUES_RAW):
        assert value_lengths is not None
        value_lengths = np.asarray(value_lengths, dtype=np.int64)
        value_starts = np.cumsum(value_lengths) - value_lengths
        streams.append(_values_stream(term_of, value_starts[picked], value_lengths[picked], values))

    per_term = [
        np.bincount(owner, weights=sizes, minlength=terms).astype(np.int64) for owner, sizes, _ in streams
    ]
    row_sizes = np.sum(per_term, axis=0)
    row_ends = np.cumsum(row_sizes)
    out = np.zeros(int(row_ends[-1]), dtype=np.uint8)
    at = row_ends - row_sizes  # where each term's part of the next stream goes
    for (owner, sizes, write), size_per_term in zip(streams, per_term):
        if len(owner):
            within = np.cumsum(sizes) - sizes  # this stream's items end to end, then placed per term
            term_first = np.cumsum(size_per_term) - size_per_term
            write(out, at[owner] + within - term_first[owner])
        at = at + size_per_term
    data = out.tobytes()
    bounds = [0, *row_ends.tolist()]
    return [data[bounds[i] : bounds[i + 1]] for i in range(terms)]


def _fixed_stream(owner: np.ndarray, items: np.ndarray):
    """Items of the same number of bytes (the rows of ``items``, uint8)."""
    width = items.shape[1] if items.ndim == 2 else 1

    def write(out: np.ndarray, where: np.ndarray) -> None:
        out[where[:, None] + np.arange(width)] = items

    return owner, np.full(len(owner), width, dtype=np.int64), write


def _varint_stream(owner: np.ndarray, numbers: np.ndarray):
    """Numbers below 2**35 as varints."""
    numbers = np.asarray(numbers, dtype=np.int64)
    sizes = varint_sizes(numbers)
    return owner, sizes, lambda out, where: put_varints(out, where, numbers, sizes)


def _values_stream(owner: np.ndarray, value_starts: np.ndarray, value_lengths: np.ndarray, values: bytes):
    """Each value's length as a varint, then its bytes (cut from ``values``)."""
    length_sizes = varint_sizes(value_lengths)
    source = np.frombuffer(values, dtype=np.uint8)

    def write(out: np.ndarray, where: np.ndarray) -> None:
        put_varints(out, where, value_lengths, length_sizes)
        put_ranges(out, where + length_sizes, source, value_starts, value_lengths)

    return owner, length_sizes + value_lengths, write


def put_varints(out: np.ndarray, where: np.ndarray, numbers: np.ndarray, sizes: np.ndarray) -> None:
    """Write each of ``numbers`` as a varint of ``sizes[i]`` bytes (:func:`varint_sizes`) at
    ``where[i]`` in ``out``."""
    for k in range(int(sizes.max()) if len(sizes) else 0):
        has = sizes > k
        more = (sizes[has] > k + 1).astype(np.int64) << 7
        out[where[has] + k] = ((numbers[has] >> (7 * k)) & 0x7F) | more


def put_ranges(
    out: np.ndarray, where: np.ndarray, source: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> None:
    """Copy ``source[starts[i]:starts[i] + lengths[i]]`` to ``out`` at ``where[i]``, for every i."""
    total = int(lengths.sum())
    if total:
        step = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        out[np.repeat(where, lengths) + step] = source[np.repeat(starts, lengths) + step]


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
        delta, at = read_varint(data, at)
        ids.append(ids[-1] + delta)
    if flags & _WHOLE_WEIGHTS:
        weights = []
        for _ in range(count):
            weight, at = read_varint(data, at)
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
            length, at = read_varint(data, at)
            value = bytes(data[at : at + length])
            at += length
            if kind == VALUES_POSITIONS:
                value = whoosh_positions_value(_varints_of(value))
            values.append(value)
    return tuple(ids), tuple(weights), tuple(values)
