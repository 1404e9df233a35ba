"""The term table of sorted, prefix-shared blocks (searcher.index.codec.termtable): every key is found
with its value, no other key is, and reads from a key on give the keys in order."""

import bisect
import io
import random
from itertools import islice

import pytest

from searcher.index.codec import termtable
from searcher.index.codec.termtable import TermTable, TermTableError, TermTableWriter


class _File(io.BytesIO):
    def close(self):  # (the writer closes its file: the bytes are kept to be read)
        pass


def _rows(count: int, seed: int = 1) -> list[tuple[bytes, bytes]]:
    """Keys of a few letters sharing long prefixes, some over 127 bytes (lengths of two-byte varints),
    values empty, short or long."""
    rng = random.Random(seed)
    keys = set()
    while len(keys) < count:
        length = rng.randint(1, 300) if rng.random() < 0.02 else rng.randint(1, 7)
        keys.add(b"\x00\x01" + bytes(rng.choice(b"ab\xc3\x80") for _ in range(length)))
    return [
        (key, bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 6, 130])))) for key in sorted(keys)
    ]


def _written(
    rows, block_terms: int = termtable.BLOCK_TERMS, extras=None, pending: int | None = None
) -> bytes:
    out = _File()
    writer = TermTableWriter(out, block_terms)
    if pending is not None:  # rows written in smaller runs, ending anywhere in a block
        writer.PENDING_ROWS = pending
    writer.extras.update(extras or {})
    half = len(rows) // 2
    writer.add_rows(rows[:half])
    for key, value in rows[half:]:
        writer.add(key, value)
    writer.close()
    return out.getvalue()


# sizes around the blocks and the sampled keys' edges
@pytest.mark.parametrize(
    "count, block_terms", [(1, 16), (16, 16), (17, 16), (3000, 1), (3000, 2), (9000, 16)]
)
@pytest.mark.parametrize("pending", [None, 7])
def test_every_key_is_found_with_its_value_and_no_other(count, block_terms, pending):
    rows = _rows(count)
    written = _written(rows, block_terms, {"fieldmap": {"body": 0}}, pending)
    assert written == _written(rows, block_terms, {"fieldmap": {"body": 0}}, 1)  # the same bytes however run
    table = TermTable(memoryview(written))
    assert table.extras == {"fieldmap": {"body": 0}} and len(table) == count
    assert list(table.items()) == rows
    values = dict(rows)
    keys = [key for key, _ in rows]
    for key, value in rows:
        assert table[key] == value
        for missing in (key[:-1], key + b"\x00", key[:-1] + bytes([key[-1] + 1])):
            assert table.get(missing) == values.get(missing)
            assert (missing in table) == (missing in values)
    for probe in [key for key, _ in rows[:: max(1, count // 200)]] + [b"", b"\x00", b"\x00\x01a", b"\xff"]:
        for start in (probe, probe[:-1], probe + b"\x00"):
            at = bisect.bisect_left(keys, start)
            assert list(islice(table.keys_from(start), 40)) == keys[at : at + 40]
            assert list(islice(table.items_from(start), 3)) == rows[at : at + 3]
    assert list(table.keys_from(keys[count // 2])) == keys[count // 2 :]
    with pytest.raises(KeyError):
        table[b"\xff"]


def test_an_empty_table_has_no_keys():
    table = TermTable(_written([]))
    assert len(table) == 0 and list(table.items()) == [] and table.get(b"a") is None
    assert list(table.keys_from(b"a")) == []


def test_keys_must_increase():
    writer = TermTableWriter(_File())
    writer.add(b"b", b"1")
    for key in (b"b", b"a"):
        with pytest.raises(ValueError, match="Keys must increase"):
            writer.add(key, b"2")
    with pytest.raises(ValueError, match="Keys must increase"):
        writer.add_rows([(b"c", b""), (b"c", b"")])


def test_prefixes_are_written_once():
    rows = [(b"\x00\x05" + f"phường {n:05d}".encode(), b"v") for n in range(2000)]
    size = len(_written(rows))
    whole = sum(len(key) + len(value) for key, value in rows)
    assert whole == 36_000 and size < 2000 * 7  # each entry: 4 bytes of lengths, a key's last bytes, a value


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],  # cut short
        lambda data: data[: len(data) // 2],
        lambda data: b"HSH3" + data[4:],  # another format
        lambda data: data[:-30] + bytes([data[-30] ^ 0xFF]) + data[-29:],  # the trailer altered
    ],
)
def test_a_damaged_table_is_refused(damage):
    data = _written(_rows(500), extras={"fieldmap": {"body": 0}})
    with pytest.raises(TermTableError):
        table = TermTable(damage(data))
        table.get(b"\x00\x01a")  # (the sampled keys are read at the first look-up)
