"""Queries and clients that must not stop the server: bounded planning, an admission limit for
expensive searches, time-outs for slow clients, and an access log that cannot be forged.

Each case is constructed here; how the server holds up under a flood of them is measured by
tests/bench/attacks.py (docs/benchmarks.md)."""

from __future__ import annotations

import logging
import time

import pytest
from conftest import start_serve

from searcher.search import planning
from searcher.search.engine import Engine
from searcher.search.notes import Note
from searcher.search.planning import MAX_EXPANDED_WORDS, looks_expensive, parse_query

REPEATED_PREFIXES = " ".join(["c*"] * 333)  # 1,000 characters, as in the report


@pytest.fixture
def view(engine):
    engine.search("khởi động")  # (opens this thread's searcher)
    return engine._view()


# --- bounded queries ------------------------------------------------------------------------------
def test_a_repeated_prefix_is_expanded_once_and_the_query_cut_short_with_one_note(view):
    once = parse_query("c*", view)
    assert 0 < once.expanded_words < MAX_EXPANDED_WORDS
    repeated = parse_query(REPEATED_PREFIXES, view)
    # the index was read for the first "c*" only; the others counted against the cap until it was reached
    assert repeated.expanded_words == once.expanded_words
    assert [n.code for n in repeated.notes].count("prefixes_cut_short") == 1
    assert Note("prefixes_cut_short", {"words": MAX_EXPANDED_WORDS}) in repeated.notes
    assert all(repeated.notes.count(note) == 1 for note in repeated.notes)  # no note twice
    # one clause of the prefix's words, not 333
    assert repeated.query == once.query


def test_prefixes_within_the_cap_are_all_used(view):
    plan = parse_query("c* d*", view)
    assert not any(n.code == "prefixes_cut_short" for n in plan.notes)
    assert (
        plan.expanded_words == parse_query("c*", view).expanded_words + parse_query("d*", view).expanded_words
    )


def test_the_cap_counts_words_over_all_prefixes(view, monkeypatch):
    first = parse_query("c*", view).expanded_words
    monkeypatch.setattr(planning, "MAX_EXPANDED_WORDS", first + 1)
    plan = parse_query("c* d* t*", view)
    assert plan.expanded_words == first + 1  # "c*" whole, then one word of "d*", then nothing
    assert [n.code for n in plan.notes].count("prefixes_cut_short") == 1


def test_the_engine_answers_repeated_prefixes_and_says_they_were_cut_short(engine):
    result = engine.search(REPEATED_PREFIXES)
    assert result.total > 0
    codes = [n.code for n in result.notes]
    assert codes.count("prefixes_cut_short") == 1 and len(codes) == len(set(codes))


def test_planning_counts_against_the_time_limit(seed_index):
    # a deadline already passed: nothing is expanded, and the answer says it was cut short
    plan = parse_query("c* d*", Engine(seed_index)._searcher(), deadline=time.perf_counter() - 1)
    assert plan.cut_short and plan.expanded_words == 0
    late = Engine(seed_index, time_limit_s=0.0)
    result = late.search("c* quốc phòng")
    assert any(n.code == "cut_short" for n in result.notes)
    late.close()


@pytest.mark.parametrize(
    "text, expensive",
    [
        ("quốc phòng", False),
        ("ủy ban nhân dân tỉnh Điện Biên về phòng chống dịch bệnh năm 2022", False),
        ('"biên phòng" -"quân khu" title:lai', False),
        ("ph*", True),
        (REPEATED_PREFIXES, True),
        (" ".join(f'"từ {i}"' for i in range(9)), True),
        (" OR ".join(["quốc"] * 20), True),
    ],
)
def test_which_queries_are_expensive(text, expensive):
    assert looks_expensive(text) is expensive


# --- admission of expensive searches --------------------------------------------------------------
@pytest.fixture
def app(seed_index):
    from web import create_app

    app = create_app({"INDEX_DIR": str(seed_index), "EXPENSIVE_SEARCHES": 1, "BUSY_RETRY_AFTER_S": 3})
    yield app
    app.extensions["engine"].close()


def test_a_saturated_server_turns_expensive_searches_away_with_503(app):
    client = app.test_client()
    slots = app.extensions["engine"].expensive_slots
    assert slots.enter()  # another expensive search is running
    try:
        answer = client.get("/search.json", query_string={"q": "ph*"})
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "3"
        assert answer.get_json() == {
            "ok": False,
            "error": "the server is busy with other expensive searches (prefixes or many clauses): try again shortly",
            "code": "busy",
            "status": 503,
        }
        page = client.get("/", query_string={"q": "ph*"})
        assert page.status_code == 503 and page.headers["Retry-After"] == "3"
        text = page.get_data(as_text=True)
        assert "Máy chủ đang bận" in text and "hãy thử lại sau ít giây" in text
        # normal searches are answered meanwhile
        normal = client.get("/search.json", query_string={"q": "quốc phòng"})
        assert normal.status_code == 200 and normal.get_json()["total"] == 5
    finally:
        slots.leave(0.0)
    assert client.get("/search.json", query_string={"q": "ph*"}).status_code == 200


