"""PDF: the text layer through pdfminer.six, OCR (pdftoppm + Tesseract) for pages without one.

pdfminer reports the font of every character, which settles the legacy-font question where it arises:
characters drawn with an ABC font (``VnTime``, ``.VnTimeH``) are TCVN3 bytes whatever Unicode the PDF
claims, and capital fonts (``...H``) draw them as capitals.
"""

from __future__ import annotations

import functools
import os
import pathlib
import re
import tempfile

from . import legacy, tools
from .base import Extracted, ExtractError, meaningful_title

OCR_REASON = "scanned PDF without a text layer: needs OCR (install tesseract-ocr and tesseract-ocr-vie)"
MAX_OCR_PAGES = 200  # about an hour of OCR on two cores; longer scans are better split by hand
_MIN_PAGE_LETTERS = 20  # fewer letters than this on a page: a scan (or a stamp), not a text layer
_LETTER = re.compile(r"[^\W\d_]")


def _tracking_gap(items: list, index: int) -> bool:
    """True if the space pdfminer inferred at ``index`` only reflects letter-spacing.

    Headings set with extra tracking put a small gap after every letter; when the line also has real
    space characters, a gap under a quarter of the font size is tracking, not a word break.
    """
    from pdfminer.layout import LTChar

    if index == 0 or index + 1 >= len(items):
        return False
    before, after = items[index - 1], items[index + 1]
    if not (isinstance(before, LTChar) and isinstance(after, LTChar)):
        return False
    return after.x0 - before.x1 < 0.25 * max(before.size, after.size)


def _line_text(line) -> str:
    """Text of one pdfminer text line, legacy-font stretches converted."""
    from pdfminer.layout import LTChar

    out: list[str] = []
    group: list[str] = []
    key: tuple[str | None, bool] = (None, False)

    def flush() -> None:
        text = "".join(group)
        if key[0]:
            text = legacy.CONVERTERS[key[0]](text)
            if key[1]:
                text = text.upper()
        out.append(text)
        group.clear()

    items = list(line)
    has_spaces = any(isinstance(i, LTChar) and i.get_text() == " " for i in items)
    for index, item in enumerate(items):
        if (
            has_spaces
            and not isinstance(item, LTChar)
            and item.get_text() == " "
            and _tracking_gap(items, index)
        ):
            continue
        if isinstance(item, LTChar):
            item_key = (legacy.font_encoding(item.fontname), legacy.is_capital_font(item.fontname))
            if item_key != key:
                flush()
                key = item_key
        group.append(item.get_text())  # LTAnno (inferred spaces) joins whatever stretch is open
    flush()
    return "".join(out)


# a page's number printed at its head or foot: "2", "- 2 -", "Trang 2", "2/10"
_PAGE_NUMBER = re.compile(r"^(?:trang\s*)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*/\s*\d{1,4})?$", re.I)


def _without_page_number(lines: list[str]) -> list[str]:
    """A page's blocks or lines without its number, first or last (the text's own numbers, a table's
    cells, stay)."""
    kept = [i for i, line in enumerate(lines) if line.strip()]
    drop = {i for i in (kept[:1] + kept[-1:]) if _PAGE_NUMBER.match(lines[i].strip())}
    return [line for i, line in enumerate(lines) if i not in drop]


def _page_blocks(page) -> list[str]:
    from pdfminer.layout import LTFigure, LTTextBox, LTTextLine

    blocks: list[str] = []

    def walk(element) -> None:
        for child in element:
            if isinstance(child, LTTextBox):
                lines = [_line_text(line) for line in child if isinstance(line, LTTextLine)]
                # Lines of one box are one paragraph wrapped by the layout.
                blocks.append(" ".join(t.strip() for t in lines if t.strip()))
            elif isinstance(child, LTFigure):
                walk(child)

    walk(page)
    return _without_page_number([b for b in blocks if b])


def _metadata(path: pathlib.Path) -> dict[str, str]:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    with path.open("rb") as fh:
        document = PDFDocument(PDFParser(fh))
        info: dict[str, str] = {}
        for entry in document.info:
            for key in ("Title", "Author"):
                value = resolve1(entry.get(key))
                if isinstance(value, bytes):
                    info[key] = decode_text(value)
                elif isinstance(value, str):
                    info[key] = value
        return info


