"""Indexing under real faults (issue 25): no document is lost or merged, and no one input stops a run.

1. ids are unique per source: two folders (or two JSON Lines files) with the same names never share a
   document, and every id the indexer makes can be shown, linked and looked up;
2. a missing root or an unreadable folder keeps its documents, warns and fails the run;
3. file names that are not UTF-8 are indexed by their bytes;
4. only regular files are opened: a named pipe, a device or a socket is skipped, never waited on;
5. every extraction runs with a time and a memory limit in a worker that can be stopped;
6. every input has a size limit: a JSON Lines file is streamed, each record held to --max-bytes, and
   a meta.json of the wrong shape is refused in one line.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BAC_KAN, DIEN_BIEN_2022, LAI_CHAU, REPO, SEEDS, TAM_DIEP, watching
from filemakers import write_crafted_pdf, write_pdf, write_shared_stream_pdf
from hypothesis import given
from hypothesis import strategies as st

from searcher.cli import cli
from searcher.index import store
from searcher.ingest import ids
from searcher.ingest.documents import document_from_file
from searcher.ingest.extract import too_large_reason
from searcher.ingest.isolation import ExtractLimits, Extractor
from searcher.ingest.sources import SourceError, SourceFile, open_source
from searcher.search.engine import Engine
from web import create_app

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def run_json(runner, *args):
    """``search ARGS --json`` through click's runner: (exit status, the JSON object printed)."""
    result = runner.invoke(cli, [*map(str, args), "--json"])
    return result.exit_code, json.loads(result.stdout)


def stored_ids(index_dir) -> set[str]:
    engine = Engine(index_dir)
    try:
        return {fields["id"] for fields in engine._searcher().all_stored_fields()}
    finally:
        engine.close()


def seed_text(name: str) -> bytes:
    return (SEEDS / name).read_bytes()


# --- 1. identity ---------------------------------------------------------------------------------------


