"""Damage to the index's files is seen and told: ``search verify`` fails, ``/healthz`` answers 503,
every command says in one line what is damaged and that ``search index --rebuild`` repairs it (which
it does, whatever the damage); a full disk during an update or a rebuild is told in one line and
leaves nothing behind."""

from __future__ import annotations

import errno
import gc
import json
import random
import shutil
import sqlite3
import warnings
from pathlib import Path

import pytest
from conftest import SEEDS, TAM_DIEP

from searcher.cli import cli
from searcher.index import integrity, store
from searcher.index.indexer import index_paths
from searcher.index.sidetables import STATE_FILE
from searcher.lexicon.lexicon import LEXICON_FILE
from searcher.search.engine import Engine
from web import create_app

HINT = "search index --rebuild"
QUERY = "quốc phòng"

# words shared by every made-up report, so that their posting lists are long enough to be written to
# the posting file (shorter ones are inlined in the term table)
_COMMON = "Báo cáo tình hình kinh tế xã hội quốc phòng an ninh của tỉnh trong quý {n} năm 2023."


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("damage-docs")
    for seed in SEEDS.iterdir():
        shutil.copy(seed, folder / seed.name)
    for n in range(12):
        text = f"Báo cáo số {n}\n\n" + " ".join(_COMMON.format(n=n % 4) for _ in range(3 + n % 5))
        (folder / f"report-{n:02d}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def pristine(sources, tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("damage-pristine") / "ix"
    index_paths([sources], index_dir, jobs=1)
    return index_dir


@pytest.fixture
def index_dir(pristine, tmp_path) -> Path:
    """A copy of the pristine index, to be damaged."""
    copy = tmp_path / "ix"
    shutil.copytree(pristine, copy)
    return copy


def generation(index_dir: Path) -> Path:
    current = store.current_generation(index_dir)
    assert current is not None
    return current


def file_of(index_dir: Path, suffix: str) -> Path:
    (found,) = [p for p in generation(index_dir).iterdir() if p.name.endswith(suffix)]
    return found


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_byte(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    at = rng.randrange(len(data))
    data[at] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


def answers(index_dir: Path) -> list:
    engine = Engine(index_dir)
    try:
        return [(h.id, round(h.score, 6)) for h in engine.search(QUERY, limit=50).hits]
    finally:
        engine.close()


def one_line_error(result) -> str:
    assert result.exit_code != 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert HINT in lines[0], lines[0]
    return lines[0]


def json_error(result) -> dict:
    assert result.exit_code != 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["code"] == "index_damaged" and HINT in data["error"], data
    return data


def test_the_test_index_has_a_posting_file(pristine):
    assert file_of(pristine, ".pst").stat().st_size > 0
    record = integrity.read_record(generation(pristine))
    assert record is not None and any(name.endswith(".pst") for name in record["files"])


# --- 9: checks that see damage ---------------------------------------------------------------------
def test_a_truncated_posting_file_fails_verify_healthz_and_searches(runner, index_dir):
    truncate(file_of(index_dir, ".pst"))
    result = runner.invoke(cli, ["verify", "--index-dir", str(index_dir)])
    assert ".pst" in one_line_error(result)
    report = json_error(runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--json"]))
    assert [(p["kind"], p["where"][-4:]) for p in report["problems"]] == [("damaged", ".pst")]

    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["code"] == "index_damaged"
    answer = client.get("/search.json", query_string={"q": QUERY})
    assert answer.status_code == 503
    assert answer.get_json() == {
        "ok": False,
        "error": "the index is damaged and cannot answer: it must be rebuilt with 'search index --rebuild'",
        "code": "index_damaged",
        "status": 503,
    }
    page = client.get("/", query_string={"q": QUERY})
    assert page.status_code == 503
    assert "Chỉ mục tìm kiếm bị hỏng" in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)

    one_line_error(runner.invoke(cli, ["query", QUERY, "--index-dir", str(index_dir)]))
    json_error(runner.invoke(cli, ["query", QUERY, "--index-dir", str(index_dir), "--json"]))


@pytest.mark.parametrize("suffix", [".pst", ".trm", "._stored.col", "._body_len.col", ".date.col", ".toc"])
def test_a_flipped_byte_in_any_segment_file_fails_verify(runner, index_dir, suffix):
    flip_byte(file_of(index_dir, suffix), random.Random(suffix))
    result = runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--json"])
    report = json_error(result)
    assert [p["where"] for p in report["problems"]] == [file_of(index_dir, suffix).name]
    assert "checksum" in report["problems"][0]["detail"]
    one_line_error(runner.invoke(cli, ["query", QUERY, "--index-dir", str(index_dir)]))


def test_healthz_sees_damage_done_while_serving(index_dir):
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    assert client.get("/healthz").status_code == 200
    flip_byte(file_of(index_dir, ".trm"), random.Random(3))
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["code"] == "index_damaged"


def test_an_index_without_a_record_is_read_whole_and_recorded_on_the_next_commit(runner, index_dir, sources):
    (generation(index_dir) / integrity.RECORD).unlink()
    assert runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--quick"]).exit_code == 0
    truncate(file_of(index_dir, ".trm"))
    one_line_error(runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--quick"]))


def test_an_index_without_a_record_gets_one_at_the_next_commit(index_dir, sources, tmp_path):
    (generation(index_dir) / integrity.RECORD).unlink()
    extra = tmp_path / "more"
    extra.mkdir()
    shutil.copy(SEEDS / TAM_DIEP, extra / "copy.txt")
    index_paths([extra], index_dir, jobs=1)
    checked = integrity.check(generation(index_dir))
    assert checked.damage == [] and checked.unrecorded == []


# --- 10: corrupted files ---------------------------------------------------------------------------
def _truncate_suffix(suffix):
    return lambda index_dir: truncate(file_of(index_dir, suffix))


def _delete_suffix(suffix):
    return lambda index_dir: file_of(index_dir, suffix).unlink()


def _write(name, data: bytes):
    def damage(index_dir):
        target = index_dir / name if name == store.CURRENT else generation(index_dir) / name
        target.write_bytes(data)

    return damage


def _manifest_entry(text: str):
    def damage(index_dir):
        db = sqlite3.connect(generation(index_dir) / STATE_FILE)
        with db:
            db.execute("UPDATE source SET entry = ? WHERE path = (SELECT min(path) FROM source)", (text,))
        db.close()

    return damage


DAMAGE = {
    "truncated term file": (_truncate_suffix(".trm"), ".trm"),
    "deleted term file": (_delete_suffix(".trm"), ".trm: missing"),
    "truncated posting file": (_truncate_suffix(".pst"), ".pst"),
    "truncated stored column": (_truncate_suffix("._stored.col"), "._stored.col"),
    "deleted stored column": (_delete_suffix("._stored.col"), "._stored.col: missing"),
    "truncated table of contents": (_truncate_suffix(".toc"), ".toc"),
    "deleted table of contents": (_delete_suffix(".toc"), "table of contents"),
    "garbled CURRENT": (_write(store.CURRENT, b"gen-0\x00\x01zz\n"), "CURRENT"),
    "CURRENT not UTF-8": (_write(store.CURRENT, b"gen-\xff\xfe000001\n"), "CURRENT: not text"),
    "CURRENT naming nothing": (_write(store.CURRENT, b"gen-000042\n"), "gen-000042, which is missing"),
    "meta of the wrong shape": (_write(store.META, b'{"schema_version": 4, "roots": "/"}'), "meta.json"),
    "meta not JSON": (_write(store.META, b"\x00\x01"), "meta.json: not JSON"),
    "manifest entry of the wrong shape": (_manifest_entry('{"files": [1, 2]}'), "state.sqlite"),
    "side tables not a database": (_write(STATE_FILE, b"\x00\x01 not SQLite " * 200), "state.sqlite"),
    "side tables deleted": (_delete_suffix(STATE_FILE), "state.sqlite: missing"),
    "truncated lexicon": (_truncate_suffix(LEXICON_FILE), "lexicon.sqlite"),
    "lexicon not a database": (_write(LEXICON_FILE, b"\x00\x01 not SQLite " * 200), "lexicon.sqlite"),
    "deleted lexicon": (_delete_suffix(LEXICON_FILE), "lexicon.sqlite: missing"),
}
# The commands that tell each damage to a side table; the others answer as before. The manifest is
# read by the commands that compare the index with its sources (before: an update without it indexed
# every file a second time), the lexicon by searches (before: they went on without it, answering
# differently and saying nothing) and by updates, which count a deleted one again.
TOLD_BY = {
    "manifest entry of the wrong shape": ["verify", "index"],
    "side tables not a database": ["verify", "index"],
    "side tables deleted": ["verify", "index"],
    "truncated lexicon": ["query", "verify", "index"],
    "lexicon not a database": ["query", "verify", "index"],
    "deleted lexicon": ["query", "verify"],
}
COMMANDS = {
    "query": ["query", QUERY],
    "show": ["show", TAM_DIEP],
    "info": ["info"],
    "verify": ["verify"],
    "index": ["index"],
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_each_damaged_file_is_told_in_one_line_by_every_command(runner, index_dir, case):
    damage, named = DAMAGE[case]
    damage(index_dir)
    commands = TOLD_BY.get(case, list(COMMANDS))
    for command in commands:
        args = [*COMMANDS[command], "--index-dir", str(index_dir)]
        line = one_line_error(runner.invoke(cli, args))
        assert named in line and "Traceback" not in line, (command, line)
        assert line.startswith(f"Error: the index at {index_dir} is damaged ("), line
        json_error(runner.invoke(cli, [*args, "--json"]))
    if "query" in commands:
        line = one_line_error(runner.invoke(cli, ["serve", "--index-dir", str(index_dir), "--port", "0"]))
        assert named in line
        health = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client().get("/healthz")
        assert health.status_code == 503 and health.get_json()["code"] == "index_damaged"


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_rebuild_repairs_each_damage(runner, index_dir, pristine, case):
    expected = answers(pristine)
    DAMAGE[case][0](index_dir)
    result = runner.invoke(cli, ["index", "--rebuild", "--index-dir", str(index_dir), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["verify", "--index-dir", str(index_dir)]).exit_code == 0
    assert answers(index_dir) == expected
    assert len(list(index_dir.glob("gen-*"))) <= 2  # the damaged generation goes at the next switch


def test_a_damaged_copy_groups_file_is_worked_out_again_told_and_written_again(runner, index_dir, pristine):
    expected = answers(pristine)
    truncate(file_of(index_dir, ".npz"))  # (before: every search failed with BadZipFile)
    assert answers(index_dir) == expected
    report = json.loads(runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--json"]).stdout)
    name = file_of(index_dir, ".npz").name
    assert [(p["kind"], p["where"]) for p in report["problems"]] == [("tables", name)]
    assert runner.invoke(cli, ["index", "--index-dir", str(index_dir)]).exit_code == 0
    assert runner.invoke(cli, ["verify", "--index-dir", str(index_dir)]).exit_code == 0
    assert answers(index_dir) == expected


# --- 11: a full disk --------------------------------------------------------------------------------
class _FullDisk:
    """Every file Whoosh creates writes into one budget of bytes; past it, ENOSPC."""

    def __init__(self, budget: int):
        self.left = budget

    def open(self, path, mode="r", *args, **kwargs):
        fh = open(path, mode, *args, **kwargs)  # noqa: SIM115 (closed by the writer)
        return _FillingFile(fh, self) if "w" in mode or "a" in mode else fh


class _FillingFile:
    def __init__(self, fh, disk: _FullDisk):
        self._fh, self._disk = fh, disk

    def write(self, data):
        if len(data) > self._disk.left:
            self._disk.left = 0
            self._fh.close()  # (Whoosh leaves a file open when a write fails: closed for it)
            raise OSError(errno.ENOSPC, "No space left on device")
        self._disk.left -= len(data)
        return self._fh.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._fh.close()

    def __getattr__(self, name):
        return getattr(self._fh, name)


def _fill_disk(monkeypatch, budget: int) -> _FullDisk:
    from whoosh.filedb import filestore

    disk = _FullDisk(budget)
    monkeypatch.setattr(filestore, "open", disk.open, raising=False)
    return disk


def _listing(index_dir: Path) -> dict[str, list[str]]:
    return {p.name: sorted(f.name for f in p.iterdir()) for p in index_dir.iterdir() if p.is_dir()}


@pytest.mark.parametrize("rebuild", [False, True], ids=["update", "rebuild"])
# (the last budget runs out at the run's last write: the table of contents)
@pytest.mark.parametrize("budget", [0, 2_000, 12_000, "all but the last byte"])
def test_a_full_disk_is_told_in_one_line_and_leaves_nothing_behind(
    runner, index_dir, pristine, tmp_path, monkeypatch, rebuild, budget
):
    expected, before = answers(pristine), _listing(index_dir)
    current = (index_dir / store.CURRENT).read_bytes()
    more = tmp_path / "more"
    more.mkdir()
    for n in range(12):
        text = " ".join(_COMMON.format(n=n) for _ in range(40))
        (more / f"added-{n}.txt").write_text(f"Báo cáo bổ sung {n}\n\n{text}\n", encoding="utf-8")
    args = ["index", str(more), "--index-dir", str(index_dir), "--jobs", "1"]
    args += ["--rebuild"] if rebuild else []
    if not isinstance(budget, int):  # what the same run writes on a copy, less one byte
        copy = tmp_path / "measured"
        shutil.copytree(index_dir, copy)
        disk = _fill_disk(monkeypatch, 1 << 40)
        assert runner.invoke(cli, [*args[:2], "--index-dir", str(copy), *args[4:]]).exit_code == 0
        budget = (1 << 40) - disk.left - 1
        monkeypatch.undo()
    _fill_disk(monkeypatch, budget)
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: no space left to write the index at {index_dir}")
    assert len(result.output.strip().splitlines()) == 1, result.output
    data = json.loads(runner.invoke(cli, [*args, "--json"]).stdout)
    assert data["ok"] is False and data["code"] == "disk_full"
    monkeypatch.undo()
    del result  # (its traceback holds the failed writer, and the files Whoosh left open with it)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    assert _listing(index_dir) == before  # no half-built generation, no orphan segment
    assert (index_dir / store.CURRENT).read_bytes() == current
    assert answers(index_dir) == expected
    assert runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--quick"]).exit_code == 0


def test_a_commit_cut_short_before_its_record_is_not_damage(index_dir, tmp_path, monkeypatch):
    """A kill between the commit and the record leaves a record of the commit before: its merged-away
    files are not missed, the new ones are read whole, and the next commit records them."""
    extra = tmp_path / "more"
    extra.mkdir()
    shutil.copy(SEEDS / TAM_DIEP, extra / "copy.txt")
    monkeypatch.setattr(integrity, "record", lambda generation: None)
    index_paths([extra], index_dir, jobs=1)
    monkeypatch.undo()
    checked = integrity.check(generation(index_dir))
    assert checked.damage == [] and checked.unrecorded
    assert Engine(index_dir).info()["documents"] == 18
    (extra / "copy.txt").write_text("Báo cáo khác\n\nNội dung khác hẳn.\n", encoding="utf-8")
    index_paths([extra], index_dir, jobs=1)
    assert integrity.check(generation(index_dir)) == integrity.CheckResult([], [])


def test_a_record_that_does_not_match_the_index_is_damage(runner, index_dir):
    record_file = generation(index_dir) / integrity.RECORD
    record = json.loads(record_file.read_text(encoding="utf-8"))
    name = next(n for n in record["files"] if n.endswith(".pst"))
    renamed = name.replace(".pst", ".psx")
    record["files"][renamed] = record["files"].pop(name)
    record_file.write_text(json.dumps(record), encoding="utf-8")
    report = json_error(runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--json"]))
    assert {(p["where"], p["detail"]) for p in report["problems"]} == {
        (name, "not in the record of checksums"),
        (renamed, "missing"),
    }


@pytest.mark.parametrize("budget", [20_000, 300_000], ids=["parent", "worker"])
def test_a_full_disk_in_a_worker_process_is_told_once_and_nothing_waits(
    runner, index_dir, tmp_path, monkeypatch, budget
):
    """With worker processes (forked, so they fill the same pretended disk), the one that meets the
    full disk ends quietly and the run says it once; none is left waiting for jobs."""
    many = tmp_path / "many"
    many.mkdir()
    for n in range(240):  # enough for workers (searcher.index.indexer.PARALLEL_MIN_DOCS)
        text = f"Báo cáo số {n}\n\n" + _COMMON.format(n=n) * (5 + n % 7) + f" Mã hồ sơ {n * 7919}.\n"
        (many / f"r{n:03d}.txt").write_text(text, encoding="utf-8")
    before = _listing(index_dir)
    _fill_disk(monkeypatch, budget)
    result = runner.invoke(
        cli, ["index", str(many), "--rebuild", "--index-dir", str(index_dir), "--jobs", "2"]
    )
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: no space left to write the index at {index_dir}")
    assert len(result.output.strip().splitlines()) == 1, result.output
    monkeypatch.undo()
    del result
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    assert _listing(index_dir) == before


def test_opening_an_index_reads_no_file_its_record_vouches_for(index_dir, monkeypatch):
    """Files of the size and time recorded at commit are not read when a searcher opens the index
    (reading them was seconds per query process at archive scale); an altered file changes its time
    and is read: the damage tests above. `search verify` reads every file."""
    read: list[str] = []
    real = integrity.checksum

    def counted(path):
        read.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(integrity, "checksum", counted)
    assert Engine(index_dir).search(QUERY).total
    assert read == []
    from click.testing import CliRunner

    assert CliRunner().invoke(cli, ["verify", "--index-dir", str(index_dir)]).exit_code == 0
    assert read  # verify read them
