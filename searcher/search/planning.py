"""From what the user typed to a Whoosh query that ranks Vietnamese text well and fast.

Syntax (parsed by Whoosh's own query parser): free words, ``"exact phrase"``, ``-excluded``,
``+required``, ``title:word``, ``title:"phrase"``, ``AND``/``OR``/``NOT``, ``prefix*``.

Free words are ranked, never required (a 25-word question still finds its answer), by a sum of:
* folded syllable bigrams of adjacent query words in body and title (adjacent-and-in-order wins,
  with or without diacritics, and bigram postings are short, so this is fast);
* accented syllables and, where the folded pair is ambiguous, accented bigrams when the query has
  diacritics (``đường`` outranks ``dương`` without losing it);
* single syllables only when they are selective (rare) or the query has too few words for bigrams:
  scoring every posting of a common syllable is what makes plain Whoosh slow.
Phrases and ``title:`` clauses are required; ``-`` clauses are excluded.

Each word means what was typed: a word with diacritics means that word (its spelling variants merged
by the analyzers: tone placement, i/y, NFD, Ð), a word without any mark means every accented form. In
phrases, exclusions and ``title:`` clauses an accented word must match as typed; as a free word it is
ranked by its typed form, its look-alikes only weakly (:data:`W_LOOKALIKE`): documents holding it as
typed come before those holding only a look-alike, which still follow.
Case carries no meaning (``ĐIỆN BIÊN`` is ``điện biên``), except for abbreviations.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from whoosh import query as Q
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import TEXT, Schema
from whoosh.qparser import (
    BoostPlugin,
    EveryPlugin,
    FieldsPlugin,
    OrGroup,
    PlusMinusPlugin,
    QueryParser,
    RangePlugin,
)

from ..analysis.analyzers import exact_analyzer
from ..index.postings import doc_frequency
from ..index.view import IndexView
from ..text.normalize import fold, has_diacritics, iy_variants, normalize_text
from .limits import MAX_QUERY_CHARS
from .matching import CheckedPhrase, PreferredTerm
from .notes import Note, unique

MAX_SYLLABLES = 64  # of free text used for ranking
MAX_PREFIX_EXPANSIONS = 50  # words of one prefix that the query uses (the most frequent)
# Words of the index a query's prefixes may stand for in all (a one-letter prefix stands for a few
# thousand): beyond it the query is cut short, so "c* d* e* ..." or "c* c* c* ..." costs a few prefixes
MAX_EXPANDED_WORDS = 10_000
CHECK_CLOCK_EVERY = 256  # words expanded between two looks at the clock
REMEMBERED_PREFIXES = 1024  # prefixes whose expansion a searcher keeps for later queries
RARE_FRACTION = 0.08  # a syllable in fewer than this fraction of documents is "selective"
RARE_MIN_DOCS = 500  # ... and in a small index every syllable is (scoring it all is cheap there)

# Relative weights of the ranked clauses and the BM25F parameters, chosen on the judged legal set with
# tests/bench/relevance.py (see the README's benchmark section for the measurements behind them).
W_BODY_BIGRAM = 1.0
W_BODY_BIGRAM_EXACT = 0.3
W_TITLE_BIGRAM = 0.3
W_BODY_SYLLABLE = 0.5
W_BODY_SYLLABLE_EXACT = 0.2
W_TITLE_SYLLABLE = 0.0  # title syllables alone added cost and lowered nDCG: the bigrams carry titles
BM25_K1 = 0.8
BM25_B = 0.6
EXACT_BIGRAMS_MAX_WORDS = 6
# The accented reading ranks queries up to this long; in a longer question the many folded matches
# already rank as the reading would (legal set: nDCG@10 without/with diacritics 0.999 without it),
# while its exact-word clauses added ~20 ms at p95. The same holds for the other forms of
# abbreviations (no ranking changed on the legal or news sets): a longer question only marks them.
RESTORE_MAX_SYLLABLES = 12
# A word typed with diacritics ranks by its typed form; its look-alikes (the other words it folds to)
# count this much of that, so they follow the documents holding it as typed without being lost
W_LOOKALIKE = 0.1
W_PLACE_TITLE = 1.0  # (within the place tiers: see Engine.search)
W_PLACE_BODY = 0.5
PLACE_SHARE = 0.5  # a place named in lowercase counts when this share of documents with the words is about it
COMMON_MARK_FRACTION = 0.05  # a word in more documents than this is marked only next to other matches
MAX_BIGRAM_CLAUSES = 64
MAX_SYLLABLE_CLAUSES = 64
BIGRAM_MAX_FRACTION = 0.15  # a bigram in more documents than this says little and costs much

_ONLY_EXCLUSIONS = re.compile(r'\s*(?:(?:-|NOT\s+)(?:"[^"]*"?|\S+)\s*)+')
_LONE_OPERATOR = re.compile(r"(?<!\S)[-+](?=\s|$)")
_SYNTAX_CHARS = re.compile(r'[*?"()\[\]{}^~:+]|(?<!\w)-')
_WORDS = re.compile(r"[^\W_]+")
_ADMINISTRATIVE = {"ubnd", "hdnd", "tinh", "tp", "uy", "ubmttq"}  # words naming a province's bodies
_OPERATOR_WORDS = re.compile(r"\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


@dataclass
class QueryPlan:
    """A parsed query: what to run, what to highlight, and anything the user should be told."""

    query: Q.Query | None
    # folded syllables to mark in snippets, and the other forms of abbreviations as phrases (folded
    # syllables joined by spaces: marked only where they stand together)
    highlight_terms: set[str] = field(default_factory=set)
    notes: list[Note] = field(default_factory=list)
    free_text: list[list[str]] = field(default_factory=list)  # free words, as runs of adjacent syllables
    interpreted_as: str | None = None  # the accented reading used for ranking, when it differs
    did_you_mean: str | None = None  # the query with its misspelled words corrected
    # (folded query words, folded syllables of another form of them): abbreviations and long forms
    synonyms: list[tuple[list[str], list[str]]] = field(default_factory=list)
    # words marked in snippets only next to other matches (common words of a query of several words)
    highlight_common: set[str] = field(default_factory=set)
    corrected: str | None = None  # the query with its non-words corrected, when the correction is sure
    places: list[str] = field(default_factory=list)  # canonical names of the provinces the query names
    accents_required: bool = False  # a phrase or required word must hold its accented words as typed
    place_topic: Q.Query | None = None  # the documents holding the query's other words, if it has some
    place_mention: Q.Query | None = None  # the documents naming one of ``places`` in their title or text
    expanded_words: int = 0  # words of the index looked at to expand the query's prefixes
    cut_short: bool = False  # planning reached the deadline: what was left was not planned


@dataclass
class _Budget:
    """What one query's planning may spend, shared by the builders of all its parts: the time left
    (``deadline``, a ``time.perf_counter()`` value, None: unbounded) and the words its prefixes may
    stand for. Each prefix is looked up once however often it is typed, but counts every time."""

    deadline: float | None = None
    words_left: int = field(default_factory=lambda: MAX_EXPANDED_WORDS)  # (read when a query starts)
    # prefix -> (the words it stands for in the query, the words of the index looked at for them)
    expansions: dict[str, tuple[list[str], int]] = field(default_factory=dict)
    out_of_time: bool = False

    def past_deadline(self) -> bool:
        if not self.out_of_time and self.deadline is not None and time.perf_counter() > self.deadline:
            self.out_of_time = True
        return self.out_of_time


def _syllables(text: str) -> list[str]:
    """Exact-form query syllables (lowercase, canonical tone) of a piece of text, in order."""
    return [t.text for t in _ANALYZER(text, mode="query")]


_ANALYZER = exact_analyzer()
_RAW_SCHEMA = Schema(
    body=TEXT(analyzer=SpaceSeparatedTokenizer()), title=TEXT(analyzer=SpaceSeparatedTokenizer())
)


def _make_parser() -> QueryParser:
    parser = QueryParser("body", _RAW_SCHEMA, group=OrGroup)
    for plugin in (RangePlugin, BoostPlugin, EveryPlugin):
        parser.remove_plugin_class(plugin)
    # "-" and "+" are operators only at the start of a word: "NĐ-CP" and "2009-2019" stay whole.
    parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    parser.replace_plugin(FieldsPlugin(remove_unknown=True))
    return parser


_PARSER = _make_parser()


class _Builder:
    """Turns a parsed syntax tree into the ranked Whoosh query, given the index's statistics."""

    def __init__(self, searcher, accents_required: bool = True, budget: _Budget | None = None):
        self.budget = budget or _Budget()
        self.view = IndexView.of(searcher) if searcher is not None else None  # (term infos kept there)
        self.searcher = searcher = self.view.searcher if self.view is not None else None
        self.accents_required = accents_required
        self.reader = searcher.reader() if searcher is not None else None
        self.doc_count = max(1, searcher.doc_count_all()) if searcher is not None else 1
        self.plan = QueryPlan(query=None)
        self.must: list[Q.Query] = []
        self.must_not: list[Q.Query] = []
        self.optional: list[Q.Query] = []
        self.required_runs: list[list[str]] = []  # words of required phrases and words
        # other phrasings of parts of the runs (abbreviations): (run with the part replaced, start, end)
        self.alternatives: list[tuple[list[str], int, int]] = []
        self.typed_accented: list[str] = []  # free words typed with diacritics, in order
        self.place_words: set[str] = set()  # folded syllables and pairs of the places the query names
        self.frequencies: dict[tuple[str, str], int] = {}  # (field, term) -> documents, for this query
        self.placed_prefixes: set[tuple[str, str, str]] = set()  # (field, prefix, role) of the clauses

    # --- walking the parsed tree ------------------------------------------------------------------
    def add(self, node: Q.Query, role: str = "should") -> None:
        # The tree comes unnormalised (normalising drops repeated words, and with them the word pairs
        # they form), so a group may hold a single query: that query is the group.
        while isinstance(node, (Q.Or, Q.And)) and len(node.subqueries) == 1:
            node = node.subqueries[0]
        if isinstance(node, Q.Or) and role == "should":
            run: list[str] = []
            for child in node.subqueries:
                if isinstance(child, Q.Term) and child.fieldname == "body":
                    run.extend(_syllables(child.text))
                    continue
                self._flush(run)
                run = []
                self.add(child, role)
            self._flush(run)
        elif isinstance(node, Q.And):
            for child in node.subqueries:
                self.add(child, "must")
        elif isinstance(node, Q.AndMaybe):
            self.add(node.a, "must")
            self.add(node.b, "should")
        elif isinstance(node, Q.AndNot):
            self.add(node.a, role)
            self.add(node.b, "must_not")
        elif isinstance(node, Q.Not):
            self.add(node.query, "must_not" if role != "must_not" else "should")
        elif isinstance(node, Q.Require):
            self.add(node.a, "must")
            self.add(node.b, "must")
        elif isinstance(node, (Q.Term, Q.Phrase)):
            words = node.text if isinstance(node, Q.Term) else " ".join(node.words)
            self._clause(node.fieldname, _syllables(words), role, phrase=isinstance(node, Q.Phrase))
        elif isinstance(node, (Q.Prefix, Q.Wildcard)):
            self._wildcard(node, role)
        elif isinstance(node, Q.Or):  # an OR inside a required or excluded group
            alternatives = [b.combined() for b in (self._sub(child) for child in node.subqueries) if b]
            if alternatives:
                self._place(Q.Or(alternatives), role)
        # NullQuery and anything else carries no words

    def _sub(self, node):
        sub = _Builder.__new__(_Builder)
        sub.__dict__.update(self.__dict__)
        sub.must, sub.must_not, sub.optional, sub.required_runs, sub.alternatives = [], [], [], [], []
        sub.typed_accented = []
        sub.placed_prefixes = set()
        sub.add(node, "must")
        return sub

    def _flush(self, run: list[str]) -> None:
        if run:
            self.plan.free_text.append(run[:MAX_SYLLABLES])
            self._highlight(run)
            self.typed_accented.extend(s for s in run[:MAX_SYLLABLES] if has_diacritics(s))

    def _highlight(self, syllables) -> None:
        # accented syllables mark their own forms only; bare ones every form, and both i/y spellings
        # ("ky" marks "kỹ" and "kĩ"), as the index merges them
        for syllable in syllables:
            self.plan.highlight_terms.update(
                iy_variants(syllable) if not has_diacritics(syllable) else [syllable]
            )

    def _place(self, q: Q.Query, role: str) -> None:
        {"must": self.must, "must_not": self.must_not}.get(role, self.optional).append(q)

    def _clause(self, fieldname: str, syllables: list[str], role: str, phrase: bool) -> None:
        """A required/excluded word or phrase (accent-insensitive), in the title or anywhere."""
        if not syllables:
            return
        if role == "should" and fieldname == "body" and not phrase:
            self._flush(syllables)
            return
        if role == "should":
            role = "must"  # a quoted phrase or a title: clause is what the user insists on
        folded = [fold(s) for s in syllables]
        fields = ("title_fold",) if fieldname == "title" else ("title_fold", "body_fold")
        matches = []
        for f in fields:
            match = Q.Term(f, folded[0]) if len(folded) == 1 else self._phrase(f, folded)
            # each accented word must also be there as typed: "Điện Biên" is not "diễn biến", and
            # -"Hòa Bình" keeps "hoa binh" written otherwise; bare words match every form
            # (the fallback that drops the marks of required words keeps exclusions as typed)
            strict = self.accents_required or role == "must_not"
            exact = _as_typed(syllables, title=f == "title_fold") if strict else []
            self.plan.accents_required |= bool(exact) and role == "must"
            matches.append(Q.And([match, *exact]) if exact else match)
        match = matches[0] if len(matches) == 1 else Q.Or(matches)
        if role != "must_not":
            # a phrase is marked whole, and only where it matches
            self.plan.highlight_terms.add(" ".join(syllables))
            if len(syllables) == 1:
                self._highlight(syllables)
            # with other free words, a required phrase's words also rank like free words
            if fieldname == "body":
                self.required_runs.append(syllables)
        self._place(match, role)

    def _phrase(self, fieldname: str, folded: list[str]) -> Q.Query:
        """A folded phrase, found fast: the documents holding all of its bigrams are the candidates,
        and only their positions are checked (searcher.search.matching). Whoosh's own phrase matching
        decodes the positions of every document holding the words: 100-300 ms for phrases of common
        words on 20,000 articles.
        """
        if self.searcher is None:
            return Q.Phrase(fieldname, folded)
        bigram_field = "title_bi" if fieldname == "title_fold" else "body_bi"
        if len(folded) == 2 and all(s.isalnum() for s in folded):
            # two plain syllables: the bigram term holds exactly the documents where they are adjacent
            return Q.Term(bigram_field, " ".join(folded))
        pairs = sorted({f"{a} {b}" for a, b in zip(folded, folded[1:])})
        return CheckedPhrase(fieldname, folded, Q.And([Q.Term(bigram_field, p) for p in pairs]))

    def _wildcard(self, node, role: str) -> None:
        pattern = fold(node.text.lower())
        if isinstance(node, Q.Wildcard):
            stem = pattern.split("*")[0].split("?")[0]
            if not stem:
                words = [w for w in re.split(r"[*?]+", pattern) if w]
                self.plan.notes.append(Note("leading_wildcard", {"words": words}))
                for word in words:
                    self._clause("body", _syllables(word), role, phrase=False)
                return
            pattern = stem
        terms = self._expand_prefix(fold(pattern))
        fieldname = "title_fold" if node.fieldname == "title" else "body_fold"
        if not terms or (fieldname, pattern, role) in self.placed_prefixes:
            return  # (a prefix typed twice asks for the same words: its clause counts once)
        self.placed_prefixes.add((fieldname, pattern, role))
        self.plan.highlight_terms.update(terms)
        self._place(Q.Or([Q.Term(fieldname, t) for t in terms]), role)

    def _expand_prefix(self, prefix: str) -> list[str]:
        """The most frequent words starting with ``prefix``, looked up once per query and within its
        budget of words and time; a prefix met after the budget is spent stands for what was found."""
        if self.reader is None or not prefix:
            return []
        budget = self.budget
        known = budget.expansions.get(prefix)
        if known is not None:  # typed again: no new work, but as many words asked for
            terms, size = known
            if size > budget.words_left:
                budget.words_left = 0
                self.plan.notes.append(Note("prefixes_cut_short", {"words": MAX_EXPANDED_WORDS}))
                return []
            budget.words_left -= size
            return terms
        remembered = self._remembered_prefixes()
        found = remembered.get(prefix)
        if found is not None and found[1] <= budget.words_left:
            terms, looked_at, count = found
            spent = False
        else:
            terms, looked_at, count, spent = self._look_up_prefix(prefix)
            if not spent:
                if len(remembered) >= REMEMBERED_PREFIXES:
                    remembered.clear()  # (a simple bound: popular prefixes come back soon enough)
                remembered[prefix] = (terms, looked_at, count)
        budget.words_left -= looked_at
        self.plan.expanded_words += looked_at
        if spent:
            if budget.out_of_time:
                self.plan.cut_short = True
            else:
                self.plan.notes.append(Note("prefixes_cut_short", {"words": MAX_EXPANDED_WORDS}))
        elif count > MAX_PREFIX_EXPANSIONS:
            self.plan.notes.append(
                Note("prefix_capped", {"prefix": prefix, "count": count, "used": MAX_PREFIX_EXPANSIONS})
            )
        budget.expansions[prefix] = (terms, looked_at)
        return terms

    def _remembered_prefixes(self) -> dict:
        """Prefixes expanded whole for earlier queries on this searcher: prefix -> (the words used,
        the words looked at, how many words it matches); dropped with the searcher."""
        return self.view.table("prefix expansions", lambda view: {}) if self.view is not None else {}

    def _look_up_prefix(self, prefix: str) -> tuple[list[str], int, int, bool]:
        """(the most frequent words starting with ``prefix``, the words looked at, how many words it
        matches, whether the query's budget ran out before the end)."""
        budget = self.budget
        frequencies: dict[str, int] = {}
        looked_at = 0
        spent = budget.words_left <= 0 or budget.past_deadline()
        # each segment's term table read once, its entries carrying their document counts
        leaves = self.reader.leaf_readers() if self.reader is not None and not spent else []
        for reader, _ in leaves:
            for term, info in reader.iter_prefix("body_fold", prefix):
                looked_at += 1
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                frequencies[text] = frequencies.get(text, 0) + info.doc_frequency()
                if looked_at >= budget.words_left or (
                    not looked_at % CHECK_CLOCK_EVERY and budget.past_deadline()
                ):
                    spent = True
                    break
            if spent:
                break
        ranked = sorted(((count, text) for text, count in frequencies.items()), reverse=True)
        return [t for _, t in ranked[:MAX_PREFIX_EXPANSIONS]], looked_at, len(ranked), spent

    # --- the ranked free-text part ----------------------------------------------------------------
    def ranked(self) -> Q.Query | None:
        """The free words as a sum of bigram and selective-syllable clauses (see the module doc)."""
        clauses: list[Q.Query] = []
        seen: set[tuple[str, str]] = set()

        def add(fieldname: str, text: str, boost: float) -> None:
            if boost and (fieldname, text) not in seen:
                seen.add((fieldname, text))
                clauses.append(Q.Term(fieldname, text, boost=boost))

        if not self.plan.free_text and not self.required_runs:
            return None  # a title: or excluded clause alone: its own scores rank
        # (a quoted phrase alone ranks its matches by its words, as free words would: its own match
        # gives every document the same score)
        runs = self.plan.free_text + self.required_runs
        length = sum(len(r) for r in runs)
        few_words = length <= 2
        # Accented bigrams make an accented query's exact words win; on long questions they cost more
        # time than they change the ranking (measured on the legal set), so only short queries use them.
        exact_bigrams = length <= EXACT_BIGRAMS_MAX_WORDS
        bigrams: dict[tuple[str, str], int] = {}  # (exact, folded) -> document frequency
        syllables: dict[tuple[str, str], int] = {}

        def collect(run: list[str], part: range | None = None) -> None:
            # ``part``: an alternative phrasing's syllables; its bigrams (with the words around it)
            # are all kept, so it ranks as a phrase, and only its own syllables are added
            folded = [fold(s) for s in run]
            for i, (a, b, fa, fb) in enumerate(zip(run, run[1:], folded, folded[1:])):
                if part is not None and not (part.start - 1 <= i < part.stop):
                    continue
                df = self._df("body_bi", f"{fa} {fb}")
                if few_words or part is not None or df <= self._common_limit(BIGRAM_MAX_FRACTION):
                    bigrams[(f"{a} {b}", f"{fa} {fb}")] = df
            for i, (exact, plain) in enumerate(zip(run, folded)):
                if part is not None and i not in part:
                    continue
                df = self._df("body_fold", plain)
                abbreviation = part is not None and len(part) == 1  # "UBND" for "ủy ban nhân dân"
                if few_words or abbreviation or df <= self._common_limit(RARE_FRACTION):
                    syllables[(exact, plain)] = df

        for run in runs:
            collect(run)
        for run, start, end in self.alternatives:
            collect(run, range(start, end))
        # A long question keeps its most selective clauses: they carry the ranking, and every extra
        # clause is postings scored in Python.
        # An accented bigram or syllable counts only where its folded form is ambiguous (other
        # documents write it with other marks): elsewhere it matches the very same documents and only
        # reweights the word (measured: the same nDCG on the legal set and MRR on the news set, fewer
        # postings read; for syllables, once passages re-rank the first page: without them, news
        # MRR@10 lost 0.002).
        # (a long question is ranked by its words as before: its many words already rank the
        # documents holding them as typed first, and the extra clauses cost time; legal set nDCG@10
        # with diacritics 0.919 with them, 0.921 without)
        typed = set(self.typed_accented) if length <= RESTORE_MAX_SYLLABLES else set()

        def as_typed(fieldname: str, text: str, boost: float, holding: list[Q.Term]) -> None:
            # words typed with marks: the clause counts in full where they are there as typed, and
            # only W_LOOKALIKE of that where only a look-alike is (those documents still follow)
            if (fieldname, text) not in seen:
                seen.add((fieldname, text))
                clauses.append(PreferredTerm(Q.Term(fieldname, text, boost=boost), holding, W_LOOKALIKE))

        for exact, plain in sorted(bigrams, key=bigrams.__getitem__)[:MAX_BIGRAM_CLAUSES]:
            pair = exact.split(" ")
            marked = [s for s in pair if s in typed]
            ambiguous = (
                (exact_bigrams or marked)
                and exact != plain
                and self._df("body_bi_exact", exact) < bigrams[(exact, plain)]
            )
            marked = [s for s in marked if self._ambiguous(s)]
            if ambiguous and len(marked) == 2:
                as_typed("body_bi", plain, W_BODY_BIGRAM, [Q.Term("body_bi_exact", exact)])
            elif marked:
                as_typed("body_bi", plain, W_BODY_BIGRAM, [Q.Term("body", s) for s in marked])
            else:
                add("body_bi", plain, W_BODY_BIGRAM)
            add("title_bi", plain, W_TITLE_BIGRAM)
            if exact_bigrams and ambiguous:
                add("body_bi_exact", exact, W_BODY_BIGRAM_EXACT)
        for exact, plain in sorted(syllables, key=syllables.__getitem__)[:MAX_SYLLABLE_CLAUSES]:
            ambiguous = exact != plain and self._df("body", exact) < syllables[(exact, plain)]
            add("title_fold", plain, W_TITLE_SYLLABLE)
            if ambiguous and exact in typed:
                # typed with marks: ranked by the word's own frequency ("nậm" is rare, "nam" is not),
                # its look-alikes little
                add("body", exact, W_BODY_SYLLABLE)
                add("body_fold", plain, W_BODY_SYLLABLE * W_LOOKALIKE)
                continue
            add("body_fold", plain, W_BODY_SYLLABLE)
            if ambiguous:
                add("body", exact, W_BODY_SYLLABLE_EXACT)
        if not clauses:  # every word is very common: rank by all of them rather than by none
            for run in runs:
                for exact in run:
                    add("body_fold", fold(exact), W_BODY_SYLLABLE)
        if not clauses:
            return None
        return Q.Or(clauses)

    # --- query intelligence ------------------------------------------------------------------------
    def interpret(self, lexicon, abbreviations, typed: str) -> None:
        """Read unaccented words as the index writes them, and add the other forms of abbreviations.

        :param lexicon: a :class:`searcher.lexicon.Lexicon` (None: words are taken as typed);
        :param abbreviations: a :class:`searcher.lexicon.abbreviations.AbbreviationTable`, or None;
        :param typed: the query text, for display and for short forms that count only in capitals.
        """
        from ..lexicon.interpret import Interpretation, interpret
        from ..lexicon.spelling import corrections, is_sure

        runs = self.plan.free_text + self.required_runs
        short = sum(len(run) for run in runs) <= RESTORE_MAX_SYLLABLES
        if lexicon is not None and runs:
            fixes = {}
            for run in runs:
                fixes.update(corrections(lexicon, run))
            # a long question is neither ranked by its reading nor shown it, unless it needs correcting
            if short or fixes:
                reading = interpret(lexicon, runs)
                wrong: dict[str, str] = {}
                if fixes:  # shown with the accented reading of the other words
                    self.plan.did_you_mean = Interpretation(runs, {**reading.changes, **fixes}).text(typed)
                    # only words the index never writes are corrected without asking ("phonng", "quôc");
                    # a real word that looks wrong in its context ("hướng dân") is only suggested
                    # (the fixes come with the accented reading of the unmarked words around them)
                    wrong = {t: r for t, r in fixes.items() if has_diacritics(t) or fold(r) != t}
                    if all(is_sure(lexicon, typed_word, read) for typed_word, read in wrong.items()):
                        self.plan.corrected = self.plan.did_you_mean
                if short:
                    count = len(self.plan.free_text)
                    self.plan.free_text, self.required_runs = reading.runs[:count], reading.runs[count:]
                    # a reading that keeps a misspelled word is not shown ("quốc phonng"): the suggestion is
                    misspelled = fixes and any(s in wrong for run in reading.runs for s in run)
                    self.plan.interpreted_as = None if misspelled else reading.text(typed)
                    runs = reading.runs
        if abbreviations is not None and runs:
            for alt in abbreviations.find(runs, _case_neutral(typed)):
                run = runs[alt.run]
                if short:  # a long question is ranked by its own words (see RESTORE_MAX_SYLLABLES)
                    self.alternatives.append(
                        (
                            run[: alt.start] + list(alt.syllables) + run[alt.end :],
                            alt.start,
                            alt.start + len(alt.syllables),
                        )
                    )
                    self.plan.synonyms.append(
                        ([fold(s) for s in run[alt.start : alt.end]], [fold(s) for s in alt.syllables])
                    )
                # the other form is marked where it stands whole: "thành phố hồ chí minh" for "TP.HCM",
                # not every "hồ" and "chí" of the text
                self.plan.highlight_terms.add(" ".join(fold(s) for s in alt.syllables))

    def finish(self, typed: str) -> None:
        """What the plan says besides the query: the common words marked only next to other matches,
        the places the query is about."""
        runs = self.plan.free_text
        # (in a long question a place is one detail among many, not its subject, and its matches
        # crowd together anyway)
        short = sum(len(run) for run in runs + self.required_runs) <= RESTORE_MAX_SYLLABLES
        words = {fold(s) for run in runs + self.required_runs for s in run}
        if len(words) > 1 and self.searcher is not None and short:
            limit = COMMON_MARK_FRACTION * self.doc_count
            self.plan.highlight_common = {w for w in words if self._df("body_fold", w) > limit}
        if self.searcher is not None and (runs or self.required_runs) and short:
            self.plan.places = self._places(_case_neutral(typed))
            if self.plan.places:
                self.plan.place_topic = self._topic()
            mentions: list[Q.Query] = []
            for place in self.plan.places:
                # within a tier, documents naming the place in the title and often in the text first
                name = [fold(s) for s in _syllables(place.removeprefix("Thành phố "))]
                for pair in dict.fromkeys(f"{a} {b}" for a, b in zip(name, name[1:])):
                    self.optional.append(Q.Term("title_bi", pair, boost=W_PLACE_TITLE))
                    self.optional.append(Q.Term("body_bi", pair, boost=W_PLACE_BODY))
                    mentions += [Q.Term("title_bi", pair), Q.Term("body_bi", pair)]
            self.plan.place_mention = Q.Or(mentions) if mentions else None

    def _topic(self) -> Q.Query | None:
        """The documents holding some of the query's other words (not the place's, nor "tỉnh",
        "UBND"...): a pair of a run of them, or a single one. None if there are none."""
        pieces: list[Q.Query] = []
        for run in self.plan.free_text:
            words = [fold(s) for s in run]
            piece: list[str] = []
            for word in words + [""]:
                if word and word not in self.place_words and word not in _ADMINISTRATIVE:
                    piece.append(word)
                    continue
                if len(piece) == 1:
                    pieces.append(Q.Term("body_fold", piece[0]))
                elif piece:  # (any of its pairs: a long question is not asked to be a phrase)
                    pieces.extend(Q.Term("body_bi", f"{a} {b}") for a, b in zip(piece, piece[1:]))
                piece = []
        return Q.Or(pieces) if pieces else None

    def _places(self, typed: str) -> list[str]:
        """The provinces and cities the query names: after an administrative word ("tỉnh", "TP",
        "UBND"...) or capitalised; a name in lowercase only where most documents holding those words
        are about the place ("hòa bình" is mostly peace, "điện biên" mostly the province)."""
        from ..ingest.places import named_places

        found: list[str] = []
        words = [fold(w).lower() for w in _WORDS.findall(typed)]
        for named in named_places(typed):
            place, written = named.place, named.written
            if place in found:
                continue
            before = [fold(w).lower() for w in _WORDS.findall(typed[: named.start])]
            administrative = named.prefixed or (before and before[-1] in _ADMINISTRATIVE)
            # (capitals mark a place only where they are not those of a longer name)
            capitalised = all(w[:1].isupper() for w in written.split()) and not named.in_longer_name
            first_word = len(written.split()) == 1 and not before and len(words) > 1
            if administrative or (capitalised and not first_word) or self._mostly_place(place, written):
                found.append(place)
                name = [fold(s) for s in _syllables(written)]
                self.place_words.update(name)
                self.place_words.update(f"{a} {b}" for a, b in zip(name, name[1:]))
        return found

    def _mostly_place(self, place: str, written: str) -> bool:
        syllables = _syllables(written)
        if not syllables:
            return False
        if len(syllables) == 1:
            field_name, term = (
                ("body", syllables[0]) if has_diacritics(written) else ("body_fold", fold(syllables[0]))
            )
        elif has_diacritics(written):
            field_name, term = "body_bi_exact", " ".join(syllables[:2])
        else:
            field_name, term = "body_bi", " ".join(fold(s) for s in syllables[:2])
        holding = self._df(field_name, term)
        return holding > 0 and self._df("places", place) >= PLACE_SHARE * holding

    def _ambiguous(self, syllable: str) -> bool:
        """Whether an accented syllable shares its folded form with other words in the index."""
        return self._df("body", syllable) < self._df("body_fold", fold(syllable))

    def typed_only_as_look_alikes(self) -> list[str]:
        """Free words typed with marks that no document holds as typed, though some hold the same
        letters with other marks ("lũ" where only "lữ đoàn" is written): the results show look-alikes
        for them, which the user is told."""
        return [
            s
            for s in dict.fromkeys(self.typed_accented)
            if self._df("body", s) == 0 and self._df("title", s) == 0 and self._df("body_fold", fold(s)) > 0
        ]

    def _df(self, fieldname: str, text: str) -> int:
        if self.view is None:
            return 0
        found = self.frequencies.get((fieldname, text))
        if found is None:
            found = self.frequencies[(fieldname, text)] = doc_frequency(self.view, fieldname, text)
        return found

    def _selective(self, fieldname: str, text: str) -> bool:
        return self._df(fieldname, text) <= self._common_limit(RARE_FRACTION)

    def _common_limit(self, fraction: float) -> float:
        # in a small index every term is cheap, and the fraction alone would drop them all
        return max(fraction * self.doc_count, RARE_MIN_DOCS)

    def combined(self) -> Q.Query | None:
        ranked = self.ranked()
        should = [q for q in (ranked, *self.optional) if q is not None]
        positive: Q.Query | None
        if self.must:
            required = self.must[0] if len(self.must) == 1 else Q.And(self.must)
            # Required clauses filter; the ranking comes from the words (phrase words included), so
            # a phrase repeated often does not drown the other words of the query.
            positive = Q.AndMaybe(Q.ConstantScoreQuery(required, 0.0), Q.Or(should)) if should else required
        elif should:
            positive = should[0] if len(should) == 1 else Q.Or(should)
        else:
            positive = None
        if positive is not None and self.must_not:
            positive = Q.AndNot(positive, Q.Or(self.must_not))
        return positive


