"""Word-processor files: DOCX (python-docx), Word 97-2003 .doc (antiword), RTF (striprtf).

Government documents from before Unicode were typed in TCVN3 (``.VnTime``) or VNI fonts. DOCX keeps
the font of every run, so runs are converted by their font; .doc and RTF readers lose the fonts, so
their text is checked for legacy-encoded lines as a whole (see :func:`legacy.repair`).
"""

from __future__ import annotations

import pathlib
import re

from . import legacy, tools
from .base import Extracted, ExtractError, meaningful_title

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --- DOCX -------------------------------------------------------------------------------------
def _rfonts_name(rpr) -> str | None:
    """The font used for Latin-1-range characters (hAnsi, else ascii) in a w:rPr element."""
    if rpr is None:
        return None
    fonts = rpr.find(f"{_W}rFonts")
    if fonts is None:
        return None
    return fonts.get(f"{_W}hAnsi") or fonts.get(f"{_W}ascii")


def _style_font(style) -> str | None:
    # Styles inherit from their base style; the first font found down the chain applies.
    seen = 0
    while style is not None and seen < 20:
        name = _rfonts_name(style.element.find(f"{_W}rPr"))
        if name:
            return name
        style = style.base_style
        seen += 1
    return None


class _FontResolver:
    """Effective font of a run: run properties, then character style, paragraph style, defaults."""

    def __init__(self, document):
        defaults = document.styles.element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        self.default = _rfonts_name(defaults)
        self._cache: dict[str, str | None] = {}

    def _cached_style_font(self, style) -> str | None:
        if style is None:
            return None
        key = style.style_id
        if key not in self._cache:
            self._cache[key] = _style_font(style)
        return self._cache[key]

    def font(self, run, paragraph_font: str | None) -> str | None:
        name = _rfonts_name(run._element.rPr)
        if name:
            return name
        try:
            char_style = run.style
        except (KeyError, ValueError, AttributeError):
            char_style = None
        if char_style is not None and char_style.style_id != "DefaultParagraphFont":
            name = self._cached_style_font(char_style)
            if name:
                return name
        return paragraph_font or self.default


def _convert_runs(pieces: list[tuple[str, str | None]]) -> str:
    """Join (text, font) pieces, converting legacy-font stretches as one string each."""
    out: list[str] = []
    group: list[str] = []
    group_key: tuple[str | None, bool] = (None, False)

    def flush() -> None:
        text = "".join(group)
        encoding, capital = group_key
        if encoding:
            text = legacy.CONVERTERS[encoding](text)
            if capital:
                text = text.upper()
        out.append(text)
        group.clear()

    for text, font in pieces:
        key = (legacy.font_encoding(font), legacy.is_capital_font(font))
        if key != group_key:
            flush()
            group_key = key
        group.append(text)
    flush()
    return "".join(out)


def _paragraph_text(paragraph, resolver: _FontResolver) -> str:
    try:
        style = paragraph.style
    except (KeyError, ValueError, AttributeError):
        style = None
    paragraph_font = resolver._cached_style_font(style)
    pieces = []
    for run in paragraph.iter_inner_content() if hasattr(paragraph, "iter_inner_content") else paragraph.runs:
        runs = run.runs if hasattr(run, "runs") else [run]  # hyperlinks hold runs
        for r in runs:
            pieces.append((r.text, resolver.font(r, paragraph_font)))
    return _convert_runs(pieces)


def _blocks(parent, resolver: _FontResolver, out: list[str], depth: int = 0) -> None:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in parent.iter_inner_content():
        if isinstance(child, Paragraph):
            out.append(_paragraph_text(child, resolver))
        elif isinstance(child, Table) and depth < 5:
            for row in child.rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    inner: list[str] = []
                    _blocks(cell, resolver, inner, depth + 1)
                    cells.append(" ".join(t.strip() for t in inner if t.strip()))
                out.append(" | ".join(c for c in cells if c))


def _docx_title(document, paragraphs: list[tuple[str, str]], legacy_used: bool) -> str | None:
    title = (document.core_properties.title or "").strip()
    if title:
        if legacy_used:
            title = legacy.best_conversion(title)[0]
        if meaningful_title(title):
            return title
    for text, style in paragraphs:
        if text.strip() and (style.startswith("title") or style.startswith("heading")):
            return text.strip()
    return None


# A DOCX is a ZIP archive: what it expands to is checked before anything is unpacked, so a small file
# that inflates to gigabytes (a "zip bomb") is refused instead of filling memory.
MAX_DOCX_EXPANDED_BYTES = 100 * 1024 * 1024


