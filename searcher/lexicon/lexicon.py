"""What the indexed text says about Vietnamese spelling, learned while indexing.

For every run of 1-4 syllables (never across punctuation, digits or line ends) the lexicon counts how
it is written: folded key (``quoc phong``) → accented form (``quốc phòng``) → count, plus its most
frequent capitalisation (``UBND tỉnh``, ``Lai Châu``). Diacritic restoration (:mod:`.restore`),
spelling suggestions (:mod:`.spelling`) and autocomplete (:mod:`.suggest`) read these counts.

Storage: ``lexicon.sqlite`` in the index generation folder. SQLite opens in about a millisecond and
answers keyed look-ups without loading anything, which keeps the CLI's cold start within budget.

Tables::

    ngram(key, form, n, count, caps, cased_count)
                                              key = folded, i/y-canonical syllables; form = lowercase,
                                              canonical tone placement, i/y as written, stored as one
                                              number per syllable (:mod:`.vocabulary`); caps = its most
                                              frequent capitalisation, as a mask of capital letters
    syllable(key, code, form)                 the numbers of the written syllables (:mod:`.vocabulary`)
    suggest(key, form, display, count)        the phrases autocomplete may offer, most frequent first
                                              (display NULL: shown as the form)
    suggest_top(prefix, rows)                 precomputed answers for prefixes of 1-2 characters
    suggest_cut(side, form)                   word-edge statistics of the last full choice of phrases
    suggest_joined(text, joined)              pyvi's answers to "one word?" asked by the choices
    meta(name, value)                         format version, syllable total

Counting is done with integer codes (:mod:`searcher.lexicon.ngrams`); canonical forms and keys are computed once
per distinct n-gram when the counts are written to SQLite, once per run.
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from ..processes import die_with_parent
from ..text.normalize import canonical_iy, canonical_tone, fold
from ..text.segmenter import word_segmenter
from . import vocabulary
from .ngrams import NUMBER, NgramCounts
from .vocabulary import Vocabulary, caps_in, caps_of, with_caps

if TYPE_CHECKING:
    from whoosh.searching import Searcher

LEXICON_FILE = "lexicon.sqlite"
FORMAT = 2  # 1: forms and capitalisations written out (converted by :func:`upgrade`)
SUGGEST_ROWS = 300_000
# 3-4-grams seen once are kept, so that adding documents one run at a time counts what one build of
# them counts, until there are this many; then they are dropped (a large build drops them as it counts).
RARE_PHRASES_KEPT = 500_000
# The autocomplete tables are chosen from every count (minutes at archive scale): an update judges
# again only the phrases whose counts it changed, with the word-edge statistics of the last full choice,
# and chooses again from every count when the syllables added or removed since then reach this share
# of the total, and always while the index is small.
SUGGEST_REFRESH_SHARE = 0.25
ALWAYS_REFRESH_TOKENS = 300_000
CHANGED_KEPT = 2_000_000  # n-grams changed by a run past which it chooses from every count
SUGGEST_TOP_CHARS = 2  # prefixes this short are answered from a precomputed list
SUGGEST_TOP_ROWS = 60
# A 3-4 syllable phrase whose last two syllables go on with one same syllable this often is cut inside
# a word ("quốc phòng toàn" of "quốc phòng toàn dân") and is not offered.
CUT_SHARE = 0.85

# Function words: a suggestion of several syllables neither starts nor ends with one ("của quốc phòng",
# "quốc phòng và" are not things people search for); nor does it end with a word that opens a clause
# ("Tổng Bí thư nói", "Hà Nội vừa", "Trung Quốc phải").
EDGE_STOP = frozenset(
    "của và các là có được cho với trong những đã để thì mà này ở tại về theo từ một không khi đến như "
    "do bị nên cũng sẽ đang vào ra lên hay hoặc nhưng vì nếu rằng thế nào gì ai đó kia ấy vẫn còn rất "
    "lại mọi mỗi nhiều sau trước đây qua bằng cùng tới hơn".split()
)
END_STOP = EDGE_STOP | frozenset("phải vừa nói đều luôn nhằm giữa thêm chỉ nhấn yêu tiếp nhắc thuộc".split())
END_PAIRS = frozenset(["cho biết", "cho rằng", "nhấn mạnh", "khẳng định", "lưu ý", "yêu cầu"])
# A phrase ends inside a word when its last syllables (up to three) go on with one same syllable and
# that syllable makes a word with the last one. After a whole word many different words follow, each
# rarely ("quốc phòng": the most frequent 11% of the time); inside a word one does, or one of a few
# ("quốc phòng và an" → "ninh", "xây dựng cơ" → "sở", "bản", "chế"). Between the two the statistics do
# not tell "chủ tịch nước" (57% "Trần") from "khu vực phòng" (57% "thủ"): pyvi's word segmentation of
# the phrase with its next syllable does ("chủ_tịch nước Trần", "khu_vực phòng_thủ"). Shares of the
# phrase's own count; ``rest``: followed by punctuation, a line end or syllables seen once.
CLEARLY_INSIDE = 0.9  # followed by one same syllable this often (and rarely by anything else)
CLEARLY_OUTSIDE = 0.3  # no syllable follows this often, nor one of three twice as often
# A phrase of 4 syllables (the longest counted) that ends inside a word is offered with its continuation
# instead, up to this length ("Thủ tướng Nguyễn Xuân Phúc"); and one that goes on with one syllable this
# often is offered with it as well ("Bộ Chỉ huy Quân sự" and "Bộ Chỉ huy Quân sự tỉnh").
MAX_SUGGEST_SYLLABLES = 6
ALSO_SHARE = 0.3
ALSO_MIN_COUNT = 5
JUDGED_AT_ONCE = 2_000  # phrases an update judges between looks at the least count that stays
# A fresh build's first write of this many 4-grams or more writes the 3-grams and the 4-grams in two
# forked processes, each into a file of its own copied in at the end, while this one writes the
# 2-grams: the core otherwise idle at the end of a build writes its share of the rows.
FORKED_WRITE_ROWS = 1_000_000
APART_FILE = "lexicon-{n}grams.sqlite.tmp"  # (left by a killed run: removed as half-written)


class _Memo(dict):
    """A per-process memo of a one-argument function over syllables (bounded: junk tokens exist)."""

    def __init__(self, func):
        super().__init__()
        self.func = func

    def __missing__(self, token: str) -> str:
        if len(self) > 300_000:
            self.clear()
        value = self[token] = self.func(token)
        return value


_CANON = _Memo(canonical_tone)  # lowercase syllable -> canonical tone placement
# form -> folded, i/y-canonical key (query planning and counting ask for the same ones again and again)
_KEYS = _Memo(lambda syllable: canonical_iy(fold(syllable)))


def syllable_key(syllable: str) -> str:
    """The folded, i/y-canonical lookup key of one lowercase syllable (``kĩ`` → ``ky``)."""
    return _KEYS[syllable]


def phrase_key(form: str) -> str:
    return " ".join(syllable_key(s) for s in form.split(" "))


class LexiconBuilder:
    """Counts the n-grams of documents added to (and removed from) an index; :meth:`save` writes them.

    :param generation: the index generation folder the lexicon belongs to.
    :param fresh: the generation is new (counts start from zero) rather than updated in place.
    :param ix: the Whoosh index, read for the stored text of replaced and removed documents and to
        rebuild a lexicon that is missing from an existing generation.
    """

    def __init__(
        self,
        generation: Path,
        fresh: bool,
        ix=None,
        db: sqlite3.Connection | None = None,
        journal: bool = False,
        recount: bool = False,
    ):
        self.path = Path(generation) / LEXICON_FILE
        self.fresh = fresh
        self.journal = journal or not fresh  # a fresh generation is unjournaled unless already live
        self.ix = ix
        self._searcher: Searcher | None = None
        self._plus = NgramCounts()
        self._minus: NgramCounts | None = None
        # a connection of the caller's (the side tables': searcher.index.sidetables), committed by it
        self._shared = db
        self._db: sqlite3.Connection | None = db
        self._tokens = 0
        self._moved = 0  # syllables added or removed by this run
        self._long_rows = 0  # 3-4-gram rows it added to (each may be a phrase seen once)
        # (key, form) → how much the count moved, for the counts written since the last choice of phrases
        self._changed: dict[tuple[str, str], int] = {}
        self._stored: dict[tuple[str, str], bytes | str | None] = {}  # and how the table holds those forms
        self.changed = False
        # An existing generation without a lexicon (or with an older format) is rebuilt from its text.
        self.bootstrap = not fresh and (recount or not _readable(self.path))

    # --- counting ---------------------------------------------------------------------------------
    def add(self, title: str, text: str) -> None:
        """Count a document that enters the index."""
        self.changed = True
        if self.bootstrap:
            return  # counted from the index itself at save time
        added = self._plus.add(title) + self._plus.add(text)
        self._tokens += added
        self._moved += added

    def forget(self, doc_id: str) -> None:
        """Uncount the indexed version of ``doc_id`` (about to be replaced or removed), if any."""
        self.changed = True
        if self.bootstrap or self.fresh or self.ix is None:
            return
        if self._searcher is None:
            self._searcher = self.ix.searcher()  # the state before this run's changes
        stored = self._searcher.document(id=doc_id)
        if stored:
            if self._minus is None:
                self._minus = NgramCounts(lossy=False)  # subtracted: exact
            removed = self._minus.add(stored.get("title") or "") + self._minus.add(stored.get("text") or "")
            self._tokens -= removed
            self._moved += removed

    # --- writing ------------------------------------------------------------------------------------
    def save(self, final: bool = True) -> None:
        """Write the counts and, at the end of a run (``final``), bring the autocomplete tables up to
        date: the phrases whose counts changed, or all of them when the counts moved enough (one
        transaction on an existing file; on a shared connection its owner commits). A builder can go
        on counting after an intermediate save."""
        # Millions of rows and phrases are made and dropped here, none in a reference cycle: Python's
        # cycle collector would walk every one of them again and again.
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._save(final)
        finally:
            if enabled:
                gc.enable()

    def _save(self, final: bool) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if not self.changed and not self.bootstrap and not self.fresh:
            return
        self.changed = False
        if self.bootstrap:
            self._count_index()
        db = self._connect()
        syllables = Vocabulary(db, grow=True)  # (numbers given now are written in this transaction)
        if self._minus is not None:
            self._write_moves(self._minus, self._plus, syllables)
            self._minus = None
        else:
            # a first write of more phrases seen once than are kept leaves them out: the table would
            # drop them just below, after inserting them one by one
            first = self.fresh and not int(_meta(db, "saves") or 0)
            self._write(self._plus, syllables, not first or self._plus.long_seen_once() <= RARE_PHRASES_KEPT)
        self._plus = NgramCounts()
        tokens = int(_meta(db, "tokens") or 0) + self._tokens
        moved = int(_meta(db, "moved_since_suggest") or 0) + self._moved
        self._tokens = self._moved = 0
        # (counted only when they may be too many: an upper bound is kept between counts)
        rare = int(_meta(db, "rare_phrases_at_most") or 0) + self._long_rows
        self._long_rows = 0
        if self.fresh or rare > RARE_PHRASES_KEPT:
            rare = db.execute("SELECT count(*) FROM ngram WHERE n > 2 AND count < 2").fetchone()[0]
            if rare > RARE_PHRASES_KEPT:
                db.execute("DELETE FROM ngram WHERE n > 2 AND count < 2")
                rare = 0
        _set_meta(db, "rare_phrases_at_most", rare)
        _set_meta(db, "tokens", tokens)
        _set_meta(db, "format", FORMAT)
        _set_meta(db, "saves", int(_meta(db, "saves") or 0) + 1)  # (see searcher.index.sidetables)
        if final:
            if (
                self.fresh
                or tokens < ALWAYS_REFRESH_TOKENS
                or moved > SUGGEST_REFRESH_SHARE * tokens
                or _meta(db, "suggest_cuts") is None  # (chosen before the statistics were stored)
                or len(self._changed) > CHANGED_KEPT
            ):
                _build_suggest(db)
                moved = 0
            elif self._changed:
                _update_suggest(db, self._changed, self._stored, syllables)
            self._changed = {}
            self._stored = {}
        _set_meta(db, "moved_since_suggest", moved)
        if self._shared is None:
            db.commit()
            if self.fresh and final:
                # rows of each length are added across the whole key order, which leaves pages about
                # 80% full; packed again in a second or two per 100 MB, the file is a tenth smaller
                db.execute("VACUUM")
            db.close()
            self._db = None

    def _count_index(self) -> None:
        if self._shared is not None:
            for table in ("meta", "ngram", "suggest", "suggest_top"):
                self._shared.execute(f"DELETE FROM {table}")
        elif self.path.exists():
            self.path.unlink()
        self._plus = NgramCounts()
        self._minus = None
        self._tokens = 0
        self.bootstrap = False
        self.fresh = True
        if self.ix is None:
            return
        with self.ix.searcher() as searcher:
            for stored in searcher.all_stored_fields():
                self.add(stored.get("title") or "", stored.get("text") or "")

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(str(self.path), isolation_level="DEFERRED")
            if not self.journal:
                # a generation being built is not live: nobody reads it until the switch
                db.execute("PRAGMA journal_mode=OFF")
                db.execute("PRAGMA synchronous=OFF")
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    def _write(self, counts: NgramCounts, syllables: Vocabulary, with_seen_once: bool = True) -> None:
        """Add the counts to the table, one length of n-gram at a time (memory holds the rows of one
        length); the 3-4-grams counted once only if ``with_seen_once``."""
        apart: list[_ApartWrite] = []
        lengths: tuple[int, ...] = (1, 2, 3, 4)
        if (
            self.fresh
            and self._shared is None
            and hasattr(os, "fork")
            and counts.distinct(4) >= FORKED_WRITE_ROWS
        ):
            # (every syllable of a longer n-gram is a 1-gram: once those are written, the forked
            # processes number no syllable, and their rows read as this one's would)
            for n, rows in _rows_by_length(counts, 1, with_seen_once, lengths=(1,)):
                self._write_rows(n, rows, 1, syllables)
            apart = [_ApartWrite.start(self, counts, syllables, with_seen_once, n) for n in (3, 4)]
            lengths = (2,)
        for n, rows in _rows_by_length(counts, 1, with_seen_once, lengths):
            self._write_rows(n, rows, 1, syllables)
        for written in apart:
            if not written.copy_into(self._connect()):
                # (the forked process failed: its rows are written here, where what failed is met again)
                for n, rows in _rows_by_length(counts, 1, with_seen_once, lengths=(written.n,)):
                    self._write_rows(n, rows, 1, syllables)

    def _write_moves(self, minus: NgramCounts, plus: NgramCounts, syllables: Vocabulary) -> None:
        """Subtract ``minus`` and add ``plus``, writing only what moves: a replaced document's new
        version shares nearly every n-gram with the old one, and those rows are left as they are."""
        removed = dict(_rows_by_length(minus, -1))
        added = dict(_rows_by_length(plus, 1))
        rises: dict[int, list[tuple]] = {}
        for n in sorted(removed.keys() | added.keys()):
            falls = {row[:2]: row for row in removed.get(n, [])}
            up = rises[n] = []
            for row in added.get(n, []):
                fall = falls.pop(row[:2], None)
                net = row[3] + fall[3] if fall is not None else row[3]
                if net > 0:
                    up.append((*row[:3], net, *row[4:]))
                elif net < 0:
                    falls[row[:2]] = (*row[:3], net, 0, 0)
                # (a row whose count does not move is not written)
            self._write_rows(n, list(falls.values()), -1, syllables)
        for n, rows in rises.items():
            self._write_rows(n, rows, 1, syllables)

    def _write_rows(self, n: int, rows: list[tuple], sign: int, syllables: Vocabulary) -> None:
        """Add the rows' counts (``sign``: all of them rise, or all fall) to the table."""
        db = self._connect()
        sql = "INSERT INTO ngram(key, form, n, count, caps, cased_count) VALUES (?, ?, ?, ?, ?, ?) " + (
            _UPSERT_RISES
            if sign > 0
            else "ON CONFLICT(key, form) DO UPDATE SET count = count + excluded.count"
        )
        rows.sort()  # key order: inserts into the B-tree stay local, several times faster
        syllables.expect(len(rows))
        stored = syllables.stored
        written = [(key, stored(key, form, n), n, count, caps, cc) for key, form, _, count, caps, cc in rows]
        db.executemany(sql, written)
        if not self.fresh and len(self._changed) <= CHANGED_KEPT:
            moved, kept = self._changed, self._stored
            for row, as_stored in zip(rows, written):
                moved[row[:2]] = moved.get(row[:2], 0) + row[3]
                kept[row[:2]] = as_stored[1]
        if n > 2:  # (an upper bound of the phrases now seen once)
            self._long_rows += len(rows)
        if sign < 0:  # only what was subtracted can reach zero (a scan of the table is seconds)
            db.executemany(
                "DELETE FROM ngram WHERE key = ? AND form = ? AND count <= 0", [row[:2] for row in written]
            )


