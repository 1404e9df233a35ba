"""Hostile and random queries: every input gets an answer (or a clear 400 from the web API) in bounded
time, never an exception or a 500. Property-based with Hypothesis; the long fuzzing run is in
tests/bench/fuzz_queries.py."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.search.limits import MAX_QUERY_CHARS
from searcher.search.notes import Note, in_english

# Pieces of query syntax that parsers choke on, mixed with Vietnamese words and random text.
SYNTAX = [
    '"',
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "*",
    "?",
    "~",
    "^",
    ":",
    "-",
    "+",
    "AND",
    "OR",
    "NOT",
    "TO",
    "title:",
    "body:",
    "date:",
    "\\",
    "'",
    "/",
    "!",
    "&&",
    "||",
    "<",
    ">",
    "%",
    "#",
]
WORDS = ["quốc", "phòng", "quoc", "phong", "hoà", "hòa", "UBND", "uỷ", "21/2019/NĐ-CP", "a", "đ", "ý"]
token = st.one_of(st.sampled_from(SYNTAX), st.sampled_from(WORDS), st.text(max_size=6))
queries = st.one_of(
    st.text(max_size=200),
    st.lists(token, max_size=40).map(" ".join),
    st.lists(token, max_size=40).map("".join),
)

QUERY_BUDGET_S = 10  # generous: the point is "bounded", latency is measured by the benchmarks


def assert_well_formed(result, limit: int) -> None:
    """A result the CLI and the web app can show: counts, scores, escaped snippets, notes as text."""
    assert isinstance(result.total, int) and result.total >= len(result.hits)
    assert len(result.hits) <= limit and result.took_ms >= 0
    assert all(isinstance(note, Note) and in_english(note) for note in result.notes)
    for hit in result.hits:
        assert hit.id and isinstance(hit.title, str) and math.isfinite(hit.score)
        # snippets stay escaped text with marks only
        assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")


@pytest.fixture(scope="module")
def web_client(seed_index):
    from web import create_app

    return create_app({"INDEX_DIR": str(seed_index)}).test_client()


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=queries)
def test_engine_answers_any_query(engine, text):
    started = time.perf_counter()
    result = engine.search(text, limit=5)
    assert time.perf_counter() - started < QUERY_BUDGET_S
    assert_well_formed(result, limit=5)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=queries, page=st.one_of(st.integers(-5, 2000).map(str), st.text(max_size=5)))
def test_web_api_answers_any_query(web_client, text, page):
    response = web_client.get("/search.json", query_string={"q": text, "page": page})
    assert response.status_code in (200, 400, 503), response.get_data(as_text=True)
    data = response.get_json()
    assert data["ok"] is (response.status_code == 200)
    if response.status_code == 400:
        assert data["error"] and data["status"] == 400
    if response.status_code == 503:  # many expensive queries in a row: asked to come back shortly
        assert data["code"] == "busy" and response.headers["Retry-After"]


CUT = f"first {MAX_QUERY_CHARS} characters"


# (query, what a note must say about it or None, whether the seeds are found: None when either will do)
@pytest.mark.parametrize(
    "text, note, finds",
    [
        ("*", "wildcard", False),
        ("a*", None, True),
        ("*a*", "wildcard", None),
        ("?", None, False),
        ("title:*", "wildcard", False),
        ("q" * 5000, CUT, False),
        (" OR ".join(["quốc"] * 500), CUT, True),
        (" AND ".join(["phòng"] * 500), CUT, True),
        ("(" * 300 + "quốc" + ")" * 300, None, True),
        ('"' * 101, "no words", False),
        ("\x00\x01\x02 quốc \u200b\u00ad phòng", None, True),
        ("-quốc -phòng", "only excludes", False),
    ],
)
def test_expensive_or_odd_constructs_are_bounded(engine, text, note, finds):
    started = time.perf_counter()
    result = engine.search(text)
    assert time.perf_counter() - started < QUERY_BUDGET_S
    assert_well_formed(result, limit=10)
    if note is not None:  # what was dropped or cut is said, not silently done
        assert any(note in in_english(n) for n in result.notes), result.notes
    if finds is not None:  # the words around the noise still match
        assert (result.total > 0) is finds, (result.total, result.notes)


def test_time_limit_returns_partial_results_with_a_note(seed_index, monkeypatch):
    from searcher.search import engine as engine_module

    monkeypatch.setattr(engine_module._Deadline, "CHECK_EVERY", 1)
    slow = engine_module.Engine(seed_index, time_limit_s=0.0)
    result = slow.search("quốc phòng")
    assert any(note.code == "cut_short" and "cut short" in in_english(note) for note in result.notes)
    assert_well_formed(result, limit=10)  # what was collected before the limit is still usable
    normal = engine_module.Engine(seed_index).search("quốc phòng")
    assert normal.total == 5 and not any(note.code == "cut_short" for note in normal.notes)
