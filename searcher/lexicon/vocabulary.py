"""How ``lexicon.sqlite`` writes the forms of its n-grams: one byte per syllable, and capitals as a mask.

The lexicon keeps millions of n-grams by folded key (``quoc phong``) and written form (``quốc phòng``);
written out, a form repeats its key with marks, and its most frequent capitalisation (``Quốc phòng``)
repeats it again. Here each written syllable is numbered under its folded key syllable (``quoc``: 0 for
``quốc``, 1 for ``quộc``, ...; 37 forms at most for a key of the 119,572 news articles), so a form is
stored as the bytes of its syllables' numbers (``quốc phòng``: two bytes) and read back by its key. A
form whose key does not split into one key per syllable (a syllable folded to several words, as
Chinese characters are) or with a syllable numbered beyond a byte is stored as written.

The capitalisation is the form with some of its letters upper-cased: an integer with one bit per
letter (:func:`caps_of`, :func:`with_caps`), or written out when a capital comes past the 63rd letter.

Table::

    syllable(key, code, form)   form: a written (lowercase, canonical) syllable, numbered under its key

Numbers are given as forms are first written and never change or go, so a stored form reads the same
whatever was added or removed since.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS syllable(key TEXT NOT NULL, code INTEGER NOT NULL, form TEXT NOT NULL,
    PRIMARY KEY (key, code)) WITHOUT ROWID;
"""
MANY_FORMS = 10_000  # forms to number past which every number is read at once


class Vocabulary:
    """The syllable numbers of one connection, read by key syllable as they are needed.

    :param grow: number the syllables not numbered yet (a writer, within its transaction: the numbers
        it gives are written with the rows that use them, and the object goes with the transaction).
        A reader's numbers may be behind a writer's commit: a number or form it does not know is
        read again.
    """

    def __init__(self, db: sqlite3.Connection, grow: bool = False):
        self.db = db
        self.grow = grow
        self._forms: dict[str, list[str]] = {}  # key syllable -> its forms by number
        self._codes: dict[str, dict[str, int]] = {}  # key syllable -> form -> number
        # written syllable -> its number, for the syllables whose key is one word: the key of a form
        # made only of those splits into one key per syllable, so the form alone gives its numbers
        self._numbers: dict[str, int] = {}
        self._all_read = False

    def load_all(self) -> None:
        """Read every number at once (before reading a whole table's forms)."""
        forms: dict[str, list[str]] = {}
        for key, form in self.db.execute("SELECT key, form FROM syllable ORDER BY key, code"):
            forms.setdefault(key, []).append(form)
        self._forms = forms
        self._codes = {}
        self._all_read = True

    def _forms_of(self, key: str) -> list[str]:
        forms = self._forms.get(key)
        if forms is None:
            forms = self._forms[key] = [
                form
                for (form,) in self.db.execute(
                    "SELECT form FROM syllable WHERE key = ? ORDER BY code", (key,)
                )
            ]
        return forms

    def _codes_of(self, key: str) -> dict[str, int]:
        codes = self._codes.get(key)
        if codes is None:
            codes = self._codes[key] = {form: code for code, form in enumerate(self._forms_of(key))}
        return codes

    def _forget(self, key: str) -> None:
        self._forms.pop(key, None)
        self._codes.pop(key, None)

    def _code(self, key: str, form: str) -> int | None:
        codes = self._codes_of(key)
        code = codes.get(form)
        if code is None and self.grow:
            code = codes[form] = len(codes)
            self._forms_of(key).append(form)
            self.db.execute("INSERT INTO syllable(key, code, form) VALUES (?, ?, ?)", (key, code, form))
        elif code is None:
            self._forget(key)
            code = self._codes_of(key).get(form)
        return code

    def expect(self, forms: int) -> None:
        """About to number ``forms`` forms: when they are many, every number is read first, in one
        query rather than one per key syllable."""
        if forms > MANY_FORMS and not self._all_read:
            self.load_all()

    def write_apart(self, db: sqlite3.Connection) -> None:
        """Go on in a forked process that writes into ``db``, another file: it numbers nothing, so
        every form it meets must be numbered already (in memory: given or read before the fork).
        One that is not reads as None."""
        self.db = db
        self.grow = False
        self._all_read = True

    def stored(self, key: str, form: str, n: int) -> bytes | str | None:
        """``form`` (of ``n`` syllables, folded ``key``) as the table holds it; None when it cannot be
        there (a syllable never numbered, and this vocabulary does not grow)."""
        known = self._numbers
        try:
            return bytes([known[syllable] for syllable in form.split(" ")])
        except KeyError:
            return self._stored(key, form, n)
        except ValueError:  # a number beyond a byte
            return form

    def _stored(self, key: str, form: str, n: int) -> bytes | str | None:
        keys = key.split(" ")
        if len(keys) != n:
            return form
        codes = []
        known = self._numbers
        for syllable_key, syllable in zip(keys, form.split(" ")):
            code = known.get(syllable)
            if code is None:
                code = self._code(syllable_key, syllable)
                if code is None:
                    return None
                if " " not in syllable_key:
                    known[syllable] = code
            codes.append(code)
        try:
            return bytes(codes)
        except ValueError:
            return form

    def written_out(self, rows: Iterable[tuple]) -> Iterator[tuple]:
        """Rows ``(key, stored form, ...)`` as ``(key, form, ...)``, for reading many: every number is
        read first."""
        if not self._all_read:
            self.load_all()
        forms = self._forms
        join = " ".join
        for row in rows:
            key, stored = row[0], row[1]
            try:  # (a form stored as written fails here: no number indexes a list with a letter)
                form = join([forms[k][code] for k, code in zip(key.split(" "), stored)])
            except (KeyError, IndexError, TypeError):
                form = self.form(key, stored)
            yield (key, form, *row[2:])

    def syllable(self, key: str, code: int) -> str:
        """The written syllable numbered ``code`` under the key syllable ``key``."""
        try:
            return self._forms[key][code]
        except (KeyError, IndexError):
            self._forget(key)
            return self._forms_of(key)[code]

    def form(self, key: str, stored: bytes | str) -> str:
        """The written form of a stored one under its ``key``."""
        if isinstance(stored, str):
            return stored
        forms = self._forms
        try:
            if len(stored) == 1:
                return forms[key][stored[0]]
            return " ".join([forms[k][code] for k, code in zip(key.split(" "), stored)])
        except (KeyError, IndexError):  # not read yet, or numbered since they were
            keys = key.split(" ")
            for k, code in zip(keys, stored):
                if len(self._forms.get(k, ())) <= code:
                    self._forget(k)
            forms_of = self._forms_of
            return " ".join([forms_of(k)[code] for k, code in zip(keys, stored)])


