"""Counting the 1-4-grams of syllables of many texts: integer codes counted with numpy.

The lexicon (:mod:`searcher.lexicon.lexicon`) wants, for a whole corpus, how often each run of 1-4 syllables
occurs. Counting them as strings in Python dicts cost more than analysing the text for the index
(each n-gram a new string, hashed and looked up in a dict of millions). Here each distinct syllable
as written gets a number once; a document adds its numbers to a buffer (0 between runs), and every
``window`` syllables the buffer's n-grams are packed into 64-bit integers, counted with a sort, and
added to sorted arrays of counts. Strings are made again only for the n-grams that are kept, once.

What is counted, for a run of letter-only words (never across punctuation or a line end):

- 1- and 2-grams as written (``UBND tỉnh``): the lexicon keeps their most frequent capitalisation;
- 3- and 4-grams lowercase with canonical tone placement; in a *lossy* window those seen once in it
  are dropped (autocomplete offers frequent phrases only, and this bounds memory on big corpora).

A number standing alone (``tháng 5 năm 2019``, not ``U23`` or ``a330``) is one word of the run,
:data:`NUMBER`, so the words next to numbers are counted there (``tháng #``, ``# năm``, ``quận #``,
``# ha``): that context is what tells ``thang 5`` from ``thắng 5`` when a query is read. It is
counted alone and in 2-grams only, and not in the number of syllables a text has.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import cast

import numpy as np

from ..text.normalize import canonical_tone

WINDOW = 1_500_000  # syllables counted at once (about 3,000 news articles)
LONG_MIN_COUNT = 2  # in a lossy window, 3-4-grams seen fewer times are dropped

NUMBER = "#"  # the word a number stands as (no letter, so never a syllable of a query or a form)
_NUMBERS = re.compile(r"(?<![^\W_])\d+(?![^\W_])")  # digits alone, not part of a word like U23
# Runs of letter-only words and numbers separated by blanks: an n-gram never spans punctuation or a
# line end.
SEGMENT = re.compile(r"(?:[^\W\d_]+|#)(?:[ \t]+(?:[^\W\d_]+|#))*")
_BREAK = "|"  # joins the runs of a text before splitting it: never part of a run, so never a syllable


def lexicon_word(syllable: str) -> str:
    """How the lexicon counts a query's word: a number as :data:`NUMBER`, a word as itself."""
    return NUMBER if syllable.isdecimal() else syllable


def letter_runs(text: str) -> list[str]:
    """The runs of letter-only words of ``text`` (see :data:`SEGMENT`), each number in them written
    :data:`NUMBER`, cut again at the rare word that ``\\w`` takes but is no letters (``²`` of ``m²``,
    ``½``: numbers, not digits): counted as a syllable, ``2`` would have been read back as ``²``."""
    runs = SEGMENT.findall(_NUMBERS.sub(NUMBER, text.replace(NUMBER, _BREAK)))  # a "#" of the text breaks
    if "".join(runs).replace(" ", "").replace("\t", "").replace(NUMBER, "a").isalpha():  # nearly always
        return runs
    return [
        " ".join(words)
        for run in runs
        for kept, words in groupby(run.split(), key=lambda word: word.isalpha() or word == NUMBER)
        if kept
    ]


# Bits per syllable number in a packed key. 2-grams pack the numbers of syllables as written (there
# cannot be 2**32 of them in memory); 3-grams and 4-grams pack lowercase forms, and those whose forms
# are numbered beyond what fits (rare syllables first seen late in a large corpus) are counted apart.
_BITS = {3: 21, 4: 16}


class _SortedCounts:
    """Distinct packed keys in ascending order with their counts; adding merges in linear time."""

    def __init__(self):
        self.keys = np.empty(0, dtype=np.uint64)
        self.counts = np.empty(0, dtype=np.int64)

    def add(self, keys: np.ndarray, counts: np.ndarray) -> None:
        """Add ``counts`` for ``keys`` (ascending, distinct)."""
        if not len(self.keys):
            self.keys, self.counts = keys, counts.astype(np.int64)
            return
        where = np.searchsorted(self.keys, keys)
        found = where < len(self.keys)
        found[found] = self.keys[where[found]] == keys[found]
        self.counts[where[found]] += counts[found]
        new = ~found
        self.keys = np.insert(self.keys, where[new], keys[new])
        self.counts = np.insert(self.counts, where[new], counts[new])


