"""The side tables change with the documents that change, agree with a fresh build, and are committed
with the Whoosh commit they describe (searcher.index.sidetables)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher import index_paths
from searcher.cli import cli
from searcher.index import store
from searcher.index.sidetables import FORMAT as STATE_FORMAT
from searcher.index.sidetables import SideTables, read_manifest, read_state, registered_groups
from searcher.lexicon.lexicon import LEXICON_FILE, counted

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _lexicon(generation: Path) -> tuple:
    db = sqlite3.connect(generation / LEXICON_FILE)
    try:
        counts = [row[:4] for row in counted(db)]
        suggest = sorted(db.execute("SELECT key, form, count FROM suggest"))
        tokens = db.execute("SELECT value FROM meta WHERE name = 'tokens'").fetchone()
    finally:
        db.close()
    return counts, suggest, tokens


def _written(generation: Path) -> tuple:
    """The n-grams with their capitalisations and the suggestions with their displays."""
    db = sqlite3.connect(generation / LEXICON_FILE)
    try:
        return counted(db), sorted(
            db.execute("SELECT key, form, coalesce(display, form), count FROM suggest")
        )
    finally:
        db.close()


def _copies(generation: Path) -> set[frozenset[str]]:
    """The copy groups as sets of document ids (group keys depend on which copy came first)."""
    groups: dict[str, set[str]] = {}
    for doc_id, group in registered_groups(generation).items():
        groups.setdefault(group, set()).add(doc_id)
    return {frozenset(ids) for ids in groups.values()}


def _tables(index_dir: Path) -> tuple:
    generation = store.current_generation(index_dir)
    assert generation is not None
    manifest = {
        Path(path).name: {k: v for k, v in entry.items() if k not in ("root", "mtime_ns")}
        for path, entry in read_manifest(generation).items()
    }
    return _lexicon(generation), _copies(generation), manifest


@pytest.fixture
def folder(tmp_path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    return docs


def test_side_tables_after_adds_changes_and_removals_equal_a_fresh_build(folder, tmp_path):
    seeds = sorted(SEEDS.glob("*.txt"))
    index_dir = tmp_path / "ix"
    # one file at a time, as new reports arrive
    for seed in seeds[:3]:
        shutil.copy(seed, folder / seed.name)
        index_paths([folder], index_dir)
    # a near copy of a report (another portal's headline furniture) and an exact copy
    text = seeds[1].read_text(encoding="utf-8")
    (folder / "copy-near.txt").write_text("Nguồn: báo tỉnh\n" + text + "\nBản in.\n", encoding="utf-8")
    (folder / "copy-exact.txt").write_text(text, encoding="utf-8")
    index_paths([folder], index_dir)
    # a report changed, one removed, the rest added
    (folder / seeds[0].name).write_text(
        seeds[0].read_text(encoding="utf-8") + "\nĐính chính: hội nghị diễn ra tại Mường Thanh.\n",
        encoding="utf-8",
    )
    (folder / seeds[2].name).unlink()
    for seed in seeds[3:]:
        shutil.copy(seed, folder / seed.name)
    index_paths([folder], index_dir)
    (folder / "copy-exact.txt").unlink()
    index_paths([folder], index_dir)

    index_paths([folder], tmp_path / "fresh")
    updated, fresh = _tables(index_dir), _tables(tmp_path / "fresh")
    assert updated[0][0] == fresh[0][0]  # every n-gram count
    assert updated[0][1:] == fresh[0][1:]  # the suggestions and the syllable total
    assert updated[1] == fresh[1]  # the copies grouped together
    assert {frozenset({"copy-near.txt", seeds[1].name})} <= fresh[1]
    assert updated[2] == fresh[2]  # the manifest


def test_an_update_writes_no_n_gram_seen_once_more_than_a_build_does(folder, tmp_path):
    """Three-to-four-syllable phrases are counted the same whether documents came in one run or in
    several (an update used to keep every phrase seen once, a build only those seen twice)."""
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds[:4]:
        shutil.copy(seed, folder / seed.name)
    index_paths([folder], tmp_path / "ix")
    shutil.copy(seeds[4], folder / seeds[4].name)
    index_paths([folder], tmp_path / "ix")
    index_paths([folder], tmp_path / "fresh")
    assert _tables(tmp_path / "ix")[0] == _tables(tmp_path / "fresh")[0]


def test_a_replaced_document_writes_only_the_counts_that_move(folder, tmp_path, monkeypatch):
    """A new version of a report shares nearly every n-gram with the old one: those counts are not
    written down and up again, only what moved, and the tables are still those of a fresh build."""
    from searcher.lexicon.lexicon import LexiconBuilder

    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds:
        shutil.copy(seed, folder / seed.name)
    index_paths([folder], tmp_path / "ix")
    changed = folder / seeds[0].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\nBài viết được cập nhật.\n", encoding="utf-8")
    written: list[int] = []
    write_rows = LexiconBuilder._write_rows

    def counting(self, n, rows, sign, syllables):
        written.append(len(rows))
        return write_rows(self, n, rows, sign, syllables)

    monkeypatch.setattr(LexiconBuilder, "_write_rows", counting)
    summary = index_paths([folder], tmp_path / "ix")
    assert summary.updated == 1
    assert 0 < sum(written) < 40  # the new sentence's n-grams, its neighbours' and the tokens' break
    monkeypatch.undo()
    index_paths([folder], tmp_path / "fresh")
    assert _tables(tmp_path / "ix") == _tables(tmp_path / "fresh")


def _three_indexed_two_more(folder: Path, tmp_path: Path) -> tuple[list[Path], Path]:
    """Three seeds indexed, then the other two copied in: (the seeds, the index folder)."""
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds[:3]:
        shutil.copy(seed, folder / seed.name)
    index_dir = tmp_path / "ix"
    index_paths([folder], index_dir)
    for seed in seeds[3:]:
        shutil.copy(seed, folder / seed.name)
    return seeds, index_dir


def test_a_run_killed_between_the_index_and_side_table_commits_is_undone_and_redone(folder, tmp_path):
    import subprocess
    import sys

    seeds, index_dir = _three_indexed_two_more(folder, tmp_path)
    (folder / seeds[0].name).unlink()
    # killed (no clean-up of any kind) after Whoosh's commit, before the side tables' commit
    code = (
        "import os, sys\n"
        "from searcher.index import sidetables\n"
        "from searcher import index_paths\n"
        "sidetables.SideTables.commit = lambda self, generation, **kw: os._exit(9)\n"
        "index_paths([sys.argv[1]], sys.argv[2])\n"
    )
    killed = subprocess.run([sys.executable, "-c", code, str(folder), str(index_dir)], timeout=120)
    assert killed.returncode == 9

    runner = CliRunner()
    out = runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--quick", "--json"])
    assert out.exit_code == 1 and '"tables"' in out.output  # the index is a version ahead of its tables

    summary = index_paths([folder], index_dir)
    assert (summary.recovered, summary.added, summary.removed, summary.unchanged) == (2, 0, 1, 2)
    out = runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--quick"])
    assert out.exit_code == 0, out.output
    index_paths([folder], tmp_path / "fresh")
    assert _tables(index_dir) == _tables(tmp_path / "fresh")


def test_a_run_failing_as_it_commits_its_side_tables_undoes_its_index_commit(folder, tmp_path, monkeypatch):
    """A full disk (or any error) as the side tables are committed: the run undoes Whoosh's commit
    before it ends, so the index is as it was and consistent."""
    import errno

    seeds, index_dir = _three_indexed_two_more(folder, tmp_path)

    def full(self, whoosh_generation, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(SideTables, "commit", full)
        with pytest.raises(OSError):
            index_paths([folder], index_dir)
    out = CliRunner().invoke(cli, ["verify", "--index-dir", str(index_dir), "--json"])
    report = json.loads(out.stdout)
    assert report["documents"] == 3 and {p["kind"] for p in report["problems"]} == {"not-indexed"}
    assert index_paths([folder], index_dir).added == 2


def _stop_after(monkeypatch, documents: int) -> None:
    """Make the run stop (as Ctrl-C does) when it is about to index document number ``documents``."""
    from searcher.index import indexer

    seen = {"n": 0}
    add = indexer._Run._add

    def add_then_stop(self, doc, unchanged, **kwargs):
        seen["n"] += 1
        if seen["n"] == documents:
            raise KeyboardInterrupt
        add(self, doc, unchanged, **kwargs)

    monkeypatch.setattr(indexer._Run, "_add", add_then_stop)


def test_ctrl_c_during_a_first_build_keeps_the_committed_batches(folder, tmp_path, monkeypatch):
    from searcher.index import indexer

    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    index_dir = tmp_path / "ix"
    with monkeypatch.context() as patch:
        patch.setattr(indexer, "BATCH_DOCUMENTS", 2)
        _stop_after(patch, 4)  # two in the first batch, the third in the unfinished one
        out = CliRunner().invoke(cli, ["index", str(folder), "--index-dir", str(index_dir), "--jobs", "1"])
    assert out.exit_code == 130
    assert out.stderr.strip().splitlines()[-1] == "stopped: 2 documents committed; run again to continue"
    generation = store.current_generation(index_dir)
    assert generation is not None and len(read_manifest(generation)) == 2
    out = CliRunner().invoke(cli, ["verify", "--index-dir", str(index_dir), "--quick", "--json"])
    report = json.loads(out.stdout)
    # consistent: the files the run did not reach are reported, as new, and the lexicon, counted to
    # its end only, as lagging
    kinds = sorted(p["kind"] for p in report["problems"])
    assert kinds == ["not-indexed"] * 3 + ["tables"]
    lagging = next(p for p in report["problems"] if p["kind"] == "tables")
    assert "the lexicon does not count every document" in lagging["detail"]

    summary = index_paths([folder], index_dir)  # goes on from there
    assert (summary.added, summary.unchanged, summary.documents) == (3, 2, 5)
    out = CliRunner().invoke(cli, ["verify", "--index-dir", str(index_dir), "--quick"])
    assert out.exit_code == 0, out.output
    index_paths([folder], tmp_path / "fresh")
    assert _tables(index_dir) == _tables(tmp_path / "fresh")


def test_a_stopped_run_through_a_large_json_lines_file_goes_on_where_it_stopped(tmp_path, monkeypatch):
    from searcher.index import indexer

    folder = tmp_path / "feed"
    folder.mkdir()
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    records = [
        {"id": f"r{i}", "title": f"Bản tin {i}", "text": texts[i % len(texts)] + f"\nSố {i}."}
        for i in range(7)
    ]
    (folder / "feed.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    index_dir = tmp_path / "ix"
    with monkeypatch.context() as patch:
        patch.setattr(indexer, "BATCH_DOCUMENTS", 3)
        _stop_after(patch, 5)
        with pytest.raises(indexer.IndexingStopped) as stopped:
            index_paths([folder], index_dir, jobs=1)
    assert stopped.value.committed == 3
    from searcher import Engine

    assert Engine(index_dir).info()["documents"] == 3  # searchable already

    summary = index_paths([folder], index_dir)
    assert (summary.added, summary.unchanged, summary.documents) == (4, 3, 7)
    index_paths([folder], tmp_path / "fresh")
    assert _tables(index_dir) == _tables(tmp_path / "fresh")


def test_ctrl_c_during_a_rebuild_leaves_the_live_index_as_it_was(folder, tmp_path, monkeypatch):
    from searcher.index import indexer

    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    index_dir = tmp_path / "ix"
    index_paths([folder], index_dir)
    before = store.current_generation(index_dir)
    with monkeypatch.context() as patch:
        patch.setattr(indexer, "BATCH_DOCUMENTS", 2)
        _stop_after(patch, 4)
        with pytest.raises(KeyboardInterrupt) as stopped:
            index_paths([folder], index_dir, rebuild=True, jobs=1)
    assert not isinstance(stopped.value, indexer.IndexingStopped)  # all or nothing
    assert store.current_generation(index_dir) == before
    assert index_paths([folder], index_dir).unchanged == 5


@pytest.mark.slow
def test_batches_of_a_build_on_several_cores_add_up_to_one_build(folder, tmp_path, monkeypatch):
    """With worker processes and the lexicon counted in its own process, each batch ends its
    processes; a stopped build resumed gives the tables one build gives."""
    from searcher.index import indexer

    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    index_dir = tmp_path / "ix"
    with monkeypatch.context() as patch:
        patch.setattr(indexer, "BATCH_DOCUMENTS", 2)
        patch.setattr(indexer, "PARALLEL_MIN_DOCS", 1)
        _stop_after(patch, 5)
        with pytest.raises(indexer.IndexingStopped) as stopped:
            index_paths([folder], index_dir, jobs=2)
    assert stopped.value.committed == 4
    summary = index_paths([folder], index_dir, jobs=2)
    assert (summary.added, summary.unchanged, summary.documents) == (1, 4, 5)
    index_paths([folder], tmp_path / "fresh", jobs=1)
    assert _tables(index_dir) == _tables(tmp_path / "fresh")
    out = CliRunner().invoke(cli, ["verify", "--index-dir", str(index_dir)])
    assert out.exit_code == 0, out.output


@pytest.mark.slow
def test_a_build_on_several_cores_writes_its_long_phrases_apart_into_the_tables_of_one_process(
    folder, tmp_path, monkeypatch
):
    """The lexicon process of a build on several cores writes its 3- and 4-grams in processes forked
    from it (at archive scale; here for every build): the side tables are those of a build in one
    process, and no file of theirs is left."""
    from searcher.index import indexer
    from searcher.lexicon import lexicon

    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    index_paths([folder], tmp_path / "alone", jobs=1)
    with monkeypatch.context() as patch:
        patch.setattr(indexer, "PARALLEL_MIN_DOCS", 1)
        patch.setattr(lexicon, "FORKED_WRITE_ROWS", 1)
        summary = index_paths([folder], tmp_path / "apart", jobs=2)
    assert summary.added == 5
    assert _tables(tmp_path / "apart") == _tables(tmp_path / "alone")
    generation = store.current_generation(tmp_path / "apart")
    assert generation is not None and not list(generation.glob("lexicon-*grams*"))


def test_autocomplete_follows_the_changed_counts_and_is_chosen_again_once_they_moved_enough(
    folder, tmp_path, monkeypatch
):
    """Choosing the autocomplete phrases reads every count: at archive scale an update judges again only
    the phrases whose counts it changed (with the word-edge statistics of the last full choice), and
    chooses from every count once the syllables added or removed since then reach a share."""
    from searcher.lexicon import lexicon
    from searcher.lexicon.suggest import suggest

    monkeypatch.setattr(lexicon, "ALWAYS_REFRESH_TOKENS", 0)
    monkeypatch.setattr(lexicon, "SUGGEST_REFRESH_SHARE", 0.5)
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds[:3]:
        shutil.copy(seed, folder / seed.name)
    index_dir = tmp_path / "ix"
    index_paths([folder], index_dir)

    def state() -> tuple:
        generation = store.current_generation(index_dir)
        db = sqlite3.connect(generation / LEXICON_FILE)
        try:
            moved = int(db.execute("SELECT value FROM meta WHERE name = 'moved_since_suggest'").fetchone()[0])
            offered = sorted(db.execute("SELECT form, count FROM suggest"))
            counts = {form: count for _, form, _, count, _ in lexicon.counted(db)}
            top = {
                prefix: json.loads(rows)
                for prefix, rows in db.execute("SELECT prefix, rows FROM suggest_top")
            }
        finally:
            db.close()
        # the answers kept for short prefixes are the most frequent offered phrases that start so
        for length in (1, 2):
            starting: dict[str, list] = {}
            for form, count in offered:
                key = lexicon.phrase_key(form)
                if len(key) >= length:
                    starting.setdefault(key[:length], []).append(count)
            assert {p for p in top if len(p) == length} == set(starting)
            for prefix, counts_of in starting.items():
                assert sorted(row[3] for row in top[prefix]) == sorted(counts_of)[-lexicon.SUGGEST_TOP_ROWS :]
        # a phrase of the counted lengths is offered with its count as it is now
        assert all(counts[form] == count for form, count in offered if form.count(" ") < 4)
        return moved, offered

    def offered(prefix: str) -> list[str]:
        found = lexicon.Lexicon.open(store.current_generation(index_dir))
        try:
            return suggest(found, prefix)
        finally:
            assert found is not None
            found.close()

    def chosen_from_every_count() -> list:
        copy = tmp_path / "copy.sqlite"
        shutil.copy(store.current_generation(index_dir) / LEXICON_FILE, copy)
        db = sqlite3.connect(copy)
        try:
            with db:
                lexicon._build_suggest(db)
            return sorted(db.execute("SELECT form, count FROM suggest"))
        finally:
            db.close()

    moved, built = state()
    assert moved == 0 and built
    assert not [s for s in offered("trang d") if "Tràng Duệ" in s]
    # a small share of the syllables, with a phrase never seen before
    (folder / "new.txt").write_text(
        "Khu công nghiệp Tràng Duệ\n\n" + "Khu công nghiệp Tràng Duệ mở rộng thêm.\n" * 4, encoding="utf-8"
    )
    index_paths([folder], index_dir)
    moved, updated = state()
    assert 0 < moved and updated != built
    assert [s for s in offered("trang d") if "Tràng Duệ" in s]
    (folder / "new.txt").unlink()  # counts that go down
    index_paths([folder], index_dir)
    moved_after, _ = state()
    assert moved < moved_after
    assert not [s for s in offered("trang d") if "Tràng Duệ" in s]
    for seed in seeds[3:]:
        shutil.copy(seed, folder / seed.name)
    (folder / "more.txt").write_text(
        (folder / seeds[0].name).read_text(encoding="utf-8") * 3, encoding="utf-8"
    )
    index_paths([folder], index_dir)
    moved, refreshed = state()
    assert moved == 0 and refreshed == chosen_from_every_count()


def test_an_update_judges_only_the_phrases_that_can_stay_offered(folder, tmp_path, monkeypatch):
    """An update that lifts many phrases to the least offered count judges them most frequent first
    and stops where the rest would be cut again at once: the tables are those of judging them all."""
    from searcher.lexicon import lexicon

    monkeypatch.setattr(lexicon, "ALWAYS_REFRESH_TOKENS", 0)
    monkeypatch.setattr(lexicon, "SUGGEST_REFRESH_SHARE", 100.0)  # never chosen again from every count
    monkeypatch.setattr(lexicon, "SUGGEST_ROWS", 60)
    monkeypatch.setattr(lexicon, "JUDGED_AT_ONCE", 5)
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds[:3]:
        shutil.copy(seed, folder / seed.name)
    built = tmp_path / "ix"
    index_paths([folder], built)
    for seed in seeds[3:]:  # seen once each, then copied: many phrases reach the floor at once
        text = seed.read_text(encoding="utf-8")
        for copy in range(3):
            (folder / f"{copy}-{seed.name}").write_text(text + f"\nBản sao {copy}.\n", encoding="utf-8")

    judged: list[str] = []
    offered = lexicon._offered

    def counting(db, syllables, key, form, *args):
        judged.append(form)
        return offered(db, syllables, key, form, *args)

    monkeypatch.setattr(lexicon, "_offered", counting)

    def updated(name: str) -> tuple:
        index_dir = tmp_path / name
        shutil.copytree(built, index_dir)
        judged.clear()
        index_paths([folder], index_dir)
        db = sqlite3.connect(store.current_generation(index_dir) / LEXICON_FILE)
        try:
            assert db.execute("SELECT count(*) FROM suggest").fetchone()[0] == 60
            return (
                sorted(db.execute("SELECT key, form, display, count FROM suggest")),
                sorted(db.execute("SELECT prefix, rows FROM suggest_top")),
                len(judged),
            )
        finally:
            db.close()

    *tables, judged_few = updated("skipping")
    monkeypatch.setattr(lexicon._Standing, "least_kept", lambda self: 0)
    *every, judged_all = updated("judging-all")
    assert tables == every
    assert judged_few < judged_all / 2


def test_an_update_on_several_cores_writes_its_lexicon_while_the_workers_finish(
    folder, tmp_path, monkeypatch
):
    """The lexicon of an update through worker processes is written before Whoosh's commit (while
    the workers write their segments) and the tables still equal a fresh build's."""
    from searcher.index import indexer
    from searcher.index.workers import ParallelWriter

    seeds, index_dir = _three_indexed_two_more(folder, tmp_path)
    (folder / seeds[0].name).write_text(  # one report changed, two new
        seeds[0].read_text(encoding="utf-8") + "\nĐính chính: hội nghị diễn ra tại Mường Thanh.\n",
        encoding="utf-8",
    )
    order: list[str] = []
    save_lexicon, commit_toc = indexer._Run._save_lexicon, ParallelWriter._commit_toc

    def saving(self, final):
        order.append("lexicon")
        save_lexicon(self, final)

    def committing(self, segments):
        order.append("index")
        commit_toc(self, segments)

    with monkeypatch.context() as patch:
        patch.setattr(indexer, "PARALLEL_MIN_DOCS", 1)
        patch.setattr(indexer._Run, "_save_lexicon", saving)
        patch.setattr(ParallelWriter, "_commit_toc", committing)
        summary = index_paths([folder], index_dir, jobs=2)
    assert (summary.added, summary.updated) == (2, 1) and order == ["lexicon", "index"]
    tables = SideTables(store.current_generation(index_dir))
    try:
        assert not tables.lexicon_behind()  # recorded as counting every document: not counted again
    finally:
        tables.close()
    index_paths([folder], tmp_path / "fresh", jobs=1)
    assert _tables(index_dir) == _tables(tmp_path / "fresh")


