"""Error answers in the page's language: each error code's Vietnamese wording.

An error has a stable code (``bad_date``, ``not_found`` ...) and its arguments; the JSON API answers
with the English message and the code, the HTML pages with the wording here. A code without a
wording here is shown with the generic sentence of its status, never in English.
"""

from __future__ import annotations

# what the parameters are called on the page
PARAMETER_NAMES = {
    "q": "từ khoá",
    "page": "số trang",
    "limit": "số kết quả mỗi trang",
    "sort": "cách sắp xếp",
    "from": "ngày bắt đầu",
    "to": "ngày kết thúc",
    "place": "địa phương",
    "id": "mã tài liệu",
}

_VIETNAMESE = {
    "bad_number": "Giá trị «{value}» của {name} không hợp lệ: cần một số nguyên từ {low} đến {high}.",
    "bad_date": (
        "Giá trị «{value}» của {name} không phải là ngày: hãy viết theo dạng năm-tháng-ngày "
        "(ví dụ 2019-09-27), hoặc chỉ năm (2019), năm-tháng (2019-09)."
    ),
    "out_of_range": "Giá trị {value} của {name} nằm ngoài khoảng cho phép: từ {low} đến {high}.",
    "bad_flag": "Giá trị «{value}» của {name} không hợp lệ: chỉ nhận 1 hoặc 0.",
    "bad_sort": "Không có cách sắp xếp «{value}»: chỉ có theo độ phù hợp hoặc theo ngày.",
    "reversed_range": (
        "Ngày bắt đầu ({start}) đứng sau ngày kết thúc ({end}), nên không có kết quả nào: "
        "hãy đổi chỗ hai ngày."
    ),
    "too_long": "Giá trị của {name} quá dài ({length} ký tự): tối đa {max} ký tự.",
    "missing": "Thiếu {name}.",
    "bad_id": "Mã tài liệu không hợp lệ.",
    "no_document": "Không có tài liệu nào với mã này; có thể tài liệu đã bị xoá khỏi chỉ mục.",
    "not_found": "Không có trang nào ở địa chỉ này.",
    "method_not_allowed": "Trang này không nhận yêu cầu kiểu này.",
    "too_large": "Yêu cầu quá lớn.",
    "index_missing": "Chưa có chỉ mục để tìm.",
    "busy": (
        "Máy chủ đang bận với nhiều tìm kiếm phức tạp (có tiền tố như «ph*» hoặc nhiều điều kiện): "
        "hãy thử lại sau ít giây."
    ),
    "index_damaged": (
        "Chỉ mục tìm kiếm bị hỏng nên chưa trả lời được; người quản trị cần dựng lại chỉ mục "
        "bằng lệnh «search index --rebuild»."
    ),
    "server_error": "Máy chủ gặp lỗi khi trả lời yêu cầu này; lỗi đã được ghi lại.",
}

_BY_STATUS = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không tìm thấy.",
    503: "Dịch vụ tạm thời không trả lời được.",
}

# HTTP errors raised by Flask itself, by status
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def in_vietnamese(code: str, args: dict, status: int) -> str:
    text = _VIETNAMESE.get(code)
    if text is None:
        return _BY_STATUS.get(status, "Không trả lời được yêu cầu này.")
    shown = dict(args)
    if "name" in shown:
        shown["name"] = PARAMETER_NAMES.get(shown["name"], shown["name"])
    try:
        return text.format(**shown)
    except (KeyError, IndexError):
        return _BY_STATUS.get(status, "Không trả lời được yêu cầu này.")
