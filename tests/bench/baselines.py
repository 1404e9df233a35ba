"""Reference systems measured beside ours on the same data: Whoosh out of the box and SQLite FTS5."""
from __future__ import annotations

import re
import sqlite3
import tempfile

from datasets import read_jsonl


class WhooshStandard:
    """Whoosh with its StandardAnalyzer on title and text, questions parsed as OR queries."""

    name = "whoosh-standard"

    def build(self, jsonl_path):
        from whoosh import index
        from whoosh.analysis import StandardAnalyzer
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.qparser import MultifieldParser, OrGroup

        schema = Schema(id=ID(stored=True), title=TEXT(analyzer=StandardAnalyzer()),
                        text=TEXT(analyzer=StandardAnalyzer()))
        self.ix = index.create_in(tempfile.mkdtemp(prefix="bench-whoosh-"), schema)
        writer = self.ix.writer(limitmb=256)
        for rec in read_jsonl(jsonl_path):
            writer.add_document(id=rec["id"], title=rec.get("title") or "", text=rec["text"])
        writer.commit()
        self.parser = MultifieldParser(["title", "text"], schema, group=OrGroup)
        self.searcher = self.ix.searcher()

    def search(self, query: str, k: int) -> list[str]:
        # query syntax characters would make questions fail to parse: keep the words only
        words = re.sub(r"[^\w\s]", " ", query)
        q = self.parser.parse(words)
        return [hit["id"] for hit in self.searcher.search(q, limit=k)]


class SqliteFts5:
    """SQLite FTS5, unicode61 tokenizer with diacritics removed, OR of the query's tokens, bm25."""

    name = "sqlite-fts5"

    def build(self, jsonl_path):
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, title, text, "
                        "tokenize = 'unicode61 remove_diacritics 2')")
        self.db.executemany("INSERT INTO fts VALUES (?, ?, ?)",
                            ((r["id"], r.get("title") or "", r["text"]) for r in read_jsonl(jsonl_path)))
        self.db.commit()

    def search(self, query: str, k: int) -> list[str]:
        tokens = re.findall(r"\w+", query)
        if not tokens:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        rows = self.db.execute("SELECT id FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?", (match, k))
        return [row[0] for row in rows]


class Ours:
    """This project's engine through its Python API (highlighting of the top hits included)."""

    name = "ours"

    def __init__(self, index_dir=None):
        self.index_dir = index_dir

    def build(self, jsonl_path):
        from pathlib import Path

        from searcher.engine import Engine
        from searcher.indexer import index_paths

        self.index_dir = Path(self.index_dir or tempfile.mkdtemp(prefix="bench-ours-"))
        index_paths([Path(jsonl_path)], self.index_dir)  # incremental: a kept index is reused
        self.engine = Engine(self.index_dir)

    def search(self, query: str, k: int) -> list[str]:
        return [hit.id for hit in self.engine.search(query, limit=k).hits]


SYSTEMS = {cls.name: cls for cls in (Ours, WhooshStandard, SqliteFts5)}