class _ApartWrite:
    """The ``n``-grams written by a forked process into a file of their own (:data:`APART_FILE`
    beside the lexicon), then copied into the lexicon's table in one statement."""

    def __init__(self, n: int, pid: int, path: Path):
        self.n = n
        self.pid = pid
        self.path = path

    @classmethod
    def start(
        cls, builder: LexiconBuilder, counts: NgramCounts, syllables: Vocabulary, with_seen_once: bool, n: int
    ) -> _ApartWrite:
        path = builder.path.with_name(APART_FILE.format(n=n))
        path.unlink(missing_ok=True)  # (left by a run that was killed)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the forked process (its work is checked by the copy)
            status = 1
            try:
                die_with_parent()
                db = sqlite3.connect(str(path), isolation_level="DEFERRED")
                db.execute("PRAGMA journal_mode=OFF")
                db.execute("PRAGMA synchronous=OFF")
                db.executescript(_SCHEMA)
                builder._db = db
                syllables.write_apart(db)
                for length, rows in _rows_by_length(counts, 1, with_seen_once, lengths=(n,)):
                    builder._write_rows(length, rows, 1, syllables)
                db.commit()
                db.close()
                status = 0
            except BaseException:  # (this process writes the rows instead, and meets what failed)
                pass
            finally:
                os._exit(status)
        return cls(n, pid, path)

    def copy_into(self, db: sqlite3.Connection) -> bool:
        """Wait for the forked process and copy its rows in; False if it failed (nothing copied)."""
        _, status = os.waitpid(self.pid, 0)
        try:
            if os.waitstatus_to_exitcode(status) != 0:
                return False
            schema = f"apart{self.n}"  # (attached until the connection closes: no detaching mid-transaction)
            db.execute(f"ATTACH DATABASE ? AS {schema}", (str(self.path),))
            db.execute(
                "INSERT INTO ngram(key, form, n, count, caps, cased_count) "
                f"SELECT key, form, n, count, caps, cased_count FROM {schema}.ngram WHERE true "
                + _UPSERT_RISES
            )
            return True
        finally:
            self.path.unlink(missing_ok=True)  # (an attached file is read on until it is closed)


