"""Autocomplete: the most frequent phrases of the index that continue what the user is typing.

Typed with or without diacritics (``quoc ph``, ``bộ chỉ h``, ``UBND t``): the typed syllables are folded
to the lexicon's keys; syllables typed with marks must match those marks, unmarked ones match any. The
phrases come from :mod:`searcher.lexicon.lexicon` (1-6 syllables, chosen at index time), shown as the corpus
most often writes them. The longest typed tail that offered phrases continue is completed; the words
before it are kept as typed.
"""

from __future__ import annotations

import re

from ..text.normalize import canonical_iy, canonical_tone, fold, has_diacritics, normalize_text
from .lexicon import Lexicon, syllable_key

MAX_TYPED = 6  # the longest phrase offered (MAX_SUGGEST_SYLLABLES of the lexicon)
MAX_COUNTED = 4  # the longest phrase counted: a tail this long is completed, or nothing is
DOMINATED = 0.8  # a phrase this often followed by one same syllable is offered only with it
_WORD = re.compile(r"[^\W\d_]+")


def suggest(lexicon: Lexicon | None, prefix: str, limit: int = 8) -> list[str]:
    """Up to ``limit`` completions of ``prefix``, most frequent first (empty without a lexicon)."""
    if lexicon is None or not prefix or limit <= 0:
        return []
    text = normalize_text(prefix)[:200]
    words = list(_WORD.finditer(text))
    if not words:
        return []
    # a trailing blank (or punctuation) closes the last word: complete the next one
    closed = words[-1].end() < len(text)
    # The longest typed tail that offered phrases continue: "bo chi huy quan su" is completed whole
    # ("Bộ Chỉ huy Quân sự tỉnh"), not as "bo" kept as typed and four syllables completed.
    most = min(len(words), MAX_TYPED - 1 if closed else MAX_TYPED)
    least = min(len(words), MAX_COUNTED - 1 if closed else MAX_COUNTED)
    for size in range(most, least - 1, -1):
        tail = words[-size:]
        candidates = _candidates(lexicon, tail, closed)
        if candidates:
            break
    head_text = text[: tail[0].start()]
    # "UBND thành" when "UBND thành phố" is nearly all of it: a word cut short, not a suggestion
    longest: dict[str, int] = {}
    for merged, entry in candidates.items():
        if " " in merged:
            head = merged.rsplit(" ", 1)[0]
            longest[head] = max(longest.get(head, 0), entry[1])
    ranked = sorted(
        (e for m, e in candidates.items() if " " not in m or longest.get(m, 0) < DOMINATED * e[1]),
        key=lambda e: -e[1],
    )
    out: list[str] = []
    seen: set[str] = set()
    for display, _, _ in ranked:
        text_out = head_text + _keep_typed_case(display, tail, closed)
        if text_out.lower() not in seen:
            seen.add(text_out.lower())
            out.append(text_out)
        if len(out) >= limit:
            break
    return out


def _candidates(lexicon: Lexicon, tail: list, closed: bool) -> dict[str, list]:
    """Offered phrases continuing the typed words ``tail``: merged form -> [display, count, best count]."""
    typed = [canonical_tone(w.group().lower()) for w in tail]
    complete = typed if closed else typed[:-1]
    partial = "" if closed else typed[-1]
    key_prefix = " ".join(syllable_key(s) for s in complete)
    if closed:
        searches = [key_prefix + " "]
    else:
        lead = key_prefix + " " if key_prefix else ""
        searches = [lead + fold(partial)]
        if canonical_iy(fold(partial)) != fold(partial):
            searches.append(lead + canonical_iy(fold(partial)))  # "ki" may be the whole syllable kỹ/kĩ
    candidates: dict[str, list] = {}
    for search in searches:
        for _key, form, display, count in lexicon.suggest_rows(search, limit=300):
            if not _fits(form, complete, partial, closed):
                continue
            # the two i/y spellings of one phrase are one suggestion, shown the more frequent way
            merged = " ".join(canonical_iy(s) for s in form.split(" "))
            entry = candidates.get(merged)
            if entry is None:
                candidates[merged] = [display, count, count]
            else:
                if count > entry[2]:
                    entry[0], entry[2] = display, count
                entry[1] += count
    return candidates


def _fits(form: str, complete: list[str], partial: str, closed: bool) -> bool:
    """Does an offered phrase agree with what was typed (marks where typed, the right length)?"""
    syllables = form.split(" ")
    if len(syllables) <= len(complete) or (closed and len(syllables) < len(complete) + 1):
        return False
    for typed, have in zip(complete, syllables):
        if has_diacritics(typed) and canonical_iy(typed) != canonical_iy(have):
            return False
        if not has_diacritics(typed) and syllable_key(typed) != syllable_key(have):
            return False
    if closed:
        return True
    have = syllables[len(complete)]
    if has_diacritics(partial):
        return have.startswith(partial) or canonical_iy(have) == canonical_iy(partial)
    return fold(have).startswith(partial) or syllable_key(have) == syllable_key(partial)


def _keep_typed_case(display: str, tail, closed: bool) -> str:
    """Upper-case typed abbreviations stay upper case (``UBND t`` → ``UBND tỉnh``)."""
    shown = display.split(" ")
    for i, match in enumerate(tail[: len(shown)]):
        word = match.group()
        if len(word) > 1 and word.isupper() and fold(shown[i].lower()) == fold(word.lower()):
            shown[i] = shown[i].upper()
    return " ".join(shown)
