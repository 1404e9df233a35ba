"""The engine's notes in the page's language: each note code's Vietnamese wording.

A note is a code and its arguments (:class:`searcher.search.notes.Note`, or its JSON form
``{"code": ..., "args": {...}}``); the arguments fill the wording as they fill the English one. A code
without a wording here is shown in English, so a new note is never lost, only untranslated.
"""

from __future__ import annotations

from searcher.search.notes import Note, in_english, shown_args

_VIETNAMESE = {
    "cut_short": (
        "Tìm kiếm vượt quá {seconds:g} giây nên đã dừng sớm: đây là những kết quả tốt nhất tìm được trong thời gian đó."
    ),
    "corrected": "Không có kết quả cho «{typed}»: đang hiển thị kết quả cho «{corrected}».",
    "leading_wildcard": "Không hỗ trợ ký tự đại diện ở đầu từ: đã tìm «{words}».",
    "prefix_capped": "«{prefix}*» khớp với {count} từ: dùng {used} từ thường gặp nhất.",
    "prefixes_cut_short": (
        "Các tiền tố trong câu tìm kiếm khớp với hơn {words} từ: câu tìm kiếm đã bị cắt ngắn, "
        "bỏ qua các tiền tố sau đó."
    ),
    "query_truncated": "Câu tìm kiếm quá dài nên chỉ dùng {chars} ký tự đầu.",
    "syntax_fallback": "Không hiểu được cú pháp của câu tìm kiếm: chỉ tìm theo các từ.",
    "only_exclusions": "Câu tìm kiếm chỉ loại trừ từ: hãy thêm ít nhất một từ cần tìm.",
    "no_words": "Câu tìm kiếm không có từ nào để tìm.",
    "any_form": "Không có tài liệu nào chứa các từ có dấu đúng như đã gõ: đang hiển thị mọi cách viết.",
    "look_alikes": (
        "Không có tài liệu nào chứa «{words}» đúng dấu như đã gõ: kết quả có thể chứa từ cùng chữ nhưng khác dấu."
    ),
}


def in_vietnamese(note: Note | dict) -> str:
    if isinstance(note, dict):  # a result's JSON form, as the page gets it
        note = Note(note["code"], note.get("args") or {})
    text = _VIETNAMESE.get(note.code)
    return text.format(**shown_args(note)) if text is not None else in_english(note)
