"""Load arrays from files and stdin: the data behind ``--let NAME=@PATH`` and ``load(...)``.

Formats: ``.npy``, ``.npz`` (``FILE.npz:KEY``, or a bare ``FILE.npz`` holding one array),
``.csv`` (as ``numpy.loadtxt(path, delimiter=",")`` reads it), ``.json`` (a number or a
rectangular nested list), and ``-`` for a JSON array on standard input.

Two promises hold for every format. Integers stay integers (int64; a ``.npy``/``.npz`` keeps
its own integer type), booleans stay booleans, and floats keep the file's float type where it
has one (``.npy``/``.npz``, as ``torch.from_numpy``); text formats (CSV, JSON, ``-``) give
``text_float`` (the caller's default dtype), float64 unless told. And
nothing is ever unpickled: object arrays are refused before their data is read. Every
problem is a ``GradcliError(kind="io")`` naming the file and what is wrong with it (or
``kind="limit"`` past ``max_elements``); no OSError or numpy traceback escapes.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tokenize
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, BinaryIO, NoReturn, TextIO

import numpy as np

from gradcli.errors import GradcliError
from gradcli.reading import check_data_file, check_path, read_bytes, read_text_stream

#: What each supported spec loads, in the order help texts list them.
_FORMATS: dict[str, str] = {
    ".npy": "a NumPy array file (never unpickled)",
    ".npz": "a NumPy archive: FILE.npz:KEY picks an array (the key may be omitted "
            "when it holds exactly one)",
    ".csv": "comma-separated numbers, one row per line ('#' starts a comment)",
    ".json": "a number or a rectangular nested list of numbers and booleans",
    "-": "a JSON array read from standard input",
}

#: The file extensions among them (the last spec, "-", is standard input).
_SUFFIXES = tuple(spec for spec in _FORMATS if spec.startswith("."))

#: numpy's limit on the number of dimensions (NPY_MAXDIMS in numpy 2).
_MAX_DIMS = 64

#: Strings accepted in JSON for the non-finite floats gradcli's own JSON output writes.
_JSON_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

#: numpy dtype kinds a tensor can hold: bool, signed int, unsigned int, float.
_NUMERIC_KINDS = "biuf"

#: What numpy's .npy reader raises on a damaged file (its header parser evaluates a Python
#: literal, hence the syntax and tokenizer errors); the zip ones come from .npz members.
_NPY_ERRORS = (ValueError, TypeError, EOFError, OSError, SyntaxError, tokenize.TokenError,
               zlib.error, zipfile.BadZipFile)


def supported_formats() -> dict[str, str]:
    """The data specs gradcli reads, each with a one-line description (for help texts)."""
    return dict(_FORMATS)


def load_data(spec: str, *, stdin: TextIO | None = None, max_elements: int | None = None,
              text_float: np.dtype | type = np.float64) -> np.ndarray:
    """Load the array that ``spec`` names: a path (``FILE.npz:KEY`` allowed) or ``-``.

    ``stdin`` replaces ``sys.stdin`` for ``-``. ``max_elements``, when given, refuses larger
    arrays with a ``limit`` error (for ``.npy``/``.npz`` before their data is read). Floats
    of a text format (CSV, JSON, ``-``) become ``text_float``; a binary file keeps its own.
    """
    if spec == "-":
        array = _json_to_array(_read_stdin(stdin), "standard input")
    else:
        array = _load_path(spec, max_elements)
    _check_size(array.size, _display(spec), max_elements)
    if array.dtype.kind == "f" and not _has_dtype(spec):
        array = array.astype(text_float)
    return array


def _has_dtype(spec: str) -> bool:
    """Whether the format stores its dtype (``.npy``, ``.npz``) rather than text."""
    if spec == "-":
        return False
    return os.path.splitext(_split_spec(spec)[0])[1].lower() in (".npy", ".npz")


# --- errors -------------------------------------------------------------------------------

def _display(spec: str) -> str:
    return "standard input" if spec == "-" else repr(spec)


def _io_error(name: str, problem: str, hint: str | None = None) -> GradcliError:
    # The position fields stay empty on purpose: GradcliError's line/column point into the
    # gradcli source (the `load(...)` call); a line of the data file goes in the message.
    return GradcliError("io", f"cannot load {name}: {problem}", hint=hint)


def _check_size(size: int, name: str, max_elements: int | None) -> None:
    if max_elements is not None and size > max_elements:
        raise GradcliError(
            "limit",
            f"cannot load {name}: it holds {size:,} elements, more than the limit of "
            f"{max_elements:,}",
            hint="raise the limit with --max-elements if you mean it")


# --- paths and raw input ------------------------------------------------------------------

def _split_spec(spec: str) -> tuple[str, str | None]:
    """Split ``FILE.npz:KEY`` into its path and key (``None`` when there is no key)."""
    if not spec:
        raise GradcliError("io", "cannot load data: the path is empty",
                           hint="write @FILE.npy, @FILE.npz:KEY, @FILE.csv, @FILE.json or @-")
    at = spec.lower().find(".npz:")
    if at < 0 or os.path.exists(os.path.expanduser(spec)):  # a real "x.npz:y" file wins
        return spec, None
    path, key = spec[:at + 4], spec[at + 5:]
    if not key:
        raise _io_error(repr(path), "the key after ':' is empty",
                        hint=f"name the array to load: {path}:KEY")
    return path, key


def _load_path(spec: str, max_elements: int | None) -> np.ndarray:
    path, key = _split_spec(spec)
    name = repr(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in _SUFFIXES:
        raise _unknown_format(name, suffix)
    fs_path = os.path.expanduser(path)  # the shell does not expand '~' after '@'
    if suffix == ".npy":
        with _open(fs_path, name) as fp:
            return _read_npy(fp, name, max_elements)
    if suffix == ".npz":
        return _load_npz(fs_path, path, key, max_elements)
    text = _decode(_read_file(fs_path, name), name)
    if suffix == ".csv":
        return _csv_to_array(text, name)
    return _json_to_array(text, name)


def _unknown_format(name: str, suffix: str) -> GradcliError:
    known = ", ".join(_SUFFIXES)
    base, _, _ = suffix.partition(":")
    if base in _SUFFIXES:
        return _io_error(name, "only .npz files take a ':KEY' suffix",
                         hint=f"gradcli reads {known}, and '-' for JSON on standard input")
    what = f"unknown file type '{suffix}'" if suffix else "the file name has no extension"
    return _io_error(name, f"{what}; supported: {known}",
                     hint="use '-' to read a JSON array from standard input")


@contextmanager
def _open(path: str, name: str) -> Iterator[BinaryIO]:
    """Open ``path`` for binary reading, turning every OSError into an io error."""
    check_path(path, name)
    try:
        # Not a `with` yet: open's own errors are mapped first. O_NONBLOCK: opening a FIFO
        # with no writer would wait for one; it is refused as no regular file instead.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        fp = os.fdopen(fd, "rb")
    except OSError as exc:
        raise _os_error(exc, path, name) from None
    with fp:
        try:
            size = check_data_file(fp.fileno(), name)
        except OSError as exc:
            raise _os_error(exc, path, name) from None
        if size == 0:
            raise _io_error(name, "the file is empty")
        yield fp


def _os_error(exc: OSError, path: str, name: str) -> GradcliError:
    if isinstance(exc, FileNotFoundError):
        hint = None if os.path.isabs(path) else f"the path is relative to {os.getcwd()}"
        return _io_error(name, "no such file", hint=hint)
    if isinstance(exc, IsADirectoryError):
        return _io_error(name, "it is a directory, not a file")
    if isinstance(exc, PermissionError):
        return _io_error(name, "permission denied", hint="check the file's permissions")
    return _io_error(name, exc.strerror or str(exc))


def _read_file(path: str, name: str) -> bytes:
    with _open(path, name) as fp:
        try:
            return read_bytes(fp, name)
        except OSError as exc:
            raise _os_error(exc, path, name) from None


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")  # tolerate the BOM some spreadsheet tools write
    except UnicodeDecodeError as exc:
        raise _io_error(
            name,
            f"it is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            hint="save it as UTF-8 text, or save binary arrays as .npy") from None


def _read_stdin(stdin: TextIO | None) -> str:
    stream: IO[str] | None = stdin if stdin is not None else sys.stdin
    if stream is None:
        raise _io_error("standard input", "there is no standard input")
    try:
        text = read_text_stream(stream, "standard input")
    except UnicodeDecodeError as exc:
        raise _io_error("standard input", f"it is not UTF-8 text ({exc.reason})") from None
    except (OSError, ValueError) as exc:  # ValueError: reading a closed stream
        raise _io_error("standard input", str(exc)) from None
    if not text.strip():
        raise _io_error("standard input", "no data arrived",
                        hint="pipe a JSON array in, e.g. echo '[1, 2, 3]' | gradcli ...")
    return text


# --- .npy and .npz --------------------------------------------------------------------------

def _read_npy(fp: BinaryIO | IO[bytes], name: str, max_elements: int | None) -> np.ndarray:
    """Read one .npy stream, checking its header before any data (never unpickles)."""
    if fp.read(6) != b"\x93NUMPY":
        raise _io_error(name, "not a .npy file (it does not start with the NPY magic string)",
                        hint="save arrays with numpy.save, or use a .csv or .json file")
    try:
        fp.seek(0)  # a pipe cannot seek: io.UnsupportedOperation is an OSError
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            # Format 3.0 exists only for structured dtypes with non-Latin-1 field names.
            raise _io_error(name, f".npy format version {version[0]}.{version[1]} holds "
                                  "structured records, not a numeric array")
    except _NPY_ERRORS as exc:
        raise _io_error(name, f"malformed .npy header ({exc})") from None
    _check_npy_dtype(dtype, name)
    _check_size(math.prod(shape), name, max_elements)
    try:
        fp.seek(0)
        array = np.lib.format.read_array(fp, allow_pickle=False)
    except MemoryError:
        raise _io_error(name, f"its {math.prod(shape):,} elements of {dtype} do not fit in "
                              "memory") from None
    except _NPY_ERRORS as exc:
        raise _io_error(name, f"malformed .npy data: truncated or corrupt ({exc})") from None
    if not array.dtype.isnative:  # big-endian files load as the machine's own byte order
        array = array.astype(array.dtype.newbyteorder("="))
    if array.dtype == np.uint64 and array.size and array.max() > _INT64_MAX:
        at = int(np.argmax(array > _INT64_MAX))
        where = _path(at, list(array.shape)) or "the value"
        raise _io_error(name, f"the uint64 value {int(array.flat[at])} at {where} does not fit "
                              "in int64, the widest integer type of a tensor",
                        hint="save it as float64 (array.astype(float)) to load it as floats")
    return array


def _check_npy_dtype(dtype: np.dtype, name: str) -> None:
    if dtype.hasobject:
        raise _io_error(
            name,
            "it holds Python objects (dtype object), which only unpickling could load; "
            "gradcli refuses pickled data",
            hint="save a numeric array instead, e.g. numpy.save(path, arr.astype(float))")
    if dtype.kind == "c":
        raise _io_error(name, f"complex numbers ({dtype}) are not supported",
                        hint="save the real and imaginary parts as separate arrays")
    if dtype.kind not in _NUMERIC_KINDS:
        raise _io_error(name, f"it holds {dtype} data, not numbers")


def _load_npz(fs_path: str, path: str, key: str | None,
              max_elements: int | None) -> np.ndarray:
    name = repr(path)
    with _open(fs_path, name) as fp:
        try:
            archive = zipfile.ZipFile(fp)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise _io_error(name, f"not a valid .npz archive ({exc})",
                            hint="save arrays with numpy.savez") from None
        with archive:
            member = _pick_member(archive, path, key)
            label = f"{name} (array {member[:-4]!r})"
            try:
                with archive.open(member) as stream:
                    return _read_npy(stream, label, max_elements)
            except (*_NPY_ERRORS, NotImplementedError) as exc:  # e.g. an unknown compression
                raise _io_error(label, f"corrupt archive member ({exc})") from None


def _pick_member(archive: zipfile.ZipFile, path: str, key: str | None) -> str:
    """The archive member holding array ``key`` (or the only array when no key is given)."""
    name = repr(path)
    members = [m for m in archive.namelist() if m.endswith(".npy")]
    keys = [m[:-4] for m in members]
    listing = ", ".join(keys)
    if key is None:
        if len(members) == 1:
            return members[0]
        if not members:
            raise _io_error(name, "the archive holds no arrays")
        raise _io_error(name, f"it holds {len(members)} arrays ({listing}); say which one",
                        hint=f"write {path}:KEY, e.g. {path}:{keys[0]}")
    if key + ".npy" not in members:
        have = f"its arrays are: {listing}" if members else "it holds no arrays"
        raise _io_error(name, f"no array named {key!r}; {have}")
    return key + ".npy"


# --- CSV ------------------------------------------------------------------------------------

def _csv_to_array(text: str, name: str) -> np.ndarray:
    """Parse CSV text the way ``numpy.loadtxt(..., delimiter=",")`` does, keeping ints."""
    rows, line_numbers = _csv_rows(text, name)
    cells = np.array(rows, dtype=str)
    array = _csv_numbers(cells, line_numbers, name)
    return array.squeeze()  # loadtxt's ndmin=0: one row or one column is a vector


def _csv_rows(text: str, name: str) -> tuple[list[list[str]], list[int]]:
    nul = text.find("\0")
    if nul >= 0:  # numpy would drop it silently: "2\x003" would load as 23
        at_line = text.count("\n", 0, nul) + 1
        column = text.count(",", text.rfind("\n", 0, nul) + 1, nul) + 1
        raise _io_error(name, f"line {at_line}, column {column}: the value holds a NUL character",
                        hint="CSV values must be numbers such as 3, -2.5, 1e-3, nan or inf")
    rows: list[list[str]] = []
    line_numbers: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0]
        if not content.strip():
            continue  # blank lines and comment lines are skipped, as by loadtxt
        row = [cell.strip() for cell in content.split(",")]
        if rows and len(row) != len(rows[0]):
            raise _io_error(
                name, f"line {number} has {_values(len(row))} but line {line_numbers[0]} "
                      f"has {len(rows[0])}",
                hint="every row of a CSV file needs the same number of values")
        rows.append(row)
        line_numbers.append(number)
    if not rows:
        raise _io_error(name, "it holds no numbers (only blank or comment lines)")
    return rows, line_numbers


def _values(count: int) -> str:
    return f"{count} value" if count == 1 else f"{count} values"


def _csv_numbers(cells: np.ndarray, line_numbers: list[int], name: str) -> np.ndarray:
    """int64 when every cell is an integer, else float64; a clear error for a bad cell."""
    try:
        return cells.astype(np.int64)
    except OverflowError:
        _raise_bad_cell(cells, line_numbers, name, overflow=True)
    except ValueError:
        pass  # not all integers: try floats
    try:
        return cells.astype(np.float64)
    except ValueError:
        _raise_bad_cell(cells, line_numbers, name, overflow=False)


def _cell_problem(cell: str, overflow: bool) -> str | None:
    """What is wrong with one CSV cell (``None`` if nothing): not a number, or too big."""
    if overflow:
        try:
            value = int(cell)
        except ValueError:
            return None
        if _INT64_MIN <= value <= _INT64_MAX:
            return None
        return f"the integer {cell} does not fit in 64 bits"
    if not cell:
        return "the value is empty"
    try:
        float(cell)
    except ValueError:
        return f"{cell!r} is not a number"
    return None


def _raise_bad_cell(cells: np.ndarray, line_numbers: list[int], name: str, *,
                    overflow: bool) -> NoReturn:
    """Find the first cell numpy could not convert and say where it is (slow path only)."""
    for r, row in enumerate(cells):
        for c, cell in enumerate(row):
            problem = _cell_problem(str(cell), overflow)
            if problem is None:
                continue
            if overflow:
                hint = "write it with a decimal point to load the data as floats"
            elif r == 0:
                hint = "header lines are not read: delete the line or start it with '#'"
            else:
                hint = "CSV values must be numbers such as 3, -2.5, 1e-3, nan or inf"
            raise _io_error(name, f"line {line_numbers[r]}, column {c + 1}: {problem}",
                            hint=hint)
    raise _io_error(name, "it holds a value that is not a number")  # numpy stricter than us


# --- JSON -----------------------------------------------------------------------------------

def _json_to_array(text: str, name: str) -> np.ndarray:
    if not text.strip():
        raise _io_error(name, "the JSON text is empty")
    try:
        document = json.loads(text)  # accepts NaN, Infinity and -Infinity as Python does
    except json.JSONDecodeError as exc:
        raise _io_error(name, f"invalid JSON at line {exc.lineno}, column {exc.colno}: "
                              f"{exc.msg}") from None
    except RecursionError:
        raise _io_error(name, "the JSON is nested too deeply") from None
    except ValueError:  # Python's int() refuses more than 4,300 digits
        raise _io_error(name, "it holds an integer of more than 4,300 digits, which does not "
                              "fit in 64 bits",
                        hint="write it with a decimal point to load the data as floats") from None
    shape, leaves = _json_shape(document, name)
    return _json_leaves_to_array(leaves, tuple(shape), name)


def _json_shape(document: object, name: str) -> tuple[list[int], list[object]]:
    """Walk a nested list level by level (no recursion): its shape and its flat leaves."""
    shape: list[int] = []
    level: list[object] = [document]
    while level:
        is_list = [isinstance(item, list) for item in level]
        if not any(is_list):
            return shape, level
        depth = len(shape) + 1
        hint = "JSON arrays must be rectangular, like [[1, 2], [3, 4]]"
        if not all(is_list):
            first_list, other = is_list.index(True), is_list.index(False)
            raise _io_error(name, f"ragged array at depth {depth}: the item at "
                                  f"{_path(first_list, shape)} is a list but the one at "
                                  f"{_path(other, shape)} is {_describe(level[other])}",
                            hint=hint)
        lengths = [len(item) for item in level]  # type: ignore[arg-type]
        if min(lengths) != max(lengths):
            odd = next(i for i, n in enumerate(lengths) if n != lengths[0])
            raise _io_error(name, f"ragged array at depth {depth}: the list at "
                                  f"{_path(0, shape)} has {_items(lengths[0])} but the one "
                                  f"at {_path(odd, shape)} has {_items(lengths[odd])}",
                            hint=hint)
        if depth > _MAX_DIMS:
            raise _io_error(name, f"it has more than {_MAX_DIMS} dimensions")
        shape.append(lengths[0])
        level = [leaf for item in level for leaf in item]  # type: ignore[attr-defined]
    return shape, level  # an empty list somewhere: no leaves at all


def _path(flat_index: int, shape: list[int]) -> str:
    """The JSON index path (``[1][0]``) of item ``flat_index`` of a level of ``shape``."""
    index = np.unravel_index(flat_index, tuple(shape)) if shape else ()
    return "".join(f"[{int(i)}]" for i in index)


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _where(flat_index: int, shape: tuple[int, ...]) -> str:
    """How an error message names one leaf: its index path, or the whole document."""
    return f"the item at {_path(flat_index, list(shape))}" if shape else "the JSON value"


#: The smallest integer that a 64-bit float cannot hold (float() of it overflows).
_FLOAT_OVERFLOW = 2**1024 - 2**970


def _json_leaves_to_array(leaves: list[object], shape: tuple[int, ...],
                          name: str) -> np.ndarray:
    """The array of ``shape`` holding ``leaves``: bool, int64 or float64 by what they are."""
    kinds: set[type] = set()
    for i, leaf in enumerate(leaves):
        kind = type(leaf)
        if kind is str and leaf in _JSON_NONFINITE:
            kind = float
        elif kind not in (bool, int, float):
            raise _io_error(name, f"{_where(i, shape)} is {_describe(leaf)}, not a number",
                            hint=_json_hint(leaf))
        kinds.add(kind)
    if float in kinds or not kinds:  # no leaves: numpy's default float64, like np.array([])
        values = [_JSON_NONFINITE.get(v, v) if type(v) is str else v  # type: ignore[call-overload]
                  for v in leaves]
        for i, value in enumerate(values):
            if type(value) is int and abs(value) >= _FLOAT_OVERFLOW:
                raise _io_error(name, f"{_where(i, shape)} is an integer too large for a "
                                "64-bit float (the array holds floats)",
                                hint="write it as a float (1e308 is about the largest)")
        return np.array(values, dtype=np.float64).reshape(shape)
    if int in kinds:  # booleans among integers count as 0 and 1, as in PyTorch
        _check_int64(leaves, shape, name)
        return np.array(leaves, dtype=np.int64).reshape(shape)
    return np.array(leaves, dtype=np.bool_).reshape(shape)


def _check_int64(leaves: list[object], shape: tuple[int, ...], name: str) -> None:
    for i, leaf in enumerate(leaves):
        if type(leaf) is int and not _INT64_MIN <= leaf <= _INT64_MAX:
            raise _io_error(name, f"{_where(i, shape)} is the integer {leaf}, which does "
                                  "not fit in 64 bits",
                            hint="write it with a decimal point to load the data as floats")


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:17] + "..."
        return f"the string {shown!r}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a boolean" if isinstance(value, bool) else "a number"


def _json_hint(value: object) -> str | None:
    if isinstance(value, str):
        return 'only "NaN", "Infinity" and "-Infinity" may be written as strings'
    if value is None:
        return "write NaN for a missing value"
    return None
