"""Which province or centrally-run city a report is about, and which it only mentions.

A name counts as a place only where the text names the place, not a longer name that contains it:
"Thái Bình Dương" (the Pacific), "Trương Hòa Bình" (a person), "Chủ tịch Hồ Chí Minh", a street
("đường Điện Biên Phủ"), a club ("Hoàng Anh Gia Lai") are no places. The word segmenter pyvi, run on a
short window around each candidate (at index time only: no query loads it), tells whether the name is
part of a longer word; the word before it tells a title, a street or a person's family name; a cue
("tỉnh X", "TP X", "UBND X", "tại X") makes it a place. Of the places a report names, a logistic model
over how and where each is named (title, lead, cues, how often against the others, as a venue, a
home, a team...) tells those the report is about (:func:`tag_places`); its weights are fitted on
hand-labelled articles by ``tests/bench/places_model.py`` and kept in :mod:`.place_weights`.

The table holds Vietnam's 63 provinces and cities of 2008-2025 (the 34 units after the 2025 merger all
keep one of these names), well-known former names, and provincial cities and towns that reports name
instead of their province. Matching is on folded text (no diacritics, lowercase), so old tone placement
(``Thanh Hoá``), ``Ð`` for ``Đ`` and text typed without accents all match.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

from ..text.fold import fold_offsets_preserved
from ..text.normalize import canonical_tone, fold, has_diacritics
from ..text.segmenter import word_segmenter
from . import place_weights
from .sites import site_of

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
    "TP. HCM": "Thành phố Hồ Chí Minh",
    "TP HCM": "Thành phố Hồ Chí Minh",
    "Thành phố HCM": "Thành phố Hồ Chí Minh",
    "TPHCM": "Thành phố Hồ Chí Minh",
    "TP. Hồ Chí Minh": "Thành phố Hồ Chí Minh",
    "TP Hồ Chí Minh": "Thành phố Hồ Chí Minh",
    "Sài Gòn": "Thành phố Hồ Chí Minh",
    "Huế": "Thừa Thiên Huế",
    "Bà Rịa Vũng Tàu": "Bà Rịa - Vũng Tàu",
    "Thừa Thiên - Huế": "Thừa Thiên Huế",
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

# "TP." may run into the name ("TP.Hà Nội", "TP.Hồ Chí Minh")
_PREFIX = r"(?:(?:tinh|thanh pho|tp|thi xa|tai|o|ubnd|hdnd|tinh uy|thanh uy)\s+|tp\.\s*)"
# Spellings that name a place only after a cue: bare "Hồ Chí Minh" is the person
_CUED_ONLY = frozenset({"ho chi minh"})
# Words (folded, one or two) after which a province's name is part of another name: a title, a
# street, a prize, a team. Kept as phrases: a single folded syllable such as "tu" or "chi" is also
# "từ" or "chỉ", after which a place is named every day
_NOT_PLACE_BEFORE = frozenset(
    " ".join(phrase.split())
    for phrase in """
    chu tich, tu tuong, giai thuong, lang, bao tang, nobel, duong, pho, clb, lac bo, doi tuyen, tau,
    khach san, cong vien, chien dich, hiep dinh, mang ten, nha tho, nhac si, hoa si, ca si
    """.split(",")
)
# Words, read with diacritics ("chị", not "chỉ"; "sông", not "sống"), that make the name after them
# another's: how a person is addressed before a given name ("anh Hòa Bình", "em Huế"), a river ("sông
# Thái Bình")
_NAMED_BEFORE = frozenset({"ông", "bà", "anh", "chị", "bác", "em", "cháu", "bé", "cụ", "cô", "chú", "sông"})
# A district, commune or ward named like a province ("huyện Quảng Ninh" is in Quảng Bình); a town's
# name after them ("thị xã Sầm Sơn") is the town
_SUBDIVISION_BEFORE = frozenset("huyen quan xa phuong thi tran".split())
# Words before "phố" that make it a city's streets, not a street's title: "tuyến phố Hà Nội", "các phố
# Hải Phòng", "đường phố Huế", "phố phường Hà Nội" ("phố Huế" alone is a street of Hà Nội)
_STREETS_OF = frozenset("tuyen cac nhieu nhung moi day duong".split())
# Capitalised words that may stand right before a place's name (any other capitalised word there makes
# the name part of a longer one: "Trương Hòa Bình", "Hoàng Anh Gia Lai", "Sông Đà Nam Định")
# (two-word cues as phrases: "Thành", "Công" alone are given names, "Thành Vinh", "Công Vinh" persons)
_CUE_WORDS = frozenset(
    """
    tinh tp tp. ubnd hdnd uy tai o ve den tu va cua vung mien tay dong nam bac trung so tand vksnd ca
    xa huyen quan phuong
    """.split()
) | frozenset({"thanh pho", "thu do", "cong an", "ca nuoc", "thi tran", "thi xa"})
_PYVI_CONTEXT_CHARS = 24  # three or four syllables each side: the segmenter looks two ahead and back


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Folded lowercase spelling → canonical province name."""
    return {fold(spelling).lower(): place for spelling, place in _spellings().items()}


def spelling_key(matched: str) -> str:
    """The key of :func:`_names` for a spelling as the text has it: one space between words, " - "
    for a dash however spaced ("Bà Rịa-Vũng Tàu", "Thừa Thiên – Huế")."""
    return _DASH.sub(" - ", " ".join(matched.split()))


_DASH = re.compile(r"\s*[-–—]\s*")


def canonical_place(typed: str) -> str | None:
    """The canonical name of the province or city ``typed`` names, however it is written ("dien bien",
    "TP HCM", "tỉnh Điện Biên"), or None when it names none: a filter then finds what the index holds."""
    key = spelling_key(fold(typed).lower())
    return _names().get(key) or _names().get(re.sub(rf"^{_PREFIX}", "", key))


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
    key = spelling_key(original)
    return not has_diacritics(key) or _canonical(key) in _accented()


