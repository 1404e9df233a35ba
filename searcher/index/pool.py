"""Postings gathered in memory, grouped by term, for a segment writer: no external sort.

Whoosh's writer keeps every posting as a tuple in a pool that, past ``limitmb``, pickles sorted runs
to disk and merges them back with a heap: a third of an indexing run's time on news articles (each
posting pickled, unpickled and compared). Postings arrive in document order, so each term's postings
are already in order; only the terms need sorting. Here each field's postings are flat arrays (term
number, document number, weight, value length, and the values end to end, about 16 bytes per posting
plus its positions), and a segment is written term by term from one stable sort of those arrays
(:meth:`searcher.index.codec.whoosh_private.FieldWriter.add_term_groups`).
"""

from __future__ import annotations

from array import array

import numpy as np
from whoosh.multiproc import MpWriter
from whoosh.writing import SegmentWriter

from .codec.whoosh_private import PreviousKept, TermGroupsFlush, document_added, field_boost, start_document


class _FieldPostings:
    __slots__ = ("terms", "texts", "term_numbers", "docnums", "weights", "value_lengths", "values")

    def __init__(self):
        self.terms: dict[bytes, int] = {}  # term bytes -> term number, in order of first sight
        self.texts: list[bytes] = []
        self.term_numbers = array("I")
        self.docnums = array("I")
        self.weights = array("f")
        self.value_lengths = array("I")
        self.values = bytearray()


_ALONE = 0xFFFFFFFF  # the second number of a "pair" that is a single syllable (a one-syllable text)


class _PairPostings:
    """A bigram field's postings: each term a pair of syllable numbers packed in 64 bits, so that
    no dict of its millions of distinct bigrams is looked up per posting (a look-up in a dict that
    size misses the CPU's caches); the strings are made once, when the segment is written."""

    __slots__ = ("numbers", "syllables", "keys", "docnums", "frequencies", "weights")

    def __init__(self):
        self.numbers: dict[str, int] = {}  # syllable -> its number, in order of first sight
        self.syllables: list[str] = []
        self.keys = array("Q")
        self.docnums = array("I")
        self.frequencies = array("I")
        self.weights = array("f")

    def number(self, syllable: str) -> int:
        number = self.numbers.get(syllable)  # (a syllable new to this text may occur twice in it)
        if number is None:
            number = self.numbers[syllable] = len(self.syllables)
            self.syllables.append(syllable)
        return number

    def add(self, text: bytes, docnum: int, weight: float, value: bytes) -> None:
        """One posting given as Whoosh gives it (a segment being merged in): the term as a string."""
        first, _, second = text.decode().partition(" ")
        self.keys.append((self.number(first) << 32) | (self.number(second) if second else _ALONE))
        self.docnums.append(docnum)
        self.frequencies.append(int.from_bytes(value, "big"))
        self.weights.append(weight)


class SortedField:
    """One field's postings sorted by term, then document: ``texts[i]`` has ``counts[i]`` postings,
    read in ranges with :meth:`postings`."""

    def __init__(
        self,
        texts: list[bytes],
        term_numbers: np.ndarray,
        docnums: np.ndarray,
        weights: np.ndarray,
        value_lengths: np.ndarray | None = None,
        values: np.ndarray | None = None,
    ):
        by_text = sorted(range(len(texts)), key=texts.__getitem__)
        self.texts = [texts[t] for t in by_text]
        rank = np.empty(len(texts), dtype=np.int64)
        rank[by_text] = np.arange(len(texts))
        keys = rank[term_numbers]
        # stable: a term's postings stay in the order they came, which is document order
        self._order = np.argsort(keys, kind="stable")
        self.counts = np.bincount(keys, minlength=len(texts))
        self._docnums = docnums
        self._weights = weights
        self._lengths = self._starts = self._values = None
        if values is not None and len(values):
            assert value_lengths is not None, "values come with their lengths"
            self._lengths = value_lengths.astype(np.int64)
            self._starts = np.cumsum(self._lengths) - self._lengths
            self._values = values

    @classmethod
    def of_terms(cls, field: _FieldPostings) -> SortedField:
        return cls(
            field.texts,
            np.frombuffer(field.term_numbers, dtype=np.uint32),
            np.frombuffer(field.docnums, dtype=np.uint32),
            np.frombuffer(field.weights, dtype=np.float32),
            np.frombuffer(field.value_lengths, dtype=np.uint32),
            np.frombuffer(field.values, dtype=np.uint8),
        )

    @classmethod
    def of_pairs(cls, field: _PairPostings) -> SortedField:
        pairs, term_numbers = np.unique(np.frombuffer(field.keys, dtype=np.uint64), return_inverse=True)
        syllables = [syllable.encode() for syllable in field.syllables]
        firsts = (pairs >> np.uint64(32)).tolist()
        seconds = (pairs & np.uint64(_ALONE)).tolist()
        texts = [
            syllables[a] if b == _ALONE else b" ".join((syllables[a], syllables[b]))
            for a, b in zip(firsts, seconds)
        ]
        frequencies = np.frombuffer(field.frequencies, dtype=np.uint32)
        # the value Whoosh's Frequency format stores: the frequency as a 4-byte big-endian integer
        return cls(
            texts,
            term_numbers.reshape(-1),
            np.frombuffer(field.docnums, dtype=np.uint32),
            np.frombuffer(field.weights, dtype=np.float32),
            np.full(len(frequencies), 4, dtype=np.uint32),
            frequencies.astype(">u4").view(np.uint8),
        )

    def postings(self, start: int, end: int):
        """Sorted postings ``start`` to ``end``: (document numbers, weights, value lengths or None,
        the values end to end as bytes)."""
        picked = self._order[start:end]
        ids = self._docnums[picked].astype(np.int64)
        weights = self._weights[picked]
        if self._lengths is None:
            return ids, weights, None, b""
        assert self._starts is not None and self._values is not None  # set with the lengths
        lengths = self._lengths[picked]
        total = int(lengths.sum())
        # every byte's place in the values as they came: its posting's start, plus its offset in it
        new_starts = np.cumsum(lengths) - lengths
        where = np.repeat(self._starts[picked] - new_starts, lengths) + np.arange(total)
        return ids, weights, lengths, self._values[where].tobytes()


