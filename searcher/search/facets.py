"""Counts of all matches per place, per year and per month, for the filters and the timeline beside a
result list, and each document's date, for sorting by date.

Whoosh's facet collectors categorise each match through several Python calls; here each searcher
gets, once, the places and the date of every document as arrays, read from the index's terms (a
fraction of a second for 100,000 documents) and kept in its view, and a search counts with array
operations over the numbers of the documents it matched.
"""

from __future__ import annotations

import numpy as np

from ..index.postings import term_postings
from ..index.view import IndexView


class FacetTable:
    """Places and date of every document of one searcher's index, by document number."""

    def __init__(self, view: IndexView):
        reader = view.searcher.reader()
        size = reader.doc_count_all()
        # (deleted documents are listed too: they are never among a search's matches)
        self.places: dict[str, np.ndarray] = {}  # place -> document numbers mentioning it
        for term in reader.lexicon("places"):
            name = term.decode("utf-8")
            self.places[name] = term_postings(view, "places", name)
        # the same end to end, with each one's place, so a search counts them all in one pass
        self._place_names = list(self.places)
        lists = list(self.places.values())
        self._place_docs = np.concatenate(lists) if lists else np.zeros(0, dtype=np.int64)
        self._place_of = np.repeat(np.arange(len(lists)), [len(docs) for docs in lists])
        # dates as YYYYMMDD integers (0: none), so sorting and year counts are array operations
        self.dates = np.zeros(size, dtype=np.int64)
        for term in reader.lexicon("date"):
            date = term.decode("utf-8")
            digits = date.replace("-", "")
            if not digits.isdigit():  # documents without a date are indexed with an empty value
                continue
            self.dates[term_postings(view, "date", date)] = int(digits.ljust(8, "0")[:8])

    def counts(self, docnums: np.ndarray) -> dict[str, list]:
        """``{"places": [[name, n], ...] by count then name, "years": [[year, n], ...] newest first,
        "months": [["YYYY-MM", n], ...] newest first, or [] when the matches span more than two calendar
        years}`` over ``docnums`` (each story once: the caller leaves out the other copies). A date
        without its month counts in its year only."""
        shown = np.zeros(len(self.dates), dtype=bool)
        shown[docnums] = True
        per_place = np.bincount(self._place_of[shown[self._place_docs]], minlength=len(self._place_names))
        found = np.flatnonzero(per_place).tolist()
        found.sort(key=lambda n: (-int(per_place[n]), self._place_names[n]))
        places = [[self._place_names[n], int(per_place[n])] for n in found]
        # counted with bincount over years and months since year 0 (no sort): a date without its
        # month (YYYY0000) counts in its year only
        months = self.dates[docnums] // 100
        months = months[months > 0]
        years = months // 100
        # months only when the matches fall within two calendar years: what a timeline by month shows
        within = len(years) and int(years.max()) - int(years.min()) <= 1
        dated = months % 100 > 0
        return {
            "places": places,
            "years": _newest_first(years, lambda y: f"{y:04d}"),
            "months": _newest_first(
                years[dated] * 12 + months[dated] % 100 - 1, lambda m: f"{m // 12:04d}-{m % 12 + 1:02d}"
            )
            if within
            else [],
        }


def _newest_first(values: np.ndarray, name) -> list[list]:
    """``[[name(value), count], ...]`` for each value present, largest value first."""
    if not len(values):
        return []
    low = int(values.min())
    counts = np.bincount(values - low)
    present = np.flatnonzero(counts)[::-1]
    return [[name(int(v) + low), int(n)] for v, n in zip(present.tolist(), counts[present].tolist())]


def facet_table(view: IndexView) -> FacetTable:
    """The table of ``view``'s index, built on first use and dropped with the view."""
    return view.table("facets", FacetTable)
