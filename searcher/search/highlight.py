"""Snippets: the best passages of a document's stored text with the query's words marked.

Matching is on folded syllables, so a query typed without diacritics marks the accented words of the
text (``quoc phong`` marks ``quốc phòng``); a term typed with diacritics marks only the words written
so (``tỉnh`` marks neither ``tính`` nor ``tinh``; old tone placement and i/y spellings are the same
word). Adjacent marked words are one mark (``<mark>quốc phòng toàn dân</mark>``).

The text is folded one character for one character, so a match found in the folded copy has the same
offsets in the original: one C-level ``translate`` and one regular expression per document instead of
running the analyzer over every hit (which cost ~2 ms per hit, most of a query's time budget). Text
around the marks is HTML-escaped: the only markup in a snippet is ``<mark>``.
"""

from __future__ import annotations

import bisect
import html
import re
from functools import lru_cache
from operator import itemgetter

from ..text.fold import fold_offsets_preserved
from ..text.normalize import canonical_iy, canonical_tone, fold, iy_variants

SNIPPET_CHARS = 240
SNIPPET_FRAGMENTS = 2
PHRASE_GAP = 3  # characters between the syllables of a marked phrase (". " in "TP. HCM")
_WORD = r"[^\W_]"
_WORDS = re.compile(r"[^\W_]+")


def match_spans(
    text: str, terms: set[str], folded: str | None = None, common: set[str] | frozenset = frozenset()
) -> list[tuple[int, int]]:
    """(start, end) of every whole-syllable occurrence of ``terms`` in ``text``, leftmost first and
    the longest of those starting at one place (``nd-cp`` rather than ``nd``).

    A term without diacritics matches every accented form; a term with diacritics (lowercase,
    canonical tone and i/y, as the analyzers write it) only its own, syllable by syllable. A term of
    several syllables (joined by spaces) is a phrase: its syllables in order, each either i/y
    spelling, separated by up to :data:`PHRASE_GAP` characters that are not letters or digits
    (``tp hcm`` matches ``TP.HCM`` and ``TP. HCM``). A match of one of the folded ``common`` words is
    kept only next to the match of another word (see :data:`NEAR_WORDS`)."""
    patterns = _patterns(frozenset(t for t in terms if t))
    if not patterns:
        return []
    folded = folded or fold_offsets_preserved(text)
    found: list[tuple[int, int]] = []
    add = found.append
    # one pattern per term, each starting with its literal text, which the regex engine finds by a
    # fast scan: 7x faster than one alternation tried at every position
    for pattern, spellings in patterns:
        for match in pattern.finditer(folded):
            start, end = match.span()
            if start and folded[start - 1].isalnum():  # isalnum() is [^\W_]
                continue
            if spellings is not None and not _spelled_as(text[start:end], spellings):
                continue
            add((start, -end))
    found.sort()  # leftmost first, the longest of those starting at one place first
    spans, last_end = [], -1
    for start, negative_end in found:
        if start >= last_end:
            last_end = -negative_end
            spans.append((start, last_end))
    if common:
        spans = _without_lone(folded, spans, common)
    return spans


NEAR_WORDS = 2  # a common word is marked when another query word is at most this many words away
_NEAR_CHARS = 8 * (NEAR_WORDS + 1)  # farther apart than this, surely more words lie between


def _without_lone(folded: str, spans: list[tuple[int, int]], common) -> list[tuple[int, int]]:
    """``spans`` without the common words that stand alone: no match of another word within
    :data:`NEAR_WORDS` words ("quốc" of "Tổ quốc" far from "quốc phòng toàn dân")."""
    kept = []
    last = len(spans) - 1
    for i, (start, end) in enumerate(spans):
        word = folded[start:end]
        if word not in common:
            kept.append((start, end))
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j <= last:
                continue
            a, b = (spans[j][1], start) if j < i else (end, spans[j][0])
            if (
                b - a <= _NEAR_CHARS
                and folded[spans[j][0] : spans[j][1]] != word
                and len(_WORDS.findall(folded, a, b)) <= NEAR_WORDS
            ):
                kept.append((start, end))
                break
    return kept


@lru_cache(maxsize=65536)
def _spelled_as(written: str, spellings: frozenset) -> bool:
    """Whether the ``written`` words match one of ``spellings`` (tuples of canonical syllables,
    None where any form goes)."""
    syllables = tuple(canonical_iy(canonical_tone(w)) for w in _WORDS.findall(written.lower()))
    return any(
        len(spelling) == len(syllables) and all(s is None or s == w for s, w in zip(spelling, syllables))
        for spelling in spellings
    )


@lru_cache(maxsize=256)
def _patterns(terms: frozenset[str]) -> tuple[tuple[re.Pattern, frozenset | None], ...]:
    # terms that fold alike share a pattern; a bare one among them lets every spelling through
    by_fold: dict[str, set | None] = {}
    for term in terms:
        spelling = tuple(s if s != fold(s) else None for s in term.split())
        # (a word's i/y spellings as patterns of their own: a pattern starting with its literal text
        # is found by a fast scan, one starting with a group is not)
        for plain in iy_variants(fold(term)) if " " not in term else (fold(term),):
            kept = by_fold.setdefault(plain, set())
            if any(spelling) and kept is not None:
                kept.add(spelling)
            else:
                by_fold[plain] = None
    return tuple(
        (_pattern(plain), frozenset(spellings) if spellings is not None else None)
        for plain, spellings in sorted(by_fold.items())
    )