def extract_pdf(path: pathlib.Path) -> Extracted:
    try:
        pages, title, author, used_legacy = _text_layer(path)
    except (ExtractError, MemoryError):  # (out of memory: the extraction worker's limit, told as such)
        raise
    except Exception as exc:  # pdfminer raises many error types for broken or encrypted files
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise ExtractError("encrypted PDF") from None
        raise ExtractError(f"unreadable PDF: {name}: {exc}") from None
    letters = [len(_LETTER.findall(" ".join(p))) for p in pages]
    scanned = [i for i, n in enumerate(letters) if n < _MIN_PAGE_LETTERS]
    encoding = "tcvn3" if used_legacy else None
    if len(scanned) == len(pages) or (scanned and sum(letters) < _MIN_PAGE_LETTERS * len(pages)):
        texts = _ocr(path, list(range(len(pages))) if pages else [0], required=True)
        texts = ["\n".join(_without_page_number(text.split("\n"))) for text in texts]
        return Extracted(text="\n".join(texts), title=title, author=author, encoding="ocr")
    if scanned and _ocr_available():
        for index, text in zip(scanned, _ocr(path, scanned, required=False)):
            pages[index] = _without_page_number(text.split("\n"))
    text = "\n".join("\n".join(p) for p in pages)
    if not used_legacy:
        # Fonts without telling names (embedded subsets renamed) can still carry TCVN3 or VNI.
        text, found = legacy.repair(text)
        encoding = found
    return Extracted(text=text, title=title, author=author, encoding=encoding)


def _text_layer(path: pathlib.Path) -> tuple[list[list[str]], str | None, str | None, bool]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    pages: list[list[str]] = []
    fonts: set[str] = set()
    for page in extract_pages(str(path), laparams=LAParams()):
        pages.append(_page_blocks(page))
        fonts.update(_fonts(page))
    used_legacy = any(legacy.font_encoding(f) for f in fonts)
    info = _metadata(path)
    title = info.get("Title", "").strip() or None
    author = info.get("Author", "").strip() or None
    if used_legacy:
        title = legacy.best_conversion(title)[0] if title else None
        author = legacy.best_conversion(author)[0] if author else None
    if not meaningful_title(title):
        title = None
    return pages, title, author, used_legacy


def _fonts(page) -> set[str]:
    from pdfminer.layout import LTChar, LTContainer

    found: set[str] = set()
    stack = [page]
    while stack:
        element = stack.pop()
        if isinstance(element, LTChar):
            found.add(element.fontname)
        elif isinstance(element, LTContainer):
            stack.extend(element)
    return found


# --- OCR --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _tesseract_languages(tesseract: str) -> frozenset[str]:
    out = tools.run([tesseract, "--list-langs"], timeout=30, what="tesseract")
    return frozenset(line.strip() for line in out.decode("utf-8", "replace").splitlines()[1:])


def _ocr_available() -> bool:
    tesseract = tools.find_tool("tesseract")
    return (
        tesseract is not None
        and tools.find_tool("pdftoppm") is not None
        and "vie" in _tesseract_languages(tesseract)
    )


def _ocr(path: pathlib.Path, page_indexes: list[int], required: bool) -> list[str]:
    tesseract = tools.find_tool("tesseract")
    pdftoppm = tools.find_tool("pdftoppm")
    if tesseract is None or pdftoppm is None:
        raise ExtractError(OCR_REASON)
    if "vie" not in _tesseract_languages(tesseract):
        raise ExtractError(
            "scanned PDF without a text layer: needs Vietnamese OCR data (install tesseract-ocr-vie)"
        )
    if len(page_indexes) > MAX_OCR_PAGES:
        raise ExtractError(
            f"scanned PDF of {len(page_indexes)} pages: over the {MAX_OCR_PAGES}-page OCR limit"
        )
    texts = []
    env_threads = {"OMP_THREAD_LIMIT": "1"}  # tesseract's own threads only slow a 2-core machine down
    with tempfile.TemporaryDirectory(prefix="extract-ocr-") as tmp:
        for index in page_indexes:
            prefix = os.path.join(tmp, f"p{index}")
            number = str(index + 1)
            tools.run(
                [
                    pdftoppm,
                    "-r",
                    "300",
                    "-gray",
                    "-png",
                    "-singlefile",
                    "-f",
                    number,
                    "-l",
                    number,
                    str(path),
                    prefix,
                ],
                timeout=300,
                what="pdftoppm",
            )
            image = prefix + ".png"
            if not os.path.exists(image):
                raise ExtractError("pdftoppm produced no image")
            out = tools.run(
                [tesseract, image, "stdout", "-l", "vie"], timeout=600, what="tesseract", env=env_threads
            )
            texts.append(out.decode("utf-8", errors="replace"))
    if required and not any(_LETTER.search(t) for t in texts):
        raise ExtractError("scanned PDF: OCR found no text")
    return texts
