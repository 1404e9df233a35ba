"""The array scorer (searcher.search.matching) must find and score exactly what Whoosh's BM25F would."""

import shutil

import pytest
from conftest import BAC_KAN, SEEDS
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.scoring import BM25F

from searcher.index import store
from searcher.index.indexer import index_paths
from searcher.index.view import IndexView
from searcher.search.matching import PreferredTerm, Unsupported, match_all
from searcher.search.planning import BM25_B, BM25_K1, parse_query

FREE_TEXT = [
    "quốc phòng toàn dân",
    "quoc phong",
    "hoà bình Điện Biên",
    "UBND",
    "khu vực phòng thủ",
    "Bộ Chỉ huy Quân sự tỉnh tổ chức hội nghị tổng kết công tác quốc phòng địa phương năm 2023",
    "2019",
    "nđ-cp",
    "xyzzy",
]
WITH_SYNTAX = [
    '"khu vực phòng thủ" diễn tập',
    "quốc phòng -Bắc",
    "title:quốc phòng",
    "phòng AND thủ",
    "quốc OR xyzzy",
    'ninh -"Điện Biên"',
]


def _searcher(index_dir):
    return whoosh_index.open_dir(str(store.current_generation(index_dir))).searcher(
        weighting=BM25F(B=BM25_B, K1=BM25_K1)
    )


def _whoosh(searcher, q):
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}


def _ours(searcher, q):
    found = match_all(searcher, q)
    return dict(zip(found.docnums.tolist(), found.scores.tolist()))


def _both(index_dir, text, decoded=None):
    """Whoosh's and our {document number: score} for the query ``text`` parses to (``decoded``: the
    decoded-postings cache to read through)."""
    with _searcher(index_dir) as searcher:
        view = IndexView(searcher, decoded)
        q = parse_query(text, view).query
        return _whoosh(searcher, q), _ours(view, q)


@pytest.mark.parametrize("text", FREE_TEXT)
def test_free_text_scores_equal_whooshs(seed_index, text):
    expected, ours = _both(seed_index, text)
    assert ours.keys() == expected.keys()
    assert ours == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("text", WITH_SYNTAX)
def test_required_and_excluded_clauses_match_the_same_documents_in_the_same_order(seed_index, text):
    # Whoosh scores a ConstantScoreQuery(q, 0.0) filter as 1.0 (its ListMatcher treats a weight of 0
    # as none): the same constant on every match, so only the order is compared
    expected, ours = _both(seed_index, text)
    assert ours.keys() == expected.keys()
    assert sorted(ours, key=lambda d: (-ours[d], d)) == sorted(expected, key=lambda d: (-expected[d], d))


