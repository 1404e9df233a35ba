"""Autocomplete (Engine.suggest): frequent phrases of the index continuing a prefix, accented."""

import pytest

from searcher.lexicon.suggest import suggest

# (prefix, limit, expected) on the seed index; typed with or without diacritics
CASES = [
    ("quoc ph", 2, ["quốc phòng", "quốc phòng toàn dân"]),
    ("bộ chỉ h", 8, ["bộ chỉ huy"]),
    ("Bo chi h", 8, ["bộ chỉ huy"]),
    ("UBND t", 2, ["UBND tỉnh", "UBND thành phố"]),  # typed capitals kept
    ("dien b", 2, ["Điện Biên", "diễn biến"]),  # names as the text writes them
    ("điện b", 1, ["Điện Biên"]),  # marks typed: only what has them
    ("quốc phòng toàn d", 8, ["quốc phòng toàn dân"]),
    ("ky thu", 8, ["kỹ thuật"]),
    ("kĩ thu", 8, ["kỹ thuật"]),  # either i/y spelling
    ("xyz", 8, []),
    ("", 8, []),
    ("   ", 8, []),
]


@pytest.mark.parametrize("prefix, limit, expected", CASES)
def test_suggest(engine, prefix, limit, expected):
    assert engine.suggest(prefix, limit=limit) == expected


def test_limit_is_respected(engine):
    assert len(engine.suggest("q", limit=3)) == 3
    assert engine.suggest("q", limit=0) == []


def test_without_lexicon_nothing_is_suggested():
    assert suggest(None, "quoc ph") == []


@pytest.mark.parametrize(
    "prefix, first",
    [
        ("quoc ph", "quốc phòng"),
        ("bộ chỉ h", "bộ chỉ huy"),
        ("uy ban nhan d", "ủy ban nhân dân"),
        ("bo doi bien ph", "bộ đội biên phòng"),
    ],
)
def test_first_suggestion_on_real_articles(corpus_engine, prefix, first):
    assert corpus_engine.suggest(prefix)[0].lower() == first


def test_numbers_are_read_but_never_offered(corpus_engine):
    # the lexicon counts what stands next to numbers (for reading "thang 5"), under the word "#" ...
    assert dict(corpus_engine.lexicon().forms("thang #"))["tháng #"] > 100
    # ... which autocomplete never offers
    for prefix in ("thang", "tháng", "ngay", "quan", "#", "# "):
        assert not [s for s in corpus_engine.suggest(prefix, limit=50) if "#" in s], prefix


@pytest.mark.parametrize(
    "phrase, following, joined",
    [
        ("khu vực phòng", "thủ", True),  # "phòng thủ" is one word: the phrase is cut inside it
        ("chủ tịch nước", "Trần", False),  # a name follows a whole word
        ("quốc phòng và an", "ninh", True),
        ("hội nghị quốc", "tế", True),
        ("UBND tỉnh", "Điện", False),
    ],
)
def test_word_ends_by_segmentation(phrase, following, joined):
    from searcher.lexicon.lexicon import _joined_with_next

    assert _joined_with_next(phrase, following) is joined


def test_offered_phrases_end_at_word_ends(engine):
    from searcher.lexicon.lexicon import END_STOP

    offered = [
        s for prefix in ("quoc", "bo chi", "ban chi", "hoi ng", "khu vuc") for s in engine.suggest(prefix, 8)
    ]
    assert offered
    for phrase in offered:
        last = phrase.split(" ")[-1].lower()
        assert last not in END_STOP and len(last) > 1, phrase
    assert "khu vực phòng" not in offered and "quốc phòng toàn" not in offered


def test_a_long_typed_phrase_is_completed_whole(tmp_path):
    """Five typed syllables are read as one phrase ("bo chi huy quan su" → "Bộ Chỉ huy Quân sự tỉnh"),
    and a phrase longer than the counted ones is offered with the syllable that often follows it."""
    from searcher import Engine, index_paths

    folder = tmp_path / "docs"
    folder.mkdir()
    places = ["Điện Biên", "Lai Châu", "Sơn La", "Hà Giang", "Cao Bằng", "Lào Cai"]
    for n, place in enumerate(places * 3):
        body = (
            f"Sáng nay, Bộ Chỉ huy Quân sự tỉnh {place} tổ chức hội nghị. Đại diện Bộ Chỉ huy Quân sự "
            f"tỉnh {place} và Bộ Chỉ huy Quân sự huyện biên giới báo cáo kết quả huấn luyện năm {2000 + n}."
        )
        (folder / f"{n:02d}.txt").write_text(f"Hội nghị quân sự số {n}\n\n{body}\n", encoding="utf-8")
    index_paths([folder], tmp_path / "ix")
    engine = Engine(tmp_path / "ix")
    offered = engine.suggest("bo chi huy quan su")
    assert offered and all(s.lower().startswith("bộ chỉ huy quân sự") for s in offered), offered
    assert "bộ chỉ huy quân sự tỉnh" in [s.lower() for s in offered]
    engine.close()
