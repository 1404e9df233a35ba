"""How the lexicon stores its forms: syllable numbers under their folded keys, capitals as a mask
(searcher.lexicon.vocabulary)."""

from __future__ import annotations

import sqlite3

from searcher import index_paths
from searcher.index import store
from searcher.lexicon.lexicon import Lexicon, counted, phrase_key
from searcher.lexicon.vocabulary import SCHEMA, Vocabulary, caps_in, caps_of, with_caps


def _db(path=":memory:") -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    return db


def test_a_form_is_stored_as_its_syllables_numbers_under_their_keys():
    db = _db()
    writer = Vocabulary(db, grow=True)
    assert writer.stored("quoc phong", "quốc phòng", 2) == bytes([0, 0])
    assert writer.stored("quoc phong", "quộc phòng", 2) == bytes([1, 0])
    assert writer.stored("phong quoc", "phóng quốc", 2) == bytes([1, 0])
    reader = Vocabulary(db)
    assert reader.form("quoc phong", bytes([1, 0])) == "quộc phòng"
    assert reader.form("phong", bytes([1])) == "phóng"
    assert reader.stored("quoc phong", "quốc phòng", 2) == bytes([0, 0])
    assert reader.stored("quoc phong", "quóc phòng", 2) is None  # never numbered: not in the table
    assert list(reader.written_out([("phong quoc", bytes([1, 0]), 7)])) == [("phong quoc", "phóng quốc", 7)]


def test_a_form_whose_key_is_not_one_word_a_syllable_is_stored_as_written():
    db = _db()
    writer = Vocabulary(db, grow=True)
    key = phrase_key("帮助 người")
    assert key.count(" ") > 1  # (a Chinese character folds to a word and a space)
    assert writer.stored(key, "帮助 người", 2) == "帮助 người"
    assert Vocabulary(db).form(key, "帮助 người") == "帮助 người"


def test_a_syllable_numbered_beyond_a_byte_is_stored_as_written():
    db = _db()
    writer = Vocabulary(db, grow=True)
    stored = [writer.stored("x", f"x{i}", 1) for i in range(300)]
    assert stored[255] == bytes([255]) and stored[256] == "x256"
    assert writer.stored("x y", "x3 y", 2) == bytes([3, 0]) and writer.stored("x y", "x299 y", 2) == "x299 y"
    reader = Vocabulary(db)
    assert [reader.form("x", s) for s in stored] == [f"x{i}" for i in range(300)]


def test_a_reader_behind_a_commit_reads_the_numbers_again(tmp_path):
    path = tmp_path / "lexicon.sqlite"
    db = _db(path)
    Vocabulary(db, grow=True).stored("quoc", "quốc", 1)
    db.commit()
    reader = Vocabulary(sqlite3.connect(path))
    assert reader.form("quoc", bytes([0])) == "quốc"
    assert reader.stored("quoc", "quộc", 1) is None
    Vocabulary(db, grow=True).stored("quoc", "quộc", 1)
    db.commit()
    assert reader.form("quoc", bytes([1])) == "quộc"
    assert reader.stored("quoc", "quộc", 1) == bytes([1])
    assert list(reader.written_out([("quoc", bytes([1]))])) == [("quoc", "quộc")]


def test_capitals_are_a_mask_of_the_letters_that_change():
    assert caps_of("ubnd tỉnh", "UBND tỉnh") == 0b1111
    assert with_caps("ubnd tỉnh", 0b1111) == "UBND tỉnh"
    assert with_caps("lai châu", caps_of("lai châu", "Lai Châu")) == "Lai Châu"
    assert caps_of("u# x", "U# X") == 0b1001  # ("#" has no capital)
    assert with_caps("quốc", 0) == "quốc"
    assert with_caps("ß", 1) == "SS" and caps_in("ß", "SS") == 1  # (a capital of two letters)
    for form, cased in [("ubnd tỉnh", "UBND tỉnh"), ("lai châu", "Lai Châu"), ("tp. hcm", "TP. HCM")]:
        assert caps_in(form, cased) == caps_of(form, cased)
        assert with_caps(form, caps_in(form, cased)) == cased


def test_an_index_counts_forms_whose_keys_are_not_one_word_a_syllable(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Tiếng Trung\n\nChữ 帮助 nghĩa là giúp đỡ. Người học viết 帮助 mọi ngày, nghĩa là giúp đỡ.\n",
        encoding="utf-8",
    )
    index_paths([folder], tmp_path / "ix")
    generation = store.current_generation(tmp_path / "ix")
    lexicon = Lexicon.open(generation)
    assert lexicon is not None
    try:
        assert lexicon.forms(phrase_key("帮助")) == [("帮助", 2)]
        assert lexicon.forms(phrase_key("帮助 mọi")) == [("帮助 mọi", 1)]
        assert lexicon.forms(phrase_key("nghĩa là giúp đỡ")) == [("nghĩa là giúp đỡ", 2)]
        assert lexicon.cased("tiếng trung") == "Tiếng Trung"
    finally:
        lexicon.close()
    db = sqlite3.connect(generation / "lexicon.sqlite")
    try:
        rows = counted(db)
    finally:
        db.close()
    assert ("Bang Zhu ", "帮助", 1, 2, "帮助") in rows


def test_capitals_past_the_63rd_letter_are_written_out(tmp_path):
    """A mask past 63 bits is no SQLite integer: such a capitalisation is kept as written, and an
    index holding one is written and read like any other."""
    long_word = "quoc" + "x" * 70
    form = f"{long_word}x phòng"
    assert caps_of(form, form.upper()) == form.upper()
    assert with_caps(form, form.upper()) == form.upper()
    assert caps_in(form, form.upper()) == form.upper()
    assert caps_of(form, form[:62] + "X" + form[63:]) == 1 << 62  # (the last that fits)
    assert caps_of(form, form[:63] + "X" + form[64:]) == form[:63] + "X" + form[64:]
    cased = long_word.capitalize() + "X Phòng"
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(
        f"Tiêu đề\n\nHôm nay {cased} và {cased} mở cửa. {cased}.\n", encoding="utf-8"
    )
    index_paths([folder], tmp_path / "ix")
    lexicon = Lexicon.open(store.current_generation(tmp_path / "ix"))
    assert lexicon is not None
    try:
        assert lexicon.cased(form) == cased
    finally:
        lexicon.close()
