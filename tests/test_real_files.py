"""Every file of ../shared/corpus/real-files/ and sample-files/ through the indexer, checked against what a
reader of the page or document sees: headline, date, the body's own words, no portal furniture, legacy
encodings turned into correct Vietnamese."""

import pytest
from conftest import corpus_records, need_corpus

from searcher.index.indexer import index_paths
from searcher.ingest.extract import tools
from searcher.ingest.extract.html import LIST_PAGE_REASON
from searcher.search.engine import Engine

pytestmark = pytest.mark.corpus  # every test reads ../shared/corpus (need_corpus)

# file -> (headline, date, words of the article, furniture of the page that must be gone)
ARTICLES = {
    "html/VnExpress.net-Kinh-doanh.html": (
        "Ông Hồ Đức Phớc: Sẽ nâng mức giảm trừ gia cảnh tính thuế cá nhân khi sửa luật",
        "2023-11-02",
        "mức giảm trừ gia cảnh là 15,4 triệu",
        ["Trở lại Kinh doanh", "Copy link thành công", "Mới nhất"],
    ),
    "html/baochinhphu_article.html": (
        "Chính sách mới có hiệu lực từ tháng 3/2026",
        "2026-03-01",
        "Nghị định số 357/2025/NĐ-CP ngày 31/12/2025",
        ["Tải ứng dụng", "BÁO ĐIỆN TỬ CHÍNH PHỦ", "Bầu cử Quốc hội khóa XVI và Hội đồng nhân dân các cấp"],
    ),
    "html/baodautu_article.html": (
        "Xử phạt Giám đốc tài chính Tập đoàn Tiên Sơn Thanh Hoá vì thao túng cổ phiếu",
        "2026-03-07",
        "Uỷ ban Chứng khoán Nhà nước vừa có quyết định xử phạt",
        [
            "Giao dịch Hợp đồng tương lai VN30",
            "Khi bảo hiểm trở thành đòn bẩy",
            "Ấn phẩm thuộc Báo Tài chính",
        ],
    ),
    "html/cafef_article.html": (
        "Thời điểm nâng hạng cận kề, MBS điểm tên 30 cổ phiếu Việt Nam có khả năng lọt rổ chỉ số FTSE",
        "2026-03-07",
        "dòng vốn thụ động (passive) ETF",
        ["Một cổ phiếu trên HOSE bất ngờ", "Đọc nhanh", "CHỨNG KHOÁN BẤT ĐỘNG SẢN"],
    ),
    "html/cafef_article_batdongsan.html": (
        "Tăng hỗ trợ, giảm áp lực tài chính khi chuyển mục đích sử dụng đất",
        "2026-03-07",
        "cử tri xã Thuận Hạnh phản ánh",
        ["Siêu đô thị 18 tỷ USD", "Đọc nhanh", "CHỨNG KHOÁN BẤT ĐỘNG SẢN"],
    ),
    "html/chien-thuat-cua-nga-khi-dua-50-xe-tang-sat-thu-chien-truong-toi-donbass-20221224083224103.html": (
        'Chiến thuật của Nga khi đưa 50 xe tăng "sát thủ chiến trường" tới Donbass',
        "2022-12-24",
        "Uralvagonzavod đã sản xuất cho quân đội nước này 600 xe tăng T-90",
        ["Quan chức Lugansk nói Nga sắp giành", "Đăng Nhập"],
    ),
    "html/dantri_article.html": (
        "Giá vàng giảm, vẫn cao hơn thế giới gần 20 triệu đồng/lượng",
        "2026-03-07",
        "giá vàng miếng SJC được niêm yết tại mức 180,8-183,8 triệu đồng/lượng",
        ["Giá vàng miếng SJC giảm, người mua lỗ", "Tổng biên tập", "Giấy phép hoạt động"],
    ),
    "html/naustudio-tuoitre-subpage.html": (
        "Thanh tra vụ chặt cây xanh Hà Nội trong 30 ngày",
        "2015-03-23",
        "Chủ tịch UBND TP Hà Nội Nguyễn Thế Thảo đã quyết định thành lập đoàn thanh tra",
        [
            "Báo Tuổi Trẻ nhận giải thưởng",
            "Từ khóa",
            "Tủ Sách Tuổi Trẻ",
            "Chính trị - Xã hội - Tuổi Trẻ Online",
        ],
    ),
    "html/nld_article.html": (
        "Những sai sót hộ kinh doanh thường gặp khi thực hiện quy định mới về thuế",
        "2026-03-07",
        "Nghị định 68/2026/NĐ-CP quy định chính sách thuế",
        ["Hộ kinh doanh phải kê khai tất cả tài khoản", "ĐẶT MUA BÁO", "Tin độc quyền"],
    ),
    "html/tuoitre_article.html": (
        "Chiến sự đẩy giá hoa nhập khẩu dịp 8-3 tăng mạnh",
        "2026-03-07",
        "chủ shop Hoa Yêu Thương (TP.HCM)",
        ["Xuất khẩu ứng phó thế nào", "Rao vặt", "Xem nhiều"],
    ),
    "html/vietnamnet_article.html": (
        "Cổ phiếu FLC được giao dịch trở lại",
        "2026-03-07",
        "Chứng khoán Artex sẽ là đơn vị quản lý",
        ["Chính thức hủy giao dịch cổ phiếu FLC từ 31/12", "Tuần Việt Nam", "Dân tộc và Tôn giáo"],
    ),
    "html/vnexpress_article.html": (
        "Cách các nước đối phó cú sốc năng lượng từ Trung Đông",
        "2026-03-07",
        "Xung đột giữa Mỹ - Israel với Iran đã bước sang ngày thứ 6",
        ["Trở lại Kinh doanh", "Ngày hỗn loạn"],
    ),
}

