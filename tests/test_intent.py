"""Each word means what was typed: accented words as typed, unaccented words in every form; the place a
query names is its subject; capitals change nothing. On small constructed documents and the seeds."""

import re

import pytest
from conftest import DIEN_BIEN_2022, DIEN_BIEN_2023, LAI_CHAU

from searcher.search.highlight import make_snippet
from searcher.search.notes import in_english

DOCS = {
    "dalat.txt": "Diễn biến mưa lũ ở Đà Lạt\n\nUBND thành phố theo dõi diễn biến mưa lũ. Diễn biến phức tạp, "
    "diễn biến còn kéo dài, UBND yêu cầu báo cáo diễn biến hằng ngày.",
    "dienbien.txt": "Họp báo quý III\n\nUBND tỉnh Điện Biên họp báo về kinh tế quý III.",
    "hoabinh-province.txt": "Tin địa phương\n\nTỉnh Hòa Bình khánh thành cây cầu mới.",
    "hoabinh-peace.txt": "Bình luận\n\nGiữ gìn hoà bình là mong muốn chung.",
    "hoabinh-other.txt": "Chuyện nhà\n\nCô ấy hóa bình tĩnh khi nghe tin.",
    "tinh-calc.txt": "Bài toán\n\nHọc sinh tính toán, tính nhẩm và tính lại kết quả; tính toán nhanh.",
    "tinh-province.txt": "Tin ngắn\n\nLãnh đạo tỉnh thăm trường học.",
    "tong-giang.txt": "Truyện cổ\n\nTống Giang là nhân vật của truyện.",
    "tong-gd.txt": "Doanh nghiệp\n\nTổng giám đốc công ty và tổng kết năm; tổng doanh thu tăng, tổng chi giảm.",
    "quy.txt": "Khen thưởng\n\nPhần thưởng quí giá cho học sinh.",
}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from searcher.index.indexer import index_paths
    from searcher.search.engine import Engine

    folder = tmp_path_factory.mktemp("intent-docs")
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("intent-index")
    assert index_paths([folder], index_dir).added == len(DOCS)
    engine = Engine(index_dir)
    yield engine
    engine.close()


def ids(engine, query, **options):
    return [h.id for h in engine.search(query, **options).hits]


# --- phrases and exclusions --------------------------------------------------------------------------


def test_an_accented_phrase_matches_only_itself(small):
    assert ids(small, '"Điện Biên"') == ["dienbien.txt"]
    assert ids(small, 'UBND "Điện Biên"') == ["dienbien.txt"]
    assert ids(small, '"diễn biến"') == ["dalat.txt"]


def test_an_unaccented_phrase_matches_every_form(small):
    assert set(ids(small, '"dien bien"')) == {"dalat.txt", "dienbien.txt"}


def test_a_partly_accented_phrase_holds_its_accented_words(small):
    assert ids(small, '"Điện bien"') == ["dienbien.txt"]
    assert ids(small, '"dien Biên"') == ["dienbien.txt"]


def test_spelling_variants_are_the_same_word(small):
    # old tone placement, NFD input, Ð for Đ, i/y: still the typed word
    peace = {"hoabinh-province.txt", "hoabinh-peace.txt"}
    assert set(ids(small, '"hoà bình"')) == peace
    assert set(ids(small, '"ho\u0300a bi\u0300nh"')) == peace
    assert ids(small, '"Ðiện Biên"') == ["dienbien.txt"]
    assert ids(small, '"quý giá"') == ["quy.txt"]


def test_excluding_an_accented_phrase_excludes_that_form_only(small):
    every = set(ids(small, "hoa binh"))
    assert {"hoabinh-province.txt", "hoabinh-peace.txt", "hoabinh-other.txt"} <= every
    kept = set(ids(small, 'hoa binh -"Hòa Bình"'))
    assert kept == every - {"hoabinh-province.txt", "hoabinh-peace.txt"}
    assert "hoabinh-other.txt" in kept
    assert set(ids(small, 'hoa binh -"hoa binh"')) == set()


def test_title_clause_holds_accented_words_as_typed(small):
    assert ids(small, "title:Diễn") == ["dalat.txt"]
    assert ids(small, "title:dien") == ["dalat.txt"]
    assert ids(small, "title:Diễn -title:Điện") == ["dalat.txt"]
    # no title holds "Điện": the word in any form, and a note says so
    assert ids(small, "title:Điện") == ["dalat.txt"] and small.search("title:Điện").notes


