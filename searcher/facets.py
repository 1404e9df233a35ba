"""Counts of all matches per place and per year, for the filters beside a result list.

Whoosh's facet collectors categorise each match through several Python calls; here each searcher
gets, once, the places and the year of every document, read from the index's terms (a fraction of a
second for 100,000 documents), and a search only records the numbers of the documents it matched.
"""
from __future__ import annotations

import threading
import weakref
from collections import Counter

_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # searcher -> FacetTable
_LOCK = threading.Lock()


class FacetTable:
    """Places and year of every document of one searcher's index, by document number."""

    def __init__(self, reader):
        size = reader.doc_count_all()
        self.places: list[tuple[str, ...]] = [()] * size
        self.years: list[str | None] = [None] * size
        # copies of one story share a group (see searcher.duplicates) and count once, as they show once
        self.groups: list[str | int] = list(range(size))
        for term in reader.lexicon("dup_of"):
            group = term.decode("utf-8")
            if not group:  # an index built before duplicates were grouped
                continue
            for docnum in reader.postings("dup_of", group).all_ids():
                self.groups[docnum] = group
        for term in reader.lexicon("places"):
            name = term.decode("utf-8")
            for docnum in reader.postings("places", name).all_ids():
                self.places[docnum] += (name,)
        for term in reader.lexicon("date"):
            date = term.decode("utf-8")
            if not date:  # documents without a date are indexed with an empty value
                continue
            for docnum in reader.postings("date", date).all_ids():
                self.years[docnum] = date[:4]

    def counts(self, docnums: list[int]) -> dict[str, list]:
        """``{"places": [[name, n], ...] by count then name, "years": [[year, n], ...] newest first}``."""
        places: Counter = Counter()
        years: Counter = Counter()
        seen: set = set()
        for docnum in docnums:
            group = self.groups[docnum]
            if group in seen:
                continue
            seen.add(group)
            places.update(self.places[docnum])
            years[self.years[docnum]] += 1
        years.pop(None, None)
        return {"places": sorted(([name, n] for name, n in places.items()), key=lambda item: (-item[1], item[0])),
                "years": [[year, years[year]] for year in sorted(years, reverse=True)]}


def facet_table(searcher) -> FacetTable:
    """The table of ``searcher``'s index, built on first use and dropped with the searcher."""
    with _LOCK:
        table = _TABLES.get(searcher)
        if table is None:
            table = _TABLES[searcher] = FacetTable(searcher.reader())
        return table