def _trie_regex(words: list[str]) -> str:
    """One regex alternation of ``words`` arranged as a trie (spaces match any run of white space, " - "
    any dash however spaced):
    at each position of a text the engine follows one branch per letter instead of trying every
    word in turn (a fifth of reading a news article went to this search). Longer words are tried
    before their prefixes, as in a longest-first alternation."""
    trie: dict = {}
    for word in words:
        word = word.replace(" - ", "\x00")
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [
            _TRIE_CHARS.get(ch, re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


_TRIE_CHARS = {" ": r"\s+", "\x00": r"\s*[-–—]\s*"}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    return re.compile(rf"(?<![\w.])({_PREFIX})?({_trie_regex(list(_names()))})(?!\w)")


# national newspapers based in a city, whose "TP" is that city ("UBND TP", "Sở GTVT TP")
_PUBLISHER_HOMES = {
    "nguoi lao dong": "Thành phố Hồ Chí Minh",
    "nld.com.vn": "Thành phố Hồ Chí Minh",
    "tuoi tre": "Thành phố Hồ Chí Minh",
    "tuoitre.vn": "Thành phố Hồ Chí Minh",
    "thanh nien": "Thành phố Hồ Chí Minh",
    "thanhnien.vn": "Thành phố Hồ Chí Minh",
    "sai gon giai phong": "Thành phố Hồ Chí Minh",
    "sggp.org.vn": "Thành phố Hồ Chí Minh",
    "phap luat tp.hcm": "Thành phố Hồ Chí Minh",
    "plo.vn": "Thành phố Hồ Chí Minh",
    "ha noi moi": "Hà Nội",
    "hanoimoi.com.vn": "Hà Nội",
}


def home_place(source: str | None, url: str | None = None) -> str | None:
    """The province or city a source is based in, where its name or site says so: a provincial
    portal or paper ("dienbien.gov.vn", "Báo Nghệ An", "Cổng TTĐT tỉnh Lai Châu") or a newspaper
    based in a city ("Người Lao Động", "tuoitre.vn"); None for a national or unknown source."""
    for name in (source, site_of(url)):
        home = _home_of(name) if name else None
        if home:
            return home
    return None


@lru_cache(maxsize=1024)  # a folder's or JSONL file's documents share their source
def _home_of(name: str) -> str | None:
    key = fold(" ".join(name.split())).lower()
    if key in _PUBLISHER_HOMES:
        return _PUBLISHER_HOMES[key]
    if "." in key and " " not in key:  # a site: its name before the domain
        label = re.sub(r"(?:\.(?:gov|org|com|net|edu))?(?:\.vn)?$", "", key).rsplit(".", 1)[-1]
        names = _compact_names()
        for prefix in ("", "bao", "cong"):  # "baonghean.vn"; "congan..." is no province
            if label.startswith(prefix) and label[len(prefix) :] in names:
                return names[label[len(prefix) :]]
        return None
    named = {place for place, _, _ in _place_mentions(name)}
    return named.pop() if len(named) == 1 else None


@lru_cache(maxsize=1)
def _compact_names() -> dict[str, str]:
    """A place's spelling folded, without spaces, dashes or dots ("dienbien", "bariavungtau", "tphcm",
    "hue") → its canonical name: how sites are named after it."""
    return {re.sub(r"[^a-z]", "", fold(spelling).lower()): place for spelling, place in _spellings().items()}


# a province's or city's own bodies named without its name, as its own portal or paper writes them
# (the groups "level", "own" and "area" hold the word saying whether a province's or a city's); not
# "UBND tỉnh, thành phố", every province a national text speaks to
_UNNAMED_BODIES = re.compile(
    r"(?<!\w)(?:(?:UBND|HĐND|Công an|Văn phòng UBND|Liên đoàn Lao động|Sở(?: [^\W\d]+){1,5}?) "
    r"(?P<level>TP|thành phố|tỉnh)|(?P<own>Thành|Tỉnh) (?:ủy|uỷ|đoàn)|trên địa bàn (?P<area>TP|thành phố|tỉnh))"
    r"(?![\w.]|,?[ \t]*(?:thành phố|TP|tỉnh)\b)(?P<after>[ \t]*\w?)"
)
# the centrally-run cities, whose bodies are the city's ("Thành ủy", "UBND TP"), not a province's
_CITIES = frozenset({"Hà Nội", "Thành phố Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"})


def _another_place_acts(home: str, mentions: list, title_mentions: list) -> bool:
    """Whether the text names another place's bodies or the title another place: the words
    "UBND TP", "Thành ủy" may then stand for that place, not the source's home."""
    return any(
        kind in ("admin", "authority", "heading") for place, _, kind in mentions if place != home
    ) or any(kind not in _PASSING for place, _, kind in title_mentions if place != home)


def _unnamed_own_bodies(text: str, home: str) -> list[int]:
    """Offsets of the home place's bodies named without a name: "UBND TP cho biết" in a city's
    paper, "Tỉnh ủy" in a province's."""
    city = home in _CITIES
    found = []
    for body in _UNNAMED_BODIES.finditer(text):
        level = (body.group("level") or body.group("own") or body.group("area")).lower()
        if body.group("after").strip()[:1].isupper():
            continue  # a name follows: "UBND TP Hà Nội", "Tỉnh ủy Nghệ An"
        if (level != "tỉnh") == city:
            found.append(body.start())
    return found


def find_places(title: str, text: str) -> list[str]:
    """Canonical names of the provinces/cities the report is about, most relevant first."""
    return tag_places(title, text)[0]


def tag_places(
    title: str, text: str, lead_chars: int = 400, home: str | None = None
) -> tuple[list[str], list[str]]:
    """(places the report is about, every place it names), each most relevant first.

    Each place the text names is weighed by how it is named (:func:`place_features`): in the title,
    heading a section ("Quảng Bình: Thiệt hại ..."), in the lead (the first ``lead_chars`` characters
    after the title) and its first sentence, with an administrative cue or its authorities acting
    ("tỉnh X", "UBND X", "Công an X", "Sở ... X", "huyện Y (X)"), only as a venue ("tại X"), in how
    many sentences against the other places, where first. A logistic model over these, fitted on
    the labelled development articles (``tests/bench/places_model.py fit``, weights in
    :mod:`.place_weights`), decides. Mentions that weigh nothing by themselves: a person's home,
    origin, address or constituency ("quê Nghệ An", "ngụ tại ...", "địa chỉ: ...", a number plate,
    "đại biểu ... (Bến Tre)"), a figure's label (prices, rainfall, a score: "tại TP.HCM 1,29
    triệu"), a team, a company, newspaper or embassy named after or in the place, a place in a list
    of three or more, and the titles of related articles listed at the end (they are not even
    mentioned).

    ``home`` is the province or city the source is based in (:func:`home_place`): its own bodies
    named without a name ("UBND TP", "Thành ủy", "trên địa bàn tỉnh") are mentions of it, unless the
    text names another place's bodies or the title another place, which such words may then stand
    for.
    """
    candidates = _candidates(title, text, lead_chars, home)
    about = [c for c in candidates if subject_score(c.features) >= place_weights.THRESHOLD]

    def order(c: _Candidate) -> tuple:
        return (c.in_title, c.in_lead, c.sentences, c.place)

    about.sort(key=order, reverse=True)
    return [c.place for c in about], [c.place for c in sorted(candidates, key=order, reverse=True)]


def place_features(
    title: str, text: str, lead_chars: int = 400, home: str | None = None
) -> dict[str, list[float]]:
    """The features :func:`tag_places` weighs for each place the text names (in :data:`FEATURES`
    order), by canonical name: what the weights are fitted on."""
    return {c.place: c.features for c in _candidates(title, text, lead_chars, home)}


def subject_score(features: list[float]) -> float:
    """The model's probability that a report is about a place named with these features."""
    z = place_weights.BIAS + sum(w * x for w, x in zip(_weights(), features))
    return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0


@lru_cache(maxsize=1)
def _weights() -> tuple[float, ...]:
    if tuple(place_weights.WEIGHTS) != FEATURES:
        raise RuntimeError("searcher/ingest/place_weights.py was fitted on other features: refit it")
    return tuple(place_weights.WEIGHTS.values())


# What is weighed of each place a report names (see place_features)
FEATURES = (
    # named in a headline: the title (not in passing), a section's heading ("Quảng Bình: ..."), or
    # in news briefs ("Tin vắn ...") the summary or a brief, with a cue
    "headline",
    "lead",  # named in the lead
    "lead_twice",  # named in two sentences of the lead or more
    "lead_cued",  # named in the lead with an administrative cue or its authorities
    "opening",  # named in the lead's first sentence
    "sentences",  # log(1 + sentences naming it)
    "share",  # its share of the sentences naming any place
    "most_named",  # named in as many sentences as the most named place
    "under_title_place",  # named in fewer sentences than a place the title names
    "admin_cue",  # "tỉnh X", "TP X", "UBND X", or the text opens with it
    "authority",  # its police, courts, departments acting: "Công an X", "Sở ... X"
    "locating",  # locates a smaller place: "huyện Y (X)", "xã A, huyện B, X"
    "cues",  # log(1 + mentions with an administrative cue or its authorities)
    "venue_only",  # every mention is "tại X" / "ở X", with no other cue
    "passing_share",  # share of its mentions that weigh nothing (home, figure, team, company, list)
    "institution_share",  # share of its mentions naming a school, hospital, theatre... after it
    "route_share",  # share of its mentions at an end of a route or pair ("Hà Nội - Hải Phòng")
    "first_position",  # where it is first named, 0 (the title or the start) to 1 (the end, or never)
    "only_place",  # no other place is named (not in passing)
    "places",  # log(number of places named, not in passing)
    "other_title",  # the title names another place, not this one
    "national_lead",  # the lead names a national body (Chính phủ, Bộ, Quốc hội, Thủ tướng)
    "sport",  # a sports report (its places are mostly teams' and venues')
    "show",  # a report on the arts or entertainment (its places are mostly venues)
    "incident",  # a report of a crime, an accident or a disaster (its places are mostly where it happened)
    "subdivisions",  # log(1 + mentions of its districts or towns: "huyện Củ Chi", "Q.Ba Đình")
    "by_subdivision_only",  # every mention is of one of its districts or towns, none of its own name
)


class _Candidate:
    """What is known of one place a report names, gathered mention by mention."""

    __slots__ = (
        "place",
        "in_title",
        "heading",
        "in_lead",
        "lead_sentences",
        "lead_cued",
        "opening",
        "sentence_ids",
        "kinds",
        "passing",
        "first",
        "features",
    )

    def __init__(self, place: str) -> None:
        self.place = place
        self.in_title = self.heading = self.in_lead = self.lead_cued = self.opening = False
        self.lead_sentences: set[int] = set()
        self.sentence_ids: set[int] = set()
        self.kinds: Counter[str] = Counter()
        self.passing = 0
        self.first = -1
        self.features: list[float] = []

    @property
    def sentences(self) -> int:
        return len(self.sentence_ids)


def _candidates(title: str, text: str, lead_chars: int, home: str | None = None) -> list[_Candidate]:
    lead_start = _after_title(title, text)
    found: dict[str, _Candidate] = {}

    def candidate(place: str) -> _Candidate:
        if place not in found:
            found[place] = _Candidate(place)
        return found[place]

    # a title the text does not repeat is one more sentence (a report's text opens with its title)
    title_apart = lead_start == 0
    title_mentions = list(_place_mentions(title))
    mentions = list(_place_mentions(text))
    own_names = {place for place, _, _ in title_mentions} | {place for place, _, _ in mentions}
    # a district or town named with its administrative word is a mention of its province
    subdivisions = _subdivision_mentions(text, own_names)
    links = _related_links(text) if mentions or subdivisions else 0
    if links:
        mentions = [mention for mention in mentions if mention[1] < links]
        subdivisions = [mention for mention in subdivisions if mention[1] < links]
    listed_at = {mentions[index][1] for index in _in_lists(text, mentions)} if len(mentions) >= 3 else set()
    if home and not _another_place_acts(home, mentions, title_mentions):
        implied = [(home, start, "admin") for start in _unnamed_own_bodies(text, home)]
        if implied:
            mentions = sorted(mentions + implied, key=lambda mention: mention[1])
    for place, _, kind in title_mentions + _subdivision_mentions(title, own_names):
        c = candidate(place)
        if kind not in _PASSING:
            c.in_title = True
            if title_apart:
                c.sentence_ids.add(-1)
    if subdivisions:
        mentions = sorted(mentions + subdivisions, key=lambda mention: mention[1])
    lead_end = lead_start + lead_chars
    first_sentence_end = _end_of_sentence(text, lead_start)
    sentence, previous = 0, 0
    # the topic shows in the report's opening: reading the whole text costs more and tags no better
    opening = text[:_TOPIC_CHARS].lower()
    # in a sports report a place named with no cue is mostly a team ("Nam Định gặp Hòa Phát")
    sport = _names_two(opening, _SPORT_WORDS)
    for place, start, kind in mentions:
        if _SENTENCE_END.search(text, previous, start):
            sentence += 1  # only whether a sentence ended since the last mention matters
        previous = start
        c = candidate(place)
        if kind in _PASSING or (start in listed_at and kind != "heading") or (sport and kind == "plain"):
            c.passing += 1
            continue
        c.sentence_ids.add(sentence)
        c.kinds[kind] += 1
        if c.first < 0:
            c.first = start
        c.heading |= kind == "heading"
        if lead_start <= start < lead_end:
            c.in_lead = True
            c.lead_sentences.add(sentence)
            c.lead_cued |= kind in _CUED
            c.opening |= start < first_sentence_end
    candidates = list(found.values())
    if not candidates:
        return candidates
    subjects = [c for c in candidates if c.sentences]
    total = sum(c.sentences for c in subjects)
    top = max((c.sentences for c in subjects), default=0)
    title_top = max((c.sentences for c in candidates if c.in_title), default=0)
    briefs = bool(_BRIEFS_TITLE.match(fold(title).lower()))
    national = bool(_NATIONAL.search(text, lead_start, lead_end))
    show, incident = (_names_two(opening, words) for words in (_SHOW_WORDS, _INCIDENT_WORDS))
    title_places = sum(c.in_title for c in candidates)
    for c in candidates:
        named = sum(c.kinds.values())
        brief = briefs and (c.in_lead or any(c.kinds[k] for k in _CUED))
        c.features = [
            float(c.in_title or c.heading or brief),
            float(c.in_lead),
            float(len(c.lead_sentences) >= 2),
            float(c.lead_cued),
            float(c.opening),
            math.log1p(c.sentences),
            c.sentences / total if total else 0.0,
            float(top > 0 and c.sentences == top),
            float(not c.in_title and c.sentences < title_top),
            float(c.kinds["admin"] > 0),
            float(c.kinds["authority"] > 0),
            float(c.kinds["locating"] > 0),
            math.log1p(sum(c.kinds[k] for k in _CUED)),
            float(named > 0 and c.kinds["venue"] == named),
            c.passing / (c.passing + named) if c.passing + named else 0.0,
            c.kinds["institution"] / named if named else 0.0,
            c.kinds["route"] / named if named else 0.0,
            0.0 if c.in_title else c.first / len(text) if c.first >= 0 and text else 1.0,
            float(len(subjects) == 1 and c.sentences > 0),
            math.log(len(subjects)) if subjects else 0.0,
            float(title_places > 0 and not c.in_title),
            float(national),
            float(sport),
            float(show),
            float(incident),
            math.log1p(c.kinds["subdivision"]),
            float(named > 0 and c.kinds["subdivision"] == named),
        ]
    return candidates


def _end_of_sentence(text: str, start: int) -> int:
    found = _SENTENCE_END.search(text, start)
    return found.end() if found else len(text)


# mentions that do not make a place the subject by themselves: a person's home, a figure's label, a
# team, a company named after it
_PASSING = frozenset({"origin", "figure", "organisation", "signed"})
# mentions with an administrative cue: the place named as such, or its authorities acting
_CUED = ("admin", "authority", "locating", "heading")
# a national body in the lead: a place it names is more often a venue than the subject
_NATIONAL = re.compile(r"\b(?:Chính phủ|Thủ tướng|Quốc hội|Trung ương|Bộ [A-ZĐ]|toàn quốc|cả nước)")
# words of sports reports (lowercase): two of them or more make one
_SPORT_WORDS = (
    "hlv",
    "cầu thủ",
    "đội bóng",
    "trận đấu",
    "tỷ số",
    "bàn thắng",
    "v-league",
    "sea games",
    "vô địch",
    "vđv",
    "vận động viên",
    "clb",
    "tay vợt",
    "tay đua",
    "chặng",
)


# words of reports on the arts and entertainment, and of reports of crimes, accidents and disasters
_SHOW_WORDS = (
    "ca sĩ",
    "nghệ sĩ",
    "khán giả",
    "diễn viên",
    "đạo diễn",
    "bộ phim",
    "ca khúc",
    "album",
    "sân khấu",
    "liveshow",
    "hoa hậu",
    "người mẫu",
    "trình diễn",
    "triển lãm",
)
_INCIDENT_WORDS = (
    "tai nạn",
    "khởi tố",
    "bắt giữ",
    "bắt khẩn cấp",
    "hiện trường",
    "nạn nhân",
    "tử vong",
    "vụ án",
    "bị cáo",
    "nghi phạm",
    "đối tượng",
    "thiệt hại",
    "vụ cháy",
    "lũ lụt",
)


_TOPIC_CHARS = 1500


def _names_two(lowered: str, words: tuple[str, ...]) -> bool:
    """Two of ``words`` (lowercase) or more stand in the lowercased text ``lowered``: a report on their
    topic."""
    found = 0
    for word in words:
        found += _has_word(lowered, word)
        if found == 2:
            return True
    return False


def _has_word(text: str, word: str) -> bool:
    """``word`` stands in ``text`` as a whole word (a plain search: a regex over the text costs more)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if not _is_word_char(text[at - 1 : at]) and not _is_word_char(text[end : end + 1]):
            return True
        at = text.find(word, at + 1)
    return False


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


# news briefs and bulletins: "Tin vắn ngày 2/7", "Điểm tin chiều", "Bản tin 20H", "Tin tức thời sự 24h"
_BRIEFS_TITLE = re.compile(r"\s*(?:tin van|tin ngan|diem tin|ban tin|tin tuc)\b")
# what may stand between two places of one list: "A, B", "A; B", "A và B", "(A, B)", "A (B)"
_LIST_JOINER = re.compile(r"[\s,;()]*(?:\s(?:va|hay|hoac)\s)?[\s,;()]*")
# or items each followed by its place: "Trần Đề (Sóc Trăng), Tắc Cậu (Kiên Giang), Côn Đảo, cảng Cát Lở
# (Bà Rịa - Vũng Tàu)"
_ITEM_JOINER = re.compile(r"\)\s*[,;]\s*(?:va\s+)?[^()\n.;:]{1,40}\(")
# or places each with its figure: "Tp. Hồ Chí Minh tăng 16,4% (chiếm 26,1%), Hà Nội tăng 15%, ..."
# (a line may wrap inside an item, as in a PDF)
_FIGURE_JOINER = re.compile(
    r"(?=[^\n;:]*\d)(?:[^\n.;:]|\.(?=\d)|\n(?!\s*\n)){1,70}?[,;]\s*(?:va\s+)?(?:tinh\s+|tp\.?\s*)?"
)


def _in_lists(text: str, mentions: list[tuple[str, int, str]]) -> set[int]:
    """Indexes of the mentions that stand in a list of three places or more ("Nam Định, Thanh Hóa,
    Hà Tĩnh, Hậu Giang"): an example or a figure of many places, none of them the subject."""
    folded = fold_offsets_preserved(text)
    runs: list[list[int]] = []
    previous_end = -1
    for index, (_, start, _) in enumerate(mentions):
        joined = previous_end >= 0 and (
            _LIST_JOINER.fullmatch(folded, previous_end, start) is not None
            or _ITEM_JOINER.fullmatch(folded, previous_end, start) is not None
            or _FIGURE_JOINER.fullmatch(folded, previous_end, start) is not None
        )
        if joined and start > previous_end:
            runs[-1].append(index)
        else:
            runs.append([index])
        previous_end = _mention_end(folded, start)
    return {index for run in runs if len({mentions[i][0] for i in run}) >= 3 for index in run}


def _mention_end(folded: str, start: int) -> int:
    found = _pattern().match(folded, start)
    return found.end() if found else start


# the end of a sentence; not the dot of an abbreviation in capitals ("TP. Hà Nội", "Q. 1")
_SENTENCE_END = re.compile(r"[^\sA-ZĐ.][.!?…]+(?=\s)|;(?=\s)|\n")
# a related article's title with its date in brackets, as news sites list them under an article (the
# year left out for this year's: "... trọng tài(03/01)")
_RELATED_LINK = re.compile(r"\(\d{1,2}/\d{1,2}(?:/\d{4})?\)\s*$")
# a label among or above them: "Xem tiếp", "Tin liên quan", "Các tin khác"
_MORE_LINKS = re.compile(
    r"(?:xem (?:tiếp|thêm)|đọc thêm|(?:các )?(?:tin|bài) (?:liên quan|khác))\s*[:.»>]*", re.I
)


def _related_links(text: str) -> int:
    """Where the list of related articles' titles at the end of the text starts (0 when none): two
    such lines or more, read from the text's end up (blank lines between them)."""
    first, found = 0, 0
    end = len(text.rstrip())
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if line and not _MORE_LINKS.fullmatch(line):
            if not _RELATED_LINK.search(text, start, end):
                break
            first, found = start, found + 1
        end = start - 1
    return first if found >= 2 else 0


def _after_title(title: str, text: str) -> int:
    """Where the text's lead starts: after the title when the text opens with it (a cut headline is
    the start of the text's first line, the lead its rest)."""
    for head in (title, " ".join(title.split()[:6])):
        found = text.find(head, 0, 400) if head else -1
        if found >= 0:
            return found + len(head)
    return 0


# a run of words within a clause; the dot of "Q.", "H.", "P.", "TX.", "TP." (district, ward, town)
# does not end it
_CLAUSE = r"(?:[^.;()\n?!]|(?<=\b[hqp])\.|(?<=\btx)\.|(?<=\btp)\.)"
_STRONG_CUE = re.compile(r"^(?:(?:tinh|thanh pho|tp|thi xa|ubnd|hdnd|tinh uy|thanh uy)\s+|tp\.\s*)$")
# a person's home, origin or address, a contact address, a vehicle's plate: "quê Nghệ An", "ngụ tại
# ...", "số 8, phố Đào Tấn, ...", "biển số Đồng Tháp"
_ORIGIN = re.compile(
    r"\b(?P<cue>que(?:\s+quan)?|ngu|tru|sinh\s+ra|den\s+tu|goc|bien\s+(?:so|kiem\s+soat)|song"
    r"|sinh\s+nam\s+\d{4}|so\s+\d+\w*,?\s+(?:duong|pho|ngo|hem)"
    r"|\d+\s+tuoi\s*,\s*(?:nha\s+)?o)\b" + _CLAUSE + "{0,40}$"  # "81 tuổi, nhà ở quận 10, TP HCM"
    r"|\b(?P<cue2>nguoi)\s+$"  # "VĐV người Hải Phòng": where a person is from
    # a person's age or year of birth and address in brackets: "Nguyễn Đức Hùng (1984, Bùi Xương
    # Trạch, Hà Nội)", "anh Xiên (33 tuổi, ..., tỉnh Sơn La)"
    r"|\(\s*(?:sn\s*)?\d{1,4}(?:\s+tuoi)?\s*[,;]" + _CLAUSE + "{0,80}$"
    # a reader's or a person's name, age and home in brackets: "(Hoang Yen, 24 tuổi, TP HCM)"
    r"|\([^()\n,]{1,40},\s*\d{1,3}\s+tuoi\s*[,;]" + _CLAUSE + "{0,80}$"
    # a member of the National Assembly and the province that elected them: "đại biểu Lưu Bình Nhưỡng
    # (Bến Tre)", "ĐB Hoàng Thanh Phú (Thái Nguyên)", "Đại biểu Quốc hội tỉnh Bến Tre"; the words
    # between are the member's name
    r"|\b(?:dai bieu(?:\s+quoc\s+hoi)?|(?P<initials>dbqh|db))(?P<member>(?:\s+[^\W\d_]+){0,5})[ \t]*\(?$"
)
# as far back as _ORIGIN's longest alternative (a bracket's 80 characters) may start
_ORIGIN_REACH = 100
# folded words of _ORIGIN that are also other words ("ngự", "đội ngũ", "quế"): how a home is written
_ORIGIN_SPELLINGS = {
    "que": ("quê",),
    "ngu": ("ngụ",),
    "tru": ("trú", "trụ"),
    "goc": ("gốc",),
    "song": ("sống",),
    "nguoi": ("người",),
}


_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x1EFA)) if ch.isupper())
# a person named by how they are addressed and then their name, their home after a comma or in
# brackets: "Chị Nguyễn Thị Thiêu (phường Đông Hưng Thuận, quận 12, TP HCM)", "Ông Nguyễn Xuân Tiến,
# huyện Tiên Lãng, Hải Phòng tâm sự"; the home's parts each a name, after an administrative word or not
# (a part's words are apart by spaces: words that may also run together made the search exponential
# in a run of digits or capitals)
_PERSON_HOME = re.compile(
    rf"(?:^|\s)(?:[Aa]nh|[Cc]hị|[Ôô]ng|[Bb]à|[Ee]m|[Cc]háu|[Cc]ụ|[Bb]é)(?:\s+[{_UPPER}]\w*){{1,5}}\s*[(,]"
    rf"(?:\s*(?:(?:xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh|ấp|thôn|tổ|khu phố)\s+"
    rf"|(?:TP|TX|[HQP])\.\s*|TP\s+)?[{_UPPER}\d][\w.'/-]*(?:\s+[{_UPPER}\d][\w.'/-]*)*\s*,)*\s*"
    rf"(?:(?:xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh|ấp|thôn|tổ|khu phố)\s+|(?:TP|TX|[HQP])\.\s*|TP\s+)?$"
)


