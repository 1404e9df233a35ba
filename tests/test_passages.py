"""Passage evidence: the share of the query held by a text's best window (searcher.search.passages)."""

import pytest

from searcher.search.passages import PAIR_WEIGHT, Query, passage_share, passage_shares, query_pairs

WEIGHTS = {"hoa": 4.0, "loi": 3.0, "tuc": 2.0, "la": 1.0}  # total 10
PAIRS = {("hoa", "loi")}
FILLER = " ".join(["văn bản"] * 200)  # 1,600 characters without a query word

CASES = [
    # text, expected share
    ("Hoa lợi là sản vật tự nhiên", (4 + 3 + 1 + PAIR_WEIGHT * 3.5) / 10),  # accents and case ignored
    ("lợi hoa", 0.7),  # out of order: no pair
    ("hoa, lợi", (4 + 3 + PAIR_WEIGHT * 3.5) / 10),  # a comma and a space still make a pair
    ("hoa - lợi", 0.7),  # three characters apart: no pair
    ("Hoá LỢI", (4 + 3 + PAIR_WEIGHT * 3.5) / 10),  # old tone placement, capitals: folded alike
    ("hoalợi tức", 0.2),  # whole words only
    (f"hoa {FILLER} lợi tức", 0.5),  # the words far apart: the best window holds "lợi tức"
    ("", 0.0),
    ("không có gì", 0.0),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_share_of_the_best_window(text, expected):
    assert passage_share(text, Query(WEIGHTS, PAIRS)) == pytest.approx(expected)


def test_texts_worked_out_together_are_kept_apart():
    query = Query(WEIGHTS, PAIRS)
    texts = ["hoa", "lợi", "tức là", "", "hoa lợi tức là"]
    together = passage_shares(texts, query)
    assert together.tolist() == pytest.approx([passage_share(t, query) for t in texts])
    assert together.tolist() == pytest.approx([0.4, 0.3, 0.3, 0.0, 1.0 + PAIR_WEIGHT * 0.35])


def test_words_with_a_dash_or_slash_are_left_out_and_an_empty_query_scores_nothing():
    assert passage_share("Nghị định 21/2019/NĐ-CP", Query({"nd-cp": 2.0, "dinh": 2.0}, set())) == 0.5
    assert passage_share("hoa lợi", Query({}, set())) == 0.0


def test_both_i_y_spellings_count_as_the_word():
    query = Query({"ky": 1.0, "thuat": 1.0}, {("ky", "thuat")})
    assert (
        passage_share("Kĩ thuật", query)
        == passage_share("Kỹ thuật", query)
        == pytest.approx(1 + PAIR_WEIGHT / 2)
    )


def test_query_pairs_come_from_runs_of_adjacent_words():
    assert query_pairs([["hoa", "loi", "tuc"], ["la"]]) == {("hoa", "loi"), ("loi", "tuc")}


def test_long_texts_and_many_matches():
    text = ("hoa lợi " * 3000) + FILLER + " tức"
    assert passage_share(text, Query(WEIGHTS, PAIRS)) == pytest.approx((4 + 3 + PAIR_WEIGHT * 3.5) / 10)


@pytest.mark.parametrize(
    "typed, other_form",
    [
        (["uy", "ban", "nhan", "dan", "tinh"], ["ubnd"]),  # long form typed, the text abbreviates
        (["ubnd", "tinh"], ["uy", "ban", "nhan", "dan"]),  # abbreviation typed, the text writes it out
    ],
)
def test_another_form_counts_as_the_words_it_stands_for(typed, other_form):
    stands_for = [w for w in typed if w != "tinh"]
    query = Query({w: 1.0 for w in typed}, query_pairs([typed]), [(stands_for, other_form)])
    long_text, short_text = "Ủy ban nhân dân tỉnh Lai Châu", "UBND tỉnh Lai Châu"
    assert passage_share(long_text, query) == pytest.approx(passage_share(short_text, query))
    assert passage_share(long_text, query) == pytest.approx(1 + PAIR_WEIGHT * (len(typed) - 1) / len(typed))
    assert passage_share("tỉnh Lai Châu", query) == pytest.approx(1 / len(typed))


def test_words_longer_than_the_hash_powers_are_still_words():
    long_word = "hoa" * 40  # 120 letters: places past 63 share a power
    query = Query({"hoa": 1.0, long_word: 1.0}, set())
    assert passage_share(f"{long_word} x", query) == pytest.approx(0.5)
    assert passage_share(f"{long_word}a hoa", query) == pytest.approx(0.5)  # another long word: no match
