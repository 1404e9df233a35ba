"""A segment's term table as sorted keys in blocks, found by binary search (no Whoosh in here).

Whoosh's term table is a hash file: each row carries 8 bytes of key and value lengths, each key 12
bytes of hash slots (18 with the compact codec's fuller tables) and 4 of an ordered index, and every
key is written whole (a field number and a syllable pair, about 12 bytes). On news articles most
terms are rare syllable pairs whose entry is some 12 bytes, so that was most of the table. Here:

- keys are sorted (as Whoosh's ordered table has them) and written in blocks of
  :data:`BLOCK_TERMS`; each key after a block's first is the length of the prefix it shares with
  the key before, then the rest; each value is its length, then its bytes;
- the start of every block is kept in an array after the blocks, and the first key of every
  :data:`SAMPLE_BLOCKS`-th block in a list read when the table is opened: a look-up bisects that
  list, binary-searches the few blocks between two of its keys by their first key (read in place, a
  block's first key is written whole), then reads through one block.

Layout: :data:`MAGIC`; the blocks; the blocks' starts (little-endian, 4 or 8 bytes each); the
sampled keys (each its length as a varint, then its bytes); the extras (JSON: the field numbers);
then the trailer (:data:`_TRAILER`): where the starts are, how many blocks and terms, the width of a
start, the sampled keys' and the extras' lengths, :data:`MAGIC` again.

Each entry is ``varint shared, varint suffix length, suffix, varint value length, value`` (varints
as in :mod:`.compact`).
"""

from __future__ import annotations

import json
import struct
from bisect import bisect_right
from collections.abc import Iterator
from operator import lt

import numpy as np

from .compact import put_ranges, put_varints, read_varint, varint, varint_sizes

MAGIC = b"STT1"
# Terms per block: a look-up reads half a block on average after the binary search; every block
# costs its start in the array and its first key written whole.
BLOCK_TERMS = 16
# Blocks per sampled first key: the keys held in memory (a few thousand for millions of terms) narrow
# a look-up down to this many blocks
SAMPLE_BLOCKS = 32
# starts at, blocks, terms, bytes per start, sampled keys' length, extras' length, magic
_TRAILER = struct.Struct("<QQQBQI4s")
_START_FORMATS = {4: "<I", 8: "<Q"}


class TermTableError(ValueError):
    """The bytes are not a term table of this format (cut short, altered, or another format)."""


def _shared_prefix(a: bytes, b: bytes) -> int:
    """How many leading bytes ``a`` and ``b`` have in common."""
    limit = min(len(a), len(b))
    n = 0
    while n < limit and a[n] == b[n]:
        n += 1
    return n