def _from_origin(text: str, folded: str, start: int) -> bool:
    """A person's home, origin, address or constituency comes right before ``start``."""
    if _PERSON_HOME.search(text, max(0, start - 120), start):
        return True
    position = max(0, start - _ORIGIN_REACH)
    while found := _ORIGIN.search(folded, position, start):
        member = text[found.start("member") : found.end("member")].split() if found.group("member") else []
        initials = text[found.start("initials") : found.end("initials")] if found.group("initials") else ""
        if not all(word[0].isupper() for word in member) or initials not in ("", "ĐB", "ĐBQH"):
            position = found.start() + 1  # "đoàn đại biểu người có công tỉnh X": a delegation
            continue
        cue = found.group("cue") or found.group("cue2") or ""
        spellings = _ORIGIN_SPELLINGS.get(cue.split()[0] if cue else "")
        if not spellings:
            return True
        at = found.start("cue") if found.group("cue") else found.start("cue2")
        if canonical_tone(text[at : at + len(spellings[0])].lower()) in spellings:
            return True
        position = found.start() + 1
    return False


# an address runs through street, ward and district before its province (an event's "Địa điểm:" too)
_ADDRESS = re.compile(r"\bdia\s+(?:chi\b|diem\s*:)" + _CLAUSE + "{0,100}$")
# a house number before the name and the address going on after it: "số 408 Điện Biên Phủ, P.11",
# "số 15/64 Hòa Bình, quận 11" (a street; "Khu quản lý số 1 TP.HCM", "bão số 7" number other things)
_HOUSE_NUMBER = re.compile(r"\bso\s+\d+[a-z]?(?:/\d+[a-z]?)*\s+$")
_ADDRESS_GOES_ON = re.compile(r"\s*,\s*(?:p\.?\s*\d+|phuong|q\.?\s*\d+|quan|huyen|xa|tp|thanh pho)\b")
# "GPO Box 313, Hà Nội, Việt Nam": a postal address, or a venue written for readers abroad
_COUNTRY_AFTER = re.compile(r"[ \t]*,[ \t]*viet[ \t]*nam\b")
# "huyện Phú Tân (Cà Mau)", "phường Hà Tu (TP Hạ Long, tỉnh Quảng Ninh)": a place locating a smaller one
_LOCATING = re.compile(
    r"\b(?:xa|phuong|thi tran|huyen|quan|thi xa|tp|thanh pho|ap|thon|cang|khu)\s[^()\n]{1,40}[(,]\s*$"
)


