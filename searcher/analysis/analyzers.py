"""Whoosh analysis for Vietnamese: syllable tokens with exact offsets, tone canonicalisation, folding,
syllable bigrams.

Vietnamese writes one syllable per space-separated unit, so syllables are the atoms; words of several
syllables (``quốc phòng``, ``khu vực phòng thủ``) are captured by the bigram field, which is what makes
adjacent-and-in-order matches rank higher and keeps queries fast (bigrams are far rarer than syllables).

The i/y spellings of one syllable (``kĩ``/``kỹ``, ``quí``/``quý``) are indexed as one (the y form).

Chains (all picklable: the schema, and so these objects, are pickled into the index):

>>> [t.text for t in exact_analyzer()("Hoà Bình, 21/2019/NĐ-CP")]
['hòa', 'bình', '21/2019/nđ-cp', 'nđ-cp', '21', '2019', 'nđ', 'cp']
>>> [t.text for t in folded_analyzer()("Hoà Bình")]
['hoa', 'binh']
>>> [t.text for t in bigram_analyzer()("Quốc phòng toàn dân")]
['quoc phong', 'phong toan', 'toan dan']

Offsets always point into the string given: ``value[t.startchar:t.endchar]`` is the token's source.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from operator import itemgetter
from pickle import dumps

from whoosh.analysis import Filter, LowercaseFilter, Token, Tokenizer
from whoosh.fields import TEXT
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from ..text.normalize import canonical_iy, canonical_tone, fold, index_form

# A token is a run of letters/digits; runs joined by "/", "-", "." or "," with no space between
# (document numbers such as 21/2019/NĐ-CP, dates 26/9/2019, numbers 1.000,5) form one compound.
_COMPOUND = re.compile(r"[^\W_]+(?:[/\-.,][^\W_]+)*")
_PART = re.compile(r"[^\W_]+")


class SyllableTokenizer(Tokenizer):
    """Split text into syllables, numbers and document-number parts with exact character offsets.

    Input: ``"Nghị định 21/2019/NĐ-CP"``
    Output (index mode): ``Nghị`` ``định`` ``21/2019/NĐ-CP`` ``21`` ``2019`` ``NĐ-CP`` ``NĐ`` ``CP``;
    whole compounds share the position of their first part, so phrase matching sees only the parts.
    In query mode only the parts are produced: a query ``21/2019/NĐ-CP`` becomes a phrase of its parts.
    """

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        assert isinstance(value, str), f"{value!r} is not a str"
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        t.stopped = False
        if not tokenize:
            t.original = t.text = value
            t.whole = False
            t.pos = start_pos
            t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        keep_wholes = mode != "query"
        pos = start_pos
        # stored text keeps its dashes and quotes: read as their plain forms, one for one (offsets hold)
        for match in _COMPOUND.finditer(index_form(value)):
            text = match.group()
            start = match.start()
            if text.isalnum():  # the common case: one syllable or number
                t.text = text
                t.whole = False
                t.pos = pos
                t.startchar, t.endchar = start_char + start, start_char + match.end()
                if keeporiginal:
                    t.original = text
                yield t
                pos += 1
                continue
            pieces = _compound_tokens(text, keep_wholes)
            for piece, offset, whole, place in pieces:
                t.text = piece
                t.whole = whole
                t.pos = pos + place
                t.startchar = start_char + start + offset
                t.endchar = t.startchar + len(piece)
                if keeporiginal:
                    t.original = piece
                yield t
            pos += pieces[-1][3] + 1  # the parts' positions follow one another


def _compound_tokens(text: str, keep_wholes: bool) -> list[tuple[str, int, bool, int]]:
    """The tokens of one compound (``21/2019/NĐ-CP``): (text, offset in the compound, whole?,
    position counted from its first part); with ``keep_wholes`` its whole pieces first, which share
    the position of the part they start with, then its parts."""
    tokens = []
    if keep_wholes:
        for piece, piece_start in _wholes(text):
            tokens.append((piece, piece_start, True, len(_PART.findall(text, 0, piece_start))))
    for place, part in enumerate(_PART.finditer(text)):
        tokens.append((part.group(), part.start(), False, place))
    return tokens


def _wholes(text: str):
    """The whole compound and its hyphenated slash-pieces (``NĐ-CP`` of ``21/2019/NĐ-CP``).

    A compound made only of letters joined by "." or "," is a missing space after punctuation
    ("tỉnh.Ngày"), not a code: it gets no whole token.
    """
    if not any(ch.isdigit() for ch in text) and not any(ch in "/-" for ch in text):
        return
    yield text, 0
    if "/" in text:
        offset = 0
        for piece in text.split("/"):
            if "-" in piece and piece != text:
                yield piece, offset
            offset += len(piece) + 1


class ToneFilter(Filter):
    """Canonical tone placement (``hoà`` → ``hòa``, ``uỷ`` → ``ủy``); expects lowercase tokens."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(self, tokens):
        for t in tokens:
            t.text = canonical_tone(t.text)
            yield t