class TermPool:
    """The postings of a segment being written (the interface Whoosh's writers use of their pool)."""

    def __init__(self):
        self.fieldnames: set[str] = set()  # read by Whoosh's multiprocess writer
        self._fields: dict[str, _FieldPostings | _PairPostings] = {}

    def _field(self, fieldname: str, kind=_FieldPostings):
        field = self._fields.get(fieldname)
        if field is None:
            field = self._fields[fieldname] = kind()
            self.fieldnames.add(fieldname)
        return field

    def add(self, item) -> None:
        fieldname, text, docnum, weight, value = item
        field = self._field(fieldname)
        if isinstance(field, _PairPostings):
            field.add(text, docnum, weight, value)
            return
        number = field.terms.get(text)
        if number is None:
            number = field.terms[text] = len(field.texts)
            field.texts.append(text)
        field.term_numbers.append(number)
        field.docnums.append(docnum)
        field.weights.append(weight)
        if value:
            field.value_lengths.append(len(value))
            field.values += value
        else:
            field.value_lengths.append(0)

    def add_terms(self, fieldname: str, docnum: int, texts, weights, values, boost: float = 1.0) -> None:
        """Add one document's postings in a field at once: its distinct terms (bytes), their weights
        and values, as ``FieldType.index`` gives them column by column; weights are multiplied by
        ``boost``."""
        if not texts:
            return
        field = self._field(fieldname)
        if isinstance(field, _PairPostings):
            for text, weight, value in zip(texts, weights, values):
                field.add(text, docnum, weight * boost, value)
            return
        terms = field.terms
        numbers = list(map(terms.get, texts))
        if None in numbers:  # new terms numbered in the order they come (a document's are distinct)
            new = [text for text, number in zip(texts, numbers) if number is None]
            terms.update(zip(new, range(len(field.texts), len(field.texts) + len(new))))
            field.texts.extend(new)
            numbers = list(map(terms.get, texts))
        field.term_numbers.extend(numbers)
        field.docnums.extend(array("I", (docnum,)) * len(texts))
        field.weights.extend(weights if boost == 1.0 else [w * boost for w in weights])
        field.value_lengths.extend(map(len, values))
        field.values += b"".join(values)

    def takes_pairs(self, fieldname: str) -> bool:
        """Whether :meth:`add_pairs` may be used for the field (its postings did not come as strings
        first, as those of a segment merged in do)."""
        return not isinstance(self._fields.get(fieldname), _FieldPostings)

    def add_pairs(
        self, fieldname: str, docnum: int, syllables: list[str], field_boost: float, boost: float = 1.0
    ) -> int:
        """Add one document's postings in a bigram field from the syllables whose adjacent pairs are
        its terms (one syllable alone is a term); weights as :meth:`add_terms` gives them (frequency
        times the format's ``field_boost``, times ``boost``). Returns the number of terms (the
        field's length in the document)."""
        if not syllables:
            return 0
        field = self._field(fieldname, _PairPostings)
        numbers = list(map(field.numbers.get, syllables))
        if None in numbers:
            numbers = [field.number(s) if n is None else n for s, n in zip(syllables, numbers)]
        column = np.array(numbers, dtype=np.uint64)
        if len(column) == 1:
            keys = (column << np.uint64(32)) | np.uint64(_ALONE)
        else:
            keys = (column[:-1] << np.uint64(32)) | column[1:]
        pairs, frequencies = np.unique(keys, return_counts=True)
        field.keys.frombytes(pairs.tobytes())
        field.docnums.extend(array("I", (docnum,)) * len(pairs))
        field.frequencies.frombytes(frequencies.astype(np.uint32).tobytes())
        weights = frequencies * field_boost
        if boost != 1.0:
            weights = weights * boost
        field.weights.frombytes(weights.astype(np.float32).tobytes())
        return len(keys)

    def sorted_fields(self):
        """``(field name, SortedField)`` in field name order; each field's memory is released once
        the next is asked for."""
        for fieldname in sorted(self._fields):
            field = self._fields.pop(fieldname)
            yield (
                fieldname,
                (
                    SortedField.of_pairs(field)
                    if isinstance(field, _PairPostings)
                    else SortedField.of_terms(field)
                ),
            )

    def iter_postings(self):
        """Every posting as Whoosh's pool gives it: ``(field, term, docnum, weight, value)``, sorted."""
        for fieldname, field in self.sorted_fields():
            start = 0
            for text, count in zip(field.texts, field.counts.tolist()):
                ids, weights, lengths, values = field.postings(start, start + count)
                ends = np.cumsum(lengths).tolist() if lengths is not None else None
                for i in range(count):
                    value = values[(ends[i - 1] if i else 0) : ends[i]] if ends else b""
                    yield fieldname, text, int(ids[i]), float(weights[i]), value
                start += count

    def cleanup(self) -> None:
        self._fields.clear()