def _rows_by_length(
    counts: NgramCounts, sign: int, with_seen_once: bool = True, lengths: tuple[int, ...] = (1, 2, 3, 4)
) -> Iterator[tuple[int, list[tuple]]]:
    """``(n, rows)`` for each length of the n-grams counted (of ``lengths``): table rows ``(key, form,
    n, sign * count, caps, cased count)`` (see :meth:`NgramCounts.rows` for ``with_seen_once``)."""
    key_of = _KEYS.__getitem__
    join = " ".join
    for n, grams in groupby(counts.rows(with_seen_once, lengths), key=itemgetter(0)):
        if n <= 2:
            yield n, _written_rows(grams, sign)
        else:  # 3-4 syllables were counted lowercase and canonical (their display is composed)
            yield (
                n,
                [
                    (join(map(key_of, form.split(" "))), form, n, sign * count, 0, 0)
                    for _, form, count in grams
                ],
            )


def _written_rows(grams, sign: int) -> list[tuple]:
    """Table rows of 1-2-grams counted as written: one per (key, form), with the form's most
    frequent capitalisation (on a tie the lowercase one: a capital at a sentence's start)."""
    canon, key_of = _CANON.__getitem__, _KEYS.__getitem__
    join = " ".join
    rows: dict[tuple[str, str], list] = {}
    for n, raw, count in grams:
        low = raw.lower()
        form = canon(low) if n == 1 else join(map(canon, low.split(" ")))
        key = key_of(form) if n == 1 else join(map(key_of, form.split(" ")))
        # a moved tone mark keeps the length: the case is copied by letter
        caps = caps_of(form, raw) if raw != low and len(form) == len(raw) else 0
        row = rows.get((key, form))
        if row is None:
            rows[(key, form)] = [n, count, caps, count]
        else:
            row[1] += count
            if count > row[3] or (count == row[3] and not caps):
                row[2], row[3] = caps, count
    return [(k, f, n, sign * c, caps, cc) for (k, f), (n, c, caps, cc) in rows.items()]


