"""The shared corpus's judged sets, read in place (never copied into the repository).

The corpus is looked for at ``../shared/corpus`` beside the project checkout; ``BENCH_CORPUS`` overrides.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import unicodedata
from pathlib import Path

CORPUS = Path(os.environ.get("BENCH_CORPUS") or Path(__file__).resolve().parents[3] / "shared" / "corpus")
LEGAL = CORPUS / "alqac-legal.jsonl"
LEGAL_QRELS = CORPUS / "alqac-legal-qrels.jsonl"
NEWS_DEV = CORPUS / "news-dev"
NEWS_IDS = NEWS_DEV / "news-dev20k.ids"
NEWS_QUERIES = NEWS_DEV / "news-dev-known-items.jsonl"
NEWS_SOURCES = ("vntc.jsonl.gz", "baomoi2017.jsonl.gz")  # this order: the id list follows it
NEWS_FILE = "news-dev20k.jsonl"
NEWS_STYLES = ("accented", "unaccented", "tone-variant", "abbreviation", "phrase", "question")


def read_jsonl(path: Path):
    """The records of a JSONL (or .jsonl.gz) file, one dict per non-empty line."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


# --- legal set -------------------------------------------------------------------------------------


def load_legal() -> list[dict]:
    """The 3,552 legal articles (``id``, ``title``, ``text``, ``aliases``, ...)."""
    return list(read_jsonl(LEGAL))


def load_legal_qrels() -> list[dict]:
    """The 946 judged questions (``qid``, ``query``, ``relevant_ids``)."""
    return list(read_jsonl(LEGAL_QRELS))


def legal_alias_ids(doc: dict) -> list[str]:
    """The ids of the identical articles merged into ``doc``.

    Aliases carry no id of their own, only edition, law and article; the corpus builds ids as
    ``alqac/<edition>/<law_id>/<article_id>`` (the edition being the year part), so the same rule gives
    the id an alias would have had as a document of its own.
    """
    return [f"alqac/{a['edition']}/{a['law_id']}/{a['article_id']}" for a in doc.get("aliases") or []]


def same_text_ids(docs: list[dict]) -> dict[str, set[str]]:
    """For each article whose text is word for word that of other articles (case, punctuation and
    diacritics aside), the ids of those others. The corpus keeps such articles apart when they belong
    to different laws or editions; a reader shown any one of them reads the judged text."""
    by_text: dict[str, set[str]] = {}
    for doc in docs:
        words = " ".join(re.findall(r"\w+", strip_diacritics(doc["text"]).lower()))
        by_text.setdefault(words, set()).add(doc["id"])
    return {doc_id: ids - {doc_id} for ids in by_text.values() if len(ids) > 1 for doc_id in ids}


def alias_only_queries(qrels: list[dict], docs: list[dict]) -> list[str]:
    """Qids with a relevant id that is no document's id but an alias of one."""
    ids = {doc["id"] for doc in docs}
    aliases = {alias for doc in docs for alias in legal_alias_ids(doc)}
    return [q["qid"] for q in qrels if any(r not in ids and r in aliases for r in q["relevant_ids"])]


# --- news known-items ------------------------------------------------------------------------------


def _line_id(line: bytes) -> str:
    # Decoding only the leading "id" value instead of the whole record (bodies are long) makes the
    # pass over 120,000 articles several times faster; any other layout falls back to a full parse.
    prefix = b'{"id": '
    if line.startswith(prefix):
        value, _ = json.JSONDecoder().raw_decode(
            line[len(prefix) : len(prefix) + 1000].decode("utf-8", "replace")
        )
        return value
    return json.loads(line)["id"]


def build_news_dev(tmp_path: Path) -> Path:
    """Write the 20,000-article news-dev sub-corpus to ``tmp_path/news-dev20k.jsonl`` and return its path.

    As news-dev/README.md says: stream VNTC then baomoi and keep, byte for byte, every line whose id is
    listed. An existing file with exactly the listed ids in order is reused (a kept index then sees an
    unchanged file).
    """
    wanted = [line.strip() for line in NEWS_IDS.read_text(encoding="utf-8").splitlines() if line.strip()]
    target = Path(tmp_path) / NEWS_FILE
    if target.exists():
        with open(target, "rb") as fh:
            if [_line_id(line) for line in fh if line.strip()] == wanted:
                return target
    keep = set(wanted)
    written = []
    partial = target.with_suffix(".part")
    with open(partial, "wb") as out:
        for name in NEWS_SOURCES:
            with gzip.open(CORPUS / name, "rb") as fh:
                for line in fh:
                    if not line.strip():
                        continue
                    doc_id = _line_id(line)
                    if doc_id in keep:
                        out.write(line if line.endswith(b"\n") else line + b"\n")
                        written.append(doc_id)
    if written != wanted:
        raise RuntimeError(
            f"news-dev rebuild gave {len(written)} documents, not the {len(wanted)} listed "
            f"in {NEWS_IDS} in that order"
        )
    partial.replace(target)
    return target


def load_news_queries() -> list[dict]:
    """The 80 known-item queries (``qid``, ``query``, ``style``, ``relevant_ids``)."""
    return list(read_jsonl(NEWS_QUERIES))


# --- query variants --------------------------------------------------------------------------------


def strip_diacritics(text: str) -> str:
    """``text`` as typed without Vietnamese diacritics: marks dropped, đ→d, case and the rest kept.

    Only letters change: full unidecode would also straighten curly quotes, and a quoted phrase means
    something else to a query parser than the accented question did.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
