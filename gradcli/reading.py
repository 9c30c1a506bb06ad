"""Bounded reading (SPEC section 6, --max-input): scripts, stdin and data files stop at a limit.

No read is ever unbounded: a script, standard input (``run -``, ``@-``, ``load('-')``), a
line of ``eval -`` and a data file each give a ``limit`` error naming --max-input once more
than that many bytes arrive, having held at most that many. Data files must be regular files
(never a device or a FIFO: ``/dev/zero`` behind a symlink named ``zero.csv`` is refused
before a byte is read), and their size is taken from the file system, not by reading them.
"""

from __future__ import annotations

import os
import stat
from typing import IO, Any

from .errors import GradcliError
from .limits import MAX_INPUT

#: The limit of this run; the command line sets it from --max-input.
LIMIT = {"max_input": MAX_INPUT}

#: Bytes read at a time.
_CHUNK = 1 << 20


def set_max_input(n: int) -> None:
    LIMIT["max_input"] = int(n)


def too_long(what: str) -> GradcliError:
    """The error for input that goes on past --max-input."""
    limit = LIMIT["max_input"]
    return GradcliError(
        "limit", f"{what} is longer than the limit of {limit:,} bytes (--max-input)",
        hint="raise the limit with --max-input N (bytes) if the input is really that big")


def read_bytes(fp: IO[bytes] | Any, what: str) -> bytes:
    """All of ``fp``, or a limit error as soon as more than --max-input bytes arrived."""
    limit = LIMIT["max_input"]
    read = getattr(fp, "read1", None) or fp.read
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            raise too_long(what)


def read_text_stream(stream: Any, what: str) -> str:
    """A text stream's contents (standard input), bounded; bytes decoded as ``stream`` would."""
    binary = getattr(stream, "buffer", None)
    if binary is None:  # a text stream with no bytes below it (io.StringIO)
        text = stream.read(LIMIT["max_input"] + 1)
        if len(text) > LIMIT["max_input"]:
            raise too_long(what)
        return str(text)
    return decode_text(read_bytes(binary, what), what,
                       getattr(stream, "encoding", None) or "utf-8")


def decode_text(data: bytes, what: str, encoding: str = "utf-8") -> str:
    """``data`` as text with universal newlines (what ``open(path, encoding=...)`` gives: a
    lone ``\r`` ends a line too), or an io error at the first byte that is not text."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        name = e.encoding.upper().replace("UTF8", "UTF-8").replace("_", "-")
        raise GradcliError("io", f"cannot read {what}: not {name} text ({e.reason} at byte "
                           f"{e.start})", hint=f"save it as {name} (e.g. iconv -t {name})"
                           ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_path(path: str, name: str) -> None:
    """Refuse a path the operating system cannot take (a NUL inside it) as an io error."""
    if "\0" in path:
        raise GradcliError("io", f"cannot open {name}: the path contains a NUL character",
                           hint="file names cannot contain NUL (\\0)")


def check_data_file(fd: int, name: str) -> int:
    """The size of the open data file ``fd``; an error if it is no regular file or too big."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        kind = ("a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a socket"
                if stat.S_ISSOCK(info.st_mode) else "not a regular file")
        raise GradcliError("io", f"cannot load {name}: it is {kind}, not a regular file",
                           hint="data files must be regular files; pipe data in with @- instead")
    if info.st_size > LIMIT["max_input"]:
        raise too_long(f"{name} ({info.st_size:,} bytes)")
    return info.st_size


def read_script(path: str) -> str:
    """A script file's text, bounded by --max-input (a FIFO such as <(...) is allowed)."""
    check_path(path, repr(path))
    try:
        with open(path, "rb") as f:
            data = read_bytes(f, f"the script '{path}'")
    except FileNotFoundError:
        raise GradcliError("io", f"cannot read '{path}': no such file",
                           hint=f"the working directory is {os.getcwd()}") from None
    except IsADirectoryError:
        raise GradcliError("io", f"cannot read '{path}': it is a directory") from None
    except OSError as e:
        raise GradcliError("io", f"cannot read '{path}': {e.strerror}") from None
    return decode_text(data, f"'{path}'")
