"""The `search` command, black-box through click's runner and one real subprocess."""

import csv
import io
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import pytest
from conftest import BAC_KAN, DIEN_BIEN_2022, DIEN_BIEN_2023, LAI_CHAU, REPO, SEEDS, TAM_DIEP
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.cli import CSV_COLUMNS, cli


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory):
    from click.testing import CliRunner

    index_dir = tmp_path_factory.mktemp("cli-index")
    result = CliRunner().invoke(cli, ["index", str(SEEDS), "--index-dir", str(index_dir), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["ok"] is True and summary["added"] == 5 and summary["skipped"] == []
    assert set(summary) >= {"ok", "added", "updated", "removed", "unchanged", "skipped", "took_s"}
    return index_dir


def query_json(runner, index_dir, *args):
    result = runner.invoke(cli, ["query", *args, "--index-dir", str(index_dir), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize(
    "query, top",
    [
        ("quốc phòng toàn dân Lai Châu", LAI_CHAU),
        ("quoc phong toan dan lai chau", LAI_CHAU),
        ("Cổng thông tin Bắc Kạn", BAC_KAN),
        ("khu vực phòng thủ Tam Điệp", TAM_DIEP),
        ("tuyến biên giới hoà bình", "004_981139cf777c2e3c.txt"),  # old tone placement; text has "hòa"
        ("Tỉnh uỷ Điện Biên bảo vệ Tổ quốc", "002_b57587347717fa6b.txt"),
    ],
)
def test_query_json_top_hit(runner, cli_index, query, top):
    data = query_json(runner, cli_index, query)
    assert data["ok"] is True and data["query"] == query and data["page"] == 1
    assert data["hits"][0]["id"] == top
    assert set(data["hits"][0]) >= {"id", "title", "path", "date", "score", "snippet"}
    assert isinstance(data["took_ms"], float) and data["total"] >= 1


def test_query_json_is_utf8_not_ascii_escaped(runner, cli_index):
    result = runner.invoke(cli, ["query", "quoc phong", "--index-dir", str(cli_index), "--json"])
    assert "quốc" in result.output and "\\u" not in result.output


def test_snippet_marks_accented_words_for_unaccented_query(runner, cli_index):
    data = query_json(runner, cli_index, "quoc phong")
    assert "<mark>quốc phòng</mark>" in data["hits"][0]["snippet"]


def test_readable_output_without_tty_has_no_escape_codes(runner, cli_index):
    result = runner.invoke(cli, ["query", "Tam Điệp", "--index-dir", str(cli_index), "--limit", "1"])
    assert result.exit_code == 0
    assert "\x1b[" not in result.output and "<mark>" not in result.output
    assert (
        result.output.startswith("1 result(s) for 'Tam Điệp'") or "result(s)" in result.output.splitlines()[0]
    )
    assert TAM_DIEP in result.output


def test_limit_and_page(runner, cli_index):
    first = query_json(runner, cli_index, "quốc phòng", "--limit", "2")
    third = query_json(runner, cli_index, "quốc phòng", "--limit", "2", "--page", "3")
    assert len(first["hits"]) == 2 and len(third["hits"]) == 1 and third["page"] == 3


def test_batch_answers_every_line_in_order(runner, cli_index, tmp_path):
    queries = tmp_path / "queries.txt"
    queries.write_text("Lai Châu\nbac kan\n\nTam Điệp\n", encoding="utf-8")
    result = runner.invoke(cli, ["query", "--batch", str(queries), "--index-dir", str(cli_index), "--json"])
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    # one answer per line, the blank one included, so that answers line up with the questions
    assert [a["query"] for a in answers] == ["Lai Châu", "bac kan", "", "Tam Điệp"]
    assert [a["hits"][0]["id"] if a["hits"] else None for a in answers] == [LAI_CHAU, BAC_KAN, None, TAM_DIEP]


def test_show_json_returns_the_indexed_text(runner, cli_index):
    result = runner.invoke(cli, ["show", TAM_DIEP, "--index-dir", str(cli_index), "--json"])
    data = json.loads(result.output)
    assert data["ok"] is True and data["id"] == TAM_DIEP
    assert "Nghị định số 21/2019/NĐ-CP" in data["text"]
    assert set(data) >= {"ok", "id", "title", "date", "path", "text"}


def test_show_unknown_id(runner, cli_index):
    result = runner.invoke(cli, ["show", "nope.txt", "--index-dir", str(cli_index), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output) == {"ok": False, "error": "no document with id 'nope.txt'"}


def test_info_json(runner, cli_index):
    data = json.loads(runner.invoke(cli, ["info", "--index-dir", str(cli_index), "--json"]).output)
    assert data["ok"] is True and data["documents"] == 5 and data["size_bytes"] > 0
    assert data["schema_version"] >= 1 and data["updated"]
    from searcher.ingest.model import EXTRACTION_VERSION

    assert data["extraction_version"] == EXTRACTION_VERSION


@pytest.mark.parametrize("command", [["query", "quốc phòng"], ["info"], ["show", "x"]])
def test_missing_index_says_how_to_build_it(runner, tmp_path, command):
    result = runner.invoke(cli, [*command, "--index-dir", str(tmp_path / "none"), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False and "search index" in data["error"]


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "title:",
        "AND OR",
        "***",
        "(",
        ")",
        "-",
        '""',
        "*a*",
        "a^",
        "[a TO",
        "title:(",
        "x" * 10_000,
        "quốc " * 3000,
        "\x00\x01",
        "‘’“”",
        "NOT",
        "+",
        ":",
        "OR OR OR",
        "a* b* c*",
    ],
)
def test_malformed_queries_are_answered(runner, cli_index, query):
    data = query_json(runner, cli_index, query)
    assert data["ok"] is True
    assert isinstance(data["hits"], list)


def test_query_that_only_excludes_says_so(runner, cli_index):
    data = query_json(runner, cli_index, "-Điện")
    assert data["hits"] == [] and data["notes"] == [
        "the query only excludes words: add at least one word to search for"
    ]


def test_index_dir_from_environment(runner, cli_index):
    result = runner.invoke(cli, ["info", "--json"], env={"SEARCH_INDEX_DIR": str(cli_index)})
    assert json.loads(result.output)["documents"] == 5


def test_python_dash_m_and_cold_process(cli_index):
    """A real process: `python -m searcher` with the index from the environment."""
    env = {**os.environ, "SEARCH_INDEX_DIR": str(cli_index)}
    out = subprocess.run(
        [sys.executable, "-m", "searcher", "query", "bac kan", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout
    assert json.loads(out)["hits"][0]["id"] == BAC_KAN


def test_query_path_does_not_import_pyvi(cli_index):
    code = (
        "import sys; from click.testing import CliRunner; from searcher.cli import cli; "
        f"r = CliRunner().invoke(cli, ['query', 'quoc', '--index-dir', {str(cli_index)!r}]); "
        "assert r.exit_code == 0, r.output; print('pyvi' in sys.modules, 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False False", out.stderr


def test_hits_carry_metadata_from_the_text(runner, cli_index):
    hit = query_json(runner, cli_index, "bac kan")["hits"][0]
    assert (hit["id"], hit["title"], hit["date"], hit["places"], hit["author"]) == (
        BAC_KAN,
        "Hội nghị sơ kết xây dựng nền quốc phòng toàn dân giai đoạn 2009 - 2019",
        "2019-09-27",
        ["Bắc Kạn"],
        "Thu Trang",
    )
    text = json.loads(runner.invoke(cli, ["show", BAC_KAN, "--index-dir", str(cli_index), "--json"]).output)[
        "text"
    ]
    assert "Skip Ribbon Commands" not in text and "Sign In" not in text
    assert text.startswith("Hội nghị sơ kết xây dựng nền quốc phòng toàn dân")


# --- errors: one line, the right exit status, nothing created, never a traceback --------------------
def run(runner, *args, **kwargs):
    return runner.invoke(cli, [str(a) for a in args], prog_name="search", **kwargs)


@pytest.mark.parametrize(
    "args, message",
    [
        (["index", "/no/such/folder"], "no such file or folder: /no/such/folder (see 'search index --help')"),
        (["index"], "nothing to index: name a folder or file, e.g. 'search index seeds/'"),
        (["index", "--watch"], "--watch needs the folders to watch"),
        (
            ["index", SEEDS, "--jobs", "0"],
            "Invalid value for '--jobs': 0 is not in the range x>=1. (see 'search index --help')",
        ),
        (
            ["query", "quốc phòng", "--from", "yesterday"],
            "'--from' must be a date written YYYY-MM-DD (or YYYY, YYYY-MM), not 'yesterday'",
        ),
        (
            ["query", "quốc phòng", "--to", "2020-13-45"],
            "'--to' must be a date written YYYY-MM-DD (or YYYY, YYYY-MM), not '2020-13-45'",
        ),
        (
            ["query", "quốc phòng", "--from", "2023", "--to", "2022-06"],
            "'--from' (2023) is after '--to' (2022-06): swap them",
        ),
        (["query", "quốc phòng", "--place", "x" * 101], "'--place' is too long (at most 100 characters)"),
        (["query"], "give a query TEXT or --batch FILE (one of them)"),
        (
            ["query", "a", "--json", "--format", "csv"],
            "--json and --format csv ask for different output (see 'search query --help')",
        ),
        (
            ["query", "a", "--format", "xml"],
            "Invalid value for '--format': 'xml' is not one of 'text', 'json', 'jsonl', 'csv'. "
            "(see 'search query --help')",
        ),
        (["nosuch"], "No such command 'nosuch'. (see 'search --help')"),
    ],
)
def test_usage_errors_are_one_line_and_create_nothing(runner, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # (click 8.5 deprecates CliRunner.isolated_filesystem)
    result = run(runner, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"Error: {message}\n")
    assert os.listdir(tmp_path) == []  # no ./index, no lock file


def test_usage_error_with_json_is_a_json_object(runner, cli_index):
    result = run(runner, "query", "a", "--index-dir", cli_index, "--from", "2021", "--to", "2020", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "ok": False,
        "error": "'--from' (2021) is after '--to' (2020): swap them",
        "code": "reversed_range",
    }


def test_index_dir_that_is_a_file(runner, tmp_path):
    in_the_way = tmp_path / "in-the-way"
    in_the_way.write_text("not a folder")
    result = run(runner, "index", SEEDS, "--index-dir", in_the_way)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: Invalid value for '--index-dir': {in_the_way} is a file, not a folder "
        "(see 'search index --help')\n"
    )
    # a file in the way of the folder's parent: the system's refusal, in one line naming the path
    result = run(runner, "index", SEEDS, "--index-dir", in_the_way / "index")
    assert (result.exit_code, result.stderr) == (1, f"Error: {in_the_way / 'index'}: Not a directory\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_unwritable_index_folder(runner, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = run(runner, "index", SEEDS, "--index-dir", locked / "index")
    finally:
        locked.chmod(0o700)
    assert (result.exit_code, result.stderr) == (1, f"Error: {locked / 'index'}: Permission denied\n")


def test_unexpected_error_is_one_line_and_debug_shows_the_traceback(runner, cli_index, monkeypatch):
    from searcher.search.engine import Engine

    def broken(self, *args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(Engine, "search", broken)
    result = run(runner, "query", "a", "--index-dir", cli_index)
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: unexpected RuntimeError: boom second line (SEARCH_DEBUG=1 shows where)\n",
    )
    debug = run(runner, "query", "a", "--index-dir", cli_index, env={"SEARCH_DEBUG": "1"})
    assert debug.exit_code == 1 and "Traceback" in debug.stderr and 'raise RuntimeError("boom' in debug.stderr


# --- output formats -----------------------------------------------------------------------------------
def test_csv_has_one_row_per_hit(runner, cli_index):
    result = run(runner, "query", "quốc phòng", "--index-dir", cli_index, "--format", "csv", "--limit", "3")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 3 and list(rows[0]) == list(CSV_COLUMNS)
    assert [r["rank"] for r in rows] == ["1", "2", "3"] and {r["query"] for r in rows} == {"quốc phòng"}
    by_id = {r["id"]: r for r in rows}
    expected = query_json(runner, cli_index, "quốc phòng", "--limit", "3")["hits"]
    assert [r["id"] for r in rows] == [hit["id"] for hit in expected]
    for hit in expected:
        row = by_id[hit["id"]]
        assert (row["title"], row["date"], row["path"]) == (hit["title"], hit["date"] or "", hit["path"])
        assert row["places"] == "; ".join(hit["places"]) and float(row["score"]) == hit["score"]


def test_jsonl_has_one_line_per_hit_across_a_batch(runner, cli_index, tmp_path):
    queries = tmp_path / "q.txt"
    queries.write_text("quốc phòng\n\nbac kan\n", encoding="utf-8")
    result = run(
        runner, "query", "--batch", queries, "--index-dir", cli_index, "--format", "jsonl", "--limit", "2"
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    expected = [
        (query, rank, hit["id"])
        for query in ("quốc phòng", "bac kan")
        for rank, hit in enumerate(query_json(runner, cli_index, query, "--limit", "2")["hits"], 1)
    ]
    assert [(line["query"], line["rank"], line["id"]) for line in lines] == expected
    assert len(expected) >= 3 and expected[2] == ("bac kan", 1, BAC_KAN) and "url" in lines[0]


def test_json_is_an_alias_of_format_json(runner, cli_index):
    as_json = run(runner, "query", "Tam Điệp", "--index-dir", cli_index, "--json").stdout
    as_format = run(runner, "query", "Tam Điệp", "--index-dir", cli_index, "--format", "json").stdout
    drop = lambda text: {k: v for k, v in json.loads(text).items() if k != "took_ms"}  # noqa: E731
    assert drop(as_json) == drop(as_format) and drop(as_json)["hits"][0]["id"] == TAM_DIEP


def test_batch_from_standard_input_answers_blank_lines_in_text(runner, cli_index):
    result = run(runner, "query", "--batch", "-", "--index-dir", cli_index, input="Tam Điệp\n\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("result(s) for") == 2 and "0 result(s) for ''" in result.stdout


@pytest.mark.parametrize(
    "args, env, colored",
    [
        ([], {}, True),  # the runner stands in for a terminal (color=True)
        ([], {"NO_COLOR": "1"}, False),
        (["--color", "never"], {}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, True),
        (["--color", "auto"], {"NO_COLOR": ""}, True),  # an empty NO_COLOR is no request
    ],
)
def test_color_follows_no_color_and_the_option(runner, cli_index, args, env, colored):
    result = run(runner, "query", "Tam Điệp", "--index-dir", cli_index, *args, env=env, color=True)
    assert result.exit_code == 0 and ("\x1b[" in result.stdout) is colored
    shown = run(runner, "show", TAM_DIEP, "--index-dir", cli_index, *args, env=env, color=True)
    assert ("\x1b[" in shown.stdout) is colored


def test_color_always_without_a_terminal(runner, cli_index):
    result = run(runner, "query", "Tam Điệp", "--index-dir", cli_index, "--color", "always")
    assert "\x1b[" in result.stdout


@pytest.mark.parametrize("place", ["dien bien", "Dien Bien", "Điện Biên", "tỉnh điện biên"])
def test_place_without_diacritics(runner, cli_index, place):
    data = query_json(runner, cli_index, "quốc phòng", "--place", place)
    assert {hit["id"] for hit in data["hits"]} == {DIEN_BIEN_2022, DIEN_BIEN_2023}
    assert all(hit["places"] == ["Điện Biên"] for hit in data["hits"])


# --- progress and Ctrl-C in a real process ------------------------------------------------------------
def _with_stderr_on_a_terminal(args: list, env: dict, until: str | None = None):
    """Run ``search ARGS`` with stderr on a pseudo-terminal (stdout a pipe); with ``until``, send Ctrl-C to
    its process group once stderr matches that pattern. Returns (exit status, stdout, stderr)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "searcher", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
        start_new_session=True,  # a group of its own, as a terminal's foreground job
    )
    os.close(slave)
    seen = b""
    interrupted = False
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the process closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            elif proc.poll() is not None:
                break
            if until and not interrupted and re.search(until.encode(), seen):
                os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: every process of the group
                interrupted = True
        stdout = proc.stdout.read().decode()
        proc.wait(30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # fail, never hang the test run
        os.close(master)
        proc.stdout.close()
    return proc.returncode, stdout, seen.decode().replace("\r\n", "\n")


def test_progress_on_a_terminal_in_documents_and_phases(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    status, stdout, stderr = _with_stderr_on_a_terminal(
        ["index", SEEDS, "--index-dir", tmp_path / "ix", "--json"], env
    )
    assert status == 0 and json.loads(stdout)["added"] == 5  # --json on stdout, progress beside it
    drawn = [part.removeprefix("\x1b[K") for part in stderr.split("\r") if part]
    assert drawn[0].startswith("scanning folders (")
    assert any(re.fullmatch(r"indexing: \d documents, \d/5 files(, \d+%)?", line) for line in drawn)
    assert any(
        re.fullmatch(r"committing: writing the last segments \(\d s\); 5 documents read", x) for x in drawn
    )
    assert any(line.startswith("finishing: switching to the new index (") for line in drawn)
    assert stderr.endswith("\r\x1b[K")  # the line is cleared for what follows


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "searcher", "index", str(SEEDS), "--index-dir", str(tmp_path / "ix")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0 and done.stderr == ""


@pytest.mark.slow
def test_ctrl_c_while_indexing_stops_in_one_line(tmp_path):
    """Ctrl-C reaches the indexing process and its workers: one line, status 130, no traceback from
    any of them, and the next run starts clean."""
    records = tmp_path / "news.jsonl"
    words = "quốc phòng toàn dân an ninh biên giới hội nghị báo cáo kinh tế nông nghiệp giáo dục".split()
    with records.open("w", encoding="utf-8") as out:
        for n in range(4000):
            text = " ".join(words[(n * 7 + k * 3) % len(words)] for k in range(300))
            out.write(
                json.dumps({"id": f"a{n}", "title": f"Bài {n}", "text": text}, ensure_ascii=False) + "\n"
            )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    index_dir = tmp_path / "ix"
    args = ["index", records, "--index-dir", index_dir, "--jobs", "2"]
    status, stdout, stderr = _with_stderr_on_a_terminal(args, env, until=r"indexing: \d[\d,]{2,} documents")
    assert "Traceback" not in stderr and stdout == ""
    # a first build keeps what its batches committed (none yet, here) and the next run goes on
    assert stderr.rsplit("\r\x1b[K", 1)[-1] == "stopped: 0 documents committed; run again to continue\n"
    assert status == 130
    result = subprocess.run(
        [sys.executable, "-m", "searcher", "info", "--index-dir", str(index_dir), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0 and json.loads(result.stdout)["documents"] == 0


@pytest.mark.slow
def test_a_failing_worker_is_one_line_each(tmp_path):
    """A worker process that fails (a full disk, say) tells why in one line, the command in another,
    neither prints a traceback, and the run ends although the workers are gone."""
    records = tmp_path / "news.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for n in range(1200):  # more job files than the workers' queue holds
            out.write(
                json.dumps({"id": f"a{n}", "text": f"Tin số {n} về quốc phòng"}, ensure_ascii=False) + "\n"
            )
    code = (
        "import errno, sys, searcher.index.workers as w\n"
        "def full(*args): raise OSError(errno.ENOSPC, 'No space left on device', 'segment.pst')\n"
        "w.process_job_file = full\n"
        "from searcher.cli import cli\n"
        f"cli(['index', {str(records)!r}, '--index-dir', {str(tmp_path / 'ix')!r}, '--jobs', '2'], 'search')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    # a full disk in a worker is told once, as the command's own error
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"Error: no space left to write the index at {tmp_path / 'ix'} "), line


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    query=st.text(max_size=20),
    date_from=st.one_of(st.text(max_size=12), st.from_regex(r"\A\d{4}(-\d{2}(-\d{2})?)?\Z")),
    date_to=st.one_of(st.text(max_size=12), st.from_regex(r"\A\d{4}(-\d{2}(-\d{2})?)?\Z")),
    place=st.text(max_size=20),
)
def test_any_option_value_is_answered_or_refused_in_one_line(cli_index, query, date_from, date_to, place):
    from click.testing import CliRunner

    args = [
        query,
        f"--from={date_from}",
        f"--to={date_to}",
        f"--place={place}",
        "--index-dir",
        str(cli_index),
    ]
    result = CliRunner().invoke(cli, ["query", *args, "--color", "never"], prog_name="search")
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 2:
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
