"""``search verify``: the index against its manifest and its source files."""

from __future__ import annotations

import json

from searcher.cli import cli


def _verify(runner, index_dir, *extra):
    result = runner.invoke(cli, ["verify", "--index-dir", str(index_dir), "--json", *extra])
    return result.exit_code, json.loads(result.output)


def _kinds(report) -> set[tuple[str, str]]:
    return {(p["kind"], p["where"].rsplit("/", 1)[-1]) for p in report["problems"]}


def test_fresh_index_verifies(runner, tmp_path, seed_copy):
    index_dir = tmp_path / "ix"
    assert runner.invoke(cli, ["index", str(seed_copy), "--index-dir", str(index_dir)]).exit_code == 0
    code, report = _verify(runner, index_dir)
    assert code == 0 and report["ok"] is True
    assert report["documents"] == 5 and report["files"] == 5 and report["problems"] == []


def test_changes_since_indexing_are_reported(runner, tmp_path, seed_copy):
    index_dir = tmp_path / "ix"
    runner.invoke(cli, ["index", str(seed_copy), "--index-dir", str(index_dir)])
    files = sorted(seed_copy.glob("*.txt"))
    files[0].unlink()
    files[1].write_text(files[1].read_text(encoding="utf-8") + "\nMột dòng mới.\n", encoding="utf-8")
    (seed_copy / "new.txt").write_text("Báo cáo mới\nNội dung mới.\n", encoding="utf-8")
    (seed_copy / "scan.png").write_bytes(b"\x89PNG")  # never indexed: no run would change it
    (seed_copy / "empty.txt").write_bytes(b"")
    code, report = _verify(runner, index_dir)
    assert code == 1 and report["ok"] is False
    assert _kinds(report) == {
        ("source-gone", files[0].name),
        ("source-changed", files[1].name),
        ("not-indexed", "new.txt"),
    }
    # after an incremental run everything is in step again
    runner.invoke(cli, ["index", "--index-dir", str(index_dir)])
    code, report = _verify(runner, index_dir)
    assert code == 0 and report["documents"] == 5, report


def test_orphans_missing_and_stale_documents(runner, tmp_path, seed_copy):
    from whoosh import index as whoosh_index

    from searcher.index import store
    from searcher.index.sidetables import SideTables

    index_dir = tmp_path / "ix"
    runner.invoke(cli, ["index", str(seed_copy), "--index-dir", str(index_dir)])
    generation = store.current_generation(index_dir)
    tables = SideTables(generation)
    manifest = tables.manifest()
    first, second = sorted(manifest)[:2]
    ((first_id, _),) = manifest[first]["docs"].items()
    ((second_id, _),) = manifest[second]["docs"].items()
    manifest[second]["docs"][second_id] = "0" * 16  # the manifest now disagrees with the index
    manifest.touch(second)
    tables.write_manifest(manifest)
    ix = whoosh_index.open_dir(str(generation))
    with ix.writer() as writer:
        writer.delete_by_term("id", first_id)
        writer.add_document(id="ghost.txt", content_hash="x", text="ma")
    tables.commit(ix.latest_generation())  # (the side tables describe this version, wrongly)
    tables.close()
    ix.close()
    code, report = _verify(runner, index_dir, "--quick")
    assert code == 1
    assert _kinds(report) == {
        ("missing", first_id),
        ("stale", second_id),
        ("orphan", "ghost.txt"),
        ("tables", first_id),  # still registered as a possible copy, though no longer indexed
        ("tables", "ghost.txt"),
    }


def test_no_index(runner, tmp_path):
    result = runner.invoke(cli, ["verify", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no index" in result.output
