"""Text extraction from the files users drop into a folder: one extractor per file type.

>>> from searcher.ingest.extract import extract_file
>>> doc = extract_file(path)          # doctest: +SKIP
>>> doc.text, doc.title, doc.encoding  # doctest: +SKIP

Every extractor returns an :class:`Extracted` with NFC text whose paragraphs are separated by "\\n",
or raises :class:`ExtractError` with a reason for the skip log. Heavy libraries are imported inside the
extractors, so importing this package is cheap.
"""

from __future__ import annotations

import pathlib
import re
import unicodedata

from .base import Extracted, ExtractError
from .text import decode_text_bytes

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ExtractError",
    "Extracted",
    "SUPPORTED_SUFFIXES",
    "decode_text_bytes",
    "extract_file",
    "parse_size",
    "too_large_reason",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".docx", ".doc", ".rtf", ".pdf"})

# Offices rename files freely (RTF saved as .doc, DOCX as .doc), so the leading bytes pick the reader
# among the word-processor formats.
_MAGIC = ((b"{\\rtf", ".rtf"), (b"PK\x03\x04", ".docx"), (b"\xd0\xcf\x11\xe0", ".doc"))


def _kind(path: pathlib.Path, suffix: str) -> str:
    if suffix not in (".doc", ".docx", ".rtf"):
        return suffix
    with path.open("rb") as fh:
        head = fh.read(8)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return suffix


def _extract(path: pathlib.Path, kind: str, data: bytes | None) -> Extracted:
    if kind in (".txt", ".md"):
        from .text import decode_text_bytes

        text, encoding = decode_text_bytes(path.read_bytes() if data is None else data)
        return Extracted(text=text, encoding=encoding)
    if kind in (".html", ".htm"):
        from .html import extract_html

        return extract_html(path.read_bytes() if data is None else data)
    if kind == ".docx":
        from .office import extract_docx

        return extract_docx(path)
    if kind == ".doc":
        from .office import extract_doc

        return extract_doc(path)
    if kind == ".rtf":
        from .office import extract_rtf

        return extract_rtf(path)
    if kind == ".pdf":
        from .pdf import extract_pdf

        return extract_pdf(path)
    raise ExtractError(f"unsupported file type {kind or '(no extension)'}")


_SPACES = re.compile(r"[ \t\u00a0]+")


def _tidy(text: str) -> str:
    """NFC, LF line ends, no trailing spaces and no empty lines: one paragraph per line."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", re.I)


def parse_size(text: str) -> int:
    """Bytes in a size written as ``50MB``, ``512k``, ``1.5G`` or a plain number of bytes.

    >>> parse_size("50MB"), parse_size("512k"), parse_size("1000")
    (52428800, 524288, 1000)
    """
    match = _SIZE.match(str(text))
    if not match:
        raise ValueError(f"not a size: {text!r} (write e.g. 50MB, 512KB or a number of bytes)")
    scale = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def too_large_reason(size: int, max_bytes: int, what: str = "file") -> str:
    return f"{what} too large ({_human(size)} > {_human(max_bytes)} limit)"


def _human(n: int) -> str:
    for unit, scale in (("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


def extract_file(
    path: pathlib.Path, max_bytes: int = DEFAULT_MAX_BYTES, data: bytes | None = None
) -> Extracted:
    """Extract text and the metadata the format provides; raises ExtractError for files to skip.

    :param max_bytes: files larger than this are skipped unread.
    :param data: the file's bytes when the caller has read them already (text and HTML use them).
    Plain text keeps its line structure (blank lines between paragraphs), so portal pages saved as text
    are cleaned line by line later; other formats come out as one paragraph per line.
    """
    path = pathlib.Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ExtractError(f"unsupported file type {suffix or '(no extension)'}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExtractError(f"cannot read file: {exc.strerror or exc}") from None
    if not path.is_file():
        raise ExtractError("not a regular file")
    if size == 0:
        raise ExtractError("empty file")
    if size > max_bytes:
        raise ExtractError(too_large_reason(size, max_bytes))
    try:
        kind = _kind(path, suffix)
        result = _extract(path, kind, data)
    except ExtractError:
        raise
    except OSError as exc:
        raise ExtractError(f"cannot read file: {exc.strerror or exc}") from None
    if kind in (".txt", ".md"):
        result.text = unicodedata.normalize("NFC", result.text)
    else:
        result.text = _tidy(result.text)
    if not result.text.strip():
        raise ExtractError("no text found")
    if result.title is not None:
        result.title = _tidy(result.title).replace("\n", " ") or None
    return result
