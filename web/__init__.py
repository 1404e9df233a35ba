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
from collections.abc import Callable
from typing import cast

from flask import Flask, Response, g, request

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
}


def create_app(config: dict | None = None) -> Flask:
    """Build the app; ``config`` overrides :data:`DEFAULTS` (``INDEX_DIR``, ``MAX_QUERY_CHARS``, ...)."""
    from searcher.search.engine import Engine

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    if os.environ.get("SEARCH_INDEX_DIR"):
        app.config["INDEX_DIR"] = os.environ["SEARCH_INDEX_DIR"]
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["engine"] = Engine(app.config["INDEX_DIR"])

    from . import views

    app.register_blueprint(views.bp)
    views.register_error_handlers(app)
    _name_bad_requests(app)
    app.after_request(add_security_headers)

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


def _name_bad_requests(app: Flask) -> None:
    """A rejected parameter's JSON answer carries its stable ``code`` beside the message (``bad_date``,
    ``reversed_range`` ...: :data:`searcher.search.params.CODES`), for programs to branch on."""
    from .params import BadRequest

    # the app's own page or JSON for the error (views.register_error_handlers)
    answer = cast("Callable[[BadRequest], Response]", app.error_handler_spec[None][None][BadRequest])

    @app.errorhandler(BadRequest)
    def bad_request(exc: BadRequest):
        response = answer(exc)
        if response.is_json:
            response.set_data(app.json.dumps({**response.get_json(), "code": exc.code}))
        return response