def _place_mentions(text: str):
    """(canonical place, offset, kind) of every name in ``text`` that names a place (see the module's
    notes); kind is "admin" (an administrative cue: "tỉnh X", "UBND X"), "authority" (its police,
    courts or departments: "Công an X"), "locating" (it locates a smaller place), "venue" ("tại X"),
    "heading" (it heads a section), "origin" (a person's home, a number plate), "signed" (where a
    document was signed: "Hà Nội, ngày 13 tháng 9 năm 2024"), "figure" (a figure's label, a team),
    "organisation" (a company, bank or paper), "institution" (a school, hospital, theatre) or
    "plain"."""
    if not text:
        return
    names = _names()
    folded = fold_offsets_preserved(text)
    for match in _pattern().finditer(folded):
        start, end = match.span(2)
        original = text[start:end]
        if not _is_name(original):
            continue
        spelling = spelling_key(match.group(2))
        cue = match.group(1)
        if spelling in _CUED_ONLY and not cue:
            continue
        self_cued = spelling.startswith(("tp", "thanh pho"))  # "TP.HCM", "Thành phố Hồ Chí Minh"
        event = not cue and _names_an_event(text, folded, start)
        if not (cue or self_cued or event) and not _stands_alone(text, folded, start, end):
            continue
        if not cue and place_is_province(spelling) and _after_subdivision(folded, start):
            continue
        if not cue and _BYLINE_AFTER.match(text, end):
            continue  # "Thái Bình/VOV-Miền Trung", "Vinh Quang/VOV-TPHCM": a reporter's name
        # a cue ("tỉnh X") makes it a place; only a capitalised neighbour can make a longer name
        if (
            not (cue or event)
            and _capitalised_neighbour(text, start, end)
            and _in_longer_word(text, start, end)
        ):
            continue
        before = folded[max(0, match.start() - 60) : match.start()]
        if _SIGNED_AFTER.match(folded, end):
            kind = "signed"
        elif (
            _from_origin(text, folded, match.start())
            or _ADDRESS.search(folded, max(0, match.start() - 120), match.start())
            or _COUNTRY_AFTER.match(folded, end)
            or (
                not (cue or self_cued)
                and _HOUSE_NUMBER.search(before) is not None
                and _ADDRESS_GOES_ON.match(folded, end) is not None
            )
        ):
            kind = "origin"
        elif (
            _FIGURE_AFTER.match(folded, end)
            or _TEAM_BEFORE.search(before)
            or _team_word_before(text, before, match.start())
        ):
            kind = "figure"
        elif _named_paper(text, before, match.start()):
            kind = "organisation"  # "báo Công an TP.HCM", "tờ Pháp Luật TP HCM": a paper, cue or not
        elif (not cue or not _STRONG_CUE.match(cue)) and (
            _named_organisation(text, before, match.start())
            or (not cue and _named_works(text, before, match.start()))
        ):
            kind = "organisation"  # also "Đại sứ quán Canada tại Hà Nội", "Văn phòng ... tại TP HCM"
        elif not cue and _named_institution(text, before, match.start()):
            kind = "institution"
        elif not cue and _on_a_route(text, start, end):
            kind = "route"
        elif _HEADING_AFTER.match(folded, end) and _opens_line(text, match.start()):
            kind = "heading"
        elif (cue and _STRONG_CUE.match(cue)) or match.start() == 0:
            kind = "admin"
        elif _acting_authority(text, before, match.start()):
            kind = "authority"
        elif not cue and _named_by_initials(text, match.start()):
            kind = "organisation"
        elif _LOCATING.search(before):
            kind = "locating"
        elif cue:
            kind = "venue"
        else:
            kind = "plain"
        yield names[spelling], start, kind