class TermTableWriter:
    """Writes a term table to ``file`` (anything with ``write`` and ``tell``): rows added in
    increasing key order with :meth:`add` or :meth:`add_rows`, ``extras`` (JSON values) saved by
    :meth:`close`, which closes the file. Rows are encoded many at a time (numpy): a segment has
    millions of terms, most of them met in one document."""

    PENDING_ROWS = 8192  # rows kept before they are encoded and written

    def __init__(self, file, block_terms: int = BLOCK_TERMS):
        self.file = file
        self.extras: dict = {}
        self.lastkey = b""
        self._block_terms = block_terms
        self._starts: list[int] = []
        self._sampled: list[bytes] = []
        self._terms = 0
        self._in_block = 0  # rows of the last block written
        self._written_key = b""  # the last row written's key
        self._keys: list[bytes] = []  # rows not written yet
        self._values: list[bytes] = []
        file.write(MAGIC)
        self._position = file.tell()

    def add(self, key: bytes, value: bytes) -> None:
        self.add_rows([(key, value)])

    def add_rows(self, rows) -> None:
        """Add ``(key, value)`` rows, keys increasing (and above every key added before)."""
        if not rows:
            return
        keys = [key for key, _ in rows]
        written = self._terms or self._keys
        if (written and keys[0] <= self.lastkey) or not all(map(lt, keys, keys[1:])):
            for before, key in zip([self.lastkey, *keys] if written else keys, keys if written else keys[1:]):
                if key <= before:
                    raise ValueError(f"Keys must increase: {before!r}..{key!r}")
        self._keys += keys
        self._values += [value for _, value in rows]
        self.lastkey = keys[-1]
        if len(self._keys) >= self.PENDING_ROWS:
            self._write_pending()

    def _write_pending(self) -> None:
        keys, values = self._keys, self._values
        count = len(keys)
        if not count:
            return
        opens = (self._in_block + np.arange(count)) % self._block_terms == 0
        key_lengths = np.fromiter(map(len, keys), dtype=np.int64, count=count)
        value_lengths = np.fromiter(map(len, values), dtype=np.int64, count=count)
        shared = _shared_prefixes([self._written_key, *keys])
        shared[opens] = 0
        suffix_lengths = key_lengths - shared
        parts = [  # an entry: its parts' sizes, in order
            varint_sizes(shared),
            varint_sizes(suffix_lengths),
            suffix_lengths,
            varint_sizes(value_lengths),
            value_lengths,
        ]
        sizes = np.sum(parts, axis=0)
        ends = np.cumsum(sizes)
        out = np.zeros(int(ends[-1]), dtype=np.uint8)
        at = ends - sizes
        entry_starts = at
        key_data = np.frombuffer(b"".join(keys), dtype=np.uint8)
        key_starts = np.cumsum(key_lengths) - key_lengths
        put_varints(out, at, shared, parts[0])
        at = at + parts[0]
        put_varints(out, at, suffix_lengths, parts[1])
        at = at + parts[1]
        put_ranges(out, at, key_data, key_starts + shared, suffix_lengths)
        at = at + parts[2]
        put_varints(out, at, value_lengths, parts[3])
        at = at + parts[3]
        put_ranges(
            out,
            at,
            np.frombuffer(b"".join(values), dtype=np.uint8),
            np.cumsum(value_lengths) - value_lengths,
            value_lengths,
        )
        for row in np.flatnonzero(opens).tolist():
            if len(self._starts) % SAMPLE_BLOCKS == 0:
                self._sampled.append(varint(len(keys[row])) + keys[row])
            self._starts.append(self._position + int(entry_starts[row]))
        self.file.write(out.tobytes())
        self._position += len(out)
        self._terms += count
        self._in_block = (self._in_block + count - 1) % self._block_terms + 1
        self._written_key = keys[-1]
        self._keys, self._values = [], []

    def close(self) -> None:
        self._write_pending()
        starts_at = self._position
        width = 4 if starts_at < 1 << 32 else 8
        starts = struct.pack(f"<{len(self._starts)}{'I' if width == 4 else 'Q'}", *self._starts)
        sampled = b"".join(self._sampled)
        extras = json.dumps(self.extras, sort_keys=True).encode("utf-8")
        self.file.write(starts)
        self.file.write(sampled)
        self.file.write(extras)
        trailer = (starts_at, len(self._starts), self._terms, width, len(sampled), len(extras), MAGIC)
        self.file.write(_TRAILER.pack(*trailer))
        self.file.close()


_PREFIX_WINDOW = 48  # bytes compared at once; a longer shared prefix is counted on in Python


def _shared_prefixes(keys: list[bytes]) -> np.ndarray:
    """How many leading bytes each key after the first shares with the key before it."""
    count = len(keys)
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=count)
    kept = np.minimum(lengths, _PREFIX_WINDOW)
    window = np.zeros((count, _PREFIX_WINDOW + 1), dtype=np.uint8)
    data = np.frombuffer(b"".join(keys), dtype=np.uint8)
    rows = np.repeat(np.arange(count), kept)
    columns = np.arange(int(kept.sum())) - np.repeat(np.cumsum(kept) - kept, kept)
    window[rows, columns] = data[np.repeat(np.cumsum(lengths) - lengths, kept) + columns]
    comparable = np.minimum(lengths[1:], lengths[:-1])
    same = (window[1:] == window[:-1]) & (
        np.arange(_PREFIX_WINDOW + 1) < np.minimum(comparable, _PREFIX_WINDOW)[:, None]
    )
    shared = (~same).argmax(axis=1)
    for row in np.flatnonzero((shared == _PREFIX_WINDOW) & (comparable > _PREFIX_WINDOW)).tolist():
        shared[row] = _shared_prefix(keys[row], keys[row + 1])
    return shared


