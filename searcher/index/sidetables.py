"""The side tables of a generation, committed in one transaction after the Whoosh commit they describe.

What the Whoosh index does not hold is kept in two SQLite files of the generation folder:

- ``lexicon.sqlite``: the spelling counts and suggestions (:mod:`searcher.lexicon.lexicon`), which
  searchers read;
- ``state.sqlite``: ``source`` (what each source file gave: size, time, content hash, document ids:
  the manifest), ``fingerprint`` and ``band`` (the duplicate registry,
  :mod:`searcher.index.duplicates`: each document's exact-text hash, signature and group, numbered,
  and its signature's band keys by that number) and ``state`` (the Whoosh version these tables
  describe, the format).

An update opens the lexicon with the state file attached, so that one SQLite transaction covers both,
and changes only the rows of the documents it adds, replaces or removes. Its order with Whoosh's
commit: Whoosh writes the new version but keeps the previous version's files, the side tables commit
with that version's number, and only then do the previous files go. A run killed between the two
leaves the side tables one version behind; the next run finds that out (:func:`open_for_update`) and
undoes Whoosh's last version, so index and side tables never disagree.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from ..lexicon.lexicon import LEXICON_FILE, create_tables, replace_with_new
from ..lexicon.lexicon import upgrade as upgrade_lexicon
from .store import Damage, IndexDamaged

STATE_FILE = "state.sqlite"
# 1: the registry by document id, its hashes as hex (converted by _upgrade_state)
FORMAT = 2
CACHE_KB = 256 * 1024

# fingerprint: exact is the hash's bytes; grp NULL is the group named after the document's own text
# ("g" and the hash in hex), as nearly every document's is. band: the document by its number.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS state.state(name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state.source(path BLOB PRIMARY KEY, entry TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state.fingerprint(num INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE,
    exact BLOB NOT NULL, sig BLOB, grp TEXT);
CREATE INDEX IF NOT EXISTS state.fingerprint_exact ON fingerprint(exact);
CREATE TABLE IF NOT EXISTS state.band(key INTEGER NOT NULL, num INTEGER NOT NULL,
    PRIMARY KEY(key, num)) WITHOUT ROWID;
"""
_GROUP = "coalesce(grp, 'g' || lower(hex(exact)))"  # (format 1: grp is never NULL)


class Manifest(dict):
    """Source path → what the file gave the index (``root``, ``size``, ``mtime_ns``, ``hash``, ``docs``:
    document id → content hash, and ``skipped`` for a file that gave nothing), loaded whole and written
    back by the entries that changed. An entry changed in place is marked with :meth:`touch`."""

    def __init__(self, entries: dict | None = None):
        super().__init__(entries or {})
        self.changed: set[str] = set()

    def __setitem__(self, path: str, entry: dict) -> None:
        super().__setitem__(path, entry)
        self.changed.add(path)

    def remove(self, path: str) -> dict:
        """Take ``path``'s entry out (its row is deleted when the manifest is written)."""
        self.changed.add(path)
        return super().pop(path)

    def touch(self, path: str) -> None:
        self.changed.add(path)


_ENTRY_TYPES = {"root": str, "size": int, "mtime_ns": int, "hash": str, "docs": dict}


def _key(path: str) -> bytes:
    """A source path as its manifest key: its bytes (a name that is not UTF-8 keeps its own)."""
    return path.encode("utf-8", "surrogateescape")


def _entry_text(entry: dict) -> str:
    text = json.dumps(entry, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a name that is not UTF-8 (its bytes as lone surrogates): escaped
        text = json.dumps(entry)
    return text


def _checked(generation: Path, rows: Iterable[tuple[bytes | str, str]]) -> dict[str, dict]:
    """Manifest rows as entries, each checked for its shape.

    :raise IndexDamaged: an entry is not one.
    """
    entries = {}
    for path, text in rows:
        try:
            entry = json.loads(text)
        except ValueError:
            entry = None
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), t) for k, t in _ENTRY_TYPES.items()
        ):
            shown = path.decode("utf-8", "replace") if isinstance(path, bytes) else path
            raise IndexDamaged(
                generation.parent, [Damage(STATE_FILE, f"the entry of {shown[:80]} is not one")]
            )
        entries[path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path] = entry
    return entries


def _damaged(generation: Path, exc: sqlite3.Error) -> IndexDamaged:
    return IndexDamaged(
        Path(generation).parent, [Damage(STATE_FILE, f"unreadable: {' '.join(str(exc).split())}")]
    )


