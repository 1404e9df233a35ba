"""Development sets for what a query means, built from the news sub-corpus by fixed rules and seeds.

- Accent fidelity: queries whose accented words share their folded form with a far more frequent
  other word (``tính``/``tỉnh``, ``Tống``/``Tổng``, ``lịch sự``/``lịch sử``): single words, word
  pairs, pairs in quotes, and an accented word beside an unaccented one. Metric: the share of the
  first min(10, N) hits that hold every typed accented word as typed (a quoted pair: the pair), N the
  number of documents that hold them; the mean over queries.
- Place precision: ``UBND tỉnh X``, ``tỉnh X``, ``X`` + a topic (with and without diacritics, former
  names), over the provinces the sub-corpus is most often about. A document is about X when its title
  names X, or its text names X three times (or twice, once after "tỉnh", "TP", "thành phố" or "UBND"),
  written as a name (capitalised, X's own diacritics): a judge of its own, not the index's ``places``
  field. Metric: precision at min(10, N), N the documents about X that hold the topic's words.
- Restoration accuracy: sentences of corpus articles that are not in the index (nor copies of its
  articles, nor sentences it holds), marks stripped, restored by the index's lexicon, compared syllable
  by syllable (lowercase, canonical tone and i/y).

Every list is made again from the corpus on each run (nothing is stored in the repository); the same
corpus and seeds give the same lists.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from datasets import CORPUS, read_jsonl, strip_diacritics

from searcher.ingest.places import ALIASES, PROVINCES, TOWNS
from searcher.text.normalize import canonical_iy, canonical_tone, fold, has_diacritics, normalize_text

SEED = 2121
_WORD = re.compile(r"[^\W_]+")
_SENTENCE = re.compile(r"[^.!?\n]+")


@lru_cache(maxsize=500_000)
def syllable(word: str) -> str:
    return canonical_iy(canonical_tone(word.lower()))


def doc_words(doc: dict) -> list[list[str]]:
    """The document's lines as lists of syllables (lowercase, canonical tone and i/y)."""
    text = normalize_text(f"{doc.get('title') or ''}\n{doc.get('text') or ''}")
    return [[syllable(w) for w in _WORD.findall(line) if w.isalpha()] for line in text.split("\n")]


