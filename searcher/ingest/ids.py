"""Document ids: what a valid id is, how one is made from a file's name or a record's id, and the
forms that make it unique.

The indexer makes every id with :func:`make_id`, and the command line and the web app check an id
with :func:`is_valid_id` (and publish :data:`DOC_ID_PATTERN`), so that every id an index can hold can
be shown, put in a link (``/doc?id=``, percent-encoded by the web app) and looked up again. An id is
text a terminal and a URL can carry: at most :data:`MAX_ID_CHARS` characters, no control character
(a tab or a newline in a file name is written ``\\t``, ``\\n``), no byte that is not UTF-8 (written
``\\xe1``, as the file system holds it), never absolute and never climbing out with ``..``, so that it
reads as the relative path it usually is.

Uniqueness (:func:`id_forms`) is the indexer's: a document takes the first of its forms that no
other source holds. A file is first named by its path relative to the folder indexed
(``report.txt``), then with that folder's name before it (``B/report.txt``); a JSON Lines record by
its own ``id``, then by its file and id (``2018.jsonl#123``), then with the folder's name too; the
last form adds a hash of the source's full path, which nothing else holds.
"""

from __future__ import annotations

import hashlib
import os
import re

# A long id is cut and ends with "~" and a hash of the whole: a link stays short enough for any server's
# request line (gunicorn reads at most 4 kB of it; 255 characters are at most 2.3 kB percent-encoded).
MAX_ID_CHARS = 255
HASH_CHARS = 16

# The characters no id holds: C0 and C1 control characters, DEL, and lone surrogates (the bytes of a
# file name that are not UTF-8, as Python's file system functions hand them over).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# ".." as a whole segment of a path, and a leading slash or backslash
_CLIMB = re.compile(r"(^|[/\\])\.\.(?=[/\\]|$)")
_LEADING = {"/": "%2F", "\\": "%5C"}

# A valid id, as :func:`is_valid_id` checks it (also a JSON Schema "pattern" in /openapi.json; a lone
# surrogate, refused too, cannot come in a URL: a request's bytes that are not UTF-8 are read as U+FFFD).
DOC_ID_PATTERN = r"^(?![/\\])(?!(.*[/\\])?\.\.([/\\]|$))[^\x00-\x1f\x7f-\x9f]{1," + str(MAX_ID_CHARS) + "}$"
_VALID = re.compile(DOC_ID_PATTERN, re.S)


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode keeps it (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str | os.PathLike) -> str:
    """``text`` (a path or a name) as a line of a terminal, a JSON string or a page can show it: control
    characters and bytes that are not UTF-8 written as escapes (``\\t``, ``\\n``, ``\\x1b``, ``\\xe1``).

    >>> printable("b\\udce1o c\\udce1o.txt"), printable("a\\tb.txt")
    ('b\\\\xe1o c\\\\xe1o.txt', 'a\\\\tb.txt')
    """
    return _UNSAFE.sub(_escape, os.fspath(text))


def is_valid_id(value: str | None) -> bool:
    """Whether ``value`` is an id the indexer could have made (the web app refuses any other)."""
    return bool(value) and _VALID.match(value) is not None and _UNSAFE.search(value) is None  # type: ignore[arg-type]


def make_id(text: str) -> str:
    """The valid id for ``text`` (a relative path or a record's id): escaped as :func:`printable`
    does, ``..`` segments and a leading slash written ``%2E%2E`` and ``%2F``, and over
    :data:`MAX_ID_CHARS` characters cut, with a hash of the whole text after ``~``."""
    value = printable(text)
    value = _CLIMB.sub(lambda m: m.group(1) + "%2E%2E", value)
    if value[:1] in _LEADING:
        value = _LEADING[value[0]] + value[1:]
    if not value:
        value = "%00"  # (an empty record id is refused before; a name is never empty)
    if len(value) > MAX_ID_CHARS:
        value = with_hash(value, value)
    return value


def with_hash(value: str, salt: str) -> str:
    """``value`` cut to leave room for ``~`` and a hash of ``salt``: the same inputs, the same id."""
    digest = hashlib.blake2b(salt.encode("utf-8", "surrogatepass"), digest_size=HASH_CHARS // 2).hexdigest()
    return value[: MAX_ID_CHARS - HASH_CHARS - 1] + "~" + digest


def id_forms(preferred: list[str], salt: str) -> list[str]:
    """The ids a document may take, in order: each of ``preferred`` made valid, then the last with a
    hash of ``salt`` (the source's full path, and the record's id) that no other source shares."""
    forms: list[str] = []
    for text in preferred:
        value = make_id(text)
        if value not in forms:
            forms.append(value)
    forms.append(with_hash(forms[-1], salt))
    return forms
