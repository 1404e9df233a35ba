"""The web app through Flask's test client: every route in HTML and JSON, the same hits in both,
bad parameters answered with 400/404 and a clear message, everything from documents escaped."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from conftest import BAC_KAN, DIEN_BIEN_2022, DIEN_BIEN_2023, LAI_CHAU, REPO, SEEDS, TAM_DIEP, start_serve

HOSTILE_TEXT = (
    "Báo cáo thử nghiệm bảo mật\n"
    "Ngày 01/02/2024, văn bản này chứa mã độc <script>alert('xss')</script> và ảnh "
    '<img src=x onerror=alert(1)> cùng liên kết <a href="javascript:alert(2)">bấm</a> trong nội dung.\n'
    "Đoạn cuối nhắc lại chữ bảo mật để tìm thấy.\n"
)


@pytest.fixture(scope="module")
def app(seed_index):
    from web import create_app

    return create_app({"INDEX_DIR": str(seed_index), "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def html_hit_ids(page: str) -> list[str]:
    """The document ids the results page links to, in order."""
    hits = page.split('<ol class="hits"', 1)[1].split("</ol>", 1)[0]
    return [html.unescape(m) for m in re.findall(r'<h3><a href="/doc\?id=([^&"]+)', hits)]


def json_hit_ids(data: dict) -> list[str]:
    return [hit["id"] for hit in data["hits"]]


# --- the same hits in HTML and JSON ----------------------------------------------------------------
@pytest.mark.parametrize(
    "query, first",
    [
        ("quốc phòng toàn dân", BAC_KAN),
        ("quoc phong toan dan", BAC_KAN),  # typed without diacritics
        ("hoà bình", DIEN_BIEN_2023),  # old tone placement
        ("hòa bình", DIEN_BIEN_2023),  # new tone placement
        ('"khu vực phòng thủ"', TAM_DIEP),
    ],
)
def test_html_and_json_show_the_same_hits(client, query, first):
    page = client.get("/", query_string={"q": query})
    data = client.get("/search.json", query_string={"q": query}).get_json()
    assert page.status_code == 200 and data["ok"] is True
    ids = json_hit_ids(data)
    assert ids and ids[0] == first
    assert html_hit_ids(page.get_data(as_text=True)) == ids
    assert f"{data['total']} kết quả" in page.get_data(as_text=True)


def test_json_is_the_cli_json_object(client, runner, seed_index):
    import json

    from searcher.cli import cli

    cli_data = json.loads(
        runner.invoke(cli, ["query", "quoc phong", "--json", "--index-dir", str(seed_index)]).output
    )
    web_data = client.get("/search.json", query_string={"q": "quoc phong"}).get_json()
    assert set(web_data) == set(cli_data) | {"timeline"}  # the page's chart, in counts
    assert json_hit_ids(web_data) == json_hit_ids(cli_data)
    assert [h["snippet"] for h in web_data["hits"]] == [h["snippet"] for h in cli_data["hits"]]


def test_unaccented_query_highlights_the_accented_words(client):
    page = client.get("/", query_string={"q": "quoc phong"}).get_data(as_text=True)
    assert "<mark>quốc phòng</mark>" in page.lower()
    assert 'value="quoc phong"' in page  # the box keeps the query


def test_pages(client):
    all_ids = json_hit_ids(
        client.get("/search.json", query_string={"q": "quốc phòng", "limit": 5}).get_json()
    )
    assert len(all_ids) == 5
    second = client.get("/search.json", query_string={"q": "quốc phòng", "limit": 2, "page": 2}).get_json()
    assert json_hit_ids(second) == all_ids[2:4]
    page = client.get("/", query_string={"q": "quốc phòng", "limit": 2, "page": 2}).get_data(as_text=True)
    assert html_hit_ids(page) == all_ids[2:4]
    assert '<ol class="hits" start="3" id="hits"' in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    assert '<strong aria-current="page">2</strong>' in page
    beyond = client.get("/", query_string={"q": "quốc phòng", "page": 9})
    assert beyond.status_code == 200 and "Không còn kết quả ở trang 9" in beyond.get_data(as_text=True)


def test_sort_by_date(client):
    data = client.get("/search.json", query_string={"q": "quốc phòng", "sort": "date"}).get_json()
    dates = [hit["date"] for hit in data["hits"]]
    dated = [d for d in dates if d]
    assert dates == sorted(dated, reverse=True) + [None] * (len(dates) - len(dated))  # undated last
    assert DIEN_BIEN_2023 in json_hit_ids(data)  # undated, still found


def test_place_and_year_filters_with_counts(client):
    data = client.get("/search.json", query_string={"q": "quốc phòng"}).get_json()
    assert ["Điện Biên", 2] in data["facets"]["places"]
    assert ["2019", 1] in data["facets"]["years"]
    only = client.get("/search.json", query_string={"q": "quốc phòng", "place": "Điện Biên"}).get_json()
    assert sorted(json_hit_ids(only)) == sorted([DIEN_BIEN_2022, DIEN_BIEN_2023])
    years = client.get(
        "/search.json", query_string={"q": "quốc phòng", "from": "2022", "to": "2023"}
    ).get_json()
    assert json_hit_ids(years) == [DIEN_BIEN_2022]  # the 2023 report has no date line: no year to match
    days = client.get(
        "/search.json", query_string={"q": "quốc phòng", "from": "2019-09-27", "to": "2019-09-27"}
    ).get_json()
    assert json_hit_ids(days) == [BAC_KAN]
    page = client.get("/", query_string={"q": "quốc phòng"}).get_data(as_text=True)
    assert 'id="facet-places"' in page and 'Điện Biên <span class="count">2</span></a>' in page
    filtered = client.get("/", query_string={"q": "quốc phòng", "place": "Điện Biên"}).get_data(as_text=True)
    assert html_hit_ids(filtered) == json_hit_ids(only)
    assert 'title="Bỏ lọc"' in filtered


# --- the document page -----------------------------------------------------------------------------
def test_document_page_and_its_twin(client):
    data = client.get("/doc.json", query_string={"id": BAC_KAN, "q": "quoc phong"}).get_json()
    assert data["ok"] is True and data["id"] == BAC_KAN
    assert data["title"] == "Hội nghị sơ kết xây dựng nền quốc phòng toàn dân giai đoạn 2009 - 2019"
    assert data["date"] == "2019-09-27"
    assert "<mark>quốc phòng</mark>" in data["text_html"].lower()
    related = [r["id"] for r in data["related"]]
    assert (
        related
        and BAC_KAN not in related
        and set(related) <= {LAI_CHAU, DIEN_BIEN_2022, TAM_DIEP, DIEN_BIEN_2023}
    )
    page = client.get("/doc", query_string={"id": BAC_KAN, "q": "quoc phong"}).get_data(as_text=True)
    assert f"<h1>{data['title']}</h1>" in page
    assert "27/09/2019" in page
    assert (
        page.lower().count("<mark>quốc phòng</mark>")
        == data["text_html"].lower().count("<mark>quốc phòng</mark>")
        > 1
    )
    assert "Quay lại kết quả" in page and "Báo cáo liên quan" in page
    for rid in related:
        assert f"/doc?id={rid}" in page


def test_document_without_query_has_no_marks(client):
    page = client.get("/doc", query_string={"id": LAI_CHAU}).get_data(as_text=True)
    assert "<mark>" not in page and "Trang tìm kiếm" in page


def test_suggestions_and_health(client):
    data = client.get("/suggest.json", query_string={"q": "quoc ph"}).get_json()
    assert data["ok"] is True and data["suggestions"][0] == "quốc phòng"
    assert client.get("/suggest.json", query_string={"q": ""}).get_json()["suggestions"] == []
    health = client.get("/healthz").get_json()
    assert health["ok"] is True and health["documents"] == 5


# --- bad input: a clear 400/404, never a 500 --------------------------------------------------------
BAD = [  # where, what, status, the English message's key words (JSON), the code, the page's wording
    ("/search.json", {"q": "a", "page": "-1"}, 400, "'page'", "bad_number", "số trang không hợp lệ"),
    ("/search.json", {"q": "a", "page": "abc"}, 400, "'page'", "bad_number", "«abc» của số trang"),
    ("/search.json", {"q": "a", "page": "99999999999"}, 400, "'page'", "bad_number", "từ 1 đến 1000"),
    ("/search.json", {"q": "a", "limit": "100000"}, 400, "'limit'", "out_of_range", "số kết quả mỗi trang"),
    ("/search.json", {"q": "a", "limit": "0"}, 400, "'limit'", "out_of_range", "từ 1 đến 50"),
    ("/search.json", {"q": "a", "sort": "price"}, 400, "'sort'", "bad_sort", "cách sắp xếp «price»"),
    ("/search.json", {"q": "a", "from": "2019-13-01"}, 400, "'from'", "bad_date", "ngày bắt đầu"),
    ("/search.json", {"q": "a", "to": "yesterday"}, 400, "'to'", "bad_date", "ngày kết thúc"),
    ("/search.json", {"q": "x" * 100_000}, 400, "too long", "too_long", "giá trị của từ khoá quá dài"),
    ("/search.json", {}, 400, "'q'", "missing", None),
    ("/doc.json", {"id": "nope.txt"}, 404, "no document", "no_document", "không có tài liệu nào"),
    ("/doc.json", {"id": "../../etc/passwd"}, 400, "'..'", "bad_id", "mã tài liệu không hợp lệ"),
    ("/doc.json", {"id": "/etc/passwd"}, 400, "relative path", "bad_id", "mã tài liệu không hợp lệ"),
    ("/search.json", {"q": "a", "limit": ""}, 400, "'limit'", "bad_number", "«» của số kết quả mỗi trang"),
    ("/doc.json", {}, 400, "'id'", "missing", "thiếu mã tài liệu"),
    ("/nowhere.json", {}, 404, "not found", "not_found", "không có trang nào"),
]


@pytest.mark.parametrize("path, args, status, message, code, shown", BAD)
def test_bad_parameters_json(client, path, args, status, message, code, shown):
    response = client.get(path, query_string=args)
    data = response.get_json()
    assert response.status_code == status
    assert data["ok"] is False and data["status"] == status and message in data["error"].lower()
    assert data["code"] == code  # stable, for programs


@pytest.mark.parametrize(
    "path, args, status, code, shown",
    [("/" if p == "/search.json" else p.replace(".json", ""), a, s, c, v) for p, a, s, _, c, v in BAD if v],
)
def test_bad_parameters_html_in_vietnamese(client, path, args, status, code, shown):
    response = client.get(path, query_string=args)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == status and response.mimetype == "text/html"
    message = body.split('<p class="message">', 1)[1].split("</p>", 1)[0]
    assert shown in message.lower()
    assert not re.search(r"\b(must|missing|not a|too long|no document)\b", message)  # no English left
    assert f"Mã lỗi: <code>{code}</code>" in body
    assert "Traceback" not in body


def test_reversed_date_range_is_explained(client):
    page = client.get("/", query_string={"q": "quốc phòng", "from": "2023", "to": "2019-05"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="reversed-dates"' in body
    assert "Ngày bắt đầu (2023) sau ngày kết thúc (2019-05)" in body
    assert "from=2019-05&amp;to=2023" in body  # one click to search the range the right way round
    fine = client.get("/", query_string={"q": "quốc phòng", "from": "2019", "to": "2019"})
    assert 'id="reversed-dates"' not in fine.get_data(as_text=True)


def test_method_not_allowed_is_answered(client):
    response = client.post("/search.json", data={"q": "a"})
    assert response.status_code == 405 and response.get_json()["ok"] is False


@pytest.mark.parametrize("query", ['"unbalanced', "title:", "(((", "AND OR NOT", "*", "a*", "-", "?", "\x00"])
def test_odd_queries_are_answered(client, query):
    assert client.get("/search.json", query_string={"q": query}).status_code in (200, 400)
    assert client.get("/", query_string={"q": query}).status_code in (200, 400)


# --- safe by default ---------------------------------------------------------------------------------
def test_security_headers(client):
    for path in ("/", "/search.json?q=a", "/doc?id=" + LAI_CHAU, "/nowhere"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    from searcher.index.indexer import index_paths
    from web import create_app

    folder = tmp_path_factory.mktemp("hostile-docs")
    (folder / "hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("hostile-index")
    index_paths([folder], index_dir)
    return create_app({"INDEX_DIR": str(index_dir)}).test_client()


def _tags(page: str) -> set[str]:
    return set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", page))


def test_document_text_is_escaped(hostile_client):
    for path in ("/?q=bảo+mật", "/doc?id=hostile.txt&q=bảo+mật", "/doc?id=hostile.txt"):
        page = hostile_client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page and '<a href="javascript' not in page
        assert "onerror=alert(1)&gt;" in page
        assert "&lt;script&gt;alert" in page
        # the only script element is the page's own file
        assert page.count("<script") == 1 and '<script src="/static/search.js" defer></script>' in page
        assert "img" not in _tags(page)
    data = hostile_client.get("/search.json", query_string={"q": "bảo mật"}).get_json()
    assert "&lt;script&gt;" in data["hits"][0]["snippet"]


def test_query_is_escaped(client):
    probe = '"><script>alert(1)</script><mark>'
    page = client.get("/", query_string={"q": probe}).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&#34;&gt;&lt;script&gt;" in page or "&quot;&gt;&lt;script&gt;" in page


@pytest.mark.parametrize(
    "engine_html, expected",
    [
        ("a <mark>b</mark> c", "a <mark>b</mark> c"),
        ("&lt;script&gt; <mark>x</mark>", "&lt;script&gt; <mark>x</mark>"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<mark onclick="x">y</mark>', "&lt;mark onclick=&#34;x&#34;&gt;y</mark>"),
        ('&#34;quoted&#34; and "raw" quotes', '&#34;quoted&#34; and "raw" quotes'),  # text, not attributes
        ("", ""),
    ],
)
def test_only_marks_survive(engine_html, expected):
    from web.security import marked

    assert str(marked(engine_html)) == expected


# --- life of the index: none yet, then rebuilt under a running app ----------------------------------
def test_no_index_yet_explains_how_to_build_one(tmp_path):
    from web import create_app

    client = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    page = client.get("/", query_string={"q": "quốc phòng"})
    assert page.status_code == 503 and "search index seeds/" in page.get_data(as_text=True)
    data = client.get("/search.json", query_string={"q": "quốc phòng"}).get_json()
    assert data == {"ok": False, "error": data["error"], "code": "index_missing", "status": 503}
    assert "search index" in data["error"]
    assert client.get("/healthz").status_code == 503
    assert client.get("/").status_code == 200  # the empty home page still shows


def test_rebuilt_index_is_picked_up_without_restart(tmp_path, seed_copy):
    from searcher.index.indexer import index_paths
    from web import create_app

    index_dir = tmp_path / "ix"
    index_paths([seed_copy], index_dir)
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    assert client.get("/search.json", query_string={"q": "tàu ngầm"}).get_json()["total"] == 0
    (seed_copy / "new.txt").write_text("Tàu ngầm mới\nHải quân tiếp nhận tàu ngầm mới.\n", encoding="utf-8")
    index_paths([seed_copy], index_dir, rebuild=True)
    data = client.get("/search.json", query_string={"q": "tàu ngầm"}).get_json()
    assert json_hit_ids(data) == ["new.txt"]


# --- search serve -----------------------------------------------------------------------------------
def test_serve_binds_to_localhost_and_answers(seed_index):
    proc, url = start_serve(seed_index, "--workers", "1")
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "search.json?q=quoc%20phong&limit=1", timeout=10) as response:
            import json

            data = json.load(response)
            assert response.headers["Server"] == "search"  # waitress, in one process
        assert data["hits"][0]["id"] == BAC_KAN
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_serve_uses_every_core_by_default(seed_index):
    import os

    cores = min(64, os.cpu_count() or 1)
    proc, url = start_serve(seed_index)
    try:
        with urllib.request.urlopen(url + "healthz", timeout=20) as response:
            assert response.status == 200
            assert response.headers["Server"] == ("gunicorn" if cores > 1 else "search")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    if cores > 1:
        assert output.count("Booting worker") == cores


def test_serve_with_worker_processes(seed_index):
    """Two worker processes; each connection carries one request (so the next one goes to a worker
    with time to spare), and connections that send nothing, as a browser's speculative ones, do not
    hold up the others (tests/test_reliability_queries.py has the slow clients)."""
    import http.client
    import json
    import socket

    proc, url = start_serve(seed_index, "--workers", "2")
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    idle = []
    try:
        with urllib.request.urlopen(url + "healthz", timeout=20) as response:  # both workers up
            assert response.status == 200
        idle = [socket.create_connection((host, port), timeout=5) for _ in range(3)]
        started = time.monotonic()
        for _ in range(4):
            conn = http.client.HTTPConnection(host, port, timeout=20)  # asks to keep the connection
            conn.request("GET", "/search.json?q=hoa%20binh&limit=1")
            response = conn.getresponse()
            assert response.headers["Connection"] == "close"  # (so the next goes to a worker with time)
            assert json.load(response)["hits"][0]["id"] == DIEN_BIEN_2023
            conn.close()
        assert time.monotonic() - started < 3  # (waiting on an idle connection would take seconds)
    finally:
        for sock in idle:
            sock.close()
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    assert output.count("Booting worker") == 2


def test_serve_refuses_debug_mode(seed_index):
    import os

    env = {**os.environ, "FLASK_DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "searcher", "serve", "--index-dir", str(seed_index), "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=30,
    )
    assert done.returncode != 0 and "FLASK_DEBUG" in done.stderr


# --- the engine's notes and readings, in the page's language ------------------------------------------
@pytest.mark.parametrize(
    "query, shown",
    [
        ("*", "Câu tìm kiếm không có từ nào để tìm."),
        ("-quốc", "Câu tìm kiếm chỉ loại trừ từ: hãy thêm ít nhất một từ cần tìm."),
        ("*phòng", "Không hỗ trợ ký tự đại diện ở đầu từ: đã tìm «phong»."),
    ],
)
def test_notes_are_shown_in_vietnamese(client, query, shown):
    page = client.get("/", query_string={"q": query}).get_data(as_text=True)
    assert f'<p class="note">{html.escape(shown, quote=True)}</p>' in page


# every note code with example arguments, its English wording and its Vietnamese one
NOTE_WORDINGS = {
    "cut_short": (
        {"seconds": 5.0},
        "the search took longer than 5 s and was cut short: these are the best matches found in that time",
        "Tìm kiếm vượt quá 5 giây nên đã dừng sớm: đây là những kết quả tốt nhất tìm được trong thời gian đó.",
    ),
    "corrected": (
        {"typed": "quoc phonng", "corrected": "quốc phòng"},
        "no results for «quoc phonng»: showing results for «quốc phòng»",
        "Không có kết quả cho «quoc phonng»: đang hiển thị kết quả cho «quốc phòng».",
    ),
    "leading_wildcard": (
        {"words": ["phong", "ve"]},
        "wildcards at the start of a word are not supported: searched for phong ve instead",
        "Không hỗ trợ ký tự đại diện ở đầu từ: đã tìm «phong ve».",
    ),
    "prefixes_cut_short": (
        {"words": 10000},
        "the query's prefixes stand for more than 10000 words in all: the query was cut short, the"
        " prefixes after them left out",
        "Các tiền tố trong câu tìm kiếm khớp với hơn 10000 từ: câu tìm kiếm đã bị cắt ngắn, "
        "bỏ qua các tiền tố sau đó.",
    ),
    "prefix_capped": (
        {"prefix": "ph", "count": 120, "used": 50},
        "'ph*' matches 120 words: the 50 most frequent were used",
        "«ph*» khớp với 120 từ: dùng 50 từ thường gặp nhất.",
    ),
    "query_truncated": (
        {"chars": 1000},
        "the query was cut to its first 1000 characters",
        "Câu tìm kiếm quá dài nên chỉ dùng 1000 ký tự đầu.",
    ),
    "syntax_fallback": (
        {},
        "the query syntax could not be understood: searched for the words only",
        "Không hiểu được cú pháp của câu tìm kiếm: chỉ tìm theo các từ.",
    ),
    "only_exclusions": (
        {},
        "the query only excludes words: add at least one word to search for",
        "Câu tìm kiếm chỉ loại trừ từ: hãy thêm ít nhất một từ cần tìm.",
    ),
    "no_words": ({}, "the query has no words to search for", "Câu tìm kiếm không có từ nào để tìm."),
    "any_form": (
        {},
        "no document holds the accented words as typed: showing them in any form",
        "Không có tài liệu nào chứa các từ có dấu đúng như đã gõ: đang hiển thị mọi cách viết.",
    ),
    "look_alikes": (
        {"words": ["lũ"]},
        "no document holds «lũ» as typed: results may hold the same letters with other marks",
        "Không có tài liệu nào chứa «lũ» đúng dấu như đã gõ: kết quả có thể chứa từ cùng chữ nhưng khác dấu.",
    ),
}


def test_every_note_code_is_worded_in_english_and_in_vietnamese():
    from searcher.search.notes import CODES, Note, in_english
    from web.notes import _VIETNAMESE, in_vietnamese

    assert set(NOTE_WORDINGS) == set(CODES) == set(_VIETNAMESE)  # a new code needs both wordings
    for code in CODES:
        args, english, vietnamese = NOTE_WORDINGS[code]
        note = Note(code, args)
        assert in_english(note) == english
        assert in_vietnamese(note) == vietnamese
        assert in_vietnamese(note.as_dict()) == vietnamese  # the JSON form, as the page gets it


def test_unknown_note_codes_are_refused():
    from searcher.search.notes import Note

    with pytest.raises(ValueError):
        Note("a note nobody worded yet")


def test_notes_come_as_english_text_and_as_codes(client):
    data = client.get("/search.json", query_string={"q": "*phòng *phòng"}).get_json()
    # one note, though the engine met the same thing twice
    assert data["notes"] == ["wildcards at the start of a word are not supported: searched for phong instead"]
    assert data["note_codes"] == [{"code": "leading_wildcard", "args": {"words": ["phong"]}}]


def test_reading_and_correction_are_shown(client):
    page = client.get("/", query_string={"q": "quoc phong toan dan"}).get_data(as_text=True)
    assert "Kết quả cho: <strong>quốc phòng toàn dân</strong>" in page
    # a word the index never writes: the correction is run, and the query as typed is one click away
    data = client.get("/search.json", query_string={"q": "quoc phonng"}).get_json()
    page = client.get("/", query_string={"q": "quoc phonng"}).get_data(as_text=True)
    assert (data["query"], data["corrected_from"], data["did_you_mean"]) == (
        "quốc phòng",
        "quoc phonng",
        None,
    )
    assert "Hiển thị kết quả cho: <strong>quốc phòng</strong>" in page
    assert 'Tìm chính xác: <a href="/?q=quoc+phonng&amp;as_typed=1">quoc phonng</a>' in page
    assert "phonng</strong>" not in page
    data = client.get("/search.json", query_string={"q": "quoc phonng", "as_typed": "1"}).get_json()
    page = client.get("/", query_string={"q": "quoc phonng", "as_typed": "1"}).get_data(as_text=True)
    assert (data["query"], data["corrected_from"], data["did_you_mean"]) == (
        "quoc phonng",
        None,
        "quốc phòng",
    )
    assert 'Bạn có muốn tìm: <a href="/?q=qu%E1%BB%91c+ph%C3%B2ng">quốc phòng</a>' in page


def test_duplicates_are_listed_and_linked(tmp_path, seed_copy):
    import shutil

    from searcher.index.indexer import index_paths
    from web import create_app

    shutil.copy(seed_copy / BAC_KAN, seed_copy / "saved again.txt")
    index_paths([seed_copy], tmp_path / "ix")
    client = create_app({"INDEX_DIR": str(tmp_path / "ix")}).test_client()
    data = client.get("/search.json", query_string={"q": "quốc phòng toàn dân"}).get_json()
    grouped = [hit for hit in data["hits"] if hit["duplicates"]]
    assert len(data["hits"]) == 5 and len(grouped) == 1
    shown, other = grouped[0]["id"], grouped[0]["duplicates"][0]["id"]
    assert {shown, other} == {BAC_KAN, "saved again.txt"}
    assert grouped[0]["duplicates"][0]["title"] == grouped[0]["title"]  # a copy is shown by its title
    page = client.get("/", query_string={"q": "quốc phòng toàn dân"}).get_data(as_text=True)
    assert "<summary>1 bản cùng nội dung</summary>" in page
    assert ["Bắc Kạn", 1] in data["facets"]["places"]  # the two copies count once, as they show once
    link = f"/doc?id={other.replace(' ', '+')}"
    assert link in page or f"/doc?id={other.replace(' ', '%20')}" in page
    assert client.get("/doc.json", query_string={"id": other}).get_json()["id"] == other


# --- what a new user on a phone asked for ---------------------------------------------------------------
def test_pages_are_compressed_when_the_client_accepts_it(client):
    import gzip

    plain = client.get("/", query_string={"q": "quốc phòng"})
    assert "Content-Encoding" not in plain.headers
    for encoding in ("gzip", "br"):
        packed = client.get("/", query_string={"q": "quốc phòng"}, headers={"Accept-Encoding": encoding})
        assert packed.headers["Content-Encoding"] == encoding and "Accept-Encoding" in packed.headers["Vary"]
        assert len(packed.data) < len(plain.data) / 3
    unpacked = client.get(
        "/search.json", query_string={"q": "quốc phòng"}, headers={"Accept-Encoding": "gzip"}
    )
    assert gzip.decompress(unpacked.data).decode("utf-8").startswith("{")


def test_results_as_csv(client):
    import csv
    import io

    data = client.get("/search.json", query_string={"q": "quốc phòng", "sort": "date"}).get_json()
    response = client.get("/search.csv", query_string={"q": "quốc phòng", "sort": "date"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["id"] for row in rows] == json_hit_ids(data)
    assert [row["rank"] for row in rows] == [str(n) for n in range(1, len(rows) + 1)]
    assert rows[0]["title"] == data["hits"][0]["title"] and "<mark>" not in rows[0]["snippet"]
    assert all(not row["source"].startswith("/") for row in rows)  # no server path
    page = client.get("/", query_string={"q": "quốc phòng", "sort": "date"}).get_data(as_text=True)
    assert 'href="/search.csv?q=qu%E1%BB%91c+ph%C3%B2ng&amp;sort=date"' in page
    assert client.get("/search.csv", query_string={"q": "a", "page": "x"}).status_code == 400


@pytest.mark.parametrize(
    "cell, shown",
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Điện Biên", "Điện Biên"),
        ("", ""),
    ],
)
def test_csv_cells_are_never_formulas(cell, shown):
    from web.views import as_spreadsheet_text

    assert as_spreadsheet_text(cell) == shown


def test_timeline_counts_in_json_and_as_an_accessible_chart(client):
    data = client.get("/search.json", query_string={"q": "quốc phòng"}).get_json()
    timeline = data["timeline"]
    assert timeline["unit"] == "year"
    periods = [bar["period"] for bar in timeline["bars"]]
    assert periods == [str(y) for y in range(int(periods[0]), int(periods[-1]) + 1)]  # gaps as zeros
    assert sum(bar["count"] for bar in timeline["bars"]) + timeline["earlier"] == sum(
        n for _, n in data["facets"]["years"]
    )
    assert "months" not in data["facets"]
    page = client.get("/", query_string={"q": "quốc phòng"}).get_data(as_text=True)
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "2019: 1" in svg  # the counts as text
    assert 'href="/?q=qu%E1%BB%91c+ph%C3%B2ng&amp;from=2019&amp;to=2019"' in page  # a bar filters
    # within one year: per month
    one_year = client.get(
        "/search.json", query_string={"q": "quốc phòng", "from": "2019", "to": "2019"}
    ).get_json()
    assert one_year["timeline"]["unit"] == "month"
    assert one_year["timeline"]["bars"] == [{"period": "2019-09", "count": 1}]


def test_timeline_from_counts():
    from web.timeline import timeline

    assert timeline({"years": [], "months": []}) is None
    months = timeline({"years": [["2020", 3], ["2019", 1]], "months": [["2020-02", 3], ["2019-12", 1]]})
    assert months["unit"] == "month"
    assert [b["period"] for b in months["bars"]] == ["2019-12", "2020-01", "2020-02"]
    years = timeline({"years": [["2024", 2], ["1990", 5]], "months": [["2024-01", 2]]})
    assert years["unit"] == "year" and len(years["bars"]) == 15 and years["earlier"] == 5


def test_source_line_never_shows_a_server_path():
    from web.views import source_line

    assert (
        source_line({"source": "baodienbienphu.info.vn", "path": "/srv/x/a.txt"}) == "baodienbienphu.info.vn"
    )
    assert source_line({"url": "https://www.qdnd.vn/a/b", "path": "/srv/x/a.txt"}) == "qdnd.vn"
    assert source_line({"path": "/home/someone/reports/dien-bien/a.txt"}) == "dien-bien"
    assert source_line({"path": "tinh/dien-bien/a.txt"}) == "tinh/dien-bien"
    assert source_line({"path": "a.txt"}) == ""
    # an address that does not parse is no site: the folder says where it came from
    assert source_line({"url": "http://[bad/x", "path": "tinh/dien-bien/a.txt"}) == "tinh/dien-bien"


def test_results_page_structure(client):
    page = client.get("/", query_string={"q": "quốc phòng", "page": 2, "limit": 2}).get_data(as_text=True)
    assert page.count("<h1") == 1 and '<a class="skip" href="#hits">' in page
    assert " autofocus" not in page  # Space scrolls a results page, it does not type into the box
    assert '<details class="filters" id="filters" open>' in page
    assert page.index('id="filters"') < page.index('<ol class="hits"')  # the filters come first
    hits = page.split('<ol class="hits"', 1)[1]
    assert str(SEEDS.resolve()) not in hits and str(REPO) not in hits and 'class="path"' not in page
    home = client.get("/").get_data(as_text=True)
    assert " autofocus " in home and home.count("<h1") == 1


def test_back_to_results_keeps_the_whole_search(client):
    state = {
        "q": "quốc phòng",
        "page": "2",
        "sort": "date",
        "from": "2019",
        "to": "2023",
        "place": "Điện Biên",
    }
    page = client.get("/", query_string={**state, "page": 1}).get_data(as_text=True)
    first_link = html.unescape(re.search(r'<h3><a href="([^"]+)"', page).group(1))
    assert "sort=date" in first_link and "place=" in first_link and "from=2019" in first_link
    doc = client.get("/doc", query_string={"id": DIEN_BIEN_2023, **state}).get_data(as_text=True)
    back = html.unescape(re.search(r'<p class="back"><a href="([^"]+)"', doc).group(1))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(back).query)
    assert {k: v[0] for k, v in query.items()} == state


def test_copies_are_listed_by_title_and_source(tmp_path, seed_copy):
    from searcher.index.indexer import index_paths
    from web import create_app

    (seed_copy / "again").mkdir()
    (seed_copy / "again" / "copy.txt").write_bytes((seed_copy / BAC_KAN).read_bytes())
    index_paths([seed_copy], tmp_path / "ix")
    client = create_app({"INDEX_DIR": str(tmp_path / "ix")}).test_client()
    page = client.get("/", query_string={"q": "quốc phòng toàn dân"}).get_data(as_text=True)
    dups = page.split('<details class="dups">', 1)[1].split("</details>", 1)[0]
    title = "Hội nghị sơ kết xây dựng nền quốc phòng toàn dân giai đoạn 2009 - 2019"
    assert f">{title}</a>" in dups and "copy.txt</a>" not in dups and BAC_KAN + "</a>" not in dups
    assert '<span class="source">' in dups
