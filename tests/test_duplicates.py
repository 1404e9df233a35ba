"""Copies of one story are grouped at index time: one hit per group, the others listed and reachable."""

import json
import shutil

import pytest
from conftest import BAC_KAN, DIEN_BIEN_2022, DIEN_BIEN_2023, SEEDS

from searcher.cli import cli
from searcher.index.duplicates import exact_key, signature, similarity
from searcher.index.indexer import index_paths
from searcher.search.engine import Engine

REPUBLISHED = "republished/dien-bien.txt"
SAVED_TWICE = "saved twice.txt"


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    shutil.copy(SEEDS / BAC_KAN, docs / SAVED_TWICE)  # the same page saved again
    # Another portal's copy: its own header and footer, the byline changed, one sentence edited
    text = (SEEDS / DIEN_BIEN_2022).read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if line.strip()]
    body = [line.replace("Đức Hạnh", "PV") for line in lines if "Lượt xem" not in line]
    body.insert(3, "Bài viết được đăng lại với sự đồng ý của tòa soạn.")
    (docs / "republished").mkdir()
    (docs / REPUBLISHED).write_text(
        "Báo Quân khu 2 điện tử\n\n" + "\n\n".join(body) + "\n\nTheo Báo Điện Biên Phủ\n", encoding="utf-8"
    )
    return docs


def test_exact_and_near_copies_are_grouped_in_results(folder, tmp_path):
    index_paths([folder], tmp_path / "ix")
    engine = Engine(tmp_path / "ix")
    result = engine.search("xây dựng nền quốc phòng toàn dân", limit=20, facets=True)
    hits = result.hits
    ids = [hit.id for hit in hits]
    assert len(ids) == len(set(ids)) == 5  # seven documents, five stories
    # counted once too; two of the five stories are undated (no date line): no year to count
    assert result.total == 5 and sum(n for _, n in result.facets["years"]) == 3
    by_id = {hit.id: hit for hit in hits}
    bac_kan = by_id.get(BAC_KAN) or by_id[SAVED_TWICE]
    assert {d["id"] for d in bac_kan.duplicates} | {bac_kan.id} == {BAC_KAN, SAVED_TWICE}
    dien_bien = by_id.get(DIEN_BIEN_2022) or by_id[REPUBLISHED]
    assert {d["id"] for d in dien_bien.duplicates} | {dien_bien.id} == {DIEN_BIEN_2022, REPUBLISHED}
    assert by_id[DIEN_BIEN_2023].duplicates == []  # same province and topic, another story

    copy = engine.get(REPUBLISHED)  # the duplicates stay reachable by id
    assert [d["id"] for d in copy["duplicates"]] == [DIEN_BIEN_2022]
    assert "đăng lại với sự đồng ý" in copy["text"]


def test_group_array_is_saved_with_the_index_and_found_without_it(folder, tmp_path):
    """The index keeps each document's group number; an index written before that (or before the list
    of shared group keys existed) finds the groups itself, with the same result."""
    import numpy as np

    from searcher.index import store
    from searcher.index.sidetables import STATE_FILE, shared_groups

    index_paths([folder], tmp_path / "ix")
    generation = store.current_generation(tmp_path / "ix")
    listed = generation / STATE_FILE
    assert len(shared_groups(generation) or []) == 2  # two stories have copies
    [saved] = generation.glob("copies-*.npz")
    groups = np.load(saved)["groups"]
    assert len(groups) == 7 and sorted(np.unique(groups[groups >= 0], return_counts=True)[1]) == [2, 2]
    for kept in ("saved", "list", "nothing"):
        if kept == "list":
            saved.unlink()
        if kept == "nothing":
            listed.unlink()
        result = Engine(tmp_path / "ix").search("xây dựng nền quốc phòng toàn dân", limit=20)
        assert result.total == 5 and len({hit.id for hit in result.hits}) == 5, kept


