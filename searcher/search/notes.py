"""What a search tells its user besides its hits: a note is a code and its arguments, worded where shown.

The engine says what happened (``Note("cut_short", {"seconds": 5.0})``); :func:`in_english` words it
for the CLI and the JSON ``notes`` strings, and the web page words the same code in Vietnamese
(web/notes.py), so neither parses the other's sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# code -> its English wording (str.format with the note's arguments, lists shown by shown_args)
_ENGLISH = {
    "cut_short": (
        "the search took longer than {seconds:g} s and was cut short: these are the best matches found in that time"
    ),
    "corrected": "no results for «{typed}»: showing results for «{corrected}»",
    "leading_wildcard": "wildcards at the start of a word are not supported: searched for {words} instead",
    "prefix_capped": "'{prefix}*' matches {count} words: the {used} most frequent were used",
    "prefixes_cut_short": (
        "the query's prefixes stand for more than {words} words in all: the query was cut short, the"
        " prefixes after them left out"
    ),
    "query_truncated": "the query was cut to its first {chars} characters",
    "syntax_fallback": "the query syntax could not be understood: searched for the words only",
    "only_exclusions": "the query only excludes words: add at least one word to search for",
    "no_words": "the query has no words to search for",
    "any_form": "no document holds the accented words as typed: showing them in any form",
    "look_alikes": "no document holds «{words}» as typed: results may hold the same letters with other marks",
}
CODES = tuple(_ENGLISH)


@dataclass(frozen=True)
class Note:
    """One thing the engine changed or could not use: ``code`` (one of :data:`CODES`) and what the
    wording needs (plain JSON values: strings, numbers, lists of strings)."""

    code: str
    args: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in _ENGLISH:
            raise ValueError(f"unknown note code {self.code!r}")

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "args": {k: list(v) if isinstance(v, list) else v for k, v in self.args.items()},
        }


def shown_args(note: Note) -> dict:
    """The note's arguments ready to format: a list of words as those words joined by spaces (none as
    ``nothing``, the word the notes have always shown there)."""
    return {k: (" ".join(v) or "nothing") if isinstance(v, list) else v for k, v in note.args.items()}


def in_english(note: Note) -> str:
    return _ENGLISH[note.code].format(**shown_args(note))


def unique(notes: list[Note]) -> list[Note]:
    """``notes`` without repeats (the first of equal notes kept, in order)."""
    kept: list[Note] = []
    for note in notes:
        if note not in kept:
            kept.append(note)
    return kept
