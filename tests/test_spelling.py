"""Did you mean: misspelled syllables and wrong tone marks corrected from the index's vocabulary."""

import json

import pytest

from searcher.analysis.analyzers import exact_analyzer
from searcher.lexicon.spelling import _edits, corrections
from searcher.search.notes import Note, in_english


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("quoc phonng", "quốc phòng"),  # a doubled letter
        ("dien bein", "diễn biến"),  # swapped letters, read as the index most often writes them
        ("tinh dien bein", "tỉnh điện biên"),  # ... and in context as the province
        ("hoi ngi", "hội nghị"),  # a missing letter
        ("hoi ngi 2019", "hội nghị 2019"),  # a number parts the words checked, and stays as typed
        ("2019 quoc phonng", "2019 quốc phòng"),
        ("Hoi ngi", "Hội nghị"),  # typed case kept
        ("quôc phòng", "quốc phòng"),  # a wrong mark the index never writes
        ("hướng dân thi hành", "hướng dẫn thi hành"),  # a real word, wrong in its context
        ("hợp đông lao động", "hợp đồng lao động"),
        ("quốc phòng toàn dân", None),  # right as typed
        ("quoc phong toan dan", None),  # unaccented is not wrong: that is interpreted_as
        ("Điện Biên tin tuc", None),  # a frequent word with its own marks is not second-guessed
        ("nhân dân", None),
        # a typed form at home next to one neighbour is kept, however often the other tone meets the other
        (
            "xếp loại về hạnh kiểm",
            None,
        ),  # "về hành" is common, but so is "hạnh kiểm" (and "hành kiểm" is not)
        ("để chờ các", None),  # "cho các" is far more common, but "để chờ" is a phrase too
    ],
)
def test_did_you_mean(corpus_engine, typed, expected):
    # (as typed: a query holding a word the index never writes is otherwise answered by its correction)
    assert corpus_engine.search(typed, as_typed=True).did_you_mean == expected


@pytest.mark.parametrize(
    "typed, run",
    [
        ("quoc phonng", "quốc phòng"),  # letters the index never writes
        ("quôc phòng", "quốc phòng"),  # a mark the index never writes
        ("Hoi ngi", "Hội nghị"),
    ],
)
def test_a_sure_correction_is_run_and_says_what_was_typed(corpus_engine, typed, run):
    result = corpus_engine.search(typed)
    assert (result.query, result.corrected_from, result.did_you_mean) == (run, typed, None)
    assert result.total == corpus_engine.search(run).total > 0
    assert result.interpreted_as is None  # never a reading that keeps the non-word
    as_typed = corpus_engine.search(typed, as_typed=True)
    assert (as_typed.query, as_typed.corrected_from, as_typed.did_you_mean) == (typed, None, run)
    assert as_typed.interpreted_as is None


def test_a_real_word_out_of_place_is_only_suggested(corpus_engine):
    result = corpus_engine.search("hướng dân thi hành")
    assert (result.corrected_from, result.did_you_mean) == (None, "hướng dẫn thi hành")


def test_long_questions_are_corrected_but_not_read_with_marks(corpus_engine):
    # past RESTORE_MAX_SYLLABLES a question is ranked by its folded words, so it shows no reading ...
    question = "uy ban nhan dan tinh dien bien to chuc hoi nghi tong ket cong tac quoc phong dia phuong"
    assert corpus_engine.search(question).interpreted_as is None
    # ... but a typo in it is still pointed out, in the accented reading of the other words
    result = corpus_engine.search(question.replace("quoc phong", "quoc phonng"), as_typed=True)
    assert result.interpreted_as is None and "quốc phòng" in result.did_you_mean


def test_no_results_tries_the_correction_and_says_so(corpus_engine):
    result = corpus_engine.search("phonng", as_typed=True)
    assert result.total > 0
    assert result.query == "phonng"
    assert result.interpreted_as == "phòng"
    assert result.did_you_mean is None
    assert result.notes == [Note("corrected", {"typed": "phonng", "corrected": "phòng"})]
    assert [in_english(note) for note in result.notes] == [
        "no results for «phonng»: showing results for «phòng»"
    ]


def test_no_correction_without_results_stays_empty(corpus_engine):
    result = corpus_engine.search("xqzkwv")
    assert (result.total, result.did_you_mean, result.interpreted_as) == (0, None, None)


def test_corrections_of_one_run(corpus_engine):
    syllables = [t.text for t in exact_analyzer()("quoc phonng", mode="query")]
    assert corrections(corpus_engine.lexicon(), syllables) == {"quoc": "quốc", "phonng": "phòng"}
    assert corrections(None, syllables) == {}


def test_edits_are_one_step_away():
    edits = _edits("bein")
    assert {"bien", "ben", "bein", "beinh", "bain"} <= edits
    assert "bine" not in edits and "dien" not in edits


def test_cli_shows_did_you_mean(runner, corpus_index):
    from searcher.cli import cli

    result = runner.invoke(cli, ["query", "hoi ngi", "--as-typed", "--index-dir", str(corpus_index)])
    assert result.exit_code == 0, result.output
    assert "Bạn có muốn tìm: hội nghị" in result.output
    data = json.loads(
        runner.invoke(
            cli, ["query", "hoi ngi", "--as-typed", "--json", "--index-dir", str(corpus_index)]
        ).output
    )
    assert data["did_you_mean"] == "hội nghị"


def test_cli_shows_the_correction_it_ran(runner, corpus_index):
    from searcher.cli import cli

    result = runner.invoke(cli, ["query", "quoc phonng", "--index-dir", str(corpus_index)])
    assert result.exit_code == 0, result.output
    assert "Hiển thị kết quả cho: quốc phòng · Tìm chính xác: quoc phonng" in result.output
    data = json.loads(
        runner.invoke(cli, ["query", "quoc phonng", "--json", "--index-dir", str(corpus_index)]).output
    )
    assert (data["query"], data["corrected_from"], data["did_you_mean"]) == (
        "quốc phòng",
        "quoc phonng",
        None,
    )


def test_corrections_do_not_depend_on_the_queries_before(corpus_engine):
    # readings and transition tables are kept per lexicon: asked in another order, the same answers
    typed = [
        "quoc phonng",
        "hướng dân thi hành",
        "tinh dien bein",
        "hoi ngi",
        "quôc phòng",
        "dien bein",
        "hợp đông lao động",
        "quoc phong toan dan",
        "phonng",
        "tinh",
    ]
    lexicon = corpus_engine.lexicon()
    runs = [[t.text for t in exact_analyzer()(text, mode="query")] for text in typed]
    forwards = [corrections(lexicon, run) for run in runs]
    backwards = [corrections(lexicon, run) for run in reversed(runs)]
    assert forwards == backwards[::-1]
    assert forwards[0] == {"quoc": "quốc", "phonng": "phòng"}


def test_syllable_counts_survive_their_cache_being_emptied(corpus_engine):
    lexicon = corpus_engine.lexicon()
    assert set(lexicon.key_counts(["quoc", "phong"])) == {"quoc", "phong"}
    lexicon._key_counts.update((f"x{i}", 0) for i in range(50_001))  # full: the next look-up empties it
    assert set(lexicon.key_counts(["quoc", "phong", "dan"])) == {"quoc", "phong", "dan"}
