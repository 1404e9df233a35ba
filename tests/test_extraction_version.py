"""What files give when read is versioned: a change to it must bump EXTRACTION_VERSION.

An index remembers the version of the rules that read its files, and an update reads every file
again when the version differs (test_reliability_ingest). These tests keep the version honest: they
read a fixed set of files and records and compare a digest of what they give with the one recorded
for the current version in tests/data/extraction-fingerprint.json. A change that alters any headline,
date, place, source or word fails here until the version is bumped and the new digest recorded.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import REPO, SEEDS, corpus_records, need_corpus

from searcher.ingest.model import EXTRACTION_VERSION, Document
from searcher.ingest.sources import document_from_record, read_source, walk_sources

FINGERPRINT = REPO / "tests" / "data" / "extraction-fingerprint.json"
LABELS = REPO / "tests" / "data" / "places-labels.jsonl"
# what is stored of a document and shown (not the file's date or hash, which depend on the copy)
FIELDS = ("id", "title", "title_words", "text", "date", "date_source", "places", "places_mentioned")
FIELDS += ("author", "url", "source")
DIGESTED_SPLITS = ("dev", "dev2", "dev3", "dev4", "dev5", "files")
WHAT = {"files": "the repository's files", "corpus": "the corpus files and labelled records"}


def _digest(docs: list) -> str:
    rows = []
    for doc in docs:
        if isinstance(doc, Document):
            rows.append([getattr(doc, name) for name in FIELDS])
        else:  # a file skipped: its reason, without the folder it was read from
            rows.append([Path(doc.path).name, doc.reason])
    rows.sort(key=json.dumps)
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


def _read(paths: list[Path]) -> list:
    found, problems = walk_sources(paths)
    assert not problems
    return [doc for source in found for doc in read_source(source, source.path.read_bytes())]


def _check(name: str, digest: str) -> None:
    recorded = json.loads(FINGERPRINT.read_text(encoding="utf-8"))
    if recorded["extraction_version"] != EXTRACTION_VERSION:
        pytest.fail(f"EXTRACTION_VERSION is {EXTRACTION_VERSION}: record its digests in {FINGERPRINT.name}")
    assert recorded[name] == digest, (
        f"what {WHAT[name]} give when read changed: bump EXTRACTION_VERSION (searcher/ingest/model.py), "
        f"so that indexes read their files again, and record the new digest {digest} in {FINGERPRINT.name}"
    )


def test_the_files_in_the_repository_read_as_recorded():
    _check("files", _digest(_read([SEEDS, REPO / "tests" / "data" / "article.html"])))


def test_the_corpus_files_and_labelled_records_read_as_recorded():
    """The 200 raw files of sample-files and the labelled news articles of the sets drawn by the
    seventh round (the places' rules): a set labelled later does not change the digest."""
    folder = need_corpus("sample-files")
    docs = [doc for doc in _read([folder]) if not str(getattr(doc, "path", "")).endswith("MANIFEST.tsv")]
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line]
    wanted = {row["id"] for row in rows if row["split"] in DIGESTED_SPLITS}
    docs += [document_from_record(record, name, "", "corpus") for name, record in corpus_records(wanted)]
    assert len(docs) > 900
    _check("corpus", _digest(docs))