# Legacy-encoded government documents: title, date and phrases that only a correct conversion gives
LEGACY = {
    "legacy/2003-02144qd.doc": (
        "Quyết định của bộ trưởng bộ tài chính về việc sửa đổi mức thuế suất của một số mặt hàng trong "
        "Biểu thuế thuế nhập khẩu ưu đãi",
        "2002-11-22",
        ["Căn cứ Nghị định số 86/2002/NĐ-CP ngày 05/11/2002 của Chính phủ quy định chức năng, nhiệm vụ"],
    ),
    "legacy/2004-0328NDCP.doc": (
        "Nghị định của chính phủ Quy định việc phát hành công trái xây dựng Tổ quốc năm 2003 - Công trái "
        "giáo dục",
        "2003-03-31",
        ["Pháp lệnh phát hành công trái xây dựng Tổ quốc"],
    ),
    "legacy/2003-A-15.rtf": (
        "Nghị định của Chính phủ Số 94 /1998/NĐ-CP ngày 17 tháng 11 năm 1998 Quy định chi tiết thi hành Luật "
        "sửa đổi, bổ sung một số điều của Luật Thuế xuất khẩu, thuế nhập khẩu",
        "1998-11-17",
        ["Căn cứ Luật Đầu tư nước ngoài tại Việt Nam ngày 08 tháng 11 năm 1996"],
    ),
    "legacy/2003-A30.rtf": (
        None,
        "2000-12-21",
        ["miễn thuế nhập khẩu đối với nguyên vật liệu", "Độc lập - Tự do - Hạnh phúc"],
    ),
    "legacy/2006-16EZE_TT01.06GopvonDNNVV.pdf": (
        "THÔNG TƯ Hướng dẫn một số nội dung về góp vốn thành lập Quỹ bảo lãnh tín dụng cho các doanh nghiệp "
        "nhỏ và vừa",
        "2006-02-20",
        ["NGÂN HÀNG NHÀ NƯỚC VIỆT NAM", "Quỹ bảo lãnh tín dụng cho các doanh nghiệp"],
    ),
    "legacy/2006-19412_QD115.04TTg_BLTch_DNNVV.pdf": (
        None,
        "2004-06-25",
        ["Căn cứ Luật Tổ chức Chính phủ ngày 25 tháng 12 năm 2001;"],
    ),
    "legacy/2007-1AF57_02-2007.pdf": (
        "BÁO CÁO VỀ TÌNH HÌNH SẢN XUẤT KINH DOANH NGÀNH CÔNG NGHIỆP THÁNG 02 VÀ 2 THÁNG ĐẦU NĂM 2007",
        None,
        ["giá trị sản xuất công nghiệp (GTSXCN) ước đạt 39.897 tỷ đồng"],
    ),
    "legacy/2008-23.QD-991-UBND.doc": (  # VNI-Windows
        "QUYẾT ĐỊNH Về việc phê duyệt Kế hoạch thực hiện quy hoạch sử dụng rừng, đất rừng và đất chuyển ra "
        "khỏi lâm phần sau rà soát quy hoạch 03 loại rừng",
        "2008-05-14",
        ["ỦY BAN NHÂN DÂN", "TỈNH BÌNH PHƯỚC", "Quyết định số 186/2006/QĐ-TTg ngày 14/8/2006"],
    ),
    "legacy/2006-quydinhkiemtra02.doc": (  # VNI-Windows
        "QUY ĐỊNH VỀ CHỨC NĂNG, NHIỆM VỤ, QUYỀN HẠN VÀ CƠ CẤU TỔ CHỨC CỦA ĐỘI KIỂM TRA LIÊN NGÀNH 814",
        "2006-01-25",
        ["Đội Kiểm tra liên ngành về văn hóa thông tin trên địa bàn tỉnh Cà Mau"],
    ),
}
HOMEPAGES = ["html/naustudio-tuoitre-home.html", "html/son601008-dantri-home.html"]
SCANS = {"pdf/1053-ttg.signed.pdf": "2024-09-28", "pdf/970-ttg.signed.pdf": "2024-09-13"}
# Mojibake that an unconverted TCVN3 or VNI text would show
LEGACY_TRACES = ("µ", "§", "Ö", "ñ", "Ü", "oä", "aø", "ö", "¸")


