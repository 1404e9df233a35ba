"""Routes: each HTML page and its JSON twin are rendered from the same dict."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import PurePath

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from searcher.ingest.sites import site_of
from searcher.search.engine import Busy, IndexDamaged, IndexMissing
from searcher.search.limits import MAX_PAGE

from . import errors, escaped_for_log
from . import params as P
from .notes import in_vietnamese
from .security import marked
from .timeline import chart, timeline

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
    data = result.as_dict()
    facets = data.get("facets") or {}
    data["timeline"] = timeline(facets)  # the same counts per year (or month) as the chart
    facets.pop("months", None)  # (in the timeline)
    return data


def doc_data(doc_id: str, q: str) -> dict:
    doc = _engine().get(doc_id, highlight=q or None)
    if doc is None:
        raise P.BadRequest(f"no document with id {doc_id!r}", status=404, code="no_document")
    return {"ok": True, **doc, "query": q, "related": _engine().related(doc_id, RELATED_LIMIT)}


def _config_limits() -> tuple[int, int, int]:
    cfg = current_app.config
    return cfg["MAX_QUERY_CHARS"], cfg["MAX_LIMIT"], cfg["DEFAULT_LIMIT"]


def _config_params():
    return P.search_params(request.args, *_config_limits())


# --- HTML pages -------------------------------------------------------------------------------------
@bp.get("/")
def search_page():
    reversed_dates = False
    try:
        p = _config_params()
    except P.BadRequest as exc:
        if exc.code != "reversed_range":
            raise
        # the page explains a reversed range and offers it the right way round (the API refuses it)
        p = P.search_params(
            {k: v for k, v in request.args.items() if k not in ("from", "to")},
            *_config_limits(),
        )
        p.date_from, p.date_to = exc.args_["start"], exc.args_["end"]
        reversed_dates = True
    data = search_data(p) if p.q else None
    return render_template(
        "search.html",
        p=p,
        data=data,
        chart=chart(data["timeline"]) if data and data["timeline"] else None,
        reversed_dates=reversed_dates,
        autofocus=not p.q and not request.args,  # only the empty home page: elsewhere Space scrolls
    )


@bp.get("/doc")
def doc_page():
    p = _config_params()  # the search it was opened from, to go back to as it was
    data = doc_data(P.doc_id(request.args), p.q)
    return render_template("doc.html", doc=data, q=p.q, p=p)


# --- JSON twins -----------------------------------------------------------------------------------
@bp.get("/search.json")
def search_json():
    if "q" not in request.args:
        raise P.BadRequest("missing 'q': what to search for?", code="missing", name="q")
    return jsonify(search_data(_config_params()))  # a blank q is answered: no words, no results


CSV_COLUMNS = ["rank", "title", "date", "places", "source", "url", "id", "snippet"]


@bp.get("/search.csv")
def search_csv():
    """The results of a search as the page shows them (same parameters), one row per hit."""
    p = _config_params()
    data = search_data(p) if p.q else {"hits": [], "page": 1, "limit": p.limit}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    first = (data["page"] - 1) * data["limit"]
    for rank, hit in enumerate(data["hits"], first + 1):
        cells = [
            hit["title"],
            hit["date"] or "",
            "; ".join(hit["places"]),
            source_line(hit),
            hit.get("url") or "",
            hit["id"],
            html.unescape(re.sub(r"</?mark>", "", hit["snippet"])),
        ]
        writer.writerow([rank, *map(as_spreadsheet_text, cells)])
    response = current_app.response_class(
        "\ufeff" + out.getvalue(), mimetype="text/csv"
    )  # BOM: Excel reads UTF-8
    response.headers["Content-Disposition"] = 'attachment; filename="ket-qua-tim-kiem.csv"'
    return response


@bp.get("/doc.json")
def doc_json():
    q = P.query_text(request.args, current_app.config["MAX_QUERY_CHARS"])
    return jsonify(doc_data(P.doc_id(request.args), q))


@bp.get("/suggest.json")
def suggest_json():
    q = P.query_text(request.args, P.MAX_SUGGEST_CHARS)
    suggestions = _engine().suggest(q, SUGGEST_LIMIT) if q else []
    return jsonify({"ok": True, "query": q, "suggestions": suggestions})


@bp.get("/openapi.json")
def openapi_json():
    from .openapi import openapi_spec

    cfg = current_app.config
    return jsonify(openapi_spec(cfg["MAX_QUERY_CHARS"], cfg["MAX_LIMIT"]))


@bp.get("/healthz")
def healthz():
    info = _engine().health()  # a damaged index: 503 (the sizes of its files looked at every time)
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


def _error(message: str, status: int, code: str, args: dict | None = None, *, missing_index: bool = False):
    """JSON: the English ``message`` and the stable ``code``; a page: the code's Vietnamese wording."""
    if _wants_json():
        response = jsonify({"ok": False, "error": message, "code": code, "status": status})
    else:
        response = current_app.make_response(
            render_template(
                "error.html",
                message=errors.in_vietnamese(code, args or {}, status),
                code=code,
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
        return _error(exc.message, exc.status, exc.code, exc.args_)

    @app.errorhandler(IndexMissing)
    def index_missing(exc: IndexMissing):
        return _error(
            "no index has been built yet: build one with 'search index FOLDER'",
            503,
            "index_missing",
            missing_index=True,
        )

    @app.errorhandler(Busy)
    def busy(exc: Busy):
        response = _error(
            "the server is busy with other expensive searches (prefixes or many clauses): try again shortly",
            503,
            "busy",
        )
        response.headers["Retry-After"] = str(current_app.config["BUSY_RETRY_AFTER_S"])
        return response

    @app.errorhandler(IndexDamaged)
    def index_damaged(exc: IndexDamaged):
        app.logger.error("%s", exc)  # the files and the folder, for the administrator only
        return _error(
            "the index is damaged and cannot answer: it must be rebuilt with 'search index --rebuild'",
            503,
            "index_damaged",
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        response = _error(
            exc.description or exc.name, status, errors.HTTP_CODES.get(status, f"http_{status}")
        )
        valid_methods = getattr(exc, "valid_methods", None)
        if valid_methods:  # a 405 says what is allowed (RFC 9110)
            response.headers["Allow"] = ", ".join(valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s", escaped_for_log(request.full_path))
        return _error("the server could not answer this request; it has been logged", 500, "server_error")

    app.jinja_env.filters["marked"] = marked
    app.jinja_env.filters["vn_number"] = vn_number
    app.jinja_env.filters["vn_date"] = vn_date
    app.jinja_env.filters["in_vietnamese"] = in_vietnamese
    app.jinja_env.filters["source_line"] = source_line
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["doc_url"] = doc_url
    app.jinja_env.globals["MAX_PAGE"] = MAX_PAGE


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


def as_spreadsheet_text(value: str) -> str:
    """``value`` as a spreadsheet shows it, never run: a cell starting with = + - @ (or a tab or
    carriage return before one) is a formula to Excel and LibreOffice, so it gets a leading apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def doc_url(p: P.SearchParams, doc_id: str) -> str:
    """A document opened from the search ``p``: the whole search goes along, for the way back."""
    return url_for("search.doc_page", id=doc_id, **p.as_query_args())


def source_line(doc: dict) -> str:
    """Where a report comes from, for people: its source (site or publisher), else its web address's
    host, else the folder it was read from (relative, or only the folder's own name: a server's file
    paths are not shown)."""
    if doc.get("source"):
        return str(doc["source"])
    site = site_of(str(doc.get("url") or ""))
    if site:
        return site
    path = PurePath(str(doc.get("path") or ""))
    folder = path.parent
    if path.is_absolute() or str(folder).startswith(("/", "\\")) or ":" in str(folder)[:3]:
        return folder.name
    return "" if str(folder) == "." else folder.as_posix()
