"""Exact and near-duplicate documents, found at index time and grouped.

The same story reaches a folder twice (saved twice, or republished by another portal with its own
headline furniture and byline). Each document gets a group key, stored in the index's ``dup_of`` field:
a new one, or the group key of an earlier document with the same text (exact: the folded text's hash)
or nearly the same text (near: MinHash estimate of the Jaccard similarity of word 3-grams at least
:data:`NEAR_THRESHOLD`). Search collapses results on that key and lists the others as ``duplicates``;
every document stays in the index under its own id.

Candidates are found through locality-sensitive hashing (signature bands), so indexing stays linear.
The registry of signatures is kept in the generation's side tables (:mod:`searcher.index.sidetables`).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path
from typing import TypedDict

import numpy as np

from ..text.fold import FOLDED_BY_ARRAY, fold_offsets_preserved
from ..text.normalize import fold
from .postings import term_postings
from .sidetables import group_of, shared_groups, stored_group
from .view import IndexView

NUM_HASHES = 32
BANDS = 8  # 8 bands of 4 rows: pairs above ~0.7 similarity almost always share a band
ROWS = NUM_HASHES // BANDS
NEAR_THRESHOLD = 0.7
MIN_WORDS = 30  # shorter texts are compared exactly only: a few shared words say little
_MASK = (1 << 61) - 1
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    """The words of ``fold(text).lower()``: from the one-for-one fold that places already made of
    the text when each of its characters splits into words the same way in both (the letters of
    Vietnamese and Latin scripts, digits, common punctuation), else folded again."""
    codes = np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    if codes.size and int(codes.max()) < len(_SAME_SPLIT):
        same = _SAME_SPLIT[codes]
        if (same < 0).any():
            _learn_same_split(np.unique(codes[same < 0]).tolist())
            same = _SAME_SPLIT[codes]
        if same.all():
            return _WORD.findall(fold_offsets_preserved(text))
    return _WORD.findall(fold(text).lower())


# Per code point (below the one-for-one fold's array): 1 where that fold and fold().lower() give the
# same characters, or both give only non-word characters (at least one: words never merge); 0 where
# not (transliterated scripts, a dropped combining mark); -1 not yet worked out.
_SAME_SPLIT = np.full(FOLDED_BY_ARRAY, -1, dtype=np.int8)


def _learn_same_split(codes: list[int]) -> None:
    for code in codes:
        folded, kept = fold(chr(code)).lower(), fold_offsets_preserved(chr(code))
        same = folded == kept or (folded != "" and not _WORD.search(folded) and not _WORD.search(kept))
        _SAME_SPLIT[code] = 1 if same else 0


def exact_key(text: str, words: list[str] | None = None) -> str:
    """Hash of the text's words, folded: spacing, case and accent placement do not matter.
    (``words``: the text's :func:`_words`, if already split.)"""
    words = _words(text) if words is None else words
    return hashlib.blake2b(" ".join(words).encode(), digest_size=12).hexdigest()


def signature(text: str, words: list[str] | None = None) -> list[int] | None:
    """MinHash signature of the word 3-grams, or None for texts too short to compare loosely.
    (``words``: the text's :func:`_words`, if already split.)"""
    words = _words(text) if words is None else words
    if len(words) < MIN_WORDS:
        return None
    encoded = [w.encode() for w in words]
    shingles = set(map(b" ".join, zip(encoded, encoded[1:], encoded[2:])))  # the word 3-grams
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(s, digest_size=8).digest() for s in shingles])
    hashes = np.frombuffer(digests, dtype=">u8").astype(np.uint64)  # one 64-bit hash per shingle
    # NUM_HASHES permutations as (a*x + b) mod 2^61, all shingles at once (a Python loop over them
    # was 6x slower); uint64 arithmetic wraps mod 2^64, which the mask reduces to the same mod 2^61
    a, b = _permutation_arrays()
    return ((a * hashes + b) & np.uint64(_MASK)).min(axis=1).tolist()


_PERMUTATIONS = [
    (
        int.from_bytes(hashlib.blake2b(b"a%d" % i, digest_size=8).digest(), "big") | 1,
        int.from_bytes(hashlib.blake2b(b"b%d" % i, digest_size=8).digest(), "big"),
    )
    for i in range(NUM_HASHES)
]


_ARRAYS: list = []


