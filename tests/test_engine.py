"""Ranking and highlighting on the seeds, through the library API."""

import pytest
from conftest import BAC_KAN, DIEN_BIEN_2022, DIEN_BIEN_2023, LAI_CHAU, SEEDS, TAM_DIEP

from searcher.search.notes import Note, in_english


@pytest.mark.parametrize(
    "query, top",
    [
        ("quốc phòng toàn dân Lai Châu", LAI_CHAU),
        ("quoc phong toan dan lai chau", LAI_CHAU),  # without diacritics
        ("QUỐC PHÒNG TOÀN DÂN LAI CHÂU", LAI_CHAU),
        ("Bắc Kạn", BAC_KAN),
        ("bac kan", BAC_KAN),
        ("Nghị định 21/2019/NĐ-CP khu vực phòng thủ", TAM_DIEP),
        ("21/2019/NĐ-CP", TAM_DIEP),
        ("nđ-cp", TAM_DIEP),
        ("nd-cp", TAM_DIEP),
        ("khu vuc phong thu Tam Diep", TAM_DIEP),
        ("chiến lược bảo vệ Tổ quốc trong tình hình mới", DIEN_BIEN_2022),
        ("nghị quyết lãnh đạo nhiệm vụ quân sự 6 tháng cuối năm 2023", DIEN_BIEN_2023),
        ("Tỉnh uỷ Điện Biên bảo vệ Tổ quốc", DIEN_BIEN_2022),  # old tone placement, text has both
        ("tuyến biên giới hoà bình", DIEN_BIEN_2023),  # old form; the text says "hòa bình"
        ('"quốc phòng toàn dân" "Lai Châu"', LAI_CHAU),
        ('"quoc phong toan dan" Bắc Kạn', BAC_KAN),
    ],
)
def test_top_hit(engine, query, top):
    result = engine.search(query)
    assert result.hits, result
    assert result.hits[0].id == top, [h.id for h in result.hits]


def test_accented_form_ranks_above_folded_only_matches(engine):
    # "Hoàng Công Hàm" is only in seed 001; "hàm"/"hầm"-like folded matches must come after it
    result = engine.search("Hoàng Công Hàm")
    assert result.hits[0].id == BAC_KAN


def test_unaccented_query_matches_accented_text_and_marks_it(engine):
    hit = engine.search("quoc phong").hits[0]
    assert "<mark>quốc phòng</mark>" in hit.snippet  # adjacent matched words are one mark


def test_old_tone_query_marks_new_tone_text(engine):
    hits = engine.search("hoà bình").hits
    assert hits[0].id == DIEN_BIEN_2023
    assert "<mark>hòa bình</mark>" in hits[0].snippet


def test_phrase_is_required(engine):
    result = engine.search('"khu vực phòng thủ"')
    ids = {h.id for h in result.hits}
    assert TAM_DIEP in ids
    for hit in result.hits:
        assert "khu vực phòng thủ" in engine.get(hit.id)["text"].lower()


def test_excluded_word_removes_documents(engine):
    everything = {h.id for h in engine.search("quốc phòng").hits}
    without = {h.id for h in engine.search('quốc phòng -"Điện Biên"').hits}
    assert everything - without == {DIEN_BIEN_2022, DIEN_BIEN_2023}


def test_excluding_an_accented_word_keeps_its_folded_neighbours(engine):
    # "-Điện" removes the documents with the word "điện" (even in "điện tử"), and only those:
    # "-dien" would also remove those with "diễn" or "điển"
    from searcher.analysis.analyzers import exact_analyzer

    def words(doc_id):
        return {
            t.text for t in exact_analyzer()(engine.get(doc_id)["text"] + " " + engine.get(doc_id)["title"])
        }

    everything = {h.id for h in engine.search("quốc phòng").hits}
    expected = {i for i in everything if "điện" not in words(i)}
    assert expected != everything
    assert {h.id for h in engine.search("quốc phòng -Điện").hits} == expected
    notes = engine.search("-Điện").notes
    assert notes == [Note("only_exclusions")]
    assert [in_english(note) for note in notes] == [
        "the query only excludes words: add at least one word to search for"
    ]


def test_title_field(engine):
    result = engine.search("title:Lai")
    assert [h.id for h in result.hits] == [LAI_CHAU]


def test_and_requires_both(engine):
    ids = [h.id for h in engine.search("Tam AND Điệp").hits]
    assert ids == [TAM_DIEP]


def test_paging(engine):
    first = engine.search("quốc phòng", limit=2, page=1)
    second = engine.search("quốc phòng", limit=2, page=2)
    assert first.total == second.total == 5
    assert len(first.hits) == 2 and len(second.hits) == 2
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}


