"""Normalisation tables: every form a Vietnamese text arrives in becomes one canonical form."""

import unicodedata

import pytest

from searcher.text.normalize import canonical_tone, fold, has_diacritics, normalize_text

NFD = unicodedata.normalize


@pytest.mark.parametrize(
    "raw, expected",
    [
        (NFD("NFD", "Quốc phòng toàn dân"), "Quốc phòng toàn dân"),  # decomposed (macOS, some PDFs)
        ("Quô\u0301c phòng", "Quốc phòng"),  # Windows-1258 style: precomposed ô + combining acute
        ("ng\u01b0\u01a1\u0300i", "người"),  # ơ + combining grave -> ờ
        ("a\u0301\u0301", "á"),  # a doubled mark (typing error)
        ("Vie\u0323\u0302\u0302t", "Việt"),  # doubled circumflex around a dot below
        ("\u00d0à Nẵng", "Đà Nẵng"),  # Icelandic eth used for Đ
        ("\u00f0ường", "đường"),
        ("quốc\u200bphòng", "quốcphòng"),  # zero-width space removed
        ("\ufeffHội nghị", "Hội nghị"),  # BOM at a line start
        ("phòng\u00adthủ", "phòngthủ"),  # soft hyphen
        ("Bắc\u00a0Kạn", "Bắc Kạn"),  # NBSP
        ("\u201cquốc phòng\u201d", '"quốc phòng"'),  # smart quotes
        ("2009 \u2013 2019 \u2014 x", "2009 - 2019 - x"),  # en and em dashes
        ("a\r\nb\rc", "a\nb\nc"),  # CRLF and lone CR
        ("a\x00b\x07c", "a b c"),  # control characters
        ("Hòa bình", "Hòa bình"),  # already canonical: unchanged
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_normalize_is_idempotent_on_seeds():
    from conftest import SEEDS

    for path in SEEDS.iterdir():
        once = normalize_text(path.read_text(encoding="utf-8"))
        assert normalize_text(once) == once


@pytest.mark.parametrize(
    "old, new",
    [
        ("hoà", "hòa"),
        ("hoá", "hóa"),
        ("hoả", "hỏa"),
        ("hoã", "hõa"),
        ("hoạ", "họa"),
        ("thuỷ", "thủy"),
        ("uỷ", "ủy"),
        ("tuỳ", "tùy"),
        ("thuý", "thúy"),
        ("luỹ", "lũy"),
        ("khoẻ", "khỏe"),
        ("loé", "lóe"),
        ("xoè", "xòe"),
        ("HOÀ", "HÒA"),
        ("Uỷ", "Ủy"),
        ("Thuỷ", "Thủy"),
        ("đoạ", "đọa"),
        ("toà", "tòa"),
    ],
)
def test_old_tone_placement_becomes_canonical(old, new):
    assert canonical_tone(old) == new
    assert canonical_tone(new) == new


@pytest.mark.parametrize(
    "word",
    [
        "hoàn",
        "hoàng",
        "huỳnh",
        "quý",
        "quỳ",
        "quả",
        "khuya",
        "khuyến",
        "thuyền",
        "hoài",
        "ngoài",
        "toán",
        "oán",
        "Quý",
        "hòa",
        "ủy",
        "a",
        "",
        "2019",
    ],
)
def test_tone_placement_left_alone(word):
    assert canonical_tone(word) == word


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Quốc phòng", "Quoc phong"),
        ("Đường", "Duong"),
        ("đ", "d"),
        ("ỨNG DỤNG", "UNG DUNG"),
        ("ý ở á", "y o a"),
        ("Nghị định 21/2019/NĐ-CP", "Nghi dinh 21/2019/ND-CP"),
        ("plain ascii", "plain ascii"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_has_diacritics():
    assert has_diacritics("quốc")
    assert has_diacritics("đi")
    assert not has_diacritics("quoc phong")
