"""Removing what a web portal wraps around an article: navigation, counters, widgets, footers.

Rules work on whole lines (a saved page keeps the portal's furniture on lines of its own) and are
patterns, not the seed sentences: each one names a kind of furniture. A line of the article that
merely mentions such words ("... tổ chức bình luận ...") is longer than the widget and stays.
"""

from __future__ import annotations

import re

# A visit counter's label ("Số lượt truy cập", "Hôm nay"), its number after it on the line or on the
# next one ("881707"); a number alone on a line is otherwise the text's (a table's cell, a list's rank)
_COUNTER_WORDS = (
    r"thống kê truy cập|(?:tổng )?(?:số )?lượt (?:truy cập|xem)|trực tuyến|hôm nay|đang online"
    r"|khách (?:trực tuyến|online)"
)
_COUNTER_LABEL = re.compile(rf"^(?:{_COUNTER_WORDS})\s*:?$", re.I)
_NUMBER = re.compile(r"^\d[\d.,]*$")
# One pattern per kind of portal furniture; each must match the WHOLE stripped line.
_BOILERPLATE = [
    r"skip ribbon commands|skip to main content|back to top|sign in|sign out|log ?in",  # SharePoint etc.
    r"đăng nhập|đăng ký|đăng xuất|bình luận|tin khác|tin liên quan|đọc thêm|xem thêm|chia sẻ|in bài viết",
    r"(cổng|trang) (thông tin|tin tức)( điện tử)?\b.{0,80}",  # the portal's name as a header line
    r".{0,80}kính chào quý khách!?.*",  # greeting banner, often followed by the menu
    r"chào mừng (bạn|quý khách|quý vị) đến với .{0,100}",
    r"trang chủ( [|>»/]? ?\S+){0,8}|góp ý|sơ đồ trang|liên hệ",  # menus and breadcrumbs
    rf"(?:{_COUNTER_WORDS})(?: ?:? ?\d[\d.,]*| ?:)?|\d[\d.,]* lượt xem",  # visit counters
    r"•? ?đánh giá cho bài viết:?|•? ?\d+ điểm \( ?\d+ đánh giá ?\)|\d+ đánh giá",  # rating widget
    r"\(?cập nhật( lúc)?:? ?[\d/:\- ]+\)?",  # "(Cập nhật lúc: 27/09/2019 09:13:55 )"
    # a date/time/viewcount header: "17:25 - Thứ Sáu, 14/10/2022 Lượt xem: 5317 In bài viết"
    r"(\d{1,2}:\d{2}(:\d{2})? ?-? ?)?(thứ (hai|ba|tư|năm|sáu|bảy)|chủ nhật),? \d{1,2}/\d{1,2}/\d{4}"
    r"( \d{1,2}:\d{2}(:\d{2})?)?( ?(lượt xem:? ?)?\d[\d.,]*( lượt xem)?)?( in bài viết)?",
]
_BOILERPLATE_LINE = re.compile(r"^(?:" + "|".join(f"(?:{p})" for p in _BOILERPLATE) + r")$", re.I)


def is_boilerplate(line: str) -> bool:
    """True if the stripped ``line`` is portal furniture rather than article text."""
    line = " ".join(line.split())
    return bool(line) and _BOILERPLATE_LINE.match(line) is not None


def remove_boilerplate(text: str) -> str:
    """``text`` without portal furniture lines and without a line repeated right after itself
    (photo captions saved twice); blank-line structure is kept, runs of blank lines collapsed."""
    out: list[str] = []
    previous = None  # the last line kept
    label = False  # the last line read was a visit counter's label
    for line in text.split("\n"):
        stripped = " ".join(line.split())
        counted = label and _NUMBER.match(stripped) is not None
        if stripped:
            label = _COUNTER_LABEL.match(stripped) is not None
        if stripped and (is_boilerplate(stripped) or stripped == previous or counted):
            continue
        if not stripped and out and not out[-1].strip():
            continue
        out.append(line.rstrip())
        if stripped:
            previous = stripped
    return "\n".join(out).strip("\n")
