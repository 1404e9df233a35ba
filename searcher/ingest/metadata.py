"""Title, publication date and byline of an article, read from its text.

Dates are looked for where portals print them: on a header line next to the headline
(``(Cập nhật lúc: 27/09/2019 09:13:55 )``, ``17:25 - Thứ Sáu, 14/10/2022``), else in the lead
(``Chiều 21-6`` with the year from the text). A portal's own header date above the headline is the day
the page was saved, not the day the article appeared, and is used only when nothing else is found.
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import islice

from .clean import is_boilerplate

TITLE_MAX_CHARS = 200
_DMY = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-]((?:19|20)\d{2})\b")
_DMY_WORDS = re.compile(r"\bngày (\d{1,2}) tháng (\d{1,2}) năm ((?:19|20)\d{2})\b", re.I)
_ISO = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
_DAY_MONTH = re.compile(
    r"^(?:sáng|trưa|chiều|tối|đêm|ngày|hôm nay|rạng sáng)\s+(?:ngày\s+)?(\d{1,2})[-/](\d{1,2})\b", re.I
)
_YEAR_IN_TEXT = re.compile(r"\bnăm ((?:19|20)\d{2})\b")
_DATE_LINE_HINT = re.compile(
    r"cập nhật|ngày đăng|đăng lúc|thứ (hai|ba|tư|năm|sáu|bảy)|chủ nhật|lượt xem|\d{1,2}:\d{2}", re.I
)
_BYLINE_PREFIX = re.compile(
    r"^(?:(?:tin và ảnh|bài và ảnh|tin, ảnh|bài, ảnh|tin|bài|ảnh|theo|nguồn)\s*:\s*)", re.I
)


def meaningful_lines(text: str) -> list[str]:
    return list(_lines(text))


def _lines(text: str):
    """The non-blank lines of ``text``, blanks collapsed, one at a time (titles and dates are read
    from the first few: a long text's other lines need no work)."""
    for line in text.split("\n"):
        if line.strip():
            yield " ".join(line.split())


def extract_title(text: str) -> str:
    """The headline: the first line that is not portal furniture and has some letters."""
    for line in _lines(text):
        if is_boilerplate(line) or sum(ch.isalpha() for ch in line) < 3:
            continue
        if len(line) > TITLE_MAX_CHARS:  # a first line that runs into the lead paragraph
            cut = line.rfind(" ", 0, TITLE_MAX_CHARS)
            line = line[: cut if cut > 0 else TITLE_MAX_CHARS] + " …"
        return line
    return ""


def extract_date(text: str) -> str | None:
    """ISO date of publication found in the text, or None."""
    title = extract_title(text)
    # the lines up to the title's (the first starting as it does) and five more
    lines: list[str] = []
    following = _lines(text)
    title_index = 0
    if title:
        for line in following:
            lines.append(line)
            if line.startswith(title[:40]):
                title_index = len(lines) - 1
                break
    lines.extend(islice(following, max(0, title_index + 6 - len(lines))))
    header_date = None
    for i, line in enumerate(lines[: title_index + 6]):
        if len(line) > 120 or not _DATE_LINE_HINT.search(line):
            continue
        date = _first_date(line)
        if date and i < title_index:
            header_date = header_date or date  # the portal's "today": keep looking below the title
        elif date:
            return date
    for line in lines[title_index + 1 : title_index + 4]:  # "Chiều 21-6, ..." in the lead
        match = _DAY_MONTH.match(line)
        year = _YEAR_IN_TEXT.search(text) if match else None
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


# --- official documents (decisions, decrees, circulars, reports) --------------------------------
# Government documents open with the issuer and the national heading, then the document's type on a
# line of its own ("QUYẾT ĐỊNH", "Nghị định của Chính phủ") followed by its subject ("Về việc ...").
# That type line and subject are the document's title; the "<place>, ngày D tháng M năm Y" line of the
# heading is its date. Scanned copies read by OCR misspell "QUYẾT" as "QUYÉT", hence the loose vowel.
_DOC_TYPE = re.compile(
    r"^(?:quy[eếé]t định|nghị định|thông tư(?: liên tịch)?|chỉ thị|nghị quyết|quy định|quy chế|báo cáo"
    r"|kế hoạch|thông báo|công văn|tờ trình|luật|pháp lệnh|hướng dẫn|chương trình|đề án)\b",
    re.I,
)
_SUBJECT_END = re.compile(
    r"^(?:căn cứ|để |theo đề nghị|thực hiện|xét |điều \d|chương |phần |[ivx]+\.|\d+\.|\(|-{3,}|={3,})"
    r"|^(?:bộ trưởng|thủ tướng|chính phủ|ủy ban nhân dân|uỷ ban nhân dân|chủ tịch|thống đốc|hội đồng)\b"
    r"[^,;]{0,40}$",
    re.I,
)
_OFFICIAL_DATE = re.compile(
    r"\bngày\W{0,6}(\d{1,2})\W{0,6}tháng\W{0,4}(\d{1,2})\W{0,4}năm\W{0,4}((?:19|20)\d{2})\b", re.I
)
_NATIONAL = re.compile(r"cộng ho[àa] xã hội chủ nghĩa", re.I)
_HEADER_LINES = 16


def _header_lines(text: str) -> list[str]:
    # Word tables come out as "|cell |cell |": every cell is a line of the heading
    cells = (cell.strip() for line in meaningful_lines(text) for cell in line.split("|"))
    return [c for c in cells if c][: _HEADER_LINES * 2]


def official_title(text: str) -> str | None:
    """Type and subject of an official document ("Quyết định về việc ..."), or None when the text does
    not open like one."""
    lines = _header_lines(text)
    for i, line in enumerate(lines[:_HEADER_LINES]):
        if not _DOC_TYPE.match(line) or len(line) > 400:
            continue
        parts = [line]
        for following in lines[i + 1 : i + 5]:
            letters = sum(ch.isalpha() or ch.isspace() for ch in following)
            if (
                _SUBJECT_END.match(following)
                or letters < 0.7 * len(following)
                or following.endswith((".", ";"))
                or _NATIONAL.search(following)
                or len(" ".join(parts)) + len(following) > 400
            ):
                break
            parts.append(following.lstrip("\"'_-.,:; "))  # OCR reads specks as leading punctuation
        title = " ".join(" ".join(parts).split()).rstrip(":")
        title = title[0].upper() + title[1:]
        if len(title) > TITLE_MAX_CHARS:
            cut = title.rfind(" ", 0, TITLE_MAX_CHARS)
            title = title[: cut if cut > 0 else TITLE_MAX_CHARS] + " …"
        return title
    return None


def official_date(text: str) -> str | None:
    """ISO date of an official document's heading ("Hà Nội, ngày 31 tháng 3 năm 2003"), or None."""
    for line in _header_lines(text):
        if re.match(r"căn cứ|điều \d", line, re.I):
            break
        match = _OFFICIAL_DATE.search(line)
        if match:
            date = _valid(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            if date:
                return date
    return None
