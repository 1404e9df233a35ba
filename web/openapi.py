"""The OpenAPI 3 description of the JSON API, served at /openapi.json and checked by the tests
against what the app really answers (tests/test_openapi.py)."""

from __future__ import annotations

from searcher import __version__
from searcher.search.limits import MAX_PAGE, SORTS

from .params import DATE_PATTERN, DOC_ID_PATTERN, MAX_PLACE_CHARS, MAX_SUGGEST_CHARS


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema_name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}


ERRORS = {
    "400": _json("Error", "A parameter the API cannot use; `error` says which and why"),
    "503": _json(
        "Error",
        "No index has been built yet (`index_missing`), the index is damaged (`index_damaged`), or the"
        " server is busy with expensive searches (`busy`, with a `Retry-After` header)",
    ),
}

_STRING_OR_NULL = {"type": "string", "nullable": True}
_PAIRS = {
    "type": "array",
    "items": {
        "type": "array",
        "items": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "minItems": 2,
        "maxItems": 2,
    },
}


def openapi_spec(max_query_chars: int, max_limit: int) -> dict:
    query = {
        "name": "q",
        "in": "query",
        "description": "The query, with or without diacritics",
        "schema": {"type": "string", "maxLength": max_query_chars},
    }
    date = {"type": "string", "pattern": DATE_PATTERN}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Vietnamese report search",
            "version": __version__,
            "description": "Full-text search over Vietnamese reports; every HTML page has this JSON twin.",
        },
        "paths": {
            "/search.json": {
                "get": {
                    "summary": "Ranked results with highlighted snippets (the object of `search query --json`)",
                    "parameters": [
                        {**query, "required": True},
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": max_limit},
                        },
                        {
                            "name": "sort",
                            "in": "query",
                            "schema": {"type": "string", "enum": [*SORTS, ""]},
                        },
                        {"name": "from", "in": "query", "schema": date},
                        {
                            "name": "to",
                            "in": "query",
                            "schema": date,
                            "description": "Inclusive; a range ending before `from` is refused (reversed_range)",
                        },
                        {
                            "name": "place",
                            "in": "query",
                            "schema": {"type": "string", "maxLength": MAX_PLACE_CHARS},
                        },
                        {
                            "name": "as_typed",
                            "in": "query",
                            "description": "1: search the query as typed, never its sure correction",
                            "schema": {"type": "string", "enum": ["0", "1", ""]},
                        },
                    ],
                    "responses": {"200": _json("SearchResult", "One page of results"), **ERRORS},
                }
            },
            "/doc.json": {
                "get": {
                    "summary": "One stored document, the query's words marked in `text_html`, and related reports",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "pattern": DOC_ID_PATTERN},
                        },
                        query,
                    ],
                    "responses": {
                        "200": _json("Document", "The document"),
                        "404": _json("Error", "No document has this id"),
                        **ERRORS,
                    },
                }
            },
            "/suggest.json": {
                "get": {
                    "summary": "Completions of what is being typed, most frequent first",
                    "parameters": [{**query, "schema": {"type": "string", "maxLength": MAX_SUGGEST_CHARS}}],
                    "responses": {"200": _json("Suggestions", "Up to 8 phrases"), **ERRORS},
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Whether an index is being served, and its size",
                    "responses": {"200": _json("Health", "Serving"), "503": ERRORS["503"]},
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["ok", "error", "status"],
                    "properties": {
                        "ok": {"type": "boolean", "enum": [False]},
                        "error": {"type": "string", "description": "In English"},
                        "code": {
                            "type": "string",
                            "description": "What was wrong, stable (bad_date, reversed_range, missing ...)",
                        },
                        "status": {"type": "integer"},
                    },
                },
                "Hit": {
                    "type": "object",
                    "required": ["id", "title", "path", "date", "score", "snippet", "places"],
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "path": {"type": "string"},
                        "date": _STRING_OR_NULL,
                        "score": {"type": "number"},
                        "snippet": {"type": "string", "description": "Escaped text; only <mark> tags"},
                        "places": {"type": "array", "items": {"type": "string"}},
                        "author": _STRING_OR_NULL,
                        "date_source": _STRING_OR_NULL,
                        "source": _STRING_OR_NULL,
                        "url": _STRING_OR_NULL,
                        "places_mentioned": {"type": "array", "items": {"type": "string"}},
                        "duplicates": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["id", "title"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "title": {"type": "string"},
                                    "source": _STRING_OR_NULL,
                                },
                            },
                            "description": "The other copies of this story",
                        },
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "required": [
                        "ok",
                        "query",
                        "total",
                        "page",
                        "limit",
                        "took_ms",
                        "hits",
                        "notes",
                        "note_codes",
                    ],
                    "properties": {
                        "ok": {"type": "boolean", "enum": [True]},
                        "query": {"type": "string"},
                        "total": {"type": "integer", "minimum": 0},
                        "page": {"type": "integer"},
                        "limit": {"type": "integer"},
                        "took_ms": {"type": "number"},
                        "hits": {"type": "array", "items": _ref("Hit")},
                        "notes": {"type": "array", "items": {"type": "string"}, "description": "In English"},
                        "note_codes": {
                            "type": "array",
                            "description": "The same notes as codes with their arguments, to word in any language",
                            "items": {
                                "type": "object",
                                "required": ["code", "args"],
                                "properties": {
                                    "code": {
                                        "type": "string",
                                        "description": "One of searcher.search.notes.CODES",
                                    },
                                    "args": {"type": "object"},
                                },
                            },
                        },
                        "facets": {"type": "object", "properties": {"places": _PAIRS, "years": _PAIRS}},
                        "interpreted_as": _STRING_OR_NULL,
                        "did_you_mean": _STRING_OR_NULL,
                        "timeline": {
                            "type": "object",
                            "nullable": True,
                            "description": "Matches per year (per month within a year), oldest first",
                            "properties": {
                                "unit": {"type": "string", "enum": ["year", "month"]},
                                "bars": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["period", "count"],
                                        "properties": {
                                            "period": {"type": "string"},
                                            "count": {"type": "integer", "minimum": 0},
                                        },
                                    },
                                },
                                "earlier": {"type": "integer", "minimum": 0},
                            },
                        },
                        "corrected_from": {
                            **_STRING_OR_NULL,
                            "description": "What was typed, when `query` is its sure correction",
                        },
                    },
                },
                "Document": {
                    "type": "object",
                    "required": ["ok", "id", "title", "text", "related"],
                    "properties": {
                        "ok": {"type": "boolean", "enum": [True]},
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "date": _STRING_OR_NULL,
                        "date_source": _STRING_OR_NULL,
                        "path": {"type": "string"},
                        "places": {"type": "array", "items": {"type": "string"}},
                        "places_mentioned": {"type": "array", "items": {"type": "string"}},
                        "author": _STRING_OR_NULL,
                        "url": _STRING_OR_NULL,
                        "source": _STRING_OR_NULL,
                        "modified": _STRING_OR_NULL,
                        "text": {"type": "string"},
                        "text_html": {"type": "string"},
                        "query": {"type": "string"},
                        "related": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["id", "title"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "title": {"type": "string"},
                                    "date": _STRING_OR_NULL,
                                    "places": {"type": "array", "items": {"type": "string"}},
                                    "source": _STRING_OR_NULL,
                                },
                            },
                        },
                    },
                },
                "Suggestions": {
                    "type": "object",
                    "required": ["ok", "query", "suggestions"],
                    "properties": {
                        "ok": {"type": "boolean", "enum": [True]},
                        "query": {"type": "string"},
                        "suggestions": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "Health": {
                    "type": "object",
                    "required": ["ok", "documents"],
                    "properties": {
                        "ok": {"type": "boolean", "enum": [True]},
                        "documents": {"type": "integer", "minimum": 0},
                        "updated": _STRING_OR_NULL,
                        "schema_version": {"type": "integer"},
                    },
                },
            }
        },
    }
