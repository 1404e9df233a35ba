"""Passage evidence: how much of the query one short stretch of a document holds.

Whole-document scores (BM25F over syllables and bigrams) reward a long article that mentions the
query's words here and there as much as one that answers the question in a sentence. The first page
of candidates is therefore re-ranked by each one's best passage: the window of
:data:`PASSAGE_CHARS` characters (about one snippet) holding the largest share of the query's words,
each weighted by its rarity (idf), plus a bonus for the query's word pairs found side by side.

Measured on the legal set (946 questions): with the parameters chosen on one half of the questions,
nDCG@10 on the other half rose by 0.007 and 0.011 (both halves in turn); on all of it 0.911 -> 0.921
with diacritics and 0.910 -> 0.921 without. On the news known-item queries, which played no part in
the choice, MRR@10 0.943 -> 0.953. Re-ranking the first 10, 20 or 30 candidates gave the same
figures within 0.0006, so only the first page (which is read for its snippets anyway) is re-ranked.

Everything is array arithmetic over the folded text's code points: words are the maximal runs of
letters and digits (as the snippets' whole-word matches), identified by a 64-bit polynomial hash, so
a long article with hundreds of matches costs the same few operations as a short one, and all the
candidates are worked out together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..text.fold import folded_codes
from ..text.normalize import iy_variants

PASSAGE_CHARS = 250  # the window: about one snippet, two or three sentences
PAIR_WEIGHT = 0.5  # a query word pair side by side adds this share of its two words' weights
PASSAGE_WEIGHT = 1.0  # a passage holding the whole query adds this times the best candidate's score
RERANKED = 10  # candidates re-ranked: the first page

_BASE = 1_000_003
# BASE**i modulo 2**64 for a letter's place i in its word (places past 63 share the last power:
# only very long runs of letters and digits, never query syllables, could then collide)
_POWERS = np.array([pow(_BASE, i, 2**64) for i in range(64)], dtype=np.uint64)


def idf(doc_count: int, doc_frequency: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


def query_pairs(runs: list[list[str]]) -> set[tuple[str, str]]:
    """The adjacent word pairs of the query's runs of folded syllables."""
    return {(a, b) for run in runs for a, b in zip(run, run[1:])}


class Query:
    """The query's weighted words, pairs and other forms, prepared once for all the candidates."""

    def __init__(
        self,
        weights: dict[str, float],
        pairs: set[tuple[str, str]],
        synonyms: Sequence[tuple[list[str], list[str]]] = (),
    ):
        """:param weights: folded query word -> its weight (idf); the words' weights make the whole.
        :param pairs: adjacent query words (folded) that earn a bonus when found side by side.
        :param synonyms: (query words, the syllables of another form of them): the other form found
            in a text counts as those words (``ubnd`` for ``uy ban nhan dan`` and the reverse)."""
        words = [w for w in weights if w.isalnum()]  # a word with a dash or slash is no single run
        index = {w: n for n, w in enumerate(words)}
        self.weights = np.array([weights[w] for w in words], dtype=np.float64)
        self.total = float(sum(weights.values()))
        # both i/y spellings of a word are that word, as in the index ("ky" for "kỹ" and "kĩ")
        spellings = sorted({(_hash_of(v), index[w]) for w in words for v in iy_variants(w)})
        self.hashes = np.array([h for h, _ in spellings], dtype=np.uint64)  # sorted, for lookups
        self.key_of_hash = np.array([n for _, n in spellings], dtype=np.int64)
        self.pairs = np.zeros((len(words), len(words)), dtype=bool)
        for a, b in pairs:
            if a in index and b in index:
                self.pairs[index[a], index[b]] = True
        # each other form: its syllables' hashes, and the keys of the query words it stands for
        self.synonyms = [
            (
                np.array([_hash_of(s) for s in form], dtype=np.uint64),
                np.array([index[w] for w in stands_for if w in index], dtype=np.int64),
            )
            for stands_for, form in synonyms
            if form and all(s.isalnum() for s in form) and any(w in index for w in stands_for)
        ]


_SEPARATOR = "\n\n\n"  # between texts: three characters, so no pair spans two texts
_APART = 1 << 40  # offsets of text k are moved k * _APART on: no window spans two texts


def passage_shares(texts: list[str], query: Query, chars: int = PASSAGE_CHARS) -> np.ndarray:
    """For each text, the weight of the query words (and side-by-side pairs) in its best window of
    ``chars`` characters, as a share of all the query words' weight (0 to 1.5 with every pair too).

    All the texts are worked out together (a few dozen array operations in all, whatever their
    number and length)."""
    shares = np.zeros(len(texts))
    if not query.total or not len(query.hashes) or not texts:
        return shares
    words = _Words(_SEPARATOR.join(texts), query)
    items = [_word_items(words, query)] + _synonym_items(words, query)
    key, weight, start, end = (np.concatenate(parts) for parts in zip(*items))
    if not len(key):
        return shares
    text_starts = np.cumsum([0] + [len(t) + len(_SEPARATOR) for t in texts[:-1]])
    text = np.searchsorted(text_starts, start, side="right") - 1
    start, end = start + text * _APART, end + text * _APART
    order = np.argsort(start, kind="stable")
    key, weight, start, end, text = key[order], weight[order], start[order], end[order], text[order]
    keys, key = np.unique(key, return_inverse=True)
    key_weight = np.zeros(len(keys))
    key_weight[key] = weight
    count = len(key)
    # the window ending with item i holds items lo[i]..i: those starting at most ``chars`` before its end
    lo = np.minimum(np.searchsorted(start, end - chars, side="left"), np.arange(count))
    # seen[k, j]: occurrences of key k among the first j items; each key counts once per window
    seen = np.zeros((len(keys), count + 1), dtype=np.int32)
    seen[key, np.arange(1, count + 1)] = 1
    np.cumsum(seen, axis=1, out=seen)
    window = key_weight @ ((seen[:, 1:] - seen[:, lo]) > 0)
    np.maximum.at(shares, text, window / query.total)
    return shares


