"""Legacy Vietnamese font encodings: TCVN3 (ABC, ``.VnTime``) and VNI-Windows (``VNI-Times``).

Before Unicode, Vietnamese offices typed with fonts that drew Vietnamese letters in the slots of the
Western code page. Files keep those bytes, and every tool that reads them (Word, antiword, RTF readers,
PDF text layers) reports them as Windows-1252 characters: ``Céng hoµ`` for "Cộng hoà" (TCVN3) or
``Coäng hoøa`` (VNI). The converters here therefore work on such strings; raw bytes go through
Windows-1252 first.

Tables follow the published charts: TCVN 5712:1993 (the VN3 set, which has no precomposed toned
capitals: documents use the capital-only ``.VnTimeH`` font instead, whose glyphs draw every letter as
a capital) and the VNI-Windows keyboard-font layout (base letter followed by a mark character).
"""

from __future__ import annotations

import re
import unicodedata

from . import viet

# --- TCVN3 ------------------------------------------------------------------------------------
# byte -> letter, TCVN 5712:1993 VN3.
_TCVN3_BYTES = {
    0xA1: "Ă",
    0xA2: "Â",
    0xA3: "Ê",
    0xA4: "Ô",
    0xA5: "Ơ",
    0xA6: "Ư",
    0xA7: "Đ",
    0xA8: "ă",
    0xA9: "â",
    0xAA: "ê",
    0xAB: "ô",
    0xAC: "ơ",
    0xAD: "ư",
    0xAE: "đ",
    0xB5: "à",
    0xB6: "ả",
    0xB7: "ã",
    0xB8: "á",
    0xB9: "ạ",
    0xBB: "ằ",
    0xBC: "ẳ",
    0xBD: "ẵ",
    0xBE: "ắ",
    0xC6: "ặ",
    0xC7: "ầ",
    0xC8: "ẩ",
    0xC9: "ẫ",
    0xCA: "ấ",
    0xCB: "ậ",
    0xCC: "è",
    0xCE: "ẻ",
    0xCF: "ẽ",
    0xD0: "é",
    0xD1: "ẹ",
    0xD2: "ề",
    0xD3: "ể",
    0xD4: "ễ",
    0xD5: "ế",
    0xD6: "ệ",
    0xD7: "ì",
    0xD8: "ỉ",
    0xDC: "ĩ",
    0xDD: "í",
    0xDE: "ị",
    0xDF: "ò",
    0xE1: "ỏ",
    0xE2: "õ",
    0xE3: "ó",
    0xE4: "ọ",
    0xE5: "ồ",
    0xE6: "ổ",
    0xE7: "ỗ",
    0xE8: "ố",
    0xE9: "ộ",
    0xEA: "ờ",
    0xEB: "ở",
    0xEC: "ỡ",
    0xED: "ớ",
    0xEE: "ợ",
    0xEF: "ù",
    0xF1: "ủ",
    0xF2: "ũ",
    0xF3: "ú",
    0xF4: "ụ",
    0xF5: "ừ",
    0xF6: "ử",
    0xF7: "ữ",
    0xF8: "ứ",
    0xF9: "ự",
    0xFA: "ỳ",
    0xFB: "ỷ",
    0xFC: "ỹ",
    0xFD: "ý",
    0xFE: "ỵ",
}


def _cp1252_char(byte: int) -> str:
    return bytes([byte]).decode("cp1252", errors="ignore") or chr(byte)


# PDF producers name some glyphs of these fonts differently from Windows-1252: the slot of "ư" comes
# out as a minus sign and the slot of "ã" as a bullet operator.
_PDF_ALIASES = {0xAD: "\u2212", 0xB7: "\u2219"}

_TCVN3_TABLE: dict[int, str] = {}
for _b, _letter in _TCVN3_BYTES.items():
    _TCVN3_TABLE[ord(_cp1252_char(_b))] = _letter
    _TCVN3_TABLE[_b] = _letter  # latin-1 reading of the byte (0x80-0x9F differ, none used here)
