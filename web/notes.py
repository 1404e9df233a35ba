"""The engine's notes (English, as the CLI prints them) in the page's language.

Each pattern matches one kind of note the engine writes; its groups fill the Vietnamese text. A note
no pattern knows is shown as the engine wrote it, so a new note is never lost, only untranslated.
"""

from __future__ import annotations

import re

_VIETNAMESE = [
    (
        r"the search took longer than (\S+) s and was cut short: these are the best matches found in that time",
        "Tìm kiếm vượt quá {0} giây nên đã dừng sớm: đây là những kết quả tốt nhất tìm được trong thời gian đó.",
    ),
    (
        r"no results for «(.*)»: showing results for «(.*)»",
        "Không có kết quả cho «{0}»: đang hiển thị kết quả cho «{1}».",
    ),
    (
        r"no document holds the accented words as typed: showing them in any form",
        "Không có tài liệu nào chứa các từ có dấu đúng như đã gõ: đang hiển thị mọi cách viết.",
    ),
    (
        r"wildcards at the start of a word are not supported: searched for (.*) instead",
        "Không hỗ trợ ký tự đại diện ở đầu từ: đã tìm «{0}».",
    ),
    (
        r"'(.*)\*' matches too many words: the most frequent were used",
        "«{0}*» khớp với quá nhiều từ: chỉ dùng các từ thường gặp nhất.",
    ),
    (
        r"'(.*)\*' matches (\d+) words: the (\d+) most frequent were used",
        "«{0}*» khớp với {1} từ: dùng {2} từ thường gặp nhất.",
    ),
    (r"the query was cut to its first (\d+) characters", "Câu tìm kiếm quá dài nên chỉ dùng {0} ký tự đầu."),
    (
        r"the query syntax could not be understood: searched for the words only",
        "Không hiểu được cú pháp của câu tìm kiếm: chỉ tìm theo các từ.",
    ),
    (
        r"the query only excludes words: add at least one word to search for",
        "Câu tìm kiếm chỉ loại trừ từ: hãy thêm ít nhất một từ cần tìm.",
    ),
    (r"the query has no words to search for", "Câu tìm kiếm không có từ nào để tìm."),
]
_PATTERNS = [(re.compile(pattern + r"$", re.S), text) for pattern, text in _VIETNAMESE]


def in_vietnamese(note: str) -> str:
    for pattern, text in _PATTERNS:
        match = pattern.match(note)
        if match:
            return text.format(*match.groups())
    return note