def test_duplicates_in_cli_json_and_show(folder, tmp_path, runner):
    index_dir = str(tmp_path / "ix")
    assert runner.invoke(cli, ["index", str(folder), "--index-dir", index_dir]).exit_code == 0
    out = runner.invoke(
        cli, ["query", "hội nghị sơ kết quốc phòng toàn dân Bắc Kạn", "--index-dir", index_dir, "--json"]
    )
    top = json.loads(out.output)["hits"][0]
    assert {top["id"], *(d["id"] for d in top["duplicates"])} == {BAC_KAN, SAVED_TWICE}
    shown = json.loads(runner.invoke(cli, ["show", SAVED_TWICE, "--index-dir", index_dir, "--json"]).output)
    assert shown["ok"] and [d["id"] for d in shown["duplicates"]] == [BAC_KAN]


def test_group_survives_removal_of_the_first_copy_and_follows_changes(folder, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([folder], index_dir)
    (folder / BAC_KAN).unlink()
    (folder / DIEN_BIEN_2022).write_text(
        "Một bài hoàn toàn khác về mùa lúa ở Mường Thanh.\n", encoding="utf-8"
    )
    index_paths([folder], index_dir)
    engine = Engine(index_dir)
    assert engine.get(SAVED_TWICE)["duplicates"] == []
    assert engine.get(REPUBLISHED)["duplicates"] == []
    copy = tmp_path / "docs" / "again.txt"
    shutil.copy(folder / SAVED_TWICE, copy)
    index_paths([folder], index_dir)  # incremental: compared with what the index already holds
    assert [d["id"] for d in Engine(index_dir).get("again.txt")["duplicates"]] == [SAVED_TWICE]


def test_fingerprints():
    text = (SEEDS / BAC_KAN).read_text(encoding="utf-8")
    assert exact_key(text) == exact_key("  " + text.upper().replace(" ", "  \n"))
    assert signature("quá ngắn để so sánh") is None
    other = (SEEDS / DIEN_BIEN_2023).read_text(encoding="utf-8")
    assert similarity(signature(text), signature(text + " Thêm một câu.")) > 0.9
    assert similarity(signature(text), signature(other)) < 0.3


def test_signature_is_the_minhash_of_word_trigrams():
    """The vectorised signature equals the plain definition, min over shingles of (a*h + b) mod 2^61."""
    import hashlib

    from searcher.index.duplicates import _MASK, _PERMUTATIONS, _words

    text = (
        "Sáng nay, Ủy ban nhân dân tỉnh Điện Biên tổ chức hội nghị tổng kết công tác quốc phòng "
        "toàn dân năm 2019 và triển khai nhiệm vụ năm 2020, với sự tham dự của đại diện các sở, "
        "ban, ngành và lãnh đạo các huyện, thị xã, thành phố trên địa bàn tỉnh."
    )
    words = _words(text)
    shingles = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles]
    expected = [min((a * h + b) & _MASK for h in hashes) for a, b in _PERMUTATIONS]
    assert signature(text) == expected


WORD_CASES = [
    "Quốc phòng toàn dân, UBND tỉnh Điện Biên – “Hội nghị” (2019)…",
    "Hà Nội… 5€ ½ Москва Σίσυφος ΣΑΣ café naïve 😀 ß ﬁ Ⅻ ²",  # transliterated, split apart
    "e\u0301 x\u0301y",  # a combining mark folded away joins the letters around it
    "Ａ１ İstanbul ǅ",
    "",
]


@pytest.mark.parametrize("text", WORD_CASES)
def test_duplicate_keys_read_the_words_of_the_folded_text(text):
    import re

    from searcher.index.duplicates import _words
    from searcher.text.normalize import fold

    assert _words(text) == re.findall(r"\w+", fold(text).lower())


def test_a_vietnamese_text_reuses_the_fold_made_for_its_places(monkeypatch):
    import searcher.index.duplicates as duplicates
    from searcher.ingest.places import find_places

    text = (SEEDS / DIEN_BIEN_2022).read_text(encoding="utf-8")
    assert find_places("", text)
    monkeypatch.setattr(duplicates, "fold", lambda text: pytest.fail("folded again"))
    assert duplicates._words(text)[:6] == ["nang", "cao", "nhan", "thuc", "trach", "nhiem"]


