"""The `search` command, black-box through click's runner and one real subprocess."""

import json
import os
import subprocess
import sys

import pytest
from conftest import BAC_KAN, LAI_CHAU, SEEDS, TAM_DIEP

from searcher.cli import cli


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
    assert [a["query"] for a in answers] == ["Lai Châu", "bac kan", "Tam Điệp"]
    assert [a["hits"][0]["id"] for a in answers] == [LAI_CHAU, BAC_KAN, TAM_DIEP]


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
