"""How Vietnamese a piece of text looks: the yardstick for choosing between candidate decodings.

A wrong decoding of Vietnamese bytes (cp1258 read as TCVN3, VNI read as cp1252, ...) produces words that
are not Vietnamese syllables. Counting the words that carry a non-ASCII letter and do form a valid
syllable, minus those that do not, ranks the candidates; plain ASCII words are ignored because every
decoding agrees on them.
"""

from __future__ import annotations

import re
import unicodedata

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below

# Syllable = onset? + vowel group + final consonant?; built from the Vietnamese orthography. The vowel
# groups are the spellings the language uses (toneless); the regex is strict enough that mojibake
# such as "coäng" or "hoµ" fails and loose enough for every real word.
_ONSETS = "ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x".split()
_VOWELS = (
    "a ă â e ê i o ô ơ u ư y "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê "
    "iêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu yêu uơi"
).split()
_CODAS = "ch nh ng c m n p t".split()


def _alt(items: list[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


_SYLLABLE = re.compile(rf"(?:{_alt(_ONSETS)})?(?:{_alt(_VOWELS)})(?:{_alt(_CODAS)})?")
_WORD = re.compile(r"[^\W\d_]+")
# Letters that a correct Vietnamese text has besides ASCII; anything else in a word is suspicious.
_VIET_LETTERS = set("ăâêôơưđĂÂÊÔƠƯĐ")


def is_syllable(word: str) -> bool:
    """True if ``word`` (any case, NFC or NFD) is a well-formed Vietnamese syllable with at most one tone."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(decomposed.count(t) for t in _TONES)
    if tones > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    if any(ord(c) > 0x7F and c not in _VIET_LETTERS for c in base):
        return False
    return _SYLLABLE.fullmatch(base) is not None


def score(text: str) -> int:
    """Valid minus invalid syllables among the words that contain a non-ASCII character.

    Symbols that wrong decodings leave behind (``§``, ``µ``, ``·``...) count against the text too.
    """
    text = unicodedata.normalize("NFC", text)
    total = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        total += 1 if is_syllable(word) else -1
    total -= sum(1 for c in text if c in _STRAY)
    return total


# Symbols typical of legacy bytes shown through a Western code page; real Vietnamese prose has none.
_STRAY = set("§µ·¸¹º»¼½¾¿¶¤¦¨©ª«¬®¯°±²³´\u00ad")