class _TermPoolWriting(PreviousKept, TermGroupsFlush):
    """A Whoosh segment writer whose pool is a :class:`TermPool`, written term by term; its commit
    keeps the previous version's files until the side tables are committed (see PreviousKept)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool = TermPool()


class GroupingSegmentWriter(_TermPoolWriting, SegmentWriter):
    """Whoosh's segment writer with postings grouped in memory (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        try:
            super().__init__(*args, **kwargs)
        except BaseException:
            # a full disk as the segment's files are created: Whoosh keeps the index's write lock
            # taken, and a later run in this process (--watch) could never write again
            if getattr(self, "writelock", None) is not None:
                self.writelock.release()
            raise
        # fields with term vectors or a separate spelling field go through Whoosh's own add_document
        self._plain_schema = not any(
            field.vector or field.separate_spelling() for _, field in self.schema.items()
        )

    def cancel(self):
        try:
            super().cancel()
        except Exception:
            # closing the segment's files fails again on a full disk: the write lock is let go all
            # the same (a later run in this process could never write otherwise), and the error that
            # stopped the run is the one told
            closed: bool = getattr(self, "is_closed", False)
            if not closed and self.writelock is not None:
                self.writelock.release()
            self.is_closed = True

    def add_document(self, **fields):
        """Whoosh's ``add_document`` for a schema without vectors or spelling fields, handing each
        field's postings to the pool at once instead of one call per posting."""
        if not self._plain_schema:
            return super().add_document(**fields)
        docboost, fieldnames = start_document(self, fields)
        schema, docnum, perdoc = self.schema, self.docnum, self.perdocwriter
        perdoc.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = field_boost(self, fields, fieldname, docboost)
                    pairs = (
                        field.index_pairs(value)
                        if hasattr(field, "index_pairs") and self.pool.takes_pairs(fieldname)
                        else None
                    )
                    if pairs is not None:
                        pair_count = self.pool.add_pairs(
                            fieldname, docnum, pairs, field.format.field_boost, boost
                        )
                        length = pair_count if field.scorable else 0
                    else:
                        texts, freqs, weights, values = _index_columns(field, value)
                        if field.scorable:
                            length = sum(freqs)
                        self.pool.add_terms(fieldname, docnum, texts, weights, values, boost)
                stored = fields.get(f"_stored_{fieldname}", value)
                perdoc.add_field(fieldname, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    perdoc.add_column_value(fieldname, field.column_type, field.to_column_value(stored))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        document_added(self)
        self.docnum += 1


def _index_columns(field, value) -> tuple:
    """A field's (term bytes, frequencies, weights, values) for ``value``: straight from fields that
    give columns, else from Whoosh's ``index`` items."""
    columns = field.index_columns(value) if hasattr(field, "index_columns") else None
    if columns is None:
        columns = tuple(zip(*field.index(value))) or ((), (), (), ())
    return columns


class GroupingMpWriter(_TermPoolWriting, MpWriter):
    """Whoosh's multiprocess writer with the same pool (for the segments it merges itself); its
    documents go to the worker processes as Whoosh's ``add_document`` sends them."""