def test_snippet_escapes_html(engine):
    from searcher.search.highlight import make_snippet

    snippet = make_snippet('<script>alert("x")</script> quốc phòng & <b>', {"quoc"})
    assert snippet.count("<mark>") == 1
    assert "<script" not in snippet and "&lt;/script&gt;" in snippet
    assert "&amp;" in snippet


def test_late_match_in_long_document_is_highlighted():
    from searcher.search.highlight import make_snippet

    text = "mở đầu. " * 20000 + "Bộ Chỉ huy Quân sự tỉnh Điện Biên."
    assert len(text) > 100_000
    assert "<mark>Điện Biên</mark>" in make_snippet(text, {"dien", "bien"})


def test_get_marks_every_occurrence(engine):
    doc = engine.get(LAI_CHAU, highlight="quoc")
    assert doc["text_html"].count("<mark>quốc</mark>") == doc["text"].lower().count("quốc")


def test_unknown_id(engine):
    assert engine.get("no/such/id.txt") is None


def test_title_phrase(engine):
    hits = engine.search('title:"quoc phong toan dan"').hits
    assert LAI_CHAU in {h.id for h in hits}
    assert all("quốc phòng toàn dân" in h.title.lower() for h in hits)
    assert engine.search('title:"toàn dân quốc phòng"').hits == []


def test_phrase_matches_across_punctuation_but_not_out_of_order(engine):
    # "Điện Biên: Tập trung" is the title of seed 004; the colon does not break the phrase
    assert [h.id for h in engine.search('"dien bien tap trung"').hits] == [DIEN_BIEN_2023]
    assert engine.search('"trung tap bien dien"').hits == []


@pytest.mark.parametrize("query", ["giai đoạn 2009 - 2019", "giai đoạn 2009 – 2019", "quốc phòng + toàn dân"])
def test_a_lone_dash_or_plus_is_punctuation(engine, query):
    result = engine.search(query)
    assert result.total == 5 and result.hits[0].id == BAC_KAN


def test_list_length_scoring_gives_whoosh_bm25f_scores(seed_index):
    """The scorer Whoosh uses for queries the array scorer leaves to it (positional phrases) must
    score exactly as Whoosh's BM25F with the same parameters."""
    from whoosh import index as whoosh_index
    from whoosh.scoring import BM25F

    from searcher.index import store
    from searcher.search.bm25 import ListLengthBM25F
    from searcher.search.planning import BM25_B, BM25_K1, parse_query

    ix = whoosh_index.open_dir(str(store.current_generation(seed_index)))
    with (
        ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as reference,
        ix.searcher(weighting=ListLengthBM25F(B=BM25_B, K1=BM25_K1)) as ours,
    ):
        for query in (
            "quốc phòng toàn dân",
            "quoc phong",
            '"khu vực phòng thủ"',
            "hoà bình Điện Biên",
            "UBND",
        ):
            q = parse_query(query, ours).query
            scored = [(h.docnum, h.score) for h in ours.search(q, limit=None)]
            assert scored and scored == [(h.docnum, h.score) for h in reference.search(q, limit=None)], query


def test_passage_ranking_puts_the_answer_in_one_sentence_first(tmp_path):
    from searcher.index.indexer import index_paths
    from searcher.search.engine import Engine

    filler = "Báo cáo nêu nhiều nội dung về công tác chung của địa phương trong năm. "
    pieces = ["Hoa lợi là thế.", "Là sản vật.", "Vật mà tài năng.", "Tài sản mang lại."]
    docs = {
        # every word pair of the query twice, but in pieces far apart: BM25 prefers it
        "scattered.txt": "Báo cáo năm\n\n" + "".join(p + " " + filler * 4 for p in pieces * 2),
        # the same length, the answer once, in one sentence
        "answer.txt": "Báo cáo năm\n\n"
        + filler * 16
        + "Hoa lợi là sản vật tự nhiên mà tài sản mang lại. "
        + filler * 16,
    }
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    index_paths([folder], tmp_path / "index")
    engine = Engine(tmp_path / "index")
    query = "hoa lợi là sản vật mà tài sản mang lại"
    engine.passage_ranking = False
    plain = engine.search(query)
    engine.passage_ranking = True
    ranked = engine.search(query)
    assert [h.id for h in plain.hits] == ["scattered.txt", "answer.txt"]
    assert [h.id for h in ranked.hits] == ["answer.txt", "scattered.txt"]
    # scores are raised, never lowered
    assert all(r.score >= p.score for p in plain.hits for r in ranked.hits if r.id == p.id)


