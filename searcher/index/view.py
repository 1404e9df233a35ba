"""One open Whoosh searcher and the tables read from it, kept together for as long as it is in use.

Term infos, length bytes, copy groups, the facet table ...: each is worked out once per version of the
index and serves every later query. They live in the :class:`IndexView` of the searcher they were read
from, which the engine makes for each searcher it opens and drops when it replaces or closes it (a
commit, a switch), so nothing outlives the index version it describes. The decoded-postings cache is
the one table shared between searchers (a segment's postings never change); the engine owns it and
hands it to each view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from .postings import DecodedPostings


class IndexView:
    """A Whoosh searcher with its tables (see the module doc).

    Thread-safe the way the engine uses it (one view per thread); the tables are filled with single
    dictionary operations, so a view shared between threads at worst builds a table twice.
    """

    def __init__(self, searcher, decoded: DecodedPostings | None = None):
        self.searcher = searcher
        self.decoded = decoded  # long posting lists kept decoded (None: none kept)
        self.terms: dict[tuple[str, bytes], list] = {}  # (field, term) -> [(segment reader, offset, info)]
        self.lengths: dict[tuple[Any, str], np.ndarray] = {}  # (segment reader, field) -> length bytes
        self.tables: dict[str, Any] = {}  # name -> a table built from the index (copy groups, facets ...)

    @classmethod
    def of(cls, searcher) -> IndexView:
        """``searcher`` itself if it is a view, else a new view of it that keeps its tables for one
        call only (tests and one-off tools: the engine passes its own views)."""
        return searcher if isinstance(searcher, IndexView) else cls(searcher)

    def table(self, name: str, build: Callable[[IndexView], Any]) -> Any:
        """The table ``name`` of this view, made by ``build(view)`` on first use."""
        found = self.tables.get(name)
        if found is None:
            found = self.tables.setdefault(name, build(self))
        return found
