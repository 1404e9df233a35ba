"""Incremental indexing: add, change, delete, skip; rebuilds switch generations atomically."""

import json
import os
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from searcher.index import store
from searcher.index.indexer import index_paths
from searcher.search.engine import Engine


def ids(index_dir, query="quốc phòng"):
    return {h.id for h in Engine(index_dir).search(query, limit=100).hits}


def test_incremental_add_change_delete(seed_copy, tmp_path):
    index_dir = tmp_path / "ix"
    first = index_paths([seed_copy], index_dir)
    assert (first.added, first.updated, first.removed, first.unchanged) == (5, 0, 0, 0)

    again = index_paths([seed_copy], index_dir)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 5)

    (seed_copy / "new.txt").write_text(
        "Báo cáo mới về phòng chống thiên tai ở Yên Bái\n\nNội dung.", encoding="utf-8"
    )
    changed = seed_copy / "004_981139cf777c2e3c.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nCâu bổ sung về thủy lợi.\n", encoding="utf-8")
    (seed_copy / "000_c39e642c6c60865f.txt").unlink()
    third = index_paths([seed_copy], index_dir)
    assert (third.added, third.updated, third.removed, third.unchanged) == (1, 1, 1, 3)
    assert third.documents == 5

    engine = Engine(index_dir)
    assert engine.search("thien tai yen bai").hits[0].id == "new.txt"
    assert engine.search("câu bổ sung thủy lợi").hits[0].id == "004_981139cf777c2e3c.txt"
    assert engine.get("000_c39e642c6c60865f.txt") is None


def test_touched_but_unchanged_file_is_not_reindexed(seed_copy, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([seed_copy], index_dir)
    path = seed_copy / "001_f01ec78be0abed4e.txt"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    summary = index_paths([seed_copy], index_dir)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 5)


