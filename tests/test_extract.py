"""Extraction by format and encoding, on small files written by the tests (or kept in tests/data/)."""

import shutil
import zipfile
from pathlib import Path

import pytest
from filemakers import cp1258_bytes, write_docx, write_pdf, write_rtf

from searcher.ingest.extract import ExtractError, extract_file, legacy, tools
from searcher.ingest.extract.html import LIST_PAGE_REASON

DATA = Path(__file__).parent / "data"
HEADING = "Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc"
# The heading as TCVN3 (ABC) and VNI-Windows bytes, shown as the Windows-1252 characters they are
TCVN3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc"
VNI = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nÑoäc laäp - Töï do - Haïnh phuùc"


def extract_bytes(tmp_path, name, data, **kwargs):
    path = tmp_path / name
    path.write_bytes(data)
    return extract_file(path, **kwargs)


def skip_reason(path, **kwargs):
    with pytest.raises(ExtractError) as info:
        extract_file(path, **kwargs)
    return info.value.reason


@pytest.mark.parametrize(
    "data, encoding",
    [
        (HEADING.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + HEADING.encode("utf-8"), "utf-8-sig"),
        (HEADING.replace("\n", "\r\n").encode("utf-16"), "utf-16"),  # BOM, little-endian on this machine
        (b"\xfe\xff" + HEADING.encode("utf-16-be"), "utf-16"),
        (HEADING.encode("utf-16-le"), "utf-16-le"),  # no BOM: told by the NUL bytes
        (cp1258_bytes(HEADING), "cp1258"),  # base letter + combining tone, normalised to NFC
        (TCVN3.replace("hoµ", "hßa").encode("cp1252"), "tcvn3"),
        (VNI.encode("cp1252"), "vni"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-no-bom", "cp1258", "tcvn3", "vni"],
)
def test_text_encodings(tmp_path, data, encoding):
    result = extract_bytes(tmp_path, "heading.txt", data)
    assert result.text == HEADING
    assert result.encoding == encoding


def test_tcvn3_sample_from_the_charts(tmp_path):
    result = extract_bytes(tmp_path, "a.txt", TCVN3.encode("cp1252"))
    assert result.text.split("\n")[0] == "Cộng hoà xã hội chủ nghĩa Việt Nam"  # tone placed as typed


def test_utf8_file_with_tcvn3_lines_pasted_in(tmp_path):
    text = "Ghi chú bằng Unicode.\n" + TCVN3
    result = extract_bytes(tmp_path, "mixed.md", text.encode("utf-8"))
    assert (
        result.text
        == "Ghi chú bằng Unicode.\nCộng hoà xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc"
    )
    assert result.encoding == "utf-8+tcvn3"


def test_unicode_text_with_cp1252_looking_letters_is_left_alone(tmp_path):
    text = "Café São Paulo: Ñandú, Ümlaut, résumé.\nHội nghị ở Hà Nội."
    assert extract_bytes(tmp_path, "a.txt", text.encode("utf-8")).text == text


def test_html_article_without_portal_furniture():
    result = extract_file(DATA / "article.html")
    assert result.title == "Lào Cai tổ chức diễn tập khu vực phòng thủ năm 2024"
    assert result.date == "2024-08-15"
    assert result.author == "Hoàng Thu Hà"
    lines = result.text.split("\n")
    assert lines[0] == result.title
    assert lines[1].startswith("Sáng 15-8, UBND tỉnh Lào Cai khai mạc")
    assert "quốc phòng & an ninh" in lines[2]  # entities decoded
    assert lines[3].endswith(
        'nhấn mạnh: "Diễn tập phải sát thực tế, an toàn tuyệt đối về người và phương tiện".'
    )
    assert lines[-1].endswith("hậu cần – kỹ thuật cho các tình huống.")
    for furniture in (
        "Trang chủ",
        "Yên Bái sơ kết",
        "Giá vàng",
        "Từ khóa",
        "Chia sẻ",
        "Cơ quan chủ quản",
        "Địa chỉ:",
        "Đọc nhiều",
    ):
        assert furniture not in result.text
    assert len(lines) == 5


def test_homepage_is_skipped_not_taken_for_an_article():
    assert skip_reason(DATA / "homepage.html") == LIST_PAGE_REASON


def test_declared_trafilatura_versions_are_those_html_extraction_works_with():
    # Before 2.0 bare_extraction answers with a dict (no .text); 2.0 raises KeyError 'max_date' for
    # date parameters without one. Both failed every HTML file.
    import tomllib

    import trafilatura
    from packaging.requirements import Requirement

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    (requirement,) = [
        r for r in map(Requirement, project["project"]["dependencies"]) if r.name == "trafilatura"
    ]
    assert not requirement.specifier.contains("1.12.2")
    assert not requirement.specifier.contains("2.0.0")
    assert requirement.specifier.contains("2.1.0")
    assert requirement.specifier.contains(trafilatura.__version__)


def test_docx_unicode_legacy_font_runs_capital_font_and_table(tmp_path):
    result = extract_file(write_docx(tmp_path / "report.docx"))
    assert result.text.split("\n") == [
        "Báo cáo tổng kết",
        "Tỉnh Sơn La đã hoàn thành kế hoạch năm.",
        "Cộng hoà xã hội chủ nghĩa Việt Nam",  # .VnTime run
        "QUYẾT ĐỊNH số 12",  # .VnTimeH run drawn as capitals, then a Unicode run
        "Chỉ tiêu | Kết quả",
    ]
    assert result.title == "Báo cáo tổng kết công tác năm 2023"
    assert result.author == "Văn phòng UBND tỉnh"


def test_docx_renamed_doc_is_read_as_docx(tmp_path):
    path = write_docx(tmp_path / "report.docx")
    renamed = tmp_path / "report.doc"
    shutil.copy(path, renamed)
    assert extract_file(renamed).title == "Báo cáo tổng kết công tác năm 2023"


def test_rtf_with_tcvn3_escapes(tmp_path):
    result = extract_file(write_rtf(tmp_path / "decision.rtf"))
    assert result.text == "Cộng hoà xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc"
    assert result.encoding == "tcvn3"
    assert result.title == "Báo cáo"


def test_pdf_text_layer_with_unicode_and_abc_fonts(tmp_path):
    path = write_pdf(
        tmp_path / "report.pdf",
        [
            ("Helvetica", b"Bao cao tong ket nam 2023"),
            ("VnTime", TCVN3.split("\n")[0].encode("cp1252")),
            ("VnTimeH", "quyÕt ®Þnh".encode("cp1252")),
        ],
        title="Báo cáo tổng kết",
    )
    result = extract_file(path)
    assert result.text == "Bao cao tong ket nam 2023\nCộng hoà xã hội chủ nghĩa Việt Nam\nQUYẾT ĐỊNH"
    assert result.title == "Báo cáo tổng kết"
    assert result.encoding == "tcvn3"


def test_scanned_pdf_without_ocr_is_skipped_as_needing_ocr(tmp_path, monkeypatch):
    path = write_pdf(tmp_path / "scan.pdf", [], image_only=True)
    monkeypatch.setattr(tools, "find_tool", lambda name: None)
    assert "needs OCR" in skip_reason(path)


@pytest.mark.slow  # OCR of a page
def test_scanned_pdf_with_nothing_legible_is_never_indexed_empty(tmp_path):
    if not (tools.find_tool("tesseract") and tools.find_tool("pdftoppm")):
        pytest.skip("tesseract-ocr and poppler-utils are not installed")
    path = write_pdf(tmp_path / "blank-scan.pdf", [], image_only=True)
    assert skip_reason(path) == "scanned PDF: OCR found no text"


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b" \r\n\t\n", "no text found"),
        ("binary.txt", bytes(range(256)) * 8, "binary content"),
        ("photo.png", b"\x89PNG\r\n\x1a\n", "unsupported file type .png"),
        ("README", b"text", "unsupported file type (no extension)"),
    ],
)
def test_unusable_files_are_skipped_with_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    assert skip_reason(path) == reason