# --- ranking of free words ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, first, lookalike",
    [
        ("tỉnh", "tinh-province.txt", "tinh-calc.txt"),
        ("tính", "tinh-calc.txt", "tinh-province.txt"),
        ("Tống", "tong-giang.txt", "tong-gd.txt"),
        ("Điện Biên", "dienbien.txt", "dalat.txt"),
        ("UBND Điện Biên", "dienbien.txt", "dalat.txt"),
    ],
)
def test_the_typed_form_ranks_above_look_alikes_which_still_follow(small, query, first, lookalike):
    found = ids(small, query)
    assert found[0] == first
    assert lookalike in found  # recall: the look-alike follows


def test_a_mixed_query_takes_each_word_as_typed(small):
    # "tinh" is any form; "Điện Biên" only itself
    found = ids(small, "UBND tinh Điện Biên")
    assert found[0] == "dienbien.txt"
    assert ids(small, "ubnd tinh dien bien")[:2] != []


def test_capitals_give_the_same_hits_as_lower_case(small, engine):
    for query in ("TỐNG GIANG", "ĐIỆN BIÊN", "TỈNH", "QUỐC PHÒNG TOÀN DÂN LAI CHÂU"):
        for eng in (small, engine):
            assert ids(eng, query) == ids(eng, query.lower()), query
    # an abbreviation in capitals stays one
    assert ids(engine, "UBND tỉnh") == ids(engine, "ubnd tỉnh")


# --- highlights -----------------------------------------------------------------------------------------


def marks(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_accented_words_mark_only_their_own_forms():
    text = "Tỉnh ủy họp; tính toán, tinh thần. Ông Tống và Tổng giám đốc. Xây dựng dung dịch. Hoà giải, hòa bình."
    assert marks(make_snippet(text, {"tỉnh"})) == ["Tỉnh"]
    assert marks(make_snippet(text, {"tinh"})) == ["Tỉnh", "tính", "tinh"]
    assert marks(make_snippet(text, {"tống"})) == ["Tống"]
    assert marks(make_snippet(text, {"dựng"})) == ["dựng"]
    assert marks(make_snippet(text, {"hòa"})) == ["Hoà", "hòa"]  # old tone placement is the same word


def test_adjacent_matches_are_one_mark_and_lone_common_words_are_left():
    text = (
        "Xây dựng nền quốc phòng toàn dân vững mạnh, phóng viên dẫn đàn toán học. "
        + "Nhiều năm qua, lời thề bảo vệ Tổ quốc luôn được nhắc lại ở mọi nơi. " * 3
    )
    terms = {"quốc", "phòng", "toàn", "dân"}
    common = {"quoc", "phong", "toan", "dan"}
    found = marks(make_snippet(text, terms, common=common, maxchars=1000, fragments=1))
    assert found == ["quốc phòng toàn dân"]
    assert (
        marks(make_snippet(text, terms, maxchars=1000, fragments=1)) == ["quốc phòng toàn dân"] + ["quốc"] * 3
    )


def test_engine_snippets_follow_the_typed_marks(small):
    hit = small.search("UBND tinh Điện Biên").hits[0]
    assert "<mark>UBND tỉnh Điện Biên</mark>" in hit.snippet
    for hit in small.search("Điện Biên").hits:
        assert all(m.lower() == "điện biên" for m in marks(hit.snippet)), hit.snippet


# --- places ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["UBND tỉnh Điện Biên", "ubnd tinh dien bien", "tỉnh Điện Biên quốc phòng", "Dien Bien quoc phong"],
)
def test_the_place_named_is_the_subject(engine, query):
    assert {h.id for h in engine.search(query).hits[:2]} == {DIEN_BIEN_2022, DIEN_BIEN_2023}


def test_a_place_in_lower_case_counts_where_the_words_mostly_mean_it(engine):
    plan = engine._plan("lai chau quoc phong", engine._searcher())
    assert plan.places == ["Lai Châu"]
    assert engine.search("quốc phòng toàn dân lai châu").hits[0].id == LAI_CHAU
    # "hòa bình" in lowercase is mostly peace, not the province
    assert engine._plan("giữ gìn hòa bình", engine._searcher()).places == []
    assert engine._plan("tỉnh Hòa Bình", engine._searcher()).places == ["Hòa Bình"]
    assert engine._plan("Sài Gòn", engine._searcher()).places == ["Thành phố Hồ Chí Minh"]


