"""The site an address belongs to, as sources and publishers are named after it."""

from __future__ import annotations

from urllib.parse import urlsplit


def site_of(url: str | None) -> str | None:
    """The host of an absolute address, without "www." ("vnexpress.net"); None when it has none or is
    malformed (an address from a saved page or a record is the source's, not checked)."""
    if not url or "://" not in url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:  # "http://[bad": an unclosed IPv6 bracket, a port that is no number
        return None
    return host.removeprefix("www.") if host else None
