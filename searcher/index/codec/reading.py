"""Reading a term's posting list of the array layout straight from the posting file, as arrays.

Whoosh's matchers visit a list a block at a time; the array scorer reads a whole list, or only the
blocks that may hold the documents it asks about, and decodes them with numpy
(:mod:`searcher.index.codec.blocks`). Whoosh's block headers (pickled: count, last id, ...) are
read to find the blocks.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
import struct
import threading
import weakref

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

from .blocks import decode_block, frequencies_of, has_values_from_weights, has_varint_positions
from .compact import decode_varint_positions, whoosh_values_of_varint_positions
from .packed import list_blocks
from .positions import decode_positions

_INT = struct.Struct("!i")  # Whoosh's block length (negative for a list's last block)

# segment file object (posting file, term table) -> a view of its file mapped; the map itself is one
# per file in the process, shared by every searcher's file object (each thread has its own searcher: a
# map each counted its pages once per thread in the server's resident memory)
_MAPPED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_FILE_MAPS: dict[tuple[int, int], list] = {}  # (device, inode) -> [map, file objects using it]
_MAPS_LOCK = threading.Lock()


def _bytes_at(postfile, offset: int, length: int) -> memoryview:
    """``length`` bytes of a segment's posting file from ``offset``, from a memory map of the file (a
    common word's list with its positions is hundreds of kB: read, it is copied every time; mapped,
    the page cache is read in place). A file that cannot be mapped is read."""
    view = mapped_file(postfile)
    if view is None or offset + length > len(view):
        return memoryview(postfile.get(offset, length))
    return view[offset : offset + length]


def mapped_file(structfile) -> memoryview | None:
    """The whole of a segment file (a Whoosh ``StructFile`` open for reading) as a view of the process's
    one memory map of it, or None if it cannot be mapped (no file number, empty)."""
    view = _MAPPED.get(structfile, False)
    if view is False:
        view = _map_of(structfile)
        _MAPPED[structfile] = view
    return view


def _map_of(structfile) -> memoryview | None:
    """The process's one map of ``structfile``'s file (a segment's files never change once written),
    released when the last file object using it goes."""
    try:
        fileno = structfile.file.fileno()
        stat = os.fstat(fileno)
    except (AttributeError, OSError, ValueError):  # no file number (in memory, compound)
        return None
    key = (stat.st_dev, stat.st_ino)
    with _MAPS_LOCK:
        shared = _FILE_MAPS.get(key)
        if shared is None:
            try:
                shared = _FILE_MAPS[key] = [memoryview(mmap.mmap(fileno, 0, access=mmap.ACCESS_READ)), 0]
            except (OSError, ValueError):  # empty
                return None
        shared[1] += 1
    weakref.finalize(structfile, _release, key)
    return shared[0]


def _release(key: tuple[int, int]) -> None:
    with _MAPS_LOCK:
        shared = _FILE_MAPS.get(key)
        if shared is not None:
            shared[1] -= 1
            if shared[1] <= 0:
                del _FILE_MAPS[key]  # (the views handed out keep the map until they go too)


def term_blocks(postfile, terminfo):
    """A term's posting list as read from the file: (its bytes, [(data start, data end, count,
    last id), ...] of its blocks), for the readers below."""
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # as Whoosh's term info reads it back from disk
        length = length[0]
    raw = _bytes_at(postfile, offset, length)
    if getattr(terminfo, "packed_blocks", False):  # (PackedCodec: headers of varints)
        return raw, list_blocks(raw)
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
        deltas, weights, lengths, blob = _decoded_block(raw[start:end], count, values)
        weights = weights.astype(np.float64) if weights is not None else np.ones(count)
        ids = np.cumsum(deltas, dtype=np.int64)
        return (ids, weights, None, b"") if lengths is None else (ids, weights, lengths, bytes(blob))
    deltas, weights, lengths, blobs = [], [], [], []
    for start, end, count, _ in blocks:
        block = _decoded_block(raw[start:end], count, values)
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


def _decoded_block(data, count: int, values: bool):
    """:func:`decode_block`, with varint positions given back as Whoosh's ``Positions`` values and
    frequencies not written as Whoosh's ``Frequency`` values (the
    values of a whole list are read for Whoosh's kind of reader; phrases read positions with
    :func:`term_positions_among`)."""
    deltas, weights, lengths, blob = decode_block(data, count, values)
    if values and has_values_from_weights(data):
        lengths, blob = frequencies_of(weights, count)
    elif lengths is not None and has_varint_positions(data):
        whoosh_values = whoosh_values_of_varint_positions(lengths, blob)
        lengths = np.fromiter(map(len, whoosh_values), dtype=np.int64, count=len(whoosh_values))
        blob = b"".join(whoosh_values)
    return deltas, weights, lengths, blob


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
        weights.append(
            block_weights[rows].astype(np.float64) if block_weights is not None else np.ones(len(rows))
        )
    if not found:
        return wanted[:0], np.zeros(0)
    return np.concatenate(found), np.concatenate(weights)


def term_positions_among(postfile, terminfo, wanted: np.ndarray, format_):
    """The positions of a term's postings in those of the documents ``wanted`` (ascending numbers)
    that hold it, in the array layout: (documents, count per document, positions end to end, each
    document's ascending). Only the blocks that may hold one of them are decoded, their positions
    all at once (varint deltas, or Whoosh's pickled lists: :func:`decode_positions`). None if the
    field keeps no values.

    A phrase whose candidates are already known (the documents holding all of its word pairs) reads
    its common words this way: a handful of documents out of lists of tens of thousands.
    """
    raw, blocks = term_blocks(postfile, terminfo)
    runs: list = []  # [varint?, documents, starts, ends, blobs, bytes so far] of blocks kept alike
    for (start, end, count, _), asked in _blocks_holding(blocks, wanted):
        data = raw[start:end]
        deltas, _, lengths, blob = decode_block(data, count, values=True)
        if lengths is None:
            return None
        varint = has_varint_positions(data)
        if not runs or runs[-1][0] != varint:
            runs.append([varint, [], [], [], [], 0])
        run = runs[-1]
        ids = np.cumsum(deltas, dtype=np.int64)
        rows = _rows_of(ids, asked)
        value_ends = np.cumsum(lengths, dtype=np.int64)
        run[1].append(ids[rows])
        run[2].append(run[5] + value_ends[rows] - lengths[rows])
        run[3].append(run[5] + value_ends[rows])
        run[4].append(blob)
        run[5] += len(blob)
    if not runs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    docs, counts, positions = [], [], []
    for varint, run_docs, starts, ends, blobs, _ in runs:
        data, starts, ends = b"".join(blobs), np.concatenate(starts), np.concatenate(ends)
        if varint:
            found = decode_varint_positions(data, starts, ends)
        else:
            found = decode_positions(data, starts, ends, format_)
        docs.extend(run_docs)
        counts.append(found[0])
        positions.append(found[1])
    return np.concatenate(docs), np.concatenate(counts), np.concatenate(positions)


def _ones(count: int) -> np.ndarray:
    return np.ones(count, dtype=np.float32)
