"""The segment writer (searcher.index.pool) and codec (searcher.index.codec) must store exactly what Whoosh's own
writer and codec store, and read it back the same through Whoosh's matchers and the array scorer."""

import io
import pickle
import random

import numpy as np
import pytest
from whoosh import query as Q
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.scoring import BM25F
from whoosh.writing import SegmentWriter

from searcher.analysis.schema import make_schema
from searcher.index.codec import ArrayCodec, ArrayLeafMatcher, CompactCodec, InliningCodec, PackedCodec
from searcher.index.codec.whoosh_private import codec_settings, posting_file
from searcher.index.pool import GroupingSegmentWriter, TermPool, _PairPostings
from searcher.index.postings import read_segment_postings, segment_postings
from searcher.search.matching import match_all

# Common words make posting lists of several blocks (blocks of 128 here), rare ones are inlined,
# the rest in between
COMMON = "quốc phòng toàn dân bộ chỉ huy quân sự tỉnh".split()
RARE = "điện biên hòa bình bắc kạn lai châu sơn la kỹ thuật quý vị".split()


def _codec() -> ArrayCodec:
    return ArrayCodec(blocklimit=128)


def _documents(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    docs = []
    for n in range(count):
        words = [rng.choice(COMMON) for _ in range(rng.randint(3, 40))]
        words += rng.sample(RARE, rng.randint(0, 3)) + [f"từ{n % 97}", f"mã{n}"]
        rng.shuffle(words)
        text = " ".join(words)
        title = " ".join(words[:5])
        docs.append(
            {
                "id": f"d{n}",
                "title": title,
                "title_fold": title,
                "title_bi": title,
                "body": text,
                "body_fold": text,
                "body_bi": text,
                "body_bi_exact": text,
                "text": text,
                "places": "Điện Biên" if n % 5 == 0 else "",
            }
        )
    return docs


def _build(path, writer_class, codec, batches):
    """An index in ``path`` written in ``batches`` (one commit each, Whoosh merging as it likes)."""
    path.mkdir()
    ix = FileStorage(str(path)).create_index(make_schema())
    for batch in batches:
        writer = writer_class(ix, codec=codec, compound=False)
        for doc in batch:
            writer.add_document(**doc)
        writer.commit()
    return ix


def _contents(ix) -> dict:
    """Every term's statistics and postings (id, weight, value), by document id."""
    with ix.reader() as reader:
        ids = {n: fields["id"] for n, fields in reader.iter_docs()}
        found = {}
        for fieldname in reader.indexed_field_names():
            for text in reader.lexicon(fieldname):
                info = reader.term_info(fieldname, text)
                stats = (
                    info.weight(),
                    info.doc_frequency(),
                    info.min_length(),
                    info.max_length(),
                    info.max_weight(),
                )
                matcher = reader.postings(fieldname, text)
                postings = []
                while matcher.is_active():
                    postings.append((ids[matcher.id()], matcher.weight(), matcher.value()))
                    matcher.next()
                found[fieldname, text] = (stats, sorted(postings))
        return found


@pytest.fixture(scope="module")
def docs():
    return _documents(700)


@pytest.fixture(scope="module")
def stock(tmp_path_factory, docs):
    """Whoosh's writer and format, with rare terms inlined as every index of ours has them (an
    inlined posting's value reads b"" where Whoosh's blocks read None for fields without values)."""
    return _build(tmp_path_factory.mktemp("x") / "stock", SegmentWriter, InliningCodec(), [docs])


def test_inlining_is_whooshs_format_but_for_empty_values(tmp_path, docs, stock):
    plain = _build(tmp_path / "plain", SegmentWriter, W3Codec(), [docs[:100]])
    inlined = _build(tmp_path / "inlined", SegmentWriter, InliningCodec(), [docs[:100]])
    expected = {
        key: (stats, [(d, w, b"" if v is None else v) for d, w, v in postings])
        for key, (stats, postings) in _contents(plain).items()
    }
    assert _contents(inlined) == expected


@pytest.fixture(scope="module", params=[ArrayCodec, CompactCodec, PackedCodec])
def ours(request, tmp_path_factory, docs):
    """Our writer with each of our codecs (pickled inlined postings and positions, or compact)."""
    codec = request.param(blocklimit=128)
    return _build(tmp_path_factory.mktemp("x") / "ours", GroupingSegmentWriter, codec, [docs])


def test_the_corpus_exercises_every_kind_of_posting_list(ours):
    with ours.reader() as reader:
        frequencies = [reader.doc_frequency("body_fold", t) for t in reader.lexicon("body_fold")]
    assert max(frequencies) > 2 * codec_settings(_codec())["blocklimit"]  # several blocks
    assert min(frequencies) == 1  # inlined


def test_postings_and_term_statistics_equal_whooshs(stock, ours):
    expected, found = _contents(stock), _contents(ours)
    assert found.keys() == expected.keys()
    assert found == expected


def test_document_lengths_and_stored_fields_equal_whooshs(stock, ours, docs):
    with stock.reader() as a, ours.reader() as b:
        for docnum in range(len(docs)):
            assert b.stored_fields(docnum) == a.stored_fields(docnum)
            for field in ("title", "body", "body_fold", "body_bi"):
                assert b.doc_field_length(docnum, field) == a.doc_field_length(docnum, field)


@pytest.mark.slow
@pytest.mark.parametrize("codec_class", [ArrayCodec, CompactCodec, PackedCodec])
def test_segments_merged_by_later_commits_equal_one_stock_build(tmp_path, docs, stock, codec_class):
    # Whoosh merges small segments through the writer's pool: the pool's generic path, ours and
    # Whoosh's segments alike, and the result equals a single stock build
    batches = [docs[:300], docs[300:310], docs[310:320], docs[320:]]
    merged = _build(tmp_path / "merged", GroupingSegmentWriter, codec_class(blocklimit=128), batches)
    writer = GroupingSegmentWriter(merged, codec=codec_class(blocklimit=128), compound=False)
    writer.commit(optimize=True)
    assert len(merged._segments()) == 1
    assert _contents(merged) == _contents(stock)


@pytest.mark.slow
@pytest.mark.parametrize("codec_class", [ArrayCodec, CompactCodec, PackedCodec])
def test_segments_merged_into_a_writer_adding_documents_equal_one_stock_build(
    tmp_path, docs, stock, monkeypatch, codec_class
):
    # small commits: Whoosh merges earlier small segments into the writer of a later batch, whose
    # bigram fields already hold pairs of syllable numbers: merged postings join them
    merged_in = []
    add = _PairPostings.add
    monkeypatch.setattr(
        _PairPostings, "add", lambda self, *posting: merged_in.append(posting) or add(self, *posting)
    )
    batches = [docs[:300]] + [docs[at : at + 5] for at in range(300, 400, 5)] + [docs[400:]]
    merged = _build(tmp_path / "merged", GroupingSegmentWriter, codec_class(blocklimit=128), batches)
    assert len(merged_in) > 1000
    assert _contents(merged) == _contents(stock)


def test_segments_of_the_earlier_format_stay_readable_beside_new_ones(tmp_path, docs, stock):
    mixed = _build(tmp_path / "mixed", SegmentWriter, InliningCodec(), [docs[:250]])
    batches = (
        (_codec(), docs[250:400]),
        (CompactCodec(blocklimit=128), docs[400:550]),
        (PackedCodec(blocklimit=128), docs[550:]),
    )
    for codec, batch in batches:
        writer = GroupingSegmentWriter(mixed, codec=codec, compound=False)
        for doc in batch:
            writer.add_document(**doc)
        writer.commit(merge=False)
    codecs = {type(segment.codec()).__name__ for segment in mixed._segments()}
    assert codecs == {"InliningCodec", "ArrayCodec", "CompactCodec", "PackedCodec"}
    with mixed.searcher() as searcher:
        assert len(searcher.search(Q.Term("body_fold", "quoc"), limit=None)) == sum(
            "quốc" in doc["text"].split() for doc in docs
        )
        phrase = Q.Phrase("body_fold", ["bo", "chi", "huy"])
        with stock.searcher() as expected:
            assert sorted(searcher.docs_for_query(phrase)) == sorted(expected.docs_for_query(phrase))
    # merged into one segment of the latest format: still what Whoosh's own writer stores
    writer = GroupingSegmentWriter(mixed, codec=PackedCodec(blocklimit=128), compound=False)
    writer.commit(optimize=True)
    assert [type(segment.codec()).__name__ for segment in mixed._segments()] == ["PackedCodec"]
    assert _contents(mixed) == _contents(stock)


@pytest.mark.parametrize(
    "q",
    [
        Q.Term("body_fold", "quoc"),
        Q.Or([Q.Term("body", "quốc"), Q.Term("body_bi", "chi huy"), Q.Term("title_fold", "dien")]),
        Q.And([Q.Term("body_fold", "quoc"), Q.Term("body_fold", "tinh")]),
        Q.Phrase("body_fold", ["quoc", "phong"]),
        Q.Phrase("body_fold", ["bo", "chi", "huy"]),
        Q.AndNot(Q.Term("body_fold", "dan"), Q.Term("places", "Điện Biên")),
        # few required matches (under 1/8 of the documents): the optional words are read in them only ...
        Q.AndMaybe(
            Q.Term("body_fold", "kan"),
            Q.Or([Q.Term("body_fold", "quoc"), Q.Term("body_bi", "chi huy"), Q.Term("body", "dân")]),
        ),
        Q.AndMaybe(
            Q.Term("title_fold", "kan"),
            Q.Or([Q.Or([Q.Term("body_fold", "tinh"), Q.Term("body_fold", "su")])]),
        ),
        # ... many: everywhere
        Q.AndMaybe(
            Q.Term("body_fold", "quoc"), Q.Or([Q.Term("body_fold", "dan"), Q.Term("body_bi", "chi huy")])
        ),
    ],
)
def test_whooshs_own_search_and_the_array_scorer_agree_on_both_formats(stock, ours, q):
    weighting = BM25F()
    with stock.searcher(weighting=weighting) as a, ours.searcher(weighting=weighting) as b:
        expected = {hit.docnum: hit.score for hit in a.search(q, limit=None)}
        found = {hit.docnum: hit.score for hit in b.search(q, limit=None)}  # Whoosh over our blocks
        assert found == pytest.approx(expected, rel=1e-9)
        top = [hit.docnum for hit in b.search(q, limit=5)]  # block-quality skipping
        assert top == [hit.docnum for hit in a.search(q, limit=5)]
        matches = match_all(b, q)
        ours = dict(zip(matches.docnums.tolist(), matches.scores.tolist()))
        if isinstance(q, Q.Phrase):  # the array scorer's phrase filters (its words rank)
            assert ours.keys() == expected.keys()
        else:
            assert ours == pytest.approx(expected, rel=1e-9)


def test_array_reads_equal_the_matcher_walk(ours):
    with ours.reader() as reader:
        segment_reader = reader.leaf_readers()[0][0] if hasattr(reader, "leaf_readers") else reader
        for fieldname in ("body_fold", "body", "body_bi"):
            for text in [t for t in segment_reader.lexicon(fieldname)][:40]:
                info = segment_reader.term_info(fieldname, text)
                ids, weights, values = read_segment_postings(
                    segment_reader, fieldname, text, info, values=True
                )
                matcher = segment_reader.postings(fieldname, text)
                if info.doc_frequency() >= 8:
                    assert isinstance(matcher, ArrayLeafMatcher)
                walked = []
                while matcher.is_active():
                    walked.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                assert (
                    list(zip(ids.tolist(), weights.tolist(), [values[i] for i in range(len(ids))])) == walked
                )
                assert ids.dtype == np.int64


def test_reads_of_whooshs_own_blocks_equal_the_matcher_walk(stock):
    # segments of the earlier format: Whoosh's blocks, decoded block by block by Whoosh's matcher
    with stock.reader() as reader:
        segment_reader = reader.leaf_readers()[0][0] if hasattr(reader, "leaf_readers") else reader
        for fieldname, text in (("body_fold", "quoc"), ("body", "quốc"), ("body_bi", "su chi")):
            info = segment_reader.term_info(fieldname, text)
            assert not info.is_inlined() and info.doc_frequency() > 128  # several blocks
            walked = []
            matcher = segment_reader.postings(fieldname, text)
            while matcher.is_active():
                walked.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            ids, weights = read_segment_postings(segment_reader, fieldname, text, info, values=False)
            assert list(zip(ids.tolist(), weights.tolist())) == [(d, w) for d, w, _ in walked]
            ids, weights, values = read_segment_postings(segment_reader, fieldname, text, info, values=True)
            assert list(zip(ids.tolist(), weights.tolist(), [values[i] for i in range(len(ids))])) == walked


def test_the_pool_gives_postings_sorted_by_field_term_and_document():
    pool = TermPool()
    for item in [
        ("b", b"x", 0, 1.0, b""),
        ("a", b"z", 0, 2.0, b"pq"),
        ("a", b"y", 1, 1.0, b"r"),
        ("a", b"z", 3, 1.0, b"s"),
        ("b", b"x", 2, 3.0, b""),
    ]:
        pool.add(item)
    assert list(pool.iter_postings()) == [
        ("a", b"y", 1, 1.0, b"r"),
        ("a", b"z", 0, 2.0, b"pq"),
        ("a", b"z", 3, 1.0, b"s"),
        ("b", b"x", 0, 1.0, b""),
        ("b", b"x", 2, 3.0, b""),
    ]
    assert pool.fieldnames == {"a", "b"}


@pytest.mark.parametrize("codec_class", [ArrayCodec, CompactCodec, PackedCodec])
@pytest.mark.parametrize("boosted", [True, False])
@pytest.mark.parametrize("blocklimit", [64, 1024])  # (1,024: one block of 600 postings, or 601)
def test_weights_of_every_width_read_back_exactly(tmp_path, codec_class, boosted, blocklimit):
    # whole numbers under 256 take a byte, under 65,536 two, anything else is kept as float32; packed,
    # as many bits as the largest needs, or float32; positions are counted by the weights when they
    # are whole, else written with their lengths
    docs = [
        {"id": f"w{n}", "body_fold": " ".join(["quoc"] * (1 + n % 200 * 3)), "_boost": 0.5 if n % 3 else 1.0}
        for n in range(600)
    ]
    if not boosted:
        docs = [{**doc, "_boost": 1.0} for doc in docs]
    docs = [{**doc, "body": doc["body_fold"]} for doc in docs]  # (frequencies: values not positions)
    if not boosted:  # (a list of 70,000 positions is left as Whoosh writes it, with its neighbours)
        docs.append({"id": "long", "body_fold": " ".join(["quoc"] * 70_000)})
    expected: dict = {}
    for name, writer_class, codec in (
        ("stock", SegmentWriter, InliningCodec()),
        ("ours", GroupingSegmentWriter, codec_class(blocklimit=blocklimit)),
    ):
        path = tmp_path / name
        path.mkdir()
        ix = FileStorage(str(path)).create_index(make_schema())
        writer = writer_class(ix, codec=codec, compound=False)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
        with ix.reader() as reader:
            for fieldname in ("body_fold", "body"):
                matcher = reader.postings(fieldname, b"quoc")
                found = []
                while matcher.is_active():
                    found.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                if name == "stock":
                    expected[fieldname] = found
                    continue
                assert found == expected[fieldname]
                assert any(w % 1 for _, w, _ in found) == boosted
                info = reader.term_info(fieldname, b"quoc")
                ids, weights = segment_postings(reader, fieldname, b"quoc", info)
                assert list(zip(ids.tolist(), weights.tolist())) == [(d, w) for d, w, _ in found]
                ids, weights, values = read_segment_postings(reader, fieldname, b"quoc", info, True)
                assert [values[n] for n in range(len(values))] == [v for _, _, v in found]
            assert (max(w for _, w, _ in expected["body_fold"]) > 65536) != boosted


def test_numbers_packed_in_bits_read_back():
    from searcher.index.codec.packed import WIDTHS, bit_widths, pack_runs, unpack_bits

    rng = np.random.default_rng(4)
    counts = [0, 1, 2, 7, 8, 9, 1024]
    runs = [(width, count) for width in WIDTHS for count in counts]
    numbers, begins, ends = [], [], []
    for width, count in runs:
        begins.append(sum(len(part) for part in numbers))
        part = rng.integers(0, 1 << width, count, dtype=np.int64) if width else np.zeros(count, np.int64)
        if count and width:
            part[0] = (1 << width) - 1  # the widest number of that width
        numbers.append(part)
        ends.append(begins[-1] + count)
    data, run_at = pack_runs(np.concatenate(numbers), begins, ends, [w for w, _ in runs])
    assert len(data) == run_at[-1] == sum((w * c + 7) // 8 for w, c in runs)
    for n, (width, count) in enumerate(runs):
        assert unpack_bits(b"x" + data, 1 + run_at[n], count, width).tolist() == numbers[n].tolist()
        if count:
            assert bit_widths(np.asarray([numbers[n].max()])).tolist() == [width]
    largest = np.asarray([0, 1, 2, 3, 4, 15, 16, 255, 256, 65_535, 65_536, 2**32 - 1])
    assert bit_widths(largest).tolist() == [0, 1, 2, 2, 4, 4, 8, 8, 16, 16, 32, 32]


def _encoded_position_lists(rng: random.Random) -> list[tuple[list[int], bytes]]:
    """Position lists of every shape the pickled format takes: one item, numbers of 1, 2 and 4 bytes,
    lists long enough for pickle to split, pickle's final STOP kept or cut off, and malformed ones."""
    from whoosh.formats import Positions

    encode = Positions().encode
    lists = []
    for _ in range(600):
        count = rng.choice([1, 1, 2, 3, 7, 40, 999, 1000, 1001, 1700])
        span = rng.choice([count + 3, 255, 300, 70_000, 3_000_000])
        positions = sorted(rng.sample(range(max(span, count)), count))
        value = encode(positions)
        lists.append((positions, value[:-1] if rng.random() < 0.3 else value))
    lists.append(([5], b"\x00\x00\x00\x01\x80\x02]q\x00K\x05a."))
    # a count that disagrees with the pickle, a truncated list: decoded by pickle, as Whoosh would
    lists.append(([1], b"\x00\x00\x00\x02\x80\x02]q\x00(K\x01e."))
    lists.append(([2, 3], b"\x00\x00\x00\x02\x80\x02]q\x00(K\x02K\x01e"))
    rng.shuffle(lists)
    return lists


def test_positions_decoded_in_bulk_equal_pickles_answer():
    from whoosh.formats import Positions

    from searcher.index.codec import decode_positions

    lists = _encoded_position_lists(random.Random(3))
    data = b"".join(value for _, value in lists)
    ends = np.cumsum([len(value) for _, value in lists])
    starts = ends - [len(value) for _, value in lists]
    counts, positions = decode_positions(data, starts, ends, Positions())
    assert counts.tolist() == [len(expected) for expected, _ in lists]
    assert positions.tolist() == [p for expected, _ in lists for p in expected]
    # any subset, in any order of the data
    chosen = np.array(sorted(random.Random(4).sample(range(len(lists)), 50)))
    counts, positions = decode_positions(data, starts[chosen], ends[chosen], Positions())
    assert positions.tolist() == [p for n in chosen.tolist() for p in lists[n][0]]
    assert [x.tolist() for x in decode_positions(data, starts[:0], ends[:0], Positions())] == [[], []]


def test_varint_positions_read_back_as_whooshs_positions_values():
    from whoosh.formats import Positions

    from searcher.index.codec.compact import (
        decode_varint_positions,
        encode_varint_positions,
        whoosh_values_of_varint_positions,
    )

    rng = random.Random(5)
    lists = []
    for _ in range(500):  # deltas of 1 to 5 varint bytes
        count = rng.choice([1, 1, 2, 5, 60])
        span = rng.choice([count + 2, 200, 20_000, 3_000_000, 1 << 30])
        lists.append(sorted(rng.sample(range(span), count)))
    counts = np.array([len(found) for found in lists])
    lengths, data = encode_varint_positions(counts, np.concatenate([np.array(p) for p in lists]))
    ends = np.cumsum(lengths)
    found_counts, positions = decode_varint_positions(data, ends - lengths, ends)
    assert found_counts.tolist() == counts.tolist()
    assert positions.tolist() == [p for found in lists for p in found]
    chosen = np.array(sorted(rng.sample(range(len(lists)), 40)))
    found_counts, positions = decode_varint_positions(data, (ends - lengths)[chosen], ends[chosen])
    assert positions.tolist() == [p for n in chosen.tolist() for p in lists[n]]
    assert whoosh_values_of_varint_positions(lengths, data) == [Positions().encode(p) for p in lists]
    assert [x.tolist() for x in decode_varint_positions(data, ends[:0], ends[:0])] == [[], []]


@pytest.mark.parametrize(
    "weights, values",
    [
        ([1.0], [b""]),  # a field without values
        ([1.0, 3.0, 2.0], [b"\x00\x00\x00\x01", b"\x00\x00\x00\x03", b"\x00\x00\x00\x02"]),  # frequencies
        ([2.0, 1.0], "positions"),
        ([1.5, 300.0], [b"\x00\x00\x00\x01", b"\x00\x00\x00\x02"]),  # weights not the frequencies
        ([1.0, 2.0], [b"\x00\x00\x00\x01\x80\x02]q\x00K\x05a", b"x"]),  # not Whoosh's own values
    ],
)
def test_compact_inlined_postings_read_back_as_whoosh_wrote_them(weights, values):
    from whoosh.formats import Positions

    from searcher.index.codec.whoosh_private import CompactTermInfo

    ids = [3, 4, 90_000][: len(weights)]
    if values == "positions":
        values = [Positions().encode([7, 200]), Positions().encode([70_000])]
    info = CompactTermInfo(
        weight=sum(weights), df=len(ids), maxweight=max(weights), minid=ids[0], maxid=ids[-1]
    )
    info.set_inlined(ids, weights, values)
    written = info.to_bytes()
    read = CompactTermInfo.from_bytes(written)
    assert read.inlined_postings() == (tuple(ids), tuple(weights), tuple(values))
    assert (read.weight(), read.doc_frequency(), read.max_weight()) == (sum(weights), len(ids), max(weights))
    if values == [b""]:
        assert len(written) == 6  # flags, count, document, two length bytes, weight


@pytest.mark.parametrize(
    "weight, max_weight", [(812.0, 9.0), (2.5, 1.25), (1e9 + 1.0, 1e9 + 1.0), (0.1, 0.1)]
)
def test_packed_entries_of_terms_with_blocks_read_back_as_whooshs(weight, max_weight):
    from whoosh.codec.whoosh3 import W3TermInfo

    from searcher.index.codec.whoosh_private import CompactTermInfo, PackedTermInfo

    fields = {"weight": weight, "df": 300, "minlength": 3, "maxlength": 9000, "maxweight": max_weight}
    fields |= {"minid": 12, "maxid": 70_000}
    expected, packed = W3TermInfo(**fields), PackedTermInfo(**fields)
    for info in (expected, packed):
        info.set_extent(5_000_000_000, 123_456)
    whooshs = W3TermInfo.from_bytes(expected.to_bytes())  # (float32 weights, lengths as bytes)
    written = packed.to_bytes()
    read = CompactTermInfo.from_bytes(written)
    assert not read.is_inlined()
    for name in ("weight", "doc_frequency", "min_length", "max_length", "max_weight", "min_id", "max_id"):
        assert getattr(read, name)() == getattr(whooshs, name)(), name
    assert read.extent() == (5_000_000_000, 123_456)
    # 35 bytes in Whoosh's format; here flags, varints (2 + 1 + 3 + 5 + 3 bytes), length bytes, then
    # the weights as varints if whole, else float32
    expected_weights = {812.0: 2 + 1, 1e9 + 1.0: 5 + 5}.get(weight, 8)
    assert len(written) == 1 + 14 + 2 + expected_weights


def test_reads_of_wanted_documents_only_equal_a_full_read(ours):
    from searcher.index.codec import (
        decode_positions,
        read_term_postings,
        term_positions_among,
        term_postings_among,
    )

    rng = np.random.default_rng(3)
    with ours.reader() as reader:
        segment_reader = reader.leaf_readers()[0][0] if hasattr(reader, "leaf_readers") else reader
        postfile = posting_file(segment_reader)
        positions_format = segment_reader.schema["body_fold"].format
        for fieldname, text in (("body_fold", "quoc"), ("body_fold", "dan"), ("body_bi", "su chi")):
            info = segment_reader.term_info(fieldname, text)
            assert not info.is_inlined() and info.doc_frequency() > 128  # several blocks
            ids, weights, lengths, blob = read_term_postings(postfile, info, values=True)
            everyone = np.arange(segment_reader.doc_count_all() + 5)  # (and numbers past the last)
            for wanted in (
                everyone,
                np.sort(rng.choice(everyone, 9, replace=False)),
                everyone[:0],
                ids[[0, 127, 128, -1]],
                everyone[ids[-1] + 1 :],
            ):
                held = np.intersect1d(wanted, ids)
                held_ids, held_weights = term_postings_among(postfile, info, wanted)
                assert held_ids.tolist() == held.tolist()
                assert held_weights.tolist() == weights[np.searchsorted(ids, held)].tolist()
                if fieldname != "body_fold":  # (the values of the others are no positions)
                    continue
                found = term_positions_among(postfile, info, wanted, positions_format)
                assert found is not None
                docs, counts, positions = found
                assert docs.tolist() == held.tolist()
                rows = np.searchsorted(ids, held)
                value_ends = np.cumsum(lengths, dtype=np.int64)
                expected = decode_positions(
                    blob, value_ends[rows] - lengths[rows], value_ends[rows], positions_format
                )
                assert [counts.tolist(), positions.tolist()] == [x.tolist() for x in expected]


@pytest.mark.parametrize(
    "words, occurs",
    [
        (["quoc", "phong"], True),
        (["bo", "chi", "huy"], True),
        (["quoc", "phong", "toan", "dan"], True),
        (["dan", "dan", "dan"], True),
        (["tinh", "quoc", "su", "bo", "huy"], False),
        (["kan", "bac"], False),
    ],
)
def test_checked_phrases_over_lists_of_many_blocks_match_whooshs_phrase(ours, words, occurs):
    # the candidates (documents with every word pair) narrowed word by word, reading only the blocks
    # of each word's list that hold them
    from searcher.search.matching import CheckedPhrase

    with ours.searcher() as searcher:
        expected = sorted(searcher.docs_for_query(Q.Phrase("body_fold", words)))
        pairs = Q.And([Q.Term("body_bi", f"{a} {b}") for a, b in zip(words, words[1:])])
        assert match_all(searcher, CheckedPhrase("body_fold", words, pairs)).docnums.tolist() == expected
        assert match_all(searcher, Q.Phrase("body_fold", words)).docnums.tolist() == expected
        with_pairs = sorted(searcher.docs_for_query(pairs))
        assert match_all(searcher, Q.ConstantScoreQuery(pairs)).docnums.tolist() == with_pairs
    assert bool(expected) == occurs  # (the documents' words are drawn at random)


def test_posting_bytes_read_from_the_mapped_file_are_the_files_bytes(ours, docs):
    from whoosh.filedb.filestore import RamStorage

    from searcher.index.codec import reading

    with ours.reader() as reader:
        segment_reader = reader.leaf_readers()[0][0] if hasattr(reader, "leaf_readers") else reader
        postfile = posting_file(segment_reader)
        for text in ("quoc", "dan", "kan"):
            offset, length = segment_reader.term_info("body_fold", text).extent()
            length = length[0] if isinstance(length, tuple) else length
            assert bytes(reading._bytes_at(postfile, offset, length)) == postfile.get(offset, length)
        assert reading._MAPPED[postfile] is not None  # (mapped indeed)
        # another searcher (another thread's) reads the same map of the same file
        with ours.reader() as other:
            other_reader = other.leaf_readers()[0][0] if hasattr(other, "leaf_readers") else other
            other_file = posting_file(other_reader)
            assert other_file is not postfile
            reading._bytes_at(other_file, 0, 4)
            assert reading._MAPPED[other_file].obj is reading._MAPPED[postfile].obj
    # an index in memory has no file to map: its bytes are read
    ix = RamStorage().create_index(make_schema())
    writer = GroupingSegmentWriter(ix, codec=_codec(), compound=False)
    for doc in docs[:300]:
        writer.add_document(**doc)
    writer.commit()
    with ix.searcher(weighting=BM25F()) as searcher:
        q = Q.Or([Q.Term("body_fold", "quoc"), Q.Term("body_bi", "chi huy")])
        expected = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
        found = match_all(searcher, q)
        assert dict(zip(found.docnums.tolist(), found.scores.tolist())) == pytest.approx(expected, rel=1e-9)
        assert reading._MAPPED[posting_file(searcher.reader())] is None


def test_positions_are_stored_uncompressed_and_frequencies_compressed(ours):
    import struct

    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    from searcher.index.codec.packed import list_blocks

    with ours.reader() as reader:
        segment_reader = reader.leaf_readers()[0][0] if hasattr(reader, "leaf_readers") else reader
        postfile = posting_file(segment_reader)
        compact = isinstance(segment_reader.codec(), CompactCodec)
        packed = isinstance(segment_reader.codec(), PackedCodec)
        # how a block's values are kept: as they are (0), compressed (1), varint positions (2), not
        # written, the weights being the frequencies (3); packed: varint positions as many as each
        # posting's weight (0x82), not written (0x81)
        for fieldname, compressed in (("body_fold", 2 if compact else 0), ("body", 3 if compact else 1)):
            info = segment_reader.term_info(fieldname, "quoc" if fieldname == "body_fold" else "quốc")
            offset, length = info.extent()
            raw = postfile.get(offset, length[0] if isinstance(length, tuple) else length)
            if packed:
                blocks = list_blocks(raw)
                assert len(blocks) > 1 and {raw[start] for start, *_ in blocks} == {
                    {2: 0x82, 3: 0x81}[compressed]
                }
                continue
            assert raw[:4] == WHOOSH3_HEADER_MAGIC
            stream = io.BytesIO(raw[8:])
            pickle.load(stream)  # the block's info
            header = raw[8 + stream.tell() : 8 + stream.tell() + 4]
            assert struct.unpack("<BBBB", header)[3] == compressed


def test_the_term_tables_hash_slots_are_whooshs_bytes():
    from whoosh.filedb.filetables import HashWriter, OrderedHashWriter
    from whoosh.filedb.structfile import StructFile

    from searcher.index.codec.whoosh_private import write_hash_tables

    rng = random.Random(3)
    entries = [(rng.getrandbits(32), 100 + 20 * n) for n in range(5000)]
    entries += [(entries[0][0], 999_999), (entries[1][0] ^ (1 << 9), 888_888)]  # a same hash, a same slot
    written = []
    for write in (HashWriter._write_hashes, write_hash_tables):
        table = OrderedHashWriter(StructFile(io.BytesIO()))
        for hashval, position in entries:
            table.buckets[hashval & 255].append((hashval, position))
        write(table)
        written.append((table.dbfile.file.getvalue(), table.directory))
    assert written[1] == written[0]


def test_every_term_is_found_and_no_other_in_the_term_tables(ours):
    # (the compact codec's hash tables have fewer empty slots: a look-up of a missing key runs on
    # to the next empty one)
    with ours.reader() as reader:
        for fieldname in ("body_fold", "body_bi", "body_bi_exact", "id"):
            terms = list(reader.lexicon(fieldname))
            assert terms and all((fieldname, text) in reader for text in terms)
            assert not any((fieldname, text + b"x") in reader for text in terms)
            assert reader.doc_frequency(fieldname, terms[0] + b"x") == 0


def test_term_cursors_and_prefixes_find_whooshs_terms(stock, ours):
    # (Whoosh's fuzzy terms walk a cursor; prefixes and ranges read the table from a key on)
    with stock.reader() as a, ours.reader() as b:
        for fieldname, text in (
            ("body_fold", "quoc"),
            ("body_bi", "chi huy"),
            ("body", "quốc"),
            ("id", "d1"),
        ):
            assert list(b.terms_within(fieldname, text, 1)) == list(a.terms_within(fieldname, text, 1))
            assert list(b.expand_prefix(fieldname, text[:2])) == list(a.expand_prefix(fieldname, text[:2]))
            assert list(b.terms_from(fieldname, text))[:50] == list(a.terms_from(fieldname, text))[:50]
        assert list(b.all_terms()) == list(a.all_terms())
        assert list(b.lexicon("places")) == list(a.lexicon("places"))
        assert list(b.lexicon("date")) == list(a.lexicon("date"))


def test_segments_write_their_term_tables_with_the_fast_hash_tables(tmp_path, docs, monkeypatch):
    # (the bytes are Whoosh's either way: only a count tells that the faster writer is the one used)
    from searcher.index.codec import whoosh_private

    written = []
    fast = whoosh_private.write_hash_tables
    monkeypatch.setattr(
        whoosh_private, "write_hash_tables", lambda table: written.append(table) or fast(table)
    )
    _build(tmp_path / "ix", GroupingSegmentWriter, _codec(), [docs[:50]])
    assert len(written) == 1


@pytest.mark.parametrize("kind", [0, 1, 2, 3])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_inlined_entries_built_at_once_equal_term_by_term(kind, seed):
    """A chunk's inlined terms, among other terms' postings, encoded at once as term by term."""
    from whoosh.util.numeric import length_to_byte

    from searcher.index.codec.compact import encode_inlined, encode_inlined_rows
    from searcher.index.codec.whoosh_private import _COMPACT_INLINED, _compact_entry, _length_bytes

    rng = np.random.default_rng(seed)
    counts = rng.choice([1, 1, 1, 2, 3, 7], size=400)
    ids = np.concatenate([np.sort(rng.choice(1 << 31, size=c, replace=False)) for c in counts])
    weights = rng.choice(
        [1.0, 2.0, 300.0, 1.5, float(1 << 35), 0.25], size=len(ids), p=[0.6, 0.2, 0.1, 0.04, 0.03, 0.03]
    )
    lengths = rng.choice([0, 1, 5, 90, 200_000], size=len(ids))
    value_lengths = rng.integers(0, 300, size=len(ids)) if kind >= 2 else None
    values = (
        rng.integers(0, 256, size=int(value_lengths.sum()), dtype=np.uint8).tobytes() if kind >= 2 else b""
    )
    # the chunk holds other terms' postings between these (terms with blocks): skip some
    gaps = rng.integers(0, 3, size=len(counts))
    starts = np.cumsum(counts + gaps) - counts
    total = int(starts[-1] + counts[-1])
    spread = np.zeros(total, dtype=np.int64)
    own = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(len(ids))
    chunk_ids, chunk_weights, chunk_lengths = spread.copy(), spread.astype(float), spread.copy()
    chunk_ids[own], chunk_weights[own], chunk_lengths[own] = ids, weights, lengths
    chunk_value_lengths = None
    if value_lengths is not None:
        chunk_value_lengths = rng.integers(0, 5, size=total)
        chunk_value_lengths[own] = value_lengths
    at, chunk_values, owned = 0, [], set(own.tolist())
    if value_lengths is not None:
        for i in range(total):
            if i in owned:
                n = int(chunk_value_lengths[i])
                chunk_values.append(values[at : at + n])
                at += n
            else:
                chunk_values.append(bytes(int(chunk_value_lengths[i])))
    for lengths_given in (True, False):
        rows = encode_inlined_rows(
            starts,
            counts,
            chunk_ids,
            chunk_weights,
            chunk_lengths if lengths_given else None,
            kind,
            chunk_value_lengths,
            b"".join(chunk_values),
            _COMPACT_INLINED,
            _length_bytes,
        )
        first = 0
        for term, count in enumerate(counts):
            term_ids = ids[first : first + count].tolist()
            term_weights = weights[first : first + count].tolist()
            term_values = [chunk_values[i] for i in own[first : first + count]] if kind >= 2 else []
            flags, tail = encode_inlined(term_ids, term_weights, kind, term_values)
            positive = [int(x) for x in lengths[first : first + count] if x] if lengths_given else []
            expected = _compact_entry(
                flags,
                term_ids,
                length_to_byte(min(positive)) if positive else 0,
                length_to_byte(max(positive) if positive else 0),
                tail,
            )
            assert rows[term] == expected, term
            first += count
