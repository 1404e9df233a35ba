"""Folding that keeps offsets: one character in, one character out.

A match found in the folded copy of a text has the same offsets in the original, so snippets,
passages, place tagging and duplicate detection can search the folded copy and slice the original.
"""

from __future__ import annotations

import threading

import numpy as np

from .normalize import fold


class _FoldTable(dict):
    """char code -> its lowercase folded form, kept only where that is exactly one character (so
    offsets hold); filled as ``str.translate`` meets new characters, so no pass over the text first."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        lower = ch.lower()
        folded = fold(lower) if len(lower) == 1 else ch
        self[code] = result = folded if len(folded) == 1 else (lower if len(lower) == 1 else ch)
        return result


_FOLD_TABLE = _FoldTable()
FOLDED_BY_ARRAY = 0x3000  # Latin, Vietnamese, Greek, Cyrillic and common punctuation: folded by array
_BLOCK = 256


class _FoldArray:
    """:data:`_FOLD_TABLE` for the first :data:`FOLDED_BY_ARRAY` code points as a numpy lookup table,
    filled a block of 256 code points at a time as texts need them: folding every code point up
    front costs ~0.1 s (a transliteration per character), too much for a command's cold start."""

    def __init__(self):
        self.table = np.arange(FOLDED_BY_ARRAY, dtype=np.uint32)
        self.ready = np.zeros(FOLDED_BY_ARRAY // _BLOCK, dtype=bool)
        self.lock = threading.Lock()

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        if not self.ready.all():
            used = np.bincount(codes >> 8, minlength=len(self.ready)) > 0
            missing = np.flatnonzero(used & ~self.ready)
            if len(missing):
                with self.lock:
                    for block in missing.tolist():
                        start = block * _BLOCK
                        self.table[start : start + _BLOCK] = [
                            ord(_FOLD_TABLE[c]) for c in range(start, start + _BLOCK)
                        ]
                        self.ready[block] = True
        return self.table[codes]


_FOLD_ARRAY = _FoldArray()


# The last text folded and its fold (one tuple: thread-safe). A memo rather than the fold handed on:
# places are found in ingest and duplicate keys in the indexer's loop, which would have to carry it.
_last_folded: tuple[str | None, str] = (None, "")


def fold_offsets_preserved(text: str) -> str:
    """``text`` lowercased and folded, with ``len(result) == len(text)`` and aligned characters.

    Looked up as an array of code points (8x faster than ``str.translate``, which calls back into
    the table for each character); text with rarer characters takes the per-character path. The
    last text's fold is kept: indexing folds a text for its places, then for its duplicate keys."""
    global _last_folded
    last = _last_folded
    if last[0] is text:
        return last[1]
    folded = folded_codes(text).tobytes().decode("utf-32-le", errors="surrogatepass")
    _last_folded = (text, folded)
    return folded


def folded_codes(text: str) -> np.ndarray:
    """The code points of :func:`fold_offsets_preserved`'s result, as a numpy array."""
    codes = np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    if codes.size and int(codes.max()) >= FOLDED_BY_ARRAY:
        return np.frombuffer(
            text.translate(_FOLD_TABLE).encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32
        )
    return _FOLD_ARRAY.lookup(codes)
