"""Which province or centrally-run city a report is about.

The table holds Vietnam's 63 provinces and cities of 2008-2025 (the 34 units after the 2025 merger all
keep one of these names), well-known former names, and provincial cities and towns that reports name
instead of their province. Matching is on folded text (no diacritics, lowercase), so old tone placement
(``Thanh Hoá``), ``Ð`` for ``Đ`` and text typed without accents all match.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from ..text.fold import fold_offsets_preserved
from ..text.normalize import canonical_tone, fold, has_diacritics

PROVINCES = (
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bạc Liêu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Dương",
    "Bình Định",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lạng Sơn",
    "Lào Cai",
    "Lâm Đồng",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thành phố Hồ Chí Minh",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
)

# Other spellings and names → canonical name
ALIASES = {
    "TP.HCM": "Thành phố Hồ Chí Minh",
    "TP HCM": "Thành phố Hồ Chí Minh",
    "TPHCM": "Thành phố Hồ Chí Minh",
    "TP. Hồ Chí Minh": "Thành phố Hồ Chí Minh",
    "TP Hồ Chí Minh": "Thành phố Hồ Chí Minh",
    "Sài Gòn": "Thành phố Hồ Chí Minh",
    "Huế": "Thừa Thiên Huế",
    "Bà Rịa Vũng Tàu": "Bà Rịa - Vũng Tàu",
    "Vũng Tàu": "Bà Rịa - Vũng Tàu",
    "Đắc Lắc": "Đắk Lắk",
    "Daklak": "Đắk Lắk",
    "Đắk Nông": "Đắk Nông",
    "Hà Tây": "Hà Nội",
    "Hà Sơn Bình": "Hòa Bình",
    "Bắc Cạn": "Bắc Kạn",
    "Kontum": "Kon Tum",
}

# Provincial cities and towns that reports name instead of their province
TOWNS = {
    "Tam Điệp": "Ninh Bình",
    "Hạ Long": "Quảng Ninh",
    "Móng Cái": "Quảng Ninh",
    "Cẩm Phả": "Quảng Ninh",
    "Uông Bí": "Quảng Ninh",
    "Vinh": "Nghệ An",
    "Buôn Ma Thuột": "Đắk Lắk",
    "Pleiku": "Gia Lai",
    "Nha Trang": "Khánh Hòa",
    "Cam Ranh": "Khánh Hòa",
    "Đà Lạt": "Lâm Đồng",
    "Bảo Lộc": "Lâm Đồng",
    "Quy Nhơn": "Bình Định",
    "Tuy Hòa": "Phú Yên",
    "Phan Thiết": "Bình Thuận",
    "Phan Rang": "Ninh Thuận",
    "Biên Hòa": "Đồng Nai",
    "Thủ Dầu Một": "Bình Dương",
    "Mỹ Tho": "Tiền Giang",
    "Rạch Giá": "Kiên Giang",
    "Phú Quốc": "Kiên Giang",
    "Long Xuyên": "An Giang",
    "Châu Đốc": "An Giang",
    "Cao Lãnh": "Đồng Tháp",
    "Sa Đéc": "Đồng Tháp",
    "Việt Trì": "Phú Thọ",
    "Điện Biên Phủ": "Điện Biên",
    "Mường Lay": "Điện Biên",
    "Sầm Sơn": "Thanh Hóa",
    "Bỉm Sơn": "Thanh Hóa",
    "Đồng Hới": "Quảng Bình",
    "Đông Hà": "Quảng Trị",
    "Hội An": "Quảng Nam",
    "Tam Kỳ": "Quảng Nam",
    "Sa Pa": "Lào Cai",
    "Tuần Giáo": "Điện Biên",
}

_PREFIX = r"(?:tinh|thanh pho|tp\.?|thi xa|huyen|quan|tai|o)\s+"


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Folded lowercase spelling → canonical province name."""
    return {fold(spelling).lower(): place for spelling, place in _spellings().items()}


@lru_cache(maxsize=1)
def _accented() -> set[str]:
    """Every known spelling, lowercase with canonical tone placement."""
    return {_canonical(spelling) for spelling in _spellings()}


def _spellings() -> dict[str, str]:
    spellings = {p: p for p in PROVINCES}
    spellings.update(ALIASES)
    spellings.update(TOWNS)
    spellings["Hồ Chí Minh"] = "Thành phố Hồ Chí Minh"
    return spellings


def _canonical(words: str) -> str:
    return " ".join(canonical_tone(w) for w in words.lower().split())


def _is_name(original: str) -> bool:
    """Written as a proper name: capitalised, and with the place's own diacritics when it has any
    ("diễn biến" is not "Điện Biên", "tôn vinh" is not "Vinh")."""
    words = original.split()
    if not all(w[0].isupper() or not w[0].isalpha() for w in words):
        return False
    return not has_diacritics(original) or _canonical(original) in _accented()


def _trie_regex(words: list[str]) -> str:
    """One regex alternation of ``words`` arranged as a trie (spaces match any run of white space):
    at each position of a text the engine follows one branch per letter instead of trying every
    word in turn (a fifth of reading a news article went to this search). Longer words are tried
    before their prefixes, as in a longest-first alternation."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [
            (r"\s+" if ch == " " else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    return re.compile(rf"(?<![\w.])({_PREFIX})?({_trie_regex(list(_names()))})(?!\w)")


def find_places(title: str, text: str) -> list[str]:
    """Canonical names of the provinces/cities the report is about, most relevant first.

    A place counts when the title names it, when the text names it with an administrative word
    (``tỉnh``, ``thành phố``, ``TP``, ``huyện``, ``tại``, ``ở``), or when the text names it twice:
    a lone "hòa bình" (peace) is not the province of Hòa Bình.
    """
    names = _names()
    scores: Counter[str] = Counter()
    strong: set[str] = set()
    for source, weight in ((title, 100), (text, 1)):
        for match in _pattern().finditer(fold_offsets_preserved(source)):
            if not _is_name(source[match.start(2) : match.end(2)]):
                continue
            place = names[" ".join(match.group(2).split())]
            scores[place] += weight
            if weight == 100 or match.group(1):
                strong.add(place)
    return [p for p, n in scores.most_common() if p in strong or n >= 2]


def named_places(text: str) -> list[tuple[str, str, bool]]:
    """Every province or city name in ``text`` (a query: any case, with or without diacritics), as
    (canonical name, the name as written, whether an administrative word comes before it). A name
    written with diacritics counts only when they are the place's own ("diễn biến" is not Điện Biên)."""
    found = []
    for match in _pattern().finditer(fold_offsets_preserved(text)):
        written = text[match.start(2) : match.end(2)]
        if has_diacritics(written) and _canonical(written) not in _accented():
            continue
        found.append((_names()[" ".join(match.group(2).split())], written, bool(match.group(1))))
    return found
