"""search index --watch: the index follows a folder as files are added, changed and removed."""

import json
import os
import signal
import subprocess
import sys
import time

from conftest import REPO, watching

from searcher.search.engine import Engine


def next_summary(reports, timeout=20):
    return reports.get(timeout=timeout)


def test_watch_follows_add_change_remove(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text("Báo cáo lũ lụt ở Yên Bái\n\nMưa lớn kéo dài.", encoding="utf-8")
    index_dir = tmp_path / "ix"
    with watching([folder], index_dir) as reports:
        assert next_summary(reports).added == 1
        engine = Engine(index_dir)

        (folder / "b.html").write_bytes((REPO / "tests" / "data" / "article.html").read_bytes())
        assert next_summary(reports).added == 1
        assert engine.search("dien tap khu vuc phong thu").hits[0].id == "b.html"

        time.sleep(0.01)  # a later modification time than the first version's
        (folder / "a.txt").write_text("Báo cáo hạn hán ở Ninh Thuận\n\nNắng nóng kéo dài.", encoding="utf-8")
        summary = next_summary(reports)
        assert (summary.updated, summary.added) == (1, 0)
        assert engine.get("a.txt")["title"] == "Báo cáo hạn hán ở Ninh Thuận"

        (folder / "b.html").unlink()
        assert next_summary(reports).removed == 1
        assert engine.get("b.html") is None and engine.info()["documents"] == 1


def test_watch_command_prints_json_lines_and_stops_on_ctrl_c(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text("Tin ngắn về Hà Giang", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [
        sys.executable,
        "-m",
        "searcher",
        "index",
        str(folder),
        "--watch",
        "--json",
        "--interval",
        "0.2",
        "--index-dir",
        str(tmp_path / "ix"),
    ]
    # A shell that starts jobs in the background makes them ignore Ctrl-C, and Python keeps an ignored
    # SIGINT ignored: the watcher gets the default disposition back, as in a terminal.
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as proc:
        try:
            first = json.loads(proc.stdout.readline())
            assert first["ok"] and first["added"] == 1
            (folder / "b.md").write_text("Tin ngắn về Cao Bằng", encoding="utf-8")
            second = json.loads(proc.stdout.readline())
            assert (second["added"], second["documents"]) == (1, 2)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()  # fail, never hang the test run
                raise
    assert proc.returncode == 0


def test_a_poll_that_finds_nothing_changed_opens_nothing(tmp_path, monkeypatch):
    """Polls compare sizes and times with the previous poll; only a difference starts a run."""
    from searcher.index import watch as watch_module

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text("Báo cáo lũ lụt ở Yên Bái\n\nMưa lớn kéo dài.", encoding="utf-8")
    runs = []
    real = watch_module.index_paths

    def counted(*args, **kwargs):
        runs.append(time.monotonic())
        return real(*args, **kwargs)

    monkeypatch.setattr(watch_module, "index_paths", counted)
    with watching([folder], tmp_path / "ix", interval_s=0.05) as reports:
        assert next_summary(reports).added == 1
        time.sleep(0.5)  # about ten polls
        assert len(runs) == 1
        (folder / "b.txt").write_text("Báo cáo hạn hán ở Ninh Thuận\n\nNắng nóng.", encoding="utf-8")
        assert next_summary(reports).added == 1
        assert len(runs) == 2