@pytest.mark.parametrize(
    "query, places",
    [
        ("Quý Sửu Công Vinh được gọi cả 3 đội tuyển", []),  # Lê Công Vinh, a footballer
        ("Quy Suu Cong Vinh duoc goi ca 3 doi tuyen", []),
        ("bão trên Thái Bình Dương", []),  # the Pacific
        ("lũ ở Thành Phố Vinh", ["Nghệ An"]),
        ("TP Vinh ngập", ["Nghệ An"]),
        ("Công An Hà Nội bắt", ["Hà Nội"]),
        ("Hà Nội Hải Phòng", ["Hà Nội", "Hải Phòng"]),  # places side by side are both places
    ],
)
def test_a_capitalised_name_inside_a_longer_one_is_no_place(engine, query, places):
    assert engine._plan(query, engine._searcher()).places == places


def test_capitals_do_not_make_words_abbreviations_or_names(engine):
    # "TƯ" in capitals stands for Trung ương, but not in a query written all in capitals
    plan = engine._plan("TIN TỨC TƯ PHÁP", engine._searcher())
    assert plan.synonyms == engine._plan("tin tức tư pháp", engine._searcher()).synonyms == []
    assert engine._plan("Nghị quyết TƯ", engine._searcher()).synonyms != []
    assert engine._plan("GIỮ GÌN HÒA BÌNH", engine._searcher()).places == []


def test_a_phrase_nothing_holds_as_typed_is_answered_in_any_form_and_says_so(small):
    # "họp bão" (real words) is written nowhere; "hop bao" is
    result = small.search('"Điện Biên họp bão"')
    assert [h.id for h in result.hits] == ["dienbien.txt"]
    assert [in_english(n) for n in result.notes] == [
        "no document holds the accented words as typed: showing them in any form"
    ]
    assert small.search('"Điện Biên họp báo"').notes == []
    assert small.search('"Điện Biên họp bão xyzzy"').total == 0


def test_a_word_no_document_holds_as_typed_says_its_results_are_look_alikes(tmp_path):
    from searcher.index.indexer import index_paths
    from searcher.search.engine import Engine

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "lu.txt").write_text("Lữ đoàn cơ giới số 92 hành quân.", encoding="utf-8")
    (tmp_path / "docs" / "lut.txt").write_text("Phòng chống lụt bão ở miền Trung.", encoding="utf-8")
    index_paths([tmp_path / "docs"], tmp_path / "index")
    engine = Engine(tmp_path / "index")
    # "lũ" (flood) is written nowhere: the brigade ("lữ") follows as a look-alike, and the user is told
    only_look_alike = engine.search("lũ lụt")
    assert [h.id for h in only_look_alike.hits] == ["lut.txt", "lu.txt"]
    assert [(n.code, n.args) for n in only_look_alike.notes] == [("look_alikes", {"words": ["lũ"]})]
    assert "<mark>" not in only_look_alike.hits[1].snippet
    # written as typed, typed without marks, or written nowhere in any form: nothing to tell
    assert engine.search("lữ đoàn").notes == []
    assert engine.search("lu lut").notes == []
    assert engine.search("lụt xyzzy").notes == []
    engine.close()


def test_a_title_holds_an_accented_phrase_only_as_typed(tmp_path):
    from searcher.index.indexer import index_paths
    from searcher.search.engine import Engine

    # the title holds "trọng tài thương mại", and "tại" elsewhere: not the typed "Trọng tại thương mại"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "luat.txt").write_text(
        "Luật Trọng tài thương mại: chi nhánh tại Việt Nam\n\nChi nhánh được thuê trụ sở.", encoding="utf-8"
    )
    index_paths([tmp_path / "docs"], tmp_path / "index")
    engine = Engine(tmp_path / "index")
    typo = engine.search('"Trọng tại thương mại"')
    assert [h.id for h in typo.hits] == ["luat.txt"]
    assert [in_english(n) for n in typo.notes] == [
        "no document holds the accented words as typed: showing them in any form"
    ]
    right = engine.search('"Trọng tài thương mại"')
    assert [h.id for h in right.hits] == ["luat.txt"] and right.notes == []
    engine.close()


def test_the_fallback_keeps_exclusions_as_typed(small):
    assert ids(small, '"hoa binh tinh" -"Hòa Bình"') == ["hoabinh-other.txt"]  # bare words: every form
    result = small.search('"Hoà bình tĩnh" -"Hòa Bình"')  # "hóa bình tĩnh" in any form, minus Hòa Bình
    assert [h.id for h in result.hits] == ["hoabinh-other.txt"]