def test_a_worker_failing_after_the_lexicon_was_written_leaves_the_side_tables_as_they_were(
    folder, tmp_path, monkeypatch
):
    from searcher.index import indexer, workers

    seeds, index_dir = _three_indexed_two_more(folder, tmp_path)
    before = _tables(index_dir)

    def fail(writer):
        raise RuntimeError("a worker's segment could not be written")

    with monkeypatch.context() as patch:
        patch.setattr(indexer, "PARALLEL_MIN_DOCS", 1)
        patch.setattr(workers, "finalize_segment", fail)  # (the workers are forked: they see it)
        with pytest.raises(Exception, match="indexing workers failed"):
            index_paths([folder], index_dir, jobs=2)
    assert _tables(index_dir) == before
    out = CliRunner().invoke(cli, ["verify", "--index-dir", str(index_dir), "--json"])
    report = json.loads(out.stdout)
    assert report["documents"] == 3 and {p["kind"] for p in report["problems"]} == {"not-indexed"}
    assert index_paths([folder], index_dir).added == 2


# The side tables' first format, as its code created them.
_FIRST_LEXICON_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ngram(key TEXT NOT NULL, form TEXT NOT NULL, n INTEGER NOT NULL,
    count INTEGER NOT NULL, cased TEXT NOT NULL, cased_count INTEGER NOT NULL,
    PRIMARY KEY (key, form)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS suggest(key TEXT NOT NULL, form TEXT NOT NULL, display TEXT NOT NULL,
    count INTEGER NOT NULL, PRIMARY KEY (key, form)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS suggest_top(prefix TEXT PRIMARY KEY, rows TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ngram_rare ON ngram(n) WHERE n > 2 AND count < 2;
CREATE TABLE IF NOT EXISTS suggest_cut(side INTEGER NOT NULL, form TEXT NOT NULL,
    PRIMARY KEY (side, form)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS suggest_joined(text TEXT PRIMARY KEY, joined INTEGER NOT NULL) WITHOUT ROWID;
"""
_FIRST_STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS state.state(name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state.source(path BLOB PRIMARY KEY, entry TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state.fingerprint(doc_id TEXT PRIMARY KEY, exact TEXT NOT NULL, sig BLOB,
    grp TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS state.fingerprint_exact ON fingerprint(exact);
CREATE INDEX IF NOT EXISTS state.fingerprint_group ON fingerprint(grp);
CREATE TABLE IF NOT EXISTS state.band(key INTEGER NOT NULL, doc_id TEXT NOT NULL,
    PRIMARY KEY(key, doc_id)) WITHOUT ROWID;
"""


def _as_first_format(generation: Path) -> None:
    """Write a generation's side tables again in their first format, in new files under that format's
    schema: forms, capitalisations and displays written out in the lexicon; the registry by document
    id, its hashes in hex, every group named."""
    from searcher.lexicon.vocabulary import Vocabulary

    lexicon_path, state_path = generation / LEXICON_FILE, generation / "state.sqlite"
    old = sqlite3.connect(lexicon_path)
    cased_counts = {
        (key, form): cased_count
        for key, form, cased_count in Vocabulary(old).written_out(
            old.execute("SELECT key, form, cased_count FROM ngram")
        )
    }
    ngrams = [(*row, cased_counts[row[:2]]) for row in counted(old)]
    suggest = old.execute("SELECT key, form, coalesce(display, form), count FROM suggest").fetchall()
    kept = {
        table: old.execute(f"SELECT * FROM {table}").fetchall()
        for table in ("meta", "suggest_top", "suggest_cut", "suggest_joined")
    }
    old.close()
    lexicon_path.unlink()
    db = sqlite3.connect(lexicon_path)
    db.executescript(_FIRST_LEXICON_SCHEMA)
    db.executemany("INSERT INTO ngram VALUES (?, ?, ?, ?, ?, ?)", ngrams)
    db.executemany("INSERT INTO suggest VALUES (?, ?, ?, ?)", suggest)
    for table, rows in kept.items():
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    db.execute("UPDATE meta SET value = '1' WHERE name = 'format'")
    db.commit()
    db.close()

    old_state = sqlite3.connect(state_path)
    state_rows = {
        table: old_state.execute(sql).fetchall()
        for table, sql in [
            ("state", "SELECT name, value FROM state"),
            ("source", "SELECT path, entry FROM source"),
            ("fingerprint", "SELECT doc_id, exact, sig, grp FROM fingerprint"),
            ("band", "SELECT b.key, f.doc_id FROM band b JOIN fingerprint f ON f.num = b.num"),
        ]
    }
    old_state.close()
    state_path.unlink()
    db = sqlite3.connect(":memory:")
    db.execute("ATTACH DATABASE ? AS state", (str(state_path),))
    db.executescript(_FIRST_STATE_SCHEMA)
    db.executemany("INSERT INTO state.state VALUES (?, ?)", state_rows["state"])
    db.executemany("INSERT INTO state.source VALUES (?, ?)", state_rows["source"])
    db.executemany(
        "INSERT INTO state.fingerprint VALUES (?, ?, ?, ?)",
        [
            (doc_id, exact.hex(), sig, group if group is not None else "g" + exact.hex())
            for doc_id, exact, sig, group in state_rows["fingerprint"]
        ],
    )
    db.executemany("INSERT INTO state.band VALUES (?, ?)", state_rows["band"])
    db.execute("UPDATE state.state SET value = '1' WHERE name = 'format'")
    db.commit()
    db.close()


def _answers(index_dir: Path) -> tuple:
    """What the engine answers from the side tables: hits (with their copies), readings with marks,
    corrections and suggestions."""
    from searcher.search.engine import Engine

    engine = Engine(index_dir)
    try:
        searches = []
        for query in [
            "quoc phong",
            "hoi nghi",
            "Điện Biên",
            "dien bien",
            "quoc phonng",
            "Hoi ngi",
        ]:
            result = engine.search(query)
            hits = [
                (hit.id, round(hit.score, 6), [copy["id"] for copy in hit.duplicates]) for hit in result.hits
            ]
            searches.append(
                (query, result.total, hits, result.interpreted_as, (result.query, result.did_you_mean))
            )
        suggestions = [engine.suggest(prefix) for prefix in ["quoc ph", "dien b", "h", "tr"]]
    finally:
        engine.close()
    return searches, suggestions


def test_side_tables_of_the_first_format_are_converted_by_the_next_run(folder, tmp_path):
    """An index whose side tables are in their first format is searched without them (verify says
    so, in one line), and the next run converts them: the same counts, suggestions, copy groups and
    answers as a fresh build of the same documents."""
    from searcher.index.verify import verify_index
    from searcher.lexicon import lexicon

    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds:
        shutil.copy(seed, folder / seed.name)
    (folder / "copy-exact.txt").write_text(seeds[1].read_text(encoding="utf-8"), encoding="utf-8")
    index_dir = tmp_path / "ix"
    index_paths([folder], index_dir)
    generation = store.current_generation(index_dir)
    assert generation is not None
    index_paths([folder], tmp_path / "fresh")
    fresh, fresh_answers = _tables(tmp_path / "fresh"), _answers(tmp_path / "fresh")
    fresh_written = _written(store.current_generation(tmp_path / "fresh"))
    searches, suggestions = fresh_answers
    assert searches[0][3] == "quốc phòng" and all(suggestions)
    assert [s[4] for s in searches[-2:]] == [
        ("quốc phòng", None),
        ("Hội nghị", None),
    ]
    assert [hit for s in searches for hit in s[2] if hit[2]]  # (a hit with its copy among them)

    _as_first_format(generation)
    assert lexicon.Lexicon.open(generation) is None
    searches, suggestions = _answers(index_dir)
    assert searches[0][3] is None and suggestions == [[], [], [], []]
    assert [s[4] for s in searches[-2:]] == [("quoc phonng", None), ("Hoi ngi", None)]
    problems = [p.detail for p in verify_index(index_dir).problems]
    assert problems == [
        "the side tables are in their first format (searches go without accents, spelling and "
        "autocomplete until then): the next 'search index' converts them"
    ]

    index_paths([folder], index_dir)
    assert lexicon.stored_format(generation / LEXICON_FILE) == str(lexicon.FORMAT)
    assert read_state(generation)["format"] == str(STATE_FORMAT)
    assert _tables(index_dir) == fresh
    assert _written(generation) == fresh_written
    assert _answers(index_dir) == fresh_answers
    assert verify_index(index_dir).ok
    assert sorted(p.name for p in generation.glob("*.new")) == []
