"""Analyzer tables (input -> tokens, in index and query mode), offsets, pickling."""

import pickle
import unicodedata

import pytest
from conftest import SEEDS

from searcher.analysis.analyzers import (
    SyllableTokenizer,
    bigram_analyzer,
    exact_analyzer,
    exact_bigram_analyzer,
    folded_analyzer,
)
from searcher.text.normalize import normalize_text

ANALYZERS = {
    "exact": exact_analyzer(),
    "folded": folded_analyzer(),
    "bigram": bigram_analyzer(),
    "exact_bigram": exact_bigram_analyzer(),
}

CASES_INDEX = [
    ("exact", "Quốc phòng toàn dân", ["quốc", "phòng", "toàn", "dân"]),
    ("exact", "Hoà bình, Thuỷ lợi, UỶ ban", ["hòa", "bình", "thủy", "lợi", "ủy", "ban"]),
    ("exact", "hoàn thành quý huỳnh", ["hoàn", "thành", "quý", "huỳnh"]),
    ("exact", "ý kiến ở xã á", ["ý", "kiến", "ở", "xã", "á"]),  # one-letter syllables kept
    ("exact", "là của và các", ["là", "của", "và", "các"]),  # no stop list
    ("exact", "21/2019/NĐ-CP", ["21/2019/nđ-cp", "nđ-cp", "21", "2019", "nđ", "cp"]),
    ("exact", "ngày 26/9/2019", ["ngày", "26/9/2019", "26", "9", "2019"]),
    ("exact", "giai đoạn 2009 - 2019", ["giai", "đoạn", "2009", "2019"]),
    ("exact", "1.000.000 đồng", ["1.000.000", "1", "000", "000", "đồng"]),
    ("exact", "tỉnh.Ngày", ["tỉnh", "ngày"]),  # a missing space is not a code
    ("exact", "COVID-19", ["covid-19", "covid", "19"]),
    ("folded", "Quốc phòng Đường", ["quoc", "phong", "duong"]),
    ("folded", "Hoà Hòa", ["hoa", "hoa"]),
    ("folded", "NĐ-CP", ["nd-cp", "nd", "cp"]),
    ("bigram", "Quốc phòng toàn dân", ["quoc phong", "phong toan", "toan dan"]),
    ("bigram", "Quốc", ["quoc"]),
    ("bigram", "21/2019/NĐ-CP", ["21 2019", "2019 nd", "nd cp"]),
    ("exact_bigram", "Hoà Bình", ["hòa bình"]),
    # i/y spellings of one word are one term (the y form); never the y of uy/ay or an initial y
    ("exact", "quí kĩ lí Mĩ sĩ kì tỉ", ["quý", "kỹ", "lý", "mỹ", "sỹ", "kỳ", "tỷ"]),
    ("exact", "huy tay cây yêu gì nghị", ["huy", "tay", "cây", "yêu", "gì", "nghị"]),
    ("folded", "kĩ thuật, quí", ["ky", "thuat", "quy"]),
    ("bigram", "bác sĩ kĩ thuật", ["bac sy", "sy ky", "ky thuat"]),
    ("exact_bigram", "Hoa Kì", ["hoa kỳ"]),
    ("exact", "", []),
    ("exact", "!!! … ---", []),
]

CASES_QUERY = [
    ("exact", "21/2019/NĐ-CP", ["21", "2019", "nđ", "cp"]),  # parts only: phrase-like in queries
    ("exact", "nđ-cp", ["nđ", "cp"]),
    ("exact", "Hoà bình", ["hòa", "bình"]),
    ("folded", "quoc phong", ["quoc", "phong"]),
    ("bigram", "quoc phong toan", ["quoc phong", "phong toan"]),
]


@pytest.mark.parametrize("name, text, expected", CASES_INDEX)
def test_index_mode(name, text, expected):
    assert [t.text for t in ANALYZERS[name](text, mode="index")] == expected


@pytest.mark.parametrize("name, text, expected", CASES_QUERY)
def test_query_mode(name, text, expected):
    assert [t.text for t in ANALYZERS[name](text, mode="query")] == expected


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.iterdir()))
def test_offset_invariant_on_seeds(seed):
    """text[start:end] is each token's source: exact tokens equal their lowercased source."""
    from searcher.text.normalize import canonical_iy, canonical_tone, fold

    text = normalize_text((SEEDS / seed).read_text(encoding="utf-8"))
    tokens = [(t.text, t.startchar, t.endchar) for t in ANALYZERS["exact"](text, chars=True)]
    assert len(tokens) > 300
    for token, start, end in tokens:
        assert token == canonical_iy(canonical_tone(text[start:end].lower()))
    for t in ANALYZERS["folded"](text, chars=True):
        assert t.text == canonical_iy(fold(text[t.startchar : t.endchar].lower()))