# Marks of clauses beyond free words: each phrase, required or excluded word, field and operator
_CLAUSE_MARKS = re.compile(r'"[^"]*"|(?<![^\s(])[-+]|\w+:|\b(?:AND|OR|NOT)\b')
MAX_PLAIN_CLAUSES = 8  # phrases, operators, ... that a query may hold and still be a plain one


def looks_expensive(text: str) -> bool:
    """Whether a query asks for much more work than a typical one: a prefix to expand (``c*``), or
    more than :data:`MAX_PLAIN_CLAUSES` phrases, operators and fields. Read from the text alone, so
    that a server turning such queries away when busy spends nothing on them."""
    return "*" in text or len(_CLAUSE_MARKS.findall(text, 0, MAX_QUERY_CHARS)) > MAX_PLAIN_CLAUSES


def _case_neutral(typed: str) -> str:
    """``typed`` in lowercase when it is all in capitals: then capitals say nothing of which words are
    abbreviations ("TƯ" for Trung ương) or names ("HÒA BÌNH"), and the query means what the same
    words in lowercase mean. A single word in capitals ("UBND", "TƯ") keeps them."""
    words = _WORDS.findall(typed)
    letters = [w for w in words if not w.isdecimal()]
    if len(letters) > 1 and all(w.isupper() for w in letters):
        return typed.lower()
    return typed


