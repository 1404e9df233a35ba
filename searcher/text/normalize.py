"""Vietnamese text normalisation: one canonical form for everything that enters the engine.

Documents pass through :func:`decode_text`: what is stored and shown keeps the source's dashes, quotes
and tone placement. Queries pass through :func:`normalize_text`. The analyzers read a document through
:func:`index_form`, which changes characters one for one, so offsets still refer to the stored string.
Token-level helpers (:func:`canonical_tone`, :func:`fold`) are used by the analysis filters.

>>> normalize_text("Ho\u0300a Bi\u0300nh")  # NFD input
'Hòa Bình'
>>> canonical_tone("hoà"), canonical_tone("uỷ"), canonical_tone("hoàn"), canonical_tone("quý")
('hòa', 'ủy', 'hoàn', 'quý')
>>> fold("Đường Quốc phòng")
'Duong Quoc phong'
"""

from __future__ import annotations

import re
import unicodedata

# Characters that carry no text: zero-width spaces/joiners, word joiner, BOM, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

# Look-alikes and typographic forms mapped to what a Vietnamese reader means. Every replacement is one
# character for one character, except the deletions above, so normalisation never surprises offsets later.
_REPLACE = str.maketrans(
    {
        "\u00d0": "\u0110",  # Icelandic eth, often typed for Đ
        "\u00f0": "\u0111",  # ð for đ
        "\u0189": "\u0110",  # African D for Đ
        "\u00a0": " ",  # no-break spaces
        "\u202f": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u3000": " ",
        "\u201c": '"',  # smart quotes: users paste them around phrases
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u2010": "-",  # hyphens and dashes
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "…",
    }
)

# C0/C1 control characters other than tab and newline become spaces (kept one-for-one).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINES = re.compile(r"\r\n?|\u2028|\u2029|\x85")

_DOUBLED_MARK = re.compile(r"([\u0300-\u036f])\1+")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_INVISIBLE_CHARS = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_REPLACED_CHARS = re.compile("[" + re.escape("".join(map(chr, _REPLACE))) + "]")


def _replacement(match: re.Match) -> str:
    return _REPLACE[ord(match.group())]


def decode_text(text: str) -> str:
    """``text`` as the source wrote it, with only what decoding must fix: line endings unified to
    ``\\n``, invisible characters removed, control characters blanked, NFC composition (also of
    Windows-1258 style precomposed vowel + combining tone) and doubled combining marks collapsed.

    This is the text that is stored and shown. NFC belongs here rather than in the index: highlights
    fold the stored text one character for one character, which a decomposed letter would break.
    Dashes, quotes, no-break spaces and tone placement are left as written (see :func:`index_form`).
    """
    text = _NEWLINES.sub("\n", text)
    # str.translate looks every character up in a dict: the few characters to change are searched for
    if _INVISIBLE_CHARS.search(text):
        text = text.translate(_INVISIBLE)
    # Text already in NFC without combining marks (most of it) cannot hold a doubled mark
    if not (unicodedata.is_normalized("NFC", text) and not _COMBINING.search(text)):
        decomposed = unicodedata.normalize("NFD", text)
        if _DOUBLED_MARK.search(decomposed):
            decomposed = _DOUBLED_MARK.sub(r"\1", decomposed)
        text = unicodedata.normalize("NFC", decomposed)
    return _CONTROL.sub(" ", text)


def index_form(text: str) -> str:
    """Look-alike letters, no-break spaces, smart quotes and dashes mapped to what a Vietnamese reader
    means, one character for one character: what the analyzers read, so offsets still fit the text."""
    if _REPLACED_CHARS.search(text):
        return _REPLACED_CHARS.sub(_replacement, text)
    return text


def normalize_text(text: str) -> str:
    """Return ``text`` in the engine's canonical form (queries, and text compared as a whole).

    :func:`decode_text`, then :func:`index_form`: look-alike letters, no-break spaces, smart quotes and
    dashes mapped.
    """
    return index_form(decode_text(text))


