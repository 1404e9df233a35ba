"""Diacritic restoration from the index's own text, and its use in ranking (``interpreted_as``)."""

import json

import pytest
from conftest import BAC_KAN, LAI_CHAU

from searcher.lexicon.restore import _WORD, capitalised_inside, restore_text
from searcher.text.normalize import fold

# Administrative and military phrases as written; each is typed without diacritics and restored.
PHRASES = [
    "quốc phòng toàn dân",
    "bộ chỉ huy quân sự tỉnh điện biên",
    "bắc kạn",
    "ủy ban nhân dân tỉnh",
    "hội đồng nhân dân tỉnh",
    "khu vực phòng thủ",
    "lực lượng vũ trang",
    "an ninh nhân dân",
    "bộ đội biên phòng",
    "dân quân tự vệ",
    "quân khu 2",
    "bộ tư lệnh quân khu",
    "công tác quốc phòng",
    "bảo vệ tổ quốc",
    "biên giới quốc gia",
    "ban chấp hành trung ương",
    "ban thường vụ tỉnh ủy",
    "bí thư tỉnh ủy",
    "chủ tịch ủy ban nhân dân",
    "phó chủ tịch",
    "tỉnh lai châu",
    "thị xã",
    "thành phố",
    "huyện ủy",
    "đảng ủy quân sự",
    "hội nghị sơ kết",
    "tổng kết công tác",
    "xây dựng nền quốc phòng",
    "thế trận an ninh nhân dân",
    "diễn tập khu vực phòng thủ",
    "tuyển quân",
    "huấn luyện",
    "sẵn sàng chiến đấu",
    "chính trị tư tưởng",
    "kinh tế xã hội",
    "phát triển kinh tế",
    "an ninh trật tự",
    "cải cách hành chính",
    "thủ tục hành chính",
    "nghị quyết trung ương",
    "chỉ thị",
    "kế hoạch",
    "sở tài chính",
    "sở giáo dục và đào tạo",
    "công an tỉnh",
    "cảnh sát giao thông",
    "tòa án nhân dân",
    "viện kiểm sát nhân dân",
    "bảo hiểm xã hội",
    "quyền và nghĩa vụ",
    "hợp đồng lao động",
    "người lao động",
    "xử phạt vi phạm hành chính",
    "giấy chứng nhận quyền sử dụng đất",
    "cơ quan nhà nước có thẩm quyền",
    "thiếu tướng",
    "đại tá",
    "chính ủy",
    "tư lệnh",
    "nhiệm vụ quân sự",
    "giáo dục quốc phòng và an ninh",
    "đồng bào dân tộc thiểu số",
    "tỉnh điện biên",
]
TARGET = 0.95  # share of syllables restored exactly


def test_restoration_accuracy_on_administrative_phrases(corpus_engine, capsys):
    lexicon = corpus_engine.lexicon()
    right = total = 0
    wrong = []
    for phrase in PHRASES:
        restored = restore_text(lexicon, fold(phrase))
        pairs = list(zip(restored.split(), phrase.split()))
        right += sum(a == b for a, b in pairs)
        total += len(phrase.split())
        if restored != phrase:
            wrong.append((fold(phrase), restored, phrase))
    accuracy = right / total
    with capsys.disabled():
        print(
            f"\nrestoration: {right}/{total} syllables = {accuracy:.1%} on {len(PHRASES)} phrases; "
            f"wrong: {wrong}"
        )
    assert len(PHRASES) >= 50
    assert accuracy >= TARGET, wrong


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("quoc phong toan dan", "quốc phòng toàn dân"),
        ("bo chi huy quan su tinh dien bien", "bộ chỉ huy quân sự tỉnh điện biên"),
        ("bac kan", "bắc kạn"),
        ("UBND tinh Lai Chau", "UBND tỉnh Lai Châu"),  # typed case kept, abbreviation untouched
        ("Điện Biên tin tuc", "Điện Biên tin tức"),  # typed marks kept, a rare bare spelling restored
        # next to numbers: the lexicon counts what stands next to them ("tháng #", "quận #", "# ha")
        ("thang 5 nam 2019", "tháng 5 năm 2019"),
        ("dieu 5 khoan 2", "điều 5 khoản 2"),
        ("quan 1", "quận 1"),
        ("xe 16 cho", "xe 16 chỗ"),
        ("chung cu 30 tang", "chung cư 30 tầng"),
        ("2 ha dat", "2 ha đất"),  # hectares
        ("quốc phòng toàn dân", None),  # nothing to restore
        ("21/2019", None),
    ],
)
def test_interpreted_as(corpus_engine, typed, expected):
    assert corpus_engine.search(typed).interpreted_as == expected


