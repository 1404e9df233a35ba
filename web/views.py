"""Routes: each HTML page and its JSON twin are rendered from the same dict."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from searcher.search.engine import IndexMissing

from . import params as P
from .notes import in_vietnamese
from .security import marked

bp = Blueprint("search", __name__)

RELATED_LIMIT = 5
SUGGEST_LIMIT = 8


def _engine():
    return current_app.extensions["engine"]


# --- the data behind each page ------------------------------------------------------------------------
def search_data(p: P.SearchParams) -> dict:
    """The CLI's ``query --json`` object, with counts per place and year for the filters."""
    result = _engine().search(
        p.q,
        limit=p.limit,
        page=p.page,
        sort=p.sort,
        date_from=p.date_from,
        date_to=p.date_to,
        place=p.place,
        facets=True,
        as_typed=p.as_typed,
    )
    return result.as_dict()


def doc_data(doc_id: str, q: str) -> dict:
    doc = _engine().get(doc_id, highlight=q or None)
    if doc is None:
        raise P.BadRequest(f"no document with id {doc_id!r}", status=404)
    return {"ok": True, **doc, "query": q, "related": _engine().related(doc_id, RELATED_LIMIT)}


def _config_params():
    cfg = current_app.config
    return P.search_params(request.args, cfg["MAX_QUERY_CHARS"], cfg["MAX_LIMIT"], cfg["DEFAULT_LIMIT"])


# --- HTML pages -------------------------------------------------------------------------------------
@bp.get("/")
def search_page():
    p = _config_params()
    data = search_data(p) if p.q else None
    return render_template("search.html", p=p, data=data)


@bp.get("/doc")
def doc_page():
    q = P.query_text(request.args, current_app.config["MAX_QUERY_CHARS"])
    data = doc_data(P.doc_id(request.args), q)
    return render_template("doc.html", doc=data, q=q)


# --- JSON twins -----------------------------------------------------------------------------------
@bp.get("/search.json")
def search_json():
    if "q" not in request.args:
        raise P.BadRequest("missing 'q': what to search for?")
    return jsonify(search_data(_config_params()))  # a blank q is answered: no words, no results


@bp.get("/doc.json")
def doc_json():
    q = P.query_text(request.args, current_app.config["MAX_QUERY_CHARS"])
    return jsonify(doc_data(P.doc_id(request.args), q))


@bp.get("/suggest.json")
def suggest_json():
    q = P.query_text(request.args, 200)
    suggestions = _engine().suggest(q, SUGGEST_LIMIT) if q else []
    return jsonify({"ok": True, "query": q, "suggestions": suggestions})


@bp.get("/openapi.json")
def openapi_json():
    from .openapi import openapi_spec

    cfg = current_app.config
    return jsonify(openapi_spec(cfg["MAX_QUERY_CHARS"], cfg["MAX_LIMIT"]))


@bp.get("/healthz")
def healthz():
    info = _engine().info()
    return jsonify(
        {
            "ok": True,
            "documents": info["documents"],
            "updated": info["updated"],
            "schema_version": info["schema_version"],
        }
    )


# --- errors: JSON for the API, a page for people; never a traceback -------------------------------
def _wants_json() -> bool:
    return request.path.endswith(".json") or request.path == "/healthz"


def _error(message: str, status: int, *, missing_index: bool = False):
    if _wants_json():
        response = jsonify({"ok": False, "error": message, "status": status})
    else:
        response = current_app.make_response(
            render_template(
                "error.html",
                message=message,
                status=status,
                missing_index=missing_index,
                q=request.args.get("q", "")[: current_app.config["MAX_QUERY_CHARS"]],
            )
        )
    response.status_code = status
    return response


def register_error_handlers(app) -> None:
    @app.errorhandler(P.BadRequest)
    def bad_request(exc: P.BadRequest):
        return _error(exc.message, exc.status)

    @app.errorhandler(IndexMissing)
    def index_missing(exc: IndexMissing):
        return _error(
            "no index has been built yet: build one with 'search index FOLDER'", 503, missing_index=True
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        response = _error(exc.description or exc.name, exc.code or 500)
        if getattr(exc, "valid_methods", None):  # a 405 says what is allowed (RFC 9110)
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s", request.full_path)
        return _error("the server could not answer this request; it has been logged", 500)

    app.jinja_env.filters["marked"] = marked
    app.jinja_env.filters["vn_number"] = vn_number
    app.jinja_env.filters["vn_date"] = vn_date
    app.jinja_env.filters["in_vietnamese"] = in_vietnamese
    app.jinja_env.globals["page_url"] = page_url


# --- template helpers -----------------------------------------------------------------------------
def vn_number(value, decimals: int = 0) -> str:
    """1234567 → "1.234.567", 0.25 with decimals=2 → "0,25" (Vietnamese separators)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def vn_date(iso: str | None) -> str:
    """2019-09-27 → 27/09/2019."""
    if not iso or len(iso) < 10:
        return iso or ""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def page_url(p: P.SearchParams, **changes) -> str:
    """The results page for ``p`` with ``changes`` (``page=2``, ``place=None`` ...)."""
    if "page" not in changes:
        changes["page"] = 1  # a new filter or sort starts from the first page
    return url_for("search.search_page", **p.as_query_args(**changes))
