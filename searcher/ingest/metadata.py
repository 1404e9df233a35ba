"""Title, publication date and byline of an article, read from its text.

A date is taken only from evidence of publication: a date line, i.e. a line that holds a date and
nothing else a reader would call text (``(Cập nhật lúc: 27/09/2019 09:13:55 )``, ``17:25 - Thứ Sáu,
14/10/2022 Lượt xem: 5317``), just below the headline or at the end of the article. A date or a year
the text mentions ("đến năm 2035", "Chiều 21-6") says when something happened, not when the report
appeared, and a portal's own date above the headline is the day the page was saved: neither is used.
Unknown means no date.

A title is a headline: where the first line runs into the lead paragraph (old portal exports have no
title field), it is cut where the headline ends (see :func:`headline`).
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

from .clean import is_boilerplate

TITLE_MAX_CHARS = 200
HEADLINE_MAX_WORDS = 25  # a headline is seldom longer; a longer first line runs into the lead
HEADLINE_RUN_ON_WORDS = 20  # first lines longer than this are checked for the lead's start
_DASHES = "\\-\u2010-\u2015\u2212"
_DMY = re.compile(rf"\b(\d{{1,2}})[/.{_DASHES}](\d{{1,2}})[/.{_DASHES}]((?:19|20)\d{{2}})\b")
_DMY_WORDS = re.compile(r"\bngày (\d{1,2}) tháng (\d{1,2}) năm ((?:19|20)\d{2})\b", re.I)
_ISO = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
# what a date line may hold besides its date: times, weekdays, "updated", view counters, separators
_DATE_LINE_WORDS = re.compile(
    r"\d{1,2}[:h]\d{2}(?::\d{2})?(?:\s*(?:am|pm|sa|ch))?|\bgmt\s*[+-]?\s*\d*|\butc\b"
    r"|\bthứ\s+(?:hai|ba|tư|năm|sáu|bảy|bẩy|\d)|\bchủ\s+nhật|\bcập\s+nhật(?:\s+lúc)?|\bngày\s+đăng"
    r"|\bđăng\s+(?:lúc|ngày)|\bxuất\s+bản|\bngày\b|\blúc\b|\bgiờ\b|\blượt\s+xem|\bin\s+bài(?:\s+viết)?"
    r"|\bsáng|\bchiều|\btối|\bphát\s+hành|\bthời\s+gian|\d+",
    re.I,
)
_BYLINE_PREFIX = re.compile(
    r"^(?:(?:tin và ảnh|bài và ảnh|tin, ảnh|bài, ảnh|tin|bài|ảnh|theo|nguồn)\s*:\s*)", re.I
)
_MARKUP = re.compile(r"<[^<>]{0,500}>")
_AGENCY_MARK = re.compile(r"\s\((?:[A-ZĐ][\w.]{0,10}|Dân trí|Chinhphu\.vn)\)\s*[-–—]")
# the label of a legal text's part ("Điều 6.", "Chương II:"): the words after it are its heading's name
_PART_LABEL = re.compile(r"\b(?:Điều|Chương|Mục|Phần)\s+(?:\d+[a-zđ]?|[IVXLC]+)\s*[.:]\s")


def meaningful_lines(text: str) -> list[str]:
    return list(_lines(text))


def _lines(text: str):
    """The non-blank lines of ``text``, blanks collapsed, one at a time (titles and dates are read
    from the first few: a long text's other lines need no work)."""
    for line in text.split("\n"):
        if line.strip():
            yield " ".join(line.split())


def strip_markup(line: str) -> str:
    """``line`` without HTML tags and entities (a title copied from a page's source)."""
    if "<" in line or "&" in line:
        line = html_lib.unescape(_MARKUP.sub(" ", line))
    return " ".join(line.split())


def extract_title(text: str) -> str:
    """The headline: the first line that is not portal furniture and has some letters, cut where it
    runs into the lead."""
    for line in _lines(text):
        line = strip_markup(line)
        if is_boilerplate(line) or sum(ch.isalpha() for ch in line) < 3:
            continue
        return headline(line, text)
    return ""


def headline(line: str, text: str = "") -> str:
    """``line`` up to where its headline ends, when it runs into the lead paragraph.

    A first line of more than :data:`HEADLINE_RUN_ON_WORDS` words is cut before the first of: a news
    agency's dateline mark (``(NLĐ)-``), a word after a sentence's end, or a capitalised word that
    ``text`` otherwise writes in lower case (a common word opening the lead: "... ở 2 cánh Với phong
    độ ..."; names and titles are written capitalised throughout). Failing those, the line is cut at
    :data:`HEADLINE_MAX_WORDS` words. Markup never stays in a title.
    """
    line = strip_markup(line)
    mark = _AGENCY_MARK.search(line)
    if mark and len(line[: mark.start()].split()) >= 3:
        line = line[: mark.start()].rstrip(" -–—:,")
    words = line.split()
    if len(words) <= HEADLINE_RUN_ON_WORDS:
        return line
    text = text or line
    # a part's heading ("Luật Dầu khí - Điều 6. Nguyên tắc ...") is not a lead: cut only after its first word
    label = _PART_LABEL.search(" ".join(words[:10]) + " ")
    first = len(line[: label.end()].split()) + 1 if label else 3
    for i in range(max(3, first), min(len(words), HEADLINE_MAX_WORDS + 1)):
        before, word = words[i - 1], words[i]
        ended = before.endswith((".", "!", "?", "…")) and word[:1].isupper()
        if ended and not re.fullmatch(r"(?:[A-ZĐ]\.)+|\w{1,3}\.", before):
            return " ".join(words[:i]).rstrip(".")
        if not before.endswith(":") and _opens_sentence(word, text):
            if _ITEM_NUMBER.fullmatch(before) and i - 1 >= 3:
                i -= 1  # "... nổi bật 3. Cựu lãnh đạo ...": the number opens the next item (a caption)
            return " ".join(words[:i]).rstrip(" ,:;-–—")
    if len(words) <= HEADLINE_MAX_WORDS:
        return line
    cut = " ".join(words[:HEADLINE_MAX_WORDS])
    if len(cut) > TITLE_MAX_CHARS:
        cut = cut[: cut.rfind(" ", 0, TITLE_MAX_CHARS)]
    return cut.rstrip(" ,:;-–—") + " …"


_WORD = re.compile(r"[^\W\d_]+")
_ITEM_NUMBER = re.compile(r"\d{1,2}[.)]")
# words that open a lead paragraph ("... cánh Theo Sở GD-ĐT ...") and are never part of a name
_OPENERS = frozenset(
    "Theo Ngày Sáng Chiều Trưa Tối Đêm Hôm Trong Tại Sau Trước Với Khi Đó Đây Các Những Nhiều Mỗi Vào "
    "Từ Ngay Hiện Vừa Nhằm Để Nhưng Tuy Dù Mặc Nếu Vì Do Bởi Cùng".split()
)


def _opens_sentence(word: str, text: str) -> bool:
    """A capitalised common word (the lead's first word), not a name, title or abbreviation: ``text``
    writes it in lower case more than twice as often as capitalised inside a sentence."""
    bare = word.strip("\"'“”‘’«»()[]")
    if not bare[:1].isupper() or not bare[1:].islower() or not bare.isalpha():
        return False
    if bare in _OPENERS:
        return True
    head = text[:20000]
    lower = len(re.findall(rf"(?<!\w){re.escape(bare.lower())}(?!\w)", head))
    if not lower:
        return False
    # capitalised after a word (not after a sentence's end, a line start or a quote)
    capitalised = len(re.findall(rf"(?:(?<=[^\W\d_] )|(?<=[^\W\d_][,;] )){re.escape(bare)}(?!\w)", head))
    return lower > 2 * capitalised


# words that make a dated line about something else: a birth, a deadline, a period
_OTHER_EVENT = re.compile(r"\b(?:sinh|mất|qua đời|hạn|trước|sau|từ|đến|tới|khai mạc|diễn ra|kỷ niệm)\b", re.I)
# what makes a line at the end of an article its date line rather than a dated link or a signature
_PUBLISHED_HINT = re.compile(r"cập nhật|đăng|xuất bản|\d{1,2}[:h]\d{2}", re.I)


_HAS_DATE = re.compile(
    r"\d{1,2}[/.\-\u2010-\u2015]\d{1,2}[/.\-\u2010-\u2015](?:19|20)\d\d|(?:19|20)\d\d-\d\d-\d\d|tháng"
)


def _date_line_date(line: str, at_end: bool = False) -> str | None:
    """The date of ``line`` when it is a date line: a date, with nothing but times, weekdays, update
    notes, counters and at most two other words around it. A related article's link
    ("Bão lũ làm thiệt hại 3.500 tỷ đồng(03/10/2005)") and a date of something else ("Ngày sinh:
    20/10/1951") are no date lines; at the article's end a date line must also say it is one (an
    update note, a time of day)."""
    if (
        len(line) > 120
        or _OTHER_EVENT.search(line)
        or re.search(r"\w\(\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\)", line)
    ):
        return None
    if at_end and not _PUBLISHED_HINT.search(line):
        return None
    date = _first_date(line)
    if not date:
        return None
    rest = _DATE_LINE_WORDS.sub(" ", _DMY_WORDS.sub(" ", _DMY.sub(" ", _ISO.sub(" ", line))))
    return date if len(_WORD.findall(rest)) <= 2 else None


def extract_date(text: str) -> str | None:
    """ISO date of publication from a date line of ``text`` (just below the headline, or among the
    article's last lines), or None: see the module's notes."""
    lines: list[str] = []
    title_index = -1
    for line in _lines(text):  # up to the headline: the first line that is not portal furniture
        lines.append(line)
        if title_index < 0 and not is_boilerplate(line) and sum(ch.isalpha() for ch in line) >= 3:
            title_index = len(lines) - 1
        if title_index >= 0 and len(lines) >= title_index + 7:
            break
    for line in lines[title_index + 1 : title_index + 7]:  # above the headline: the portal's "today"
        date = _date_line_date(line)
        if date:
            return date
    tail = [line for line in _lines(text[-600:]) if _HAS_DATE.search(line)]  # most articles: none
    tail = [line for line in meaningful_lines(text[-2000:]) if not is_boilerplate(line)][-3:] if tail else []
    for line in reversed(tail):
        date = _date_line_date(line, at_end=True)
        if date:
            return date
    return None


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
        date = dt.date(year, month, day)
    except ValueError:
        return None
    # a publication date lies between the country's first decrees and tomorrow
    return date.isoformat() if dt.date(1945, 1, 1) <= date <= dt.date.today() + dt.timedelta(days=1) else None


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
        for line_after in lines[i + 1 : i + 5]:
            letters = sum(ch.isalpha() or ch.isspace() for ch in line_after)
            following = line_after.lstrip("\"'_-–—.,:;“” ")  # OCR reads specks as leading punctuation
            if (
                not following
                or _SUBJECT_END.match(following)
                or letters < 0.7 * len(line_after)
                or following.endswith((".", ";"))
                or _NATIONAL.search(following)
                or len(" ".join(parts)) + len(following) > 400
                # a subject written in lower case ends at a line in capitals: a stamp ("CỔNG THÔNG TIN
                # ĐIỆN TỬ CHÍNH PHỦ ... ĐẾN"), the signer's office
                or (len(parts) > 1 and following.isupper() and not parts[-1].isupper())
            ):
                break
            parts.append(following)
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