# a reporter's name signed before their agency's at an article's end, a place's name or beginning with one
_BYLINE_AFTER = re.compile(r"(?:[ \t]+[A-ZĐ]\w*){0,2}[ \t]*/[ \t]*(?:VOV|TTXVN|VNA|Vietnam\+|VTV|VTC|TTO)\b")


# "Hà Nội, ngày 13 tháng 9 năm 2024" ending a line (often after the document's number): where an
# official document was signed (the seat of whoever signed it), not what it is about
_SIGNED_AFTER = re.compile(
    r"[ \t]*,[ \t]*ngay[ \t]+\d{1,2}(?:[ \t]+thang[ \t]+\d{1,2}[ \t]+nam[ \t]+|[/.-]\d{1,2}[/.-])\d{4}"
    r"[ \t]*(?:\n|$)"
)
# "tại TP.HCM 1,29 triệu", "Văn Chấn (Yên Bái): 170 mm", "Hải Phòng 3-2": the label of a figure; "Đà
# Nẵng: số 2 Lê Lợi": of an address. A year after the name is none ("Festival Biển Vũng Tàu 2006")
_FIGURE_AFTER = re.compile(
    r"\)?[ \t]*:?[ \t]*(?:la[ \t]+)?(?!(?:19|20)\d\d(?![\d.,]))\d|\s*\n\d|[ \t]*:[ \t]*so[ \t]+\d"
)
# "đội bóng của TP HCM", "CLB Hải Phòng", "trong màu áo Công an TP.HCM": a team named after its city
_TEAM_BEFORE = re.compile(r"\b(?:doi bong|doi tuyen|clb|cau lac bo|mau ao)(?:\s+(?:cua|tre|nu))?\s+$")
# "đội Hà Nội", "nữ TP HCM", "U23 Thái Lan": a team, when written so ("đợi", "nụ" are other words)
_TEAM_WORD = re.compile(r"\b(doi|nu|u\d\d)\s+$")


def _team_word_before(text: str, folded_before: str, position: int) -> bool:
    found = _TEAM_WORD.search(folded_before)
    if not found:
        return False
    at = position - len(folded_before) + found.start(1)
    written = canonical_tone(text[at : at + len(found.group(1))].lower())
    return written in ("đội", "nữ") or written[0] == "u"


