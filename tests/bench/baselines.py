"""The systems a benchmark compares: ours and two references, behind one small interface.

Each class is made with the folder its index goes in, then::

    system.build(docs, source=path)   # docs: the records (dicts with id, title, text); source: their JSONL
    system.search(query, k) -> [ids]  # best first
    system.close()

``source`` is only read by systems that index files (ours); the others index ``docs``.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import unicodedata
from pathlib import Path


class WhooshStandard:
    """Whoosh out of the box: StandardAnalyzer on title and text, BM25F, the query's words ORed."""

    name = "whoosh-standard"
    # Characters and words Whoosh's default parser reads as syntax (fields, phrases, wildcards, ranges,
    # groups, boosts, fuzzy terms, operators); questions contain some of them by accident.
    SYNTAX = re.compile(r"""[:"'*?՞؟፧()\[\]{}^~\\]""")
    OPERATORS = re.compile(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b")

    def __init__(self, workdir: Path):
        self.dir = Path(workdir)
        self.ix = self.searcher = self.parser = None

    def build(self, docs, source: Path | None = None) -> None:
        from whoosh import index
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.qparser import MultifieldParser, OrGroup

        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        schema = Schema(id=ID(stored=True), title=TEXT, text=TEXT)  # TEXT's default is StandardAnalyzer
        self.ix = index.create_in(str(self.dir), schema)
        writer = self.ix.writer(limitmb=256)
        for doc in docs:
            writer.add_document(id=doc["id"], title=doc.get("title") or "", text=doc.get("text") or "")
        writer.commit()
        self.parser = MultifieldParser(["title", "text"], schema, group=OrGroup)
        self.searcher = self.ix.searcher()

    def search(self, query: str, k: int) -> list[str]:
        # Everything else goes to the parser as written, so the analyzer sees the question as it is.
        text = self.OPERATORS.sub(lambda m: m.group(0).lower(), self.SYNTAX.sub(" ", query))
        return [hit["id"] for hit in self.searcher.search(self.parser.parse(text), limit=k)]

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
        if self.ix is not None:
            self.ix.close()


def fts5_tokens(text: str) -> list[str]:
    """The query's words as FTS5's unicode61 splits them: runs of letters, digits, private-use
    characters and combining marks (so a decomposed "hoà" stays one word)."""
    words, current = [], []
    for ch in text:
        if unicodedata.category(ch)[0] in "LNM" or unicodedata.category(ch) == "Co":
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


class SqliteFts5:
    """SQLite FTS5, unicode61 tokenizer with diacritics removed, the query's words ORed, bm25 ranking."""

    name = "sqlite-fts5"

    def __init__(self, workdir: Path):
        self.dir = Path(workdir)
        self.db = None

    def build(self, docs, source: Path | None = None) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.db = sqlite3.connect(self.dir / "fts5.sqlite3")
        self.db.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, title, text, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        self.db.executemany(
            "INSERT INTO fts (id, title, text) VALUES (?, ?, ?)",
            ((d["id"], d.get("title") or "", d.get("text") or "") for d in docs),
        )
        self.db.commit()

    def search(self, query: str, k: int) -> list[str]:
        tokens = fts5_tokens(query)
        if not tokens:
            return []
        # each word as an FTS5 string: words like NOT, NEAR or a stray quote are then plain text
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        rows = self.db.execute("SELECT id FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?", (match, k))
        return [row[0] for row in rows]

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


class Ours:
    """This project's engine through its Python API; a search includes the snippets of its hits."""

    name = "ours"

    def __init__(self, workdir: Path):
        self.dir = Path(workdir)
        self.engine = None
        self.summary = None

    def build(self, docs, source: Path | None = None) -> None:
        from searcher.index.indexer import index_paths
        from searcher.search.engine import Engine

        if source is None:
            # the engine indexes files: the records go into one JSONL file beside the index
            source = self.dir.parent / f"{self.dir.name}-docs.jsonl"
            source.parent.mkdir(parents=True, exist_ok=True)
            with open(source, "w", encoding="utf-8") as out:
                for doc in docs:
                    out.write(json.dumps(doc, ensure_ascii=False) + "\n")
        # Incremental: an index kept from an earlier run only takes the documents that changed.
        self.summary = index_paths([Path(source)], self.dir)
        self.engine = Engine(self.dir)

    def search(self, query: str, k: int) -> list[str]:
        return [hit.id for hit in self.engine.search(query, limit=k).hits]

    def restore(self, text: str) -> str:
        """``text`` with its unmarked words read with marks, from the index's lexicon."""
        from searcher.lexicon.restore import restore_text

        return restore_text(self.engine.lexicon(), text)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()


class OursPlain(Ours):
    """Our engine with query intelligence off (words as typed: no accent restoration, abbreviations
    or spelling), on the same index folder as ``ours``: the "before" beside the "after"."""

    name = "ours-plain"

    def __init__(self, workdir: Path):
        workdir = Path(workdir)
        super().__init__(workdir.with_name(Ours.name) if workdir.name == self.name else workdir)

    def build(self, docs, source: Path | None = None) -> None:
        super().build(docs, source)
        self.engine.query_intelligence = False


class OursBefore:
    """The engine of another checkout (``code``, set from ``relevance.py --before-code``), in a worker
    process of its own, on its own index folder, which that version builds or updates. A search's
    time includes passing the query and the ids between the processes (a fraction of a millisecond):
    for latency, ``before_after.py`` times both versions alike."""

    name = "ours-before"
    code: Path | None = None

    def __init__(self, workdir: Path):
        self.dir = Path(workdir)
        self.worker = None

    def build(self, docs, source: Path | None = None) -> None:
        import os
        import subprocess
        import sys

        if self.code is None or source is None:
            raise SystemExit("ours-before needs --before-code DIR (a checkout of the older version)")
        env = {**os.environ, "PYTHONPATH": str(self.code)}
        subprocess.run(
            [sys.executable, "-m", "searcher", "index", "--index-dir", str(self.dir), str(source)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.worker = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("engine_worker.py")), str(self.dir)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def _ask(self, request: dict) -> dict:
        self.worker.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.worker.stdin.flush()
        return json.loads(self.worker.stdout.readline())

    def search(self, query: str, k: int) -> list[str]:
        return self._ask({"q": query, "k": k})["ids"]

    def restore(self, text: str) -> str:
        return self._ask({"restore": text})["text"]

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stdin.close()
            self.worker.wait(timeout=60)
            self.worker = None


SYSTEMS = {cls.name: cls for cls in (Ours, OursPlain, OursBefore, WhooshStandard, SqliteFts5)}
