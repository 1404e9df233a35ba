"""Saved web pages: the article, not the portal around it (trafilatura), with headline, date and byline.

trafilatura finds the main content and reads the page's metadata (``og:title``, ``article:published_time``
...). Before it runs, the parts of the page that are never the article are pruned: footers, tag and
keyword boxes, related-article and share blocks, and lists made only of links (teasers, menus). News
portals put such lists *inside* the article's container, where a content extractor keeps them.

A homepage or a section front is not an article: it is skipped with :data:`LIST_PAGE_REASON` rather than
indexed as a jumble of teasers. It is recognised by its address (the site's root) or, when the page has
no address, by many headline links around little article text.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlparse

from .base import Extracted, ExtractError, meaningful_title
from .text import decode_text_bytes

LIST_PAGE_REASON = "homepage or list page: no single article"

# class/id words of page parts that are never article text
_FURNITURE_WORDS = frozenset(
    """
    footer related relate relation tag tags keyword keywords key tinlienquan lienquan tinkhac share social
    comment comments breadcrumb breadcrumbs menu nav navbar banner ads advertisement advert
    subscribe newsletter
""".split()
)
_WORD_SPLIT = re.compile(r"[\s_\-]+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
_HEADLINE_LINK_CHARS = 30  # a link this long is a headline (a teaser), not a menu item
_LIST_PAGE_LINKS = 50
_LIST_PAGE_TEXT = 1500
_AUTHOR_SITE = re.compile(r"\b(?:com|vn|net|online|news|báo|bao)\b|\.", re.I)


def decode_html(data: bytes) -> str:
    """Decode a page: byte-order mark, else the charset the page declares, else the text decoder's guess."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text_bytes(data)[0]
    match = _CHARSET.search(data[:4096])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return decode_text_bytes(data)[0]


def _is_furniture(element) -> bool:
    if element.tag in ("footer", "nav", "aside"):
        return True
    if element.tag in ("html", "body", "article", "main"):
        return False
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return any(word in _FURNITURE_WORDS for word in _WORD_SPLIT.split(names))


def _is_link_list(element) -> bool:
    """A list of three or more items, each nothing but one link: teasers, menus, tag lists."""
    if element.tag not in ("ul", "ol"):
        return False
    items = [li for li in element if li.tag == "li"]
    if len(items) < 3:
        return False
    for item in items:
        text = " ".join(item.text_content().split())
        links = " ".join(" ".join(a.text_content().split()) for a in item.iter("a")).strip()
        links = " ".join(links.split())
        if not text or text != links:
            return False
    return True


def _prune(tree) -> None:
    doomed = [
        el for el in tree.iter() if isinstance(el.tag, str) and (_is_furniture(el) or _is_link_list(el))
    ]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _headline_links(tree) -> int:
    return sum(1 for a in tree.iter("a") if len(" ".join(a.text_content().split())) > _HEADLINE_LINK_CHARS)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text.lower()))


def _headline(tree, meta_title: str | None) -> str | None:
    """The page's <h1> when it is the story's headline (it shares most words with the page title);
    otherwise the page title without the site name appended to it."""
    title_words = _words(meta_title or "")
    for h1 in tree.iter("h1"):
        text = " ".join(h1.text_content().split())
        words = _words(text)
        if len(text) >= 10 and title_words and len(words & title_words) >= 0.6 * len(words):
            return text
    if not meta_title:
        return None
    # "Headline - Section - Site" / "Headline | Site": keep the first part when it is long enough
    head = re.split(r"\s+[-|–]\s+(?=[^-|–]*$)", meta_title.strip())[0]
    while head != meta_title and len(head) > 20 and re.search(r"\s[-|–]\s", head):
        head, meta_title = re.split(r"\s+[-|–]\s+(?=[^-|–]*$)", head)[0], head
    return head


def _author(raw: str | None, site: str) -> str | None:
    """People named in the byline; portal names that page metadata lists as authors are left out."""
    from unidecode import unidecode

    people = []
    for part in (raw or "").split(";"):
        name = re.sub(r"^(?:theo|tin|bài|ảnh)\s*:?\s+", "", part.strip(), flags=re.I)
        squeezed = re.sub(r"\W", "", unidecode(name).lower())
        if (
            not name
            or _AUTHOR_SITE.search(name)
            or (site and squeezed and (squeezed in site or site in squeezed))
        ):
            continue
        people.append(name)
    return "; ".join(people) or None


def _site_key(metadata) -> str:
    """The site's name as letters only ("dantri", "tuoitre"), to tell the portal from a person."""
    host = (metadata.hostname or "") if metadata else ""
    host = re.sub(r"^www\.", "", host).split(".")[0]
    return re.sub(r"\W", "", host.lower())


def _is_front_page(url: str | None, tree, text: str) -> bool:
    if url:
        path = urlparse(url).path
        if path in ("", "/") or re.fullmatch(r"/(index|default|home)\.\w+", path or ""):
            return True
    return _headline_links(tree) >= _LIST_PAGE_LINKS and len(text) < _LIST_PAGE_TEXT


def extract_html(data: bytes) -> Extracted:
    """The article of a saved page; raises ExtractError for pages with no single article."""
    import lxml.html
    import trafilatura

    markup = decode_html(data)
    try:
        tree = lxml.html.document_fromstring(markup)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ExtractError(f"unreadable HTML: {exc}") from None
    metadata = trafilatura.extract_metadata(tree)
    url = metadata.url if metadata else None
    meta_title = metadata.title if metadata else None
    _prune(tree)
    result = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        date_extraction_params={"original_date": True, "extensive_search": True},
    )
    assert not isinstance(result, dict)  # (a dict only when asked for with as_dict)
    text = (result.text if result is not None else "") or ""
    if _is_front_page(url, lxml.html.document_fromstring(markup), text):
        raise ExtractError(LIST_PAGE_REASON)
    if not text.strip():
        raise ExtractError("no article text found in the page")
    title = _headline(tree, meta_title or (result.title if result is not None else None))
    title = html_lib.unescape(title) if title else None
    return Extracted(
        text=html_lib.unescape(text),
        title=title if meaningful_title(title) else None,
        date=(result.date or None) if result is not None else None,
        author=_author(result.author if result is not None else None, _site_key(metadata)),
        url=url,
    )
