"""The side tables change with the documents that change, agree with a fresh build, and are committed
with the Whoosh commit they describe (searcher.index.sidetables)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher import index_paths
from searcher.cli import cli
from searcher.index import store
from searcher.index.sidetables import STATE_FILE, SideTables, read_manifest
from searcher.lexicon.lexicon import LEXICON_FILE

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _lexicon(generation: Path) -> tuple:
    db = sqlite3.connect(generation / LEXICON_FILE)
    try:
        counts = sorted(db.execute("SELECT key, form, n, count FROM ngram"))
        suggest = sorted(db.execute("SELECT key, form, count FROM suggest"))
        tokens = db.execute("SELECT value FROM meta WHERE name = 'tokens'").fetchone()
    finally:
        db.close()
    return counts, suggest, tokens


def _copies(generation: Path) -> set[frozenset[str]]:
    """The copy groups as sets of document ids (group keys depend on which copy came first)."""
    db = sqlite3.connect(generation / STATE_FILE)
    try:
        groups: dict[str, set[str]] = {}
        for doc_id, group in db.execute("SELECT doc_id, grp FROM fingerprint"):
            groups.setdefault(group, set()).add(doc_id)
    finally:
        db.close()
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


def test_a_run_killed_between_the_index_and_side_table_commits_is_undone_and_redone(
    folder, tmp_path, monkeypatch
):
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds[:3]:
        shutil.copy(seed, folder / seed.name)
    index_dir = tmp_path / "ix"
    index_paths([folder], index_dir)
    for seed in seeds[3:]:
        shutil.copy(seed, folder / seed.name)
    (folder / seeds[0].name).unlink()

    def killed(self, whoosh_generation):
        raise KeyboardInterrupt  # as if the process died after Whoosh's commit, before this one

    with monkeypatch.context() as patch:
        patch.setattr(SideTables, "commit", killed)
        with pytest.raises(KeyboardInterrupt):
            index_paths([folder], index_dir)

    runner = CliRunner()
    out = runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--quick", "--json"])
    assert out.exit_code == 1 and '"tables"' in out.output  # the index is a version ahead of its tables

    summary = index_paths([folder], index_dir)
    assert (summary.recovered, summary.added, summary.removed, summary.unchanged) == (2, 0, 1, 2)
    out = runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--quick"])
    assert out.exit_code == 0, out.output
    index_paths([folder], tmp_path / "fresh")
    assert _tables(index_dir) == _tables(tmp_path / "fresh")