# --- accent fidelity ----------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def accent_queries(source: Path, count: int = 360) -> list[dict]:
    """``{"qid", "query", "kind", "holding": set of ids}``: see the module doc."""
    docs = list(read_jsonl(source))
    lines = {d["id"]: doc_words(d) for d in docs}
    df: Counter = Counter()
    for words in lines.values():
        df.update({w for line in words for w in line})
    # families: the forms of one folded syllable, each in enough documents to be a word
    families: dict[str, list[str]] = defaultdict(list)
    for w, n in df.items():
        if n >= 5:
            families[fold(w)].append(w)
    rare = {}  # a form -> the far more frequent form it folds like
    for forms in families.values():
        top = max(forms, key=df.get)
        for w in forms:
            if w != top and has_diacritics(w) and df[w] >= 15 and df[top] >= 4 * df[w]:
                rare[w] = top
    pair_df: Counter = Counter()
    right: dict[str, Counter] = defaultdict(Counter)
    for words in lines.values():
        pairs = set()
        for line in words:
            for a, b in zip(line, line[1:]):
                if a in rare or b in rare:
                    pairs.add((a, b))
                if a in rare and not has_diacritics(fold(b)):
                    right[a][b] += 1
        pair_df.update(pairs)
    pair_families: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for pair, n in pair_df.items():
        # a pair that is a word of its own (its syllables meet often), not two words side by side
        together = n / min(df[pair[0]], df[pair[1]])
        if n >= 10 and together >= 0.1 and all(has_diacritics(w) for w in pair):
            pair_families[(fold(pair[0]), fold(pair[1]))].append(pair)
    rare_pairs = []
    for forms in pair_families.values():
        # the other forms of the pair, counted where they occur (not only next to a rare form)
        top = max(forms, key=pair_df.get)
        rare_pairs += [p for p in forms if p != top and pair_df[top] >= 2 * pair_df[p]]
    rng = random.Random(SEED)
    singles = sorted(rare)
    rng.shuffle(singles)
    rare_pairs.sort()
    rng.shuffle(rare_pairs)
    share = count // 6
    queries: list[dict] = []
    for w in singles[: 2 * share]:
        queries.append({"query": w, "kind": "word", "words": [w]})
    half = min(len(rare_pairs) // 2, share)
    for a, b in rare_pairs[:half]:
        queries.append({"query": f"{a} {b}", "kind": "pair", "words": [a, b]})
    for a, b in rare_pairs[half : 2 * half]:
        queries.append({"query": f'"{a} {b}"', "kind": "quoted pair", "phrase": (a, b)})
    mixed = [w for w in singles[2 * share :] if right[w]]
    for w in mixed[:share]:
        neighbour = right[w].most_common(1)[0][0]
        queries.append({"query": f"{w} {fold(neighbour)}", "kind": "with an unaccented word", "words": [w]})
    # who holds what
    for i, q in enumerate(queries):
        q["qid"] = f"accent-{i:03d}"
        q["holding"] = set()
    by_word: dict[str, list[dict]] = defaultdict(list)
    by_pair: dict[tuple, list[dict]] = defaultdict(list)
    for q in queries:
        if "phrase" in q:
            by_pair[q["phrase"]].append(q)
        else:
            for w in q["words"]:
                by_word[w].append(q)
    for doc_id, words in lines.items():
        present = {w for line in words for w in line}
        for q in {id(q): q for w in present & by_word.keys() for q in by_word[w]}.values():
            if all(w in present for w in q["words"]):
                q["holding"].add(doc_id)
        if by_pair:
            pairs = {p for line in words for p in zip(line, line[1:])}
            for p in pairs & by_pair.keys():
                for q in by_pair[p]:
                    q["holding"].add(doc_id)
    return [q for q in queries if q["holding"]]


def fidelity(ranked: list[str], holding: set[str], k: int = 10) -> float:
    """The share of the first min(k, N) hits that hold the typed words (N: the documents that do)."""
    depth = min(k, len(holding))
    return sum(1 for d in ranked[:depth] if d in holding) / depth


# --- places -----------------------------------------------------------------------------------------

TOPICS = ("du lịch", "giáo dục", "giao thông", "đầu tư", "nông dân", "lũ lụt", "bệnh viện", "công an")
OLD_NAMES = {"Hà Tây": "Hà Nội", "Sài Gòn": "Thành phố Hồ Chí Minh"}


def _spellings_of(place: str) -> list[str]:
    names = [place] + [a for a, p in {**ALIASES, **TOWNS}.items() if p == place and has_diacritics(a)]
    if place == "Thành phố Hồ Chí Minh":
        names.append("Hồ Chí Minh")
    return names


def _places_about(doc: dict, pattern: re.Pattern, place_of: dict[str, str]) -> set[str]:
    """The provinces ``doc`` is about (see the module doc), by the names ``pattern`` finds."""
    found: set[str] = set()
    title = normalize_text(doc.get("title") or "")
    found.update(place_of[" ".join(m.group(2).split())] for m in pattern.finditer(title))
    mentions: Counter = Counter()
    prefixed: set[str] = set()
    for m in pattern.finditer(normalize_text(doc.get("text") or "")):
        place = place_of[" ".join(m.group(2).split())]
        mentions[place] += 1
        if m.group(1):
            prefixed.add(place)
    found.update(p for p, n in mentions.items() if n >= 3 or (n >= 2 and p in prefixed))
    return found


def _name_pattern(places) -> tuple[re.Pattern, dict[str, str]]:
    place_of = {}
    for place in places:
        for name in _spellings_of(place):
            place_of[name] = place_of[canonical_old(name)] = place
    alternatives = "|".join(
        re.escape(n).replace(r"\ ", r"\s+") for n in sorted(place_of, key=len, reverse=True)
    )
    prefix = r"(?:tỉnh|Tỉnh|TP\.?|thành phố|Thành phố|UBND)\s+"
    return re.compile(rf"(?<!\w)({prefix})?({alternatives})(?!\w)"), place_of


def canonical_old(name: str) -> str:
    """The old tone placement of a name (Thanh Hoá for Thanh Hóa): texts write both."""
    table = {"òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "ùy": "uỳ", "úy": "uý", "ủy": "uỷ"}
    out = name
    for new, old in table.items():
        out = re.sub(rf"{new}(?!\w)", old, out)
    return out


@lru_cache(maxsize=2)
def place_queries(source: Path, provinces: int = 24) -> list[dict]:
    """``{"qid", "query", "place", "about": ids about the place holding the query's other words}``."""
    docs = list(read_jsonl(source))
    pattern, place_of = _name_pattern(PROVINCES)
    about: dict[str, set[str]] = defaultdict(set)
    folded_text = {}
    for doc in docs:
        title_text = f"{doc.get('title') or ''} {doc.get('text') or ''}"
        folded_text[doc["id"]] = " ".join(_WORD.findall(fold(normalize_text(title_text)).lower()))
        for place in _places_about(doc, pattern, place_of):
            about[place].add(doc["id"])
    chosen = sorted(about, key=lambda p: (-len(about[p]), p))[:provinces]
    rng = random.Random(SEED)
    queries = []

    def add(text: str, place: str, topic: str | None) -> None:
        words = fold(topic).lower() if topic else ""
        ids = {d for d in about[place] if not words or f" {words} " in f" {folded_text[d]} "}
        if len(ids) >= 3:
            queries.append({"query": text, "place": place, "about": ids, "topic": topic})

    for i, place in enumerate(chosen):
        name = place.replace("Thành phố ", "TP ") if place.startswith("Thành phố") else place
        admin = (
            "UBND TP"
            if place.startswith("Thành phố") or place in ("Hà Nội", "Đà Nẵng", "Hải Phòng", "Cần Thơ")
            else "UBND tỉnh"
        )
        bare = name.replace("TP ", "")
        add(f"{admin} {bare}", place, None)
        add(strip_diacritics(f"{admin} {bare}").lower(), place, None)
        topics = [t for t in TOPICS]
        rng.shuffle(topics)
        for topic in topics[:2]:
            add(f"{bare} {topic}", place, topic)
        add(strip_diacritics(f"{bare} {topics[2]}"), place, topics[2])
        if i % 3 == 0:
            add(f"tỉnh {bare} {topics[3]}", place, topics[3])
    for old, place in OLD_NAMES.items():
        if place in about:
            add(old, place, None)
    for i, q in enumerate(queries):
        q["qid"] = f"place-{i:03d}"
    return queries


def precision(ranked: list[str], about: set[str], k: int = 10) -> float:
    depth = min(k, len(about))
    return sum(1 for d in ranked[:depth] if d in about) / depth


# --- restoration ----------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def held_out_sentences(source: Path, count: int = 3000) -> list[str]:
    """Sentences (8-40 syllables, with marks) of corpus articles outside ``source``: neither its
    documents nor copies of them, and no sentence the indexed articles hold. Half from each news file."""
    indexed_ids, indexed_texts, indexed_sentences = set(), set(), set()
    for doc in read_jsonl(source):
        indexed_ids.add(doc["id"])
        text = normalize_text(doc.get("text") or "")
        indexed_texts.add(" ".join(text.split()))
        indexed_sentences.update(" ".join(s.split()).lower() for s in _SENTENCE.findall(text))
    rng = random.Random(SEED)
    out: list[str] = []
    for name in ("vntc.jsonl.gz", "baomoi2017.jsonl.gz"):
        candidates = []
        with gzip.open(CORPUS / name, "rt", encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if n % 7:  # every seventh article: enough sentences, a fraction of the reading
                    continue
                doc = json.loads(line)
                text = normalize_text(doc.get("text") or "")
                if doc["id"] in indexed_ids or " ".join(text.split()) in indexed_texts:
                    continue
                for sentence in _SENTENCE.findall(text):
                    sentence = " ".join(sentence.split())
                    words = _WORD.findall(sentence)
                    if 8 <= len(words) <= 40 and sentence.lower() not in indexed_sentences:
                        if sum(has_diacritics(w) for w in words) >= len(words) // 3:  # written with marks
                            candidates.append(sentence)
        rng.shuffle(candidates)
        out += candidates[: count // 2]
    return out


def syllable_accuracy(restored: str, original: str) -> tuple[int, int]:
    """(right, compared) letter syllables of ``restored`` against ``original``."""
    a = [syllable(w) for w in _WORD.findall(normalize_text(restored)) if w.isalpha()]
    b = [syllable(w) for w in _WORD.findall(normalize_text(original)) if w.isalpha()]
    if len(a) != len(b):
        return 0, len(b)
    return sum(x == y for x, y in zip(a, b)), len(b)


def run_intent(system, source: Path, log, restore: bool = True, restore_count: int = 3000) -> dict:
    """The three figures for ``system`` (a benchmark system with ``search(query, k)`` and, for the
    restoration, ``restore(text)``)."""
    out: dict = {}
    accents = accent_queries(source)
    scores: dict[str, list[float]] = defaultdict(list)
    for q in accents:
        scores[q["kind"]].append(fidelity(system.search(q["query"], 10), q["holding"]))
    every = [s for kind in scores.values() for s in kind]
    out["accent"] = {
        "queries": len(every),
        "fidelity": sum(every) / len(every),
        "by_kind": {k: {"n": len(v), "fidelity": sum(v) / len(v)} for k, v in scores.items()},
        "examples": [q["query"] for q in accents[:: max(1, len(accents) // 12)]],
    }
    log(f"  {system.name}: accent fidelity {out['accent']['fidelity']:.3f} over {len(every)} queries")
    places = place_queries(source)
    values = [precision(system.search(q["query"], 10), q["about"]) for q in places]
    out["places"] = {
        "queries": len(values),
        "provinces": len({q["place"] for q in places}),
        "precision": sum(values) / len(values),
        "worst": sorted(((round(v, 2), q["query"]) for v, q in zip(values, places)), key=lambda x: x[0])[:8],
    }
    log(f"  {system.name}: place precision {out['places']['precision']:.3f} over {len(values)} queries")
    if restore and hasattr(system, "restore"):
        sentences = held_out_sentences(source, restore_count)
        right = total = 0
        for sentence in sentences:
            r, n = syllable_accuracy(system.restore(strip_diacritics(sentence)), sentence)
            right, total = right + r, total + n
        out["restoration"] = {"sentences": len(sentences), "syllables": total, "accuracy": right / total}
        log(f"  {system.name}: restoration {right / total:.4f} of {total} syllables")
    return out
