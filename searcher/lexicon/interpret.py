"""How the index would write a query typed without diacritics, for ranking and for display.

``quoc phong toan dan`` is read as ``quốc phòng toàn dân`` (:mod:`searcher.lexicon.restore`); the syllables
read with confidence then rank like accented words (exact-field clauses), so documents with that
reading come before documents that only match folded, and the folded matches stay.

A query typed with marks on some syllables shows that its writer types marks: its bare syllables are
then taken as typed (``tin``, ``ban`` are words), unless the bare spelling is rare in the index
(``bộ chỉ huy quan su``: ``su`` is nearly always ``sự``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..text.normalize import canonical_iy, canonical_tone, fold, has_diacritics
from .lexicon import Lexicon
from .restore import candidates, restore

BARE_SHARE = 0.05  # in a query with marks, a bare syllable is re-read when its bare spelling is rarer
_WORD = re.compile(r"[^\W_]+")


@dataclass
class Interpretation:
    """The runs of query syllables with confident readings put in, and what changed for display."""

    runs: list[list[str]]
    changes: dict[str, str] = field(default_factory=dict)  # typed syllable -> reading as written

    def text(self, typed: str) -> str | None:
        """``typed`` with the changed words replaced in their typed case, or None if nothing changed."""
        if not self.changes:
            return None
        out, last = [], 0
        for match in _WORD.finditer(typed):
            word = match.group()
            reading = self.changes.get(canonical_iy(canonical_tone(word.lower())))
            if reading is not None:
                out.append(typed[last : match.start()])
                out.append(_in_case_of(word, reading))
                last = match.end()
        out.append(typed[last:])
        return "".join(out)


def interpret(lexicon: Lexicon | None, runs: list[list[str]]) -> Interpretation:
    """Restore the unmarked syllables of ``runs`` (lowercase, canonical tone and i/y) from the lexicon.

    Only readings with a posterior of at least :data:`searcher.lexicon.restore.CONFIDENT` are used.
    """
    if lexicon is None or not runs:
        return Interpretation(runs)
    marked_query = any(has_diacritics(s) for run in runs for s in run)
    out_runs: list[list[str]] = []
    changes: dict[str, str] = {}
    for run in runs:
        # (a number is kept as typed: the lexicon counts letter-only words)
        keep = [
            has_diacritics(s) or not s.isalpha() or (marked_query and _bare_is_common(lexicon, s))
            for s in run
        ]
        if all(keep):
            out_runs.append(run)
            continue
        reading = restore(lexicon, run, keep)
        new_run = list(run)
        for i, (typed, read) in enumerate(zip(run, reading.syllables)):
            if keep[i] or not reading.confident(i) or fold(read) == read:
                continue
            new_run[i] = canonical_iy(read)
            changes.setdefault(typed, read)
        out_runs.append(new_run)
    return Interpretation(out_runs, changes)


def _bare_is_common(lexicon: Lexicon, syllable: str) -> bool:
    found = candidates(lexicon, syllable)
    total = sum(c for _, c in found)
    bare = sum(c for f, c in found if not has_diacritics(f))
    return total == 0 or bare >= BARE_SHARE * total


def _in_case_of(typed: str, new: str) -> str:
    """``new`` capitalised like ``typed`` (``Dien`` → ``Điện``, ``UBND`` stays in capitals)."""
    if typed.isupper() and len(typed) > 1:
        return new.upper()
    if typed[:1].isupper():
        return new[:1].upper() + new[1:]
    return new
