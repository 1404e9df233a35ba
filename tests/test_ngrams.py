"""The lexicon's n-gram counting: what is counted, and the same counts as counting strings directly."""

import itertools
import re
import sqlite3
from collections import Counter

import pytest
from conftest import SEEDS

from searcher.lexicon import ngrams
from searcher.lexicon.ngrams import NgramCounts
from searcher.text.normalize import canonical_tone

CASES = [
    (
        "Quốc phòng toàn dân",
        {
            1: ["Quốc", "phòng", "toàn", "dân"],
            2: ["Quốc phòng", "phòng toàn", "toàn dân"],
            3: ["quốc phòng toàn", "phòng toàn dân"],  # longer phrases lowercase
            4: ["quốc phòng toàn dân"],
        },
    ),
    # never across punctuation or a line end; a number is one word, "#", in 1-2-grams only
    (
        "Hòa bình, 2019 ổn định\nxã hội",
        {
            1: ["Hòa", "bình", "#", "ổn", "định", "xã", "hội"],
            2: ["Hòa bình", "# ổn", "ổn định", "xã hội"],
            3: [],
            4: [],
        },
    ),
    (
        "U23 thắng 2-1 tại quận 1",
        {  # (U23 is no number)
            1: ["U", "thắng", "#", "tại", "quận"],
            2: ["thắng #", "# tại", "tại quận", "quận #"],
            3: [],
            4: [],
        },
    ),
    # 1-2-grams as written; longer ones with the canonical tone placement
    (
        "UBND tỉnh Hoà Bình",
        {
            1: ["UBND", "tỉnh", "Hoà", "Bình"],
            2: ["UBND tỉnh", "tỉnh Hoà", "Hoà Bình"],
            3: ["ubnd tỉnh hòa", "tỉnh hòa bình"],
            4: ["ubnd tỉnh hòa bình"],
        },
    ),
    ("21/2019/NĐ-CP", {1: ["#", "NĐ", "CP"], 2: [], 3: [], 4: []}),
    # a word that is no letters, though \w takes it (² is a number, not a digit), parts a run;
    # a "#" of the text is no number
    (
        "diện tích 20 m² và tỉ số ½ trận #1",
        {
            1: ["diện", "tích", "#", "và", "tỉ", "số", "trận"],
            2: ["diện tích", "tích #", "và tỉ", "tỉ số"],
            3: ["và tỉ số"],
            4: [],
        },
    ),
    ("", {1: [], 2: [], 3: [], 4: []}),
]


def _rows(counts: NgramCounts) -> dict[int, Counter]:
    found = {n: Counter() for n in (1, 2, 3, 4)}
    for n, gram, count in counts.rows():
        found[n][gram] += count
    return found


@pytest.mark.parametrize("text,expected", CASES)
def test_what_is_counted(text, expected):
    counts = NgramCounts()
    syllables = counts.add(text)
    found = _rows(counts)
    assert {n: sorted(found[n]) for n in found} == {n: sorted(grams) for n, grams in expected.items()}
    assert syllables == len([gram for gram in expected[1] if gram != "#"])  # numbers are not syllables


def _reference(texts: list[str]) -> dict[int, Counter]:
    """Counting strings directly: what NgramCounts must agree with."""
    found = {n: Counter() for n in (1, 2, 3, 4)}
    for text in texts:
        text = re.sub(r"(?<![^\W_])\d+(?![^\W_])", "#", text.replace("#", "|"))
        runs = re.findall(r"(?:[^\W\d_]+|#)(?:[ \t]+(?:[^\W\d_]+|#))*", text)
        # ... each cut again where a word is neither all letters nor a number
        parts = [
            list(group)
            for run in runs
            for ok, group in itertools.groupby(run.split(), key=lambda w: w.isalpha() or w == "#")
            if ok
        ]
        for written in parts:
            lower = [canonical_tone(s.lower()) for s in written]
            for n, words in ((1, written), (2, written), (3, lower), (4, lower)):
                grams = (words[i : i + n] for i in range(len(words) - n + 1))
                found[n].update(" ".join(g) for g in grams if n < 3 or "#" not in g)
    return found


@pytest.mark.parametrize("bits", [{3: 21, 4: 16}, {3: 4, 4: 3}])  # the second: most forms numbered too wide
@pytest.mark.parametrize("window", [1_000_000, 97])
def test_the_same_counts_as_counting_strings(monkeypatch, bits, window):
    monkeypatch.setattr(ngrams, "_BITS", bits)
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    texts.append("Hoà Bình hoà bình HÒA BÌNH. Thuỷ lợi thủy lợi. Rộng 20 m² hay ½ ha đất.")
    counts = NgramCounts(lossy=False, window=window)
    total = sum(counts.add(text) for text in texts)
    expected = _reference(texts)
    assert _rows(counts) == expected
    assert total == sum(expected[1].values()) - expected[1]["#"]
    assert len(expected[4]) > 1000