@pytest.fixture(scope="module")
def real_index(tmp_path_factory):
    folder = need_corpus("real-files")
    if tools.find_tool("antiword") is None and tools.find_tool("catdoc") is None:
        pytest.skip("antiword (Debian package antiword) is needed for Word 97 .doc files")
    index_dir = tmp_path_factory.mktemp("real-index")
    summary = index_paths([folder], index_dir)
    engine = Engine(index_dir)
    yield summary, engine
    engine.close()


def test_every_file_is_indexed_or_skipped_for_a_stated_reason(real_index):
    summary, engine = real_index
    reasons = {s.path.split("real-files/", 1)[1]: s.reason for s in summary.skipped}
    expected = {page: LIST_PAGE_REASON for page in HOMEPAGES}
    expected["MANIFEST.tsv"] = "unsupported file type .tsv"
    ocr = tools.find_tool("tesseract") and tools.find_tool("pdftoppm")
    if not ocr:
        expected.update({scan: reasons.get(scan, "") for scan in SCANS})
        assert all("needs OCR" in reasons.get(scan, "") for scan in SCANS)
    assert reasons == expected
    assert summary.added == len(ARTICLES) + len(LEGACY) + (len(SCANS) if ocr else 0)


@pytest.mark.parametrize("doc_id", sorted(ARTICLES))
def test_web_article(real_index, doc_id):
    _, engine = real_index
    title, date, words, furniture = ARTICLES[doc_id]
    doc = engine.get(doc_id)
    assert doc["title"] == title
    assert (doc["date"], doc["date_source"]) == (date, "metadata")
    assert words in doc["text"]
    for thing in furniture:
        assert thing not in doc["text"], thing


@pytest.mark.parametrize("doc_id", sorted(LEGACY))
def test_legacy_encoded_document(real_index, doc_id):
    _, engine = real_index
    title, date, phrases = LEGACY[doc_id]
    doc = engine.get(doc_id)
    if title:
        assert doc["title"] == title
    if date:
        assert (doc["date"], doc["date_source"]) == (date, "text")
    else:
        # no date in the heading: unknown, not the file's copy time (kept apart as "modified")
        assert (doc["date"], doc["date_source"]) == (None, None) and doc["modified"]
    for phrase in phrases:
        assert phrase in doc["text"], phrase
    for trace in LEGACY_TRACES:
        assert trace not in doc["text"], trace


