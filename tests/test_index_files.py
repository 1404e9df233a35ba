"""Indexing folders of mixed formats: skip reasons, the size limit, and failed updates that keep the
previous version."""

import json
import shutil
from pathlib import Path

import pytest
from filemakers import write_docx, write_pdf, write_rtf

from searcher.cli import cli
from searcher.index.indexer import index_paths
from searcher.ingest import documents as ingest
from searcher.search.engine import Engine

DATA = Path(__file__).parent / "data"


@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(DATA / "article.html", folder / "article.html")
    shutil.copy(DATA / "homepage.html", folder / "homepage.htm")
    write_docx(folder / "report.docx")
    write_rtf(folder / "heading.rtf")
    write_pdf(
        folder / "decision.pdf",
        [  # TCVN3 bytes in ABC fonts, the heading in the capitals-only one
            ("VnTimeH", "quyÕt ®Þnh".encode("cp1252")),
            ("VnTime", "VÒ viÖc hç trî tØnh Lµo Cai".encode("cp1252")),
        ],
    )
    (folder / "notes.txt").write_text("Ghi chép\n\nHọp giao ban ở Sơn La.", encoding="utf-8")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (folder / "empty.md").write_bytes(b"")
    return folder


def run_index(runner, folder, index_dir, *options):
    result = runner.invoke(cli, ["index", str(folder), "--index-dir", str(index_dir), "--json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def reasons(summary):
    return {Path(s["path"]).name: s["reason"] for s in summary["skipped"]}


def test_mixed_folder_through_the_cli(runner, mixed_folder, tmp_path):
    summary = run_index(runner, mixed_folder, tmp_path / "ix")
    assert summary["added"] == 5
    assert reasons(summary) == {
        "homepage.htm": "homepage or list page: no single article",
        "photo.jpg": "unsupported file type .jpg",
        "empty.md": "empty file",
    }
    engine = Engine(tmp_path / "ix")
    article = engine.get("article.html")
    assert (article["title"], article["date"], article["date_source"], article["author"]) == (
        "Lào Cai tổ chức diễn tập khu vực phòng thủ năm 2024",
        "2024-08-15",
        "metadata",
        "Hoàng Thu Hà",
    )
    assert article["places"] == ["Lào Cai"]
    assert engine.get("report.docx")["title"] == "Báo cáo tổng kết công tác năm 2023"
    decision = engine.get("decision.pdf")
    assert decision["title"] == "QUYẾT ĐỊNH Về việc hỗ trợ tỉnh Lào Cai"
    assert decision["places"] == ["Lào Cai"]
    # no date in its heading: unknown; the file's copy time is only its "modified" date
    assert (decision["date"], decision["date_source"]) == (None, None) and decision["modified"]
    found = {hit.id for hit in engine.search('"cong hoa xa hoi chu nghia"').hits}
    assert found == {"report.docx", "heading.rtf"}  # TCVN3 converted in both
    assert engine.get("notes.txt")["title"] == "Ghi chép"

    again = run_index(runner, mixed_folder, tmp_path / "ix")
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 5)
    assert reasons(again) == reasons(summary)  # still reported, from the manifest


def test_max_bytes_option(runner, mixed_folder, tmp_path):
    summary = run_index(runner, mixed_folder, tmp_path / "ix", "--max-bytes", "2KB")
    assert reasons(summary)["article.html"] == "file too large (3.1 KB > 2 KB limit)"
    assert "notes.txt" not in reasons(summary)
    bad = runner.invoke(
        cli, ["index", str(mixed_folder), "--index-dir", str(tmp_path / "ix"), "--max-bytes", "lots"]
    )
    assert bad.exit_code == 2 and "not a size: 'lots'" in bad.output


def test_unchanged_unusable_file_is_not_extracted_again(mixed_folder, tmp_path, monkeypatch):
    index_paths([mixed_folder], tmp_path / "ix")
    calls = []
    real = ingest.extract_file
    monkeypatch.setattr(ingest, "extract_file", lambda path, **kw: calls.append(path) or real(path, **kw))
    summary = index_paths([mixed_folder], tmp_path / "ix")
    assert calls == []
    assert "homepage.htm" in {Path(s.path).name for s in summary.skipped}


def test_failed_update_keeps_the_previous_version(mixed_folder, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([mixed_folder], index_dir)
    report = mixed_folder / "report.docx"
    whole = report.read_bytes()
    report.write_bytes(whole[:500])  # a copy interrupted half-way
    summary = index_paths([mixed_folder], index_dir)
    skipped = {Path(s.path).name: s.reason for s in summary.skipped}
    assert skipped["report.docx"] == (
        "unreadable DOCX: not a complete ZIP archive (truncated?); the previously indexed version is kept"
    )
    assert (summary.updated, summary.removed) == (0, 0)
    assert Engine(index_dir).get("report.docx")["title"] == "Báo cáo tổng kết công tác năm 2023"

    report.write_bytes(b"x" * 5000)  # over the limit: the same rule applies
    summary = index_paths([mixed_folder], index_dir, max_bytes=4000)
    assert {Path(s.path).name: s.reason for s in summary.skipped}["report.docx"].endswith(
        "; the previously indexed version is kept"
    )

    report.write_bytes(whole)  # repaired: taken again (unchanged content, so nothing to rewrite)
    summary = index_paths([mixed_folder], index_dir)
    assert "report.docx" not in {Path(s.path).name for s in summary.skipped}
    assert Engine(index_dir).get("report.docx") is not None


def test_failed_update_warning_is_printed(runner, mixed_folder, tmp_path):
    index_dir = tmp_path / "ix"
    run_index(runner, mixed_folder, index_dir)
    (mixed_folder / "notes.txt").write_bytes(b"\x00\x01\x02" * 50)
    result = runner.invoke(cli, ["index", str(mixed_folder), "--index-dir", str(index_dir)])
    assert result.exit_code == 0
    assert "notes.txt: binary content; the previously indexed version is kept" in result.output
