"""Full-text search for Vietnamese reports: analysis, indexing and ranked, highlighted search.

The public API is plain Python; the ``search`` command and the web app are adapters over it::

    from searcher import Engine, index_paths
    index_paths([Path("seeds")], Path("index"))
    Engine("index").search("quoc phong").hits
"""

__version__ = "0.1.0"

__all__ = ["Engine", "SearchResult", "Hit", "index_paths", "IndexSummary", "Document", "__version__"]


def __getattr__(name):
    # Lazy re-exports: `search --help` and the CLI's start-up do not pay for Whoosh imports.
    if name in ("Engine", "SearchResult", "Hit"):
        from .search import engine

        return getattr(engine, name)
    if name in ("index_paths", "IndexSummary"):
        from .index import indexer

        return getattr(indexer, name)
    if name == "Document":
        from .ingest.model import Document

        return Document
    raise AttributeError(name)
