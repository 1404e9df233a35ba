"""Scoring a query over every document at once, with numpy, instead of posting by posting.

Whoosh scores a query by walking matcher objects: several Python calls for every posting of every
term, which was two thirds of a query's time (a 20-word question reads tens of thousands of
postings). The queries :mod:`searcher.search.planning` builds are sums of BM25F term scores combined by
``Or``/``And``/``AndMaybe``/``AndNot``/``Require`` and constant-score filters, so they can be computed as array
arithmetic: each term's posting block is decoded into arrays, scored with Whoosh's own ``bm25``
formula (the same idf and average lengths), and added into one score per document; a phrase is
checked by decoding positions only where all its words occur. Anything else (a phrase with slop, a
wildcard Whoosh would expand itself, another weighting) raises :class:`Unsupported` and the caller
lets Whoosh run the query as before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from math import log

import numpy as np
from whoosh import query as Q
from whoosh.scoring import WeightingModel

from ..index.codec import ArrayCodec, decode_positions, term_positions_among
from ..index.codec.whoosh_private import field_B, posting_file
from ..index.postings import (
    LENGTH_OF_BYTE,
    read_segment_postings,
    segment_length_bytes,
    segment_postings,
    segment_postings_among,
    sorted_member,
    term_infos,
)
from ..index.view import IndexView


class Unsupported(Exception):
    """The query holds a node this module does not score; let Whoosh run it."""


@dataclass
class Matches:
    """Every matching document of a query (global numbers, ascending) and its score."""

    docnums: np.ndarray
    scores: np.ndarray
    cut_short: bool = False  # the time limit passed before every term was read


def match_all(
    searcher,
    q: Q.Query,
    exclude: Q.Query | None = None,
    restrict: Q.Query | None = None,
    deadline: float | None = None,
) -> Matches:
    """Score ``q`` for every document of ``searcher`` (a Whoosh searcher, or the
    :class:`~searcher.index.view.IndexView` whose tables to use); drop deleted documents, those
    matching ``exclude`` and, when ``restrict`` is given, those outside it.

    Past ``deadline`` (a ``time.perf_counter()`` value) the terms not yet read are left out: the
    scores then rank by the terms read so far, and ``cut_short`` says so.
    """
    scorer = _Scorer(IndexView.of(searcher), deadline)
    scores, matched = scorer.evaluate(q)
    matched &= scorer.live()
    if exclude is not None:
        matched &= ~scorer.mask(exclude)
    if restrict is not None:
        matched &= scorer.mask(restrict)
    docnums = np.flatnonzero(matched)
    return Matches(docnums, scores[docnums], scorer.cut_short)


def held_counts(searcher, queries: list[Q.Query], docnums: np.ndarray) -> np.ndarray:
    """How many of ``queries`` each of ``docnums`` matches (filters: read whole, never scored).
    ``searcher``: a view (or a Whoosh searcher)."""
    scorer = _Scorer(IndexView.of(searcher))
    counts = np.zeros(len(docnums), dtype=np.int64)
    for q in queries:
        counts += scorer.mask(q)[docnums]
    return counts


def top_ranked(
    docnums: np.ndarray, scores: np.ndarray, count: int, dates: np.ndarray | None = None
) -> np.ndarray:
    """Positions of the ``count`` best matches, best first: by score, equal scores in document order
    (as Whoosh orders them); with ``dates`` (YYYYMMDD, 0 for none) newest first, then by score.

    Only the matches that can reach the first ``count`` are sorted: all those scoring at least the
    ``count``-th best score (ties included, so the order is exactly that of a full sort).
    """
    if dates is not None:
        return np.lexsort((docnums, -scores, -dates))[:count]
    candidates = np.arange(len(scores))
    if 0 < count < len(scores) // 4:
        threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
        candidates = np.flatnonzero(scores >= threshold)
    order = np.lexsort((docnums[candidates], -scores[candidates]))
    return candidates[order][:count]


FEW_MATCHES = 8  # an AND-MAYBE whose required part matches at most 1/8 of the documents scores its
# optional words there only


class CheckedPhrase(Q.Phrase):
    """A phrase with a cheaper query whose matches include all of its own (its word pairs): the array
    scorer checks positions in those documents only. Whoosh, if it runs the query, ignores the hint."""

    def __init__(self, fieldname: str, words: list[str], candidates: Q.Query):
        super().__init__(fieldname, words)
        self.candidates = candidates


class PreferredTerm(Q.Or):
    """A term counted in full where ``where`` (terms) all hold too, and ``share`` of that elsewhere:
    a word typed with marks ranks the documents holding it as typed above those holding a
    look-alike. Whoosh runs it as what it is, ``Require(term, where)`` plus the term at ``share``;
    the array scorer reads the term's postings once and weighs each by whether ``where`` holds."""

    def __init__(self, term: Q.Term, where: list[Q.Term], share: float):
        holding = where[0] if len(where) == 1 else Q.And(where)
        lookalike = Q.Term(term.fieldname, term.text, boost=term.boost * share)
        super().__init__([Q.Require(term, holding), lookalike])
        self.term, self.where, self.share = term, where, share