_UPSERT_RISES = (
    "ON CONFLICT(key, form) DO UPDATE SET count = count + excluded.count, "
    "caps = CASE WHEN excluded.cased_count > cased_count THEN excluded.caps ELSE caps END, "
    "cased_count = max(cased_count, excluded.cased_count)"
)

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ngram(key TEXT NOT NULL, form BLOB NOT NULL, n INTEGER NOT NULL,
    count INTEGER NOT NULL, caps INTEGER NOT NULL, cased_count INTEGER NOT NULL,
    PRIMARY KEY (key, form)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS suggest(key TEXT NOT NULL, form TEXT NOT NULL, display TEXT,
    count INTEGER NOT NULL, PRIMARY KEY (key, form)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS suggest_top(prefix TEXT PRIMARY KEY, rows TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ngram_rare ON ngram(n) WHERE n > 2 AND count < 2;
CREATE TABLE IF NOT EXISTS suggest_cut(side INTEGER NOT NULL, form TEXT NOT NULL,
    PRIMARY KEY (side, form)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS suggest_joined(text TEXT PRIMARY KEY, joined INTEGER NOT NULL) WITHOUT ROWID;
"""
    + vocabulary.SCHEMA
)


def create_tables(db: sqlite3.Connection) -> None:
    """Create the lexicon's tables where missing (``executescript`` commits: call it before a transaction)."""
    db.executescript(_SCHEMA)


def _meta(db: sqlite3.Connection, name: str):
    row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def _set_meta(db: sqlite3.Connection, name: str, value) -> None:
    db.execute("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)", (name, str(value)))


def _readable(path: Path) -> bool:
    return stored_format(path) == str(FORMAT)


def stored_format(path: Path) -> str | None:
    """The format of the lexicon at ``path`` (None: none, or not readable as one)."""
    return stored_meta(path, "format")


def stored_meta(path: Path, name: str) -> str | None:
    """The value ``name`` of the lexicon's meta table at ``path`` (None: none, or not readable)."""
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return _meta(db, name)
        finally:
            db.close()
    except sqlite3.Error:
        return None


def upgrade(generation: Path) -> bool:
    """Convert the lexicon of ``generation`` from format 1 (forms and capitalisations written out) to
    this one: the same counts and choices, in a new file that then takes the old one's place (a run
    stopped meanwhile leaves the old one). Returns whether there was one to convert."""
    path = Path(generation) / LEXICON_FILE
    if not path.exists():
        return False
    db = sqlite3.connect(str(path))  # (as a writer: what a run killed as it committed left is undone)
    try:
        version = _meta(db, "format")
    except sqlite3.DatabaseError:  # not a lexicon yet; or damaged, as its first reader says
        version = None
    finally:
        db.close()
    if version != "1":
        return False
    replace_with_new(path, lambda new: _convert(path, new))
    return True


def replace_with_new(path: Path, write: Callable[[Path], None]) -> None:
    """Write a side table's new version beside ``path`` (``write(new)``), flush it to the disk and put
    it in the old one's place: a run stopped meanwhile leaves the old file as it was."""
    new = path.with_name(path.name + ".new")
    new.unlink(missing_ok=True)
    try:
        write(new)
        with open(new, "rb") as written:
            os.fsync(written.fileno())
    except BaseException:
        new.unlink(missing_ok=True)
        raise
    os.replace(new, path)


def _convert(path: Path, new: Path) -> None:
    db = sqlite3.connect(str(new))
    try:
        db.execute("PRAGMA journal_mode=OFF")  # (not the lexicon until renamed)
        db.execute("PRAGMA synchronous=OFF")
        db.executescript(_SCHEMA)
        db.execute("ATTACH DATABASE ? AS old", (str(path),))
        for table in ("meta", "suggest_top", "suggest_cut", "suggest_joined"):
            db.execute(f"INSERT INTO main.{table} SELECT * FROM old.{table}")
        db.execute(
            "INSERT INTO main.suggest(key, form, display, count) SELECT key, form, "
            "CASE WHEN display = form THEN NULL ELSE display END, count FROM old.suggest"
        )
        syllables = Vocabulary(db, grow=True)
        rows = db.execute("SELECT key, form, n, count, cased, cased_count FROM old.ngram ORDER BY key, form")
        while batch := rows.fetchmany(100_000):
            stored = [syllables.stored(key, form, n) for key, form, n, *_ in batch]
            db.executemany(
                "INSERT INTO main.ngram(key, form, n, count, caps, cased_count) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (key, code, n, count, caps_in(form, cased) if cased != form else 0, cased_count)
                    for (key, form, n, count, cased, cased_count), code in zip(batch, stored)
                ],
            )
        _set_meta(db, "format", FORMAT)
        db.commit()
        db.execute("DETACH DATABASE old")
    finally:
        db.close()


def display_form(form: str, cased: str) -> str:
    """How a phrase is shown: lowercase, except the syllables that the corpus mostly capitalises
    ("UBND tỉnh", "Lai Châu"); a capital only because a sentence or title starts there is dropped."""
    if cased == form:
        return form
    shown = cased.split(" ")
    if len(shown) > 1 and shown[0][:1].isupper() and not shown[0].isupper() and not shown[1][:1].isupper():
        shown[0] = shown[0].lower()  # "Xây dựng": a sentence start, not a name
    return " ".join(shown)


def _compose_case(syllables: list[str], pair_cased: dict[str, str]) -> str:
    """The capitalisation of a longer phrase from that of its pairs (each syllable as in the pair that
    ends with it; the first as in the first pair)."""
    out = []
    for i in range(len(syllables)):
        a, b = (0, 1) if i == 0 else (i - 1, i)
        pair = f"{syllables[a]} {syllables[b]}"
        cased = pair_cased.get(pair, pair).split(" ")
        out.append(cased[0] if i == 0 else cased[1])
    return " ".join(out)


def _build_suggest(db: sqlite3.Connection) -> None:
    """Choose the phrases autocomplete offers: frequent, not cut inside a word, no function-word edges."""
    with _StoredAnswers(db):
        _choose_all(db)


def _choose_all(db: sqlite3.Connection) -> None:
    syllables = Vocabulary(db)
    syllables.load_all()
    cuts = _Cuts.worked_out(db, syllables)
    db.execute("DELETE FROM suggest")
    db.execute("DELETE FROM suggest_top")
    rows = []
    tails = {}  # the last syllables of each phrase, as stored -> written
    as_stored = _AsStored(syllables)
    for key, form, n, count, cased, stored in _most_frequent(db, syllables, 4 * SUGGEST_ROWS):
        cut = cuts.verdict(form, n)
        if cut is not None:
            rows.append((key, form, n, count, cased, cut))
            if n > 1:
                tails[as_stored.tail(key, stored)] = _tail(form)
    goes_on = _continuations(db, syllables, tails)
    chosen: list[tuple] = []
    for key, form, n, count, cased, cut in rows:
        goes = goes_on.get(_tail(form)) if n > 1 else None
        chosen.extend(_offered(db, syllables, key, form, n, count, cased, cut, goes, cuts.pair_cased))
        if len(chosen) >= SUGGEST_ROWS:
            break
    # (a phrase longer than the counted ones may be reached from two of them: kept once, the larger count)
    chosen = list({row[1]: row for row in sorted(chosen, key=lambda row: row[3])}.values())
    chosen.sort(key=lambda row: -row[3])
    db.executemany(
        "INSERT INTO suggest(key, form, display, count) VALUES (?, ?, ?, ?)", _suggest_rows(sorted(chosen))
    )
    _set_meta(db, "suggest_floor", min(row[3] for row in chosen) if len(chosen) >= SUGGEST_ROWS else 0)
    top: dict[str, list] = {}
    # most frequent first, ties in key and form order (as an update reads a prefix's rows again)
    for key, form, display, count in sorted(chosen, key=lambda row: (-row[3], row[0], row[1])):
        for length in range(1, SUGGEST_TOP_CHARS + 1):
            if len(key) < length:
                break
            bucket = top.setdefault(key[:length], [])
            if len(bucket) < SUGGEST_TOP_ROWS:
                bucket.append((key, form, display, count))
    db.executemany(
        "INSERT INTO suggest_top(prefix, rows) VALUES (?, ?)",
        ((p, json.dumps(rows, ensure_ascii=False)) for p, rows in top.items()),
    )
    cuts.store(db)


def _most_frequent(db: sqlite3.Connection, syllables: Vocabulary, limit: int) -> list[tuple]:
    """``(key, form, n, count, cased, stored form)`` of the ``limit`` most frequent n-grams that may be
    offered (seen twice, a syllable once; no number), ties in key and form order."""
    sql = (
        "SELECT key, form, n, count, caps FROM ngram WHERE count >= CASE WHEN n = 1 THEN 1 ELSE 2 END "
        "AND instr(key, ?) = 0 "  # (a number's key is its form, "#")
    )
    found = db.execute(sql + "ORDER BY count DESC, key LIMIT ?", (NUMBER, limit)).fetchall()
    if len(found) == limit:  # the forms of the last key and count, cut in the order of their numbers
        last_key, last_count = found[-1][0], found[-1][3]
        there = {row[1] for row in found if row[0] == last_key and row[3] == last_count}
        more = db.execute(sql + "AND key = ? AND count = ?", (NUMBER, last_key, last_count))
        found.extend(row for row in more if row[1] not in there)
    rows = []
    for key, form, n, count, caps, stored in syllables.written_out(row + (row[1],) for row in found):
        rows.append((key, form, n, count, with_caps(form, caps) if caps else form, stored))
    # the forms of one key and count (in the order of their numbers) in their written order
    joined = [i for i in range(1, len(rows)) if rows[i][3] == rows[i - 1][3] and rows[i][0] == rows[i - 1][0]]
    run = 0
    while run < len(joined):
        start, end = joined[run] - 1, joined[run] + 1
        while run + 1 < len(joined) and joined[run + 1] == end:
            run, end = run + 1, end + 1
        rows[start:end] = sorted(rows[start:end], key=itemgetter(1))
        run += 1
    del rows[limit:]
    return rows


def _suggest_rows(rows: list[tuple]) -> list[tuple]:
    """Rows ``(key, form, display, count)`` as the suggest table holds them (display NULL: the form)."""
    return [(key, form, None if display == form else display, count) for key, form, display, count in rows]


def _update_suggest(
    db: sqlite3.Connection,
    changed: dict[tuple[str, str], int],
    stored: dict[tuple[str, str], bytes | str | None],
    syllables: Vocabulary,
) -> None:
    """Bring the autocomplete tables up to date with the counts a run ``changed`` ((key, form) → by
    how much): the phrases offered keep their place with their new counts (or go, when seen less than
    twice), and the phrases that reached the count of the least offered one are judged as
    :func:`_build_suggest` judges, with the word-edge statistics of its last run (stored with it): a
    run's cost grows with what it changed, not with the archive. What the other statistics now say
    of the phrases already judged is learned at the next full choice."""
    # (``stored`` has the keys of ``changed``, in the same order)
    asked = [(key, form, code) for (key, form), code in stored.items()]
    with _StoredAnswers(db), _Asked(db, asked, table="changed") as changed_rows:
        _choose_changed(db, syllables, changed, changed_rows)


def _choose_changed(
    db: sqlite3.Connection, syllables: Vocabulary, changed: dict[tuple[str, str], int], changed_rows: _Asked
) -> None:
    # a phrase below the least offered by the last full choice stays out (as it would have then)
    floor = int(_meta(db, "suggest_floor") or 0)
    kept, dropped = [], []
    for key, form, display, count in changed_rows.rows(
        "SELECT s.key, s.form, coalesce(s.display, s.form), g.count FROM temp.changed a "
        "CROSS JOIN suggest s ON s.key = a.key AND s.form = a.form "
        "LEFT JOIN ngram g ON g.key = s.key AND g.form = a.code"
    ):
        if count is not None and count >= (1 if " " not in form else 2):
            kept.append((key, form, display, count))
        else:
            dropped.append((key, form))
    db.executemany(
        "UPDATE suggest SET count = ? WHERE key = ? AND form = ?", [(r[3], r[0], r[1]) for r in kept]
    )
    db.executemany("DELETE FROM suggest WHERE key = ? AND form = ?", dropped)
    offered = {row[1] for row in kept}
    # what the precomputed answers of short prefixes must take in: rows that only went up, and the
    # keys of rows that went down or out (their prefixes are read again)
    grown = [row for row in kept if changed[row[:2]] > 0]
    shrunk = {key for key, form, _, _ in kept if changed[(key, form)] < 0} | {key for key, _ in dropped}
    candidates = []
    for key, form, n, count, caps in changed_rows.rows(
        "SELECT g.key, a.form, g.n, g.count, g.caps FROM temp.changed a "
        "CROSS JOIN ngram g ON g.key = a.key AND g.form = a.code "
        f"WHERE g.count >= CASE WHEN g.n = 1 THEN 1 ELSE 2 END AND instr(g.key, '{NUMBER}') = 0"
    ):
        least = max(floor, 1 if n == 1 else 2)
        if count >= least > count - changed[(key, form)] and form not in offered:
            candidates.append((key, form, n, count, with_caps(form, caps)))
    cuts = _Cuts.stored(db, syllables, [row[1] for row in candidates])
    judged = [(*row, cut) for row in candidates if (cut := cuts.verdict(row[1], row[2])) is not None]
    # Judged most frequent first, a chunk at a time, until the rest could only be offered to be cut
    # again below: an update that lifts many phrases to the floor judges few of them.
    order = sorted(range(len(judged)), key=lambda i: -judged[i][3])
    standing = _Standing(db)
    offered_by: list[tuple[int, list[tuple]]] = []
    for start in range(0, len(order), JUDGED_AT_ONCE):
        chunk = [judged[i] for i in order[start : start + JUDGED_AT_ONCE]]
        if chunk[0][3] < standing.least_kept():
            break
        goes_on = _continuations_of(db, syllables, {_tail(row[1]) for row in chunk if row[2] > 1})
        cuts.pair_cased.look_up({pair for row in chunk if row[2] > 2 for pair in _pairs(row[1])})
        for i, (key, form, n, count, cased, cut) in zip(order[start:], chunk):
            goes = goes_on.get(_tail(form)) if n > 1 else None
            offered_rows = _offered(db, syllables, key, form, n, count, cased, cut, goes, cuts.pair_cased)
            offered_by.append((i, offered_rows))
            # (only the phrase itself is surely a new row: a longer one may be offered already)
            standing.add(row[3] for row in offered_rows if row[1] == form)
    # written in the order judged: a longer phrase reached from two keeps the last one's count
    offered_by.sort(key=itemgetter(0))
    rows = [row for _, offered_rows in offered_by for row in offered_rows]
    db.executemany(
        "INSERT OR REPLACE INTO suggest(key, form, display, count) VALUES (?, ?, ?, ?)", _suggest_rows(rows)
    )
    grown.extend(rows)
    excess = db.execute("SELECT count(*) FROM suggest").fetchone()[0] - SUGGEST_ROWS
    if excess > 0:  # the least frequent go, as a full choice would stop before them
        out = db.execute(
            "SELECT key, form FROM suggest ORDER BY count, key, form LIMIT ?", (excess,)
        ).fetchall()
        db.executemany("DELETE FROM suggest WHERE key = ? AND form = ?", out)
        shrunk.update(key for key, _ in out)
    _update_top(db, grown, shrunk)


class _Standing:
    """How many suggestion rows have each count, to know the least count that stays among the
    :data:`SUGGEST_ROWS` most frequent: a row offered below it would be cut again at once."""

    def __init__(self, db: sqlite3.Connection):
        self.rows = Counter(dict(db.execute("SELECT count, count(*) FROM suggest GROUP BY count")))

    def add(self, counts: Iterable[int]) -> None:
        self.rows.update(counts)

    def least_kept(self) -> int:
        """The count of the last of the :data:`SUGGEST_ROWS` most frequent rows (0: there are fewer)."""
        above = 0
        for count in sorted(self.rows, reverse=True):
            above += self.rows[count]
            if above >= SUGGEST_ROWS:
                return count
        return 0


def _update_top(db: sqlite3.Connection, grown: list[tuple], shrunk: set[str]) -> None:
    """Bring the answers of short prefixes up to date: a prefix whose rows only went up (or came) takes
    them into its list; one with a row that went down or out is read again from the table."""

    def prefixes(key: str) -> list[str]:
        return [key[:length] for length in range(1, SUGGEST_TOP_CHARS + 1) if len(key) >= length]

    again = {prefix for key in shrunk for prefix in prefixes(key)}
    merged: dict[str, list] = {}
    for row in grown:
        for prefix in prefixes(row[0]):
            if prefix not in again:
                merged.setdefault(prefix, []).append(list(row))
    for prefix, rows in _asked(
        db,
        [(prefix, "") for prefix in merged],
        "SELECT t.prefix, t.rows FROM temp.asked a CROSS JOIN suggest_top t ON t.prefix = a.key",
    ):
        fresh = {(row[0], row[1]) for row in merged[prefix]}
        merged[prefix].extend(row for row in json.loads(rows) if (row[0], row[1]) not in fresh)
    for prefix, rows in merged.items():
        rows.sort(key=lambda row: (-row[3], row[0], row[1]))
        db.execute(
            "INSERT OR REPLACE INTO suggest_top(prefix, rows) VALUES (?, ?)",
            (prefix, json.dumps(rows[:SUGGEST_TOP_ROWS], ensure_ascii=False)),
        )
    for prefix in sorted(again):
        top = db.execute(
            "SELECT key, form, coalesce(display, form), count FROM suggest WHERE key >= ? AND key < ? "
            "ORDER BY count DESC, key, form LIMIT ?",
            (prefix, prefix + "\U0010ffff", SUGGEST_TOP_ROWS),
        ).fetchall()
        if top:
            db.execute(
                "INSERT OR REPLACE INTO suggest_top(prefix, rows) VALUES (?, ?)",
                (prefix, json.dumps([list(row) for row in top], ensure_ascii=False)),
            )
        else:
            db.execute("DELETE FROM suggest_top WHERE prefix = ?", (prefix,))


class _AsStored:
    """Phrases and their parts as the ngram table holds them, ``(key, stored form)``: what phrases read
    by the million are compared by, rather than their written forms. A coded form's parts are its
    numbers' (its key has one word per syllable); a form stored as written is written out and its
    parts stored as any form is."""

    def __init__(self, syllables: Vocabulary):
        self.syllables = syllables

    def of(self, written: str) -> tuple:
        key = phrase_key(written)
        return key, self.syllables.stored(key, written, written.count(" ") + 1)

    def head(self, key: str, form: bytes | str) -> tuple:
        """All the syllables but the last."""
        if type(form) is bytes:
            return key[: key.rfind(" ")], form[:-1]
        written = self.syllables.form(key, form)
        return self.of(written[: written.rindex(" ")])

    def tail(self, key: str, form: bytes | str) -> tuple:
        """The last syllables, up to three (see :func:`_tail`)."""
        if type(form) is bytes:
            if len(form) <= 3:
                return key, form
            cut = -1
            for _ in range(len(form) - 3):
                cut = key.index(" ", cut + 1)
            return key[cut + 1 :], form[-3:]
        return self.of(_tail(self.syllables.form(key, form)))

    def syllable(self, key: str, form: bytes | str) -> tuple:
        """A syllable (a 1-gram) by its key and number, or as written (its key is not one word)."""
        return (key, form[0]) if type(form) is bytes else (key, form)

    def halves(self, key: str, form: bytes | str) -> tuple[tuple, tuple]:
        """The two syllables of a pair (see :meth:`syllable`)."""
        if type(form) is bytes:
            cut = key.find(" ")
            return (key[:cut], form[0]), (key[cut + 1 :], form[1])
        first, second = self.syllables.form(key, form).split(" ", 1)
        return self.syllable(*self.of(first)), self.syllable(*self.of(second))

    def next_syllable(
        self, tail: str, tail_stored: bytes | str | None, key: str, form: bytes | str
    ) -> str | None:
        """The syllable by which a phrase one syllable longer than ``tail`` (``tail_stored`` as
        stored), under a key that continues the tail's, goes on from it; None when it does not start
        with the tail."""
        if type(form) is bytes and type(tail_stored) is bytes:
            if form[:-1] != tail_stored:
                return None
            return self.syllables.syllable(key[key.rfind(" ") + 1 :], form[-1])
        written = self.syllables.form(key, form)
        return written[len(tail) + 1 :] if written.startswith(tail + " ") else None

    def written_syllable(self, syllable: tuple) -> str:
        key, code = syllable
        return code if isinstance(code, str) else self.syllables.syllable(key, code)


class _Cuts:
    """The word-edge statistics a phrase is judged by: the forms (1-2 syllables) a phrase must not
    end with, the syllables it must not start with (both: cut inside a word), and how pairs are
    capitalised. Worked out from every count by a full choice, and stored for the updates after it."""

    def __init__(self, after, before, pair_cased):
        self.after = after
        self.before = before
        self.pair_cased = pair_cased

    @classmethod
    def worked_out(cls, db: sqlite3.Connection, syllables: Vocabulary) -> _Cuts:
        # A phrase cut inside a word is not offered: its last syllable (or last two) nearly always goes
        # on with one same syllable ("quốc phòng toàn" of "quốc phòng toàn dân"), or its first syllable
        # nearly always follows one ("hiện nghị" of "thực hiện nghị quyết").
        # Phrases are compared as stored (a form's numbers under its key: the head of a 3-gram is its
        # numbers but the last, the syllables of a pair are its two numbers), and only the forms
        # kept are written out.
        as_stored = _AsStored(syllables)
        single = {
            as_stored.syllable(key, form): count
            for key, form, count in db.execute("SELECT key, form, count FROM ngram WHERE n = 1")
        }
        continued: dict[tuple, int] = {}
        for key, form, count in db.execute("SELECT key, form, count FROM ngram WHERE n = 3 AND count >= 2"):
            head = as_stored.head(key, form)
            if count > continued.get(head, 0):
                continued[head] = count
        cut_after: set[str] = set()  # forms (1-2 syllables) that a phrase must not end with
        following: dict[tuple, int] = {}
        preceding: dict[tuple, int] = {}
        pair_cased: dict[str, str] = {}
        # (what comes next to numbers is for reading queries, not for offering)
        pairs = db.execute(
            "SELECT key, form, count, caps FROM ngram WHERE n = 2 AND instr(key, ?) = 0", (NUMBER,)
        )
        for key, form, count, caps in pairs:
            if caps:
                written = syllables.form(key, form)
                pair_cased[written] = with_caps(written, caps)
            if continued.get((key, form), 0) >= CUT_SHARE * count:
                cut_after.add(syllables.form(key, form))
            if type(form) is bytes:
                cut = key.find(" ")
                first, second = (key[:cut], form[0]), (key[cut + 1 :], form[1])
            else:
                first, second = as_stored.halves(key, form)
            if count > following.get(first, 0):
                following[first] = count
            if count > preceding.get(second, 0):
                preceding[second] = count
        spelled = as_stored.written_syllable
        cut_after.update(spelled(f) for f, c in following.items() if c >= CUT_SHARE * single.get(f, 1 << 60))
        cut_before = {spelled(f) for f, c in preceding.items() if c >= CUT_SHARE * single.get(f, 1 << 60)}
        return cls(cut_after, cut_before, pair_cased)

    @classmethod
    def stored(cls, db: sqlite3.Connection, syllables: Vocabulary, forms: list[str]) -> _Cuts:
        """The stored statistics, as they bear on the phrases ``forms``."""
        asked = set()
        for form in forms:
            words = form.split(" ")
            asked.update([(1, words[0]), (0, words[-1]), (0, " ".join(words[-2:]))])
        found = _asked(
            db,
            asked,
            "SELECT c.side, c.form FROM temp.asked a CROSS JOIN suggest_cut c ON c.side = a.key AND c.form = a.form",
        )
        return cls(
            {form for side, form in found if side == 0},
            {form for side, form in found if side == 1},
            _StoredPairCase(db, syllables),
        )

    def store(self, db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM suggest_cut")
        db.executemany(
            "INSERT INTO suggest_cut(side, form) VALUES (?, ?)",
            sorted([*((0, f) for f in self.after), *((1, f) for f in self.before)]),
        )
        _set_meta(db, "suggest_cuts", 1)

    def verdict(self, form: str, n: int) -> bool | None:
        """None: the phrase is not offered whatever follows it; else whether it ends inside a word
        (then offered only with what follows, when it is of the longest counted)."""
        if n == 1:
            return False
        syllables = form.split(" ")
        if syllables[0] in EDGE_STOP or syllables[-1] in END_STOP or len(syllables[-1]) < 2:
            return None  # (a lone letter is the start of an abbreviation: "G" of "G20")
        if " ".join(syllables[-2:]) in END_PAIRS:
            return None
        if syllables[0] in self.before:
            return None
        cut = syllables[-1] in self.after or (n > 2 and " ".join(syllables[-2:]) in self.after)
        if cut and n < 4:
            return None
        return cut


class _StoredPairCase:
    """A pair's most frequent capitalisation when it is not all lowercase, read from its count."""

    def __init__(self, db: sqlite3.Connection, syllables: Vocabulary):
        self.db = db
        self.syllables = syllables
        self.known: dict[str, str | None] = {}

    def look_up(self, pairs: set[str]) -> None:
        """Read the capitalisation of ``pairs`` at once."""
        asked = {(phrase_key(pair), pair) for pair in pairs if pair not in self.known}
        self.known.update(dict.fromkeys((form for _, form in asked), None))
        stored = self.syllables.stored
        for form, caps in _asked(
            self.db,
            [(key, pair, stored(key, pair, 2)) for key, pair in asked],
            "SELECT a.form, g.caps FROM temp.asked a CROSS JOIN ngram g ON g.key = a.key AND g.form = a.code",
        ):
            if caps and NUMBER not in form:
                self.known[form] = with_caps(form, caps)

    def get(self, pair: str, default: str) -> str:
        if pair not in self.known:
            key = phrase_key(pair)
            stored = self.syllables.stored(key, pair, 2)
            row = self.db.execute(
                "SELECT caps FROM ngram WHERE key = ? AND form = ?", (key, stored)
            ).fetchone()
            self.known[pair] = with_caps(pair, row[0]) if row and row[0] and NUMBER not in pair else None
        return self.known[pair] or default


def _offered(
    db, syllables, key: str, form: str, n: int, count: int, cased: str, cut: bool, goes, pair_cased
) -> list:
    """The suggestion rows (key, form, display, count) a phrase that passed :meth:`_Cuts.verdict`
    gives, knowing what follows it (``goes``): itself, itself with what follows, or nothing."""
    if n > 2:
        cased = _compose_case(form.split(" "), pair_cased)
    if cut:  # the longest counted, cut inside a word: offered with what follows
        return _longer(db, syllables, key, form, count, goes, pair_cased) if goes is not None else []
    if goes is not None and goes.inside_word(cased):
        if n >= 4:  # longer than any counted phrase: offered with what follows, up to a word's end
            return _longer(db, syllables, key, form, count, goes, pair_cased)
        return []
    rows = []
    if goes is not None and n >= 4 and goes.one >= ALSO_SHARE:
        rows.extend(_longer(db, syllables, key, form, count, goes, pair_cased))
    rows.append((key, form, display_form(form, cased), count))
    return rows


class Goes:
    """What follows a phrase: its most frequent next syllable and the shares of the phrase's count
    followed by it (``one``), by one of the three most frequent (``few``), and by nothing seen twice
    (``rest``: punctuation, a line end, rare words)."""

    __slots__ = ("syllable", "one", "few", "rest")

    def __init__(self, total: int, counts: list[tuple[int, str]], seen: int):
        total = max(total, seen, 1)
        self.syllable = counts[0][1]
        self.one = counts[0][0] / total
        self.few = sum(n for n, _ in counts[:3]) / total
        self.rest = 1 - seen / total

    def inside_word(self, cased: str) -> bool:
        """Does ``cased`` (the phrase as written) end inside a word?"""
        if self.one >= CLEARLY_INSIDE and self.rest < 1 - CLEARLY_INSIDE:
            return True
        if self.one < CLEARLY_OUTSIDE and self.few < 2 * CLEARLY_OUTSIDE:
            return False
        return _joined_with_next(cased, self.syllable)


_JOINED: dict[str, bool] = {}  # the answers, by the last two syllables and the next one
# The answers are kept in the lexicon too (``suggest_joined``): an update asks about few phrases, most
# of them asked before, and loading pyvi takes seconds. The connection they are read from, during a choice:
_JOINED_DB: list[sqlite3.Connection] = []
_JOINED_NEW: dict[str, bool] = {}  # answers worked out by pyvi and not yet stored


def _joined_with_next(cased: str, syllable: str) -> bool:
    """Does pyvi's word segmentation put ``cased``'s last syllable and ``syllable`` in one word? Asked
    of the last two syllables and the next one (the same three end many phrases)."""
    text = " ".join([*cased.split(" ")[-2:], syllable])
    joined = _JOINED.get(text)
    if joined is None and _JOINED_DB:
        row = _JOINED_DB[0].execute("SELECT joined FROM suggest_joined WHERE text = ?", (text,)).fetchone()
        if row is not None:
            joined = _JOINED[text] = bool(row[0])
    if joined is None:
        tokenize = word_segmenter()  # without pyvi the phrase is taken as it ends
        last = tokenize(text).rsplit(" ", 1)[-1] if tokenize is not None else ""
        joined = _JOINED[text] = last.lower().endswith(f"{cased.rsplit(' ', 1)[-1].lower()}_{syllable}")
        if tokenize is not None:
            _JOINED_NEW[text] = joined
    if len(_JOINED) > 500_000:
        _JOINED.clear()
    return joined


class _StoredAnswers:
    """Context of one choice of phrases: pyvi's answers read from ``db``, and the new ones stored in it."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        _JOINED_DB[:] = [self.db]
        _JOINED_NEW.clear()

    def __exit__(self, *exc):
        _JOINED_DB.clear()
        if exc[0] is None:
            self.db.executemany(
                "INSERT OR REPLACE INTO suggest_joined(text, joined) VALUES (?, ?)",
                sorted((text, int(joined)) for text, joined in _JOINED_NEW.items()),
            )
        _JOINED_NEW.clear()


def _tail(form: str) -> str:
    """The last syllables of a phrase (up to three) whose continuation is counted (in 4-grams at most)."""
    return " ".join(form.split(" ")[-3:])


def _continuations(
    db: sqlite3.Connection, syllables: Vocabulary, tail_of: dict[tuple, str]
) -> dict[str, Goes]:
    """What follows each of the tails (written, by their stored forms: see :class:`_AsStored`), read in
    one pass over the 2-4-grams seen twice or more (in key and form order: the first of equal counts
    is kept). Of the millions of phrases read, only the last syllable of those that follow a tail is
    written out."""
    own: dict[tuple, int] = {}
    top: dict[tuple, list[tuple[int, str]]] = {}
    seen: dict[tuple, int] = {}
    rows = db.execute("SELECT key, form, count FROM ngram WHERE n <= 4 AND count >= 2")
    for head, last, count in _following(syllables, rows, tail_of, own):
        seen[head] = seen.get(head, 0) + count
        three = top.setdefault(head, [])
        if len(three) < 3 or count > three[-1][0]:
            three.append((count, last))
            three.sort(reverse=True)
            del three[3:]
    return {tail_of[head]: Goes(own.get(head, 0), three, seen[head]) for head, three in top.items()}


def _following(syllables: Vocabulary, rows: Iterable[tuple], tail_of: dict, own: dict) -> Iterator[tuple]:
    """``(head, last syllable, count)`` of the ``rows`` (``(key, stored form, count)`` in key order)
    whose head (all syllables but the last, as stored) is one of ``tail_of``, in key and form order;
    the counts of the rows that are one of them go into ``own``."""
    last_of = syllables.syllable
    as_stored = _AsStored(syllables)
    group_key = None
    group: list[tuple] = []
    for key, form, count in rows:
        if (key, form) in tail_of:
            own[(key, form)] = count
        if type(form) is bytes:
            if len(form) < 2:
                continue
            cut = key.rfind(" ")
            head: tuple = (key[:cut], form[:-1])
            if head not in tail_of:
                continue
            last = last_of(key[cut + 1 :], form[-1])
        else:  # stored as written: its head is stored as any form is
            written = syllables.form(key, form)
            cut = written.rfind(" ")
            if cut <= 0:
                continue
            head = as_stored.of(written[:cut])
            if head not in tail_of:
                continue
            last = written[cut + 1 :]
        if key != group_key:
            if len(group) > 1:  # the forms of one key in the order of their numbers
                group.sort(key=itemgetter(1))
            yield from group
            group, group_key = [], key
        group.append((head, last, count))
    if len(group) > 1:
        group.sort(key=itemgetter(1))
    yield from group


def _continuation(db: sqlite3.Connection, syllables: Vocabulary, tail: str) -> Goes | None:
    """:func:`_continuations` for one tail, looked up by its key."""
    key = phrase_key(tail)
    n = tail.count(" ") + 1
    tail_stored = syllables.stored(key, tail, n)
    total = db.execute("SELECT count FROM ngram WHERE key = ? AND form = ?", (key, tail_stored)).fetchone()
    if total is None:
        return None
    next_syllable = _AsStored(syllables).next_syllable
    counts = sorted(
        (
            (count, syllable)
            for longer, form, count in db.execute(
                # (read only when its numbers start with the tail's, or either is stored as written)
                "SELECT key, form, count FROM ngram WHERE key > ? AND key < ? AND n = ? AND count >= 2 "
                "AND (typeof(form) != 'blob' OR typeof(?4) != 'blob' OR substr(form, 1, length(?4)) = ?4)",
                (key + " ", key + " \U0010ffff", n + 1, tail_stored),
            )
            if (syllable := next_syllable(tail, tail_stored, longer, form)) is not None
        ),
        reverse=True,
    )
    return Goes(total[0], counts, sum(n for n, _ in counts)) if counts else None


def _continuations_of(db: sqlite3.Connection, syllables: Vocabulary, tails: set[str]) -> dict[str, Goes]:
    """:func:`_continuation` for many tails at once."""
    stored = syllables.stored
    asked = [
        (key, tail, stored(key, tail, tail.count(" ") + 1)) for tail in tails for key in [phrase_key(tail)]
    ]
    totals = dict(
        _asked(
            db,
            asked,
            "SELECT a.form, g.count FROM temp.asked a CROSS JOIN ngram g ON g.key = a.key AND g.form = a.code",
        )
    )
    following: dict[str, list[tuple[int, str]]] = {}
    next_syllable = _AsStored(syllables).next_syllable
    for tail, tail_stored, key, form, count in _asked(
        db,
        asked,
        "SELECT a.form, a.code, g.key, g.form, g.count FROM temp.asked a CROSS JOIN ngram g "
        "ON g.key > a.key || ' ' AND g.key < a.key || ' ' || char(1114111) "
        "WHERE g.n = length(a.form) - length(replace(a.form, ' ', '')) + 2 AND g.count >= 2 "
        "AND (typeof(g.form) != 'blob' OR typeof(a.code) != 'blob' OR substr(g.form, 1, length(a.code)) = a.code)",
    ):
        if tail in totals and (syllable := next_syllable(tail, tail_stored, key, form)) is not None:
            following.setdefault(tail, []).append((count, syllable))
    out = {}
    for tail, counts in following.items():
        counts.sort(reverse=True)
        out[tail] = Goes(totals[tail], counts, sum(n for n, _ in counts))
    return out


class _Asked:
    """A temporary table ``(key, form, code)`` (``temp.asked`` unless named) filled with the rows given
    (``(key, form)``, or with ``code``: the form as the ngram table holds it), for queries that join it."""

    def __init__(self, db: sqlite3.Connection, rows, table: str = "asked"):
        self.db, self.pairs, self.table = db, rows, table

    def __enter__(self) -> _Asked:
        self.db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {self.table}(key, form TEXT, code)")
        self.db.execute(f"DELETE FROM temp.{self.table}")
        rows = iter(self.pairs)
        first = next(rows, None)
        if first is not None:
            columns = "key, form, code" if len(first) == 3 else "key, form"
            marks = ", ".join("?" * len(first))
            self.db.execute(f"INSERT INTO temp.{self.table}({columns}) VALUES ({marks})", first)
            self.db.executemany(f"INSERT INTO temp.{self.table}({columns}) VALUES ({marks})", rows)
        return self

    def rows(self, sql: str) -> list[tuple]:
        return self.db.execute(sql).fetchall()

    def __exit__(self, *exc) -> None:
        self.db.execute(f"DELETE FROM temp.{self.table}")


def _asked(db: sqlite3.Connection, rows, sql: str) -> list[tuple]:
    """The rows of ``sql`` joining ``temp.asked`` filled with ``rows`` (see :class:`_Asked`)."""
    with _Asked(db, rows) as asked:
        return asked.rows(sql)


def _pairs(form: str) -> list[str]:
    syllables = form.split(" ")
    return [f"{a} {b}" for a, b in zip(syllables, syllables[1:])]


def _longer(db, syllables, key: str, form: str, count: int, goes: Goes, pair_cased: dict) -> list[tuple]:
    """A phrase longer than the counted ones: ``form`` with the syllables that go on from it, up to a
    word's end (its count estimated by the shares of each next syllable)."""
    out = []
    while form.count(" ") + 1 < MAX_SUGGEST_SYLLABLES:
        syllable = goes.syllable
        count = int(count * goes.one)
        if count < ALSO_MIN_COUNT or syllable in END_STOP or len(syllable) < 2:
            break
        form, key = f"{form} {syllable}", f"{key} {syllable_key(syllable)}"
        following = _continuation(db, syllables, _tail(form))
        cased = _compose_case(form.split(" "), pair_cased)
        if following is None or not following.inside_word(cased):  # it ends here
            out.append((key, form, display_form(form, cased), count))
            # and is offered longer as well when one syllable often follows ("Bộ Chỉ huy Quân sự tỉnh")
            if following is None or following.one < ALSO_SHARE:
                break
        goes = following
    return out


def counted(db: sqlite3.Connection) -> list[tuple[str, str, int, int, str]]:
    """Every n-gram counted, written out: ``(key, form, n, count, cased)`` in key and form order."""
    rows = [
        (key, form, n, count, with_caps(form, caps))
        for key, form, n, count, caps in Vocabulary(db).written_out(
            db.execute("SELECT key, form, n, count, caps FROM ngram")
        )
    ]
    rows.sort()
    return rows


class Lexicon:
    """Read access to a generation's ``lexicon.sqlite``; thread-safe, look-ups cached."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._forms: dict[str, list[tuple[str, int]]] = {}
        self._cased: dict[str, str | None] = {}
        self._key_counts: dict[str, int] = {}  # single-syllable key -> count (0: never seen)
        self._syllables = Vocabulary(self._db)
        self.tokens = int(self._one("SELECT value FROM meta WHERE name = 'tokens'") or 0)
        self.worked_out: dict[str, dict] = {}  # see searcher.lexicon.restore.worked_out

    @classmethod
    def open(cls, generation: Path | None) -> Lexicon | None:
        """The lexicon of ``generation``, or None when it has none or one of another format.

        :raise sqlite3.DatabaseError: the file is there but SQLite cannot read it (damage: searching
            on without it would answer differently and say nothing).
        """
        if generation is None:
            return None
        path = Path(generation) / LEXICON_FILE
        if not path.exists():
            return None
        lexicon = cls(path)
        try:
            if lexicon._one("SELECT value FROM meta WHERE name = 'format'") != str(FORMAT):
                lexicon.close()
                return None
        except sqlite3.Error:
            lexicon.close()
            raise
        return lexicon

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _one(self, sql: str, args=()):
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
        return row[0] if row else None

    def _all(self, sql: str, args=()) -> list:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def forms(self, key: str) -> list[tuple[str, int]]:
        """The accented forms of a folded key (one or more syllables), most frequent first."""
        cached = self._forms.get(key)
        if cached is None:
            with self._lock:
                rows = self._db.execute("SELECT form, count FROM ngram WHERE key = ?", (key,)).fetchall()
                cached = [(self._syllables.form(key, stored), count) for stored, count in rows if count > 0]
            cached.sort(key=lambda form_count: (-form_count[1], form_count[0]))
            if len(self._forms) > 50_000:
                self._forms.clear()
            self._forms[key] = cached
        return cached

    def count(self, key: str) -> int:
        """How often the folded key occurs, all forms together."""
        return sum(c for _, c in self.forms(key))

    def form_count(self, form: str) -> int:
        """How often exactly this form (lowercase, canonical tone) occurs."""
        key = phrase_key(form)
        return sum(c for f, c in self.forms(key) if f == form)

    def key_counts(self, keys: list[str]) -> dict[str, int]:
        """The counts of those single-syllable ``keys`` that occur (one query for the uncached ones)."""
        if len(self._key_counts) > 50_000:  # cleared before the look-up, so no asked key is lost
            self._key_counts.clear()
        missing = [k for k in dict.fromkeys(keys) if k not in self._key_counts]
        if missing:
            found = dict.fromkeys(missing, 0)
            for start in range(0, len(missing), 900):  # well under SQLite's limit on parameters
                chunk = missing[start : start + 900]
                marks = ",".join("?" * len(chunk))
                for key, count in self._all(
                    f"SELECT key, SUM(count) FROM ngram WHERE key IN ({marks}) AND n = 1 GROUP BY key", chunk
                ):
                    found[key] = max(count, 0)
            self._key_counts.update(found)
        return {k: c for k in keys if (c := self._key_counts.get(k, 0)) > 0}

    def cased(self, form: str) -> str | None:
        """The most frequent capitalisation of a form (``ubnd`` → ``UBND``), None if never seen."""
        if form not in self._cased:
            key = phrase_key(form)
            with self._lock:
                stored = self._syllables.stored(key, form, form.count(" ") + 1)
                row = self._db.execute(
                    "SELECT caps FROM ngram WHERE key = ? AND form = ?", (key, stored)
                ).fetchone()
            if len(self._cased) > 50_000:
                self._cased.clear()
            self._cased[form] = with_caps(form, row[0]) if row else None
        return self._cased[form]

    def suggest_rows(self, prefix: str, limit: int = 200) -> list[tuple[str, str, str, int]]:
        """(key, form, display, count) of offered phrases whose key starts with ``prefix``."""
        if not prefix:
            return []
        if len(prefix) <= SUGGEST_TOP_CHARS:
            raw = self._one("SELECT rows FROM suggest_top WHERE prefix = ?", (prefix,))
            return [tuple(r) for r in json.loads(raw)] if raw else []
        return self._all(
            "SELECT key, form, coalesce(display, form), count FROM suggest WHERE key >= ? AND key < ? "
            "ORDER BY count DESC LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit),
        )
