"""Did you mean: misspelled syllables and wrong tone marks, corrected from the index's vocabulary.

A noisy-channel reading over the lexicon (the decoder of :mod:`searcher.lexicon.restore`): each typed syllable
may stand for itself, for another tone of the same letters (weighted down by :data:`TONE_WEIGHT`), or,
when its letters are rare or unknown in the index, for a syllable one edit away (``phonng`` → ``phòng``,
``bein`` → ``biên``, ``ngi`` → ``nghị``; weighted down by :data:`EDIT_WEIGHT`). The pair counts decide
in context: ``hướng dân`` is read ``hướng dẫn``, while ``nhân dân`` stays.
"""

from __future__ import annotations

import string

from ..text.normalize import canonical_iy, fold, has_diacritics
from .lexicon import Lexicon, syllable_key
from .ngrams import NUMBER, lexicon_word
from .restore import (
    CONFIDENT,
    Options,
    candidates,
    decode,
    form_count,
    options,
    pair_count,
    readings,
    worked_out,
)

TONE_WEIGHT = 0.02  # another tone of the typed letters, against the typed form
EDIT_WEIGHT = 0.01  # a syllable one edit away, against rare typed letters
RARE_KEY = 5  # typed letters seen fewer times than this may be a typo
MAX_NEIGHBOURS = 6
FAR_MORE = 50  # a correction of a typed tone must be this many times more frequent ...
FAR_MORE_PAIRS = 3  # ... or occur this often next to a typed neighbour the typed form never meets
AT_HOME = 10  # ... unless the typed form occurs that often next to a neighbour, and at least a tenth
# as often there as the correction ("hóa đơn khống", "hiển thị", "khói thuốc" are phrases)
MAX_CHECKED = 12  # longer queries are only checked where a syllable is unknown or rare
_LETTERS = string.ascii_lowercase


def corrections(lexicon: Lexicon | None, syllables: list[str]) -> dict[str, str]:
    """Typed syllable → its correction, for the syllables of ``syllables`` (one run of adjacent query
    words: lowercase, canonical tone and i/y) that look misspelled, plus the accented reading of the
    unmarked words next to them; empty when all look right.

    A number is left alone, and read as the lexicon counts numbers (``hoi ngi 2019`` →
    ``hội nghị 2019``, ``quận 1`` is at home); any other word not all letters (``a330``) parts the run,
    as it parts the lexicon's n-grams."""
    if lexicon is None:
        return {}
    found: dict[str, str] = {}
    part: list[str] = []
    for syllable in syllables + [""]:
        if syllable.isalpha() or syllable.isdecimal():
            part.append(lexicon_word(syllable))
        elif part:
            if any(s != NUMBER for s in part):
                found.update(_corrections(lexicon, part))
            part = []
    return found


SURE_MORE = 100  # a correction is made without asking when written this many times more often


def written_count(lexicon: Lexicon, syllable: str) -> int:
    """How often the index writes ``syllable``: its letters in any form, or when typed with marks
    that very form."""
    key = syllable_key(syllable)
    if has_diacritics(syllable):
        # every form of the letters, not only the decoder's frequent readings: "cộ" is rare beside
        # "có" but a word ("xe cộ")
        spelled = canonical_iy(syllable)
        return sum(c for f, c in lexicon.forms(key) if canonical_iy(f) == spelled)
    return lexicon.key_counts([key]).get(key, 0)


def is_sure(lexicon: Lexicon, typed: str, correction: str) -> bool:
    """Whether ``typed`` is surely a misspelling of ``correction``: the index (almost) never writes
    it (``phonng``, ``quôc``), and writes the correction far more often. A real word that looks wrong
    in its context (``hướng dân``) is only suggested."""
    if not typed.isalpha():
        return False
    count = written_count(lexicon, typed)
    if count >= RARE_KEY:
        return False
    # (never written: any correction the index knows will do, even in a small index)
    return written_count(lexicon, correction) >= (RARE_KEY if not count else SURE_MORE * count)


def _corrections(lexicon: Lexicon, syllables: list[str]) -> dict[str, str]:
    key_counts = lexicon.key_counts([syllable_key(s) for s in syllables])
    rare = [key_counts.get(syllable_key(s), 0) < RARE_KEY and len(s) > 1 for s in syllables]
    pairs: dict = {}
    if not any(rare) and (
        len(syllables) > MAX_CHECKED
        or not any(
            has_diacritics(s) and _tone_may_be_wrong(lexicon, syllables, i, pairs)
            for i, s in enumerate(syllables)
        )
    ):
        # Known letters: each syllable may only be read as a form of its own letters, so unmarked
        # syllables could get marks (the accented reading does that) but no correction, and no typed
        # tone passes the test of _typed_tone_is_unlikely for any reading: nothing to decode.
        return {}
    chosen = [
        _options(lexicon, s, is_rare, bool(key_counts.get(syllable_key(s))))
        for s, is_rare in zip(syllables, rare)
    ]
    reading, confidence = decode(lexicon, chosen)
    fixes: dict[str, str] = {}
    restored: dict[str, str] = {}  # unmarked words read with marks: the suggestion shows them so
    for i, (typed, read, sure) in enumerate(zip(syllables, reading, confidence)):
        if sure < CONFIDENT:
            continue
        wrong_letters = syllable_key(read) != syllable_key(typed)
        wrong_tone = (
            has_diacritics(typed)
            and canonical_iy(read) != canonical_iy(typed)
            and _typed_tone_is_unlikely(lexicon, syllables, i, read, pairs)
        )
        if wrong_letters or wrong_tone:
            fixes.setdefault(typed, read)
        elif not has_diacritics(typed) and read != typed:
            restored.setdefault(typed, read)
    return {**restored, **fixes} if fixes else {}