@pytest.fixture
def two_folders(tmp_path):
    """A/report.txt and B/report.txt: two different reports under the same name."""
    for folder, seed in (("A", BAC_KAN), ("B", DIEN_BIEN_2022)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_bytes(seed_text(seed))
    return tmp_path / "A", tmp_path / "B"


def test_same_name_in_two_folders_gives_two_documents_and_removing_one_keeps_the_other(
    runner, two_folders, tmp_path
):
    a, b = two_folders
    index_dir = tmp_path / "ix"
    status, summary = run_json(runner, "index", a, b, "--index-dir", index_dir)
    assert status == 0 and (summary["added"], summary["documents"]) == (2, 2)
    assert stored_ids(index_dir) == {"report.txt", "B/report.txt"}  # the first folder keeps the name
    a_title = Engine(index_dir).get("report.txt")["title"]
    b_title = Engine(index_dir).get("B/report.txt")["title"]
    assert "Bắc Kạn" in Engine(index_dir).get("report.txt")["text"] and a_title != b_title

    # editing B's file changes B's document only
    (b / "report.txt").write_bytes(seed_text(DIEN_BIEN_2022) + "\nĐoạn bổ sung về thủy lợi.\n".encode())
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert status == 0 and (summary["updated"], summary["unchanged"], summary["documents"]) == (1, 1, 2)
    assert Engine(index_dir).get("report.txt")["title"] == a_title

    # removing B's file removes B's document only, and the next run has nothing to repair
    (b / "other.txt").write_bytes(seed_text(TAM_DIEP))
    assert run_json(runner, "index", "--index-dir", index_dir)[1]["added"] == 1
    (b / "report.txt").unlink()
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert status == 0 and (summary["removed"], summary["documents"]) == (1, 2)
    assert stored_ids(index_dir) == {"report.txt", "other.txt"}
    assert Engine(index_dir).get("report.txt")["title"] == a_title
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert (summary["unchanged"], summary["documents"]) == (2, 2)
    assert runner.invoke(cli, ["verify", "--index-dir", str(index_dir)]).exit_code == 0


def test_the_issue_reproduction_removing_the_only_file_of_b(runner, two_folders, tmp_path):
    a, b = two_folders
    index_dir = tmp_path / "ix"
    assert run_json(runner, "index", a, b, "--index-dir", index_dir)[0] == 0
    (b / "report.txt").unlink()
    # B is now empty, as an unmounted share's mount point is: its document is kept until a rebuild
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert status == 1 and (summary["removed"], summary["documents"]) == (0, 2)
    assert summary["skipped"][0]["reason"].startswith("the folder is empty (a drive or share not mounted?)")
    assert "Bắc Kạn" in Engine(index_dir).get("report.txt")["text"]
    status, summary = run_json(runner, "index", "--rebuild", "--index-dir", index_dir)
    assert status == 0 and summary["documents"] == 1
    assert "Bắc Kạn" in Engine(index_dir).get("report.txt")["text"]


def test_folder_order_does_not_decide_ids_and_a_folder_indexed_later_is_qualified(
    runner, two_folders, tmp_path
):
    a, b = two_folders
    assert run_json(runner, "index", b, a, "--index-dir", tmp_path / "ix1")[0] == 0
    assert stored_ids(tmp_path / "ix1") == {"report.txt", "B/report.txt"}  # alphabetical: A first
    # B indexed first keeps its id; A, added later, is qualified: no id ever changes owner
    assert run_json(runner, "index", b, "--index-dir", tmp_path / "ix2")[0] == 0
    status, summary = run_json(runner, "index", a, "--index-dir", tmp_path / "ix2")
    assert status == 0 and summary["added"] == 1
    assert "Bắc Kạn" in Engine(tmp_path / "ix2").get("A/report.txt")["text"]
    assert "Điện Biên" in Engine(tmp_path / "ix2").get("report.txt")["text"]


def test_two_jsonl_files_reusing_an_id_give_two_documents(runner, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "2017.jsonl").write_text(
        json.dumps(
            {"id": "123", "title": "Lũ lụt ở Yên Bái", "text": "Mưa lớn ở Yên Bái."}, ensure_ascii=False
        )
        + "\n",
        encoding="utf-8",
    )
    (folder / "2018.jsonl").write_text(
        json.dumps({"id": "123", "title": "Hạn hán ở Ninh Thuận", "text": "Nắng nóng."}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    index_dir = tmp_path / "ix"
    status, summary = run_json(runner, "index", folder, "--index-dir", index_dir)
    assert status == 0 and summary["added"] == 2
    assert stored_ids(index_dir) == {"123", "2018.jsonl#123"}
    (folder / "2018.jsonl").unlink()
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert (summary["removed"], summary["documents"]) == (1, 1)
    assert Engine(index_dir).get("123")["title"] == "Lũ lụt ở Yên Bái"


def test_a_single_seed_folder_keeps_its_file_names_as_ids(seed_index):
    assert stored_ids(seed_index) == {p.name for p in SEEDS.iterdir()}


def test_an_id_no_form_of_which_is_free_is_refused_with_a_reason(two_folders, tmp_path, monkeypatch):
    from searcher.index.indexer import index_paths

    third = tmp_path / "C"
    third.mkdir()
    (third / "report.txt").write_bytes(seed_text(TAM_DIEP))
    # two forms for every file (a hash could not collide): the third file cannot be named apart
    monkeypatch.setattr(SourceFile, "id_forms", lambda self, record_id=None: ["report.txt", "same"])
    summary = index_paths([*two_folders, third], tmp_path / "ix")
    assert (summary.added, summary.documents) == (2, 2)
    assert stored_ids(tmp_path / "ix") == {"report.txt", "same"}
    assert [(s.path, s.reason) for s in summary.skipped] == [
        (
            str(third / "report.txt"),
            "its id report.txt and the other forms of it (same) belong to other documents: "
            "not indexed, so as not to replace one",
        )
    ]


@given(st.text(min_size=1, max_size=600))
def test_every_made_id_is_valid(text):
    made = ids.make_id(text)
    assert ids.is_valid_id(made) and len(made) <= ids.MAX_ID_CHARS
    made.encode("utf-8")  # no lone surrogate
    assert ids.make_id(text) == made  # the same text, the same id


def test_id_rules():
    assert ids.make_id("report.txt") == "report.txt"
    assert ids.make_id("a\tb\nc.txt") == "a\\tb\\nc.txt"
    assert ids.make_id("b\udce1o c\udce1o.txt") == "b\\xe1o c\\xe1o.txt"
    assert ids.make_id("../../etc/passwd") == "%2E%2E/%2E%2E/etc/passwd"
    assert ids.make_id("/etc/passwd") == "%2Fetc/passwd"
    long = ids.make_id("x" * 1500)
    assert len(long) == ids.MAX_ID_CHARS and re.fullmatch(r"x{238}~[0-9a-f]{16}", long)
    assert ids.make_id("x" * 1500) != ids.make_id("x" * 1501)
    assert not ids.is_valid_id("a\tb") and not ids.is_valid_id("x" * 256) and not ids.is_valid_id("../x")


@pytest.fixture(scope="module")
def awkward_index(tmp_path_factory):
    """Files whose names hold a tab, a newline, bytes that are not UTF-8, and paths of 400 characters."""
    from searcher.index.indexer import index_paths

    root = tmp_path_factory.mktemp("awkward")
    folder = os.fsencode(root / "docs")
    names = {
        b"tab\there.txt": LAI_CHAU,
        b"new\nline.txt": BAC_KAN,
        b"b\xe1o c\xe1o.txt": DIEN_BIEN_2022,
        b"d" * 200 + b"/" + b"x" * 200 + b".txt": TAM_DIEP,
    }
    for name, seed in names.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, seed_text(seed))
        os.close(fd)
    index_dir = root / "ix"
    summary = index_paths([Path(os.fsdecode(folder))], index_dir)
    assert (summary.added, summary.skipped) == (4, [])
    return index_dir


def test_awkward_names_get_readable_valid_ids(awkward_index):
    made = stored_ids(awkward_index)
    assert {i for i in made if len(i) < 100} == {"tab\\there.txt", "new\\nline.txt", "b\\xe1o c\\xe1o.txt"}
    (long,) = made - {"tab\\there.txt", "new\\nline.txt", "b\\xe1o c\\xe1o.txt"}
    assert len(long) == ids.MAX_ID_CHARS and long.startswith("d" * 200 + "/x") and "~" in long
    assert all(ids.is_valid_id(i) for i in made)


def test_every_doc_link_on_the_page_and_every_id_in_the_api_answers(awkward_index):
    from web import create_app

    client = create_app({"INDEX_DIR": str(awkward_index)}).test_client()
    page = client.get("/", query_string={"q": "quốc phòng"}).get_data(as_text=True)
    links = [html.unescape(link) for link in re.findall(r'href="(/doc\?id=[^"]+)"', page)]
    assert len(links) >= 3
    for link in links:
        assert client.get(link).status_code == 200, link
    for doc_id in stored_ids(awkward_index):
        answer = client.get("/doc.json", query_string={"id": doc_id})
        assert answer.status_code == 200 and answer.get_json()["id"] == doc_id


def test_search_show_finds_every_id_and_the_file_name_as_typed(runner, awkward_index):
    for doc_id in stored_ids(awkward_index):
        result = runner.invoke(cli, ["show", doc_id, "--index-dir", str(awkward_index), "--json"])
        assert result.exit_code == 0 and json.loads(result.stdout)["id"] == doc_id
    # a name typed with its tab (or its bytes, below) is taken as the id it gives
    result = runner.invoke(cli, ["show", "tab\there.txt", "--index-dir", str(awkward_index), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == "tab\\there.txt"
    shown = subprocess.run(
        [sys.executable, "-m", "searcher", "show", b"b\xe1o c\xe1o.txt", "--index-dir", awkward_index],
        capture_output=True,
        env=ENV,
        timeout=60,
    )
    assert shown.returncode == 0 and b"b\\xe1o c\\xe1o.txt" in shown.stdout, shown.stderr
    verify = runner.invoke(cli, ["verify", "--index-dir", str(awkward_index)])
    assert verify.exit_code == 0 and verify.stdout.startswith("OK: 4 documents from 4 files")
    text = runner.invoke(cli, ["query", "quốc phòng", "--index-dir", str(awkward_index), "--limit", "50"])
    assert text.exit_code == 0 and "\t" not in text.stdout and "\x1b" not in text.stdout


# --- 2. never remove on absence of evidence -----------------------------------------------------------


def test_a_missing_folder_keeps_its_documents_warns_and_fails(runner, two_folders, tmp_path):
    a, b = two_folders
    index_dir = tmp_path / "ix"
    assert run_json(runner, "index", a, b, "--index-dir", index_dir)[0] == 0
    b.rename(tmp_path / "B-renamed")  # an unmounted share, a renamed folder

    result = runner.invoke(cli, ["index", "--index-dir", str(index_dir)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"skipped {b}: no such file or folder (moved, renamed, or a drive or share not mounted?); "
        "its 1 indexed document is kept",
        "incomplete: a folder indexed is missing or could not be read (above); nothing under it was removed",
    ]
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert status == 1 and summary["ok"] is False
    assert (summary["removed"], summary["documents"]) == (0, 2)
    assert stored_ids(index_dir) == {"report.txt", "B/report.txt"}

    verify = runner.invoke(cli, ["verify", "--index-dir", str(index_dir)])
    assert verify.exit_code == 1
    assert f"root-missing: {b}: a folder indexed is missing" in verify.stdout
    assert "source-gone" not in verify.stdout  # (told once for the folder; 'search index' keeps them)
    assert not verify.stdout.splitlines()[-1].startswith("OK")

    (tmp_path / "B-renamed").rename(b)  # back: nothing to repair
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert status == 0 and (summary["ok"], summary["unchanged"], summary["documents"]) == (True, 2, 2)


def test_a_rebuild_from_the_remembered_folders_with_one_missing_keeps_the_index(
    runner, two_folders, tmp_path
):
    a, b = two_folders
    index_dir = tmp_path / "ix"
    assert run_json(runner, "index", a, b, "--index-dir", index_dir)[0] == 0
    (generation,) = index_dir.glob("gen-*")
    b.rename(tmp_path / "B-renamed")
    message = (
        f"not rebuilt, the index is as it was: {b}: no such file or folder (moved, renamed, or a drive or "
        "share not mounted?); rebuild when it is back, or name the folders to rebuild from: "
        "'search index --rebuild FOLDER ...'"
    )
    for upgrade in (False, True):  # asked for, or after a new version's schema change
        if upgrade:
            meta = json.loads((generation / "meta.json").read_text(encoding="utf-8"))
            (generation / "meta.json").write_text(json.dumps({**meta, "schema_version": 4}), encoding="utf-8")
        command = ["index", "--index-dir", str(index_dir), *([] if upgrade else ["--rebuild"])]
        result = runner.invoke(cli, command)
        assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
        assert store.current_generation(index_dir) == generation  # nothing switched
        assert upgrade or Engine(index_dir).info()["documents"] == 2  # (searches refuse an older schema)
    (tmp_path / "B-renamed").rename(b)
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert status == 0 and summary["rebuilt"] and summary["documents"] == 2
    assert not list(index_dir.glob("gen-*.tmp"))  # the refused rebuild's folder is gone


def test_an_emptied_folder_is_taken_for_an_unmounted_share(runner, seed_copy, tmp_path):
    index_dir = tmp_path / "ix"
    assert run_json(runner, "index", seed_copy, "--index-dir", index_dir)[0] == 0
    for path in seed_copy.iterdir():
        path.unlink()
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert status == 1 and (summary["ok"], summary["removed"], summary["documents"]) == (False, 0, 5)
    assert summary["skipped"] == [
        {
            "path": str(seed_copy),
            "reason": "the folder is empty (a drive or share not mounted?); its 5 indexed documents are kept "
            "('search index --rebuild' drops them)",
        }
    ]


def test_watch_tells_when_a_folder_goes_missing_and_comes_back(seed_copy, tmp_path):
    with watching([seed_copy], tmp_path / "ix") as reports:
        assert reports.get(timeout=60).added == 5
        seed_copy.rename(tmp_path / "away")
        gone = reports.get(timeout=60)
        assert (gone.ok, gone.removed, gone.documents) == (False, 0, 5)
        (tmp_path / "away").rename(seed_copy)
        back = reports.get(timeout=60)
        assert (back.ok, back.unchanged, back.documents) == (True, 5, 5)


@contextlib.contextmanager
def unreadable(folder: Path, monkeypatch):
    """``folder`` cannot be listed: by its permissions, or (for root, whom they do not stop) as if."""
    folder.chmod(0)
    try:
        try:
            os.listdir(folder)
        except PermissionError:
            yield
            return
        real = os.scandir

        def refusing(path="."):
            if os.fspath(path) == str(folder):
                raise PermissionError(13, "Permission denied", str(folder))
            return real(path)

        monkeypatch.setattr(os, "scandir", refusing)
        yield
        monkeypatch.undo()
    finally:
        folder.chmod(0o755)


def test_an_unreadable_subfolder_keeps_its_documents_and_a_removed_file_elsewhere_goes(
    runner, tmp_path, monkeypatch
):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes(seed_text(LAI_CHAU))
    (folder / "b.txt").write_bytes(seed_text(BAC_KAN))
    (folder / "sub" / "c.txt").write_bytes(seed_text(TAM_DIEP))
    index_dir = tmp_path / "ix"
    assert run_json(runner, "index", folder, "--index-dir", index_dir)[1]["added"] == 3
    (folder / "b.txt").unlink()  # gone from a folder that was read: removed
    with unreadable(folder / "sub", monkeypatch):
        status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert status == 1 and summary["ok"] is False
    assert (summary["removed"], summary["unchanged"], summary["documents"]) == (1, 1, 2)
    assert summary["skipped"] == [
        {
            "path": str(folder / "sub"),
            "reason": "cannot read folder: Permission denied; its 1 indexed document is kept",
        }
    ]
    assert stored_ids(index_dir) == {"a.txt", "sub/c.txt"}


# --- 3. names that are not UTF-8 -------------------------------------------------------------------


def test_a_name_that_is_not_utf8_is_indexed_by_its_bytes_and_updated_again(runner, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    fd = os.open(os.fsencode(folder) + b"/b\xe1o c\xe1o.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, seed_text(BAC_KAN))
    os.close(fd)
    fd = os.open(os.fsencode(folder) + b"/\xe1nh.png", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b"\x89PNG")
    os.close(fd)
    index_dir = tmp_path / "ix"
    for _ in range(2):  # and again: the manifest was written, the folder can be updated
        result = subprocess.run(
            [sys.executable, "-m", "searcher", "index", folder, "--index-dir", index_dir],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr == f"skipped {folder}/\\xe1nh.png: unsupported file type .png\n"
    assert result.stdout.startswith("0 added, 0 updated, 0 removed, 1 unchanged, 1 skipped; 1 documents")
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert status == 0 and summary["skipped"] == [
        {"path": f"{folder}/\\xe1nh.png", "reason": "unsupported file type .png"}
    ]
    hits = json.loads(
        runner.invoke(cli, ["query", "bac kan", "--index-dir", str(index_dir), "--json"]).stdout
    )
    assert [(h["id"], h["path"]) for h in hits["hits"]] == [("b\\xe1o c\\xe1o.txt", "b\\xe1o c\\xe1o.txt")]
    info = json.loads(runner.invoke(cli, ["info", "--index-dir", str(index_dir), "--json"]).stdout)
    assert info["roots"] == [str(folder)]


@pytest.mark.slow  # a watching process, polled until it has indexed twice
def test_watch_survives_a_name_that_is_not_utf8(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_bytes(seed_text(LAI_CHAU))
    command = [sys.executable, "-m", "searcher", "index", folder, "--watch", "--json", "--interval", "0.2"]
    with subprocess.Popen(
        [*command, "--index-dir", tmp_path / "ix"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as proc:
        try:
            assert json.loads(proc.stdout.readline())["added"] == 1
            fd = os.open(os.fsencode(folder) + b"/b\xe1o c\xe1o.txt", os.O_WRONLY | os.O_CREAT, 0o644)
            os.write(fd, seed_text(BAC_KAN))
            os.close(fd)
            second = json.loads(proc.stdout.readline())
            assert (second["added"], second["documents"]) == (1, 2)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
        assert proc.returncode == 0 and "Traceback" not in proc.stderr.read()


# --- 4. only regular files ------------------------------------------------------------------------------


def test_a_named_pipe_a_socket_and_a_device_are_skipped_never_waited_on(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_bytes(seed_text(LAI_CHAU))
    os.mkfifo(folder / "feed.jsonl")
    os.mkfifo(folder / "pipe.txt")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock.txt"))
        result = subprocess.run(
            [sys.executable, "-m", "searcher", "index", folder, "/dev/zero", "--index-dir", tmp_path / "ix"],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=120,  # before: waited for a writer for ever, holding the index's lock
        )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "skipped /dev/zero: not a regular file: a character device",
        f"skipped {folder}/feed.jsonl: not a regular file: a named pipe",
        f"skipped {folder}/pipe.txt: not a regular file: a named pipe",
        f"skipped {folder}/sock.txt: not a regular file: a socket",
    ]
    assert result.stdout.startswith("1 added, 0 updated, 0 removed, 0 unchanged, 4 skipped")


def test_a_file_that_turns_into_a_pipe_after_the_scan_is_refused_on_open(tmp_path):
    path = tmp_path / "report.txt"
    os.mkfifo(path)
    source = SourceFile(path, tmp_path, 100, 0)  # as the scan saw it: a file of 100 bytes
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        open_source(source)
    assert caught.value.reason == "not a regular file: a named pipe"
    assert time.monotonic() - started < 1


# --- 5. per-file limits ----------------------------------------------------------------------------------


# one stream inflating to ~19 MB of text operators; 3,000 pages drawing one stream
@pytest.mark.parametrize("craft", [write_crafted_pdf, write_shared_stream_pdf], ids=["inflating", "pages"])
def test_a_crafted_pdf_is_stopped_at_the_time_limit_and_the_previous_version_kept(runner, tmp_path, craft):
    folder = tmp_path / "docs"
    folder.mkdir()
    pdf = write_pdf(folder / "report.pdf", [("Helvetica", b"Bao cao tong ket cong tac nam 2023 tinh Son La")])
    (folder / "a.txt").write_bytes(seed_text(LAI_CHAU))
    index_dir = tmp_path / "ix"
    limits = ["--max-seconds", "2", "--max-memory", "512MB"]
    assert run_json(runner, "index", folder, "--index-dir", index_dir, *limits)[1]["added"] == 2

    craft(pdf)
    (folder / "b.txt").write_bytes(seed_text(BAC_KAN))  # the run goes on past it
    started = time.monotonic()
    status, summary = run_json(runner, "index", "--index-dir", index_dir, *limits)
    assert time.monotonic() - started < 30  # before: minutes, and gigabytes of memory
    assert status == 0 and (summary["added"], summary["documents"]) == (1, 3)
    assert summary["skipped"] == [
        {
            "path": str(pdf),
            "reason": "took longer than 2 s to extract; the previously indexed version is kept",
        }
    ]
    assert "Son La" in Engine(index_dir).get("report.pdf")["text"]


def _allocating(source, data, max_bytes):
    hog = [bytearray(64 * 2**20) for _ in range(64)]  # 4 GB, a 64 MB block at a time
    return hog


def _sleeping(source, data, max_bytes):
    time.sleep(60)


def _crashing(source, data, max_bytes):
    import faulthandler

    faulthandler.disable()  # (pytest's: it would print the worker's stack)
    os.kill(os.getpid(), signal.SIGSEGV)


def _failing(source, data, max_bytes):
    raise KeyError("a bug met by one file")


def _running_a_program(source, data, max_bytes):
    from searcher.ingest.extract import tools

    tools.run(["sleep", "1.5"], timeout=10, what="sleep")  # longer than the file's limit: its own time-out
    return document_from_file(source, data, max_bytes)


@pytest.mark.parametrize(
    ("extract", "reason"),
    [
        (_allocating, "needed more than 256 MB of memory to extract"),
        (_sleeping, "took longer than 1 s to extract"),
        (_crashing, "extraction failed: the worker process ended (killed by SIGSEGV)"),
        (_failing, "could not extract: KeyError: 'a bug met by one file'"),
    ],
)
def test_the_worker_answers_for_every_way_a_file_can_go_wrong_and_goes_on(
    tmp_path, monkeypatch, extract, reason
):
    import searcher.ingest.documents as documents

    good = tmp_path / "good.txt"
    good.write_bytes(seed_text(LAI_CHAU))
    source = SourceFile(good, tmp_path, good.stat().st_size, 0)
    with Extractor(limits=ExtractLimits(time_s=1, memory_bytes=256 * 2**20)) as extractor:
        assert extractor.document(source, good.read_bytes()).id == "good.txt"
        real = documents.document_from_file
        monkeypatch.setattr(documents, "document_from_file", extract)  # seen by the next worker forked
        extractor.close()
        started = time.monotonic()
        skipped = extractor.document(source, good.read_bytes())
        assert (skipped.path, skipped.reason) == (str(good), reason)
        assert time.monotonic() - started < 15
        monkeypatch.setattr(documents, "document_from_file", real)
        extractor.close()
        assert extractor.document(source, good.read_bytes()).id == "good.txt"


def test_an_external_program_has_its_own_time_out_not_the_files(tmp_path, monkeypatch):
    import searcher.ingest.documents as documents

    good = tmp_path / "good.txt"
    good.write_bytes(seed_text(LAI_CHAU))
    source = SourceFile(good, tmp_path, good.stat().st_size, 0)
    monkeypatch.setattr(documents, "document_from_file", _running_a_program)
    with Extractor(limits=ExtractLimits(time_s=1)) as extractor:
        assert extractor.document(source, good.read_bytes()).id == "good.txt"


def test_a_first_run_whose_every_file_is_skipped_leaves_an_index_every_command_reads(runner, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "scan.png").write_bytes(b"\x89PNG")  # the one file skipped: an index of no documents
    index_dir = tmp_path / "ix"
    for _ in range(2):  # (before: 'unexpected AttributeError' here, and from every command after)
        status, summary = run_json(runner, "index", folder, "--index-dir", index_dir)
        assert (status, summary["ok"], summary["documents"], len(summary["skipped"])) == (0, True, 0, 1)
    (folder / "scan.png").unlink()
    status, report = run_json(runner, "verify", "--index-dir", index_dir)
    assert (status, report["ok"], report["documents"], report["problems"]) == (0, True, 0, [])
    status, answer = run_json(runner, "query", "báo cáo", "--index-dir", index_dir)
    assert (status, answer["total"]) == (0, 0)
    assert run_json(runner, "info", "--index-dir", index_dir)[1]["documents"] == 0
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    assert client.get("/healthz").status_code == 200
    (folder / "a.txt").write_bytes(seed_text(LAI_CHAU))
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert (status, summary["added"], summary["documents"]) == (0, 1, 1)
    assert run_json(runner, "verify", "--index-dir", index_dir)[0] == 0


# --- 6. size limits on every input -----------------------------------------------------------------------


def test_a_jsonl_file_over_max_bytes_is_streamed_and_each_record_held_to_the_limit(runner, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    records = [
        {"id": f"r{n}", "title": f"Tin số {n} về tỉnh Yên Bái", "text": "Nội dung bản tin về thủy lợi. " * 20}
        for n in range(200)
    ]
    records[7]["text"] = "Một bản ghi rất dài. " * 400  # 8 KB, over the limit
    with open(folder / "news.jsonl", "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    long_line = len(json.dumps(records[7], ensure_ascii=False).encode())
    assert (folder / "news.jsonl").stat().st_size > 100_000 and long_line > 4096
    status, summary = run_json(runner, "index", folder, "--index-dir", tmp_path / "ix", "--max-bytes", "4KB")
    assert status == 0 and summary["added"] == 199
    assert summary["skipped"] == [
        {
            "path": f"{folder}/news.jsonl:8",
            "reason": too_large_reason(long_line, 4096, "record"),  # (its exact size, in KB)
        }
    ]


def test_a_broken_gzip_keeps_the_previous_records(runner, tmp_path):
    import gzip

    folder = tmp_path / "exports"
    folder.mkdir()
    lines = "".join(
        json.dumps({"id": f"r{n}", "text": f"Bản tin số {n} về Hà Giang."}) + "\n" for n in range(50)
    )
    data = gzip.compress(lines.encode())
    (folder / "news.jsonl.gz").write_bytes(data)
    index_dir = tmp_path / "ix"
    assert run_json(runner, "index", folder, "--index-dir", index_dir)[1]["added"] == 50
    (folder / "news.jsonl.gz").write_bytes(data[: len(data) // 2])  # truncated while being copied
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert status == 0 and (summary["removed"], summary["documents"]) == (0, 50)
    (skipped,) = summary["skipped"]
    assert skipped["path"] == f"{folder}/news.jsonl.gz"
    assert skipped["reason"].startswith("not a readable gzip file: ")
    assert skipped["reason"].endswith("; the previously indexed version is kept")


@pytest.mark.parametrize("roots", ["/", ["/", 3], {"a": 1}, ["relative/path"]])
def test_roots_of_the_wrong_shape_give_one_line_and_walk_nothing(runner, seed_copy, tmp_path, roots):
    index_dir = tmp_path / "ix"
    assert run_json(runner, "index", seed_copy, "--index-dir", index_dir)[0] == 0
    (generation,) = index_dir.glob("gen-*")
    meta = json.loads((generation / "meta.json").read_text(encoding="utf-8"))
    meta["roots"] = roots
    (generation / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    for command in (["index"], ["verify"]):
        started = time.monotonic()
        result = runner.invoke(cli, [*command, "--index-dir", str(index_dir)])
        assert (result.exit_code, result.stdout) == (1, "")
        line = result.stderr
        assert line.startswith("Error: ") and line.count("\n") == 1, line
        assert "meta.json" in line and "'roots' is not a list of folders" in line, line
        assert "search index --rebuild" in line, line
        assert time.monotonic() - started < 10
    # naming the folders rebuilds it
    status, summary = run_json(runner, "index", "--rebuild", seed_copy, "--index-dir", index_dir)
    assert status == 0 and summary["documents"] == 5


def test_an_index_read_by_other_extraction_rules_reads_every_file_again(runner, seed_copy, tmp_path):
    """After an upgrade that reads files differently (dates, places, headlines), files that did not
    change are read again: their stored metadata would otherwise stay the old rules' until edited."""
    from searcher.ingest.model import EXTRACTION_VERSION

    index_dir = tmp_path / "ix"
    status, summary = run_json(runner, "index", seed_copy, "--index-dir", index_dir)
    assert status == 0 and summary["rebuilt_because"] == "new"
    (generation,) = index_dir.glob("gen-*")
    meta = json.loads((generation / "meta.json").read_text(encoding="utf-8"))
    assert meta["extraction_version"] == EXTRACTION_VERSION
    del meta["extraction_version"]  # as an index built before the rules had a version
    (generation / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    info = runner.invoke(cli, ["info", "--index-dir", str(index_dir)])
    assert (
        f"extraction:     none, not the current {EXTRACTION_VERSION}: the next 'search index' reads"
        in info.stdout
    )
    # meanwhile it answers as it is, and verify says what is due
    assert run_json(runner, "query", "Điện Biên", "--index-dir", index_dir)[1]["total"] >= 1
    status, report = run_json(runner, "verify", "--index-dir", index_dir)
    assert status == 1 and [p["kind"] for p in report["problems"]] == ["extraction"]
    assert report["problems"][0]["detail"].endswith(
        "(dates, places, headlines may differ): run 'search index'"
    )
    result = runner.invoke(cli, ["index", "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "every file read again: the index was built by other rules of reading files (dates, places, headlines)\n"
    )
    assert result.stdout.startswith("5 added, 0 updated, 0 removed, 0 unchanged, 0 skipped; 5 documents")
    generation = store.current_generation(index_dir)
    assert (
        json.loads((generation / "meta.json").read_text(encoding="utf-8"))["extraction_version"]
        == EXTRACTION_VERSION
    )
    status, summary = run_json(runner, "index", "--index-dir", index_dir)
    assert (status, summary["rebuilt"], summary["rebuilt_because"]) == (0, False, None)
    assert summary["unchanged"] == 5 and run_json(runner, "verify", "--index-dir", index_dir)[0] == 0


def test_an_older_schemas_index_is_rebuilt_with_the_new_ids(two_folders, tmp_path):
    from searcher.analysis.schema import SCHEMA_VERSION
    from searcher.index.indexer import index_paths

    index_dir = tmp_path / "ix"
    index_paths(list(two_folders), index_dir)
    (generation,) = index_dir.glob("gen-*")
    meta = json.loads((generation / "meta.json").read_text(encoding="utf-8"))
    meta["schema_version"] = 4  # before ids were unique per source
    assert SCHEMA_VERSION > 4
    (generation / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    summary = index_paths([], index_dir)
    assert summary.rebuilt and summary.rebuilt_because == "schema" and summary.documents == 2
    assert stored_ids(index_dir) == {"report.txt", "B/report.txt"}
    shutil.rmtree(index_dir)