def _refuse_zip_bomb(path: pathlib.Path) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExtractError(f"unreadable DOCX: {exc}") from None
    if expanded > MAX_DOCX_EXPANDED_BYTES:
        raise ExtractError(
            f"DOCX expands to {expanded / 2**20:.0f} MB when unpacked "
            f"(limit {MAX_DOCX_EXPANDED_BYTES / 2**20:.0f} MB): refused as a possible zip bomb"
        )


def extract_docx(path: pathlib.Path) -> Extracted:
    try:
        import docx
    except ImportError:  # pragma: no cover - dependency missing
        raise ExtractError("DOCX support needs the Python package python-docx") from None
    import zipfile

    if not zipfile.is_zipfile(path):
        raise ExtractError("unreadable DOCX: not a complete ZIP archive (truncated?)")
    _refuse_zip_bomb(path)
    try:
        document = docx.Document(str(path))
        resolver = _FontResolver(document)
        lines: list[str] = []
        _blocks(document, resolver, lines)
        styled = []
        for paragraph in document.paragraphs[:50]:
            try:
                style_name = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
            except (KeyError, ValueError, AttributeError):
                style_name = ""
            styled.append((_paragraph_text(paragraph, resolver), style_name))
        legacy_used = _uses_legacy_fonts(document)
        text = "\n".join(lines)
        if not legacy_used:
            text, found = legacy.repair(text)
            legacy_used = found is not None
        title = _docx_title(document, styled, legacy_used)
        author = (document.core_properties.author or "").strip() or None
    except (ExtractError, MemoryError):  # (out of memory: the extraction worker's limit, told as such)
        raise
    except Exception as exc:  # zip, XML and python-docx errors of many kinds: skip the file, never crash
        raise ExtractError(f"unreadable DOCX: {type(exc).__name__}: {exc}") from None
    if author and legacy_used:
        author = legacy.best_conversion(author)[0]
    return Extracted(text=text, title=title, author=author)


def _uses_legacy_fonts(document) -> bool:
    names: set[str] = set()
    for fonts in document.element.body.iter(f"{_W}rFonts"):
        names.update(v for k, v in fonts.attrib.items() if k in (f"{_W}hAnsi", f"{_W}ascii"))
    for fonts in document.styles.element.iter(f"{_W}rFonts"):
        names.update(v for k, v in fonts.attrib.items() if k in (f"{_W}hAnsi", f"{_W}ascii"))
    return any(legacy.font_encoding(n) for n in names)


# --- Word 97-2003 -----------------------------------------------------------------------------
_PICTURE = re.compile(r"^\s*\[pic\]\s*$", re.MULTILINE)


def extract_doc(path: pathlib.Path) -> Extracted:
    antiword = tools.find_tool("antiword")
    if antiword is not None:
        # -w 0: paragraphs on one line; UTF-8 output keeps the soft hyphen that TCVN3 uses for "ư".
        out = tools.run([antiword, "-w", "0", "-m", "UTF-8.txt", str(path)], timeout=120, what="antiword")
        text = out.decode("utf-8", errors="replace")
    else:
        catdoc = tools.find_tool("catdoc")
        if catdoc is None:
            raise ExtractError("Word 97-2003 .doc needs antiword: install the Debian package antiword")
        out = tools.run([catdoc, "-w", "-d", "utf-8", str(path)], timeout=120, what="catdoc")
        text = out.decode("utf-8", errors="replace")
    text = _PICTURE.sub("", text)
    text, found = legacy.repair(text)
    return Extracted(text=text, encoding=found)


# --- RTF --------------------------------------------------------------------------------------
_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")
_TITLE = re.compile(r"\{\\title\s*([^{}]*)\}")


def extract_rtf(path: pathlib.Path) -> Extracted:
    import codecs

    from striprtf.striprtf import rtf_to_text

    data = path.read_bytes()
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ExtractError("not an RTF file")
    encoding = "cp1252"
    codepage = _CODEPAGE.search(data[:2048])
    if codepage:
        try:
            encoding = codecs.lookup(f"cp{int(codepage.group(1))}").name
        except LookupError:
            pass
    # RTF is 7-bit text; bytes above 0x7F (rare, raw 8-bit files) keep their value through latin-1.
    raw = data.decode("latin-1")
    try:
        text = rtf_to_text(raw, encoding=encoding, errors="replace")
    except MemoryError:
        raise
    except Exception as exc:  # striprtf raises plain exceptions on malformed groups
        raise ExtractError(f"unreadable RTF: {type(exc).__name__}: {exc}") from None
    text, found = legacy.repair(text)
    title = None
    match = _TITLE.search(raw)
    if match:
        try:
            title = rtf_to_text("{\\rtf1\\ansi " + match.group(1) + "}", encoding=encoding, errors="replace")
        except Exception:
            title = None
        if title:
            title = title.strip()
            if found:
                title = legacy.fix_lines(title, found)
            if not meaningful_title(title):
                title = None
    return Extracted(text=text, title=title, encoding=found)