def test_a_number_is_never_read_as_another_form(corpus_engine, monkeypatch):
    # an index built before numbers were kept out of the lexicon counted "²" (of "m²") under the key
    # "2", its only form there: "2" must still stay "2"
    lexicon = corpus_engine.lexicon()
    forms = lexicon.forms
    monkeypatch.setattr(lexicon, "forms", lambda key: [("²", 10)] if key == "2" else forms(key))
    monkeypatch.setattr(lexicon, "worked_out", {})
    assert corpus_engine.search("quan khu 2").interpreted_as == "quân khu 2"
    assert corpus_engine.search("ky hop thu 2").interpreted_as == "kỳ họp thứ 2"


def test_restored_reading_ranks_documents_that_contain_it_first(engine):
    # "bac kan" also folds "bắc cạn"-like and "bác ..." words; the reading "bắc kạn" is what seed 001 says
    result = engine.search("bac kan")
    assert result.interpreted_as == "bắc kạn"
    assert result.hits[0].id == BAC_KAN


def test_unaccented_query_scores_like_the_accented_one(engine):
    plain = engine.search("quoc phong toan dan lai chau")
    accented = engine.search("quốc phòng toàn dân lai châu")
    assert plain.hits[0].id == accented.hits[0].id == LAI_CHAU
    # (the same order; the accented query's scores also carry its tiers: see Engine.search)
    assert [h.id for h in plain.hits] == [h.id for h in accented.hits]


def test_folded_matches_are_kept(engine):
    with_reading = engine.search("quoc phong")
    engine.query_intelligence = False
    try:
        without = engine.search("quoc phong")
    finally:
        engine.query_intelligence = True
    assert with_reading.total == without.total
    assert without.interpreted_as is None


def test_cli_shows_the_reading(runner, seed_index):
    from searcher.cli import cli

    result = runner.invoke(cli, ["query", "quoc phong toan dan", "--index-dir", str(seed_index)])
    assert result.exit_code == 0, result.output
    assert "Kết quả cho: quốc phòng toàn dân" in result.output
    data = json.loads(
        runner.invoke(cli, ["query", "quoc phong", "--json", "--index-dir", str(seed_index)]).output
    )
    assert data["interpreted_as"] == "quốc phòng"
    assert data["did_you_mean"] is None


def test_long_questions_rank_by_their_words_as_typed(corpus_engine):
    """Past RESTORE_MAX_SYLLABLES the reading is not used for ranking (nor shown): the folded matches of
    a long question already rank as its reading would, and its exact-word clauses only cost time."""
    from searcher.search.planning import RESTORE_MAX_SYLLABLES

    short = "quoc phong toan dan"
    long = "nguoi lao dong co quyen don phuong cham dut hop dong lao dong trong truong hop nao"
    assert len(long.split()) > RESTORE_MAX_SYLLABLES >= len(short.split())
    assert corpus_engine.search(short).interpreted_as == "quốc phòng toàn dân"
    result = corpus_engine.search(long)
    assert result.interpreted_as is None and result.total > 0


def test_words_capitalised_inside_a_sentence_are_taken_for_names():
    text = "Ông Hai đến. Bà Ba về, gặp ANH Tư ở Hà Nội: Xong"
    matches = list(_WORD.finditer(text))
    assert [m.group() for m, c in zip(matches, capitalised_inside(text, matches)) if c] == [
        "Hai",
        "Ba",
        "ANH",
        "Tư",
        "Hà",
        "Nội",
    ]
    capitals = "ÔNG HAI ĐẾN"
    assert not any(capitalised_inside(capitals, list(_WORD.finditer(capitals))))


def test_a_name_is_read_as_a_name_inside_a_sentence(engine, monkeypatch):
    # "hai" is more often the number; written "Hai" inside a sentence it is the name Hải
    lexicon = engine.lexicon()
    forms, cased = lexicon.forms, lexicon.cased
    monkeypatch.setattr(
        lexicon, "forms", lambda key: [("hai", 200), ("hải", 100)] if key == "hai" else forms(key)
    )
    monkeypatch.setattr(lexicon, "cased", lambda form: "Hải" if form == "hải" else cased(form))
    monkeypatch.setattr(lexicon, "worked_out", {})
    assert restore_text(lexicon, "gặp ông Hai ở đó") == "gặp ông Hải ở đó"
    assert restore_text(lexicon, "gặp ông hai ở đó") == "gặp ông hai ở đó"
    assert restore_text(lexicon, "Hai người") == "Hai người"  # a sentence starts with it
