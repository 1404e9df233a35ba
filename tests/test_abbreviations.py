"""Abbreviations both ways: either form finds the other, ranked as a phrase and marked in snippets."""

import re
import shutil

import pytest
from conftest import DIEN_BIEN_2022, LAI_CHAU, TAM_DIEP

from searcher.lexicon.abbreviations import AbbreviationTable, parse_lines, table_files, table_for
from searcher.search.engine import Engine


def marks(hit) -> set[str]:
    return {m.lower() for m in re.findall(r"<mark>(.*?)</mark>", hit.snippet)}


def marked_within(phrases: set[str], hit) -> bool:
    # adjacent matches are one mark: a phrase may be part of a longer one
    return all(any(phrase in mark for mark in marks(hit)) for phrase in phrases)


@pytest.fixture(scope="module")
def table():
    return AbbreviationTable.load(table_files(None))


@pytest.mark.parametrize(
    "form, expected",
    [
        ("UBND", ["ủy ban nhân dân"]),
        ("ubnd", ["ủy ban nhân dân"]),
        ("Ủy ban nhân dân", ["ubnd"]),
        ("uy ban nhan dan", ["ubnd"]),
        ("HĐND", ["hội đồng nhân dân"]),
        ("BCHQS", ["bộ chỉ huy quân sự", "bộ chqs", "bch qs"]),
        ("Bộ CHQS", ["bộ chỉ huy quân sự", "bchqs", "bch qs"]),
        ("Bộ Chỉ huy Quân sự", ["bchqs", "bộ chqs", "bch qs"]),
        ("BCH", ["ban chấp hành", "bộ chỉ huy"]),  # ambiguous: both, nothing further
        ("QP-AN", ["quốc phòng an ninh", "qpan"]),
        ("QK", ["quân khu"]),
        ("Quân khu", []),  # two letters stand for too much to be searched for a long form
        ("TP.HCM", ["thành phố hồ chí minh", "tphcm"]),
        ("KT-XH", ["kinh tế xã hội", "ktxh"]),
        ("LLVT", ["lực lượng vũ trang"]),
        ("ĐBQH", ["đại biểu quốc hội"]),
        ("quốc phòng toàn dân", []),
    ],
)
def test_alternatives(table, form, expected):
    from searcher.lexicon.abbreviations import _key, _syllables

    assert [" ".join(a) for a in table.alternatives_of(_key(_syllables(form)))] == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Nghị quyết TƯ 8", ["trung ương", "tw"]),  # in capitals: the abbreviation
        ("tư lệnh", []),  # in lowercase: the everyday word
        ("bộ chỉ huy quân sự tỉnh", ["bchqs", "bộ chqs", "bch qs"]),  # the longest form only
    ],
)
def test_find_in_query(table, typed, expected):
    from searcher.lexicon.abbreviations import _syllables

    found = table.find([list(_syllables(typed))], typed)
    assert [" ".join(a.syllables) for a in found] == expected


def test_parse_lines():
    text = "# comment\nUBND\tỦy ban nhân dân\n\nTƯ\tTrung ương\tcased\nbroken line\n"
    assert parse_lines(text) == [("UBND", "Ủy ban nhân dân", False), ("TƯ", "Trung ương", True)]


@pytest.mark.parametrize(
    "query, top, marked",
    [
        ("ủy ban nhân dân tỉnh Lai Châu", LAI_CHAU, {"ubnd"}),  # the text says "UBND tỉnh Lai Châu"
        ("Bộ CHQS tỉnh", TAM_DIEP, {"bộ chỉ huy quân sự"}),  # it says "Bộ chỉ huy Quân sự tỉnh"
        ("LLVT", TAM_DIEP, {"llvt", "lực lượng vũ trang"}),
        ("KVPT", TAM_DIEP, {"khu vực phòng thủ"}),
    ],
)
def test_either_form_finds_the_other(engine, query, top, marked):
    hit = engine.search(query).hits[0]
    assert hit.id == top
    assert marked_within(marked, hit)


def test_long_form_finds_and_marks_the_abbreviation(engine):
    hits = {h.id: h for h in engine.search("bộ chỉ huy quân sự tỉnh").hits}
    assert marked_within({"bộ chqs"}, hits[DIEN_BIEN_2022])  # "Bộ CHQS tỉnh", marked as the one phrase it is


def test_the_other_form_is_marked_only_where_it_stands_whole(engine):
    # the document says "lực lượng vũ trang (LLVT)" and, elsewhere, "lực lượng dân quân"
    html = engine.get(TAM_DIEP, highlight="LLVT")["text_html"]
    marked = [m.lower() for m in re.findall(r"<mark>(.*?)</mark>", html)]
    assert "lực lượng vũ trang" in marked and "llvt" in marked
    assert set(marked) == {"lực lượng vũ trang", "llvt"}
    assert "xây dựng lực lượng dân quân" in html


def test_a_long_question_marks_the_other_form_but_ranks_by_its_words(engine):
    question = (
        "ủy ban nhân dân tỉnh lai châu sơ kết mười năm xây dựng nền quốc phòng toàn dân"  # 16 syllables
    )
    plan = engine._plan(question, engine._searcher())
    assert plan.synonyms == []  # no clauses for "UBND": the words rank
    assert "ubnd" in plan.highlight_terms
    result = engine.search(question)
    assert result.hits[0].id == LAI_CHAU
    html = engine.get(LAI_CHAU, highlight=question)["text_html"]
    assert "<mark>UBND tỉnh Lai Châu</mark>" in html


def test_without_the_table_the_abbreviation_is_only_itself(engine):
    engine.query_intelligence = False
    try:
        assert engine.search("Bộ CHQS tỉnh").hits[0].id != TAM_DIEP
    finally:
        engine.query_intelligence = True


def test_user_file_next_to_the_index(seed_index, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    eng = Engine(index_dir)
    try:
        assert eng.search("XDNQP").total == 0
        (index_dir / "abbreviations.tsv").write_text("XDNQP\tXây dựng nền quốc phòng\n", encoding="utf-8")
        result = eng.search("XDNQP")
        assert result.total > 0
        assert "xây dựng nền quốc phòng" in marks(result.hits[0])
    finally:
        eng.close()
    extra = tmp_path / "mine.tsv"
    extra.write_text("ĐBP\tĐiện Biên Phủ\n", encoding="utf-8")
    monkeypatch.setenv("SEARCH_ABBREVIATIONS", str(extra))
    assert [" ".join(a) for a in table_for(None).alternatives_of(("dbp",))] == ["điện biên phủ"]