class _Words:
    """The words of a text (runs of letters and digits): where they are, and which query word each is."""

    def __init__(self, text: str, query: Query):
        self.starts, self.ends, self.hashes = _words(folded_codes(text))
        where = np.minimum(np.searchsorted(query.hashes, self.hashes), len(query.hashes) - 1)
        self.is_query_word = query.hashes[where] == self.hashes
        self.key = query.key_of_hash[where]  # the query word's index, where is_query_word


def _pair_key(query: Query, a, b):
    return len(query.weights) * (1 + a) + b


def _pair_weight(query: Query, a, b):
    return PAIR_WEIGHT * (query.weights[a] + query.weights[b]) / 2


def _word_items(words: _Words, query: Query) -> tuple:
    """(keys, weights, starts, ends) of the query words in the text, and of the query pairs found
    side by side (consecutive words at most two characters apart) as one more item each."""
    position = np.flatnonzero(words.is_query_word)
    key, start, end = words.key[position], words.starts[position], words.ends[position]
    paired = (np.diff(position) == 1) & (start[1:] - end[:-1] <= 2) & query.pairs[key[:-1], key[1:]]
    first = np.flatnonzero(paired)
    a, b = key[first], key[first + 1]
    return (
        np.concatenate((key, _pair_key(query, a, b))),
        np.concatenate((query.weights[key], _pair_weight(query, a, b))),
        np.concatenate((start, start[first])),
        np.concatenate((end, end[first + 1])),
    )


def _synonym_items(words: _Words, query: Query) -> list[tuple]:
    """Items for each other form of query words found as consecutive words of the text: one per word it
    stands for, spanning the whole form, plus the pairs within those words and with a query word
    right before or after it."""
    items = []
    count = len(words.hashes)
    for form, stands_for in query.synonyms:
        length = len(form)
        if count < length:
            continue
        at = np.ones(count - length + 1, dtype=bool)
        for i, h in enumerate(form.tolist()):
            at &= words.hashes[i : count - length + 1 + i] == h
        at = np.flatnonzero(at)
        if not len(at):
            continue
        start, end = words.starts[at], words.ends[at + length - 1]
        own = stands_for.tolist()
        for word in own:
            items.append(_items(word, query.weights[word], start, end))
        for a, b in zip(own, own[1:]):
            if query.pairs[a, b]:
                items.append(_items(_pair_key(query, a, b), _pair_weight(query, a, b), start, end))
        for neighbour, before in ((at - 1, True), (at + length, False)):
            inside = (neighbour >= 0) & (neighbour < count)
            neighbour, form_start, form_end = neighbour[inside], start[inside], end[inside]
            gap = form_start - words.ends[neighbour] if before else words.starts[neighbour] - form_end
            for n in np.flatnonzero(words.is_query_word[neighbour] & (gap <= 2)).tolist():
                other = int(words.key[neighbour[n]])
                a, b = (other, own[0]) if before else (own[-1], other)
                if query.pairs[a, b]:
                    items.append(
                        _items(
                            _pair_key(query, a, b),
                            _pair_weight(query, a, b),
                            min(form_start[n], words.starts[neighbour[n]]),
                            max(form_end[n], words.ends[neighbour[n]]),
                        )
                    )
    return items


def _items(key, weight, start, end) -> tuple:
    start, end = np.atleast_1d(start), np.atleast_1d(end)
    return np.full(len(start), key), np.full(len(start), weight), start, end


def passage_share(text: str, query: Query, chars: int = PASSAGE_CHARS) -> float:
    """:func:`passage_shares` of one text."""
    return float(passage_shares([text], query, chars)[0])


def _words(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, hashes) of the runs of letters and digits of folded code points."""
    empty = np.zeros(0, dtype=np.int64)
    if not len(codes):
        return empty, empty, empty.astype(np.uint64)
    alnum = _is_alnum(codes)
    edges = np.diff(np.concatenate(([0], alnum.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not len(starts):
        return empty, empty, empty.astype(np.uint64)
    # each letter's place in its word gives its power of the base: hash = sum(code * BASE**place)
    letters = np.flatnonzero(alnum)
    lengths = ends - starts
    first_letter = np.concatenate(([0], np.cumsum(lengths)[:-1]))  # of each word, among the letters
    place = np.arange(len(letters)) - np.repeat(first_letter, lengths)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64
        weighted = codes[letters].astype(np.uint64) * _POWERS[np.minimum(place, len(_POWERS) - 1)]
        hashes = np.add.reduceat(weighted, first_letter)
    return starts, ends, hashes


def _hash_of(word: str) -> int:
    """The hash :func:`_words` gives ``word`` (folded, lowercase)."""
    powers = _POWERS.tolist()
    return sum(ord(ch) * powers[min(i, len(powers) - 1)] for i, ch in enumerate(word)) % 2**64


_ALNUM_CODES = 0x3000
_ALNUM = np.array([chr(c).isalnum() for c in range(_ALNUM_CODES)], dtype=bool)


def _is_alnum(codes: np.ndarray) -> np.ndarray:
    """``str.isalnum()`` of each code point (what the snippets' whole-word matching uses)."""
    inside = codes < _ALNUM_CODES
    alnum = _ALNUM[np.where(inside, codes, 0)]
    if not inside.all():
        for code in np.unique(codes[~inside]).tolist():
            alnum[codes == code] = chr(code).isalnum()
    return alnum
