"""Saved web pages: the article, not the portal around it (trafilatura), with headline, date and byline.

trafilatura finds the main content and reads the page's metadata (``og:title``, ``article:published_time``
...). Before it runs, the parts of the page that are never the article are pruned: footers, tag and
keyword boxes, related-article and share blocks, and lists made only of links (teasers, menus). News
portals put such lists *inside* the article's container, where a content extractor keeps them.

The lead paragraph (``<h2 class="sapo">``, ``<p class="description">``, the element holding the page's
``og:description``) and photo captions (``<figcaption>``) are kept once each: a content extractor drops
them as headings and figure furniture. The publication date comes from the page's metadata only
(``article:published_time``, JSON-LD ``datePublished``, ``itemprop="datePublished"``, the byline's time),
never from dates the article mentions.

A homepage or a section front is not an article: it is skipped with :data:`LIST_PAGE_REASON` rather than
indexed as a jumble of teasers. It is recognised by its address (the site's root) or, when the page has
no address, by many headline links around little article text.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from urllib.parse import urlparse

from ..sites import site_of
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


_LEAD_CLASS = re.compile(r"sapo|\bdescription\b|\blead\b|chapeau|txt-head|summary", re.I)
_CAPTION_CLASS = re.compile(r"caption|desc_?img|image[-_]desc|photo[-_]?desc", re.I)
_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "article.published",
    "publish-date",
)
_ISO_DATE = re.compile(r"((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})")
_BYLINE_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d{2})\b")


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _published(tree) -> str | None:
    """The page's publication date from its metadata (ISO), or None."""
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or ""):
            continue
        found = _json_date(script.text_content())
        if found:
            return found
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _PUBLISHED_META:
            found = _iso(meta.get("content"))
            if found:
                return found
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if (element.get("itemprop") or "").lower() == "datepublished" or element.tag == "time":
            found = _iso(element.get("datetime") or element.get("content")) or _iso(element.text_content())
            if found:
                return found
    # a byline's time: "<span class="post-time"> - 07/03/2026 08:47</span>"
    for element in tree.iter("span", "div", "p"):
        names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        if re.search(r"date|time|publish", names) and len(element) == 0:
            text = _squeeze(element.text_content())
            match = _BYLINE_DATE.search(text)
            if match and len(text) <= 60:
                return _iso(f"{match.group(3)}-{match.group(2)}-{match.group(1)}")
    return None