# --- tone placement -------------------------------------------------------------------------------
# In the open syllables oa, oe, uy the tone mark is written on either vowel ("hoà"/"hòa", "uỷ"/"ủy").
# The canonical form here puts it on the first vowel, the spelling most frequent in the corpus
# (VNTC: hòa 17,813 vs hoà 8,726). Closed syllables (hoàn, huỳnh) and the "qu" initial (quý) are
# unambiguous and left alone.
_OLD_STYLE = re.compile(
    r"^(?P<onset>[bcdfghklmnpqrstvxđBCDFGHKLMNPQRSTVXĐ]*)(?P<v1>[oOuU])(?P<v2>[aAeEyY])(?P<tone>[\u0300\u0301\u0303\u0309\u0323])$"
)


def canonical_tone(syllable: str) -> str:
    """Move the tone mark of an open ``oa``/``oe``/``uy`` syllable onto its first vowel.

    Works on one syllable in any case; anything else is returned unchanged.
    """
    if len(syllable) > 7 or not syllable:
        return syllable
    decomposed = unicodedata.normalize("NFD", syllable)
    match = _OLD_STYLE.match(decomposed)
    if not match:
        return syllable
    onset = match["onset"]
    if onset.lower().endswith("q"):
        return syllable  # "quý", "quỳ": the u belongs to the initial
    moved = onset + match["v1"] + match["tone"] + match["v2"]
    return unicodedata.normalize("NFC", moved)


# --- i/y spelling ---------------------------------------------------------------------------------
# After some single-consonant initials the same syllable is written with a final i or y (quý/quí,
# kỹ/kĩ, lý/lí, Mỹ/Mĩ, sỹ/sĩ, kỳ/kì, tỷ/tỉ, hy/hi): the 1984 spelling rules prefer i, usage is split
# and often prefers y. Matching uses one form (y, the more frequent in administrative text). Only the
# bare initial + i/y syllable changes: never the y of uy/ay/ây (huy, tay, cây), never an initial y (yêu,
# ý) and never gi/nghi, where i is not the vowel of its own.
_IY_ONSETS = "(?:qu|[hklmst])"
_IY_FINAL = re.compile(rf"^({_IY_ONSETS})([iìíỉĩịyỳýỷỹỵ])$")
_I_TO_Y = str.maketrans("iìíỉĩị", "yỳýỷỹỵ")
_Y_TO_I = str.maketrans("yỳýỷỹỵ", "iìíỉĩị")


def canonical_iy(syllable: str) -> str:
    """The y spelling of a lowercase syllable written either way (``kĩ`` → ``kỹ``, ``li`` → ``ly``).

    >>> canonical_iy("kĩ"), canonical_iy("quí"), canonical_iy("huy"), canonical_iy("gì"), canonical_iy("yêu")
    ('kỹ', 'quý', 'huy', 'gì', 'yêu')
    """
    if len(syllable) > 3 or not _IY_FINAL.match(syllable):
        return syllable
    return syllable.translate(_I_TO_Y)


def iy_variants(syllable: str) -> tuple[str, ...]:
    """Both spellings of an i/y syllable (``ky`` → ``ky``, ``ki``), or just the syllable."""
    if len(syllable) > 3 or not _IY_FINAL.match(syllable):
        return (syllable,)
    return (syllable.translate(_I_TO_Y), syllable.translate(_Y_TO_I))


# --- folding ------------------------------------------------------------------------------------------
_FOLD_CACHE: dict[str, str] = {}
_FOLD_CACHED_LENGTH = 64


def fold(text: str) -> str:
    """Remove all diacritics (``đ`` → ``d``), keeping case and length-independent meaning.

    Vietnamese letters are folded by Unicode decomposition, which is exact and fast; anything outside
    Latin (other scripts, symbols) goes through unidecode, imported only when such text appears.
    """
    cached = _FOLD_CACHE.get(text)
    if cached is not None:
        return cached
    decomposed = unicodedata.normalize("NFD", text)
    out = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    out = out.replace("đ", "d").replace("Đ", "D")
    if not out.isascii():
        out = "".join(ch if ch.isascii() else _unidecode_char(ch) for ch in out)
    if len(text) <= _FOLD_CACHED_LENGTH and len(_FOLD_CACHE) < 200_000:  # syllables and words, not texts
        _FOLD_CACHE[text] = out
    return out


def _unidecode_char(ch: str) -> str:
    from unidecode import unidecode

    return unidecode(ch)


def has_diacritics(text: str) -> bool:
    """True if folding would change ``text`` (it carries Vietnamese marks or ``đ``)."""
    return fold(text) != text