class TermTable:
    """Reads a term table from ``data`` (the whole file: bytes, or a memoryview of a mapped file).

    :raise TermTableError: the bytes are not a whole term table.
    """

    def __init__(self, data):
        self._data = data
        size = len(data)
        if size < len(MAGIC) + _TRAILER.size or bytes(data[: len(MAGIC)]) != MAGIC:
            raise TermTableError("not a term table")
        trailer = _TRAILER.unpack_from(data, size - _TRAILER.size)
        starts_at, blocks, terms, width, sampled_length, extras_length, magic = trailer
        extras_at = size - _TRAILER.size - extras_length
        sampled_at = extras_at - sampled_length
        if magic != MAGIC or width not in _START_FORMATS or starts_at + blocks * width != sampled_at:
            raise TermTableError("the term table's trailer does not describe it")
        try:
            self.extras = json.loads(bytes(data[extras_at : extras_at + extras_length]))
        except ValueError as exc:
            raise TermTableError(f"the term table's extras are unreadable: {exc}") from None
        self._starts_at, self._blocks, self.terms, self._width = starts_at, blocks, terms, width
        self._start_format = struct.Struct(_START_FORMATS[width])
        self._sampled_at, self._extras_at = sampled_at, extras_at
        self._sampled_keys: list[bytes] | None = None  # read at the first look-up

    @property
    def _sampled(self) -> list[bytes]:
        if self._sampled_keys is None:
            keys = _length_prefixed(bytes(self._data[self._sampled_at : self._extras_at]))
            if len(keys) != (self._blocks + SAMPLE_BLOCKS - 1) // SAMPLE_BLOCKS:
                raise TermTableError("the term table's sampled keys do not match its blocks")
            self._sampled_keys = keys
        return self._sampled_keys

    def __len__(self) -> int:
        return self.terms

    def _start(self, block: int) -> int:
        """Where block ``block`` starts (the array of starts for the block past the last)."""
        if block >= self._blocks:
            return self._starts_at
        return self._start_format.unpack_from(self._data, self._starts_at + block * self._width)[0]

    def _block_of(self, key: bytes) -> int:
        """The last block whose first key is not above ``key`` (-1: ``key`` comes before every key)."""
        sample = bisect_right(self._sampled, key)  # the blocks from sample - 1 on start at or below key
        if not sample:
            return -1
        low = (sample - 1) * SAMPLE_BLOCKS + 1
        high = min(sample * SAMPLE_BLOCKS, self._blocks)
        data, starts_at, width, start_of = (
            self._data,
            self._starts_at,
            self._width,
            self._start_format.unpack_from,
        )
        while low < high:  # (each block's first key read in place: most of a look-up's time is here)
            middle = (low + high) // 2
            at = start_of(data, starts_at + middle * width)[0] + 1
            length = data[at]
            at += 1
            if length >= 0x80:
                length, at = read_varint(data, at - 1)
            if bytes(data[at : at + length]) <= key:
                low = middle + 1
            else:
                high = middle
        return low - 1

    def _entries(self, block: int) -> Iterator[tuple[bytes, int, int]]:
        """(key, value start, value end) of the entries from block ``block`` to the table's end."""
        data = self._data
        at, end = self._start(block), self._starts_at
        previous = b""
        while at < end:  # (a block's first key shares nothing with the key before it)
            shared = data[at]
            at += 1
            if shared >= 0x80:
                shared, at = read_varint(data, at - 1)
            length = data[at]
            at += 1
            if length >= 0x80:
                length, at = read_varint(data, at - 1)
            key = previous[:shared] + bytes(data[at : at + length])
            at += length
            length = data[at]
            at += 1
            if length >= 0x80:
                length, at = read_varint(data, at - 1)
            if at + length > end:
                raise TermTableError("a term table entry runs past the blocks")
            yield key, at, at + length
            at += length
            previous = key

    def get(self, key: bytes) -> bytes | None:
        """The value of ``key``, or None."""
        block = self._block_of(key)
        if block < 0:
            return None
        data = self._data
        at, end = self._start(block), self._start(block + 1)
        # How many leading bytes the entry before had in common with ``key`` (it was below ``key``): an
        # entry sharing less with it than that is above ``key``, one sharing more is below it too; only
        # an entry sharing exactly that much is compared, from there on (no key is put together).
        matched = 0
        while at < end:
            shared = data[at]
            at += 1
            if shared >= 0x80:
                shared, at = read_varint(data, at - 1)
            length = data[at]
            at += 1
            if length >= 0x80:
                length, at = read_varint(data, at - 1)
            if shared < matched:
                return None
            suffix_at = at
            at += length
            value_length = data[at]
            at += 1
            if value_length >= 0x80:
                value_length, at = read_varint(data, at - 1)
            if shared == matched:
                suffix = bytes(data[suffix_at : suffix_at + length])
                rest = key[matched:]
                if suffix == rest:
                    return bytes(data[at : at + value_length])
                if suffix > rest:
                    return None
                if suffix[:1] == rest[:1]:
                    matched += _shared_prefix(suffix, rest)
            at += value_length
        return None

    def __getitem__(self, key: bytes) -> bytes:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: bytes) -> bool:
        return self.get(key) is not None

    def items_from(self, key: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        """(key, value) of every key from ``key`` on, in order."""
        data = self._data
        block = max(self._block_of(key), 0)
        for current, start, end in self._entries(block) if self._blocks else ():
            if current >= key:
                yield current, bytes(data[start:end])

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        return self.items_from(b"")

    def keys_from(self, key: bytes = b"") -> Iterator[bytes]:
        block = max(self._block_of(key), 0)
        for current, _, _ in self._entries(block) if self._blocks else ():
            if current >= key:
                yield current

    def keys(self) -> Iterator[bytes]:
        return self.keys_from(b"")


def _length_prefixed(data: bytes) -> list[bytes]:
    """The byte strings of ``data``, each written as its length (a varint), then its bytes."""
    found, at = [], 0
    while at < len(data):
        length, at = read_varint(data, at)
        found.append(data[at : at + length])
        at += length
    if at != len(data):
        raise TermTableError("the term table's sampled keys run past their end")
    return found
