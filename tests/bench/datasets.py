"""The shared corpus's judged sets, read in place from ../shared/corpus (never copied)."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
LEGAL = CORPUS / "alqac-legal.jsonl"
LEGAL_QRELS = CORPUS / "alqac-legal-qrels.jsonl"
NEWS_DEV = CORPUS / "news-dev"


def read_jsonl(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_legal_qrels() -> list[dict]:
    return list(read_jsonl(LEGAL_QRELS))


def load_news_queries() -> list[dict]:
    return list(read_jsonl(NEWS_DEV / "news-dev-known-items.jsonl"))


def build_news_dev(target: Path) -> Path:
    """Write the 20,000-article news-dev sub-corpus as JSONL (as news-dev/README.md describes)."""
    ids = {line.strip() for line in open(NEWS_DEV / "news-dev20k.ids", encoding="utf-8") if line.strip()}
    if target.exists() and sum(1 for _ in open(target, encoding="utf-8")) == len(ids):
        return target
    with open(target, "w", encoding="utf-8") as out:
        for name in ("vntc.jsonl.gz", "baomoi2017.jsonl.gz"):
            with gzip.open(CORPUS / name, "rt", encoding="utf-8") as fh:
                for line in fh:
                    if json.loads(line)["id"] in ids:
                        out.write(line)
    return target