def _permutation_arrays():
    """The permutations' coefficients as numpy columns (made once)."""
    if not _ARRAYS:
        _ARRAYS.append(np.array([a for a, _ in _PERMUTATIONS], dtype=np.uint64)[:, None])
        _ARRAYS.append(np.array([b for _, b in _PERMUTATIONS], dtype=np.uint64)[:, None])
    return _ARRAYS


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return sum(x == y for x, y in zip(a, b)) / len(a)


class _Entry(TypedDict):
    """A document's row in the registry."""

    exact: str  # exact_key
    sig: list[int] | None  # signature, None for a short text
    group: str


def _band_keys(sig: list[int]) -> list[int]:
    """The signature's band keys: one 63-bit number per band of ROWS hashes (the band's number in it)."""
    keys = []
    for i in range(BANDS):
        part = b"".join(h.to_bytes(8, "big") for h in sig[i * ROWS : (i + 1) * ROWS])
        keys.append(int.from_bytes(hashlib.blake2b(bytes([i]) + part, digest_size=8).digest(), "big") >> 1)
    return keys


def _sig_bytes(sig: list[int] | None) -> bytes | None:
    return None if sig is None else np.array(sig, dtype=np.uint64).tobytes()


def _sig_list(data: bytes | None) -> list[int] | None:
    return None if data is None else np.frombuffer(data, dtype=np.uint64).tolist()


class DuplicateRegistry:
    """Signatures of the documents of one generation, with the group each one belongs to, kept in the
    generation's side tables (``fingerprint`` and ``band`` of :mod:`searcher.index.sidetables`).

    An update reads and changes only the rows it needs (a document's exact twin, the documents sharing
    a band with it); a fresh build keeps the registry in memory and writes it once, at :meth:`save`.
    """

    def __init__(self, db, fresh: bool):
        self.db = db
        self.fresh = fresh
        self.entries: dict[str, _Entry] = {}  # a fresh build's registry
        self._unsaved: set[str] = set()  # its entries not yet written (a build saves at each batch)
        self._exact: dict[str, str] = {}
        self._bands: dict[int, set[str]] = {}

    def group_for(self, doc_id: str, text: str) -> str:
        """Register ``doc_id`` with ``text`` and return its group key (an earlier copy's, or a new one)."""
        self.forget(doc_id)
        words = _words(text)  # folded once for both keys (a tenth of the indexing process's time)
        exact = exact_key(text, words)
        sig = signature(text, words)
        group = self._twin_group(exact)
        if group is None and sig is not None:
            best = 0.0
            for other_group, other_sig in self._band_mates(_band_keys(sig)):
                assert other_sig is not None  # (a document in a band has a signature)
                score = similarity(sig, other_sig)
                if score >= NEAR_THRESHOLD and score > best:
                    best, group = score, other_group
        # A new group is named after its first text, not its first id: an id whose text changes
        # must not drag its former copies into its new group.
        entry: _Entry = {"exact": exact, "sig": sig, "group": group or f"g{exact}"}
        self._register(doc_id, entry)
        return entry["group"]

    def _twin_group(self, exact: str) -> str | None:
        if self.fresh:
            twin = self._exact.get(exact)
            return self.entries[twin]["group"] if twin is not None else None
        row = self.db.execute(
            "SELECT exact, grp FROM state.fingerprint WHERE exact = ? ORDER BY doc_id LIMIT 1",
            (bytes.fromhex(exact),),
        ).fetchone()
        return group_of(*row) if row else None

    def _band_mates(self, keys: list[int]) -> list[tuple[str, list[int] | None]]:
        """(group, signature) of the documents sharing a band with ``keys``, in id order."""
        if self.fresh:
            mates = sorted(set().union(*(self._bands.get(k, set()) for k in keys)))
            return [(self.entries[m]["group"], self.entries[m]["sig"]) for m in mates]
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT f.exact, f.grp, f.sig FROM state.fingerprint f WHERE f.num IN "
            f"(SELECT num FROM state.band WHERE key IN ({marks})) ORDER BY f.doc_id",
            keys,
        )
        return [(group_of(exact, grp), _sig_list(sig)) for exact, grp, sig in rows]

    def _register(self, doc_id: str, entry: _Entry) -> None:
        keys = _band_keys(entry["sig"]) if entry["sig"] else []
        if self.fresh:
            self.entries[doc_id] = entry
            self._unsaved.add(doc_id)
            self._exact.setdefault(entry["exact"], doc_id)
            for key in keys:
                self._bands.setdefault(key, set()).add(doc_id)
            return
        exact = bytes.fromhex(entry["exact"])
        number = self.db.execute(
            "INSERT INTO state.fingerprint(doc_id, exact, sig, grp) VALUES (?, ?, ?, ?)",
            (doc_id, exact, _sig_bytes(entry["sig"]), stored_group(exact, entry["group"])),
        ).lastrowid
        self.db.executemany("INSERT INTO state.band(key, num) VALUES (?, ?)", [(k, number) for k in keys])

    def forget(self, doc_id: str) -> None:
        if not self.fresh or (doc_id in self.entries and doc_id not in self._unsaved):
            row = self.db.execute(
                "SELECT num, sig FROM state.fingerprint WHERE doc_id = ?", (doc_id,)
            ).fetchone()
            if row is None:
                return
            number, sig = row[0], _sig_list(row[1])
            self.db.execute("DELETE FROM state.fingerprint WHERE num = ?", (number,))
            keys = _band_keys(sig) if sig else []
            self.db.executemany(
                "DELETE FROM state.band WHERE key = ? AND num = ?", [(k, number) for k in keys]
            )
            if not self.fresh:
                return
        self._unsaved.discard(doc_id)
        entry = self.entries.pop(doc_id, None)
        if entry is None:
            return
        if self._exact.get(entry["exact"]) == doc_id:
            del self._exact[entry["exact"]]
            for other, e in self.entries.items():  # another copy now stands for this text
                if e["exact"] == entry["exact"]:
                    self._exact[entry["exact"]] = other
                    break
        for key in _band_keys(entry["sig"]) if entry["sig"] else ():
            self._bands.get(key, set()).discard(doc_id)

    def save(self) -> None:
        """Write a fresh build's new entries to the side tables (an update wrote its rows as it went)."""
        if not self.fresh:
            return
        entries = [(d, self.entries[d]) for d in sorted(self._unsaved)]
        first = self.db.execute("SELECT coalesce(max(num), 0) + 1 FROM state.fingerprint").fetchone()[0]
        rows = []
        for number, (doc_id, entry) in enumerate(entries, start=first):
            exact = bytes.fromhex(entry["exact"])
            group = stored_group(exact, entry["group"])
            rows.append((number, doc_id, exact, _sig_bytes(entry["sig"]), group))
        self.db.executemany(
            "INSERT INTO state.fingerprint(num, doc_id, exact, sig, grp) VALUES (?, ?, ?, ?, ?)", rows
        )
        bands = [
            (key, row[0])
            for row, (_, e) in zip(rows, entries)
            if e["sig"] is not None
            for key in _band_keys(e["sig"])
        ]
        self.db.executemany("INSERT INTO state.band(key, num) VALUES (?, ?)", sorted(bands))
        self._unsaved.clear()