class SideTables:
    """A connection to a generation's side tables: ``lexicon.sqlite`` with ``state.sqlite`` attached.

    :param journal: write through SQLite's journal, so that a crash leaves the last commit; a
        generation being built beside the live one (not read until complete) is written without.
    """

    def __init__(self, generation: Path, journal: bool = True):
        """:raise IndexDamaged: a side table cannot be read."""
        self.generation = Path(generation)
        upgrade_lexicon(self.generation)  # (side tables of the first format, converted once)
        _upgrade_state(self.generation)
        self.db = sqlite3.connect(str(self.generation / LEXICON_FILE), isolation_level="DEFERRED")
        try:
            self.db.execute("ATTACH DATABASE ? AS state", (str(self.generation / STATE_FILE),))
            for schema in ("main", "state"):
                # an update's rows land all over tables of millions: with SQLite's default 2 MB of
                # cache its changed pages are spilled to the file and read back before the commit
                self.db.execute(f"PRAGMA {schema}.cache_size = -{CACHE_KB}")
            if not journal:
                for schema in ("main", "state"):
                    self.db.execute(f"PRAGMA {schema}.journal_mode=OFF")
                    self.db.execute(f"PRAGMA {schema}.synchronous=OFF")
            self.db.executescript(_SCHEMA)
            create_tables(self.db)
        except sqlite3.DatabaseError as exc:
            self.db.close()
            # (the error does not say which of the two files it met)
            found = [d for d in side_table_damage(self.generation) if d.detail != "missing"]
            raise (
                IndexDamaged(self.generation.parent, found) if found else _damaged(self.generation, exc)
            ) from None

    def whoosh_generation(self) -> int | None:
        """The Whoosh version the tables describe (None: never committed)."""
        row = self.db.execute("SELECT value FROM state.state WHERE name = 'whoosh_generation'").fetchone()
        return int(row[0]) if row else None

    def manifest(self) -> Manifest:
        """:raise IndexDamaged: the manifest cannot be read, or an entry is not one."""
        try:
            rows = self.db.execute("SELECT path, entry FROM state.source").fetchall()
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.generation, exc) from None
        return Manifest(_checked(self.generation, rows))

    def write_manifest(self, manifest: Manifest) -> None:
        gone = [(_key(path),) for path in manifest.changed if path not in manifest]
        kept = [(_key(path), _entry_text(manifest[path])) for path in manifest.changed if path in manifest]
        self.db.executemany("DELETE FROM state.source WHERE path = ?", gone)
        self.db.executemany("INSERT OR REPLACE INTO state.source(path, entry) VALUES (?, ?)", kept)
        manifest.changed.clear()

    def lexicon_behind(self) -> bool:
        """Does the lexicon disagree with the index? A first build counts its lexicon in a process of
        its own, which commits on its own just before these tables do, and only at the build's end."""
        row = self.db.execute("SELECT value FROM main.meta WHERE name = 'saves'").fetchone()
        state = dict(self.db.execute("SELECT name, value FROM state.state"))
        return lexicon_disagrees(row[0] if row else None, state)

    def commit(self, whoosh_generation: int, lexicon_complete: bool = True) -> None:
        """Commit every change made through this connection, as describing Whoosh version
        ``whoosh_generation`` (``lexicon_complete`` False: the lexicon does not count every document
        yet, a first build's batch; a run that finds it so counts it again from the index)."""
        self.db.execute(
            "INSERT OR REPLACE INTO state.state(name, value) VALUES ('lexicon_complete', ?)",
            (str(int(lexicon_complete)),),
        )
        self.db.execute(
            "INSERT OR REPLACE INTO state.state(name, value) VALUES ('whoosh_generation', ?)",
            (str(whoosh_generation),),
        )
        self.db.execute(
            "INSERT OR REPLACE INTO state.state(name, value) "
            "SELECT 'lexicon_saves', value FROM main.meta WHERE name = 'saves'"
        )
        self.db.execute(
            "INSERT OR REPLACE INTO state.state(name, value) VALUES ('format', ?)", (str(FORMAT),)
        )
        self.db.commit()

    def rollback(self) -> None:
        self.db.rollback()

    def close(self) -> None:
        self.db.close()


def read_manifest(generation: Path) -> dict[str, dict]:
    """The manifest of a generation, read only (``{}`` when it has none).

    :raise IndexDamaged: it cannot be read, or an entry is not one.
    """
    return _checked(Path(generation), _read(generation, "SELECT path, entry FROM source"))


def lexicon_disagrees(lexicon_saves: str | None, state: dict[str, str]) -> bool:
    """Whether a lexicon saved ``lexicon_saves`` times is not the one the side tables' ``state``
    recorded with the index, or was recorded as not counting every document."""
    return lexicon_saves != state.get("lexicon_saves") or state.get("lexicon_complete") == "0"


def read_state(generation: Path) -> dict[str, str]:
    return dict(_read(generation, "SELECT name, value FROM state"))


def fingerprint_ids(generation: Path) -> set[str]:
    return {doc_id for (doc_id,) in _read(generation, "SELECT doc_id FROM fingerprint")}