def _json_date(raw: str) -> str | None:
    try:
        data = json.loads(raw)
    except ValueError:
        match = re.search(r'"datePublished"\s*:\s*"([^"]+)"', raw)
        return _iso(match.group(1)) if match else None
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("datePublished"):
                return _iso(str(item["datePublished"]))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _iso(value: str | None) -> str | None:
    match = _ISO_DATE.search(html_lib.unescape(value or ""))
    if not match:
        return None
    year, month, day = (int(x) for x in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _site(tree, url: str | None) -> str | None:
    """The publisher: the host of the page's canonical address, else its og:site_name."""
    site = site_of(url)
    if site:
        return site
    name = _meta(tree, "og:site_name")
    return _squeeze(name) if name else None


def _meta(tree, key: str) -> str | None:
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == key and meta.get("content"):
            return meta.get("content").strip()
    return None


def _page_url(tree) -> str | None:
    """The page's own address: its canonical link, else og:url."""
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and "://" in (link.get("href") or ""):
            return link.get("href").strip()
    found = _meta(tree, "og:url")
    return found if found and "://" in found else None


# An article address that carries its publication time: ".../20221224083224103.htm", "/2015/03/23/"
_URL_DATE = re.compile(r"[-/]((?:19|20)\d{2})(\d{2})(\d{2})\d{6,}\.\w+$|/((?:19|20)\d{2})/(\d{2})/(\d{2})/")


def _url_date(url: str | None) -> str | None:
    match = _URL_DATE.search(urlparse(url).path if url else "")
    if not match:
        return None
    year, month, day = (g for g in match.groups() if g)
    return _iso(f"{year}-{month}-{day}")


def _lead_element(tree, description: str | None):
    """The element holding the lead paragraph: one classed as such, else the one whose text is the
    page's own description."""
    for element in tree.iter("h2", "p", "div", "h3", "span"):
        names = " ".join(
            element.get(attr) or "" for attr in ("class", "id", "data-role", "data-slot", "itemprop")
        )
        if _LEAD_CLASS.search(names) and "related" not in names.lower():
            text = _squeeze(element.text_content())
            if 40 <= len(text) <= 1500:
                return element
    key = _squeeze(html_lib.unescape(description or ""))[:60]
    if len(key) >= 30:
        for element in tree.iter("h2", "p", "div", "h3"):
            text = _squeeze(element.text_content())
            if text.startswith(key) and len(text) <= 1.5 * len(_squeeze(description or "")) + 20:
                return element
    return None


def _captions(tree) -> list[tuple[str, str]]:
    """(caption, start of the paragraph before it) of every photo caption, in page order:
    ``<figcaption>`` and blocks classed as captions."""
    found: list[tuple[str, str]] = []
    inside: set = set()
    last_paragraph = ""
    for element in tree.iter():
        if not isinstance(element.tag, str) or element in inside:
            continue
        names = f"{element.get('class') or ''}".lower()
        is_caption = element.tag == "figcaption" or (
            element.tag in ("p", "div", "span", "td") and _CAPTION_CLASS.search(names)
        )
        if is_caption:
            inside.update(element.iterdescendants())
            text = _squeeze(element.text_content())
            if len(text) >= 8 and all(text != seen for seen, _ in found):
                found.append((text, last_paragraph))
        elif element.tag == "p":
            text = _squeeze(element.text_content())
            if len(text) >= 30:
                last_paragraph = text[:60]
    return found


def _with_lead_and_captions(text: str, lead: str, captions: list[tuple[str, str]]) -> str:
    """``text`` with the lead paragraph first and each photo caption after the paragraph it follows on
    the page (at the end when that paragraph is not in the text), where the extractor left them out."""
    lines = text.split("\n")
    present = _squeeze(text)
    if lead and lead[:80] not in present:
        lines.insert(0, lead)
        present = lead + " " + present
    for caption, after in captions:
        if caption[:80] in present:
            continue
        hits = [i for i, line in enumerate(lines) if after and _squeeze(line).startswith(after)]
        lines.insert(hits[0] + 1 if hits else len(lines), caption)
        present += " " + caption
    return "\n".join(lines)


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
    url = (metadata.url if metadata else None) or _page_url(tree)
    url = url if site_of(url) else None  # an address that does not parse ("http://[bad/...") is none
    meta_title = metadata.title if metadata else None
    published = _published(tree) or _url_date(url)
    _prune(tree)
    lead = _lead_element(tree, metadata.description if metadata else None)
    lead_text = _squeeze(lead.text_content()) if lead is not None else ""
    captions = _captions(tree)  # read before extraction: trafilatura trims the tree it is given
    result = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
    )
    assert not isinstance(result, dict)  # (a dict only when asked for with as_dict)
    text = (result.text if result is not None else "") or ""
    if _is_front_page(url, lxml.html.document_fromstring(markup), text):
        raise ExtractError(LIST_PAGE_REASON)
    if not text.strip():
        raise ExtractError("no article text found in the page")
    text = _with_lead_and_captions(text, lead_text, captions)
    title = _headline(tree, meta_title or (result.title if result is not None else None))
    title = html_lib.unescape(title) if title else None
    return Extracted(
        text=html_lib.unescape(text),
        title=title if meaningful_title(title) else None,
        date=published,
        author=_author(result.author if result is not None else None, _site_key(metadata)),
        url=url,
        site=_site(tree, url),
    )