def test_no_paths_reindexes_remembered_folders(seed_copy, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([seed_copy], index_dir)
    (seed_copy / "extra.txt").write_text("Tin bổ sung về Hà Giang", encoding="utf-8")
    summary = index_paths([], index_dir)
    assert summary.added == 1 and summary.documents == 6


def test_encodings_and_line_endings(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    text = "Hội nghị quân sự tỉnh Hà Giang\r\nNội dung báo cáo thủy lợi.\r\n"
    (docs / "utf8.txt").write_bytes(text.encode("utf-8"))
    (docs / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.replace("Hà Giang", "Sơn La").encode("utf-8"))
    (docs / "utf16.txt").write_bytes(text.replace("Hà Giang", "Lào Cai").encode("utf-16"))
    (docs / "empty.txt").write_bytes(b"")
    (docs / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    summary = index_paths([docs], tmp_path / "ix")
    assert summary.added == 3
    assert {s.path.rsplit("/", 1)[-1]: s.reason for s in summary.skipped} == {
        "empty.txt": "empty file",
        "image.png": "unsupported file type .png",
    }
    engine = Engine(tmp_path / "ix")
    assert engine.search("lao cai").hits[0].id == "utf16.txt"
    assert engine.search("Sơn La").hits[0].id == "bom.txt"
    doc = engine.get("utf8.txt")
    assert doc["title"] == "Hội nghị quân sự tỉnh Hà Giang" and "\r" not in doc["text"]


def test_jsonl_and_gzip(tmp_path):
    import gzip

    records = [
        {
            "id": "a/1",
            "title": "Quốc phòng toàn dân",
            "text": "Xây dựng nền quốc phòng toàn dân.",
            "date": "2019-09-27",
        },
        {"id": "a/2", "title": "", "text": "Tin thể thao\nBóng đá Việt Nam thắng."},
    ]
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n{broken\n"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.jsonl").write_text(lines, encoding="utf-8")
    (tmp_path / "docs" / "b.jsonl.gz").write_bytes(
        gzip.compress(json.dumps({"id": "b/1", "text": "Hà Nội mùa thu"}, ensure_ascii=False).encode())
    )
    summary = index_paths([tmp_path / "docs"], tmp_path / "ix")
    assert summary.added == 3
    assert [s.reason.split(":")[0] for s in summary.skipped] == ["invalid JSON"]
    engine = Engine(tmp_path / "ix")
    assert engine.get("a/1")["date"] == "2019-09-27"
    assert engine.get("a/2")["title"] == "Tin thể thao"
    assert engine.search("ha noi mua thu").hits[0].id == "b/1"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_record_repeated_later_in_a_jsonl_file_replaces_the_earlier_one(tmp_path, jobs):
    records = [
        {"id": "r/1", "text": "Bản đầu tiên về biên giới."},
        {"id": "r/2", "text": "Hội nghị quân sự tỉnh."},
        {"id": "r/1", "text": "Bản sửa lại về hải đảo."},
    ]
    records += [{"id": f"x/{n}", "text": f"Tin số {n} về thời tiết."} for n in range(300)]  # workers start
    (tmp_path / "docs.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8"
    )
    summary = index_paths([tmp_path / "docs.jsonl"], tmp_path / "ix", jobs=jobs)
    assert summary.added == 302 and summary.documents == 302
    # each worker writes a segment of its own (documents did go to the workers)
    assert len(whoosh_index.open_dir(str(store.current_generation(tmp_path / "ix")))._segments()) == jobs
    engine = Engine(tmp_path / "ix")
    assert "hải đảo" in engine.get("r/1")["text"]
    assert engine.search("biên giới").total == 0


def _segments(index_dir: Path) -> int:
    return len(whoosh_index.open_dir(str(store.current_generation(index_dir)))._segments())


def _news(path: Path, first: int, count: int) -> Path:
    path.write_text(
        "\n".join(
            json.dumps({"id": f"tin/{n}", "text": f"Tin số {n} về thời tiết ở Lào Cai."}, ensure_ascii=False)
            for n in range(first, first + count)
        ),
        encoding="utf-8",
    )
    return path


def test_an_update_kept_up_with_by_one_worker_adds_one_segment(tmp_path, monkeypatch):
    """Each worker adds a segment that every query then searches, and small ones are not merged:
    an update starts a second worker only when job files wait for one."""
    from searcher.index import workers

    index_paths([_news(tmp_path / "a.jsonl", 0, 300)], tmp_path / "ix", jobs=2)
    assert _segments(tmp_path / "ix") == 2  # a build starts every worker at once
    summary = index_paths([_news(tmp_path / "b.jsonl", 300, 300)], tmp_path / "ix", jobs=2)
    assert summary.added == 300 and _segments(tmp_path / "ix") == 3

    write = workers.process_job_file

    def slow(task, filename, doc_count):  # (in the forked workers)
        time.sleep(0.3)
        write(task, filename, doc_count)

    monkeypatch.setattr(workers, "process_job_file", slow)
    summary = index_paths([_news(tmp_path / "c.jsonl", 600, 1_500)], tmp_path / "ix", jobs=2)
    assert summary.added == 1_500 and _segments(tmp_path / "ix") == 5  # the backlog started a second
    assert Engine(tmp_path / "ix").search("Lào Cai").total == 2_100


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_update_of_a_large_jsonl_file_reads_only_its_changed_records(tmp_path, jobs, monkeypatch):
    """A record whose bytes were indexed before is neither parsed nor worked out again (headline,
    date, places): an export of 100,000 records with a few changed costs what those few cost."""
    from searcher.ingest import documents

    def record(n: int, edition: str = "") -> dict:
        return {
            "id": f"tin/{n}",
            "title": f"Tin số {n} về Quảng Ninh{edition}",
            "text": f"Quảng Ninh, ngày {n % 28 + 1}/3/2017 - Bản tin số {n} về thời tiết{edition}.",
            "date": "2017-03-01",
        }

    def write(records: list[dict]) -> None:
        (tmp_path / "news.jsonl").write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
        )

    records = [record(n) for n in range(300)]
    write(records)
    index_paths([tmp_path / "news.jsonl"], tmp_path / "ix", jobs=jobs)
    records[7] = record(7, " (sửa lại)")
    del records[8]
    records.append(record(1000))
    write(records)
    finished: list[str] = []
    finish = documents.finish_document

    def counting(doc, clean=False):
        finished.append(doc.id)
        return finish(doc, clean=clean)

    monkeypatch.setattr(documents, "finish_document", counting)
    summary = index_paths([tmp_path / "news.jsonl"], tmp_path / "ix", jobs=jobs)
    assert (summary.updated, summary.added, summary.removed, summary.unchanged) == (1, 1, 1, 298)
    assert sorted(finished) == ["tin/1000", "tin/7"]
    index_paths([tmp_path / "news.jsonl"], tmp_path / "fresh", jobs=1)
    updated, fresh = Engine(tmp_path / "ix"), Engine(tmp_path / "fresh")
    every = sorted(r["id"] for r in records)
    assert updated.search("Quảng Ninh").total == fresh.search("Quảng Ninh").total == len(every)
    for doc_id in every:
        assert updated.get(doc_id) == fresh.get(doc_id), doc_id


def test_a_known_record_is_worked_out_as_any_record_when_needed():
    from searcher.ingest.sources import KnownRecord, document_from_record, hash_bytes

    line = json.dumps(
        {"id": "a/1", "title": "Lũ ở Yên Bái", "text": "Mưa lớn ở Yên Bái."}, ensure_ascii=False
    )
    data = line.encode()
    known = KnownRecord("a/1", hash_bytes(data), data, "news.jsonl", "news")
    assert known.document() == document_from_record(json.loads(line), "news.jsonl", hash_bytes(data), "news")


def test_rebuild_switches_generation_and_keeps_old_one_until_next(seed_copy, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([seed_copy], index_dir)
    first_gen = store.current_generation(index_dir)
    engine = Engine(index_dir)
    assert len(ids(index_dir)) == 5
    (seed_copy / "000_c39e642c6c60865f.txt").unlink()
    summary = index_paths([seed_copy], index_dir, rebuild=True)
    assert summary.rebuilt and summary.added == 4
    second_gen = store.current_generation(index_dir)
    assert second_gen != first_gen and first_gen.exists()
    assert len({h.id for h in engine.search("quốc phòng").hits}) == 4  # a long-lived engine follows


def test_abandoned_build_is_ignored_and_cleaned(seed_copy, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([seed_copy], index_dir)
    half = store.new_generation(index_dir)  # as if a rebuild had been killed
    (half / "garbage").write_text("x")
    assert len(ids(index_dir)) == 5
    index_paths([seed_copy], index_dir)
    assert not half.exists()


def test_second_writer_is_refused_clearly(seed_copy, tmp_path):
    import pytest

    index_dir = tmp_path / "ix"
    with store.writer_lock(index_dir):
        with pytest.raises(store.IndexLocked, match="another 'search index' run"):
            index_paths([seed_copy], index_dir)


def test_parallel_build_matches_single_process_build(seed_copy, tmp_path, monkeypatch):
    """Workers write one segment each; the index answers as one built in a single process, and an
    update through workers afterwards (the old version deleted here, segments merged, rare terms
    inlined by the codec) keeps every document once."""
    from searcher.index import indexer

    monkeypatch.setattr(indexer, "PARALLEL_MIN_DOCS", 1)  # workers even for the five seed articles
    single, parallel = tmp_path / "one", tmp_path / "two"
    index_paths([seed_copy], single, jobs=1)
    built = index_paths([seed_copy], parallel, jobs=2)
    assert built.documents == 5
    for query in ("quốc phòng", "quoc phong toan dan", '"khu vực phòng thủ"', "Điện Biên"):
        one, two = Engine(single).search(query, limit=10), Engine(parallel).search(query, limit=10)
        assert sorted((h.id, h.score) for h in one.hits) == sorted((h.id, h.score) for h in two.hits)
    changed = seed_copy / "004_981139cf777c2e3c.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nCâu bổ sung về thủy lợi.\n", encoding="utf-8")
    update = index_paths([seed_copy], parallel, jobs=2)
    assert (update.updated, update.documents) == (1, 5)
    engine = Engine(parallel)
    assert engine.search("câu bổ sung thủy lợi").hits[0].id == "004_981139cf777c2e3c.txt"
    assert ids(parallel) == ids(single)


def test_one_engine_answers_from_cache_until_the_index_changes(seed_copy, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([seed_copy], index_dir)
    engine = Engine(index_dir)
    first = engine.search("thiên tai Yên Bái")
    first.hits.clear()  # an answer handed out is the caller's to change
    again = engine.search("thiên tai Yên Bái")
    assert [h.id for h in again.hits] == [h.id for h in Engine(index_dir).search("thiên tai Yên Bái").hits]
    (seed_copy / "new.txt").write_text(
        "Báo cáo mới về phòng chống thiên tai ở Yên Bái\n\nNội dung.", encoding="utf-8"
    )
    index_paths([seed_copy], index_dir)
    assert engine.search("thiên tai Yên Bái").hits[0].id == "new.txt"
    index_paths([seed_copy], index_dir, rebuild=True)
    (seed_copy / "new.txt").unlink()
    index_paths([seed_copy], index_dir)
    assert "new.txt" not in {h.id for h in engine.search("thiên tai Yên Bái").hits}


def test_a_build_on_several_cores_counts_the_same_lexicon_as_one_process(tmp_path):
    import sqlite3

    from searcher.lexicon.lexicon import LEXICON_FILE, counted

    words = "quốc phòng toàn dân Bộ Chỉ huy Quân sự tỉnh Điện Biên hội nghị tổng kết".split()
    records = [
        {
            "id": f"n/{n}",
            "title": " ".join(words[n % 7 : n % 7 + 3]),
            "text": " ".join(words[(n * k) % len(words)] for k in range(1, 40)),
        }
        for n in range(320)
    ]
    (tmp_path / "docs.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8"
    )
    tables = []
    for jobs in (1, 2):
        index_paths([tmp_path / "docs.jsonl"], tmp_path / f"ix{jobs}", jobs=jobs)
        db = sqlite3.connect(store.current_generation(tmp_path / f"ix{jobs}") / LEXICON_FILE)
        tables.append(
            (
                counted(db),
                db.execute("SELECT * FROM meta ORDER BY name").fetchall(),
            )
        )
        db.close()
    assert len(tables[0][0]) > 100
    assert tables[1] == tables[0]
