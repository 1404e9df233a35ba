"""Title, publication date and byline of an article, read from its text.

Dates are looked for where portals print them: on a header line next to the headline
(``(Cập nhật lúc: 27/09/2019 09:13:55 )``, ``17:25 - Thứ Sáu, 14/10/2022``), else in the lead
(``Chiều 21-6`` with the year from the text). A portal's own header date above the headline is the day
the page was saved, not the day the article appeared, and is used only when nothing else is found.
"""
from __future__ import annotations

import datetime as dt
import re

from .clean import is_boilerplate

TITLE_MAX_CHARS = 200
_DMY = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-]((?:19|20)\d{2})\b")
_DMY_WORDS = re.compile(r"\bngày (\d{1,2}) tháng (\d{1,2}) năm ((?:19|20)\d{2})\b", re.I)
_ISO = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
_DAY_MONTH = re.compile(r"^(?:sáng|trưa|chiều|tối|đêm|ngày|hôm nay|rạng sáng)\s+(?:ngày\s+)?(\d{1,2})[-/](\d{1,2})\b", re.I)
_YEAR_IN_TEXT = re.compile(r"\bnăm ((?:19|20)\d{2})\b")
_DATE_LINE_HINT = re.compile(r"cập nhật|ngày đăng|đăng lúc|thứ (hai|ba|tư|năm|sáu|bảy)|chủ nhật|lượt xem|\d{1,2}:\d{2}", re.I)
_BYLINE_PREFIX = re.compile(r"^(?:(?:tin và ảnh|bài và ảnh|tin, ảnh|bài, ảnh|tin|bài|ảnh|theo|nguồn)\s*:\s*)", re.I)


def meaningful_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def extract_title(text: str) -> str:
    """The headline: the first line that is not portal furniture and has some letters."""
    for line in meaningful_lines(text):
        if is_boilerplate(line) or sum(ch.isalpha() for ch in line) < 3:
            continue
        if len(line) > TITLE_MAX_CHARS:  # a first line that runs into the lead paragraph
            cut = line.rfind(" ", 0, TITLE_MAX_CHARS)
            line = line[: cut if cut > 0 else TITLE_MAX_CHARS] + " …"
        return line
    return ""


def extract_date(text: str) -> str | None:
    """ISO date of publication found in the text, or None."""
    lines = meaningful_lines(text)
    title = extract_title(text)
    title_index = next((i for i, line in enumerate(lines) if line.startswith(title[:40])), 0) if title else 0
    header_date = None
    for i, line in enumerate(lines[: title_index + 6]):
        if len(line) > 120 or not _DATE_LINE_HINT.search(line):
            continue
        date = _first_date(line)
        if date and i < title_index:
            header_date = header_date or date  # the portal's "today": keep looking below the title
        elif date:
            return date
    for line in lines[title_index + 1: title_index + 4]:  # "Chiều 21-6, ..." in the lead
        match = _DAY_MONTH.match(line)
        year = _YEAR_IN_TEXT.search(text)
        if match and year:
            date = _valid(int(year.group(1)), int(match.group(2)), int(match.group(1)))
            if date:
                return date
    return header_date


def _first_date(line: str) -> str | None:
    for pattern, order in ((_DMY, "dmy"), (_DMY_WORDS, "dmy"), (_ISO, "ymd")):
        for m in pattern.finditer(line):
            a, b, c = (int(x) for x in m.groups())
            date = _valid(c, b, a) if order == "dmy" else _valid(a, b, c)
            if date:
                return date
    return None


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def extract_author(text: str) -> str | None:
    """The byline when the article ends with one (``Thu Trang``, ``Tin, ảnh: Đức Hạnh``), else None."""
    lines = [line for line in meaningful_lines(text) if not is_boilerplate(line)]
    if len(lines) < 3:
        return None
    last = lines[-1]
    name = _BYLINE_PREFIX.sub("", last).strip()
    words = name.split()
    if not (1 <= len(words) <= 6) or name.endswith((".", ":", ";", "…", "?", "!")) or len(name) > 60:
        return None
    if not all(w[0].isupper() or w in "-–&," for w in words):
        return None
    return name