class NgramCounts:
    """The 1-4-gram counts of the texts added to it.

    >>> counts = NgramCounts()
    >>> counts.add("Quốc phòng toàn dân. Quốc phòng")
    6
    >>> sorted(counts.rows())[:3]
    [(1, 'Quốc', 2), (1, 'dân', 1), (1, 'phòng', 2)]

    :param lossy: windows filled while adding drop the 3-4-grams seen once in them (counts that will
        be subtracted must be exact: those are kept whole).
    """

    def __init__(self, lossy: bool = True, window: int = WINDOW):
        self.lossy = lossy
        self.window = window
        self._number = {_BREAK: 0}  # syllable as written -> its number; 0 is the break between runs
        self._written = [_BREAK]  # number -> syllable as written
        self._form_number = {_BREAK: 0}  # lowercase canonical form -> its number
        self._forms = [_BREAK]  # number -> form
        self._form_of = array("I", [0])  # syllable number -> its form's number
        self._buffer = array("I")
        self._singles = np.zeros(1, dtype=np.int64)  # count per syllable number (as written)
        self._pairs = _SortedCounts()  # 2-grams as written
        self._long = {3: _SortedCounts(), 4: _SortedCounts()}  # lowercase forms, packed
        self._wide: dict[int, Counter] = {3: Counter(), 4: Counter()}  # forms numbered beyond the packing

    # --- adding ------------------------------------------------------------------------------------
    def add(self, text: str) -> int:
        """Count the n-grams of ``text``; return its number of syllables."""
        runs = letter_runs(text)
        if not runs:
            return 0
        syllables = f" {_BREAK} ".join(runs).split()
        numbers = list(map(self._number.get, syllables))
        if None in numbers:
            numbers = [self._new(s) if n is None else n for s, n in zip(syllables, numbers)]
        self._buffer.extend(cast("list[int]", numbers))  # every None replaced just above
        self._buffer.append(0)
        if len(self._buffer) >= self.window:
            self.count_window(lossy=self.lossy)
        return len(syllables) - len(runs) + 1 - syllables.count(NUMBER)

    def _new(self, written: str) -> int:
        number = self._number.get(written)  # (a syllable new to this text may occur twice in it)
        if number is None:
            form = canonical_tone(written.lower())
            form_number = self._form_number.get(form)
            if form_number is None:
                form_number = self._form_number[form] = len(self._forms)
                self._forms.append(form)
            number = self._number[written] = len(self._written)
            self._written.append(written)
            self._form_of.append(form_number)
        return number

    def count_window(self, lossy: bool) -> None:
        """Count what the buffer holds (dropping 3-4-grams seen once in it if ``lossy``) and empty it."""
        if not self._buffer:
            return
        numbers = np.frombuffer(self._buffer, dtype=np.uint32).astype(np.uint64)
        self._buffer = array("I")
        singles = np.bincount(numbers.astype(np.int64), minlength=len(self._written))
        singles[0] = 0
        if len(singles) > len(self._singles):
            self._singles = np.concatenate(
                [self._singles, np.zeros(len(singles) - len(self._singles), dtype=np.int64)]
            )
        self._singles[: len(singles)] += singles
        first, second = numbers[:-1], numbers[1:]
        both = (first != 0) & (second != 0)
        self._pairs.add(*np.unique((first[both] << np.uint64(32)) | second[both], return_counts=True))
        forms = np.frombuffer(self._form_of, dtype=np.uint32).astype(np.uint64)[numbers]
        number = self._form_number.get(NUMBER)
        if number is not None:  # a number parts the longer phrases, as a break does
            forms[forms == number] = 0
        for n in (3, 4):
            self._count_long(forms, n, lossy)

    def _count_long(self, forms: np.ndarray, n: int, lossy: bool) -> None:
        length = len(forms) - n + 1
        if length <= 0:
            return
        parts = [forms[i : i + length] for i in range(n)]
        whole = np.logical_and.reduce([part != 0 for part in parts])
        bits = _BITS[n]
        fits = whole & (np.maximum.reduce(parts) < (1 << bits))
        key = np.zeros(int(fits.sum()), dtype=np.uint64)
        for part in parts:
            key = (key << np.uint64(bits)) | part[fits]
        keys, counts = np.unique(key, return_counts=True)
        wide = Counter(zip(*(part[whole & ~fits].tolist() for part in parts)))
        if lossy:
            kept = counts >= LONG_MIN_COUNT
            keys, counts = keys[kept], counts[kept]
            wide = Counter({k: c for k, c in wide.items() if c >= LONG_MIN_COUNT})
        self._long[n].add(keys, counts)
        self._wide[n].update(wide)

    # --- reading -----------------------------------------------------------------------------------
    def long_seen_once(self) -> int:
        """How many 3-4-grams were counted once (counting what is still buffered, keeping all of it)."""
        self.count_window(lossy=False)
        return sum(
            int((self._long[n].counts < 2).sum()) + sum(1 for count in self._wide[n].values() if count < 2)
            for n in (3, 4)
        )

    def distinct(self, n: int) -> int:
        """How many distinct n-grams of ``n`` syllables are counted (what is buffered aside)."""
        if n == 1:
            return int(np.count_nonzero(self._singles))
        if n == 2:
            return len(self._pairs.keys)
        return len(self._long[n].keys) + len(self._wide[n])

    def rows(
        self, with_seen_once: bool = True, lengths: Iterable[int] = (1, 2, 3, 4)
    ) -> Iterator[tuple[int, str, int]]:
        """``(n, n-gram, count)`` for every n-gram counted of the ``lengths``, in order of ``n``:
        1-2-grams as written, 3-4-grams in lowercase canonical form (without those counted once unless
        ``with_seen_once``). Counts what is still buffered (keeping all of it)."""
        self.count_window(lossy=False)
        written, forms = self._written, self._forms
        if 1 in lengths:
            for number in np.flatnonzero(self._singles).tolist():
                yield 1, written[number], int(self._singles[number])
        if 2 in lengths:
            pairs = self._pairs
            high = (pairs.keys >> np.uint64(32)).tolist()
            low = (pairs.keys & np.uint64(0xFFFFFFFF)).tolist()
            for a, b, count in zip(high, low, pairs.counts.tolist()):
                yield 2, f"{written[a]} {written[b]}", count
        for n in (3, 4):
            if n not in lengths:
                continue
            bits = _BITS[n]
            mask = np.uint64((1 << bits) - 1)
            keys, counts = self._long[n].keys, self._long[n].counts
            if not with_seen_once:
                keys, counts = keys[counts >= 2], counts[counts >= 2]
            parts = [((keys >> np.uint64(bits * (n - 1 - i))) & mask).tolist() for i in range(n)]
            for *numbers, count in zip(*parts, counts.tolist()):
                yield n, " ".join([forms[k] for k in numbers]), count
            for numbers, count in self._wide[n].items():
                if with_seen_once or count >= 2:
                    yield n, " ".join([forms[k] for k in numbers]), count
