"""Result type and error shared by every extractor."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


class ExtractError(Exception):
    """A file that yields no indexable text; ``reason`` says why, in words fit for a skip log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Extracted:
    text: str
    title: str | None = None
    date: str | None = None
    author: str | None = None
    url: str | None = None
    encoding: str | None = None
    site: str | None = None  # the publisher: a page's host ("vnexpress.net") or og:site_name


# A national heading, a file name or a web address stored as "title" by a template is no headline.
_NOT_TITLE = re.compile(
    r"https?://|www\.|\.(?:docx?|pdf|rtf|dot|html?)\b|^(?:microsoft word|untitled|document|title)\b"
    r"|cộng ho[àa] xã hội chủ nghĩa|^slide \d",
    re.IGNORECASE,
)


def meaningful_title(title: str | None) -> bool:
    """False for empty, symbol-only or template titles (file names, URLs, the national heading)."""
    title = unicodedata.normalize("NFC", title or "")
    if len(title.strip()) < 4 or not re.search(r"[^\W\d_]{2}", title):
        return False
    return _NOT_TITLE.search(title.strip()) is None
