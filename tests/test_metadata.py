"""Title, date, byline and places of the seeds, exactly; and the rules on constructed text."""

import pytest
from conftest import BAC_KAN, DIEN_BIEN_2022, DIEN_BIEN_2023, LAI_CHAU, SEEDS, TAM_DIEP

from searcher.ingest.clean import remove_boilerplate
from searcher.ingest.metadata import extract_author, extract_date, extract_title
from searcher.ingest.places import find_places
from searcher.text.normalize import normalize_text

EXPECTED = {
    LAI_CHAU: (
        "Tôn vinh tập thể, cá nhân có thành tích xuất sắc trong xây dựng nền quốc phòng toàn dân ở Lai Châu",
        None,
        None,
        ["Lai Châu"],
    ),
    BAC_KAN: (
        "Hội nghị sơ kết xây dựng nền quốc phòng toàn dân giai đoạn 2009 - 2019",
        "2019-09-27",
        "Thu Trang",
        ["Bắc Kạn"],
    ),
    DIEN_BIEN_2022: (
        "Nâng cao nhận thức, trách nhiệm đối với nhiệm vụ bảo vệ Tổ quốc",
        "2022-10-14",
        "Đức Hạnh",
        ["Điện Biên"],
    ),
    TAM_DIEP: (
        "Hội nghị Sơ kết 5 năm thực hiện Nghị định số 21 của Chính phủ về khu vực phòng thủ, giai đoạn 2019-2024",
        "2024-05-31",
        "Thương Thương",
        ["Ninh Bình"],
    ),
    DIEN_BIEN_2023: (  # "Chiều 21-6" opens the lead but no date line says the year: unknown
        "Điện Biên: Tập trung thực hiện hiệu quả nhiệm vụ quân sự, quốc phòng địa phương",
        None,
        "HÀ KHÁNH - PHẠM HIẾU",
        ["Điện Biên"],
    ),
}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_seed_metadata(seed):
    text = normalize_text((SEEDS / seed).read_text(encoding="utf-8"))
    title, date, author, places = EXPECTED[seed]
    assert extract_title(text) == title
    assert extract_date(text) == date
    assert extract_author(remove_boilerplate(text)) == author
    assert find_places(title, remove_boilerplate(text)) == places


@pytest.mark.parametrize(
    "text, date",
    [
        ("Tiêu đề\nNgày 26 tháng 9 năm 2019 lúc 10:00\nNội dung", "2019-09-26"),
        ("Tiêu đề\nCập nhật: 2019-09-26 10:00\nNội dung", "2019-09-26"),
        ("Tiêu đề\n10:00 - 31/02/2024\nNội dung", None),  # no 31 February
        ("Tiêu đề\nGiai đoạn 2009 - 2019 đã qua.", None),  # a range is not a date
        # a day in the lead and a year the text mentions are no evidence of publication
        ("Tiêu đề dài\nSáng 3-2, hội nghị khai mạc.\nKế hoạch năm 2021 được thông qua.", None),
    ],
)
def test_date_forms(text, date):
    assert extract_date(text) == date


@pytest.mark.parametrize(
    "title, text, places",
    [
        ("Hòa bình thế giới", "xây dựng hòa bình, bảo vệ hòa bình", []),  # the word, not the province
        ("Lũ lớn ở Hoà Bình", "", ["Hòa Bình"]),  # old tone placement
        ("", "UBND tỉnh Thanh Hoá họp.", ["Thanh Hóa"]),
        # no accents; both authorities acting
        ("", "UBND tinh Thanh Hoa va UBND TP.HCM hop ban ve mua lu.", ["Thành phố Hồ Chí Minh", "Thanh Hóa"]),
        ("", "chống âm mưu diễn biến hòa bình", []),
        ("Tôn vinh tập thể", "", []),  # "vinh" is not the city of Vinh
        ("", "\u00d0iện Biên và tỉnh Ðiện Biên", []),  # raw Ð is normalised before this is called
    ],
)
def test_places(title, text, places):
    assert find_places(title, text) == places


def test_title_of_a_long_first_line_is_cut_at_a_word():
    title = extract_title("Một câu rất dài " * 30)
    assert len(title) <= 202 and title.endswith(" …") and not title[:-2].endswith(" ")
