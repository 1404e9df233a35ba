"""The search engine: open the live index, run queries, return plain result objects.

The CLI and the web app both call :class:`Engine`; it knows nothing of either. Results are copied out
of Whoosh inside the searcher's lifetime, so callers never hold Whoosh objects.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
from whoosh import query as Q
from whoosh.collectors import FilterCollector, TimeLimit, WrappingCollector

from ..analysis.schema import SCHEMA_VERSION
from ..index import integrity, store
from ..index.duplicates import copy_groups, first_of_each_group
from ..index.postings import DecodedPostings, doc_frequency
from ..index.view import IndexView
from ..text.normalize import fold
from .bm25 import ListLengthBM25F
from .facets import facet_table
from .highlight import make_snippet, mark_all
from .limits import MAX_LIMIT, MAX_PAGE
from .matching import Unsupported, held_counts, match_all, top_ranked
from .notes import Note, in_english, unique
from .passages import PASSAGE_WEIGHT, RERANKED, idf, passage_shares, query_pairs
from .passages import Query as PassageQuery
from .planning import BM25_B, BM25_K1, looks_expensive, parse_query

SEARCH_TIME_LIMIT_S = 5.0
RELATED_TERMS = 25
RELATED_TEXT_CHARS = 20_000
RESULT_CACHE_SIZE = 512  # answers kept per engine (a page of hits each: well under a megabyte)
POSTINGS_CACHE_MB = 96  # decoded long posting lists kept per engine (searcher.index.postings.DecodedPostings)


class IndexMissing(RuntimeError):
    """There is no index at the given place yet."""


class Busy(RuntimeError):
    """As many expensive searches as the engine admits at once are running: this one was not
    started (see ``Engine(expensive_slots=...)``); asking again shortly may succeed."""


IndexDamaged = store.IndexDamaged  # the index's files are damaged: rebuild it


def _damage_told(method):
    """``method`` telling damage met while reading as :class:`IndexDamaged`: an error it raised is
    looked into (the files checked against their record), and re-raised as it was if none is found."""

    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (IndexMissing, IndexDamaged, Busy):
            raise
        except Exception as exc:
            damage = self._damage_behind(exc)
            if damage:
                raise IndexDamaged(self.index_dir, damage) from exc
            raise

    return checked


@dataclass
class Hit:
    id: str
    title: str
    path: str  # the source file relative to the folder indexed
    date: str | None  # publication date (ISO), None when unknown
    score: float
    snippet: str  # HTML: escaped text with <mark> around matched words
    places: list[str] = field(default_factory=list)  # provinces/cities the report is about
    author: str | None = None
    date_source: str | None = None
    # the other copies of this story: [{"id", "title", "source"}, ...]
    duplicates: list[dict] = field(default_factory=list)
    source: str | None = None  # the site or publisher
    url: str | None = None
    places_mentioned: list[str] = field(default_factory=list)  # every province/city the report names


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    limit: int
    took_ms: float
    hits: list[Hit]
    notes: list[Note] = field(default_factory=list)  # what the engine changed or could not use
    # counts per place, year and month over all matches (asked for with facets=True): [[value, count], ...]
    facets: dict[str, list] = field(default_factory=dict)
    interpreted_as: str | None = None  # the accented reading the ranking used ("quốc phòng" for "quoc phong")
    did_you_mean: str | None = None  # a better query when the typed one looks misspelled
    # what was typed, when it held words the index never writes and ``query`` (its correction) was run
    corrected_from: str | None = None

    def as_dict(self) -> dict:
        # what dataclasses.asdict gives, built directly: its recursive copy of every value was a
        # tenth of a web request's time (results are cached, so containers are still copied)
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["hits"] = [
            {
                **vars(hit),
                "places": list(hit.places),
                "places_mentioned": list(hit.places_mentioned),
                "duplicates": [dict(d) for d in hit.duplicates],
            }
            for hit in self.hits
        ]
        data["notes"] = [in_english(note) for note in self.notes]
        data["note_codes"] = [note.as_dict() for note in self.notes]  # the same, for a page to word itself
        data["facets"] = {name: [list(pair) for pair in pairs] for name, pairs in self.facets.items()}
        data["took_ms"] = round(self.took_ms, 2)
        data["ok"] = True  # the JSON envelope's flag: an error answer is {"ok": false, "error": ...}
        return data


class Engine:
    """Searches the live generation of an index folder, following rebuilds and updates.

    Thread-safe: each thread gets its own Whoosh searcher, reopened when the index changes, and the
    :class:`~searcher.index.view.IndexView` holding the tables read from it (dropped with it). The
    decoded posting lists are shared by all of them (``postings_cache_mb``, else
    ``$SEARCH_POSTINGS_CACHE_MB``, else :data:`POSTINGS_CACHE_MB`; 0 turns them off).
    """

    query_intelligence = True  # accent restoration, abbreviations and spelling (off: words as typed)
    passage_ranking = True  # the best candidates re-ranked by their best passage (searcher.search.passages)

    def __init__(
        self,
        index_dir: Path | str | None = None,
        time_limit_s: float = SEARCH_TIME_LIMIT_S,
        postings_cache_mb: float | None = None,
        expensive_slots: int | None = None,
    ):
        self.index_dir = Path(index_dir) if index_dir else store.default_index_dir()
        # a search running longer, planning included, returns what it found so far
        self.time_limit_s = time_limit_s
        # expensive searches (planning.looks_expensive) run at most this many at once, others raise
        # Busy; None: no limit (the command line runs one search at a time anyway)
        self.expensive_slots = Admission(expensive_slots) if expensive_slots is not None else None
        self._local = threading.local()
        self._weighting = ListLengthBM25F(B=BM25_B, K1=BM25_K1)
        self._lexicon_state: tuple = (None, None, None)  # (generation folder, mtime, Lexicon)
        self._lexicon_lock = threading.Lock()
        # $SEARCH_RESULT_CACHE sets the size; 0 turns the cache off (benchmarks measure the engine itself)
        self._results = _ResultCache(int(os.environ.get("SEARCH_RESULT_CACHE", RESULT_CACHE_SIZE)))
        if postings_cache_mb is None:
            postings_cache_mb = float(os.environ.get("SEARCH_POSTINGS_CACHE_MB", POSTINGS_CACHE_MB))
        self.postings_cache = DecodedPostings(postings_cache_mb)
        self._abbreviation_state: tuple = (None, None)  # (what the table was read from, the table)
        self._abbreviation_lock = threading.Lock()
        self._open_searchers: set = set()  # every thread's, so close() can close them all
        self._searchers_lock = threading.Lock()
        self._checked = integrity.CheckedGenerations()  # segment files against their checksums

    # --- opening and following the index --------------------------------------------------------
    def _searcher(self):
        """This thread's searcher on the live generation, reopened after a switch or a commit."""
        return self._view().searcher

    def _view(self) -> IndexView:
        """This thread's view of the live generation: its searcher and the tables read from it."""
        generation = store.current_generation(self.index_dir)
        if generation is None:
            raise IndexMissing(
                f"no index at {self.index_dir}: build one with 'search index FOLDER' (e.g. 'search index seeds/')"
            )
        local = self._local
        if getattr(local, "generation", None) != generation:
            self._replace_searcher(generation)
        elif not local.searcher.up_to_date():
            # Reopened rather than refresh()ed: refresh reuses the old segment readers, whose deletion
            # marks are stale, so a document replaced in place would be found in both versions.
            self._replace_searcher(generation)
        return local.view

    def _replace_searcher(self, generation: Path) -> None:
        local = self._local
        old = getattr(local, "searcher", None)
        built_with = store.read_meta(generation).get("schema_version")
        if built_with != SCHEMA_VERSION:
            raise IndexMissing(
                f"the index at {self.index_dir} was built by another version (schema {built_with}, "
                f"this one reads {SCHEMA_VERSION}): rebuild it with 'search index --rebuild'"
            )
        # every segment file against its checksum, once per state of the files: an altered byte
        # would otherwise change answers without an error
        damage = self._checked.damage(generation)
        if damage:
            raise IndexDamaged(self.index_dir, damage)
        searcher = integrity.open_searcher(generation, weighting=self._weighting)
        with self._searchers_lock:
            self._open_searchers.add(searcher)
            if old is not None:
                self._open_searchers.discard(old)
        if old is not None:
            old.close()
        # the old view, and every table read for the old searcher, goes with it
        local.view = IndexView(searcher, self.postings_cache)
        local.searcher, local.generation = searcher, generation

    def close(self) -> None:
        """Close every thread's searcher (their files); the engine reopens them if used again."""
        with self._searchers_lock:
            searchers, self._open_searchers = self._open_searchers, set()
        for searcher in searchers:
            searcher.close()
        self._local = threading.local()

    def __del__(self):
        if getattr(self, "_open_searchers", None):
            self.close()

    # --- searching --------------------------------------------------------------------------------
    @_damage_told
    def search(
        self,
        text: str,
        limit: int = 10,
        page: int = 1,
        sort: str = "relevance",
        date_from: str | None = None,
        date_to: str | None = None,
        place: str | None = None,
        facets: bool = False,
        as_typed: bool = False,
    ) -> SearchResult:
        """Run one query; ``page`` is 1-based. Never raises for any query text (but :class:`Busy`
        when the engine admits a limited number of expensive searches and that many are running).

        With ``facets``, the result also counts all matches per place and per year (for filters).
        A query holding words the index never writes ("quoc phonng") is answered by its correction
        when that is sure (``corrected_from`` then holds the typed text); ``as_typed`` turns that off.
        Everything a search does counts against :attr:`time_limit_s`, planning and the search of a
        correction included.
        """
        started = time.perf_counter()
        if getattr(self._local, "deadline", None) is not None:  # a correction, within its query's time
            return self._search(text, started, limit, page, sort, date_from, date_to, place, facets, as_typed)
        self._local.deadline = started + self.time_limit_s
        try:
            return self._search(text, started, limit, page, sort, date_from, date_to, place, facets, as_typed)
        finally:
            self._local.deadline = None

    def _search(
        self, text, started, limit, page, sort, date_from, date_to, place, facets, as_typed
    ) -> SearchResult:
        limit = max(1, min(int(limit), MAX_LIMIT))
        page = max(1, min(int(page), MAX_PAGE))
        view = self._view()
        searcher = view.searcher
        table = self._abbreviations()
        cache_key = self._cache_key(
            searcher, table, (text, limit, page, sort, date_from, date_to, place, facets, as_typed)
        )
        cached = self._results.get(cache_key)
        if cached is not None:
            cached.took_ms = (time.perf_counter() - started) * 1000
            return cached
        options = dict(
            limit=limit,
            page=page,
            sort=sort,
            date_from=date_from,
            date_to=date_to,
            place=place,
            facets=facets,
        )
        with self._admitted(text):
            return self._answer(text, started, view, table, cache_key, options, as_typed)

    @contextlib.contextmanager
    def _admitted(self, text: str):
        """Holds one of the slots for expensive searches while ``text`` is searched, when it looks
        expensive; raises :class:`Busy` when none is free. A correction's search runs in its
        query's slot."""
        slots = self.expensive_slots
        if slots is None or getattr(self._local, "correcting", False) or not looks_expensive(text):
            yield
            return
        if not slots.enter():
            raise Busy("too many expensive searches are running: try again in a moment")
        started = time.monotonic()
        try:
            yield
        finally:
            slots.leave(time.monotonic() - started)

    def _answer(
        self, text: str, started: float, view, table, cache_key, options: dict, as_typed: bool
    ) -> SearchResult:
        """The answer to ``text`` (not in the cache), with the search's ``options``."""
        limit, page, sort, facets = options["limit"], options["page"], options["sort"], options["facets"]
        date_from, date_to, place = options["date_from"], options["date_to"], options["place"]
        searcher = view.searcher
        deadline = self._local.deadline
        plan = self._plan(text, view, table, deadline=deadline)
        if plan.corrected and not as_typed and not getattr(self._local, "correcting", False):
            corrected = self._search_correction(text, plan.corrected, options, started)
            if corrected is not None:
                self._results.put(cache_key, corrected)
                return corrected
        notes = list(plan.notes)
        hits: list[Hit] = []
        total = 0
        facet_counts: dict[str, list] = {"places": [], "years": [], "months": []}
        if plan.query is not None:
            restriction = _filter(date_from, date_to, place)
            docnums, scores, cut_short = self._matches(view, plan.query, restriction, deadline)
            if not len(docnums) and plan.accents_required and not plan.cut_short:
                # nothing holds the phrase's accented words as typed ("Trọng tại thương mại" for
                # "trọng tài"): its words in any form, and say so
                plan = self._plan(text, view, table, accents_required=False, deadline=deadline)
                docnums, scores, cut_short = self._matches(view, plan.query, restriction, deadline)
                if len(docnums):
                    notes.append(Note("any_form"))
            cut_short = cut_short or plan.cut_short
            if cut_short:
                notes.append(Note("cut_short", {"seconds": self.time_limit_s}))
            # one hit per group of duplicates (see searcher.index.duplicates); the others listed in the hit
            groups = copy_groups(view, self._local.generation)
            shown = first_of_each_group(docnums, scores, groups)
            docnums, scores = docnums[shown], scores[shown]
            total = len(docnums)
            if facets:
                facet_counts = facet_table(view).counts(docnums)
            first = (page - 1) * limit
            dates = facet_table(view).dates[docnums] if sort == "date" else None
            read: dict[int, dict] = {}  # document number -> stored fields, read once
            # (a page after the re-ranked candidates is the same without them: they only reorder
            # among themselves, above every other match)
            base = scores
            if dates is None and total > 1:
                scores = _in_tiers(view, plan, docnums, scores)
            reranked = self.passage_ranking and dates is None and plan.free_text and not cut_short
            if reranked and total > 1 and first < RERANKED:
                scores = self._by_passages(view, plan, docnums, scores, read, base)
            on_page = top_ranked(docnums, scores, first + limit, dates)[first:]
            for docnum, score in zip(docnums[on_page].tolist(), scores[on_page].tolist()):
                stored = read.get(docnum) or searcher.stored_fields(docnum)
                hits.append(
                    Hit(
                        id=stored["id"],
                        title=stored.get("title", ""),
                        path=stored.get("path", ""),
                        date=stored.get("date") or None,
                        score=round(score, 4),
                        snippet=make_snippet(
                            stored.get("text", ""), plan.highlight_terms, common=plan.highlight_common
                        ),
                        places=_names(stored.get("places")),
                        author=stored.get("author"),
                        date_source=stored.get("date_source"),
                        duplicates=_duplicates(searcher, stored) if groups[docnum] >= 0 else [],
                        source=stored.get("source"),
                        url=stored.get("url"),
                        places_mentioned=_names(stored.get("places_mentioned")),
                    )
                )
        took_ms = (time.perf_counter() - started) * 1000
        result = SearchResult(
            query=text,
            total=total,
            page=page,
            limit=limit,
            took_ms=took_ms,
            hits=hits,
            notes=unique(notes),
            facets=facet_counts if facets else {},
            interpreted_as=plan.interpreted_as,
            did_you_mean=plan.did_you_mean,
        )
        if not total and plan.did_you_mean and not getattr(self._local, "correcting", False):
            result = self._search_corrected(result, options)
        if not any(note.code == "cut_short" for note in result.notes):  # it may do better next time
            self._results.put(cache_key, result)
        return result

    def _by_passages(
        self, view, plan, docnums: np.ndarray, scores: np.ndarray, read: dict, base: np.ndarray
    ) -> np.ndarray:
        """``scores`` with the best :data:`passages.RERANKED` raised by their best passage (see
        searcher.search.passages); raised scores stay above every other, so only those candidates reorder.
        ``read`` gets each candidate's stored fields, for its snippet; ``base``: the scores before
        tiers (see :func:`_in_tiers`), which the raise is measured by, so that it never crosses a tier."""
        searcher = view.searcher
        doc_count = searcher.doc_count_all()
        # the query's own words make the whole; another form of some of them counts as those words
        runs = [[fold(s) for s in run] for run in plan.free_text]
        weights = {w: idf(doc_count, doc_frequency(view, "body_fold", w)) for run in runs for w in run}
        query = PassageQuery(weights, query_pairs(runs), plan.synonyms)
        head = top_ranked(docnums, scores, RERANKED)
        texts = []
        for docnum in docnums[head].tolist():
            stored = read[docnum] = searcher.stored_fields(docnum)
            texts.append(f"{stored.get('title', '')}\n{stored.get('text', '')}")  # the title as first line
        raised = scores.copy()
        raised[head] += PASSAGE_WEIGHT * float(base[head].max()) * passage_shares(texts, query)
        return raised

    def _matches(self, view, query: Q.Query, restriction: Q.Query | None, deadline: float):
        """(document numbers, scores, cut short?) of every match of ``query`` within ``restriction``,
        as many as were found by ``deadline`` (a ``time.perf_counter()`` value).

        The queries the parser builds are scored with array arithmetic (searcher.search.matching); anything
        else is scored by Whoosh, under the time limit.
        """
        try:
            found = match_all(view, query, restrict=restriction, deadline=deadline)
            return found.docnums, found.scores, found.cut_short
        except Unsupported:
            pass
        searcher = view.searcher
        collector = _Deadline(searcher.collector(limit=None), deadline)
        if restriction is not None:  # outside the deadline, which would otherwise bypass the filter
            collector = FilterCollector(collector, restriction)
        cut_short = False
        try:
            searcher.search_with_collector(query, collector)
        except TimeLimit:
            cut_short = True
        items = collector.results().top_n
        docnums = np.fromiter((docnum for _, docnum in items), dtype=np.int64, count=len(items))
        scores = np.fromiter((score for score, _ in items), dtype=np.float64, count=len(items))
        return docnums, scores, cut_short

    def _cache_key(self, searcher, table, request: tuple) -> tuple:
        """What an answer depends on: the request, the index version the searcher reads (a commit or a
        switch makes a new one), the abbreviation table in force and the ranking switches."""
        return (
            str(self._local.generation),
            searcher.reader().generation(),
            table,  # (the table itself, not its id: a key keeps it, so no later table takes its id)
            self.query_intelligence,
            self.passage_ranking,
            getattr(self._local, "correcting", False),
            request,
        )

    def _abbreviations(self):
        """The abbreviation table in force (None when query intelligence is off)."""
        if not self.query_intelligence:
            return None
        from ..lexicon.abbreviations import load_table, table_stamp

        stamp = table_stamp(self.index_dir)  # asked for by every search: a stat call per user file
        with self._abbreviation_lock:
            if self._abbreviation_state[0] != stamp:  # a table file changed: a new table
                self._abbreviation_state = (stamp, load_table(stamp))
            return self._abbreviation_state[1]

    def _plan(
        self, text: str, searcher, table=None, accents_required: bool = True, deadline: float | None = None
    ):
        """The query plan, with the index's lexicon and abbreviation table unless they are turned off.
        ``searcher``: this thread's view (or a Whoosh searcher); ``deadline``: see ``parse_query``."""
        if not self.query_intelligence:
            return parse_query(text, searcher, accents_required=accents_required, deadline=deadline)
        return parse_query(
            text,
            searcher,
            lexicon=self.lexicon(self._local.generation),
            abbreviations=table if table is not None else self._abbreviations(),
            accents_required=accents_required,
            deadline=deadline,
        )

    def _search_correction(self, typed: str, corrected: str, options: dict, started: float):
        """The answer to the sure correction of ``typed``, saying what was typed; None when the
        correction finds nothing (the typed query is then answered as it is)."""
        self._local.correcting = True
        try:
            result = self.search(corrected, **options)
        finally:
            self._local.correcting = False
        if not result.total or any(note.code == "cut_short" for note in result.notes):
            return None
        result.corrected_from, result.did_you_mean = typed, None
        result.took_ms = (time.perf_counter() - started) * 1000
        return result

    def _search_corrected(self, result: SearchResult, options: dict) -> SearchResult:
        """Nothing matched the typed query: answer its correction instead, and say so."""
        corrected = result.did_you_mean
        if corrected is None:  # (no correction to answer)
            return result
        self._local.correcting = True
        try:
            second = self.search(corrected, **options)
        finally:
            self._local.correcting = False
        if not second.total:
            return result
        second.query, second.interpreted_as, second.did_you_mean = result.query, corrected, None
        # (the corrected search's own notes too: one cut short must say so, and is not kept)
        second.notes = unique(
            result.notes + second.notes + [Note("corrected", {"typed": result.query, "corrected": corrected})]
        )
        second.took_ms += result.took_ms
        return second

    def lexicon(self, generation: Path | None = None):
        """The live generation's spelling statistics (:class:`searcher.lexicon.Lexicon`), or None.
        ``generation``: the live one as this thread's searcher just found it (saves reading it again)."""
        from ..lexicon.lexicon import LEXICON_FILE, Lexicon

        generation = generation or store.current_generation(self.index_dir)
        folder = os.fspath(generation) if generation else None  # (strings: asked for by every search)
        try:
            mtime = os.stat(os.path.join(folder, LEXICON_FILE)).st_mtime_ns if folder else None
        except FileNotFoundError:  # every run writes one: without it answers would differ, untold
            raise IndexDamaged(self.index_dir, [store.Damage(LEXICON_FILE, "missing")]) from None
        except OSError:
            mtime = None
        with self._lexicon_lock:
            if self._lexicon_state[:2] != (folder, mtime):  # a switch or an update: reopen
                if self._lexicon_state[2] is not None:
                    self._lexicon_state[2].close()
                self._lexicon_state = (None, None, None)  # (no closed one kept if the next fails to open)
                self._lexicon_state = (folder, mtime, Lexicon.open(generation) if mtime else None)
            return self._lexicon_state[2]

    @_damage_told
    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Autocomplete: up to ``limit`` frequent phrases of the index that continue ``prefix``."""
        from ..lexicon.suggest import suggest

        return suggest(self.lexicon(), prefix, limit)

    @_damage_told
    def get(self, doc_id: str, highlight: str | None = None) -> dict | None:
        """The stored document ``doc_id`` (with ``text_html`` marking ``highlight``'s words), or None."""
        view = self._view()
        searcher = view.searcher
        stored = searcher.document(id=doc_id)
        if stored is None:
            return None
        text = stored.get("text", "")
        doc = {
            "id": stored["id"],
            "title": stored.get("title", ""),
            "date": stored.get("date") or None,
            "date_source": stored.get("date_source"),
            "path": stored.get("path", ""),
            "places": _names(stored.get("places")),
            "places_mentioned": _names(stored.get("places_mentioned")),
            "author": stored.get("author"),
            "url": stored.get("url"),
            "source": stored.get("source"),
            "modified": stored.get("modified"),
            "duplicates": _duplicates(searcher, stored),
            "text": text,
        }
        if highlight:
            plan = self._plan(highlight, view, deadline=time.perf_counter() + self.time_limit_s)
            doc["text_html"] = mark_all(text, plan.highlight_terms, plan.highlight_common)
        return doc

    @_damage_told
    def related(self, doc_id: str, limit: int = 5) -> list[dict]:
        """Reports most like ``doc_id`` (Whoosh's more-like-this over its key word pairs), best first."""
        searcher = self._searcher()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return []
        stored = searcher.stored_fields(docnum)
        # word pairs say more of a report's topic than single syllables; the text's head is enough
        results = searcher.more_like(
            docnum,
            "body_bi",
            text=stored.get("text", "")[:RELATED_TEXT_CHARS],
            top=limit,
            numterms=RELATED_TERMS,
        )
        return [
            {
                "id": hit["id"],
                "title": hit.get("title", ""),
                "date": hit.get("date") or None,
                "places": _names(hit.get("places")),
                "source": hit.get("source"),
            }
            for hit in results
        ]

    def health(self) -> dict:
        """:meth:`info`, once the live generation's files are seen to be whole: their sizes and times
        at each call, their contents when those change.

        :raise IndexDamaged: a file is missing, cut short or altered.
        """
        generation = store.current_generation(self.index_dir)
        if generation is None:
            raise IndexMissing(f"no index at {self.index_dir}: build one with 'search index FOLDER'")
        damage = self._checked.damage(generation)
        if damage:
            raise IndexDamaged(self.index_dir, damage)
        try:
            self.lexicon(generation)  # (opened once per version: its files are not checksummed)
        except sqlite3.DatabaseError as exc:
            raise IndexDamaged(self.index_dir, self._damage_behind(exc)) from exc
        return self.info()

    def _damage_behind(self, exc: Exception) -> list[store.Damage]:
        """The damage that may explain ``exc``, raised while reading the index (none: a bug)."""
        if isinstance(exc, sqlite3.DatabaseError):
            from ..lexicon.lexicon import LEXICON_FILE

            return [store.Damage(LEXICON_FILE, integrity.describe(exc))]
        try:
            generation = store.current_generation(self.index_dir)
        except IndexDamaged as damaged:
            return damaged.damage
        return self._checked.damage(generation) if generation is not None else []

    @_damage_told
    def info(self) -> dict:
        """Document count, size on disk, last update, schema and extraction versions of the live index."""
        generation = store.current_generation(self.index_dir)
        if generation is None:
            raise IndexMissing(f"no index at {self.index_dir}: build one with 'search index FOLDER'")
        meta = store.read_meta(generation)
        size = sum(p.stat().st_size for p in generation.iterdir() if p.is_file())
        # (the folders are for the command line's `search info`: the web app shows none of them)
        return {
            "documents": self._searcher().doc_count(),
            "size_bytes": size,
            "updated": meta.get("updated"),
            "schema_version": meta.get("schema_version", SCHEMA_VERSION),
            "extraction_version": meta.get("extraction_version"),
            "index_dir": str(self.index_dir),
            "roots": meta.get("roots", []),
        }


class Admission:
    """Admission of expensive searches: at most ``slots`` at once, and all of them within a share
    of the process's time. Their time is drawn from an allowance that grows by ``share`` seconds
    per second up to ``burst_s``; while it is spent, none starts. A person's few prefix searches
    in a row pass; a flood gets ``share`` of the time (a quarter) however many it sends.

    The allowance matters where searches do not overlap: gunicorn's gevent workers run one request
    at a time, so a slot held only while its search ran would always be free for the next one.
    """

    def __init__(self, slots: int, share: float = 0.25, burst_s: float = 0.5):
        self.slots = slots
        self.share = share
        self.burst_s = burst_s
        self._running = 0
        self._allowance = burst_s  # seconds of expensive search that may start now
        self._counted_at = time.monotonic()
        self._lock = threading.Lock()

    def enter(self) -> bool:
        """Take a slot if one is free and the allowance is not spent; False otherwise."""
        with self._lock:
            now = time.monotonic()
            self._allowance = min(self.burst_s, self._allowance + (now - self._counted_at) * self.share)
            self._counted_at = now
            if self._running >= self.slots or self._allowance <= 0:
                return False
            self._running += 1
            return True

    def leave(self, took_s: float) -> None:
        """A slot's search ended after ``took_s`` seconds, drawn from the allowance."""
        with self._lock:
            self._running -= 1
            self._allowance -= took_s


class _ResultCache:
    """A bounded, thread-safe LRU of search answers; callers get copies, so they may change them.

    Answers are kept pickled: unpickling a page of hits is several times faster than deep-copying it,
    and a cache hit should cost little more than the request around it."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
        return pickle.loads(found)

    def put(self, key, result) -> None:
        if self.size <= 0:
            return
        kept = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._items[key] = kept
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class _Deadline(WrappingCollector):
    """Stops collecting once ``deadline`` (a ``time.perf_counter()`` value) has passed (TimeLimit);
    what was collected stays usable.

    Whoosh's TimeLimitCollector needs a timer thread per search and skips a FilterCollector's check
    when wrapped around one; this checks the clock every few hundred matches instead.
    """

    CHECK_EVERY = 256

    def __init__(self, child, deadline: float):
        super().__init__(child)
        self.deadline = deadline

    def prepare(self, top_searcher, q, context):
        self.counter = 0
        super().prepare(top_searcher, q, context)

    def collect_matches(self):
        for sub_docnum in self.child.matches():
            self.collect(sub_docnum)

    def collect(self, sub_docnum):
        self.counter += 1
        if not self.counter % self.CHECK_EVERY and time.perf_counter() > self.deadline:
            raise TimeLimit
        return self.child.collect(sub_docnum)


def _filter(date_from: str | None, date_to: str | None, place: str | None) -> Q.Query | None:
    parts: list[Q.Query] = []
    if date_from or date_to:
        parts.append(Q.TermRange("date", date_from or "0000", (date_to or "9999") + "\uffff"))
    if place:
        parts.append(Q.Term("places", place))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)


MAX_PASSAGE_SHARE = 1.5  # (with every word pair of the query in one passage: see passages.passage_shares)


def _in_tiers(view, plan, docnums: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """``scores`` lifted so that documents about more of the places the query names come first (the
    place is what the query is about: "UBND tỉnh Điện Biên"); the scores order each tier as before,
    with room for the passage re-ranking, which stays within a tier.

    When the query asks something of the place ("Bình Định du lịch"), the tiers are: about the place
    and holding the query's other words; naming the place and holding them (an article about the
    place that the indexer read as about another, or about none); about the place only. An article
    about the place that holds nothing of what was asked answers the query less than one that names
    the place and holds it."""
    if not plan.places:
        return scores
    tiers = held_counts(view, [Q.Term("places", p) for p in plan.places], docnums)
    if not np.any(tiers):
        return scores
    if plan.place_topic is not None:
        asked = held_counts(view, [plan.place_topic], docnums) > 0
        named = (
            held_counts(view, [plan.place_mention], docnums) > 0
            if plan.place_mention is not None
            else np.zeros(len(docnums), dtype=bool)
        )
        about = tiers > 0
        tiers = np.where(about & asked, 3, np.where(named & asked, 2, np.where(about, 1, 0)))
    step = float(scores.max()) * (1 + PASSAGE_WEIGHT * MAX_PASSAGE_SHARE) + 1.0
    return scores + tiers * step


def _names(value: str | None) -> list[str]:
    """The names of a comma-separated stored field."""
    return [name for name in (value or "").split(",") if name]


def _duplicates(searcher, stored: dict) -> list[dict]:
    """The other documents in ``stored``'s group of duplicates (``dup_of`` holds the group key), by id:
    ``{"id", "title", "source"}`` each, so a reader tells the copies apart by title and site."""
    key = stored.get("dup_of")
    if not key or searcher.doc_frequency("dup_of", key) < 2:
        return []
    copies = [d for d in searcher.documents(dup_of=key) if d["id"] != stored["id"]]
    return [
        {"id": d["id"], "title": d.get("title", ""), "source": d.get("source")}
        for d in sorted(copies, key=lambda d: d["id"])
    ]
