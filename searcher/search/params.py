"""A search's parameters checked once for every front end: the web app's URL parameters and the
command line's options go through these functions, so a bad value gets the same answer in both.

Each bad value raises :class:`ParamError` with a stable ``code`` (one of :data:`CODES`) for programs and a
message for people naming the parameter as the caller spells it (``'from'`` on the web, ``'--from'``
on the command line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..ingest import ids
from ..ingest.places import canonical_place
from ..text.normalize import normalize_text
from .limits import MAX_PAGE, SORTS

MAX_PLACE_CHARS = 100

CODES = {
    "missing": "a required parameter is absent",
    "bad_number": "not a whole number",
    "out_of_range": "a number outside its bounds",
    "bad_sort": "not one of the sort orders",
    "bad_flag": "not 1 or 0",
    "bad_date": "not a date written YYYY-MM-DD, YYYY-MM or YYYY",
    "reversed_range": "the first date comes after the last",
    "too_long": "a text longer than allowed",
    "bad_id": "not a document id",
    "no_document": "no document has this id",
}


class ParamError(ValueError):
    """A parameter a search cannot use: ``code`` for programs, ``message`` for people."""

    def __init__(self, code: str, message: str, **args):
        super().__init__(message)
        self.code = code
        self.message = message
        self.args_ = args  # what the message names (parameter, value, bounds), for other wordings


@dataclass
class Filters:
    sort: str
    date_from: str | None
    date_to: str | None
    place: str | None


@dataclass
class SearchParams:
    q: str
    page: int
    limit: int
    sort: str
    date_from: str | None
    date_to: str | None
    place: str | None
    as_typed: bool = False  # the query as typed, not its sure correction ("Tìm chính xác")

    def as_query_args(self, **changes) -> dict:
        """The URL parameters that reproduce this search, with ``changes`` applied (None drops one)."""
        args = {
            "q": self.q,
            "page": self.page,
            "sort": self.sort,
            "from": self.date_from,
            "to": self.date_to,
            "place": self.place,
            "as_typed": "1" if self.as_typed else None,
        }
        args.update(changes)
        defaults = {"page": 1, "sort": "relevance"}
        return {k: v for k, v in args.items() if v not in (None, "") and defaults.get(k) != v}


# Month and day in range; the calendar is not consulted: a bound such as 2019-02-31 still orders right.
# An empty value is an absent one: a search form sends "from=" when its date box is left blank.
DATE_PATTERN = r"^(\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?)?$"
_DATE = re.compile(DATE_PATTERN)


def whole_number(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,9}", raw):
        raise ParamError(
            "bad_number",
            f"'{name}' must be a whole number from {low} to {high}, not {raw[:40]!r}",
            name=name.lstrip("-"),
            value=raw[:40],
            low=low,
            high=high,
        )
    value = int(raw)
    if not low <= value <= high:
        raise ParamError(
            "out_of_range",
            f"'{name}' must be from {low} to {high}, not {value}",
            name=name.lstrip("-"),
            value=str(value),
            low=low,
            high=high,
        )
    return value


def date(raw: str | None, name: str) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD; the engine reads a partial date as its whole year or month."""
    raw = raw or ""
    if not _DATE.match(raw):
        raise ParamError(
            "bad_date",
            f"'{name}' must be a date written YYYY-MM-DD (or YYYY, YYYY-MM), not {raw[:40]!r}",
            name=name.lstrip("-"),
            value=raw[:40],
        )
    return raw or None


def flag(raw: str | None, name: str) -> bool:
    """A yes/no parameter: "1" or "0" (absent or empty: no)."""
    raw = raw or ""
    if raw not in ("", "0", "1"):
        raise ParamError("bad_flag", f"'{name}' must be 1 or 0, not {raw[:40]!r}", name=name, value=raw[:40])
    return raw == "1"


def query_text(text: str | None, max_chars: int) -> str:
    text = text or ""
    if len(text) > max_chars:
        raise ParamError(
            "too_long",
            f"the query is too long ({len(text)} characters; at most {max_chars})",
            name="q",
            length=len(text),
            max=max_chars,
        )
    return normalize_text(text).strip()  # the engine's form: control characters blanked, NFC


def filters(args: Mapping[str, str | None], prefix: str = "") -> Filters:
    """``sort``, ``from``, ``to`` and ``place`` of ``args``; ``prefix`` is how the caller spells a
    parameter's name before it ("--" on the command line)."""
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise ParamError(
            "bad_sort",
            f"'{prefix}sort' must be {' or '.join(map(repr, SORTS))}, not {sort[:40]!r}",
            name="sort",
            value=sort[:40],
        )
    date_from = date(args.get("from"), f"{prefix}from")
    date_to = date(args.get("to"), f"{prefix}to")
    # a partial bound covers its whole year or month: 2020 to 2020-05 is a range, 2021 to 2020-12 is not
    if date_from and date_to and date_from > date_to + "\uffff":
        raise ParamError(
            "reversed_range",
            f"'{prefix}from' ({date_from}) is after '{prefix}to' ({date_to}): swap them",
            start=date_from,
            end=date_to,
        )
    place = (args.get("place") or "").strip() or None
    if place is not None:
        if len(place) > MAX_PLACE_CHARS:
            raise ParamError(
                "too_long",
                f"'{prefix}place' is too long (at most {MAX_PLACE_CHARS} characters)",
                name="place",
                length=len(place),
                max=MAX_PLACE_CHARS,
            )
        # the index holds each place under one name; "dien bien" or "TP HCM" mean one of them
        place = canonical_place(place) or normalize_text(place)
    return Filters(sort, date_from, date_to, place)


def search_params(
    args: Mapping[str, str | None], max_chars: int, max_limit: int, default_limit: int
) -> SearchParams:
    """Every parameter of a search as the web app receives them (strings, absent ones missing)."""
    checked = filters(args)
    return SearchParams(
        q=query_text(args.get("q"), max_chars),
        page=whole_number(args.get("page"), "page", 1, 1, MAX_PAGE),
        limit=whole_number(args.get("limit"), "limit", default_limit, 1, max_limit),
        sort=checked.sort,
        date_from=checked.date_from,
        date_to=checked.date_to,
        place=checked.place,
        as_typed=flag(args.get("as_typed"), "as_typed"),
    )


# A document id as the index writes them (searcher.ingest.ids: one rule for the indexer, the command
# line and the web app): a relative path or a record's id, never absolute, never climbing out with "..",
# no control characters, at most MAX_ID_CHARS characters.
DOC_ID_PATTERN = ids.DOC_ID_PATTERN


def doc_id(value: str | None) -> str:
    if not value:
        raise ParamError("missing", "missing 'id': which document?", name="id")
    if not ids.is_valid_id(value):
        raise ParamError(
            "bad_id",
            "'id' is not a document id: a relative path, without '..' or control characters, "
            f"at most {ids.MAX_ID_CHARS} characters",
        )
    return value
