"""Reading and checking request parameters: every bad value becomes a :class:`BadRequest` whose
message tells the user what was wrong (shown on the page, or as the JSON error)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from searcher.search.engine import MAX_PAGE
from searcher.text.normalize import normalize_text


class BadRequest(ValueError):
    """A parameter the app cannot use; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


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


def _int(args, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,9}", raw):
        raise BadRequest(f"'{name}' must be a whole number from {low} to {high}, not {raw[:40]!r}")
    value = int(raw)
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be from {low} to {high}, not {value}")
    return value


def _date(args, name: str) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD; the engine reads a partial date as its whole year or month."""
    raw = args.get(name, "")
    if not _DATE.match(raw):
        raise BadRequest(f"'{name}' must be a date written YYYY-MM-DD (or YYYY, YYYY-MM), not {raw[:40]!r}")
    return raw or None


def _flag(args, name: str) -> bool:
    raw = args.get(name, "")
    if raw not in ("", "0", "1"):
        raise BadRequest(f"'{name}' must be 1 or 0, not {raw[:40]!r}")
    return raw == "1"


def query_text(args, max_chars: int, name: str = "q") -> str:
    text = args.get(name, "")
    if len(text) > max_chars:
        raise BadRequest(f"the query is too long ({len(text)} characters; at most {max_chars})")
    return normalize_text(text).strip()  # the engine's form: control characters blanked, NFC


def search_params(args, max_chars: int, max_limit: int, default_limit: int) -> SearchParams:
    sort = args.get("sort", "") or "relevance"
    if sort not in ("relevance", "date"):
        raise BadRequest(f"'sort' must be 'relevance' or 'date', not {sort[:40]!r}")
    place = args.get("place", "").strip() or None
    if place is not None and len(place) > 100:
        raise BadRequest("'place' is too long")
    return SearchParams(
        q=query_text(args, max_chars),
        page=_int(args, "page", 1, 1, MAX_PAGE),
        limit=_int(args, "limit", default_limit, 1, max_limit),
        sort=sort,
        date_from=_date(args, "from"),
        date_to=_date(args, "to"),
        place=place,
        as_typed=_flag(args, "as_typed"),
    )


# A document id as the index writes them: a relative path (or "path#n" inside a JSON Lines file), never
# absolute, never climbing out with "..", no control characters.
DOC_ID_PATTERN = r"^(?![/\\])(?!(.*[/\\])?\.\.([/\\]|$))[^\x00-\x1f\x7f]{1,1000}$"
_DOC_ID = re.compile(DOC_ID_PATTERN, re.S)


def doc_id(args) -> str:
    value = args.get("id", "")
    if not value:
        raise BadRequest("missing 'id': which document?")
    if not _DOC_ID.match(value):
        raise BadRequest("'id' is not a document id: a relative path, without '..', at most 1000 characters")
    return value