def test_deleted_and_replaced_documents_across_segments(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    index_paths([docs], tmp_path / "ix")
    text = (docs / BAC_KAN).read_text(encoding="utf-8")
    (docs / BAC_KAN).write_text(
        text.replace("Bắc Kạn", "Bắc Kạn (sửa)"), encoding="utf-8"
    )  # replaced in place
    (docs / "extra.txt").write_text("Hội nghị quốc phòng toàn dân ở xã Nà Phặc.\n", encoding="utf-8")
    index_paths([docs], tmp_path / "ix")
    expected, ours = _both(tmp_path / "ix", "quốc phòng toàn dân Bắc Kạn")
    assert len(ours) == 6 and ours == pytest.approx(expected, rel=1e-9)
    with _searcher(tmp_path / "ix") as searcher:
        assert len(searcher.reader().leaf_readers()) > 1 and searcher.reader().has_deletions()
        assert {searcher.stored_fields(d)["id"] for d in ours} >= {BAC_KAN, "extra.txt"}


def test_restriction_and_exclusion(seed_index):
    with _searcher(seed_index) as searcher:
        q = parse_query("quốc phòng", searcher).query
        everything = _ours(searcher, q)
        only_2023 = match_all(searcher, q, restrict=Q.TermRange("date", "2023", "2023\uffff"))
        without_bac_kan = match_all(searcher, q, exclude=Q.Term("id", BAC_KAN))
        dates = {d: searcher.stored_fields(d)["date"] for d in everything}
        assert set(only_2023.docnums.tolist()) == {d for d, date in dates.items() if date.startswith("2023")}
        assert len(without_bac_kan.docnums) == len(everything) - 1


@pytest.mark.parametrize(
    "words",
    [
        ["quoc", "phong"],
        ["khu", "vuc", "phong", "thu"],
        ["phong", "quoc"],
        ["dien", "bien"],
        ["xyzzy", "phong"],
    ],
)
def test_phrases_match_where_whoosh_finds_them_by_positions(seed_index, words):
    from searcher.search.matching import CheckedPhrase

    with _searcher(seed_index) as searcher:
        expected = set(searcher.docs_for_query(Q.Phrase("body_fold", words)))
        assert set(match_all(searcher, Q.Phrase("body_fold", words)).docnums.tolist()) == expected
        pairs = Q.And([Q.Term("body_bi", f"{a} {b}") for a, b in zip(words, words[1:])])
        checked = match_all(searcher, CheckedPhrase("body_fold", words, pairs))
        assert set(checked.docnums.tolist()) == expected
    assert words != ["quoc", "phong"] or len(expected) == 5


def test_queries_it_cannot_score_are_left_to_whoosh(seed_index):
    with _searcher(seed_index) as searcher:
        with pytest.raises(Unsupported):
            match_all(searcher, Q.Phrase("body_fold", ["quoc", "phong"], slop=3))
        with pytest.raises(Unsupported):
            match_all(searcher, Q.Phrase("body", ["quốc", "phòng"]))  # no positions kept there
        with pytest.raises(Unsupported):
            match_all(searcher, Q.Or([Q.Term("body_fold", "quoc")], boost=2.0))


@pytest.mark.parametrize("count", [1, 3, 10, 60, 500])
def test_top_ranked_is_the_head_of_a_full_sort_ties_included(count):
    import numpy as np

    from searcher.search.matching import top_ranked

    rng = np.random.default_rng(7)
    for _ in range(50):
        size = int(rng.integers(1, 400))
        docnums = np.sort(rng.choice(10_000, size=size, replace=False))
        scores = rng.integers(0, 6, size=size).astype(float)  # few values: many ties at every cut
        full = np.lexsort((docnums, -scores))
        assert top_ranked(docnums, scores, count).tolist() == full[:count].tolist()
        dates = rng.integers(0, 3, size=size) * 10000
        by_date = np.lexsort((docnums, -scores, -dates))
        assert top_ranked(docnums, scores, count, dates).tolist() == by_date[:count].tolist()


def test_decoded_postings_are_shared_and_give_the_same_scores(seed_index, monkeypatch):
    from searcher.index.postings import DecodedPostings

    monkeypatch.setattr(DecodedPostings, "MIN_POSTINGS", 1)  # every list is "long" here
    decoded = DecodedPostings(1)
    text = "Bộ Chỉ huy Quân sự tỉnh tổ chức hội nghị tổng kết công tác quốc phòng"
    expected, first = _both(seed_index, text, decoded)  # decodes and keeps the lists
    assert decoded.size > 0
    _, again = _both(seed_index, text, decoded)  # a new searcher, the same segments: served from memory
    assert first == pytest.approx(expected, rel=1e-9) and again == first
    tiny = DecodedPostings(0.0001)  # too small to keep anything
    _, uncached = _both(seed_index, text, tiny)
    assert uncached == first and tiny.size <= tiny.limit


def _windows(size: int, count: int) -> list[list[str]]:
    """``count`` runs of ``size`` adjacent folded syllables of the seed texts, spread over them."""
    from searcher.analysis.analyzers import folded_analyzer

    runs = []
    for path in sorted(SEEDS.glob("*")):
        tokens = [t.text for t in folded_analyzer()(path.read_text(encoding="utf-8")) if t.text.isalnum()]
        step = max(1, len(tokens) // count)
        runs += [tokens[i : i + size] for i in range(0, len(tokens) - size, step)][:count]
    return runs


@pytest.mark.parametrize("size", [2, 3])
def test_quoted_phrases_find_what_whooshs_positional_phrase_finds(seed_index, size):
    # two words are matched by their bigram term, three by the positions of their candidates (the
    # documents holding both bigrams), decoded in bulk: both must agree with Whoosh's positional phrase
    with _searcher(seed_index) as searcher:
        for words in _windows(size, 12):
            q = parse_query('"' + " ".join(words) + '"', searcher).query
            expected = set(
                searcher.docs_for_query(Q.Or([Q.Phrase(f, words) for f in ("title_fold", "body_fold")]))
            )
            assert set(_ours(searcher, q)) == expected, words


def _preferred(q) -> int:
    return (type(q) is PreferredTerm) + sum(_preferred(child) for child in getattr(q, "subqueries", ()))


@pytest.mark.parametrize("text", ["hoà bình Điện Biên", "bộ đội biên phòng", "cán bộ tỉnh"])
def test_words_typed_with_marks_score_in_one_pass_as_whoosh_scores_them(seed_index, text):
    # a marked word's clause is a PreferredTerm: Whoosh runs it as Require(term, typed form) plus the
    # term at W_LOOKALIKE; the array scorer reads the term once, with the same scores
    with _searcher(seed_index) as searcher:
        assert _preferred(parse_query(text, IndexView(searcher)).query) > 0
    expected, ours = _both(seed_index, text)
    assert ours.keys() == expected.keys()
    assert ours == pytest.approx(expected, rel=1e-9)
