"""Diacritic restoration from the index's own text: ``quoc phong toan dan`` → ``quốc phòng toàn dân``.

Each folded syllable has a few accented readings in the lexicon (``dan``: dân, dẫn, đan, dần, ...). The
most likely sequence of readings is found with a bigram model over the lexicon's counts (Viterbi), and
forward-backward gives each syllable's posterior probability, which says where the reading is
confident. Bigram probabilities are smoothed towards the unigram distribution (Dirichlet prior), so a
pair never seen together still gets the more frequent reading of each syllable.

Syllables the user typed with marks are kept as typed; only unmarked ones are restored. A general
dictionary-based restorer (pyvi ``add_accents``) got 59% of syllables right on administrative phrases;
the index knows its own vocabulary ("Bắc Kạn", "Bộ Chỉ huy Quân sự") and does much better.
"""
from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass, field

import numpy as np

from .lexicon import Lexicon, syllable_key
from .normalize import canonical_iy, canonical_tone, fold, has_diacritics, normalize_text

MAX_CANDIDATES = 12  # accented readings per syllable, the most frequent first
MIN_SHARE = 0.002  # ... that occur at least this fraction as often as the most frequent one
PRIOR = 3.0  # weight of the unigram distribution in each bigram probability (Dirichlet smoothing)
CONFIDENT = 0.6  # a restored syllable whose posterior reaches this is used for ranking
MAX_SYLLABLES = 64
_WORD = re.compile(r"[^\W_]+")


@dataclass
class Reading:
    """The restored syllables (lowercase, as most often written), each with its posterior."""

    syllables: list[str]
    confidence: list[float] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.syllables != self.typed

    def confident(self, i: int) -> bool:
        return self.confidence[i] >= CONFIDENT


_WORKED_OUT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # lexicon -> {look-up: answer}
_WORKED_OUT_LOCK = threading.Lock()
WORKED_OUT_SIZE = 50_000


def _worked_out(lexicon: Lexicon) -> dict:
    """A lexicon's cache of the readings and pair counts worked out from it (a generation's lexicon
    never changes; cleared when full, as the lexicon's own caches are)."""
    with _WORKED_OUT_LOCK:
        cache = _WORKED_OUT.get(lexicon)
        if cache is None or len(cache) > WORKED_OUT_SIZE:
            cache = _WORKED_OUT[lexicon] = {}
        return cache


def candidates(lexicon: Lexicon, syllable: str) -> list[tuple[str, int]]:
    """The accented readings of an unmarked syllable with their counts, i/y spellings merged (a list
    shared by every caller: not to be changed in place)."""
    key = syllable_key(syllable)
    cache = _worked_out(lexicon)
    found = cache.get(("readings", key))
    if found is None:
        found = cache[("readings", key)] = _candidates(lexicon, key)
    return found


def _candidates(lexicon: Lexicon, key: str) -> list[tuple[str, int]]:
    merged: dict[str, list] = {}
    for form, count in lexicon.forms(key):
        if " " in form:
            continue
        canon = canonical_iy(form)
        entry = merged.get(canon)
        if entry is None:
            merged[canon] = [form, count]  # the forms come most frequent first: keep that spelling
        else:
            entry[1] += count
    ranked = sorted(merged.values(), key=lambda e: -e[1])[:MAX_CANDIDATES]
    # readings far rarer than the most frequent one cost decoding time and never win on context alone
    floor = ranked[0][1] * MIN_SHARE if ranked else 0
    return [(f, c) for f, c in ranked if c >= floor]


def restore(lexicon: Lexicon | None, syllables: list[str], keep: list[bool] | None = None) -> Reading:
    """The most likely accented reading of ``syllables`` (lowercase, canonical tone).

    :param keep: which syllables stay as typed (default: those typed with marks); all ``False`` lets
        every syllable be read again, which is how a wrong tone mark is noticed.
    """
    syllables = syllables[:MAX_SYLLABLES]
    typed = list(syllables)
    if lexicon is None or not syllables:
        return Reading(typed, [1.0] * len(typed), typed)
    if keep is None:
        keep = [has_diacritics(s) for s in syllables]
    options: list[list[tuple[str, int]]] = []
    for s, fixed in zip(syllables, keep):
        found = candidates(lexicon, s)
        if fixed:
            count = sum(c for f, c in found if canonical_iy(f) == canonical_iy(s))
            found = [(s, count)]
        elif not found:
            found = [(s, 0)]
        options.append(found)
    best, confidence = decode(lexicon, options)
    return Reading(best, confidence, typed)


