"""The web front end: a search page, a document page and their JSON twins over :mod:`searcher`.

    from web import create_app
    app = create_app({"INDEX_DIR": "index"})

The app only adapts HTTP to :class:`searcher.search.engine.Engine`; every page is rendered from the same dict
its JSON twin returns.
"""

from __future__ import annotations

import logging
import os
import time

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from flask_compress import Compress

from searcher.search.limits import MAX_QUERY_CHARS

from .security import add_security_headers

access_log = logging.getLogger("web.access")

DEFAULTS = {
    "INDEX_DIR": None,  # None: $SEARCH_INDEX_DIR, else ./index
    "MAX_QUERY_CHARS": MAX_QUERY_CHARS,  # longer ones get a 400 (a question of 25 words is ~150 characters)
    "MAX_LIMIT": 50,
    "DEFAULT_LIMIT": 10,
    "MAX_CONTENT_LENGTH": 64 * 1024,  # the API takes no uploads: refuse large bodies early
    "JSON_AS_ASCII": False,
    # responses compressed when the client accepts it (flask-compress): a results page of ~21 kB is
    # ~4.5 kB gzipped; Brotli first, then gzip, the two every browser and HTTP client reads
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/json", "text/csv"],
}


def create_app(config: dict | None = None) -> Flask:
    """Build the app; ``config`` overrides :data:`DEFAULTS` (``INDEX_DIR``, ``MAX_QUERY_CHARS``, ...)."""
    from searcher.search.engine import Engine

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    if os.environ.get("SEARCH_INDEX_DIR"):
        app.config["INDEX_DIR"] = os.environ["SEARCH_INDEX_DIR"]
    app.config.update(config or {})
    assert isinstance(app.json, DefaultJSONProvider)  # (Flask's own provider: these are its settings)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["engine"] = Engine(app.config["INDEX_DIR"])

    from . import views

    app.register_blueprint(views.bp)
    views.register_error_handlers(app)
    app.after_request(add_security_headers)
    Compress(app)

    @app.before_request
    def _start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        access_log.info(
            "%s %s %s %d %.1f ms",
            request.remote_addr,
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            elapsed,
        )
        return response

    return app