def test_offset_invariant_on_nfd_input_after_normalisation():
    raw = unicodedata.normalize("NFD", "Xây dựng nền quốc phòng toàn dân ở Điện Biên")
    text = normalize_text(raw)
    got = [text[t.startchar : t.endchar] for t in ANALYZERS["exact"](text, chars=True)]
    assert got == ["Xây", "dựng", "nền", "quốc", "phòng", "toàn", "dân", "ở", "Điện", "Biên"]


def test_bigram_offsets_span_both_syllables():
    text = "nền Quốc phòng"
    spans = [text[t.startchar : t.endchar] for t in ANALYZERS["bigram"](text, chars=True)]
    assert spans == ["nền Quốc", "Quốc phòng"]


def test_positions_count_parts_not_wholes():
    tokens = [(t.text, t.pos) for t in ANALYZERS["exact"]("số 21/2019/NĐ-CP của", positions=True)]
    assert tokens == [
        ("số", 0),
        ("21/2019/nđ-cp", 1),
        ("nđ-cp", 3),
        ("21", 1),
        ("2019", 2),
        ("nđ", 3),
        ("cp", 4),
        ("của", 5),
    ]


@pytest.mark.parametrize("name", sorted(ANALYZERS))
def test_analyzers_pickle_and_compare_equal(name):
    analyzer = ANALYZERS[name]
    restored = pickle.loads(pickle.dumps(analyzer, -1))
    assert restored == analyzer
    assert [t.text for t in restored("Hoà bình")] == [t.text for t in analyzer("Hoà bình")]


# Index time: one tokenisation shared by a text's fields must give each field exactly the terms,
# frequencies, weights and positions its own analyzer chain gives.
TRICKY = [
    "",
    "   ",
    "một",
    "Hoà Bình, 21/2019/NĐ-CP; ngày 26/9/2019 — 1.000,5 tỷ đồng",
    "KĨ THUẬT kỹ thuật Quí vị quý vị li ly lí lý",
    "tỉnh.Ngày Uỷ ban ủy ban UỶ BAN",
    "Số 12/QĐ-UBND và 3/2020/TT-BQP/CP-x",
    "a_b c-d e/f 2019",
    "Ελληνικά 北京 Điện Biên",
    "quốc phòng quốc phòng quốc phòng toàn dân",
]


def _field_texts():
    texts = list(TRICKY)
    for seed in sorted(SEEDS.iterdir()):
        text = normalize_text(seed.read_text(encoding="utf-8"))
        texts += [text, text.splitlines()[0]]
    return texts


@pytest.mark.parametrize(
    "fieldname", ["title", "title_fold", "title_bi", "body", "body_fold", "body_bi", "body_bi_exact"]
)
def test_index_time_terms_equal_the_analyzer_chains(fieldname):
    from whoosh.fields import FieldType

    from searcher.analysis.schema import make_schema

    field = make_schema()[fieldname]
    for text in _field_texts():
        expected = sorted(FieldType.index(field, text))
        assert sorted(field.index(text)) == expected, text[:60]
        assert sorted(field.index(text)) == expected  # the second time from the shared tokenisation


def test_index_time_terms_follow_the_text_not_a_stale_cache():
    from searcher.analysis.analyzers import index_terms

    def pairs(text, form):
        terms, positions = index_terms(text, form)
        return list(zip(terms, positions))

    assert pairs("quốc phòng", "folded") == [("quoc", 0), ("phong", 1)]
    assert pairs("toàn dân", "bigram") == [("toan dan", 0)]
    assert pairs("quốc phòng", "exact_bigram") == [("quốc phòng", 0)]


def test_index_time_tokens_are_the_tokenizers():
    from searcher.analysis.analyzers import _index_tokens

    for text in _field_texts():
        expected = [
            (t.text.lower(), t.pos, t.whole) for t in SyllableTokenizer()(text, positions=True, mode="index")
        ]
        lowers, positions, wholes = _index_tokens(text)
        assert list(zip(lowers, positions, wholes or [False] * len(lowers))) == expected, text[:60]