def decode(lexicon: Lexicon, options: list[list[tuple[str, float]]]) -> tuple[list[str], list[float]]:
    """The best sequence of readings (Viterbi) and each chosen reading's posterior.

    :param options: each position's readings with their counts (weighted down where a reading is a
        guess, such as a typo correction); pairs are counted under the readings' own keys.
    """
    total = max(1, lexicon.tokens)
    counts = [np.array([c for _, c in opts], dtype=float) for opts in options]
    unigram = [np.log((c + 0.5) / (total + 1.0)) for c in counts]
    # position -> key -> i/y-merged spelling -> the indexes of the readings spelled so
    spelled = []
    for opts in options:
        by_key: dict[str, dict[str, list[int]]] = {}
        for index, (form, _) in enumerate(opts):
            by_key.setdefault(syllable_key(form), {}).setdefault(canonical_iy(form), []).append(index)
        spelled.append(by_key)
    transitions = []
    for i in range(len(options) - 1):
        together = np.zeros((len(options[i]), len(options[i + 1])))
        for key_a, rows in spelled[i].items():
            for key_b, columns in spelled[i + 1].items():
                for (form_a, form_b), count in _pair_counts(lexicon, key_a, key_b).items():
                    if form_a in rows and form_b in columns:
                        for row in rows[form_a]:
                            for column in columns[form_b]:
                                together[row, column] = count
        prior = PRIOR * np.exp(unigram[i + 1])
        transitions.append(np.log((together + prior) / (counts[i][:, None] + PRIOR)))
    score, back = unigram[0], []
    for table in transitions:
        paths = score[:, None] + table
        pointers = paths.argmax(axis=0)  # the first best, as max() over a list would pick
        score = paths[pointers, np.arange(paths.shape[1])]
        back.append(pointers)
    path = [int(score.argmax())]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    path.reverse()
    posterior = _posteriors(unigram[0], transitions)
    best = [options[i][k][0] for i, k in enumerate(path)]
    confidence = [float(posterior[i][k]) for i, k in enumerate(path)]
    return best, confidence


def pair_count(lexicon: Lexicon, a: str, b: str, cache: dict) -> int:
    """How often the forms ``a b`` occur together, i/y spellings merged (``cache``: by key pair)."""
    keys = (syllable_key(a), syllable_key(b))
    counts = cache.get(keys)
    if counts is None:
        counts = cache[keys] = _pair_counts(lexicon, *keys)
    return counts.get((canonical_iy(a), canonical_iy(b)), 0)


def _pair_counts(lexicon: Lexicon, key_a: str, key_b: str) -> dict[tuple[str, str], int]:
    cache = _worked_out(lexicon)
    counts = cache.get(("pairs", key_a, key_b))
    if counts is None:
        counts = cache[("pairs", key_a, key_b)] = _count_pairs(lexicon, key_a, key_b)
    return counts


def _count_pairs(lexicon: Lexicon, key_a: str, key_b: str) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for form, count in lexicon.forms(f"{key_a} {key_b}"):
        first, _, second = form.partition(" ")
        key = (canonical_iy(first), canonical_iy(second))
        counts[key] = counts.get(key, 0) + count
    return counts


def _posteriors(start: np.ndarray, transitions: list[np.ndarray]) -> list[np.ndarray]:
    """Per-position posterior probabilities of each reading (forward-backward in log space)."""
    alpha = [start]
    for table in transitions:
        alpha.append(np.logaddexp.reduce(alpha[-1][:, None] + table, axis=0))
    beta = [np.zeros(len(alpha[-1]))]
    for table in reversed(transitions):
        beta.insert(0, np.logaddexp.reduce(table + beta[0][None, :], axis=1))
    out = []
    for a, b in zip(alpha, beta):
        joint = a + b
        out.append(np.exp(joint - np.logaddexp.reduce(joint)))
    return out


def restore_text(lexicon: Lexicon | None, text: str) -> str:
    """``text`` with its unmarked words restored, keeping everything else (case, punctuation, marks)."""
    text = normalize_text(text)
    matches = list(_WORD.finditer(text))
    syllables = [canonical_tone(m.group().lower()) for m in matches]
    reading = restore(lexicon, syllables)
    return apply_reading(text, matches, reading.syllables)


def apply_reading(text: str, matches, syllables: list[str]) -> str:
    """Put restored ``syllables`` in place of the words ``matches`` of ``text``, keeping their case."""
    out, last = [], 0
    for match, new in zip(matches, syllables):
        out.append(text[last:match.start()])
        out.append(match_case(match.group(), new))
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def match_case(typed: str, new: str) -> str:
    """``new`` in the capitalisation of ``typed`` (``Dien`` + ``điện`` → ``Điện``)."""
    if fold(typed.lower()) != fold(new.lower()) and canonical_iy(fold(typed.lower())) != syllable_key(new):
        return typed
    if typed.isupper() and len(typed) > 1:
        return new.upper()
    if typed[:1].isupper():
        return new[:1].upper() + new[1:]
    return new