@pytest.mark.parametrize("query", ["quốc phòng toàn dân", "uy ban nhan dan tinh", "UBND tỉnh", "quân sự"])
def test_pages_after_the_reranked_ones_are_those_of_a_longer_first_page(corpus_engine, query):
    """Pages past the passage re-ranking's candidates skip it: they must still be exactly the
    matching part of one long first page, which does re-rank."""
    from searcher.search.passages import RERANKED

    long_page = corpus_engine.search(query, limit=40)
    assert long_page.total > 40
    for page in range(2, 9):  # five a page: pages 2-8 start at ranks 5-35, before and after RERANKED
        part = corpus_engine.search(query, limit=5, page=page)
        expected = long_page.hits[(page - 1) * 5 : page * 5]
        assert [(h.id, h.score, h.snippet) for h in part.hits] == [
            (h.id, h.score, h.snippet) for h in expected
        ]
    assert RERANKED < 35


@pytest.mark.parametrize("query", ["quốc phòng toàn dân", "khu vuc phong thu", "Bộ CHQS tỉnh", '"Điện Biên"'])
def test_passage_ranking_only_reorders_the_first_page(engine, query):
    engine.passage_ranking = False
    try:
        plain = engine.search(query, limit=3)
        plain_rest = engine.search(query, limit=3, page=2)
    finally:
        engine.passage_ranking = True
    ranked, ranked_rest = engine.search(query, limit=3), engine.search(query, limit=3, page=2)
    assert ranked.total == plain.total
    first_page = {h.id for h in ranked.hits} | {h.id for h in ranked_rest.hits}
    assert first_page == {h.id for h in plain.hits} | {h.id for h in plain_rest.hits}


def test_an_index_built_by_another_schema_version_asks_for_a_rebuild(tmp_path):
    import json

    from searcher.analysis.schema import SCHEMA_VERSION
    from searcher.index import store
    from searcher.index.indexer import index_paths
    from searcher.search.engine import Engine, IndexMissing

    index_paths([SEEDS], tmp_path / "ix")
    meta_file = store.current_generation(tmp_path / "ix") / store.META
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["schema_version"] = SCHEMA_VERSION - 1
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexMissing, match=r"built by another version .* 'search index --rebuild'"):
        Engine(tmp_path / "ix").search("quốc phòng")
    assert index_paths([], tmp_path / "ix").added == 5  # an update of it rebuilds it whole
    assert Engine(tmp_path / "ix").search("quốc phòng").hits


# --- the engine's state: one view per searcher, the decoded lists per engine, notes once ------------
def test_a_replaced_searchers_tables_are_released(seed_copy, tmp_path):
    import gc
    import weakref

    from searcher.index.indexer import index_paths
    from searcher.search.engine import Engine

    index_paths([seed_copy], tmp_path / "ix")
    engine = Engine(tmp_path / "ix")
    assert engine.search("quốc phòng", facets=True).total == 5
    old = engine._view()
    assert old.terms and {"copy_groups", "facets", "length_norms"} <= set(old.tables) and old.lengths
    released = weakref.ref(old)
    del old
    (seed_copy / "new.txt").write_text("Hội nghị quốc phòng ở xã Nà Phặc.\n", encoding="utf-8")
    index_paths([seed_copy], tmp_path / "ix")  # an update: the searcher is out of date
    assert engine.search("quốc phòng", facets=True).total == 6
    gc.collect()
    assert released() is None  # the old searcher's tables went with it
    current = weakref.ref(engine._view())
    engine.close()
    gc.collect()
    assert current() is None


def test_the_decoded_postings_cache_is_the_engines_own(seed_index, monkeypatch):
    from searcher.index.postings import DecodedPostings
    from searcher.search.engine import POSTINGS_CACHE_MB, Engine

    monkeypatch.delenv("SEARCH_POSTINGS_CACHE_MB", raising=False)
    assert Engine(seed_index).postings_cache.limit == POSTINGS_CACHE_MB * 2**20
    monkeypatch.setenv("SEARCH_POSTINGS_CACHE_MB", "3")  # read when an engine is made
    assert Engine(seed_index).postings_cache.limit == 3 * 2**20
    assert Engine(seed_index, postings_cache_mb=0.5).postings_cache.limit == 2**19  # the argument wins

    monkeypatch.setattr(DecodedPostings, "MIN_POSTINGS", 1)  # every list is "long" here
    keeping, off = Engine(seed_index, postings_cache_mb=1), Engine(seed_index, postings_cache_mb=0)
    assert keeping.search("quốc phòng").hits == off.search("quốc phòng").hits
    assert keeping._view().decoded is keeping.postings_cache and keeping.postings_cache.size > 0
    assert off.postings_cache.size == 0


def test_notes_are_said_once(engine):
    result = engine.search("*phòng *phòng")
    assert result.notes == [Note("leading_wildcard", {"words": ["phong"]})]
