"""PyTorch's ``repr(tensor)`` text, reproduced character for character on numpy arrays.

The rules follow PyTorch 2.x (``torch/_tensor_str.py``) with its default print options:
linewidth 80, summarisation above 1000 elements showing 3 edge items per dimension, and
automatic choice between fixed, integer-valued and scientific float notation. The golden
corpus in ``tests/golden/repr_cases.json`` is PyTorch's own output and is the judge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["scalar_repr", "size_repr", "tensor_repr"]

LINEWIDTH = 80
THRESHOLD = 1000
EDGEITEMS = 3
PREFIX = "tensor("

_NUMPY_DTYPES: dict[str, type[np.generic]] = {
    "float32": np.float32,
    "float64": np.float64,
    "int64": np.int64,
    "int32": np.int32,
    "bool": np.bool_,
}
_FLOAT_DTYPES = frozenset({"float32", "float64"})


@dataclass(frozen=True)
class _Formatter:
    """How every element of one tensor is written: one style and one common width."""

    style: str  # "plain" (int, bool), "integral" (whole floats), "fixed" or "sci"
    width: int
    precision: int

    def text(self, value: float | int | bool) -> str:
        """The element unpadded, as PyTorch formats it before alignment."""
        if self.style == "plain":
            return str(value)
        if self.style == "sci":
            return f"{value:.{self.precision}e}"
        if self.style == "integral":
            # The trailing dot marks a float tensor; nan and inf need no such mark.
            return f"{value:.0f}" + ("." if math.isfinite(value) else "")
        return f"{value:.{self.precision}f}"

    def format(self, value: float | int | bool) -> str:
        """The element right-aligned to the common width (never truncated)."""
        return self.text(value).rjust(self.width)


def _edge_indices(n: int, summarize: bool) -> np.ndarray:
    """Indices shown along a dimension of length ``n``: all, or the edges when summarised."""
    if summarize and n > 2 * EDGEITEMS:
        return np.concatenate((np.arange(EDGEITEMS), np.arange(n - EDGEITEMS, n)))
    return np.arange(n)


def _shown_values(data: np.ndarray, summarize: bool) -> np.ndarray:
    """The elements that will be printed; only they decide the style and width."""
    if data.ndim == 0:
        return data.reshape(1)
    picks = [_edge_indices(n, summarize) for n in data.shape]
    return np.asarray(data[np.ix_(*picks)]).ravel()


def _extremes(values: np.ndarray) -> list[float]:
    """Largest and smallest magnitude of each sign.

    Rounded text length grows with magnitude (and an exponent's length with its size), so
    the widest element is always one of these; formatting a million elements is not needed.
    """
    positive, negative = values[values > 0], values[values < 0]
    picks = [part for part in (positive, negative) if part.size]
    return [float(f(part)) for part in picks for f in (np.min, np.max)]


def _float_formatter(values: np.ndarray, precision: int) -> _Formatter:
    """Choose fixed, integer-valued or scientific notation as PyTorch's ``_Formatter`` does."""
    values = values.astype(np.float64)
    finite = values[np.isfinite(values) & (values != 0)]
    if finite.size == 0:
        # Zeros, nan and inf only: integer style, and non-finite values add no width.
        return _Formatter("integral", 1, precision)
    magnitudes = np.abs(finite)
    largest, smallest = float(magnitudes.max()), float(magnitudes.min())
    integral = bool(np.all(finite == np.ceil(finite)))
    sci = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
    style = "sci" if sci else ("integral" if integral else "fixed")
    probe = _Formatter(style, 1, precision)
    width = max(len(probe.text(v)) for v in _extremes(finite))
    return _Formatter(style, max(1, width), precision)


def _plain_formatter(values: np.ndarray) -> _Formatter:
    """Integer and boolean elements: ``str`` of the value, aligned to the widest."""
    if values.dtype == np.bool_:
        width = 4 if values.all() else 5
    else:
        width = max(len(str(int(values.max()))), len(str(int(values.min()))))
    return _Formatter("plain", width, 0)


def _vector_str(row: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    """One 1-D row, wrapped so that each line holds as many whole elements as fit."""
    cells = [fmt.format(v) for v in row[_edge_indices(row.size, summarize)].tolist()]
    if summarize and row.size > 2 * EDGEITEMS:
        # The ellipsis counts as one element when lines are filled.
        cells.insert(EDGEITEMS, " ...")
    per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
    lines = [", ".join(cells[i : i + per_line]) for i in range(0, len(cells), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body_str(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    """The bracketed nested body; sub-tensors of rank k are separated by k-1 blank lines."""
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, fmt)
    n = data.shape[0]
    rows = _edge_indices(n, summarize)
    parts = [_body_str(data[i], indent + 1, summarize, fmt) for i in rows]
    if summarize and n > 2 * EDGEITEMS:
        parts.insert(EDGEITEMS, "...")
    separator = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _suffixes(
    data: np.ndarray,
    dtype: str,
    default_float: str,
    requires_grad: bool,
    grad_fn: str | None,
) -> list[str]:
    """The ``key=value`` tail, in PyTorch's order: size, dtype, then autograd state."""
    suffixes = []
    if data.size == 0:
        # No elements to hint at the dtype, so only the default float dtype goes unsaid.
        if data.ndim != 1:
            suffixes.append(f"size={tuple(int(n) for n in data.shape)}")
        if dtype != default_float:
            suffixes.append(f"dtype=torch.{dtype}")
    elif dtype not in (default_float, "int64", "bool"):
        suffixes.append(f"dtype=torch.{dtype}")
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return suffixes


def _join_suffixes(text: str, suffixes: list[str]) -> str:
    """Append the suffixes, moving one to its own line when it would pass the linewidth."""
    # PyTorch counts the last line 2 longer than it is, but after a break counts the new
    # line exactly, so a second suffix may reach column 82. Both quirks decide the breaks.
    line_len = len(text) - text.rfind("\n") + 1
    pieces = [text]
    for suffix in suffixes:
        if line_len + len(suffix) + 2 > LINEWIDTH:
            pieces.append(",\n" + " " * len(PREFIX) + suffix)
            line_len = len(PREFIX) + len(suffix)
        else:
            pieces.append(", " + suffix)
            line_len += len(suffix) + 2
    return "".join(pieces) + ")"


def tensor_repr(
    data: np.ndarray,
    dtype: str,
    *,
    default_float: str = "float32",
    requires_grad: bool = False,
    grad_fn: str | None = None,
    precision: int = 4,
    full: bool = False,
) -> str:
    """``repr`` of a CPU tensor holding ``data`` as PyTorch 2.x prints it.

    ``dtype`` and ``default_float`` are torch dtype names without ``torch.``; ``grad_fn`` is
    the node's name (``"MulBackward0"``); ``full`` lifts summarisation, as
    ``torch.set_printoptions(profile="full")`` does.
    """
    if dtype not in _NUMPY_DTYPES:
        raise ValueError(f"unsupported dtype {dtype!r}")
    array = np.asarray(data, dtype=_NUMPY_DTYPES[dtype])
    if array.size == 0:
        body = "[]"
    else:
        summarize = not full and array.size > THRESHOLD
        shown = _shown_values(array, summarize)
        if dtype in _FLOAT_DTYPES:
            fmt = _float_formatter(shown, precision)
        else:
            fmt = _plain_formatter(shown)
        body = _body_str(array, len(PREFIX), summarize, fmt)
    suffixes = _suffixes(array, dtype, default_float, requires_grad, grad_fn)
    return _join_suffixes(PREFIX + body, suffixes)


def size_repr(shape: tuple[int, ...]) -> str:
    """``repr(tensor.shape)``: ``torch.Size([2, 3])``."""
    return "torch.Size([" + ", ".join(str(int(n)) for n in shape) + "])"


def scalar_repr(v: object) -> str:
    """A Python value as the interactive prompt shows it (``28.0``, ``True``, ``None``).

    numpy scalars become the Python value ``Tensor.item()`` would return, so a float32
    ``0.1`` prints as ``0.10000000149011612``, as it does in PyTorch.
    """
    if isinstance(v, np.generic):
        v = v.item()
    return repr(v)
