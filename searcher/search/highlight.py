"""Snippets: the best passages of a document's stored text with the query's words marked.

Matching is on folded syllables, so a query typed without diacritics marks the accented words of the
text (``quoc phong`` marks ``quốc phòng``). The text is folded one character for one character, so a
match found in the folded copy has the same offsets in the original: one C-level ``translate`` and one
regular expression per document instead of running the analyzer over every hit (which cost ~2 ms per
hit, most of a query's time budget). Text around the marks is HTML-escaped: the only markup in a
snippet is ``<mark>``.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from ..text.fold import fold_offsets_preserved
from ..text.normalize import iy_variants

SNIPPET_CHARS = 240
SNIPPET_FRAGMENTS = 2
PHRASE_GAP = 3  # characters between the syllables of a marked phrase (". " in "TP. HCM")
_WORD = r"[^\W_]"


def match_spans(text: str, terms: set[str], folded: str | None = None) -> list[tuple[int, int]]:
    """(start, end) of every whole-syllable occurrence of the folded ``terms`` in ``text``, leftmost
    first and the longest of those starting at one place (``nd-cp`` rather than ``nd``).

    A term of several syllables (joined by spaces) is a phrase: its syllables in order, each either
    i/y spelling, separated by up to :data:`PHRASE_GAP` characters that are not letters or digits
    (``tp hcm`` matches ``TP.HCM`` and ``TP. HCM``)."""
    patterns = _patterns(frozenset(t for t in terms if t))
    if not patterns:
        return []
    folded = folded or fold_offsets_preserved(text)
    found = []
    # one pattern per term, each starting with its literal text, which the regex engine finds by a
    # fast scan: 7x faster than one alternation tried at every position
    for pattern in patterns:
        for match in pattern.finditer(folded):
            start = match.start()
            if not (start and folded[start - 1].isalnum()):  # isalnum() is [^\W_]
                found.append(match.span())
    found.sort(key=lambda span: (span[0], -span[1]))
    spans, last_end = [], -1
    for start, end in found:
        if start >= last_end:
            spans.append((start, end))
            last_end = end
    return spans


@lru_cache(maxsize=256)
def _patterns(terms: frozenset[str]) -> tuple[re.Pattern, ...]:
    return tuple(_pattern(t) for t in sorted(terms))


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
) -> str:
    """Up to ``fragments`` passages of ``text`` around the folded ``terms``, matches marked.

    With ``html_output`` the result is HTML (escaped text, ``<mark>`` tags); otherwise plain text with
    the matches in upper case (for tests and terminals). A document with no match gives its opening.
    """
    folded = fold_offsets_preserved(text)
    spans = match_spans(text, terms, folded)
    windows = (
        _best_windows(text, folded, spans, maxchars, fragments)
        if spans
        else [_word_bounds(text, 0, min(len(text), maxchars))]
    )
    parts = []
    for start, end in windows:
        inside = [(s, e) for s, e in spans if s >= start and e <= end]
        parts.append(_render(text, start, end, inside, html_output))
    snippet = " … ".join(parts)
    if windows[0][0] > 0:
        snippet = "… " + snippet
    if windows[-1][1] < len(text):
        snippet += " …"
    return snippet


def mark_all(text: str, terms: set[str]) -> str:
    """The whole ``text`` as HTML with every occurrence of the folded ``terms`` marked."""
    return _render(text, 0, len(text), match_spans(text, terms), True, one_line=False)


def _best_windows(text: str, folded: str, spans, maxchars: int, count: int) -> list[tuple[int, int]]:
    """Pick non-overlapping windows that hold the most distinct matched words, adjacent ones best.

    Every match (up to 500) anchors a candidate window; the windows only move forward, so the matches
    inside each are tracked with two pointers and running counts (linear in the number of matches).
    """
    anchors = spans[:500]  # enough anchors for any real document
    words = [folded[s:e] for s, e in spans]
    # adjacent_before[j]: pairs of consecutive matches among the first j that are separated by one
    # character only (words of a phrase)
    adjacent_before = [0]
    for (_, e1), (s2, _) in zip(spans, spans[1:]):
        adjacent_before.append(adjacent_before[-1] + (1 if 0 < s2 - e1 <= 1 else 0))
    in_window: dict[str, int] = {}
    lo = hi = 0  # the window's matches are spans[lo:hi]
    candidates = []
    for anchor, _ in anchors:
        start = max(0, anchor - maxchars // 4)
        end = min(len(text), start + maxchars)
        while hi < len(spans) and spans[hi][1] <= end:  # matches are disjoint: only the last can straddle
            in_window[words[hi]] = in_window.get(words[hi], 0) + 1
            hi += 1
        while lo < hi and spans[lo][0] < start:
            in_window[words[lo]] -= 1
            if not in_window[words[lo]]:
                del in_window[words[lo]]
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
    escape = (lambda s: html.escape(s, quote=False)) if html_output else (lambda s: s)
    for s, e in spans:
        out.append(escape(text[last:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>" if html_output else text[s:e].upper())
        last = e
    out.append(escape(text[last:end]))
    rendered = "".join(out)
    return " ".join(rendered.split()) if one_line else rendered