def _as_typed(syllables: list[str], title: bool) -> list[Q.Query]:
    """Terms that hold the accented words of ``syllables`` as typed, in the title or in the body.

    The exact fields keep no positions: adjacent accented words are matched as their accented
    bigrams (the folded phrase beside them checks positions), a lone one as its syllable."""
    words, pairs = ("title", "title_bi_exact") if title else ("body", "body_bi_exact")
    terms: list[Q.Query] = []
    marked = [has_diacritics(s) for s in syllables]
    for i, s in enumerate(syllables):
        if not marked[i]:
            continue
        before = i > 0 and marked[i - 1]
        after = i + 1 < len(syllables) and marked[i + 1]
        if after:
            terms.append(Q.Term(pairs, f"{s} {syllables[i + 1]}"))
        elif not before:
            terms.append(Q.Term(words, s))
    return terms


def parse_query(
    text: str,
    searcher=None,
    lexicon=None,
    abbreviations=None,
    accents_required: bool = True,
    deadline: float | None = None,
) -> QueryPlan:
    """Parse ``text`` into a :class:`QueryPlan`; never raises for any input.

    :param searcher: an open Whoosh searcher, used for term statistics (which syllables are selective)
        and prefix expansion, or its :class:`~searcher.index.view.IndexView` (whose tables are then
        used and filled); without one every syllable is used.
    :param lexicon: the index's :class:`searcher.lexicon.Lexicon`: unaccented words are then ranked
        by their likely accented reading (``plan.interpreted_as``).
    :param abbreviations: an :class:`searcher.lexicon.abbreviations.AbbreviationTable`: abbreviations and
        their long forms then find each other.
    :param accents_required: phrases, ``+`` and ``title:`` words hold their accented words as typed
        (False: in any form, the fallback when nothing holds them as typed).
    :param deadline: a ``time.perf_counter()`` value: planning stops expanding prefixes and reading
        the query's words past it (``plan.cut_short``), and the query is what was planned by then.
    """
    notes: list[Note] = []
    # "?" ends questions far more often than it stands for one letter: it is not a wildcard here.
    text = normalize_text(text or "").replace("?", " ")
    # A dash or plus standing alone is punctuation ("giai đoạn 2009 - 2019"), not an operator on the
    # word after it
    text = _LONE_OPERATOR.sub(" ", text)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(Note("query_truncated", {"chars": MAX_QUERY_CHARS}))
    searcher = IndexView.of(searcher) if searcher is not None else None  # (one view for both tries)
    budget = _Budget(deadline)
    builder = _Builder(searcher, accents_required, budget)
    try:
        if _SYNTAX_CHARS.search(text) or _OPERATOR_WORDS.search(text):
            builder.add(_PARSER.parse(text, normalize=False))
        else:  # plain words, by far the most common query: what the parser would make of them, faster
            builder._flush(_syllables(text))
        _read_words(builder, lexicon, abbreviations, text)
        q = builder.combined()
    except Exception:  # the parser or a odd tree: fall back to the plain words, and say so
        builder = _Builder(searcher, accents_required, budget)
        plain = _SYNTAX_CHARS.sub(" ", text)
        notes.append(Note("syntax_fallback"))
        builder._flush(_syllables(plain))
        _read_words(builder, lexicon, abbreviations, plain)
        q = builder.combined()
    plan = builder.plan
    plan.query = q
    plan.cut_short = plan.cut_short or budget.out_of_time
    if q is not None and (unmatched := builder.typed_only_as_look_alikes()):
        notes.append(Note("look_alikes", {"words": unmatched}))
    plan.notes = unique(notes + plan.notes)  # ("c* c* c*": one note, not one per prefix)
    if q is None and text.strip():
        if builder.must_not or _ONLY_EXCLUSIONS.fullmatch(text):
            plan.notes.append(Note("only_exclusions"))
        else:
            plan.notes.append(Note("no_words"))
    return plan


def _read_words(builder: _Builder, lexicon, abbreviations, text: str) -> None:
    """The accented reading, abbreviations and places of the query's words, unless the query's time
    is up: then its words are ranked as typed."""
    if builder.budget.past_deadline():
        return
    builder.interpret(lexicon, abbreviations, text)
    if builder.budget.past_deadline():
        return
    builder.finish(text)