# "Quảng Bình: Thiệt hại hơn 12 tỷ đồng" opening a line: the heading of a section on that place
_HEADING_AFTER = re.compile(r"[ \t]*:[ \t]")
# the authorities of a province acting: "UBND tỉnh X", "Sở Giao thông vận tải X", "Công an TP X",
# "TAND Quảng Trị"
_AUTHORITY_BEFORE = re.compile(
    r"\b(?:(?:ubnd|hdnd|uy ban nhan dan|tinh uy|thanh uy|thanh doan|tinh doan|cong an|catp|tand|vksnd|vks"
    r"|toa an nhan dan|vien kiem sat nhan dan)|(so|chi cuc|cuc|trung tam|phong|ban|thanh tra|kho bac"
    r"|bo chi huy|canh sat)(?:\s+[^\W\d][\w&]*){1,5}?)\s+$"
)
# the bodies of _AUTHORITY_BEFORE whose folded word is also another ("số", "phóng", "bán"): capitalised
_AUTHORITY_WORDS = frozenset(
    _canonical(words)
    for words in (
        "Sở",
        "Chi cục",
        "Cục",
        "Trung tâm",
        "Phòng",
        "Ban",
        "Thanh tra",
        "Kho bạc",
        "Bộ Chỉ huy",
        "Cảnh sát",
    )
)


# a company, bank, exchange or newspaper named after a place: "Công ty Vàng bạc đá quý Sài Gòn",
# "TTGDCK TP HCM", "Báo Hà Nội mới"; its own words capitalised, lower-case words may follow
_ORGANISATION_BEFORE = re.compile(
    r"\b(cong ty|tong cong ty|tap doan|ngan hang|ttgdck|ttck|so giao dich|trung tam giao dich"
    r"|trung tam chung khoan|trung tam luu ky|bao"
    r"|dai su quan|tong lanh su quan|lanh su quan|van phong|dai)"
    r"(?:\s+[^\W\d]+){0,5}?\s+$"
)
_ORGANISATION_WORDS = frozenset(
    _canonical(words)
    for words in (
        "Công ty",
        "Tổng công ty",
        "Tập đoàn",
        "Ngân hàng",
        "TTGDCK",
        "TTCK",
        "Sở giao dịch",
        "Trung tâm giao dịch",
        "Trung tâm chứng khoán",
        "Trung tâm lưu ký",
        "Báo",
        "Đài",
        "Đại sứ quán",
        "Tổng lãnh sự quán",
        "Lãnh sự quán",
        "Văn phòng",
    )
)


def _named_organisation(text: str, folded_before: str, position: int) -> bool:
    """The organisation's own word, capitalised, stands a few words before the place's name
    ("Báo", not "bão"; "Công ty", not "công ty" in running text)."""
    offset = position - len(folded_before)
    # every start is tried: "Đại diện Lãnh sự quán Mỹ tại" first matches "đại" (Đài), not the consulate
    at = 0
    while found := _ORGANISATION_BEFORE.search(folded_before, at):
        written = text[offset + found.start(1) : offset + found.end(1)]
        if written[:1].isupper() and _canonical(written) in _ORGANISATION_WORDS:
            return True
        at = found.start() + 1
    return False


# a newspaper whose title ends with a place and its cue: "báo Công an TP.HCM", "tờ Pháp Luật TP HCM";
# "báo" as its own word (not "thông báo", "dự báo", "họp báo", "trình báo") and the title capitalised
_PAPER_BEFORE = re.compile(
    r"(?<!thong )(?<!canh )(?<!du )(?<!tinh )(?<!hop )(?<!trinh )(?<!khai )(?<!tuyen )"
    r"\b(bao|to|tap chi)(?:\s+[^\W\d][\w.]*){1,4}?\s+$"
)
_PAPER_WORDS = frozenset(("báo", "tờ", "tạp chí"))


def _named_paper(text: str, folded_before: str, position: int) -> bool:
    found = _PAPER_BEFORE.search(folded_before)
    if not found:
        return False
    offset = position - len(folded_before)
    written = text[offset + found.start(1) : offset + found.end(1)]
    title = text[offset + found.end(1) : position].split()
    return canonical_tone(written.lower()) in _PAPER_WORDS and title[0][:1].isupper()


# a dam, power plant or reservoir named after a place: "thủy điện Hòa Bình", "hồ Hòa Bình", "nhà máy
# thủy điện Sơn La" (the works, wherever the report is)
_WORKS_BEFORE = re.compile(r"\b(?:thuy\s+dien|(?<!giang )(?<!phu )(ho))\s+$")  # not "giang hồ", "phụ hồ"


def _named_works(text: str, folded_before: str, position: int) -> bool:
    found = _WORKS_BEFORE.search(folded_before)
    if not found:
        return False
    if not found.group(1):
        return True
    at = position - len(folded_before) + found.start(1)
    return canonical_tone(text[at : at + 2].lower()) == "hồ"  # not "họ", "hộ", "hổ"


# a school, university, institute, hospital, theatre or troupe named after a place: "ĐH Bách khoa Hà
# Nội", "Bệnh viện Đa khoa Quảng Nam", "Nhà hát Kịch Hà Nội"; its own word capitalised
_INSTITUTION_WORD = re.compile(
    r"\b(?:dai hoc|dhqg|dh|truong|hoc vien|vien|benh vien|bv|nha hat|doan|bao tang|thu vien|buu dien)\b"
)
_WORDS_TO_NAME = re.compile(r"(?:\s+[^\W\d_]+){0,5}\s+")


def _named_institution(text: str, folded_before: str, position: int) -> bool:
    offset = position - len(folded_before)
    for found in _INSTITUTION_WORD.finditer(folded_before):
        if text[offset + found.start()].isupper() and _WORDS_TO_NAME.fullmatch(folded_before, found.end()):
            return True
    return False


# "tuyến TPHCM - Phan Thiết", "đường bay Đà Nẵng - Singapore": an end of a route or a pair
_ROUTE_AFTER = re.compile(r"[ \t]*[-–—][ \t]*[A-ZĐ]")
_ROUTE_BEFORE = re.compile(r"[^\W\d_][ \t]*[-–—][ \t]*$")


def _on_a_route(text: str, start: int, end: int) -> bool:
    if _ROUTE_AFTER.match(text, end):
        return True
    before = text[max(0, start - 20) : start]
    # "Thừa Thiên - Huế", "Bà Rịa-Vũng Tàu" are one name
    return bool(_ROUTE_BEFORE.search(before)) and not before.rstrip(" \t-–—").endswith(("Thiên", "Rịa"))


# a company's, bank's or team's initials right before the name ("VCB TP HCM", "BVTV An Giang"), not
# those of an authority ("CSGT Hà Nội") or of a city's name
_INITIALS_BEFORE = re.compile(r"(?<![\w.])([A-ZĐ]{2,6})[ \t]+$")
_AUTHORITY_INITIALS = frozenset(
    "UBND HĐND TAND VKSND VKS CA CATP CAT CAH CAQ CQĐT CSĐT CSGT CSCĐ PC TP TX MTTQ UBMTTQ".split()
)
# nor a school level's ("tốt nghiệp PTTH TP HCM": the city's secondary schools)
_SCHOOL_LEVELS = frozenset("PTTH THPT THCS PTCS TNPT BTVH".split())


def _named_by_initials(text: str, position: int) -> bool:
    found = _INITIALS_BEFORE.search(text, max(0, position - 12), position)
    return found is not None and found.group(1) not in _AUTHORITY_INITIALS | _SCHOOL_LEVELS


def _opens_line(text: str, position: int) -> bool:
    return not text[text.rfind("\n", 0, position) + 1 : position].strip()


def _acting_authority(text: str, folded_before: str, position: int) -> bool:
    """An authority of the province comes right before its name: a people's committee, a party
    committee, the police, a court, a department or office ("Sở", "Chi cục", "Trung tâm",
    capitalised: folded "so" is also "số", a number)."""
    found = _AUTHORITY_BEFORE.search(folded_before)
    if not found:
        return False
    if found.group(1):
        offset = position - len(folded_before)
        written = text[offset + found.start(1) : offset + found.end(1)]
        return written[:1].isupper() and _canonical(written) in _AUTHORITY_WORDS
    return True