def test_truncated_docx_and_pdf(tmp_path):
    docx_path = write_docx(tmp_path / "whole.docx")
    cut = tmp_path / "cut.docx"
    cut.write_bytes(docx_path.read_bytes()[:700])
    assert skip_reason(cut) == "unreadable DOCX: not a complete ZIP archive (truncated?)"
    pdf_path = write_pdf(tmp_path / "whole.pdf", [("Helvetica", b"Bao cao")])
    cut_pdf = tmp_path / "cut.pdf"
    cut_pdf.write_bytes(pdf_path.read_bytes()[:60])
    assert skip_reason(cut_pdf).startswith("unreadable PDF")


def test_docx_without_its_document_part(tmp_path):
    path = tmp_path / "hollow.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert skip_reason(path).startswith("unreadable DOCX")


def test_size_limit_is_configurable(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("Báo cáo dài. " * 100, encoding="utf-8")
    assert skip_reason(path, max_bytes=1024) == "file too large (1.6 KB > 1 KB limit)"
    assert extract_file(path, max_bytes=2048).text.startswith("Báo cáo dài.")


@pytest.mark.parametrize(
    "font, encoding, capital",
    [
        (".VnTime", "tcvn3", False),
        (".VnTimeH", "tcvn3", True),
        ("ABCDEF+VnArialH,Bold", "tcvn3", True),
        ("VNI-Times", "vni", False),
        ("Times New Roman", None, False),
        ("Vni", "vni", False),
    ],
)
def test_font_names_tell_the_legacy_encoding(font, encoding, capital):
    assert legacy.font_encoding(font) == encoding
    assert legacy.is_capital_font(font) == capital