@lru_cache(maxsize=8192)
def _pattern(term: str) -> re.Pattern:
    # one per word, shared by every query that has it (the re module keeps only 512 patterns, fewer
    # than the words a server meets)
    if " " not in term:
        return re.compile(rf"{re.escape(term)}(?!{_WORD})")
    syllables = [_alternatives(syllable) for syllable in term.split()]
    return re.compile(rf"[\W_]{{1,{PHRASE_GAP}}}".join(syllables) + rf"(?!{_WORD})")


def _alternatives(syllable: str) -> str:
    variants = iy_variants(syllable)
    if len(variants) == 1:
        return re.escape(syllable)
    return "(?:" + "|".join(re.escape(v) for v in variants) + ")"


def make_snippet(
    text: str,
    terms: set[str],
    html_output: bool = True,
    maxchars: int = SNIPPET_CHARS,
    fragments: int = SNIPPET_FRAGMENTS,
    common: set[str] | frozenset = frozenset(),
) -> str:
    """Up to ``fragments`` passages of ``text`` around ``terms`` (see :func:`match_spans`), matches
    marked; ``common``: folded words marked only next to other matches.

    With ``html_output`` the result is HTML (escaped text, ``<mark>`` tags); otherwise plain text with
    the matches in upper case (for tests and terminals). A document with no match gives its opening.
    """
    folded = fold_offsets_preserved(text)
    # (the windows are chosen with every match, and the lone common words left out of the chosen ones
    # only: a long text can hold thousands of matches of a common word)
    spans = match_spans(text, terms, folded)
    windows = (
        _best_windows(text, folded, spans, maxchars, fragments)
        if spans
        else [_word_bounds(text, 0, min(len(text), maxchars))]
    )
    parts = []
    for start, end in windows:
        # (matches are disjoint and sorted, so their ends are sorted too)
        lo = bisect.bisect_left(spans, (start - _NEAR_CHARS, 0))
        inside = spans[lo : bisect.bisect_right(spans, end + _NEAR_CHARS, lo, key=itemgetter(1))]
        if common:
            inside = _without_lone(folded, inside, common)
        inside = [(s, e) for s, e in inside if s >= start and e <= end]
        parts.append(_render(text, start, end, inside, html_output))
    snippet = " … ".join(parts)
    if windows[0][0] > 0:
        snippet = "… " + snippet
    if windows[-1][1] < len(text):
        snippet += " …"
    return snippet


def mark_all(text: str, terms: set[str], common: set[str] | frozenset = frozenset()) -> str:
    """The whole ``text`` as HTML with every occurrence of ``terms`` marked (see :func:`match_spans`)."""
    return _render(text, 0, len(text), match_spans(text, terms, common=common), True, one_line=False)


def _best_windows(text: str, folded: str, spans, maxchars: int, count: int) -> list[tuple[int, int]]:
    """Pick non-overlapping windows that hold the most distinct matched words, adjacent ones best.

    Every match (up to 500) anchors a candidate window; the windows only move forward, so the matches
    inside each are tracked with two pointers and running counts (linear in the number of matches).
    """
    words = [folded[s:e] for s, e in spans]
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]
    # adjacent_before[j]: pairs of consecutive matches among the first j that are separated by one
    # character only (words of a phrase)
    adjacent_before = [0]
    pairs = 0
    for e1, s2 in zip(ends, starts[1:]):
        if 0 < s2 - e1 <= 1:
            pairs += 1
        adjacent_before.append(pairs)
    in_window: dict[str, int] = {}
    lo = hi = 0  # the window's matches are spans[lo:hi]
    total, length, before = len(spans), len(text), maxchars // 4
    candidates = []
    for anchor in starts[:500]:  # enough anchors for any real document
        start = anchor - before if anchor > before else 0
        end = start + maxchars
        if end > length:
            end = length
        while hi < total and ends[hi] <= end:  # matches are disjoint: only the last can straddle
            word = words[hi]
            in_window[word] = in_window.get(word, 0) + 1
            hi += 1
        while lo < hi and starts[lo] < start:
            word = words[lo]
            left = in_window[word] - 1
            if left:
                in_window[word] = left
            else:
                del in_window[word]
            lo += 1
        inside = hi - lo
        adjacent = adjacent_before[hi - 1] - adjacent_before[lo] if inside > 1 else 0
        candidates.append((len(in_window) * 10 + adjacent * 3 + inside, -anchor, start, end))
    chosen: list[tuple[int, int]] = []
    for _, _, start, end in sorted(candidates, reverse=True):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
            if len(chosen) == count:
                break
    return [_word_bounds(text, s, e) for s, e in sorted(chosen)]


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the window's edges outward to whitespace so no word is cut in half."""
    while start > 0 and not text[start - 1].isspace() and start > end - SNIPPET_CHARS * 2:
        start -= 1
    while end < len(text) and not text[end].isspace() and end < start + SNIPPET_CHARS * 2:
        end += 1
    return start, end


def _render(text: str, start: int, end: int, spans, html_output: bool, one_line: bool = True) -> str:
    out, last = [], start
    spans = _joined(text, spans)
    escape = (lambda s: html.escape(s, quote=False)) if html_output else (lambda s: s)
    for s, e in spans:
        out.append(escape(text[last:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>" if html_output else text[s:e].upper())
        last = e
    out.append(escape(text[last:end]))
    rendered = "".join(out)
    return " ".join(rendered.split()) if one_line else rendered


def _joined(text: str, spans) -> list[tuple[int, int]]:
    """Matches separated by white space only made one, so a matched phrase reads as one mark."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and text[out[-1][1] : start].isspace():
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out