def test_a_lossy_window_drops_the_long_phrases_seen_once_in_it():
    counts = NgramCounts(lossy=True, window=8)
    counts.add("ban chấp hành ban chấp hành")  # 6 syllables: one window with the next text
    counts.add("bộ chỉ huy")  # the window is full: counted, phrases seen once dropped
    counts.add("bộ chỉ huy quân sự")  # counted at the end, not lossy
    found = _rows(counts)
    assert found[3] == {"ban chấp hành": 2, "bộ chỉ huy": 1, "chỉ huy quân": 1, "huy quân sự": 1}
    assert found[4] == {"bộ chỉ huy quân": 1, "chỉ huy quân sự": 1}
    assert found[1]["bộ"] == 2 and found[2]["bộ chỉ"] == 2  # short ones are never dropped


def test_the_long_phrases_seen_once_are_counted_and_can_be_left_out():
    counts = NgramCounts(lossy=False)
    counts.add("ban chấp hành ban chấp hành")
    counts.add("bộ chỉ huy quân sự")
    # 3-grams: "chấp hành ban", "hành ban chấp" and the second text's 3; 4-grams: 3 and 2
    assert counts.long_seen_once() == (2 + 3) + (3 + 2)
    kept: dict[int, Counter] = {n: Counter() for n in (1, 2, 3, 4)}
    for n, gram, count in counts.rows(with_seen_once=False):
        kept[n][gram] += count
    assert kept[3] == {"ban chấp hành": 2} and not kept[4]
    assert kept[1]["bộ"] == 1 and kept[2]["bộ chỉ"] == 1  # short ones are never left out


def test_a_first_lexicon_write_leaves_out_the_phrases_it_would_drop(tmp_path, monkeypatch):
    """More 3-4-grams seen once than are kept: a first write leaves them out rather than inserting
    them to delete them, and the table is the same."""
    from searcher.lexicon import lexicon

    monkeypatch.setattr(lexicon, "RARE_PHRASES_KEPT", 50)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]

    def built(name: str) -> tuple[list, int]:
        written: list[int] = []
        write_rows = lexicon.LexiconBuilder._write_rows

        def counting(self, n, rows, sign, syllables):
            written.append(len(rows))
            return write_rows(self, n, rows, sign, syllables)

        with monkeypatch.context() as patch:
            patch.setattr(lexicon.LexiconBuilder, "_write_rows", counting)
            (tmp_path / name).mkdir()
            builder = lexicon.LexiconBuilder(tmp_path / name, fresh=True)
            for text in texts:
                builder.add("", text)
            builder.save()
        db = sqlite3.connect(tmp_path / name / lexicon.LEXICON_FILE)
        try:
            return db.execute("SELECT * FROM ngram ORDER BY key, form").fetchall(), sum(written)
        finally:
            db.close()

    left_out, fewer = built("left-out")
    monkeypatch.setattr(NgramCounts, "long_seen_once", lambda self: 0)  # as if they were few
    written_and_dropped, more = built("dropped")
    assert left_out == written_and_dropped
    assert not [row for row in left_out if row[2] > 2 and row[3] < 2]
    assert fewer < more - 50


def _lexicon_tables(folder) -> dict[str, list]:
    from searcher.lexicon import lexicon

    db = sqlite3.connect(folder / lexicon.LEXICON_FILE)
    try:
        tables = ("ngram", "syllable", "suggest", "suggest_top", "suggest_cut", "meta")
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in tables}
    finally:
        db.close()


@pytest.mark.parametrize("apart_fails", [False, True], ids=["apart", "apart-fails"])
def test_a_large_first_write_writes_its_4_grams_apart_into_the_same_tables(
    tmp_path, monkeypatch, apart_fails
):
    """A fresh build's first write of many 4-grams writes them in a forked process and copies them
    in: every table is as one process writes it, and so it is when that process fails."""
    import os

    from searcher.lexicon import lexicon
    from searcher.lexicon.vocabulary import Vocabulary

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]

    def built(name: str) -> dict[str, list]:
        (tmp_path / name).mkdir()
        builder = lexicon.LexiconBuilder(tmp_path / name, fresh=True)
        for text in texts:
            builder.add(text.split("\n", 1)[0], text)
        builder.save()
        assert sorted(p.name for p in (tmp_path / name).iterdir()) == [lexicon.LEXICON_FILE]
        return _lexicon_tables(tmp_path / name)

    monkeypatch.setattr(lexicon, "FORKED_WRITE_ROWS", 1 << 62)
    alone = built("alone")
    forks: list[int] = []
    fork = os.fork
    monkeypatch.setattr(lexicon, "FORKED_WRITE_ROWS", 1)
    monkeypatch.setattr(lexicon.os, "fork", lambda: forks.append(1) or fork())
    if apart_fails:

        def fails(self, db):
            raise RuntimeError("no room")

        monkeypatch.setattr(Vocabulary, "write_apart", fails)
    copied: list[bool] = []
    copy_into = lexicon._ApartWrite.copy_into
    monkeypatch.setattr(
        lexicon._ApartWrite, "copy_into", lambda self, db: copied.append(copy_into(self, db)) or copied[-1]
    )
    apart = built("apart")
    assert forks == [1, 1]
    assert copied == [not apart_fails] * 2
    assert len(alone["ngram"]) > 1_000 and [row for row in alone["ngram"] if row[2] == 4]
    assert apart == alone