def test_expensive_searches_get_a_share_of_the_time():
    from searcher.search.engine import Admission

    slots = Admission(1, share=0.25, burst_s=0.5)
    assert slots.enter() and not slots.enter()  # one at a time
    slots.leave(0.1)
    assert slots.enter()  # (0.4 s of the allowance left)
    slots.leave(3600.0)  # an hour's search: none for four hours
    assert not slots.enter()
    slots = Admission(2)
    assert slots.enter() and slots.enter() and not slots.enter()
    slots.leave(0.0)
    assert slots.enter()


def test_the_command_line_engine_admits_every_search(seed_index):
    assert Engine(seed_index).expensive_slots is None


# --- the access log -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path, logged",
    [
        ("/nothing%0a127.0.0.1 GET /admin 200", "/nothing\\n127.0.0.1 GET /admin 200"),
        ("/a%0d%0ab%09c%00d%1be", "/a\\r\\nb\\tc\\x00d\\x1be"),
        ("/x%E2%80%A8y%5Cn", "/x\\u2028y\\\\n"),
        ("/search.json?q=qu%E1%BB%91c%0aph%C3%B2ng", "/search.json?q=qu%E1%BB%91c%0aph%C3%B2ng"),
    ],
)
def test_the_access_log_keeps_each_request_on_one_line(app, caplog, path, logged):
    with caplog.at_level(logging.INFO, logger="web.access"):
        app.test_client().get(path)
    (record,) = [r for r in caplog.records if r.name == "web.access"]
    line = record.getMessage()
    assert "\n" not in line and "\r" not in line and f" GET {logged} " in line


# --- slow clients ---------------------------------------------------------------------------------
def test_both_servers_are_handed_time_outs_and_a_connection_cap():
    import socket

    from web.serving import MAX_CONNECTIONS, gunicorn_settings, waitress_settings

    assert MAX_CONNECTIONS >= 1000
    alone = waitress_settings(None, 7)
    assert alone["channel_timeout"] == 7 and alone["cleanup_interval"] == 1
    assert alone["connection_limit"] == MAX_CONNECTIONS and alone["asyncore_use_poll"] is True
    assert alone["max_request_header_size"] == alone["max_request_body_size"] == 64 * 1024
    with socket.socket() as sock:
        workers = gunicorn_settings(sock, 2, 7)
    assert workers["worker_class"] == "web.serving.SearchWorker"
    assert workers["keepalive"] == 7  # (the async workers' time limit on a request's line and headers)
    assert workers["worker_connections"] == MAX_CONNECTIONS and workers["workers"] == 2
    assert workers["timeout"] == 30 and workers["limit_request_fields"] == 50
    assert workers["pre_request"].__name__ == "_close_after_answer"  # one request per connection


def _closed_by_server(sock, within_s: float) -> bool:
    """Whether the server closes ``sock`` within ``within_s`` (a client timing out is not that)."""

    sock.settimeout(within_s)
    try:
        while sock.recv(4096):  # (an error page before closing is fine)
            pass
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_half_sent_request_is_closed_while_others_are_answered(seed_index, workers):
    import json
    import socket
    import urllib.parse
    import urllib.request

    proc, url = start_serve(seed_index, "--workers", workers, "--client-timeout", "2")
    where = urllib.parse.urlsplit(url)
    stalled = []
    try:
        for _ in range(8):  # more than a worker has threads
            sock = socket.create_connection((where.hostname, where.port), timeout=5)
            sock.sendall(b"GET /search.json?q=qu")  # half a request line, then nothing
            stalled.append(sock)
        with urllib.request.urlopen(url + "search.json?q=hoa%20binh&limit=1", timeout=10) as answer:
            assert json.load(answer)["total"] == 3
        assert all(_closed_by_server(sock, within_s=15) for sock in stalled)
    finally:
        for sock in stalled:
            sock.close()
        proc.terminate()
        proc.communicate(timeout=20)


@pytest.mark.slow
def test_gunicorn_closes_a_request_trickling_in_past_the_time_out(seed_index):
    import socket
    import urllib.parse

    proc, url = start_serve(seed_index, "--workers", "2", "--client-timeout", "2")
    where = urllib.parse.urlsplit(url)
    try:
        sock = socket.create_connection((where.hostname, where.port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        closed = False
        for i in range(20):  # a header line every half second: never silent, never done
            time.sleep(0.5)
            try:
                sock.sendall(f"X-Line-{i}: {i}\r\n".encode())
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
        assert closed or _closed_by_server(sock, within_s=1)
        sock.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
