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
        "months": [["YYYY-MM", n], ...] newest first}`` over ``docnums`` (each story once: the caller
        leaves out the other copies). A date without its month counts in its year only."""
        shown = np.zeros(len(self.dates), dtype=bool)
        shown[docnums] = True
        per_place = np.bincount(self._place_of[shown[self._place_docs]], minlength=len(self._place_names))
        places = [[self._place_names[n], int(per_place[n])] for n in np.flatnonzero(per_place).tolist()]
        places.sort(key=lambda item: (-item[1], item[0]))
        months = self.dates[docnums] // 100
        values, counts = np.unique(months[months > 0], return_counts=True)  # sorted: a year's months together
        years = values // 100
        year_values, starts = np.unique(years, return_index=True)
        year_counts = np.add.reduceat(counts, starts) if len(counts) else counts
        return {
            "places": places,
            "years": [
                [f"{y:04d}", int(n)] for y, n in zip(year_values[::-1].tolist(), year_counts[::-1].tolist())
            ],
            "months": [
                [f"{m // 100:04d}-{m % 100:02d}", int(n)]
                for m, n in zip(values[::-1].tolist(), counts[::-1].tolist())
                if m % 100
            ],
        }


def facet_table(view: IndexView) -> FacetTable:
    """The table of ``view``'s index, built on first use and dropped with the view."""
    return view.table("facets", FacetTable)