class SpellingFilter(Filter):
    """One spelling for the i/y variants (``kĩ``/``kỹ`` → ``kỹ``, ``quí`` → ``quý``, ``li`` → ``ly``):
    both are in use for the same word, so they are indexed and searched as one; expects lowercase."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(self, tokens):
        for t in tokens:
            t.text = canonical_iy(t.text)
            yield t


class FoldFilter(Filter):
    """Remove diacritics (``quốc`` → ``quoc``, ``đ`` → ``d``); offsets are untouched."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


class BigramFilter(Filter):
    """Replace a syllable stream by its adjacent pairs joined by a space (``quoc phong``).

    Whole compound tokens are skipped (their parts take part instead). A text of one syllable yields
    that syllable, so one-word titles still match. Each bigram spans both syllables' characters.
    """

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(self, tokens):
        prev_text = None
        prev_start = 0
        pos = 0
        last = None
        for t in tokens:
            if getattr(t, "whole", False):
                continue
            last = t
            if prev_text is not None:
                text, start = t.text, t.startchar if t.chars else 0
                t.text = f"{prev_text} {text}"
                t.pos = pos
                if t.chars:
                    t.startchar = prev_start
                pos += 1
                yield t
                prev_text, prev_start = text, start
            else:
                prev_text, prev_start = t.text, (t.startchar if t.chars else 0)
        if last is not None and pos == 0:  # a single syllable: keep it as the only term
            last.text = prev_text
            last.pos = 0
            yield last


def exact_analyzer():
    """Syllables, lowercase, canonical tone placement and i/y spelling: the accent-sensitive fields."""
    return SyllableTokenizer() | LowercaseFilter() | ToneFilter() | SpellingFilter()


def folded_analyzer():
    """Syllables without diacritics (i/y spelling merged): the accent-insensitive fields."""
    return SyllableTokenizer() | LowercaseFilter() | FoldFilter() | SpellingFilter()


def bigram_analyzer():
    """Folded syllable bigrams: adjacency in a single cheap term."""
    return SyllableTokenizer() | LowercaseFilter() | FoldFilter() | SpellingFilter() | BigramFilter()


def exact_bigram_analyzer():
    """Accented syllable bigrams: rewards documents that match an accented query's exact words."""
    return SyllableTokenizer() | LowercaseFilter() | ToneFilter() | SpellingFilter() | BigramFilter()


# --- index time: one tokenisation of a text for all of its fields -----------------------------------
#
# A title and a body are each indexed in several forms (exact, folded, their bigrams), and Whoosh runs
# a field's whole analyzer chain per token, for every form: a fifth of an indexing run. The forms all
# start from the same lowercase syllables, so at index time the tokeniser runs once per text, each
# distinct syllable is normalised once, and a field counts its terms' frequencies and positions
# as Whoosh's formats do. Query and highlighting still use the chains above; the terms
# are the same (tests/test_analysis.py compares them).

_NORMAL_FORMS: dict[str, tuple[str, str]] = {}  # lowercase syllable -> (exact, folded)
_NORMAL_FORMS_LIMIT = 500_000
_last_text: list = [None, None]  # [text, its terms by form]: the fields of one text come one after another
# (a memo rather than passed on: the index writer (index/pool.py) asks each field for its terms in turn)


def _normal_forms(lower: str) -> tuple[str, str]:
    forms = _NORMAL_FORMS.get(lower)
    if forms is None:
        if len(_NORMAL_FORMS) >= _NORMAL_FORMS_LIMIT:
            _NORMAL_FORMS.clear()
        forms = _NORMAL_FORMS[lower] = (canonical_iy(canonical_tone(lower)), canonical_iy(fold(lower)))
    return forms


def _pair_parts(texts: list[str], wholes: list[bool] | None) -> list[str]:
    """The syllables whose adjacent pairs are a bigram field's terms (whole compounds left out)."""
    return texts if wholes is None else [text for text, whole in zip(texts, wholes) if not whole]


def _bigrams(parts: list[str]) -> list[str]:
    if len(parts) == 1:  # a single syllable is its own term
        return parts
    return list(map(" ".join, zip(parts, parts[1:])))


def _index_tokens(value: str) -> tuple[list[str], Sequence[int], list[bool] | None]:
    """The lowercase tokens of ``value`` in index mode, their positions and which are whole compounds
    (None: none is): what SyllableTokenizer gives, without a token object per token. Between two
    compounds (``21/2019/NĐ-CP``, ``1.000``) every regex match is a token of its own."""
    words = _COMPOUND.findall(index_form(value))
    plain = list(map(str.isalnum, words))
    if all(plain):
        return list(map(str.lower, words)), range(len(words)), None
    lowers: list[str] = []
    positions: list[int] = []
    wholes: list[bool] = []
    pos = last = 0
    for i in [i for i, is_plain in enumerate(plain) if not is_plain] + [len(words)]:
        run = words[last:i]  # single tokens up to the next compound
        lowers += map(str.lower, run)
        positions += range(pos, pos + len(run))
        wholes += [False] * len(run)
        pos += len(run)
        last = i + 1
        if i == len(words):
            break
        pieces = _compound_tokens(words[i], True)
        for piece, _, whole, place in pieces:
            lowers.append(piece.lower())
            positions.append(pos + place)
            wholes.append(whole)
        pos += pieces[-1][3] + 1
    return lowers, positions, wholes


