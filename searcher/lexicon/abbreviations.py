"""Abbreviations of administrative and military reports, both ways: ``UBND`` ↔ ``Ủy ban nhân dân``.

The table is plain text (``short<TAB>long[<TAB>cased]``): ``searcher/lexicon/data/abbreviations.tsv`` ships
with the package; a user's own lines are read from ``abbreviations.tsv`` in the index folder and from
the file named by ``$SEARCH_ABBREVIATIONS``. Forms are compared as folded syllables, so ``ubnd``,
``UBND``, ``uy ban nhan dan`` and ``Ủy ban nhân dân`` all match.

A query form's alternatives: a long form's short forms; a short form's long forms and, when it has
only one long form, that form's other short forms (``BCHQS`` → ``Bộ Chỉ huy Quân sự``, ``Bộ CHQS``).
An ambiguous short form (``BCH``) expands to each of its long forms, never to their other short forms.
A long form is searched as its short forms of three letters or more (``quân khu`` is not searched as
``QK``: two letters stand for too many things in running text).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..analysis.analyzers import exact_analyzer
from ..text.normalize import fold, normalize_text

BUILT_IN = Path(__file__).resolve().parent / "data" / "abbreviations.tsv"
USER_FILE = "abbreviations.tsv"  # in the index folder
ENV_FILE = "SEARCH_ABBREVIATIONS"
MAX_ALTERNATIVES = 8  # alternative phrasings added to one query
MIN_SHORT_LETTERS = 3  # a long form is also searched as its short forms of at least this many letters
_ANALYZER = exact_analyzer()


@dataclass(frozen=True)
class Alternative:
    """``syllables`` (exact, lowercase) may stand for the query's ``run[start:end]``."""

    run: int
    start: int
    end: int
    syllables: tuple[str, ...]


def _syllables(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in _ANALYZER(normalize_text(text), mode="query"))


def _key(syllables) -> tuple[str, ...]:
    return tuple(fold(s) for s in syllables)


class AbbreviationTable:
    """Both directions of a list of (short, long, cased) entries, looked up by folded syllables."""

    def __init__(self, entries: list[tuple[str, str, bool]]):
        self.longs: dict[tuple, list[tuple]] = {}  # short key -> long forms (exact syllables)
        self.shorts: dict[tuple, list[tuple]] = {}  # long key -> short forms
        self.cased: dict[tuple, str] = {}  # short key -> the short form, expanded only in capitals
        for short, long, cased in entries:
            short_syl, long_syl = _syllables(short), _syllables(long)
            if not short_syl or not long_syl or _key(short_syl) == _key(long_syl):
                continue
            _append(self.longs, _key(short_syl), long_syl)
            _append(self.shorts, _key(long_syl), short_syl)
            if cased:
                self.cased[_key(short_syl)] = short
        self.longest = max((len(k) for k in (*self.longs, *self.shorts)), default=0)
        self._keys = set(self.longs) | set(self.shorts)  # every folded form with an alternative
        self._first_syllables = {key[0] for key in self._keys}  # (most query words start none)

    @classmethod
    def load(cls, paths: list[Path]) -> AbbreviationTable:
        """The entries of every readable file of ``paths``, in order (missing files are skipped)."""
        entries: list[tuple[str, str, bool]] = []
        for path in paths:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            entries.extend(parse_lines(text))
        return cls(entries)

    def alternatives_of(self, key: tuple[str, ...]) -> list[tuple[str, ...]]:
        """Other forms of the folded syllables ``key`` (exact syllables), or none."""
        found: list[tuple] = []
        for long in self.longs.get(key, []):
            _append(found, None, long)
        if len(self.longs.get(key, [])) == 1:  # unambiguous: its long form's other short forms too
            for short in self.shorts.get(_key(self.longs[key][0]), []):
                if _key(short) != key:
                    _append(found, None, short)
        for short in self.shorts.get(key, []):
            # two letters (QP, TP, QK) are too many things to stand for their long form in text
            if len("".join(short)) >= MIN_SHORT_LETTERS:
                _append(found, None, short)
        return found

    def find(self, runs: list[list[str]], typed: str) -> list[Alternative]:
        """Alternatives for the abbreviations and long forms found in ``runs`` (the query's runs of
        exact syllables); ``typed`` is the query as typed, for the short forms expanded only in capitals.
        Longer matches come first, and a form inside a longer one found is not looked at again
        (``chỉ huy quân sự`` of ``bộ chỉ huy quân sự``); at most :data:`MAX_ALTERNATIVES`."""
        out: list[Alternative] = []
        for r, run in enumerate(runs):
            folded = [fold(s) for s in run]
            starts = [i for i, syllable in enumerate(folded) if syllable in self._first_syllables]
            covered: list[tuple[int, int]] = []
            for n in range(min(self.longest, len(run)), 0, -1):
                for start in starts:
                    if start + n > len(run):
                        break
                    key = tuple(folded[start : start + n])
                    if key not in self._keys:
                        continue
                    if key in self.cased and not _typed_in_capitals(self.cased[key], typed):
                        continue
                    if any(a <= start and start + n <= b for a, b in covered):
                        continue
                    found = self.alternatives_of(key)
                    if found:
                        covered.append((start, start + n))
                    for syllables in found:
                        out.append(Alternative(r, start, start + n, syllables))
                        if len(out) >= MAX_ALTERNATIVES:
                            return out
        return out


