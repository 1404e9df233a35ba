"""Diacritic restoration from the index's own text: ``quoc phong toan dan`` → ``quốc phòng toàn dân``.

Each folded syllable has a few accented readings in the lexicon (``dan``: dân, dẫn, đan, dần, ...). The
most likely sequence of readings is found with a bigram model over the lexicon's counts (Viterbi), and
forward-backward gives each syllable's posterior probability, which says where the reading is
confident. Bigram probabilities are smoothed towards the unigram distribution (Dirichlet prior), so a
pair never seen together still gets the more frequent reading of each syllable. A run of three or more
syllables is read with three-syllable counts, forwards and backwards, each syllable given its most
probable reading; in a text, a word capitalised inside a sentence is more likely a name.

Syllables the user typed with marks are kept as typed; only unmarked ones are restored. A general
dictionary-based restorer (pyvi ``add_accents``) got 59% of syllables right on administrative phrases;
the index knows its own vocabulary ("Bắc Kạn", "Bộ Chỉ huy Quân sự") and does much better.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..text.normalize import canonical_iy, canonical_tone, fold, has_diacritics, normalize_text
from .lexicon import Lexicon, syllable_key
from .ngrams import NUMBER, lexicon_word

MAX_CANDIDATES = 12  # accented readings per syllable, the most frequent first
MIN_SHARE = 0.002  # ... that occur at least this fraction as often as the most frequent one
PRIOR = 3.0  # weight of the unigram distribution in each bigram probability (Dirichlet smoothing)
# The reading of whole runs (restore) is chosen with pairs smoothed far more, and three-syllable counts
READING_PRIOR = 1000.0
TRIGRAM_PRIOR = 30.0  # weight of the pair probability in each three-syllable probability
LOWERCASE_AS_NAME = float(np.log(0.1))  # see _as_names
CONFIDENT = 0.6  # a restored syllable whose posterior reaches this is used for ranking
MAX_SYLLABLES = 64
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?:\n\"“”]")
_max, _sum = np.maximum.reduce, np.add.reduce  # the ufuncs, without the array methods' wrappers


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


WORKED_OUT_SIZE = {
    "readings": 50_000,
    "transitions": 10_000,
}  # a transition table is up to 12 x 12 x 2 floats


def worked_out(lexicon: Lexicon, part: str = "readings") -> dict:
    """A lexicon's cache of what is worked out from it: readings, pair counts, option sets and the
    spelling checks' verdicts on typed tones (``readings``), transition tables (``transitions``). A
    generation's lexicon never changes; each part is cleared when full, as the lexicon's own caches
    are. (Kept on the lexicon, so it goes with it; threads may race to fill or clear a part, which
    only costs a look-up again.)"""
    cache = lexicon.worked_out.get(part)
    if cache is None or len(cache) > WORKED_OUT_SIZE[part]:
        cache = lexicon.worked_out[part] = {}
    return cache


class Options:
    """One position's possible readings as the decoder takes them, built once per lexicon (see
    :func:`options`): the forms, their counts, the log of their unigram probabilities, and the
    indexes of the forms by syllable key and i/y-merged spelling (how pair counts are looked up)."""

    __slots__ = ("name", "forms", "counts", "log_unigram", "spelled")

    def __init__(self, name: tuple, found: list[tuple[str, float]], total: int):
        self.name = name
        self.forms = [form for form, _ in found]
        self.counts = np.array([count for _, count in found], dtype=float)
        self.log_unigram = np.log((self.counts + 0.5) / (total + 1.0))
        self.spelled: dict[str, dict[str, list[int]]] = {}
        for index, form in enumerate(self.forms):
            self.spelled.setdefault(syllable_key(form), {}).setdefault(canonical_iy(form), []).append(index)


def options(lexicon: Lexicon, name: tuple, found) -> Options:
    """The :class:`Options` called ``name`` (a tuple naming how they are made from the lexicon, such
    as ``("read", key)``: the same name must always give the same list); ``found()`` gives their
    (form, count) list the first time."""
    cache = worked_out(lexicon)
    made = cache.get(name)
    if made is None:
        made = cache[name] = Options(name, found(), max(1, lexicon.tokens))
    return made


def readings(lexicon: Lexicon, syllable: str) -> Options:
    """The accented readings of an unmarked syllable, as decoder options (its own spelling when the
    index has none)."""
    found = candidates(lexicon, syllable)
    if found:
        return options(lexicon, ("read", syllable_key(syllable)), lambda: found)
    return options(lexicon, ("unknown", syllable), lambda: [(syllable, 0)])


def candidates(lexicon: Lexicon, syllable: str) -> list[tuple[str, int]]:
    """The accented readings of an unmarked syllable with their counts, i/y spellings merged (a list
    shared by every caller: not to be changed in place)."""
    key = syllable_key(syllable)
    cache = worked_out(lexicon)
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


def restore(
    lexicon: Lexicon | None,
    syllables: list[str],
    keep: list[bool] | None = None,
    capitalised: list[bool] | None = None,
) -> Reading:
    """The most likely accented reading of ``syllables`` (lowercase, canonical tone).

    :param keep: which syllables stay as typed (default: those typed with marks); all ``False`` lets
        every syllable be read again, which is how a wrong tone mark is noticed.
    :param capitalised: which syllables were typed with a capital inside the text (a name): their
        readings the index mostly writes in lowercase are taken as less likely (see :func:`_as_names`).
    """
    syllables = syllables[:MAX_SYLLABLES]
    typed = list(syllables)
    if lexicon is None or not syllables:
        return Reading(typed, [1.0] * len(typed), typed)
    if keep is None:
        keep = [has_diacritics(s) for s in syllables]
    # a number is read as the lexicon counts numbers (see searcher.lexicon.ngrams.NUMBER), and stays as typed
    context = [lexicon_word(s) for s in syllables]
    chosen = [
        options(lexicon, ("typed", s), lambda s=s: [(s, form_count(lexicon, s))])
        if fixed or s == NUMBER
        else readings(lexicon, s)
        for s, fixed in zip(context, keep)
    ]
    names = _as_names(lexicon, chosen, capitalised) if capitalised and any(capitalised) else None
    best, confidence = decode(lexicon, chosen, trigrams=True, names=names)
    best = [t if s == NUMBER else b for t, s, b in zip(typed, context, best)]
    return Reading(best, confidence, typed)


def _as_names(lexicon: Lexicon, chosen: list[Options], capitalised: list[bool]) -> list[np.ndarray | None]:
    """Per position, the log-weight of each reading for being typed with a capital: 0 for readings
    the index mostly writes capitalised, :data:`LOWERCASE_AS_NAME` for the others (``Hai`` inside a
    sentence is more likely the name Hải than the number hai). None where nothing is said."""
    out: list[np.ndarray | None] = []
    for options_here, capital in zip(chosen, capitalised):
        if not capital or len(options_here.forms) < 2:
            out.append(None)
            continue
        named = [(lexicon.cased(form) or form)[:1].isupper() for form in options_here.forms]
        out.append(None if all(named) or not any(named) else np.where(named, 0.0, LOWERCASE_AS_NAME))
    return out


def form_count(lexicon: Lexicon, form: str) -> int:
    """How often ``form`` (one syllable, lowercase, canonical tone) occurs, i/y spellings merged."""
    return sum(c for f, c in candidates(lexicon, form) if canonical_iy(f) == canonical_iy(form))


def decode(
    lexicon: Lexicon, chosen: list[Options], trigrams: bool = False, names: list | None = None
) -> tuple[list[str], list[float]]:
    """The best sequence of readings (Viterbi) and each chosen reading's posterior (forward-backward
    over the transition probabilities, each step scaled to sum to one so that long queries do not
    underflow).

    :param chosen: each position's readings with their counts (weighted down where a reading is a
        guess, such as a typo correction); pairs are counted under the readings' own keys.
    :param trigrams: choose the sequence with the three-syllable counts too (see
        :func:`_trigram_path`); the posteriors stay those of the pair model, so a reading the two
        models disagree on is seldom confident.
    :param names: per position, log-weights added to its readings (see :func:`_as_names`), or None.
    """
    cache = worked_out(lexicon, "transitions")
    tables = [_transition(lexicon, a, b, cache) for a, b in zip(chosen, chosen[1:])]
    # (run for every unaccented query: the ufuncs are called directly, and the forward pass shares
    # the Viterbi loop)
    weights: list[np.ndarray | None] = [
        None if w is None else np.exp(w) for w in names or [None] * len(chosen)
    ]
    start = chosen[0].log_unigram if names is None or names[0] is None else chosen[0].log_unigram + names[0]
    score, back = start, []
    forward = np.exp(start - _max(start))
    forward /= _sum(forward)
    alpha = [forward]
    for i, (logs, probabilities) in enumerate(tables, 1):
        paths = score[:, None] + logs
        back.append(paths.argmax(axis=0))  # the first best, as max() over a list would pick
        score = _max(paths, axis=0)
        forward = forward @ probabilities
        weight = weights[i]
        if weight is not None:
            score = score + np.log(weight)
            forward = forward * weight
        forward /= _sum(forward)
        alpha.append(forward)
    path = [int(score.argmax())]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    path.reverse()
    if trigrams and len(chosen) > 2:
        smooth = [_transition(lexicon, a, b, cache, READING_PRIOR) for a, b in zip(chosen, chosen[1:])]
        path = _trigram_path(lexicon, chosen, smooth, names)
    confidence = [0.0] * len(chosen)
    confidence[-1] = float(forward[path[-1]])  # the last position: nothing comes after it
    backward = np.ones(len(forward))
    for i in range(len(tables) - 1, -1, -1):
        weight = weights[i + 1]
        if weight is not None:
            backward = backward * weight
        backward = tables[i][1] @ backward
        backward /= _sum(backward)
        joint = alpha[i] * backward
        confidence[i] = float(joint[path[i]] / _sum(joint))
    return [chosen[i].forms[k] for i, k in enumerate(path)], confidence


def _trigram_path(
    lexicon: Lexicon, chosen: list[Options], tables: list, names: list | None = None
) -> list[int]:
    """Each position's most probable reading under a second-order model (forward-backward over
    pairs of readings): the reading that is most often right, syllable by syllable, rather than the
    one best sequence. Each step weighs three consecutive readings by the three-syllable counts read
    both ways (see :func:`_trigram_probabilities`), so a context seen in the index decides ("từ đồng
    âm" against "tự động ẩm") and an unseen one falls back to the pairs."""
    cache = worked_out(lexicon, "transitions")
    weights: list[np.ndarray | None] = [
        None if w is None else np.exp(w) for w in names or [None] * len(chosen)
    ]
    first = np.exp(chosen[0].log_unigram - _max(chosen[0].log_unigram))
    if weights[0] is not None:
        first = first * weights[0]
    forward = first[:, None] * tables[0][1]  # (reading at 0, reading at 1)
    if weights[1] is not None:
        forward = forward * weights[1][None, :]
    forward /= forward.sum()
    forwards, steps = [forward], []
    for i in range(2, len(chosen)):
        step = _trigram_probabilities(
            lexicon, chosen[i - 2], chosen[i - 1], chosen[i], tables[i - 1][1], cache
        )
        weight = weights[i]
        if weight is not None:
            step = step * weight[None, None, :]
        steps.append(step)
        forward = np.einsum("ab,abc->bc", forward, step)
        forward /= forward.sum()
        forwards.append(forward)
    path = [0] * len(chosen)
    backward = np.ones_like(forwards[-1])
    for j in range(len(forwards) - 1, -1, -1):
        joint = forwards[j] * backward  # (reading at j, reading at j + 1), up to a constant
        path[j + 1] = int(joint.sum(axis=0).argmax())
        if j:
            backward = np.einsum("abc,bc->ab", steps[j - 1], backward)
            backward /= backward.sum()
        else:
            path[0] = int(joint.sum(axis=1).argmax())
    return path


def _trigram_probabilities(
    lexicon: Lexicon, a: Options, b: Options, c: Options, pair: np.ndarray, cache: dict
):
    """For every reading of the three positions, P(c | a, b) · P(a | b, c): the three-syllable count
    interpolated with the pair probability (a Dirichlet prior of weight :data:`TRIGRAM_PRIOR`), read
    forwards and backwards, so the words after a syllable say as much about it as those before
    (kept per triple of option sets). ``pair``: P(c | b)."""
    table = cache.get((a.name, b.name, c.name))
    if table is None:
        together = np.zeros((len(a.forms), len(b.forms), len(c.forms)))
        for key_a, ra in a.spelled.items():
            for key_b, rb in b.spelled.items():
                for key_c, rc in c.spelled.items():
                    for form, count in lexicon.forms(f"{key_a} {key_b} {key_c}"):
                        fa, _, rest = form.partition(" ")
                        fb, _, fc = rest.partition(" ")
                        for x in ra.get(canonical_iy(fa), ()):
                            for y in rb.get(canonical_iy(fb), ()):
                                for z in rc.get(canonical_iy(fc), ()):
                                    together[x, y, z] += count
        # (each conditioned on the key of the position read: the readings compete for that key only)
        after = (together + TRIGRAM_PRIOR * pair[None, :, :]) / (
            together.sum(axis=2, keepdims=True) + TRIGRAM_PRIOR
        )
        # P(a | b): the pair read backwards, smoothed as the forward one
        back_pair = (_together(lexicon, a, b, cache) + READING_PRIOR * np.exp(a.log_unigram)[:, None]) / (
            b.counts[None, :] + READING_PRIOR
        )
        before = (together + TRIGRAM_PRIOR * back_pair[:, :, None]) / (
            together.sum(axis=0, keepdims=True) + TRIGRAM_PRIOR
        )
        table = cache[(a.name, b.name, c.name)] = after * before
    return table


def _transition(
    lexicon: Lexicon, a: Options, b: Options, cache: dict, prior_weight: float = PRIOR
) -> tuple[np.ndarray, np.ndarray]:
    """The log and plain probabilities of each reading of ``b`` after each reading of ``a`` (kept
    in ``cache`` per pair of option sets: the same two words meet again in other queries)."""
    table = cache.get((a.name, b.name, prior_weight))
    if table is None:
        together = _together(lexicon, a, b, cache)
        prior = prior_weight * np.exp(b.log_unigram)
        logs = np.log((together + prior) / (a.counts[:, None] + prior_weight))
        table = cache[(a.name, b.name, prior_weight)] = (logs, np.exp(logs))
    return table


def _together(lexicon: Lexicon, a: Options, b: Options, cache: dict) -> np.ndarray:
    """How often each reading of ``b`` follows each reading of ``a`` (kept per pair of option sets)."""
    together = cache.get((a.name, b.name))
    if together is None:
        together = np.zeros((len(a.forms), len(b.forms)))
        for key_a, rows in a.spelled.items():
            for key_b, columns in b.spelled.items():
                for (form_a, form_b), count in _pair_counts(lexicon, key_a, key_b).items():
                    for row in rows.get(form_a, ()):
                        for column in columns.get(form_b, ()):
                            together[row, column] = count
        cache[(a.name, b.name)] = together
    return together


def pair_count(lexicon: Lexicon, a: str, b: str, cache: dict) -> int:
    """How often the forms ``a b`` occur together, i/y spellings merged (``cache``: by key pair)."""
    keys = (syllable_key(a), syllable_key(b))
    counts = cache.get(keys)
    if counts is None:
        counts = cache[keys] = _pair_counts(lexicon, *keys)
    return counts.get((canonical_iy(a), canonical_iy(b)), 0)


def _pair_counts(lexicon: Lexicon, key_a: str, key_b: str) -> dict[tuple[str, str], int]:
    cache = worked_out(lexicon)
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


def restore_text(lexicon: Lexicon | None, text: str) -> str:
    """``text`` with its unmarked words restored, keeping everything else (case, punctuation, marks)."""
    text = normalize_text(text)
    matches = list(_WORD.finditer(text))
    syllables = [canonical_tone(m.group().lower()) for m in matches]
    reading = restore(lexicon, syllables, capitalised=capitalised_inside(text, matches))
    return apply_reading(text, matches, reading.syllables)


def capitalised_inside(text: str, matches) -> list[bool]:
    """Which words of ``text`` start with a capital where a sentence does not start (names), words in
    capitals included when the text is not written all in capitals."""
    if text.isupper():
        return [False] * len(matches)
    out, sentence_start = [], True
    last = 0
    for match in matches:
        if _SENTENCE_END.search(text, last, match.start()):
            sentence_start = True
        out.append(not sentence_start and match.group()[:1].isupper())
        sentence_start, last = False, match.end()
    return out


def apply_reading(text: str, matches, syllables: list[str]) -> str:
    """Put restored ``syllables`` in place of the words ``matches`` of ``text``, keeping their case."""
    out, last = [], 0
    for match, new in zip(matches, syllables):
        out.append(text[last : match.start()])
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