for _b, _alias in _PDF_ALIASES.items():
    _TCVN3_TABLE[ord(_alias)] = _TCVN3_BYTES[_b]


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 text read as Windows-1252 (or Latin-1) characters into Unicode Vietnamese."""
    return text.translate(_TCVN3_TABLE)


def decode_tcvn3(data: bytes) -> str:
    return tcvn3_to_unicode(data.decode("cp1252", errors="replace"))


# --- VNI-Windows ------------------------------------------------------------------------------
# A Vietnamese letter is a base letter followed by one mark character (Windows-1252 names given).
_TONE_MARKS = {  # mark character (lower, upper) -> combining tone
    ("ù", "Ù"): "\u0301",  # sắc
    ("ø", "Ø"): "\u0300",  # huyền
    ("û", "Û"): "\u0309",  # hỏi
    ("õ", "Õ"): "\u0303",  # ngã
    ("ï", "Ï"): "\u0323",  # nặng
}
_CIRCUMFLEX = ("â", "Â")
_BREVE = ("ê", "Ê")
_CIRC_TONES = {
    ("á", "Á"): "\u0301",
    ("à", "À"): "\u0300",
    ("å", "Å"): "\u0309",
    ("ã", "Ã"): "\u0303",
    ("ä", "Ä"): "\u0323",
}
_BREVE_TONES = {
    ("é", "É"): "\u0301",
    ("è", "È"): "\u0300",
    ("ú", "Ú"): "\u0309",
    ("ü", "Ü"): "\u0303",
    ("ë", "Ë"): "\u0323",
}
# Letters that are a single character in VNI.
_VNI_SINGLE = {
    "ô": "ơ",
    "Ô": "Ơ",
    "ö": "ư",
    "Ö": "Ư",
    "ñ": "đ",
    "Ñ": "Đ",
    "í": "í",
    "Í": "Í",
    "ì": "ì",
    "Ì": "Ì",
    "æ": "ỉ",
    "Æ": "Ỉ",
    "ó": "ĩ",
    "Ó": "Ĩ",
    "ò": "ị",
    "Ò": "Ị",
    "î": "ỵ",
    "Î": "Ỵ",
}


def _build_vni() -> dict[str, str]:
    table: dict[str, str] = {}

    def nfc(s: str) -> str:
        return unicodedata.normalize("NFC", s)

    def add(base: str, marks: tuple[str, str], result: str) -> None:
        for mark in marks:
            table[base + mark] = nfc(result)
            table[base.upper() + mark] = nfc(result).upper()

    for base in "aeiouy":
        for marks, tone in _TONE_MARKS.items():
            add(base, marks, base + tone)
    for base in "aeo":
        add(base, _CIRCUMFLEX, base + "\u0302")
        for marks, tone in _CIRC_TONES.items():
            add(base, marks, base + "\u0302" + tone)
    add("a", _BREVE, "ă")
    for marks, tone in _BREVE_TONES.items():
        add("a", marks, "ă" + tone)
    for horn_in, horn_out in (("ô", "ơ"), ("ö", "ư")):
        for marks, tone in _TONE_MARKS.items():
            for mark in marks:
                table[horn_in + mark] = nfc(horn_out + tone)
                table[horn_in.upper() + mark] = nfc(horn_out + tone).upper()
    table.update(_VNI_SINGLE)
    return table


_VNI_TABLE = _build_vni()
_VNI_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_VNI_TABLE, key=len, reverse=True)))


def vni_to_unicode(text: str) -> str:
    """Convert VNI-Windows text read as Windows-1252 characters into Unicode Vietnamese."""
    return _VNI_PATTERN.sub(lambda m: _VNI_TABLE[m.group()], text)


def decode_vni(data: bytes) -> str:
    return vni_to_unicode(data.decode("cp1252", errors="replace"))


CONVERTERS = {"tcvn3": tcvn3_to_unicode, "vni": vni_to_unicode}


# --- fonts ------------------------------------------------------------------------------------
def font_encoding(font_name: str | None) -> str | None:
    """The legacy encoding a font name implies ("tcvn3", "vni") or None for Unicode fonts.

    ABC fonts are named ``.VnTime``, ``.VnArialH``... (PDF subsets drop the dot: ``ABCDEF+VnTime``);
    VNI fonts ``VNI-Times``, ``VNI-Helve``...
    """
    if not font_name:
        return None
    name = font_name.split("+", 1)[-1].strip().lower()
    if name.startswith(".vn") or (name.startswith("vn") and not name.startswith(("vni", "vn-"))):
        return "tcvn3"
    if name.startswith(("vni-", "vni ", "vni_")) or name == "vni":
        return "vni"
    return None


def is_capital_font(font_name: str | None) -> bool:
    """ABC capital fonts (``.VnTimeH``, ``.VnArialH``, ``VnTimeHBold``) draw every letter as a capital."""
    if not font_name or font_encoding(font_name) != "tcvn3":
        return False
    family = font_name.split("+", 1)[-1].split(",")[0].lstrip(".").lower()
    family = re.sub(r"(bold|italic|oblique|regular|\s|-)+$", "", family)
    return family.endswith("h")


# --- detection --------------------------------------------------------------------------------
def best_conversion(text: str) -> tuple[str, str | None]:
    """Pick the reading of ``text`` that looks most Vietnamese: as is, TCVN3 or VNI.

    Returns ``(text, None)`` when the text is better left alone. A conversion must win clearly, so
    genuine Unicode text (or text with no Vietnamese in it) is never touched.
    """
    original = viet.score(text)
    best, best_name, best_score = text, None, original
    for name, convert in CONVERTERS.items():
        converted = convert(text)
        if converted == text:
            continue
        s = viet.score(converted)
        if s > best_score:
            best, best_name, best_score = converted, name, s
    if best_name is None or best_score - original < 3:
        return text, None
    return best, best_name


def fix_lines(text: str, encoding: str) -> str:
    """Convert ``text`` line by line with ``encoding``, leaving lines that read better as they are.

    Documents mix legacy-font paragraphs with Unicode ones (a later edit, a header in Arial), so the
    document-level choice is applied only where it helps each line.
    """
    convert = CONVERTERS[encoding]
    out = []
    for line in text.split("\n"):
        if _has_unicode_letters(line):
            out.append(line)  # legacy fonts only ever yield Windows-1252 characters
            continue
        converted = convert(line)
        out.append(converted if converted != line and viet.score(converted) >= viet.score(line) else line)
    return "\n".join(out)


_ALIASES = set(_PDF_ALIASES.values())


def _has_unicode_letters(line: str) -> bool:
    for c in line:
        if ord(c) > 0xFF and c not in _ALIASES and c.isalpha():
            try:
                c.encode("cp1252")
            except UnicodeEncodeError:
                return True
    return False


def repair(text: str) -> tuple[str, str | None]:
    """Find legacy-encoded Vietnamese in already-decoded text and convert it; returns (text, encoding)."""
    _, name = best_conversion(text)
    if name is None:
        return text, None
    return fix_lines(text, name), name