# SQLite's integers are 64-bit, signed: a capital past the 63rd letter (a long word of some other
# script, say) makes the capitalisation too large for a mask, and it is stored written out instead
MASK_BITS = 63


def _fitting(mask: int, form: str) -> int | str:
    return mask if mask >> MASK_BITS == 0 else with_caps(form, mask)


def caps_of(form: str, written: str) -> int | str:
    """The capitals of ``written`` as a mask over the letters of ``form``, its lowercase canonical
    form of the same length (or, past :data:`MASK_BITS` letters, the form so capitalised). Only
    letters that upper-case to something else count, so the mask is 0 exactly when :func:`with_caps`
    gives the form itself."""
    mask = 0
    for i, (letter, as_written) in enumerate(zip(form, written)):
        if as_written.isupper() and letter.upper() != letter:
            mask |= 1 << i
    return _fitting(mask, form)


def with_caps(form: str, caps: int | str) -> str:
    """``form`` with the letters of the mask ``caps`` upper-cased (``caps`` itself when written out)."""
    if not caps:
        return form
    if isinstance(caps, str):
        return caps
    return "".join([letter.upper() if caps >> i & 1 else letter for i, letter in enumerate(form)])


def caps_in(form: str, cased_form: str) -> int | str:
    """The ``caps`` of :func:`with_caps` that give ``cased_form`` (a capitalisation written out whole,
    as the lexicon's first format kept it)."""
    mask, at = 0, 0
    for i, letter in enumerate(form):
        upper = letter.upper()
        if upper != letter and cased_form.startswith(upper, at):
            mask |= 1 << i
            at += len(upper)
        else:
            at += len(letter)
    return _fitting(mask, form)
