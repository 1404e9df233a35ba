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
from pathlib import Path

import pytest
from conftest import BAC_KAN, DIEN_BIEN_2022, DIEN_BIEN_2023, LAI_CHAU, REPO, TAM_DIEP

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
    assert set(web_data) == set(cli_data)
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
    assert '<ol class="hits" start="3">' in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    assert '<strong aria-current="page">2</strong>' in page
    beyond = client.get("/", query_string={"q": "quốc phòng", "page": 9})
    assert beyond.status_code == 200 and "Không còn kết quả ở trang 9" in beyond.get_data(as_text=True)


def test_sort_by_date(client):
    data = client.get("/search.json", query_string={"q": "quốc phòng", "sort": "date"}).get_json()
    dates = [hit["date"] for hit in data["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert DIEN_BIEN_2023 in json_hit_ids(data)


def test_place_and_year_filters_with_counts(client):
    data = client.get("/search.json", query_string={"q": "quốc phòng"}).get_json()
    assert ["Điện Biên", 2] in data["facets"]["places"]
    assert ["2019", 1] in data["facets"]["years"]
    only = client.get("/search.json", query_string={"q": "quốc phòng", "place": "Điện Biên"}).get_json()
    assert sorted(json_hit_ids(only)) == sorted([DIEN_BIEN_2022, DIEN_BIEN_2023])
    years = client.get(
        "/search.json", query_string={"q": "quốc phòng", "from": "2022", "to": "2023"}
    ).get_json()
    assert sorted(json_hit_ids(years)) == sorted([DIEN_BIEN_2022, DIEN_BIEN_2023])
    days = client.get(
        "/search.json", query_string={"q": "quốc phòng", "from": "2019-09-27", "to": "2019-09-27"}
    ).get_json()
    assert json_hit_ids(days) == [BAC_KAN]
    page = client.get("/", query_string={"q": "quốc phòng"}).get_data(as_text=True)
    assert 'id="facet-places"' in page and 'Điện Biên</a> <span class="count">2</span>' in page
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
BAD = [
    ("/search.json", {"q": "a", "page": "-1"}, 400, "'page'"),
    ("/search.json", {"q": "a", "page": "abc"}, 400, "'page'"),
    ("/search.json", {"q": "a", "page": "99999999999"}, 400, "'page'"),
    ("/search.json", {"q": "a", "limit": "100000"}, 400, "'limit'"),
    ("/search.json", {"q": "a", "limit": "0"}, 400, "'limit'"),
    ("/search.json", {"q": "a", "sort": "price"}, 400, "'sort'"),
    ("/search.json", {"q": "a", "from": "2019-13-01"}, 400, "'from'"),
    ("/search.json", {"q": "a", "to": "yesterday"}, 400, "'to'"),
    ("/search.json", {"q": "x" * 100_000}, 400, "too long"),
    ("/search.json", {}, 400, "'q'"),
    ("/doc.json", {"id": "nope.txt"}, 404, "no document"),
    ("/doc.json", {"id": "../../etc/passwd"}, 400, "'..'"),
    ("/doc.json", {"id": "/etc/passwd"}, 400, "relative path"),
    ("/search.json", {"q": "a", "limit": ""}, 400, "'limit'"),
    ("/doc.json", {}, 400, "'id'"),
    ("/nowhere.json", {}, 404, "not found"),
]


@pytest.mark.parametrize("path, args, status, message", BAD)
def test_bad_parameters_json(client, path, args, status, message):
    response = client.get(path, query_string=args)
    data = response.get_json()
    assert response.status_code == status
    assert data["ok"] is False and data["status"] == status and message in data["error"].lower()


@pytest.mark.parametrize(
    "path, args, status, message",
    [("/" if p == "/search.json" else p.replace(".json", ""), a, s, m) for p, a, s, m in BAD if a],
)
def test_bad_parameters_html(client, path, args, status, message):
    response = client.get(path, query_string=args)
    body = response.get_data(as_text=True)
    assert response.status_code == status and response.mimetype == "text/html"
    assert html.escape(message, quote=False) in body.lower() or message in html.unescape(body).lower()
    assert "Traceback" not in body


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
    assert data == {"ok": False, "error": data["error"], "status": 503} and "search index" in data["error"]
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
def _start_serve(index_dir: Path, *extra: str, env=None) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "searcher", "serve", "--index-dir", str(index_dir), "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"(http://\S+/)", line)
        if match:
            return proc, match.group(1)
        if proc.poll() is not None:
            break
    proc.kill()
    proc.wait()
    proc.stdout.close()
    raise AssertionError("search serve printed no URL")


def test_serve_binds_to_localhost_and_answers(seed_index):
    proc, url = _start_serve(seed_index)
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "search.json?q=quoc%20phong&limit=1", timeout=10) as response:
            import json

            data = json.load(response)
            assert response.headers["Server"] == "search"
        assert data["hits"][0]["id"] == BAC_KAN
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_serve_with_worker_processes(seed_index):
    """Two worker processes of two threads; each connection carries one request (so the next one goes
    to a worker with a free thread), and connections that send nothing, as a browser's speculative
    ones, do not hold up the others: three of them fill at most three of the four threads."""
    import http.client
    import json
    import socket

    proc, url = _start_serve(seed_index, "--workers", "2")
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
            assert response.headers["Connection"] == "close"
            assert json.load(response)["hits"][0]["id"] == DIEN_BIEN_2023
            conn.close()
        assert time.monotonic() - started < 3  # a thread waits 5 s for an idle connection's request
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


@pytest.mark.parametrize(
    "note, shown",
    [
        (
            "the search took longer than 5 s and was cut short: these are the best matches found in that time",
            "Tìm kiếm vượt quá 5 giây nên đã dừng sớm: đây là những kết quả tốt nhất tìm được trong thời gian đó.",
        ),
        (
            "no results for «quoc phonng»: showing results for «quốc phòng»",
            "Không có kết quả cho «quoc phonng»: đang hiển thị kết quả cho «quốc phòng».",
        ),
        (
            "'ph*' matches too many words: the most frequent were used",
            "«ph*» khớp với quá nhiều từ: chỉ dùng các từ thường gặp nhất.",
        ),
        (
            "'ph*' matches 120 words: the 50 most frequent were used",
            "«ph*» khớp với 120 từ: dùng 50 từ thường gặp nhất.",
        ),
        (
            "the query was cut to its first 1000 characters",
            "Câu tìm kiếm quá dài nên chỉ dùng 1000 ký tự đầu.",
        ),
        (
            "the query syntax could not be understood: searched for the words only",
            "Không hiểu được cú pháp của câu tìm kiếm: chỉ tìm theo các từ.",
        ),
        ("a note nobody translated yet", "a note nobody translated yet"),
    ],
)
def test_note_translations(note, shown):
    from web.notes import in_vietnamese

    assert in_vietnamese(note) == shown


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
    shown, other = grouped[0]["id"], grouped[0]["duplicates"][0]
    assert {shown, other} == {BAC_KAN, "saved again.txt"}
    page = client.get("/", query_string={"q": "quốc phòng toàn dân"}).get_data(as_text=True)
    assert "<summary>1 bản cùng nội dung</summary>" in page
    assert ["Bắc Kạn", 1] in data["facets"]["places"]  # the two copies count once, as they show once
    link = f"/doc?id={other.replace(' ', '+')}"
    assert link in page or f"/doc?id={other.replace(' ', '%20')}" in page
    assert client.get("/doc.json", query_string={"id": other}).get_json()["id"] == other
