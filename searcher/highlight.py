"""Snippets: the best passages of a document's stored text with the query's words marked.

Matching is on folded syllables, so a query typed without diacritics marks the accented words of the
text (``quoc phong`` marks ``quốc phòng``). The text around the marks is HTML-escaped by Whoosh's
formatter: the only markup in a snippet is ``<mark>``.
"""
from __future__ import annotations

import html
import re

from whoosh.highlight import ContextFragmenter, HtmlFormatter, UppercaseFormatter, highlight

from .analysis import folded_analyzer

SNIPPET_CHARS = 220
SNIPPET_FRAGMENTS = 2
_ANALYZER = folded_analyzer()


def make_snippet(text: str, terms: set[str], html_output: bool = True, maxchars: int = SNIPPET_CHARS,
                 fragments: int = SNIPPET_FRAGMENTS) -> str:
    """Up to ``fragments`` passages of ``text`` around the folded ``terms``, matches marked.

    With ``html_output`` the result is HTML (escaped text, ``<mark>`` tags); otherwise plain text with
    the matches in upper case (for tests and terminals without colour). A document with no match
    gives its opening words.
    """
    if terms:
        # charlimit=None: matches late in long reports are found too
        fragmenter = ContextFragmenter(maxchars=maxchars, surround=maxchars // 4, charlimit=None)
        formatter = (HtmlFormatter(tagname="mark", classname="", termclass="", between=" … ")
                     if html_output else UppercaseFormatter(between=" … "))
        marked = highlight(text, frozenset(terms), _ANALYZER, fragmenter, formatter, top=fragments,
                           mode="index")
        if marked:
            return _tidy(marked)
    opening = text[:maxchars]
    if len(text) > maxchars:
        opening = opening.rsplit(" ", 1)[0] + " …"
    opening = " ".join(opening.split())
    return html.escape(opening, quote=False) if html_output else opening


def mark_all(text: str, terms: set[str]) -> str:
    """The whole ``text`` as HTML with every occurrence of the folded ``terms`` marked."""
    spans = [(t.startchar, t.endchar) for t in _ANALYZER(text, chars=True, mode="query")
             if t.text in terms] if terms else []
    out, last = [], 0
    for start, end in spans:
        out.append(html.escape(text[last:start], quote=False))
        out.append(f"<mark>{html.escape(text[start:end], quote=False)}</mark>")
        last = end
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


_MARK_CLASS = re.compile(r'<mark class="[^"<>]*">')


def _tidy(snippet: str) -> str:
    # Whoosh numbers its class attributes per term; plain <mark> is all the page needs. Snippets are
    # shown on one line, so the text's own line breaks become spaces.
    return " ".join(_MARK_CLASS.sub("<mark>", snippet).split())
