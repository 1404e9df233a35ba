"""Reading a term's postings and a field's lengths from the index, as numpy arrays.

Both the scorer and the index-time tables (copy groups, facets) read posting lists; this module reads
them once, from the array codec's blocks where it can and through Whoosh's matchers otherwise, and
keeps the decoded long lists of common words for later queries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length, length_to_byte

from .codec import ArrayCodec, read_term_postings, term_postings_among
from .codec.whoosh_private import leaf_blocks, length_column_bytes, posting_file

if TYPE_CHECKING:
    from .view import IndexView

# Field lengths are stored as one byte each; 0 means none (no posting there to score)
LENGTH_OF_BYTE = [max(1, byte_to_length(b)) for b in range(256)]


def length_bytes(reader, fieldname: str) -> bytes | None:
    """The length byte of every document in ``fieldname`` for one segment reader (0: no length), or
    None if this codec keeps them elsewhere. Read in one piece: the column's own iterator unpacks one
    document at a time (0.4 s for 20,000 documents and seven fields)."""
    return length_column_bytes(reader, fieldname)  # (None: another codec, Whoosh's own lookup is used)


def sorted_member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``sorted_set`` (ascending): a binary search each, no sorting."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


TERM_CACHE_SIZE = 10_000  # per searcher's view, i.e. per server thread: a few MB each


def term_infos(view: IndexView, fieldname: str, text: bytes | str, remember: bool = True) -> list:
    """``[(segment reader, offset, term info), ...]`` of a term in the segments of ``view``'s
    searcher that have it.

    Looked up once per searcher and kept in its view (the query planner asks for a term's frequency,
    then the scorer for its postings; frequent words recur from query to query): a term table lookup
    costs more than the arithmetic on a short posting list. ``remember=False`` for one-off lookups.
    """
    if isinstance(text, str):
        text = text.encode("utf-8")
    cached = view.terms
    key = (fieldname, text)
    found = cached.get(key)
    if found is None:
        found = []
        for reader, offset in view.searcher.reader().leaf_readers():
            try:
                found.append((reader, offset, reader.term_info(fieldname, text)))
            except (TermNotFound, KeyError):
                continue
        if remember:
            if len(cached) >= TERM_CACHE_SIZE:
                cached.clear()  # rarely reached; a simple bound keeps a long-lived server's memory flat
            cached[key] = found
    return found


def term_postings(view: IndexView, fieldname: str, text: str) -> np.ndarray:
    """The numbers of the documents holding a term (deleted ones included), read as arrays."""
    data = text.encode("utf-8")
    found = term_infos(view, fieldname, data, remember=False)
    if not found:
        return np.zeros(0, dtype=np.int64)
    decoded = view.decoded
    return np.concatenate(
        [
            segment_postings(reader, fieldname, data, info, decoded)[0] + offset
            for reader, offset, info in found
        ]
    )


def doc_frequency(view: IndexView, fieldname: str, text: str) -> int:
    """In how many documents of ``view``'s searcher the term occurs (deleted ones included, as Whoosh
    counts)."""
    return sum(info.doc_frequency() for _, _, info in term_infos(view, fieldname, text))


class DecodedPostings:
    """Decoded long posting lists, shared by every searcher of an engine, least recently used out.

    A segment's postings never change (deletions are applied separately, see ``live``), so a list
    decoded once serves every later query and thread until its segment is merged away. Common words
    recur from query to query, and their lists are the costly ones (tens of thousands of postings
    unpickled block by block). The engine makes one (``$SEARCH_POSTINGS_CACHE_MB`` sets the size when
    it starts, 0: off) and passes it down with each view.
    """

    MIN_POSTINGS = 128  # shorter lists are cheap to decode (the shortest live in the term table)

    def __init__(self, megabytes: float):
        self.limit = int(megabytes * 2**20)
        self.size = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key, ids: np.ndarray, weights: np.ndarray) -> None:
        entry = (ids.astype(np.int32), weights.astype(np.float32))  # tf are small integers: exact
        cost = entry[0].nbytes + entry[1].nbytes
        if cost > self.limit // 4:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = entry
            self.size += cost
            while self.size > self.limit:
                _, (old_ids, old_weights) = self._items.popitem(last=False)
                self.size -= old_ids.nbytes + old_weights.nbytes


def segment_postings(reader, fieldname: str, text: bytes, info, decoded: DecodedPostings | None = None):
    """(document numbers, weights) of a term in one segment, read block by block (long lists kept in
    ``decoded``, see :class:`DecodedPostings`)."""
    if decoded is not None and decoded.limit and info.doc_frequency() >= decoded.MIN_POSTINGS:
        segment = getattr(reader, "segment", None)
        key = (segment().segment_id(), fieldname, text) if segment else None
        found = decoded.get(key) if key else None
        if found is not None:
            return found[0].astype(np.int64), found[1].astype(np.float64)
        ids, weights = read_segment_postings(reader, fieldname, text, info, False)
        if key:
            decoded.put(key, ids, weights)
        return ids, weights
    return read_segment_postings(reader, fieldname, text, info, False)


def segment_postings_among(
    reader, fieldname: str, text: bytes, info, wanted: np.ndarray, decoded: DecodedPostings | None = None
):
    """(document numbers, weights) of a term in one segment, for those of the documents ``wanted``
    (ascending) that hold it: from the decoded lists when it is there, else reading only the blocks
    that may hold them (codec.term_postings_among)."""
    cached = None
    if decoded is not None and decoded.limit and info.doc_frequency() >= decoded.MIN_POSTINGS:
        segment = getattr(reader, "segment", None)
        cached = decoded.get((segment().segment_id(), fieldname, text)) if segment else None
    if cached is None and not info.is_inlined() and isinstance(reader.codec(), ArrayCodec):
        return term_postings_among(posting_file(reader), info, wanted)
    ids, weights = cached if cached is not None else segment_postings(reader, fieldname, text, info, decoded)
    rows = np.flatnonzero(sorted_member(ids, wanted))
    return ids[rows].astype(np.int64), weights[rows].astype(np.float64)


def read_segment_postings(reader, fieldname: str, text: bytes, info, values: bool):
    if info.is_inlined():  # a short posting list kept in the term table
        ids, weights, encoded = info.inlined_postings()
        ids = np.asarray(ids, dtype=np.int64)
        if weights is None:
            weights = np.ones(len(ids))
        elif isinstance(weights, float):
            weights = np.full(len(ids), weights)
        else:
            weights = np.asarray(weights, dtype=np.float64)
        return (ids, weights, list(encoded)) if values else (ids, weights)
    codec, postfile = reader.codec(), posting_file(reader)
    if isinstance(codec, ArrayCodec):  # blocks as arrays: read whole, values only when asked
        # (no matcher made first: making one reads the first block's header, 2% of a web request)
        ids, weights, lengths, blob = read_term_postings(postfile, info, values)
        if not values:
            return ids, weights
        if lengths is None:
            return ids, weights, [b""] * len(ids)
        return ids, weights, _Values(lengths, blob)
    matcher = codec.postings_reader(postfile, info, reader.schema[fieldname].format)
    blocks = leaf_blocks(matcher, values)  # Whoosh's own blocks (an earlier segment): decoded by Whoosh
    if blocks is not None:
        id_blocks, weight_blocks, value_list = [], [], []
        for deltas, weights, block_values, count in blocks:
            id_blocks.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
            if weights is None:
                weight_blocks.append(np.ones(count))
            elif isinstance(weights, float):
                weight_blocks.append(np.full(count, weights))
            else:
                weight_blocks.append(np.asarray(weights, dtype=np.float64))
            if values:
                value_list.extend(block_values)
        ids, weights = np.concatenate(id_blocks), np.concatenate(weight_blocks)
        return (ids, weights, value_list) if values else (ids, weights)
    ids, weights, value_list = [], [], []  # any other codec: the generic, slower walk
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if values:
            value_list.append(matcher.value())
        matcher.next()
    ids, weights = np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)
    return (ids, weights, value_list) if values else (ids, weights)


class _Values:
    """A posting list's values (encoded positions) end to end, each sliced out only when asked."""

    def __init__(self, lengths: np.ndarray, data: bytes):
        self.ends = np.cumsum(lengths, dtype=np.int64)
        self.data = data

    def __len__(self):
        return len(self.ends)

    def __getitem__(self, i):
        start = int(self.ends[i - 1]) if i else 0
        return self.data[start : int(self.ends[i])]


def segment_length_bytes(reader, fieldname: str, view: IndexView | None = None) -> np.ndarray:
    """Every document's length byte in ``fieldname`` in one segment, kept in ``view`` when given (one
    byte per document and field, where floats would take eight per thread's searcher)."""
    key = (reader, fieldname)
    lengths = view.lengths.get(key) if view is not None else None
    if lengths is None:
        raw = length_bytes(reader, fieldname)
        if raw is None:  # another codec: ask for each document's length and encode it as Whoosh does
            raw = bytes(
                length_to_byte(reader.doc_field_length(d, fieldname, 0) or 0)
                for d in range(reader.doc_count_all())
            )
        lengths = np.frombuffer(raw, dtype=np.uint8)
        if view is not None:
            view.lengths[key] = lengths
    return lengths
