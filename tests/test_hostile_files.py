"""Hostile documents: each is indexed safely or skipped with a reason, and nothing in them reaches a
terminal or a browser as code. (The browser side: tests/test_browser.py.)"""

from __future__ import annotations

import os
import random
import re
import time
import zipfile

import pytest

from searcher.cli import cli

PAYLOAD_HTML = (
    "<html><head><title>Tin có mã độc</title><script>alert('head')</script></head><body><article>"
    "<h1>Tin có mã độc</h1><p>Nội dung bài viết về quốc phòng toàn dân ở Điện Biên, dài đủ để được coi là"
    " một bài báo thật sự với nhiều câu chữ.</p><script>alert('body')</script>"
    "<p>Đoạn thứ hai nói về hội nghị sơ kết và các đơn vị quân đội tham gia.</p>"
    "<img src=x onerror=alert(1)><p>&lt;script&gt;alert(2)&lt;/script&gt; được viết như chữ.</p>"
    "</article></body></html>"
)


pytestmark = pytest.mark.slow  # every test shares the folder below, several seconds to index


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A folder of hostile files, indexed once: (index folder, summary, seconds taken)."""
    from searcher.index.indexer import index_paths

    folder = tmp_path_factory.mktemp("hostile")
    (folder / "payload.html").write_text(PAYLOAD_HTML, encoding="utf-8")
    (folder / "control.txt").write_text(
        "Báo cáo có ký tự điều khiển\n\x01\x02 quốc\x07 phòng \x1b[31m toàn dân\x7f\x0c\x9b hết\n",
        encoding="utf-8",
    )
    (folder / "nul.txt").write_bytes(b"Bao cao\x00\x00\x00\x01 nhi phan" * 50)
    words = "quốc phòng toàn dân bảo vệ tổ quốc xây dựng hội nghị tỉnh điện biên".split()
    rng = random.Random(1)
    line = " ".join(rng.choice(words) for _ in range(150_000))[:1_000_000]
    (folder / "long-line.txt").write_text("Một dòng rất dài\n" + line + " tàungầmcuối\n", encoding="utf-8")
    (folder / "deep.html").write_text(
        "<html><head><title>Lồng sâu</title></head><body>"
        + "<div>" * 5000
        + "<p>Nội dung lồng sâu về quốc phòng.</p>"
        + "</div>" * 5000
        + "</body></html>",
        encoding="utf-8",
    )
    with zipfile.ZipFile(folder / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(120):
                member.write(b" " * (1 << 20))  # 120 MB of blanks: ~120 kB compressed
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("Mật khẩu của máy chủ: matkhauzq", encoding="utf-8")
    os.symlink(outside, folder / "escape.txt")
    os.symlink("/etc/passwd", folder / "passwd.txt")
    index_dir = tmp_path_factory.mktemp("hostile-index")
    started = time.perf_counter()
    summary = index_paths([folder], index_dir)
    return index_dir, summary, time.perf_counter() - started


def _reasons(summary) -> dict[str, str]:
    return {os.path.basename(s.path): s.reason for s in summary.skipped}


def test_every_file_is_indexed_or_skipped_with_a_reason(hostile):
    _, summary, seconds = hostile
    reasons = _reasons(summary)
    assert "zip bomb" in reasons["bomb.docx"]
    assert reasons["escape.txt"] == reasons["passwd.txt"] == "symbolic link: not followed"
    assert reasons["nul.txt"] == "binary content"
    assert summary.added + len(summary.skipped) == 8
    assert not {"payload.html", "control.txt", "long-line.txt"} & set(reasons)
    if "deep.html" in reasons:  # lxml gives up on 5,000 levels: said, not crashed
        assert reasons["deep.html"]
    assert seconds < 120


def test_nothing_outside_the_folder_is_indexed(hostile):
    from searcher.search.engine import Engine

    engine = Engine(hostile[0])
    try:
        assert engine.search("matkhauzq").total == 0
        assert engine.search("root").total == 0
    finally:
        engine.close()


def test_scripts_are_dropped_and_text_that_looks_like_html_stays_text(hostile):
    from searcher.search.engine import Engine

    engine = Engine(hostile[0])
    try:
        doc = engine.get("payload.html")
    finally:
        engine.close()
    assert doc["title"] == "Tin có mã độc"
    assert "alert('head')" not in doc["text"] and "alert('body')" not in doc["text"]
    assert "<script>alert(2)</script> được viết như chữ." in doc["text"]


def test_control_characters_never_reach_a_terminal(hostile, runner):
    result = runner.invoke(cli, ["show", "control.txt", "--index-dir", str(hostile[0])])
    assert result.exit_code == 0
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.output)
    assert "quốc  phòng" in result.output
    query = runner.invoke(cli, ["query", "quốc phòng", "--index-dir", str(hostile[0]), "--limit", "20"])
    assert (
        query.exit_code == 0 and "\x1b" not in query.output
    )  # no colour asked for: any ESC would be the document's


def test_a_million_character_line_is_searchable(hostile):
    from searcher.search.engine import Engine

    engine = Engine(hostile[0])
    try:
        hits = engine.search("tàungầmcuối").hits
    finally:
        engine.close()
    assert [h.id for h in hits] == ["long-line.txt"]


def test_hostile_html_is_escaped_on_the_page(hostile):
    from web import create_app

    client = create_app({"INDEX_DIR": str(hostile[0])}).test_client()
    for path in ("/?q=viết+như+chữ", "/doc?id=payload.html&q=chữ"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "&lt;script&gt;alert(2)&lt;/script&gt;" in page
