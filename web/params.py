"""Reading and checking request parameters: every bad value becomes a :class:`BadRequest` whose
message tells the user what was wrong (shown on the page, or as the JSON error) and whose ``code``
names the problem for programs. The checks themselves are :mod:`searcher.search.params`, shared with
the command line."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from searcher.search import params as shared
from searcher.search.params import DATE_PATTERN, DOC_ID_PATTERN, MAX_PLACE_CHARS, ParamError, SearchParams

__all__ = [
    "DATE_PATTERN",
    "DOC_ID_PATTERN",
    "MAX_PLACE_CHARS",
    "MAX_SUGGEST_CHARS",
    "BadRequest",
    "SearchParams",
    "doc_id",
    "query_text",
    "search_params",
]

MAX_SUGGEST_CHARS = 200  # what is being typed into the search box: a few words


class BadRequest(ParamError):
    """A parameter the app cannot use; ``status`` is the HTTP status to answer with, ``code`` and
    ``args_`` what was wrong, for programs and for the page's own wording (web/errors.py)."""

    def __init__(self, message: str, status: int = 400, code: str | None = None, **args):
        super().__init__(code or ("not_found" if status == 404 else "bad_request"), message, **args)
        self.status = status


T = TypeVar("T")


def _answering_400(check: Callable[..., T]) -> Callable[..., T]:
    """``check`` with its :class:`ParamError` raised as the :class:`BadRequest` the app answers."""

    @wraps(check)
    def checked(*args, **kwargs) -> T:
        try:
            return check(*args, **kwargs)
        except ParamError as exc:
            if isinstance(exc, BadRequest):
                raise
            raise BadRequest(exc.message, code=exc.code, **exc.args_) from None

    return checked


@_answering_400
def query_text(args, max_chars: int, name: str = "q") -> str:
    return shared.query_text(args.get(name), max_chars)


@_answering_400
def search_params(args, max_chars: int, max_limit: int, default_limit: int) -> SearchParams:
    return shared.search_params(args, max_chars, max_limit, default_limit)


@_answering_400
def doc_id(args) -> str:
    return shared.doc_id(args.get("id"))
