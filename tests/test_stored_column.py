"""Stored fields compressed against a dictionary of the segment's first documents
(searcher.index.codec.stored): every document reads back as it was stored, with or without a
dictionary, and through the codec as Whoosh's own column gives it."""

import io
import random

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.writing import SegmentWriter

from searcher.analysis.schema import make_schema
from searcher.index.codec import InliningCodec, PackedCodec, stored
from searcher.index.codec.stored import DictionaryStoredColumn, StoredColumnError
from searcher.index.pool import GroupingSegmentWriter

WORDS = "quốc phòng toàn dân bộ chỉ huy quân sự tỉnh điện biên hòa bình sơn la kỹ thuật".split()


def _document(rng: random.Random, n: int) -> dict:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 600)))
    return {"id": f"d{n}", "title": text[:40], "text": text, "date": f"2017-05-0{n % 9 + 1}"}


def _column(rows: dict, doccount: int) -> tuple[bytes, list]:
    """A column written with ``rows`` (document number -> stored fields), and read back."""
    out = io.BytesIO()
    writer = DictionaryStoredColumn().writer(StructFile(out))
    for docnum in sorted(rows):
        writer.add(docnum, rows[docnum])
    writer.finish(doccount)
    data = out.getvalue()
    reader = DictionaryStoredColumn().reader(StructFile(io.BytesIO(b"xyz" + data)), 3, len(data), doccount)
    return data, [reader[docnum] for docnum in range(doccount)]


@pytest.mark.parametrize("count", [0, 1, 5, 400])
def test_documents_read_back_as_stored_with_or_without_a_dictionary(count):
    rng = random.Random(count)
    rows = {n: _document(rng, n) for n in range(count) if n % 7 != 3}  # every 7th has no stored fields
    data, found = _column(rows, count + 2)  # the last two: none either
    assert found == [rows.get(n) for n in range(count + 2)]
    plain = sum(
        len(stored.zlib.compress(stored.pickle.dumps(doc, 4), stored.LEVEL, wbits=-15))
        for doc in rows.values()
    )
    if count == 400:  # (far more than FIRST_BYTES of documents: compressed against a dictionary)
        assert sum(len(stored.pickle.dumps(doc, 4)) for doc in rows.values()) > 2 * stored.FIRST_BYTES
        assert len(data) < 0.8 * plain
    else:  # no dictionary: each document on its own (raw deflate), and the offsets
        assert len(data) == plain + 4 * (count + 3) + 17


def test_a_damaged_column_is_refused():
    rng = random.Random(1)
    data, _ = _column({n: _document(rng, n) for n in range(300)}, 300)
    for damaged in (data[:-1], data[:10], data[:-17] + b"\x00" * 17):
        with pytest.raises((StoredColumnError, ValueError)):
            DictionaryStoredColumn().reader(StructFile(io.BytesIO(damaged)), 0, len(damaged), 300)


def test_the_codecs_stored_fields_are_whooshs(tmp_path, monkeypatch):
    monkeypatch.setattr(stored, "FIRST_BYTES", 8_000)  # a dictionary for these few documents
    rng = random.Random(5)
    docs = []
    for n in range(120):
        doc = _document(rng, n)
        docs.append(
            {**doc, "body": doc["text"], "body_fold": doc["text"], "dup_of": f"g{n % 3}" if n % 2 else ""}
        )
    read = []
    for name, writer_class, codec, batches in (
        ("stock", SegmentWriter, InliningCodec(), [docs]),
        ("packed", GroupingSegmentWriter, PackedCodec(), [docs[:50], docs[50:53], docs[53:]]),
    ):
        (tmp_path / name).mkdir()
        ix = FileStorage(str(tmp_path / name)).create_index(make_schema())
        for batch in batches:
            writer = writer_class(ix, codec=codec, compound=False)
            for doc in batch:
                writer.add_document(**doc)
            writer.commit(merge=False)
        with ix.searcher() as searcher:
            read.append(sorted(searcher.all_stored_fields(), key=lambda fields: fields["id"]))
            if name == "packed":
                assert len(ix._segments()) == 3
                assert searcher.document(id="d51")["text"] == docs[51]["text"]
        if (
            name == "packed"
        ):  # merged: the documents compressed again, against the merged segment's dictionary
            writer = GroupingSegmentWriter(ix, codec=codec, compound=False)
            writer.commit(optimize=True)
            with ix.searcher() as searcher:
                assert sorted(searcher.all_stored_fields(), key=lambda fields: fields["id"]) == read[0]
    assert read[1] == read[0]
