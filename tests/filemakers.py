"""Small files of each format, written at test time, so no binary fixture needs to be committed.

The PDFs are written object by object (a few lines of PDF syntax), which also lets a test choose the
font name a PDF claims (``VnTime`` for TCVN3 bytes) and leave the text layer out (a scanned page).
"""

from __future__ import annotations

import unicodedata
import zlib
from pathlib import Path

TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258_bytes(text: str) -> bytes:
    """Encode as Windows-1258 does: a precomposed base letter, then the tone as a combining mark."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        tone = "".join(c for c in decomposed if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        out.append(base + tone)
    return "".join(out).encode("cp1258")


def _pdf_string(data: bytes) -> bytes:
    escaped = bytearray(b"(")
    for byte in data:
        if byte in b"()\\" or byte > 0x7E:
            escaped += b"\\%03o" % byte
        else:
            escaped.append(byte)
    return bytes(escaped + b")")


def write_pdf(
    path: Path, lines: list[tuple[str, bytes]], title: str | None = None, image_only: bool = False
) -> Path:
    """A one-page PDF. ``lines`` are (font name, raw string bytes) drawn one under the other with a
    simple font of that name (WinAnsi encoding); ``image_only`` draws a grey image and no text."""
    fonts = sorted({font for font, _ in lines})
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the page tree's number is known
    pages = add(b"")
    resources = b""
    if image_only:
        pixels = bytes(200 for _ in range(64 * 64))
        data = zlib.compress(pixels)
        image = add(
            b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
            % len(data)
            + data
            + b"\nendstream"
        )
        resources = b"/XObject << /Im1 %d 0 R >>" % image
        content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    else:
        widths = b"[" + b" ".join(b"500" for _ in range(32, 256)) + b"]"
        font_refs = []
        for index, font in enumerate(fonts):
            descriptor = add(
                b"<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [0 -200 1000 900] "
                b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>" % font.encode()
            )
            number = add(
                b"<< /Type /Font /Subtype /TrueType /BaseFont /%s /FirstChar 32 /LastChar 255 "
                b"/Widths %s /FontDescriptor %d 0 R /Encoding /WinAnsiEncoding >>"
                % (font.encode(), widths, descriptor)
            )
            font_refs.append(b"/F%d %d 0 R" % (index, number))
        resources = b"/Font << " + b" ".join(font_refs) + b" >>"
        ops = [b"BT", b"72 770 Td"]
        for font, text in lines:
            ops.append(b"/F%d 12 Tf %s Tj 0 -40 Td" % (fonts.index(font), _pdf_string(text)))
        ops.append(b"ET")
        content = b"\n".join(ops)
    stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    page = add(
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << %s >> /Contents %d 0 R >>"
        % (pages, resources, stream)
    )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages
    objects[pages - 1] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page
    info = add(b"<< /Title %s >>" % _pdf_string(b"\xfe\xff" + title.encode("utf-16-be"))) if title else None

    path.write_bytes(_pdf_file(objects, catalog, info))
    return path


def _pdf_file(objects: list[bytes], catalog: int, info: int | None = None) -> bytes:
    """The PDF file of ``objects`` (numbered from 1), with its cross-reference table and trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def write_docx(path: Path) -> Path:
    """A DOCX with a title property, a heading, Unicode text, runs in TCVN3 fonts and a table."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Báo cáo tổng kết công tác năm 2023"
    document.core_properties.author = "Văn phòng UBND tỉnh"
    document.add_heading("Báo cáo tổng kết", level=1)
    document.add_paragraph("Tỉnh Sơn La đã hoàn thành kế hoạch năm.")
    paragraph = document.add_paragraph()
    run = paragraph.add_run("Céng hoµ x· héi chñ nghÜa ViÖt Nam")  # TCVN3 bytes as Word keeps them
    run.font.name = ".VnTime"
    paragraph = document.add_paragraph()
    run = paragraph.add_run("quyÕt ®Þnh")  # the capitals-only ABC font draws these as capitals
    run.font.name = ".VnTimeH"
    paragraph.add_run(" số 12")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Chỉ tiêu"
    table.cell(0, 1).text = "Kết quả"
    document.save(path)
    return path


def write_rtf(path: Path) -> Path:
    """An RTF whose text is TCVN3 bytes in \\'xx escapes, as Word 97 saved .VnTime documents."""
    tcvn3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam".encode("cp1252")
    escaped = "".join(f"\\'{b:02x}" if b > 0x7F else chr(b) for b in tcvn3)
    body = (
        "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fnil .VnTime;}}"
        "{\\info{\\title B\\'b8o c\\'b8o}}"
        "\\f0 " + escaped + "\\par\n"
        "\\'a7\\'e9c l\\'cbp - T\\'f9 do - H\\'b9nh ph\\'f3c\\par\n}"
    )
    path.write_bytes(body.encode("ascii"))
    return path


def write_crafted_pdf(path: Path, repetitions: int = 400_000) -> Path:
    """A small PDF whose one content stream inflates to megabytes of text operators: ``repetitions``
    times ``BT /F1 12 Tf 10 10 Td (Bao cao) Tj ET``, zlib-compressed (400,000 of them: 58 KB that
    pdfminer needs minutes and gigabytes to read)."""
    content = zlib.compress(b"BT /F1 12 Tf 10 10 Td (Bao cao) Tj ET\n" * repetitions, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    path.write_bytes(_pdf_file(objects, catalog=1))
    return path


def write_shared_stream_pdf(path: Path, pages: int = 3_000, repetitions: int = 2_000) -> Path:
    """A PDF of ``pages`` pages that all draw one compressed content stream of ``repetitions`` text
    operators (3,000 pages: ~470 KB, which pdfminer reads for minutes)."""
    content = zlib.compress(b"BT /F1 12 Tf 10 10 Td (Bao cao) Tj ET\n" * repetitions, 9)
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 3 0 R >>"
    )
    objects += [page] * pages
    path.write_bytes(_pdf_file(objects, catalog=1))
    return path
