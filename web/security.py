"""Response headers that keep documents' text inert in the browser, and the one HTML filter that lets
the engine's own ``<mark>`` through while escaping everything else."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# No inline script or style anywhere: the page's JavaScript and CSS are files under /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

_MARK_TAG = re.compile(r"(</?mark>)")


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def marked(engine_html: str | None) -> Markup:
    """Engine HTML (escaped text with ``<mark>`` around matches) made safe to insert as is.

    The engine already escapes document text; this checks it again: between the ``<mark>`` tags any
    ``<`` or ``>`` (which escaped text never has) is escaped, so no other tag can reach the page.
    """
    parts = []
    for piece in _MARK_TAG.split(engine_html or ""):
        if piece in ("<mark>", "</mark>"):
            parts.append(Markup(piece))
        elif "<" in piece or ">" in piece:
            parts.append(escape(piece))
        else:
            parts.append(Markup(piece))
    return Markup("").join(parts)