def _options(lexicon: Lexicon, syllable: str, is_rare: bool, typed_exists: bool) -> Options:
    """What a typed syllable may stand for: its own forms (a marked one: its typed form, and the other
    tones weighted down), and, when its letters are rare, the syllables one edit away."""
    if not has_diacritics(syllable) and not is_rare:
        return readings(lexicon, syllable)

    def found() -> list[tuple[str, float]]:
        forms: list[tuple[str, float]] = list(candidates(lexicon, syllable))  # (counts read as floats)
        if has_diacritics(syllable):
            typed = [(f, c) for f, c in forms if canonical_iy(f) == canonical_iy(syllable)] or [(syllable, 0)]
            other_tones = [
                (f, c * TONE_WEIGHT) for f, c in forms if canonical_iy(f) != canonical_iy(syllable)
            ]
            forms = typed + other_tones
        elif not forms:
            forms = [(syllable, 0)]
        if is_rare:
            forms = forms + _neighbours(lexicon, syllable, typed_exists)
        return forms

    # (whether the letters are rare, and whether they occur at all, follow from the syllable and the
    # lexicon: the syllable names the list)
    return options(lexicon, ("spelling", syllable), found)


def _tone_may_be_wrong(lexicon: Lexicon, syllables: list[str], i: int, pairs: dict) -> bool:
    """Whether :func:`_typed_tone_is_unlikely` holds for some other tone of ``syllables[i]`` (the only
    corrections its letters can get): when none does, decoding cannot correct it. Kept per lexicon
    for the syllable and its neighbours, on which alone it depends (most queries are typed right, and
    this is what checking them costs)."""
    cache = worked_out(lexicon)
    name = (
        "tone may be wrong",
        syllables[i - 1] if i else None,
        syllables[i],
        syllables[i + 1] if i + 1 < len(syllables) else None,
    )
    found = cache.get(name)
    if found is None:
        found = cache[name] = _check_tone(lexicon, syllables, i, pairs)
    return found


def _check_tone(lexicon: Lexicon, syllables: list[str], i: int, pairs: dict) -> bool:
    typed = syllables[i]
    spelled = canonical_iy(typed)
    found = candidates(lexicon, typed)  # i/y spellings merged: one entry per form
    typed_count = sum(c for f, c in found if canonical_iy(f) == spelled)
    others = [(f, c) for f, c in found if canonical_iy(f) != spelled]
    if any(typed_count * FAR_MORE < c for _, c in others):
        return True
    return any(
        pair_count(lexicon, before or typed, after or typed, pairs) == 0
        and any(pair_count(lexicon, before or f, after or f, pairs) >= FAR_MORE_PAIRS for f, _ in others)
        for before, after in _next_to(syllables, i)
    )


def _typed_tone_is_unlikely(lexicon: Lexicon, syllables: list[str], i: int, read: str, pairs: dict) -> bool:
    """A typed tone is only corrected when the correction is far more frequent: alone, or next to a
    typed neighbour the typed form never meets (``hướng dân`` → ``hướng dẫn``), unless the typed form
    is at home next to its other neighbour, as often there as the correction (``khói thuốc TP HCM``:
    "thuộc TP" is frequent and "thuốc TP" unseen, but "khói thuốc" is a phrase and "khói thuộc" not)."""
    typed = syllables[i]
    unlikely = form_count(lexicon, typed) * FAR_MORE < form_count(lexicon, read)
    for before, after in _next_to(syllables, i):
        typed_pair = pair_count(lexicon, before or typed, after or typed, pairs)
        read_pair = pair_count(lexicon, before or read, after or read, pairs)
        if typed_pair >= FAR_MORE_PAIRS and typed_pair * AT_HOME >= read_pair:
            return False
        unlikely = unlikely or (typed_pair == 0 and read_pair >= FAR_MORE_PAIRS)
    return unlikely


def _next_to(syllables: list[str], i: int) -> list[tuple[str | None, str | None]]:
    """The typed neighbours of ``syllables[i]``: (the one before, None) and (None, the one after)."""
    return ([(syllables[i - 1], None)] if i > 0 else []) + (
        [(None, syllables[i + 1])] if i < len(syllables) - 1 else []
    )


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