def copy_groups(view: IndexView, generation: Path | None):
    """A numpy array giving each document of ``view``'s searcher a group number, the same for the
    copies of one story and -1 for a document without copies (built once per view, kept in it).

    Read from the array saved at index time for this version of the index; else the previous
    version's array extended by the documents added since; else worked out from the shared group
    keys of the side tables (a posting read each), or from every group key.
    """
    return view.table("copy_groups", lambda view: _copy_groups(view, generation))


def _copy_groups(view: IndexView, generation: Path | None):
    groups = _saved_groups(generation, view.searcher.reader())
    return groups if groups is not None else _grouped(view, generation)[0]


def _grouped(view: IndexView, generation: Path | None) -> tuple[np.ndarray, list[str]]:
    """The group array and the group keys in number order."""
    extended = _extended(view, generation)
    if extended is not None:
        return extended
    reader = view.searcher.reader()
    keys = shared_groups(generation) if generation is not None else None
    if keys is None:
        keys = [
            key
            for key in (t.decode("utf-8") for t in reader.lexicon("dup_of"))
            if key and reader.doc_frequency("dup_of", key) > 1
        ]
    groups = np.full(reader.doc_count_all(), -1, dtype=np.int64)
    numbered: list[str] = []
    for key in keys:
        members = term_postings(view, "dup_of", key)  # deleted copies too: they never match
        if len(members) > 1:
            groups[members] = len(numbered)
            numbered.append(key)
    return groups, numbered