# --- districts, towns and communes: the province a smaller place lies in (see .subdivisions) --------

# the words before a district's name (folded) and the kind of district each names; "H.", "Q." only
# with their dot, "TX", "TP" with a dot or a space, all three written in capitals
_DISTRICT_WORDS = {"huyen": "huyện", "quan": "quận", "thi xa": "thị xã", "thanh pho": "thành phố"}
_DISTRICT_LETTERS = {"h": "huyện", "q": "quận"}
_DISTRICT_INITIALS = {"tx": "thị xã", "tp": "thành phố"}
_DISTRICT_CUES = (*_DISTRICT_WORDS, "h.", "q.", *_DISTRICT_INITIALS)


@lru_cache(maxsize=1)
def _subdivision_pattern() -> re.Pattern:
    from .subdivisions import gazetteer

    words = "|".join(re.sub(" ", r"\\s+", w) for w in _DISTRICT_WORDS)
    letters, initials = "|".join(_DISTRICT_LETTERS), "|".join(_DISTRICT_INITIALS)
    cue = rf"(?:({words})\s+|({letters})\.\s*|({initials})(?:\.\s*|\s+))"
    return re.compile(rf"(?<![\w.]){cue}({_trie_regex(sorted(gazetteer()))})(?!\w)")


def _subdivision_mentions(text: str, named: set[str]) -> list[tuple[str, int, str]]:
    """(province, offset, kind) of every district or town of a province that ``text`` names after its
    administrative word ("huyện Củ Chi", "thị xã Sơn Tây", "Q.Ba Đình", "TP Thủ Đức"). A name several
    provinces share ("Châu Thành") counts only when the report names one of them itself ("huyện Phú
    Tân (Cà Mau)"), or the word before it tells which ("quận Hoàng Mai" is Hà Nội's, "thị xã Hoàng
    Mai" Nghệ An's). A name that is also a province's or a town's is left to :func:`_place_mentions`,
    except after "huyện" or "quận" ("huyện Quảng Ninh" is in Quảng Bình). Kind is "subdivision", or as
    for a province's name "origin" (a home, an address), "figure", "organisation" or "institution".
    Communes and wards are not read: their names repeat far more, and reading them tagged no better."""
    if not text:
        return []
    from .subdivisions import gazetteer

    table = gazetteer()
    folded = fold_offsets_preserved(text)
    pattern = _subdivision_pattern()
    found = []
    matched_to = 0
    for at in _cue_starts(folded, _DISTRICT_CUES):
        match = pattern.match(folded, at) if at >= matched_to else None
        if not match:
            continue
        matched_to = match.end()
        word, letter, initial = match.group(1, 2, 3)
        cue_at = match.start()
        written_cue = text[cue_at : cue_at + len(word or letter or initial)]
        if word:
            kind = _DISTRICT_WORDS[" ".join(word.split())]
            if has_diacritics(written_cue) and _canonical(" ".join(written_cue.split())) != kind:
                continue  # "quân", "quan", "Huyền", "xa": other words
        elif not written_cue[:1].isupper():
            continue
        elif letter:
            kind = _DISTRICT_LETTERS[letter]
            if _initial_of_a_name(text, cue_at):
                continue  # "Nguyễn Văn H." is a person
        else:
            kind = _DISTRICT_INITIALS[initial]
        start, end = match.span(4)
        original = text[start:end]
        if not all(w[0].isupper() or w[0].isdigit() for w in original.split()):
            continue
        key = " ".join(match.group(4).split())
        if key in _names() and _is_name(original):
            # a province's or town's own name: read as such unless "huyện" or "quận" comes before it
            if not (word and word in ("huyen", "quan") and place_is_province(key)):
                continue
        place = _division_place(table[key], original, kind, named)
        if place is None or _continues_as_name(text, start, end):
            continue
        before = folded[max(0, cue_at - 60) : cue_at]
        if _from_origin(text, folded, cue_at) or _ADDRESS.search(folded, max(0, cue_at - 120), cue_at):
            how = "origin"
        elif _FIGURE_AFTER.match(folded, end):
            how = "figure"
        elif _named_organisation(text, before, cue_at):
            how = "organisation"
        elif _named_institution(text, before, cue_at):
            how = "institution"
        else:
            how = "subdivision"
        found.append((place, cue_at, how))
    return found


def _cue_starts(folded: str, cues: tuple[str, ...]) -> list[int]:
    """Where a cue may start in ``folded``, in order: a plain search for each cue (two words one space
    apart), the pattern tried only there (tried at every position of the text it took as long as
    finding the provinces)."""
    starts = set()
    for cue in cues:
        at = folded.find(cue)
        while at >= 0:
            if not at or not (folded[at - 1].isalnum() or folded[at - 1] in "._"):
                starts.add(at)
            at = folded.find(cue, at + 1)
    return sorted(starts)


def _division_place(divisions: tuple, written: str, kind: str, named: set[str]) -> str | None:
    """The one province of the divisions named ``written`` after a word of ``kind``, or None."""
    if has_diacritics(written):
        spelled = _canonical(" ".join(written.split()))
        divisions = tuple(d for d in divisions if d.name == spelled)
    provinces = {d.province for d in divisions}
    if len(provinces) > 1:
        # the report names one of them itself; else the word before tells ("quận" against "huyện")
        mine = provinces & named
        provinces = mine if mine else {d.province for d in divisions if d.kind == kind}
    return next(iter(provinces)) if len(provinces) == 1 else None


def _initial_of_a_name(text: str, position: int) -> bool:
    """The letter at ``position`` follows a capitalised word that is no cue: a person's initial."""
    found = _WORD_BEFORE.search(text, max(0, position - 30), position)
    if not found:
        return False
    word = found.group(1)
    return word[0].isupper() and word[1:].islower() and fold(word).lower() not in _CUE_WORDS


def _continues_as_name(text: str, start: int, end: int) -> bool:
    """A capitalised word after the name that the segmenter joins to it: a longer proper noun."""
    after = text[end : end + 2]
    if after[:1] != " " or not after[1:2].isupper():
        return False
    return _in_longer_word(text, start, end, look_left=False)  # (its administrative word is before it)


def place_is_province(spelling: str) -> bool:
    """True when the folded ``spelling`` names a province or city rather than one of its towns."""
    return spelling not in _town_spellings()


@lru_cache(maxsize=1)
def _town_spellings() -> frozenset:
    return frozenset(fold(town).lower() for town in TOWNS)


def _after_subdivision(folded: str, start: int) -> bool:
    words = folded[max(0, start - 20) : start].split()
    if words[-2:] == ["pho", "phuong"]:
        return False  # "phố phường Hà Nội": the city's streets
    return bool(words) and (words[-1] in _SUBDIVISION_BEFORE or " ".join(words[-2:]) in _SUBDIVISION_BEFORE)


_OPENING = re.compile(r"[(\[{“\"'«]")


# a nickname in quotes after a person's name: 'Dũng “Huế”', '(Năm "Sài Gòn")'; the name is capitalised
# and does not open a sentence
_NICKNAME_BEFORE = re.compile(r"(?:[^\s.!?:…][ \t]+|\()([^\W\d_]+)[ \t]*[“\"'‘«]$")
_CLOSING_QUOTES = ("”", '"', "'", "’", "»")


def _nickname(text: str, start: int, end: int) -> bool:
    found = _NICKNAME_BEFORE.search(text, max(0, start - 40), start)
    return bool(found and found.group(1)[0].isupper() and text.startswith(_CLOSING_QUOTES, end))


# one Vietnamese syllable, without its marks: an onset, one to three vowels, a final consonant
_VIETNAMESE_SYLLABLE = re.compile(
    r"(?:ngh|ng|gh|gi|ch|kh|nh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnptk])?"
)


