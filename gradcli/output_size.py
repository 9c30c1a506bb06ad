"""The memory printing a result takes, checked against --max-memory before it is printed.

The JSON of a tensor is built as Python lists of Python numbers before it is written, and
``--full`` text as one string per element: each costs far more than the tensor itself
(``zeros(15000, 15000)`` is 0.9 GB as float32 and was 12 GB as JSON). The costs per element
and per nested list were measured on 10^6 elements (benchmarks/attacks.py), with margin.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .engine.memory import LARGE, check_allocation

#: Bytes per element and per nested list while rendering, by output format.
_PER_ELEMENT = {"json": 200, "plain": 160, "table": 400}
_PER_LIST = 80
#: Tensors up to this many elements print in full anyway (PyTorch's threshold).
_SUMMARY_THRESHOLD = 1000


def output_bytes(shape: Sequence[int], output: str, full: bool) -> float:
    """About how many bytes rendering a tensor of ``shape`` as ``output`` takes at its peak."""
    if output == "json" and len(shape) <= 1:  # the formula below, for the usual results
        return shape[0] * _PER_ELEMENT["json"] + _PER_LIST if shape else _PER_ELEMENT["json"]
    n = math.prod(shape)
    if output == "json":
        lists = sum(math.prod(shape[:k]) for k in range(len(shape)))  # 1 + d0 + d0*d1 + ...
        return n * _PER_ELEMENT["json"] + lists * _PER_LIST
    if not full or n <= _SUMMARY_THRESHOLD:
        return 0
    return n * _PER_ELEMENT[output]


def check_output(shapes: Sequence[Sequence[int]], output: str, full: bool) -> None:
    """A limit error if printing tensors of ``shapes`` would not fit in --max-memory."""
    need = sum(output_bytes(shape, output, full) for shape in shapes)
    if need < LARGE:  # check_allocation's own test, before the words are made
        return
    what = ("the JSON of the result" if output == "json" else
            f"the {'full ' if full else ''}{output} text of the result")
    check_allocation(need, what)


def check_derivatives(command: str, value_shape: Sequence[int],
                      blocks: Sequence[tuple[Sequence[int], int]], output: str,
                      full: bool) -> None:
    """A limit error, before they are computed, if the blocks of a jacobian or hessian
    (``(shape, bytes per element)`` each) and the printing of them and of the value as
    ``output`` ("" for none) would not fit in --max-memory together."""
    need: float = sum(math.prod(shape) * size for shape, size in blocks)
    if output:
        need += sum(output_bytes(shape, output, full)
                    for shape in [value_shape, *(shape for shape, _ in blocks)])
    shapes = ", ".join(str(tuple(int(d) for d in shape)) for shape, _ in blocks)
    plural = "s" if len(blocks) > 1 else ""
    what = f"the JSON of the {command}" if output == "json" else f"the {command}"
    check_allocation(need, f"{what} (block{plural} of shape {shapes})")
