"""A segment's stored fields compressed against a dictionary of its own documents (``PackedCodec``).

Whoosh compresses each document's stored fields on its own (zlib, level 3): a news article of a
few kB shares most of its words, and all of its field names, with the others, but each compressed
document starts from nothing. zlib can start from a preset dictionary instead: here the last
:data:`DICTIONARY_BYTES` of the segment's first documents (pickled as they are stored), kept once
in the column, compressed. A document is still read on its own (the dictionary is read once per
reader); on news articles the stored fields take a quarter less, in about the same time (the
compressor reads the dictionary once and is copied for each document). Blocks of several documents
compressed together take a third less, but reading one means decompressing the others: a page of
hits is read from as many blocks.

A segment of few documents (less than :data:`FIRST_BYTES` of them, pickled) has no dictionary: it
would take more room than it saves; its documents are compressed on their own, as Whoosh does.

Layout of the column: the documents' compressed bytes back to back (none for a document without
stored fields); the offsets of each document's bytes and of their end (4 or 8 bytes each,
little-endian); the dictionary, compressed (nothing when there is none); the trailer
(:data:`_TRAILER`): the number of documents, the width of an offset, the compressed dictionary's
length, :data:`MAGIC`.
"""

from __future__ import annotations

import pickle
import struct
import zlib

from whoosh.columns import Column

MAGIC = b"SZD1"
DICTIONARY_BYTES = 32 * 1024  # zlib's window: a longer dictionary is not looked back into
FIRST_BYTES = (
    256 * 1024
)  # documents read before the dictionary is chosen (and at least this many to have one)
# Whoosh's level: 6 makes news articles 7% smaller still, at two and a half times the time
LEVEL = 3
PICKLE_PROTOCOL = 4
# Raw deflate, without zlib's header and checksum: 6 bytes a document less, and a dictionary is set
# without the checksum of it that zlib's format asks for (a third of a short document's reading)
_RAW = -15
_TRAILER = struct.Struct("<QBI4s")  # documents, bytes per offset, compressed dictionary's length, magic
_OFFSET_FORMATS = {4: "I", 8: "Q"}


class StoredColumnError(ValueError):
    """The column's bytes are not a stored-fields column of this format."""


class DictionaryStoredColumn(Column):
    """Whoosh's column interface over the layout above: each row is a document's stored fields (a
    dict, pickled), or None."""

    def writer(self, dbfile):
        return _Writer(dbfile)

    def reader(self, dbfile, basepos, length, doccount):
        return _Reader(dbfile, basepos, length, doccount)

    def default_value(self, reverse=False):
        return None


class _Writer:
    def __init__(self, file):
        self._file = file
        self._offsets: list[int] = []  # where each document's bytes start
        self._written = 0
        self._waiting: list[bytes] = []  # pickled documents kept until the dictionary is chosen
        self._waiting_bytes = 0
        self._dictionary: bytes | None = None
        self._primed = None  # a compressor that has read the dictionary, copied for each document

    def add(self, docnum: int, value) -> None:
        self._fill(docnum)
        data = b"" if value is None else pickle.dumps(value, PICKLE_PROTOCOL)
        if self._dictionary is None:
            self._waiting.append(data)
            self._waiting_bytes += len(data)
            if self._waiting_bytes >= FIRST_BYTES:
                self._choose_dictionary(b"".join(self._waiting)[-DICTIONARY_BYTES:])
            return
        self._write(data)

    def _fill(self, docnum: int) -> None:
        """Documents before ``docnum`` not added have no stored fields."""
        while len(self._offsets) + len(self._waiting) < docnum:
            if self._dictionary is None:
                self._waiting.append(b"")
            else:
                self._write(b"")

    def _choose_dictionary(self, dictionary: bytes) -> None:
        self._dictionary = dictionary
        # (reading the dictionary is most of a compressor's work on a short document: done once)
        self._primed = zlib.compressobj(LEVEL, zlib.DEFLATED, _RAW, zdict=dictionary) if dictionary else None
        waiting, self._waiting = self._waiting, []
        for data in waiting:
            self._write(data)

    def _write(self, data: bytes) -> None:
        self._offsets.append(self._written)
        if not data:
            return
        if self._primed is not None:
            compressor = self._primed.copy()
            data = compressor.compress(data) + compressor.flush()
        else:
            data = zlib.compress(data, LEVEL, wbits=_RAW)
        self._file.write(data)
        self._written += len(data)

    def finish(self, doccount: int) -> None:
        self._fill(doccount)
        if self._dictionary is None:  # too few documents to be worth one
            self._choose_dictionary(b"")
        assert self._dictionary is not None
        offsets = [*self._offsets, self._written]
        width = 4 if self._written < 1 << 32 else 8
        dictionary = zlib.compress(self._dictionary, 9) if self._dictionary else b""
        self._file.write(struct.pack(f"<{len(offsets)}{_OFFSET_FORMATS[width]}", *offsets))
        self._file.write(dictionary)
        self._file.write(_TRAILER.pack(len(offsets) - 1, width, len(dictionary), MAGIC))


class _Reader:
    def __init__(self, file, basepos: int, length: int, doccount: int):
        self._file, self._basepos, self._doccount = file, basepos, doccount
        if length < _TRAILER.size:
            raise StoredColumnError("the stored fields' column is cut short")
        documents, width, dictionary_length, magic = _TRAILER.unpack(
            bytes(file.get(basepos + length - _TRAILER.size, _TRAILER.size))
        )
        self._offsets_at = length - _TRAILER.size - dictionary_length - (documents + 1) * width
        if magic != MAGIC or width not in _OFFSET_FORMATS or self._offsets_at < 0:
            raise StoredColumnError("the stored fields' column's trailer does not describe it")
        self._documents, self._width = documents, width
        self._offset_pair = struct.Struct(f"<2{_OFFSET_FORMATS[width]}")
        # (held, as Whoosh's own column holds its offsets: a document is then one read)
        self._offsets = bytes(file.get(basepos + self._offsets_at, (documents + 1) * width))
        at = basepos + length - _TRAILER.size - dictionary_length
        compressed = bytes(file.get(at, dictionary_length)) if dictionary_length else b""
        self._dictionary = zlib.decompress(compressed) if compressed else b""

    def __len__(self) -> int:
        return self._doccount

    def __getitem__(self, docnum: int):
        if not 0 <= docnum < self._documents:
            return None
        start, end = self._offset_pair.unpack_from(self._offsets, docnum * self._width)
        if start == end:
            return None
        data = self._file.get(self._basepos + start, end - start)
        if self._dictionary:
            decompressor = zlib.decompressobj(_RAW, zdict=self._dictionary)
            data = decompressor.decompress(data) + decompressor.flush()
        else:
            data = zlib.decompress(data, _RAW)
        return pickle.loads(data)

    def __iter__(self):
        for docnum in range(self._doccount):
            yield self[docnum]

    def load(self):
        return list(self)