def test_legacy_documents_are_found_by_their_vietnamese_words(real_index):
    _, engine = real_index
    assert engine.search('"công trái giáo dục"').hits[0].id == "legacy/2004-0328NDCP.doc"
    assert engine.search('"đội kiểm tra liên ngành"').hits[0].id == "legacy/2006-quydinhkiemtra02.doc"
    assert engine.search("quy hoach su dung rung Binh Phuoc").hits[0].id == "legacy/2008-23.QD-991-UBND.doc"


@pytest.mark.parametrize("doc_id", sorted(SCANS))
def test_scanned_decision_is_read_by_ocr(real_index, doc_id):
    if not (tools.find_tool("tesseract") and tools.find_tool("pdftoppm")):
        pytest.skip("tesseract-ocr, tesseract-ocr-vie and poppler-utils are not installed")
    _, engine = real_index
    doc = engine.get(doc_id)
    assert doc["date"] == SCANS[doc_id]
    assert "Chính phủ ngày 19 tháng 6 năm 2015; Luật sửa đổi," in doc["text"]
    assert doc["title"].startswith(("QUYẾT ĐỊNH", "QUYÉT ĐỊNH"))
    # the subject only: no received-stamp in capitals after it, no dashes the scan left
    subject = doc["title"].split(" ", 2)[2]
    assert "—" not in subject and not [w for w in subject.split() if len(w) >= 4 and w.isupper()], doc[
        "title"
    ]


def test_pdf_page_numbers_are_dropped_and_no_other_number(real_index):
    """A PDF's page numbers (a page's last line "1", "2", ...) are not the text; its own figures are."""
    _, engine = real_index
    for doc_id in [d for d in LEGACY if d.endswith(".pdf")] + [s for s in SCANS if engine.get(s)]:
        lines = [line.strip() for line in engine.get(doc_id)["text"].split("\n")]
        assert not [line for line in lines if line.isdigit()], doc_id
    report = engine.get("legacy/2007-1AF57_02-2007.pdf")["text"]
    assert "39.897" in report  # a figure of the text


def test_sample_files_all_index_and_reindex_as_unchanged(tmp_path):
    folder = need_corpus("sample-files")
    first = index_paths([folder], tmp_path / "ix")
    assert [s.reason for s in first.skipped] == ["unsupported file type .tsv"]  # MANIFEST.tsv only
    assert (first.added, first.documents) == (200, 200)
    again = index_paths([folder], tmp_path / "ix")
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 200)
    engine = Engine(tmp_path / "ix")
    doc = engine.get("vntc/Chinh tri Xa hoi/XH_TT_ (2961).txt")  # UTF-16LE with BOM, CRLF, combining marks
    assert doc["title"] and "\r" not in doc["text"] and "\ufeff" not in doc["text"]
    assert doc["text"] == __import__("unicodedata").normalize("NFC", doc["text"])


def test_sample_files_read_as_their_corpus_records_are():
    """Each raw file of sample-files (UTF-16 with CRLF, combining marks, zero-width characters, numbers
    on lines of their own) gives the headline, date, places and words its JSONL record gives."""
    import csv

    from searcher.ingest.model import Document
    from searcher.ingest.sources import document_from_record, read_source, walk_sources

    folder = need_corpus("sample-files")
    with (folder / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        record_of = {row["file"]: row["corpus_id"] for row in csv.DictReader(fh, delimiter="\t")}
    wanted = set(record_of.values())
    records = {record["id"]: record for _, record in corpus_records(wanted)}
    assert set(records) == wanted
    found, _ = walk_sources([folder])
    read = 0
    for source in found:
        for doc in read_source(source, source.path.read_bytes()):
            if not isinstance(doc, Document):
                continue
            twin = document_from_record(records[record_of[doc.id]], "corpus", "", "corpus")
            assert (doc.title, doc.date, doc.places) == (twin.title, twin.date, twin.places), doc.id
            assert doc.text.split() == twin.text.split(), doc.id
            read += 1
    assert read == 200
