"""``gradcli eval -`` reads stdin in batches of the lines that have arrived: the same lines,
numbers and text as iterating sys.stdin line by line with universal newlines."""

from __future__ import annotations

import io
import re

from hypothesis import given
from hypothesis import strategies as st

from gradcli.stdin_lines import NotText, line_batches


def _stdin(data: bytes, errors: str = "surrogateescape",
           newline: str | None = "\n") -> io.TextIOWrapper:
    # As Python makes sys.stdin on POSIX: lines end at "\n" only.
    return io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)), encoding="utf-8",
                            errors=errors, newline=newline)


def _line_by_line(data: bytes) -> list[str]:
    """The lines with universal newlines (a lone "\r" ends one, as in a script), each byte
    that is not UTF-8 a U+FFFD."""
    return [re.sub("[\udc80-\udcff]", "\ufffd", line.removesuffix("\n"))
            for line in _stdin(data, newline=None)]


def _batched(data: bytes, chunk_size: int) -> list[str]:
    return [line for batch in line_batches(_stdin(data), chunk_size) for line in batch]


@given(st.lists(st.sampled_from(["x", "\n", "\r", "\r\n", "é", "€", "\U0001F600", " ",
                                 "sum(x)", "\xff", "#"]), max_size=40),
       st.integers(min_value=1, max_value=9))
def test_the_same_lines_as_line_by_line(parts: list[str], chunk_size: int) -> None:
    # "\xff" stands for a byte that is not UTF-8; multi-byte characters split across reads.
    data = b"".join(b"\xff" if p == "\xff" else p.encode() for p in parts)
    assert _batched(data, chunk_size) == _line_by_line(data)
    bad = [line for line in _batched(data, chunk_size) if "\ufffd" in line]
    assert all(isinstance(line, NotText) and line.error.kind == "io" for line in bad)


def test_a_batch_holds_what_one_read_brought() -> None:
    data = b"a\nb\nc\nd"
    assert list(line_batches(_stdin(data), 4)) == [["a", "b"], ["c"], ["d"]]
    assert list(line_batches(_stdin(data))) == [["a", "b", "c"], ["d"]]
    assert list(line_batches(_stdin(b""))) == []
    assert list(line_batches(_stdin(b"\n\n"))) == [["", ""]]


def test_a_text_stream_without_bytes_is_read_line_by_line() -> None:
    assert list(line_batches(io.StringIO("a\r\nb\n\nc"))) == [["a\r"], ["b"], [""], ["c"]]
