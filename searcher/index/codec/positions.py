"""Positions of many postings decoded at once from Whoosh's ``Positions`` values (pickled lists of
position deltas), with numpy instead of one ``pickle.loads`` per posting."""

from __future__ import annotations

import pickle
from itertools import accumulate, chain

import numpy as np

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
        items = (
            np.repeat(pointer[short] - 2 * firsts[short], counts[short])
            + 2 * np.arange(len(deltas))[np.repeat(short, counts)]
        )
        valid[short] &= np.logical_and.reduceat(
            raw[np.minimum(items, last)] == _BININT1, np.cumsum(counts[short]) - counts[short]
        )
        deltas[np.repeat(short, counts)] = at(items + 1)
        pointer[short] += 2 * counts[short]
    # the others one list item at a time, for all of them together; by decreasing count, those
    # still reading items are a prefix of this order
    order = np.flatnonzero(~short & (counts > 0))
    order = order[np.argsort(-counts[order], kind="stable")]
    remaining = counts[order]
    for item in range(int(remaining[0]) if len(remaining) else 0):
        active = order[: int(np.searchsorted(-remaining, -item, side="left"))]
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
    lists = [
        _unpickled_positions(data[start:end], format_)
        for start, end in zip(starts[others].tolist(), ends[others].tolist())
    ]
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
