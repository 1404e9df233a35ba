"""Portal furniture is removed from the seeds line by line, and no article line is lost."""

import pytest
from conftest import BAC_KAN, DIEN_BIEN_2022, DIEN_BIEN_2023, LAI_CHAU, SEEDS, TAM_DIEP

from searcher.ingest.clean import is_boilerplate, remove_boilerplate
from searcher.text.normalize import normalize_text

REMOVED = {
    LAI_CHAU: ["Đọc thêm"],
    BAC_KAN: [
        "Skip Ribbon Commands",
        "Skip to main content",
        "Cổng thông tin điện tử Bắc Kạn kính chào quý khách! Trang chủ Góp ý Sơ đồ trang Liên hệ",
        "(Cập nhật lúc: 27/09/2019 09:13:55 )",
        "Sign In",
    ],
    DIEN_BIEN_2022: [
        "17:25 - Thứ Sáu, 14/10/2022 Lượt xem: 5317 In bài viết",
        "Bình luận",
        "Tin khác",
        "Back To Top",
    ],
    TAM_DIEP: [
        "Trang Thông tin điện tử Thành phố Tam Điệp",
        "Thứ Năm, 21/11/2024",
        "Chào mừng bạn đến với Trang thông tin điện tử thành phố Tam Điệp!",
        "Thứ Sáu, 31/05/2024 283 lượt xem",
        "• Đánh giá cho bài viết:",
        "• 5 điểm ( 1 đánh giá )",
        "Đăng nhập",
        "Thống kê truy cập",
        "Số lượt truy cập",
        "881707",
        "Trực tuyến: 130",
        "Hôm nay: 1104",
    ],
    DIEN_BIEN_2023: [],
}
# a visit counter's number, on the line after its label: removed with it, no furniture by itself
COUNTS = {"881707"}
# a photo caption saved twice in a row: one copy stays
REPEATED = {
    LAI_CHAU: [
        "Các tập thể tiêu biểu nhận Bằng khen của Chủ tịch UBND tỉnh Lai Châu",
        "Thiếu tướng Trần Anh Du - Phó Tư lệnh Quân khu 2 phát biểu",
        "Ông Tống Thanh Hải - Ủy viên BTV Tỉnh uỷ, Phó Chủ tịch Thường trực UBND tỉnh phát biểu kết luận hội nghị",
    ]
}


def lines(text):
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


@pytest.mark.parametrize("seed", sorted(REMOVED))
def test_seed_cleaned_line_by_line(seed):
    original = lines(normalize_text((SEEDS / seed).read_text(encoding="utf-8")))
    cleaned = lines(remove_boilerplate(normalize_text((SEEDS / seed).read_text(encoding="utf-8"))))
    expected = [line for line in original if line not in REMOVED[seed]]
    for caption in REPEATED.get(seed, []):
        second = expected.index(caption) + 1
        assert expected[second] == caption
        del expected[second]
    assert cleaned == expected
    assert [line for line in original if is_boilerplate(line)] == [
        line for line in REMOVED[seed] if line not in COUNTS
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Các đại biểu đã bình luận sôi nổi về dự thảo nghị quyết.",  # mentions a widget word
        "Trang chủ của hội nghị là nơi đăng tải các văn bản liên quan đến công tác quốc phòng.",
        "Hôm nay, 26/9, UBND tỉnh tổ chức hội nghị.",
        "Đọc thêm tài liệu tham khảo tại thư viện tỉnh để hiểu rõ hơn.",
        "Ngày 26/9, UBND tỉnh tổ chức Hội nghị sơ kết.",
        "Thứ Sáu, 31/05/2024, tỉnh đã tổ chức lễ ra quân huấn luyện cho lực lượng dân quân.",
    ],
)
def test_article_sentences_are_not_boilerplate(line):
    assert not is_boilerplate(line)


def test_numbers_on_lines_of_their_own_are_kept_unless_a_counter_is_labelled():
    """A table saved as text ranks its rows with numbers on lines of their own; only a visit counter's
    number, after its label, is furniture."""
    table = "Loại dịch vụ\nTầm quan trọng\nMạng có dây\n1\nKiến trúc phần mềm\n2\nBảo mật\n3"
    assert remove_boilerplate(table) == table
    counter = "Bài viết.\nSố lượt truy cập\n881707\nTrực tuyến:\n130\nHôm nay: 1104\n2024"
    assert remove_boilerplate(counter) == "Bài viết.\n2024"
