"""i/y spellings of one word (quý/quí, kỹ/kĩ, lý/lí, mỹ/mĩ, sỹ/sĩ) find and mark each other."""

import re

import pytest
from conftest import DIEN_BIEN_2023, LAI_CHAU, TAM_DIEP

from searcher.text.normalize import canonical_iy, iy_variants


@pytest.mark.parametrize(
    "syllable, expected",
    [
        ("quí", "quý"),
        ("kĩ", "kỹ"),
        ("lí", "lý"),
        ("mĩ", "mỹ"),
        ("sĩ", "sỹ"),
        ("kì", "kỳ"),
        ("tỉ", "tỷ"),
        ("ki", "ky"),
        ("li", "ly"),
        ("quý", "quý"),
        ("huy", "huy"),
        ("tay", "tay"),
        ("gì", "gì"),
        ("nghị", "nghị"),
        ("yêu", "yêu"),
        ("bi", "bi"),
    ],
)
def test_canonical_iy(syllable, expected):
    assert canonical_iy(syllable) == expected


@pytest.mark.parametrize(
    "syllable, expected",
    [
        ("ky", ("ky", "ki")),
        ("si", ("sy", "si")),
        ("quy", ("quy", "qui")),
        ("huy", ("huy",)),
        ("ai", ("ai",)),
    ],
)
def test_iy_variants(syllable, expected):
    assert iy_variants(syllable) == expected


# (query, document written with the other spelling, its word as written)
CASES = [
    ("chiến sĩ lực lượng vũ trang", LAI_CHAU, "sỹ"),  # the text says "chiến sỹ"
    ("liệt sỹ", DIEN_BIEN_2023, "sĩ"),  # the text says "liệt sĩ"
    ("trang bị kĩ thuật", TAM_DIEP, "kỹ"),
    ("nhiem ki", DIEN_BIEN_2023, "kỳ"),
]


@pytest.mark.parametrize("query, top, written", CASES)
def test_either_spelling_finds_the_other_and_marks_it(engine, query, top, written):
    result = engine.search(query)
    assert result.hits[0].id == top, [h.id for h in result.hits]
    marked = re.findall(r"<mark>(.*?)</mark>", result.hits[0].snippet.lower())
    assert written in {word for mark in marked for word in mark.split()}


def test_required_phrase_with_the_other_spelling(engine):
    result = engine.search('"chiến sĩ"')
    assert LAI_CHAU in {h.id for h in result.hits}