def _stands_alone(text: str, folded: str, start: int, end: int) -> bool:
    """Not the tail of a longer name: the word before it is neither a title, street, prize or team
    word, nor a capitalised word other than a cue (a sentence's first word may be capitalised)."""
    before = text[max(0, start - 40) : start]
    if _nickname(text, start, end):
        return False
    if before.endswith(("(", "\n")) or not before.strip():
        return True
    if not before[-1].isspace():
        return True  # "Hà Nội-Vientiane", "(Bình Dương)": punctuation or a symbol before it
    words = before.split()
    last = words[-1]
    # (the word a bracket or a mark opens is read without it: "(Thành phố Hà Nội", "?(Ở Hà Nội")
    folded_before = [
        _OPENING.split(word)[-1].rstrip("”»’\"'") for word in folded[max(0, start - 40) : start].split()
    ]
    two = " ".join(folded_before[-2:])
    if folded_before and (folded_before[-1] in _NOT_PLACE_BEFORE or two in _NOT_PLACE_BEFORE):
        return _streets_of_a_city(folded_before)
    children = last.lower() == "em" and len(words) > 1 and words[-2].lower() == "trẻ"  # "trẻ em Hưng Yên"
    if canonical_tone(last.lower()) in _NAMED_BEFORE and not children:
        return False
    word = last.strip("\"'“”‘’«»")
    if not word[-1:].isalnum():
        return True  # "Cát Bà, Hải Phòng", "... Đà Nẵng. Đà Nẵng": punctuation ends the word before
    word = _OPENING.split(word)[-1]  # the word a bracket opens: "(Huda Huế", "?(Ngô Thái Bình"
    if not word[:1].isupper() or not word[:1].isalpha():
        return True
    if folded_before[-1] in _CUE_WORDS or two in _CUE_WORDS:
        return True
    if len(word) >= 2 and word.isupper() and not text[start:end].isupper():
        return True  # initials ("Sở TDTT Thừa Thiên - Huế", "VCB TP HCM") are no family name
    if not _VIETNAMESE_SYLLABLE.fullmatch(fold(word).lower()):
        return False  # a brand or foreign name goes on with it: "Becamex Bình Dương", "Daewoo Hà Nội"
    # a capitalised word that opens a sentence is no family name ("Nhưng Hà Nội ...")
    return len(words) < 2 or words[-2].endswith((".", "!", "?", ":", "…")) or before.rstrip().endswith(":")


def _streets_of_a_city(folded_words: list[str]) -> bool:
    """ "tuyến phố Hà Nội": the streets of the city the name names, not a street's title."""
    return len(folded_words) >= 2 and folded_words[-1] == "pho" and folded_words[-2] in _STREETS_OF


# an event named after the place it is held in: "Festival Biển Vũng Tàu", "Lễ hội Pháo hoa Quốc tế Đà
# Nẵng", "Carnaval Hạ Long"; the event's word and any words between it and the name capitalised
_EVENT_BEFORE = re.compile(
    r"\b(festival|carnaval|carnival|le hoi|hoi cho|lien hoan|ngay hoi|tuan le|hoi thi)((?:\s+\S+){0,5}?)\s+$"
)


def _names_an_event(text: str, folded: str, start: int) -> bool:
    """The name ends the name of an event held there, so it names the place."""
    offset = max(0, start - 60)
    found = _EVENT_BEFORE.search(folded, offset, start)
    if not found or not text[found.start(1)].isupper():
        return False
    between = text[found.end(1) : found.end(2)].split()
    return all(word[0].isupper() and word[-1].isalnum() for word in between)


def _capitalised_neighbour(text: str, start: int, end: int) -> bool:
    """The word right before or after the name (space-separated) is capitalised: the only case where
    the segmenter may join them into a longer name, so the only one it is asked about."""
    after = text[end : end + 2]
    if after[:1] == " " and after[1:2].isupper():
        return True
    before = text[max(0, start - 2) : start]
    if before[-1:] != " ":
        return False
    words = text[max(0, start - 30) : start].split()
    # a word ending in punctuation ("Cát Bà, Hải Phòng") is never joined to the name
    return bool(words) and words[-1][:1].isupper() and words[-1][-1:].isalnum()


def _in_longer_word(text: str, start: int, end: int, look_left: bool = True) -> bool:
    """pyvi joins the name with a neighbouring syllable into one word ("Thái_Bình_Dương",
    "Trương_Hòa_Bình"): the name is part of another name (``look_left`` False: only with one after it)."""
    left = text.rfind(" ", 0, max(0, start - _PYVI_CONTEXT_CHARS)) + 1 if look_left else start
    right = text.find(" ", end + _PYVI_CONTEXT_CHARS)
    right = len(text) if right < 0 else right
    window = " ".join(text[left:right].split())
    offset = len(" ".join(text[left:start].split())) + (
        1 if text[left:start].split() and text[start - 1].isspace() else 0
    )
    return _joins_outside(window, offset, offset + len(" ".join(text[start:end].split())))


@lru_cache(maxsize=65536)
def _joins_outside(window: str, start: int, end: int) -> bool:
    tokenize = word_segmenter()
    if tokenize is None:
        return False
    syllables = [(m.start(), m.end()) for m in _SYLLABLE.finditer(window)]
    inside = {i for i, (s, e) in enumerate(syllables) if s >= start and e <= end}
    if not inside:
        return False
    position = 0
    for token in tokenize(window).split():
        parts = [syllable for part in token.split("_") for syllable in _SYLLABLE.findall(part)]
        ids = set(range(position, position + len(parts)))
        position += len(parts)
        if ids & inside and ids - inside:
            return True
    return False


_SYLLABLE = re.compile(r"[^\W_]+")


def load_segmenter() -> None:
    """Load pyvi's model now: a process that forks an extraction worker for each of many runs
    (``search index --watch``) hands it over loaded, instead of each worker loading it again."""
    word_segmenter()


class NamedPlace(NamedTuple):
    """A province or city name in a query."""

    place: str  # the canonical name
    written: str  # as typed
    prefixed: bool  # an administrative word comes before it ("tỉnh", "TP", "UBND")
    start: int  # where it is typed
    end: int
    in_longer_name: bool  # its capitals are those of a longer proper noun (see _in_longer_name)


def named_places(text: str) -> list[NamedPlace]:
    """Every province or city name in ``text`` (a query: any case, with or without diacritics). A name
    written with diacritics counts only when they are the place's own ("diễn biến" is not Điện Biên)."""
    matches = []
    for match in _pattern().finditer(fold_offsets_preserved(text)):
        written = text[match.start(2) : match.end(2)]
        key = spelling_key(written)
        if has_diacritics(key) and _canonical(key) not in _accented():
            continue
        matches.append(match)
    spans = [(m.start(2), m.end(2)) for m in matches]
    return [
        NamedPlace(
            _names()[spelling_key(m.group(2))],
            text[m.start(2) : m.end(2)],
            bool(m.group(1)),
            m.start(2),
            m.end(2),
            _in_longer_name(text, m.start(2), m.end(2), spans),
        )
        for m in matches
    ]


# Capitalised words (folded) that may stand right before a place's name in a query without making it
# part of a longer name. Queries are read without the segmenter, so unlike _CUE_WORDS this holds only
# whole cues or the last word of two-word ones ("phố" of "Thành phố", "an" of "Công an"): "Công
# Vinh" and "Nguyễn Thị Huế" are people.
_QUERY_CUE_WORDS = frozenset(
    """
    tinh pho tp ubnd hdnd uy tai o ve den tu va cua do xa huyen quan phuong tran an so tand vksnd
    mien vung bac nam trung tay dong
    """.split()
)
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ \t]+$")
_WORD_AFTER = re.compile(r"[ \t]+([^\W\d_]+)")


def _in_longer_name(text: str, start: int, end: int, places: list[tuple[int, int]]) -> bool:
    """Whether the name at ``start:end`` of a query is part of a longer proper noun, as documents are
    read: a capitalised word right before it that is no cue ("Công Vinh", a footballer) or right
    after it ("Thái Bình Dương", the Pacific). Neighbours that are places themselves do not count, nor
    words in capitals (abbreviations such as "UBND")."""

    def is_name_word(word: str, at: int) -> bool:
        if any(a <= at < b for a, b in places):
            return False
        return word[0].isupper() and word[1:].islower() and fold(word).lower() not in _QUERY_CUE_WORDS

    before = _WORD_BEFORE.search(text, 0, start)
    after = _WORD_AFTER.match(text, end)
    return bool(
        (before and is_name_word(before.group(1), before.start(1)))
        or (after and is_name_word(after.group(1), after.start(1)))
    )
