"""Plain-text files in the encodings Vietnamese offices produce.

Order of decisions: byte-order marks; BOM-less UTF-16 (recognised by its NUL bytes); valid UTF-8; then
the 8-bit candidates that matter in Vietnam (Windows-1258, TCVN3, VNI-Windows), ranked by how many of
the resulting words are valid Vietnamese syllables. charset-normalizer only gets a say when none of
those reads as Vietnamese (a French or Russian file, say).
"""

from __future__ import annotations

import unicodedata

from . import legacy, viet
from .base import ExtractError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit in one column only, as ASCII-heavy UTF-16 does."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f\v\x1a")
    return "\x00" in text or controls > max(8, len(text) // 100)


def _eight_bit(data: bytes) -> tuple[str, str]:
    candidates: list[tuple[int, int, str, str]] = []
    for rank, name in enumerate(("cp1258", "tcvn3", "vni")):
        if name == "cp1258":
            try:
                text = data.decode("cp1258")
            except UnicodeDecodeError:
                continue
        elif name == "tcvn3":
            text = legacy.decode_tcvn3(data)
        else:
            text = legacy.decode_vni(data)
        # Ties go to the earlier (more common) encoding.
        candidates.append((viet.score(text), -rank, text, name))
    best = max(candidates)
    if best[0] > 0:
        return best[2], best[3]
    from charset_normalizer import from_bytes  # only for non-Vietnamese text

    match = from_bytes(data).best()
    if match is not None and match.encoding:
        return str(match), match.encoding
    return data.decode("cp1252", errors="replace"), "cp1252"


def decode_text_bytes(data: bytes) -> tuple[str, str]:
    """Decode a text file's bytes; returns (NFC text with LF line ends, encoding name).

    Raises ExtractError("binary content") for bytes that are not text.
    """
    encoding = None
    text = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                raise ExtractError(f"invalid {name} text") from None
            encoding = name
            break
    if text is None and (utf16 := _utf16_without_bom(data)):
        try:
            text, encoding = data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if text is None:
        if b"\x00" in data:
            raise ExtractError("binary content")
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _eight_bit(data)
        if encoding == "utf-8":
            # UTF-8 files re-saved from legacy-font text still carry TCVN3/VNI letters.
            text, legacy_name = legacy.repair(text)
            if legacy_name:
                encoding = f"utf-8+{legacy_name}"
    if _looks_binary(text):
        raise ExtractError("binary content")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    assert encoding is not None  # (set with the text)
    return unicodedata.normalize("NFC", text), encoding