def registered_groups(generation: Path) -> dict[str, str]:
    """Document id → its group key, as the duplicate registry holds them."""
    return dict(_read(generation, f"SELECT doc_id, {_GROUP} FROM fingerprint"))


def shared_groups(generation: Path) -> list[str] | None:
    """The group keys shared by two or more documents (None when the generation has no state file)."""
    if not (Path(generation) / STATE_FILE).exists():
        return None
    return [
        key
        for (key,) in _read(
            generation, f"SELECT {_GROUP} AS g FROM fingerprint GROUP BY g HAVING count(*) > 1 ORDER BY g"
        )
    ]


# a table each side table file holds from its first commit on
_FIRST_TABLE = {LEXICON_FILE: "meta", STATE_FILE: "source"}


def side_table_damage(generation: Path, whole: bool = True) -> list[Damage]:
    """The side table files of ``generation`` that are missing or that SQLite cannot read: each
    checked whole by SQLite's quick check (``whole``; about 2.5 s for the lexicon of 20,000 articles),
    else only opened. SQLite keeps no checksums: a value changed in a page that is still well formed
    goes unseen."""
    found = []
    for name, table in _FIRST_TABLE.items():
        path = Path(generation) / name
        if not path.exists():
            found.append(Damage(name, "missing"))
            continue
        try:
            db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
            try:
                answer = db.execute("PRAGMA quick_check(1)").fetchone()[0] if whole else "ok"
                has_table = db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
                ).fetchone()
            finally:
                db.close()
        except sqlite3.Error as exc:
            answer, has_table = " ".join(str(exc).split()), True
        if answer != "ok":
            found.append(Damage(name, f"unreadable: {answer}"))
        elif not has_table:
            found.append(Damage(name, f"it holds no {table} table"))
    return found


def stored_group(exact: bytes, group: str) -> str | None:
    """A group key as the registry stores it (NULL: named after the document's own text)."""
    return None if group == "g" + exact.hex() else group


def group_of(exact: bytes, stored: str | None) -> str:
    return stored if stored is not None else "g" + exact.hex()


def _format(path: Path, sql: str) -> str | None:
    """The format a side table file says it has (None: no file, or none said); read as a writer,
    which first rolls back what a run killed as it committed left."""
    if not path.exists():
        return None
    db = sqlite3.connect(str(path))
    try:
        row = db.execute(sql).fetchone()
    except sqlite3.DatabaseError:  # no such table yet; or damaged, as the tables' first reader says
        return None
    finally:
        db.close()
    return row[0] if row else None


def _upgrade_state(generation: Path) -> None:
    """Convert a state file of format 1 to this one, in a new file that then takes its place."""
    path = generation / STATE_FILE
    if _format(path, "SELECT value FROM state WHERE name = 'format'") != "1":
        return
    replace_with_new(path, lambda new: _convert_state(path, new))


def _convert_state(path: Path, new: Path) -> None:
    db = sqlite3.connect(":memory:")
    try:
        db.execute("ATTACH DATABASE ? AS state", (str(new),))
        db.execute("ATTACH DATABASE ? AS old", (str(path),))
        db.execute("PRAGMA state.journal_mode=OFF")  # (not the state file until renamed)
        db.execute("PRAGMA state.synchronous=OFF")
        db.executescript(_SCHEMA)
        db.execute("INSERT INTO state.state SELECT * FROM old.state")
        db.execute("INSERT INTO state.source SELECT * FROM old.source ORDER BY path")
        numbers: dict[str, int] = {}
        rows = []
        for doc_id, exact, sig, group in db.execute(
            "SELECT doc_id, exact, sig, grp FROM old.fingerprint ORDER BY doc_id"
        ):
            numbers[doc_id] = len(numbers) + 1
            exact = bytes.fromhex(exact)
            rows.append((numbers[doc_id], doc_id, exact, sig, stored_group(exact, group)))
        db.executemany(
            "INSERT INTO state.fingerprint(num, doc_id, exact, sig, grp) VALUES (?, ?, ?, ?, ?)", rows
        )
        bands = sorted(
            (key, numbers[doc_id]) for key, doc_id in db.execute("SELECT key, doc_id FROM old.band")
        )
        db.executemany("INSERT INTO state.band(key, num) VALUES (?, ?)", bands)
        db.execute("INSERT OR REPLACE INTO state.state(name, value) VALUES ('format', ?)", (str(FORMAT),))
        db.commit()
    finally:
        db.close()


def _read(generation: Path, sql: str) -> Iterable[tuple]:
    path = Path(generation) / STATE_FILE
    if not path.exists():
        return []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _damaged(Path(generation), exc) from None
    try:
        return db.execute(sql).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # a state file being created
            return []
        raise _damaged(Path(generation), exc) from None
    except sqlite3.DatabaseError as exc:  # not a database, malformed
        raise _damaged(Path(generation), exc) from None
    finally:
        db.close()
