"""Did you mean: misspelled syllables and wrong tone marks, corrected from the index's vocabulary.

A noisy-channel reading over the lexicon (the decoder of :mod:`searcher.restore`): each typed syllable
may stand for itself, for another tone of the same letters (weighted down by :data:`TONE_WEIGHT`), or,
when its letters are rare or unknown in the index, for a syllable one edit away (``phonng`` → ``phòng``,
``bein`` → ``biên``, ``ngi`` → ``nghị``; weighted down by :data:`EDIT_WEIGHT`). The pair counts decide
in context: ``hướng dân`` is read ``hướng dẫn``, while ``nhân dân`` stays.
"""
from __future__ import annotations

import string

from .lexicon import Lexicon, syllable_key
from .normalize import canonical_iy, fold, has_diacritics
from .restore import CONFIDENT, pair_count, candidates, decode

TONE_WEIGHT = 0.02  # another tone of the typed letters, against the typed form
EDIT_WEIGHT = 0.01  # a syllable one edit away, against rare typed letters
RARE_KEY = 5  # typed letters seen fewer times than this may be a typo
MAX_NEIGHBOURS = 6
FAR_MORE = 50  # a correction of a typed tone must be this many times more frequent ...
FAR_MORE_PAIRS = 3  # ... or occur this often next to a typed neighbour the typed form never meets
MAX_CHECKED = 12  # longer queries are only checked where a syllable is unknown or rare
_LETTERS = string.ascii_lowercase


def corrections(lexicon: Lexicon | None, syllables: list[str]) -> dict[str, str]:
    """Typed syllable → its correction, for the syllables of ``syllables`` (one run of adjacent query
    words: lowercase, canonical tone and i/y) that look misspelled, plus the accented reading of its
    unmarked words; empty when all look right."""
    words = [s for s in syllables if s.isalpha()]
    if lexicon is None or len(words) != len(syllables) or not syllables:
        return {}
    key_counts = lexicon.key_counts([syllable_key(s) for s in syllables])
    rare = [key_counts.get(syllable_key(s), 0) < RARE_KEY and len(s) > 1 for s in syllables]
    if not any(rare) and (len(syllables) > MAX_CHECKED or not any(has_diacritics(s) for s in syllables)):
        # Unmarked, known letters: each syllable may only be read as a form of its own letters, so
        # the decoding could restore marks (the accented reading does that) but correct nothing.
        return {}
    options = []
    for s, is_rare in zip(syllables, rare):
        found = candidates(lexicon, s)
        if has_diacritics(s):
            typed = [(f, c) for f, c in found if canonical_iy(f) == canonical_iy(s)] or [(s, 0)]
            other_tones = [(f, c * TONE_WEIGHT) for f, c in found if canonical_iy(f) != canonical_iy(s)]
            found = typed + other_tones
        elif not found:
            found = [(s, 0)]
        if is_rare:
            found = found + _neighbours(lexicon, s, bool(key_counts.get(syllable_key(s))))
        options.append(found)
    reading, confidence = decode(lexicon, options)
    fixes: dict[str, str] = {}
    restored: dict[str, str] = {}  # unmarked words read with marks: the suggestion shows them so
    pairs: dict = {}
    for i, (typed, read, sure) in enumerate(zip(syllables, reading, confidence)):
        if sure < CONFIDENT:
            continue
        wrong_letters = syllable_key(read) != syllable_key(typed)
        wrong_tone = (has_diacritics(typed) and canonical_iy(read) != canonical_iy(typed)
                      and _typed_tone_is_unlikely(lexicon, syllables, i, read, pairs))
        if wrong_letters or wrong_tone:
            fixes.setdefault(typed, read)
        elif not has_diacritics(typed) and read != typed:
            restored.setdefault(typed, read)
    return {**restored, **fixes} if fixes else {}


def _typed_tone_is_unlikely(lexicon: Lexicon, syllables: list[str], i: int, read: str, pairs: dict) -> bool:
    """A typed tone is only corrected when the correction is far more frequent: alone, or next to the
    typed neighbours while the typed form never occurs there (``hướng dân`` → ``hướng dẫn``)."""
    typed = syllables[i]
    if _form_count(lexicon, typed) * FAR_MORE < _form_count(lexicon, read):
        return True
    neighbours = [(syllables[i - 1], None), (None, syllables[i + 1])] if 0 < i < len(syllables) - 1 else (
        [(syllables[i - 1], None)] if i > 0 else [(None, syllables[i + 1])] if len(syllables) > 1 else [])
    for before, after in neighbours:
        typed_pair = pair_count(lexicon, before or typed, after or typed, pairs)
        read_pair = pair_count(lexicon, before or read, after or read, pairs)
        if typed_pair == 0 and read_pair >= FAR_MORE_PAIRS:
            return True
    return False


def _form_count(lexicon: Lexicon, form: str) -> int:
    return sum(c for f, c in candidates(lexicon, form) if canonical_iy(f) == canonical_iy(form))


def _neighbours(lexicon: Lexicon, syllable: str, typed_exists: bool) -> list[tuple[str, float]]:
    """Accented forms of the most frequent syllables one edit away from the typed letters."""
    key = syllable_key(syllable)
    counts = lexicon.key_counts(sorted(_edits(key) - {key}))
    best = sorted(counts, key=lambda k: -counts[k])[:MAX_NEIGHBOURS]
    weight = EDIT_WEIGHT if typed_exists else 1.0  # letters the index never saw are surely a typo
    out = []
    for neighbour in best:
        for form, count in candidates(lexicon, neighbour):
            if has_diacritics(syllable) and fold(form) == form:
                continue  # typed with marks: the correction has marks too
            out.append((form, count * weight))
    return out


def _edits(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return deletes | transposes | replaces | inserts