def _extended(view: IndexView, generation: Path | None) -> tuple[np.ndarray, list[str]] | None:
    """The saved groups of an earlier version for the segments this one still holds (found by id,
    wherever they now stand: Whoosh's merges reorder the segments they keep), with a stored key read
    for each document of the other segments instead of the postings of every shared key (3 s on
    120,000 articles, and 36 s when a merge had moved the segments and every document was read)."""
    if generation is None:
        return None
    reader = view.searcher.reader()
    segments, counts = _segments_of(reader)
    for path in sorted(generation.glob("copies-*.npz")):
        saved = _load(path)
        if saved is None:
            continue
        saved_at: dict[tuple[str, int], int] = {}  # (segment id, documents) -> its first number then
        offset = 0
        for segment, count in zip(saved["segments"], saved["counts"]):
            saved_at[(str(segment), int(count))] = offset
            offset += int(count)
        groups = np.full(reader.doc_count_all(), -1, dtype=np.int64)
        unknown: list[range] = []  # document numbers of the segments the saved groups do not cover
        start = 0
        for segment, count in zip(segments, counts):
            before = saved_at.get((segment, count))
            if before is None:
                unknown.append(range(start, start + count))
            else:
                groups[start : start + count] = saved["groups"][before : before + count]
            start += count
        if len(unknown) == len(segments):
            continue
        keys = saved["keys"].tolist()
        number = {key: i for i, key in enumerate(keys)}
        for docnum in (docnum for numbers in unknown for docnum in numbers):
            key = reader.stored_fields(docnum).get("dup_of") if not reader.is_deleted(docnum) else None
            if not key:
                continue
            if key not in number:
                members = term_postings(view, "dup_of", key)
                if len(members) < 2:
                    continue
                number[key] = len(keys)
                keys.append(key)
                groups[members] = number[key]
            groups[docnum] = number[key]
        return groups, keys
    return None


def _segments_of(reader) -> tuple[list[str], list[int]]:
    # (an index without documents has no segment: its one reader is an empty one)
    leaves = [leaf for leaf, _ in reader.leaf_readers() if leaf.segment() is not None]
    return [leaf.segment().segment_id() for leaf in leaves], [leaf.doc_count_all() for leaf in leaves]


def _groups_file(generation: Path, reader) -> Path:
    # document numbers hold for one version of the index (Whoosh's TOC generation), not beyond it
    return generation / f"copies-{reader.generation()}.npz"


def _load(path: Path) -> dict | None:
    """A saved group array and what it is of, or None when it cannot be read (then worked out again:
    the zip's checksums tell a damaged file, so a damaged one is never used)."""
    try:
        # (opened here: np.load leaves a file it opened open when the file is not a whole zip)
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
            return {name: data[name] for name in ("groups", "keys", "segments", "counts")}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def unreadable_copy_groups(generation: Path) -> list[str]:
    """The names of the saved group arrays of ``generation`` that cannot be read."""
    return [path.name for path in sorted(Path(generation).glob("copies-*.npz")) if _load(path) is None]


def _saved_groups(generation: Path | None, reader):
    if generation is None:
        return None
    saved = _load(_groups_file(generation, reader))
    if saved is None or saved["groups"].shape != (reader.doc_count_all(),):
        return None
    return saved["groups"]


def save_copy_groups(ix, generation: Path) -> None:
    """Work out the group array of the index's current version once, at index time, and keep it
    beside the index: reading the group keys' postings took ~1 s on the first query of each searcher
    over 120,000 articles (4,300 groups)."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        target = _groups_file(generation, reader)
        if _load(target) is not None:  # (a damaged one is written again)
            return
        groups, keys = _grouped(IndexView(searcher), generation)
        segments, counts = _segments_of(reader)
    tmp = target.with_name(target.name.removesuffix(".npz") + ".tmp.npz")
    np.savez(
        tmp,
        groups=groups,
        keys=np.array(keys, dtype=str),
        segments=np.array(segments, dtype=str),
        counts=np.array(counts, dtype=np.int64),
    )
    tmp.replace(target)
    for old in [*generation.glob("copies-*.npz"), *generation.glob("copies-*.npy")]:
        if old != target:
            old.unlink(missing_ok=True)


def first_of_each_group(docnums, scores, groups):
    """Which of the matches ``docnums`` (with their ``scores``) to show: all but the lower-ranked
    copies of a story (ranked as the result list ranks: by score, then document number)."""
    of = groups[docnums]
    keep = of < 0
    grouped = np.flatnonzero(~keep)
    if grouped.size:  # copies are few: only they are sorted
        grouped = grouped[np.lexsort((docnums[grouped], -scores[grouped]))]
        _, first = np.unique(of[grouped], return_index=True)
        keep[grouped[first]] = True
    return keep