def _index_forms(value: str) -> dict:
    """``value``'s index-time syllables by form (and the parts of its bigrams), worked out once per
    text: the fields of one text are indexed one after another."""
    cached_text, by_form = _last_text
    if cached_text is not value and cached_text != value:
        lowers, positions, wholes = _index_tokens(value)
        known = _NORMAL_FORMS.get
        normal = [known(lower) or _normal_forms(lower) for lower in lowers]
        exact = list(map(itemgetter(0), normal))
        folded = list(map(itemgetter(1), normal))
        by_form = {
            "exact": (exact, positions),
            "folded": (folded, positions),
            "bigram_parts": _pair_parts(folded, wholes),
            "exact_bigram_parts": _pair_parts(exact, wholes),
        }
        _last_text[:] = [value, by_form]
    return by_form


def index_terms(value: str, form: str) -> tuple[list[str], Sequence[int]]:
    """The terms the ``form`` analyzer gives ``value`` in index mode, and their positions."""
    by_form = _index_forms(value)
    terms = by_form.get(form)
    if terms is None:  # bigrams as strings: made only when asked for (the index writer takes the parts)
        bigrams = _bigrams(by_form[f"{form}_parts"])
        terms = by_form[form] = (bigrams, range(len(bigrams)))
    return terms


def index_pair_parts(value: str, form: str) -> list[str]:
    """The syllables of ``value`` whose adjacent pairs are the ``form`` bigram field's terms (a
    single syllable is a term of its own)."""
    return _index_forms(value)[f"{form}_parts"]


class SyllableText(TEXT):
    """A TEXT field in one form (exact, folded, bigram, exact_bigram): its analyzer for queries,
    one shared tokenisation per text when indexing."""

    _ANALYZERS = {
        "exact": exact_analyzer,
        "folded": folded_analyzer,
        "bigram": bigram_analyzer,
        "exact_bigram": exact_bigram_analyzer,
    }

    def __init__(self, form: str, **kwargs):
        super().__init__(analyzer=self._ANALYZERS[form](), **kwargs)
        self.form = form

    def index(self, value, **kwargs):
        """(term bytes, frequency, weight, encoded value) per distinct term, as Whoosh's formats
        give them: weight = frequency x field boost; the value packs the frequency or the positions."""
        columns = self.index_columns(value) if not set(kwargs) - {"mode"} else None
        if columns is None:
            return super().index(value, **kwargs)
        return list(zip(*columns))

    def index_columns(self, value) -> tuple[list, list, list, list] | None:
        """What :meth:`index` gives, column by column (term bytes, frequencies, weights, values), for
        a writer that stores them so; None where Whoosh's own indexing applies."""
        fmt = self.format
        if not isinstance(value, str) or type(fmt) not in (Frequency, Positions):
            return None
        terms, places = index_terms(value, self.form)
        distinct: Iterable[str]  # the terms, each once, in order of first sight
        if type(fmt) is Frequency:
            distinct = counted = Counter(terms)
            freqs = list(counted.values())
            values = list(map(_packed_uint, freqs))
        else:
            positions: defaultdict[str, list[int]] = defaultdict(list)
            distinct = positions
            for text, pos in zip(terms, places):
                positions[text].append(pos)
            freqs = list(map(len, positions.values()))
            values = list(map(_encoded_positions, positions.values()))
        boost = fmt.field_boost
        return list(map(str.encode, distinct)), freqs, [f * boost for f in freqs], values

    def index_pairs(self, value) -> list[str] | None:
        """For a bigram field, the syllables whose adjacent pairs are its terms in ``value``, for a
        writer that counts pairs of syllable numbers (:meth:`searcher.index.pool.TermPool.add_pairs`)
        rather than strings; None for other fields and values."""
        if (
            self.form not in ("bigram", "exact_bigram")
            or not isinstance(value, str)
            or type(self.format) is not Frequency
        ):
            return None
        return index_pair_parts(value, self.form)


_PACKED = [pack_uint(n) for n in range(256)]
_ONE_POSITION: dict[int, bytes] = {}
_ONE_POSITION_LIMIT = 1 << 16  # (a bound on that memo: positions run as far as the longest text)


def _packed_uint(n: int) -> bytes:
    return _PACKED[n] if n < 256 else pack_uint(n)


def _encoded_positions(where: list[int]) -> bytes:
    """Whoosh's ``Positions.encode``: the count, then the position deltas pickled (protocol 2)."""
    if len(where) == 1 and where[0] < _ONE_POSITION_LIMIT:  # most terms occur once in a text
        encoded = _ONE_POSITION.get(where[0])
        if encoded is None:
            encoded = _ONE_POSITION[where[0]] = pack_uint(1) + dumps(where, 2)
        return encoded
    return pack_uint(len(where)) + dumps([b - a for a, b in zip([0, *where], where)], 2)