class _Scorer:
    def __init__(self, view: IndexView, deadline: float | None = None):
        self.view = view
        self.decoded = view.decoded
        self.norms = view.table("length_norms", lambda _: {})  # (K1, B, avgfl) -> see _length_norms
        self.searcher = searcher = view.searcher
        self.deadline = deadline
        self.cut_short = False
        self.size = searcher.doc_count_all()
        self.weighting = searcher.weighting
        self.leaves = searcher.reader().leaf_readers()
        self.scoring = True  # False while only matches are wanted (mask): no score arithmetic
        self.K1 = getattr(self.weighting, "K1", None)
        self._read: dict = {}  # (segment offset, field, term) -> its decoded postings, for this query

    # --- the query tree ----------------------------------------------------------------------------
    def evaluate(self, q: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        """(score per document, whether it matches) as dense arrays over all document numbers."""
        if isinstance(q, Q.Term):
            scores, matched = self._empty()
            terms: list[tuple] = []
            self._read_term(q, terms, matched)
            self._add_terms(terms, scores)
            return scores, matched
        if q is Q.NullQuery:
            return self._empty()
        if type(q) is PreferredTerm:
            scores, matched = self._empty()
            terms = []
            self._read_preferred(q, terms, matched)
            self._add_terms(terms, scores)
            return scores, matched
        if isinstance(q, Q.ConstantScoreQuery):
            matched = self.mask(q.child)
            return np.where(matched, float(q.score), 0.0), matched
        if getattr(q, "boost", 1.0) != 1.0:
            raise Unsupported(f"boosted {type(q).__name__}")
        if type(q) is Q.Or:
            scores, matched = self._empty()
            terms = []  # the postings of the term children read so far, not yet added
            for number, child in enumerate(q.subqueries):
                # the most selective terms come first (query.py orders them): read at least one
                if number and self.deadline is not None and time.perf_counter() > self.deadline:
                    self.cut_short = True
                    break
                if isinstance(child, Q.Term):  # the common case: no intermediate arrays
                    self._read_term(child, terms, matched)
                elif type(child) is PreferredTerm:
                    self._read_preferred(child, terms, matched)
                else:
                    self._add_terms(terms, scores)  # (added in the children's order, as the sums go)
                    s, m = self.evaluate(child)
                    scores += s
                    matched |= m
            self._add_terms(terms, scores)
            return scores, matched
        if type(q) is Q.And:
            if not self.scoring and q.subqueries and all(type(child) is Q.Term for child in q.subqueries):
                return self._empty()[0], self._all_terms(q.subqueries)  # a filter of words: sparse
            if not self.scoring and any(type(child) is Q.Term for child in q.subqueries):
                return self._empty()[0], self._narrowed(q.subqueries)
            parts = [self.evaluate(child) for child in q.subqueries]
            if not parts:
                return self._empty()
            matched = np.logical_and.reduce([m for _, m in parts])
            if not self.scoring:
                return parts[0][0], matched
            scores = np.sum([s for s, _ in parts], axis=0) * matched
            return scores, matched
        if isinstance(q, Q.AndMaybe):
            scores, matched = self.evaluate(q.a)
            optional = q.b
            while type(optional) is Q.Or and len(optional.subqueries) == 1:  # (0 + x is x: same scores)
                optional = optional.subqueries[0]
            if (
                self.scoring
                and type(optional) is Q.Or
                and all(type(c) is Q.Term for c in optional.subqueries)
            ):
                wanted = np.flatnonzero(matched)
                if len(wanted) * FEW_MATCHES <= self.size:  # (a phrase's few matches): score only them
                    return scores + self._terms_within(optional.subqueries, wanted), matched
            extra, _ = self.evaluate(q.b)
            return scores + extra * matched, matched
        if isinstance(q, Q.AndNot):
            scores, matched = self.evaluate(q.a)
            return scores, matched & ~self.mask(q.b)
        if isinstance(q, Q.Require):  # scored by its first part, where the second also matches
            scores, matched = self.evaluate(q.a)
            parts = q.b.subqueries if type(q.b) is Q.And else [q.b]
            if self.scoring and all(type(part) is Q.Term for part in parts):
                # (a common word's list is long: only its blocks that may hold the first part's
                # documents are read; a term's BM25 score is positive wherever it occurs)
                for part in parts:
                    wanted = np.flatnonzero(matched)
                    if not len(wanted):
                        break
                    matched &= self._terms_within([part], wanted) > 0
            else:
                matched = matched & self.mask(q.b)
            return scores * matched, matched
        if type(q) in (Q.Phrase, CheckedPhrase) and q.slop == 1 and q.words:
            candidates = self.mask(q.candidates) if isinstance(q, CheckedPhrase) else None
            return np.zeros(self.size), self._phrase_matches(q.fieldname, q.words, candidates)
        raise Unsupported(type(q).__name__)

    def _phrase_matches(self, fieldname: str, words: list[str], candidates: np.ndarray | None) -> np.ndarray:
        """Documents holding ``words`` at consecutive positions (matched only: a phrase filters, the
        words rank). The documents holding every word (and among ``candidates``, if given) are found
        with arrays, then only their positions are decoded, all at once (codec.decode_positions),
        and the phrase's starts are the positions of its first word that every later word follows."""
        field = self.searcher.schema[fieldname] if fieldname in self.searcher.schema else None
        if field is None or not field.format.supports("positions"):
            raise Unsupported(f"phrase in {fieldname}")
        matched = np.zeros(self.size, dtype=bool)
        texts = [field.to_bytes(word) for word in words]
        for reader, offset in self.leaves:
            if candidates is not None:
                common = np.flatnonzero(candidates[offset : offset + reader.doc_count_all()])
            else:
                common = self._holding_all(reader, [(fieldname, text) for text in texts])
            if len(common):
                matched[offset + self._phrase_starts(reader, fieldname, texts, field.format, common)] = True
        return matched

    def _all_terms(self, terms: list[Q.Term]) -> np.ndarray:
        """Which documents hold every one of ``terms`` (a filter, such as a phrase's word pairs)."""
        matched = np.zeros(self.size, dtype=bool)
        texts = []
        for term in terms:
            if term.fieldname not in self.searcher.schema:
                return matched
            try:
                texts.append((term.fieldname, self.searcher.schema[term.fieldname].to_bytes(term.text)))
            except ValueError:
                return matched
        for reader, offset in self.leaves:
            matched[offset + self._holding_all(reader, texts)] = True
        return matched

    def _holding_all(self, reader, texts: list[tuple[str, bytes]]) -> np.ndarray:
        """The documents of one segment (its numbers, ascending) holding every (field, term) of
        ``texts``: the rarest term's, narrowed down by each other term in turn, reading only the
        blocks of its list that may hold one of those left, and stopping when none are left."""
        found = []
        for fieldname, text in texts:
            info = next((i for r, _, i in term_infos(self.view, fieldname, text) if r is reader), None)
            if info is None:
                return np.zeros(0, dtype=np.int64)
            found.append((info.doc_frequency(), fieldname, text, info))
        found.sort(key=lambda item: item[0])
        _, fieldname, text, info = found[0]
        docs = segment_postings(reader, fieldname, text, info, self.decoded)[0]
        for _, fieldname, text, info in found[1:]:
            if not len(docs):
                break
            docs = segment_postings_among(reader, fieldname, text, info, docs, self.decoded)[0]
        return docs

    def _phrase_starts(
        self, reader, fieldname: str, texts: list[bytes], format_, common: np.ndarray
    ) -> np.ndarray:
        """The documents of one segment among ``common`` (its numbers, ascending: documents that hold
        every word, such as a phrase's candidates) where ``texts`` stand at consecutive positions.

        The words' positions are read in those documents only (the blocks of a common word's list
        that hold none of them are not decoded: :func:`searcher.index.codec.term_positions_among`). The
        two rarest words are matched first, each on its own, and drop the documents where the phrase
        cannot start; then the other words, in the documents left."""
        infos = []
        for text in texts:
            info = next((i for r, _, i in term_infos(self.view, fieldname, text) if r is reader), None)
            if info is None:
                return common[:0]
            infos.append(info)
        order = sorted(range(len(texts)), key=lambda n: infos[n].doc_frequency())
        starts: np.ndarray | None = None
        for group in ([order[0]], order[1:2], order[2:]):
            if not len(common) or not group:
                break
            for place in group:
                docs, own, word_positions = self._word_positions(
                    reader, fieldname, texts[place], infos[place], format_, common
                )
                # (document, start) pairs as one number each: document << 32 | position - word's place
                keys = (np.repeat(docs, own) << 32) + word_positions - place
                keys = keys[word_positions >= place]
                starts = keys if starts is None else starts[sorted_member(starts, keys)]
            assert starts is not None  # (the group is not empty)
            found = starts >> 32
            common = found[np.concatenate(([True], found[1:] != found[:-1]))] if len(found) else found
        return common

    def _word_positions(self, reader, fieldname: str, text: bytes, info, format_, wanted: np.ndarray):
        """(documents, count per document, positions end to end) of a word in those of ``wanted`` (one
        segment's numbers) that hold it (see :func:`searcher.index.codec.term_positions_among`)."""
        if not info.is_inlined() and isinstance(reader.codec(), ArrayCodec):
            found = term_positions_among(posting_file(reader), info, wanted, format_)
            if found is not None:
                return found
        ids, _, values = read_segment_postings(reader, fieldname, text, info, values=True)  # (short lists)
        rows = np.flatnonzero(sorted_member(ids, wanted))
        chosen = [bytes(values[row]) for row in rows.tolist()]
        ends = np.cumsum([len(v) for v in chosen], dtype=np.int64)
        counts, positions = decode_positions(b"".join(chosen), ends - [len(v) for v in chosen], ends, format_)
        return ids[rows], counts, positions

    def mask(self, q: Q.Query) -> np.ndarray:
        """Which documents match ``q`` (a filter: read whole, whatever the time limit)."""
        deadline, self.deadline = self.deadline, None
        scoring, self.scoring = self.scoring, False
        try:
            return self.evaluate(q)[1]
        except Unsupported:  # a positional phrase, a range: Whoosh finds the documents
            matched = np.zeros(self.size, dtype=bool)
            matched[np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)] = True
            return matched
        finally:
            self.deadline, self.scoring = deadline, scoring

    def live(self) -> np.ndarray:
        alive = np.ones(self.size, dtype=bool)
        for reader, offset in self.leaves:
            deleted = reader.deleted_docs_set if hasattr(reader, "deleted_docs_set") else ()
            if deleted:
                alive[offset + np.fromiter(deleted, dtype=np.int64)] = False
        return alive

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.size), np.zeros(self.size, dtype=bool)

    def _terms_within(self, terms: list[Q.Term], wanted: np.ndarray) -> np.ndarray:
        """The scores of an OR of ``terms`` in the documents ``wanted`` only (ascending numbers; 0
        elsewhere), as :meth:`evaluate` gives them there: of each term's list, only the blocks that
        may hold one of them are read."""
        scores = np.zeros(self.size)
        within = {}
        for reader, offset in self.leaves:
            start, stop = np.searchsorted(wanted, [offset, offset + reader.doc_count_all()])
            within[offset] = wanted[start:stop] - offset
        read: list[tuple] = []
        for number, term in enumerate(terms):
            if number and self.deadline is not None and time.perf_counter() > self.deadline:
                self.cut_short = True  # (as for any OR: the most selective terms come first)
                break
            self._read_term(term, read, None, within)
        self._add_terms(read, scores)
        return scores

    # --- one term ------------------------------------------------------------------------------------
    def _read_term(
        self, term: Q.Term, terms: list, matched: np.ndarray | None, within: dict | None = None
    ) -> None:
        """Mark the documents of ``term`` in ``matched`` and, when scoring, append to ``terms`` what
        :meth:`_add_terms` scores them with: (document numbers, frequencies, BM25 length parts or None
        for an unscored field, idf, boost). ``within``: per segment offset, the only documents wanted
        (its numbers, ascending); ``matched`` is then not marked."""
        searcher, fieldname = self.searcher, term.fieldname
        if fieldname not in searcher.schema:
            return
        field = searcher.schema[fieldname]
        try:
            text = field.to_bytes(term.text)
        except ValueError:
            return
        found = term_infos(self.view, fieldname, text)
        if not found:
            return
        if not self.scoring:
            assert matched is not None  # (only a scoring pass reads terms within some documents)
            for reader, offset, info in found:
                matched[self._postings(reader, offset, fieldname, text, info)[0] + offset] = True
            return
        weighting = self.weighting
        scorable = field.scorable
        idf = 0.0
        if scorable:
            if not hasattr(weighting, "K1") or type(weighting).idf is not WeightingModel.idf:
                raise Unsupported(f"weighting {type(weighting).__name__}")
            B = field_B(weighting, fieldname)
            # WeightingModel.idf, from the term infos already read
            idf = log(self.size / (sum(info.doc_frequency() for _, _, info in found) + 1)) + 1
            norms = _length_norms(self.norms, self._k1(), B, searcher.avg_field_length(fieldname) or 1)
        for reader, offset, info in found:
            if within is None:
                ids, tf = self._postings(reader, offset, fieldname, text, info)
            elif len(within[offset]):
                ids, tf = segment_postings_among(reader, fieldname, text, info, within[offset], self.decoded)
            else:
                continue
            # (per segment only the reading: the arithmetic is done once for all the terms read)
            terms.append(
                (
                    ids + offset,
                    tf,
                    norms[segment_length_bytes(reader, fieldname, self.view)[ids]] if scorable else None,
                    idf,
                    term.boost,
                )
            )
            if matched is not None:
                matched[terms[-1][0]] = True

    def _narrowed(self, parts: list[Q.Query]) -> np.ndarray:
        """The documents matching all of ``parts`` (a filter), the words among them looked for only
        in the documents the other parts match: a phrase typed with marks is its folded phrase, few
        documents, and the typed form of each of its words, often common ones ("ông ấy", "rồi")."""
        words = [part for part in parts if type(part) is Q.Term]
        matched = np.logical_and.reduce(
            [self.evaluate(part)[1] for part in parts if type(part) is not Q.Term]
        )
        wanted = np.flatnonzero(matched)
        for word in words:
            if not len(wanted):
                break
            wanted = wanted[self._held(word, wanted, whole=False)]
        narrowed = np.zeros(self.size, dtype=bool)
        narrowed[wanted] = True
        return narrowed

    def _read_preferred(self, q: PreferredTerm, terms: list, matched: np.ndarray) -> None:
        """:meth:`_read_term` for ``q.term``, each posting's boost times ``q.share``, or ``1 + q.share``
        where every ``q.where`` term holds too (of their lists, only the blocks that may hold the
        term's documents are read)."""
        first = len(terms)
        self._read_term(q.term, terms, matched)
        if not self.scoring:
            return
        for number in range(first, len(terms)):
            ids, tf, norms, idf, boost = terms[number]
            held = np.ones(len(ids), dtype=bool)
            for where in q.where:
                rows = np.flatnonzero(held)
                held[rows] = self._held(where, ids[rows])
            terms[number] = (ids, tf, norms, idf, boost * (q.share + held))

    def _held(self, term: Q.Term, docnums: np.ndarray, whole: bool = True) -> np.ndarray:
        """Which of ``docnums`` (global numbers, ascending) hold ``term``; ``whole``: read its list
        whole (kept for the query), else only its blocks that may hold them (a few documents)."""
        holding = np.zeros(len(docnums), dtype=bool)
        if term.fieldname not in self.searcher.schema or not len(docnums):
            return holding
        try:
            text = self.searcher.schema[term.fieldname].to_bytes(term.text)
        except ValueError:  # (not a value of the field: held nowhere, as a term's reading finds)
            return holding
        for reader, offset, info in term_infos(self.view, term.fieldname, text):
            start, stop = np.searchsorted(docnums, [offset, offset + reader.doc_count_all()])
            if start == stop:
                continue
            # (the whole list, decoded once per query: a word typed with marks is often in several
            # pairs, and one read of a list costs less than picking its blocks again for each)
            if whole:
                found = self._postings(reader, offset, term.fieldname, text, info)[0]
            else:
                among = docnums[start:stop] - offset
                found = segment_postings_among(reader, term.fieldname, text, info, among, self.decoded)[0]
            holding[start:stop] = sorted_member(docnums[start:stop] - offset, found)
        return holding

    def _k1(self) -> float:
        """The weighting's K1, which scoring a field needs (:meth:`_read_term` checks it has one)."""
        assert self.K1 is not None
        return self.K1

    def _postings(self, reader, offset: int, fieldname: str, text: bytes, info):
        # a query may read one list more than once (the words of a place, a word typed with marks
        # checked in several pairs): decoded once per query
        key = (offset, fieldname, text)
        found = self._read.get(key)
        if found is None:
            found = self._read[key] = segment_postings(reader, fieldname, text, info, self.decoded)
        return found

    def _add_terms(self, terms: list, scores: np.ndarray) -> None:
        """Add the scores of the postings read into ``terms`` (emptied) to ``scores``: Whoosh's
        ``bm25`` for scored fields, the posting's weight otherwise (Whoosh's WeightScorer), times the
        term's boost. One pass of array arithmetic for all of them: per array, not per posting, is
        most of a short list's cost. Each document's sum is made in the terms' order, as adding them
        one by one would."""
        if not terms:
            return
        counts = [len(t[0]) for t in terms]
        ids = np.concatenate([t[0] for t in terms])
        if all(t[2] is not None for t in terms):  # every field scored: BM25 throughout
            tf = np.concatenate([t[1] for t in terms])
            idf = np.repeat([t[3] for t in terms], counts)
            s = idf * ((tf * (self._k1() + 1)) / (tf + np.concatenate([t[2] for t in terms])))
        else:  # an unscored field among them (rare): its postings count their weight
            s = np.concatenate(
                [
                    t[3] * ((t[1] * (self._k1() + 1)) / (t[1] + t[2])) if t[2] is not None else t[1]
                    for t in terms
                ]
            )
        boosts = [t[4] for t in terms]
        if any(isinstance(boost, np.ndarray) for boost in boosts):  # (a preferred term's, per posting)
            s = s * np.concatenate([np.broadcast_to(boost, n) for boost, n in zip(boosts, counts)])
        elif any(boost != 1.0 for boost in boosts):
            s = s * np.repeat(boosts, counts)
        np.add.at(scores, ids, s)  # in order: each document's scores summed as the terms come
        terms.clear()


_LENGTH_TABLE = np.asarray(LENGTH_OF_BYTE, dtype=np.float64)  # length byte -> the length Whoosh scores


def _length_norms(known: dict, K1: float, B: float, avgfl: float) -> np.ndarray:
    """length byte -> BM25's ``K1 * ((1 - B) + B * fl / avgfl)`` for that byte's length (the same
    arithmetic as per posting, done once for the 256 lengths and kept in ``known``: the view's, as
    average lengths change with every commit)."""
    key = (K1, B, avgfl)
    norms = known.get(key)
    if norms is None:
        norms = known[key] = K1 * ((1 - B) + B * _LENGTH_TABLE / avgfl)
    return norms
