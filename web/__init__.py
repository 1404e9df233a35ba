"""The web front end: a search page, a document page and their JSON twins over :mod:`searcher`.

    from web import create_app
    app = create_app({"INDEX_DIR": "index"})

The app only adapts HTTP to :class:`searcher.search.engine.Engine`; every page is rendered from the same dict
its JSON twin returns.
"""

from __future__ import annotations

import logging
import os
import re
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
    # searches with prefixes or many clauses (planning.looks_expensive) answered at once by each
    # process: the others get a 503 with Retry-After, so a flood of them leaves threads and cores
    # for everyone else's searches (tests/bench/attacks.py); None: no limit
    "EXPENSIVE_SEARCHES": 1,
    "BUSY_RETRY_AFTER_S": 2,
    "JSON_AS_ASCII": False,
    # responses compressed when the client accepts it (flask-compress): a results page of ~21 kB is
    # ~4.5 kB gzipped; Brotli first, then gzip, the two every browser and HTTP client reads
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/json", "text/csv"],
}


# control characters, line and paragraph separators, and the backslash that starts an escape
_UNLOGGABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")


def escaped_for_log(text: str) -> str:
    """``text`` for one line of a log: a decoded ``%0a`` in a path would otherwise start a line of
    its own, looking like a request that never came; escaped as Python writes it (``\\n``)."""
    return _UNLOGGABLE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


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
    app.extensions["engine"] = Engine(
        app.config["INDEX_DIR"], expensive_slots=app.config["EXPENSIVE_SEARCHES"]
    )

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
            escaped_for_log(request.method),
            escaped_for_log(request.full_path.rstrip("?")),
            response.status_code,
            elapsed,
        )
        return response

    return app