def test_an_update_extends_the_saved_groups_to_what_a_fresh_count_gives(folder, tmp_path, monkeypatch):
    """After a commit that merged no segment, the groups are the previous version's with the new
    documents' added (one stored key read each), and equal what reading every key's postings gives."""
    import numpy as np

    from searcher.index import duplicates, store
    from searcher.index.view import IndexView

    index_dir = tmp_path / "ix"
    index_paths([folder], index_dir)
    # a third copy of a grouped story, and a copy of a story that had none
    shutil.copy(folder / SAVED_TWICE, folder / "third-copy.txt")
    shutil.copy(SEEDS / DIEN_BIEN_2023, folder / "copy-of-a-single.txt")
    extended = []
    real = duplicates._extended

    def recorded(view, generation):
        found = real(view, generation)
        extended.append(found is not None)
        return found

    monkeypatch.setattr(duplicates, "_extended", recorded)
    index_paths([folder], index_dir)
    monkeypatch.undo()
    assert extended == [True]
    generation = store.current_generation(index_dir)
    [saved] = generation.glob("copies-*.npz")
    saved_groups = np.load(saved)["groups"]
    saved.unlink()
    engine = Engine(index_dir)
    counted, _ = duplicates._grouped(IndexView(engine._searcher()), generation)
    engine.close()

    def partition(groups):
        return sorted(sorted(np.flatnonzero(groups == g).tolist()) for g in set(groups.tolist()) - {-1})

    assert partition(saved_groups) == partition(counted)
    assert sorted(len(members) for members in partition(counted)) == [2, 2, 3]


def test_groups_are_extended_after_a_merge_that_reorders_the_segments(folder, tmp_path, monkeypatch):
    """Whoosh's merge of small segments lists the segments it keeps by size: the saved groups are
    found by segment, not by place, and still equal what reading every key's postings gives."""
    import random

    import numpy as np

    from searcher.index import duplicates, store
    from searcher.index.view import IndexView

    words = "quốc phòng an ninh kinh tế xã hội tỉnh huyện xã dân cư đường sá cầu cống trường học bệnh viện".split()
    rng = random.Random(24)

    def report(path, number: int) -> None:
        path.write_text(
            f"Báo cáo số {number}\n\n" + " ".join(rng.choices(words, k=80)) + "\n", encoding="utf-8"
        )

    for number in range(100):  # a first segment larger than the next, both too large to merge
        report(folder / f"first-{number}.txt", number)
    index_dir = tmp_path / "ix"
    index_paths([folder], index_dir)
    for number in range(100, 160):
        report(folder / f"second-{number}.txt", number)
    index_paths([folder], index_dir)
    found = []
    real = duplicates._extended

    def recorded(view, generation):
        result = real(view, generation)
        if generation is not None:  # (not the count from every key's postings below)
            found.append(result is not None)
        return result

    monkeypatch.setattr(duplicates, "_extended", recorded)

    def partition(groups):
        return sorted(sorted(np.flatnonzero(groups == g).tolist()) for g in set(groups.tolist()) - {-1})

    moved = False
    for number in range(6):  # single files, one run each, until the small segments are merged
        shutil.copy(folder / SAVED_TWICE, folder / f"copy-{number}.txt")
        index_paths([folder], index_dir)
        generation = store.current_generation(index_dir)
        [saved] = generation.glob("copies-*.npz")
        with np.load(saved) as data:
            saved_groups, sizes = data["groups"], data["counts"].tolist()
        moved = moved or sizes[0] < sizes[1]
        engine = Engine(index_dir)
        counted, _ = duplicates._grouped(IndexView(engine._searcher()), None)
        engine.close()
        assert partition(saved_groups) == partition(counted)
    assert moved  # a merge put the smaller segment first
    assert all(found)
