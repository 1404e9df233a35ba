"""Snippet building blocks: the folded copy keeps offsets, and whole-syllable matches are found."""

import pytest

from searcher.search.highlight import make_snippet, match_spans
from searcher.text.fold import _FOLD_TABLE, fold_offsets_preserved

FOLD_CASES = [
    ("Quốc phòng TOÀN DÂN", "quoc phong toan dan"),
    ("Điện Biên Phủ", "dien bien phu"),
    ("ĐẮK LẮK – “Tây Nguyên”…", 'dak lak - "tay nguyen"…'),  # "…" folds to three characters: kept
    ("", ""),
    ("日本 Hà Nội 🙂", "日本 ha noi 🙂"),  # characters past the lookup table take the slow path
]


@pytest.mark.parametrize("text, folded", FOLD_CASES)
def test_fold_keeps_length_and_offsets(text, folded):
    out = fold_offsets_preserved(text)
    assert len(out) == len(text)
    assert out == text.translate(_FOLD_TABLE)
    assert out == folded


SPAN_CASES = [
    # text, folded terms, the matched substrings
    ("Quốc phòng toàn dân, quốc phòng.", {"quoc", "phong"}, ["Quốc", "phòng", "quốc", "phòng"]),
    ("phòng thủ, phòngthủ, _phòng", {"phong"}, ["phòng", "phòng"]),  # whole syllables only
    ("Nghị định 21/2019/NĐ-CP và NĐ", {"nd-cp", "nd"}, ["NĐ-CP", "NĐ"]),  # the longest at one place
    ("không có gì", {"xyz"}, []),
    ("Hà Nội", set(), []),
    # a phrase (another form of an abbreviation) is marked whole, and only where it stands whole
    ("UBND TP.HCM, TP. HCM, Tp.\nHCM; TP và HCM", {"tp hcm"}, ["TP.HCM", "TP. HCM", "Tp.\nHCM"]),
    (
        "Thành phố Hồ Chí Minh và thành phố Hà Nội, Hồ Tây",
        {"thanh pho ho chi minh", "ubnd"},
        ["Thành phố Hồ Chí Minh"],
    ),
    ("kĩ thuật, kỹ thuật, kỹthuật", {"ky thuat"}, ["kĩ thuật", "kỹ thuật"]),  # either i/y spelling
    ("lực lượng vũ trangx, lực lượng vũ trang", {"luc luong vu trang"}, ["lực lượng vũ trang"]),
    ("Bộ Chỉ huy Quân sự tỉnh", {"bo", "bo chi huy quan su", "tinh"}, ["Bộ Chỉ huy Quân sự", "tỉnh"]),
]


@pytest.mark.parametrize("text, terms, expected", SPAN_CASES)
def test_match_spans(text, terms, expected):
    spans = match_spans(text, terms)
    assert [text[s:e] for s, e in spans] == expected
    assert spans == sorted(spans) and all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))


def test_snippet_of_a_long_text_shows_the_passage_with_most_distinct_words():
    text = ("quốc " * 400) + "Bộ Chỉ huy Quân sự tỉnh Điện Biên tổ chức hội nghị. " + ("lorem " * 400)
    snippet = make_snippet(text, {"dien", "bien", "quan", "su", "quoc"}, html_output=False)
    assert "QUÂN SỰ tỉnh ĐIỆN BIÊN" in snippet