def parse_lines(text: str) -> list[tuple[str, str, bool]]:
    """``(short, long, cased)`` of each ``short<TAB>long[<TAB>cased]`` line; ``#`` starts a comment."""
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) >= 2 and parts[0] and parts[1]:
            entries.append((parts[0], parts[1], len(parts) > 2 and parts[2].lower() == "cased"))
    return entries


def table_files(index_dir: Path | None) -> list[Path]:
    """The files a table is read from: built-in, then the index folder's, then ``$SEARCH_ABBREVIATIONS``."""
    files = [BUILT_IN]
    if index_dir is not None:
        files.append(Path(index_dir) / USER_FILE)
    if os.environ.get(ENV_FILE):
        files.append(Path(os.environ[ENV_FILE]))
    return files


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def table_stamp(index_dir: Path | None) -> tuple:
    """What the table for an index folder is read from (see :func:`table_files`): the files and the
    user files' modification times, so a changed file gives a new stamp. A stat call per user file (the
    built-in one only changes with the package, which a server restarts for); the engine asks on every
    search and keeps the table of the last stamp."""
    files = _file_names(None if index_dir is None else os.fspath(index_dir), os.environ.get(ENV_FILE))
    return (files, tuple(_mtime(f) for f in files[1:]))


def load_table(stamp: tuple) -> AbbreviationTable:
    """The table read from the files of a :func:`table_stamp`."""
    return AbbreviationTable.load([Path(f) for f in stamp[0]])


def table_for(index_dir: Path | None) -> AbbreviationTable:
    """The table for an index folder (see :func:`table_files`), read now."""
    return load_table(table_stamp(index_dir))


@functools.lru_cache(maxsize=64)
def _file_names(index_dir: str | None, env_file: str | None) -> tuple[str, ...]:
    # (the environment variable is an argument, so that a change of it is a new look-up)
    return tuple(str(f) for f in table_files(None if index_dir is None else Path(index_dir)))


def _typed_in_capitals(short: str, typed: str) -> bool:
    # the short form written in capitals, diacritics optional ("TƯ", "TU"), as a word of its own
    target = fold(short).upper()
    return any(fold(word) == target for word in re.findall(r"[^\W_]+", typed) if word.isupper())


def _append(container, key, item) -> None:
    items = container if key is None else container.setdefault(key, [])
    if item not in items:
        items.append(item)
