"""Python-value semantics of the language: operators, comparisons and truth on numbers,
strings, tuples and lists (and where they hand over to tensors), with Python's errors."""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from ..engine import EngineError, Tensor
from ..engine import ops as E
from ..engine.ops import LIMITS
from ..errors import GradcliError
from ..syntax import nodes as N
from .formatting import check_string_size, percent
from .values import BoundMethod, Builtin, OpFunction, UserFunction

TENSOR_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": E.add, "-": E.sub, "*": E.mul, "/": E.div, "//": E.floor_divide, "%": E.remainder,
    "**": E.pow, "@": E.matmul, "&": E.bitwise_and, "|": E.bitwise_or,
}
PY_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "&": operator.and_,
    "|": operator.or_,
}
COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}


#: Integers of the language stay below Python's limit for printing them (4300 digits).
_MAX_INT_BITS = 14_000


def check_int_size(op: str, a: int, b: int) -> None:
    """Refuse an int product or power too large to print, before computing it."""
    if op == "*":
        bits = a.bit_length() + b.bit_length()
    elif b <= 0 or abs(a) <= 1:
        return
    else:
        bits = (abs(a).bit_length() - 1) * b
    if bits > _MAX_INT_BITS:
        what = f"{a} {op} {b}" if max(abs(a), abs(b)) < 10**20 else f"the {op}"
        raise GradcliError(
            "limit", f"{what} is too large to compute: the integer result would have more "
            "than 4,300 digits", hint="use floats, e.g. 2.0 ** 5000 (which is inf), or "
            "smaller numbers")



def truth(value: Any, node: N.Node) -> bool:
    try:
        return bool(value)
    except EngineError as e:
        raise GradcliError(e.kind, e.message, node.line, node.column, e.hint) from None


def binary(op: str, a: Any, b: Any, node: N.Node, text: Callable[[Any], str]) -> Any:
    """``a op b`` as the language computes it; ``text`` shows a value as print() does (for
    ``'%s' % x``)."""
    if op == "%" and type(a) is str:  # Python's str.__mod__ comes before a tensor's
        return percent(a, b, text, type_name)
    if op == "+" and type(a) is type(b) and type(a) in (str, tuple, list):
        check_string_size(len(a) + len(b), f"this {type_name(a)}", 1 if type(a) is str else 8)
    if a is None or b is None:
        raise GradcliError(
            "type", f"unsupported operand types for {op}: '{type_name(a)}' and "
            f"'{type_name(b)}'", node.line, node.column, end_column=N.end_on_line(node),
            hint=_none_hint(_operand(node, a is None)))
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        if isinstance(a, tuple) or isinstance(b, tuple):
            # As in PyTorch: a tuple is no tensor to operators (only a list literal is).
            raise GradcliError(
                "type", f"unsupported operand types for {op}: '{type_name(a)}' and "
                f"'{type_name(b)}'", node.line, node.column,
                hint="make it a tensor first, e.g. tensor((1, 2))")
        return TENSOR_BINARY[op](a, b)
    if isinstance(a, list) and is_numeric_nest(a) or isinstance(b, list) and is_numeric_nest(b):
        return TENSOR_BINARY[op](a, b)
    if op == "@":
        raise GradcliError("type", "@ needs tensors", node.line, node.column)
    if op in ("**", "*") and type(a) is int and type(b) is int:
        check_int_size(op, a, b)
    if op == "*" and isinstance(a, (str, tuple, list)) != isinstance(b, (str, tuple, list)):
        seq, n = (a, b) if isinstance(a, (str, tuple, list)) else (b, a)
        if isinstance(n, int) and len(seq) * n > LIMITS["max_elements"]:
            raise GradcliError(
                "limit", f"sequence repetition is too large: repeating a {type_name(seq)} "
                f"of {len(seq):,} items {n:,} times "
                f"gives more than the limit of {LIMITS['max_elements']:,} elements "
                "(--max-elements)",
                hint="use a tensor, e.g. zeros(n), or raise the limit with --max-elements N")
    try:
        return PY_BINARY[op](a, b)
    except TypeError:
        raise GradcliError(
            "type", f"unsupported operand types for {op}: '{type_name(a)}' and "
            f"'{type_name(b)}'", node.line, node.column) from None


def compare_pair(op: str, a: Any, b: Any, node: N.Node) -> Any:
    if op in ("is", "is not"):
        same = a is b or (a is None and b is None)
        return same if op == "is" else not same
    if op in ("in", "not in"):
        raise GradcliError("syntax", f"'{op}' is not supported", node.line, node.column)
    if op in ("==", "!=") and (a is None or b is None or isinstance(a, str)
                               or isinstance(b, str)):
        # A tensor does not compare with None or a string: Python's identity answers
        # (x == None is False in PyTorch).
        same = a is b or not isinstance(a, Tensor) and not isinstance(b, Tensor) and a == b
        return same == (op == "==")
    if isinstance(a, list) and is_numeric_nest(a):
        a = E.tensor(a)
    if isinstance(b, list) and is_numeric_nest(b):
        b = E.tensor(b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor) and op not in ("==", "!="):
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
            raise GradcliError("type", f"'{op}' not supported between '{type_name(a)}' and "
                               f"'{type_name(b)}'", node.line, node.column)
    return COMPARE[op](a, b)


def as_index(value: Any, node: Any) -> Any:
    if isinstance(value, Tensor):
        return value.__index__()
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise GradcliError("type", "slice indices must be integers or None", node.line, node.column)


def is_numeric_nest(items: Any) -> bool:
    for i in items:
        if isinstance(i, list):
            if not is_numeric_nest(i):
                return False
        elif not isinstance(i, (int, float, bool)):
            return False
    return True


def _operand(node: N.Node, left: bool) -> Any:
    """The left or right operand of a BinOp, or of an AugAssign (``x.grad += 1``)."""
    if type(node) is N.BinOp:
        return node.left if left else node.right
    return node.target if left else node.value  # type: ignore[attr-defined]


def _none_hint(operand: Any) -> str | None:
    """Why an operand is None, when it is a ``.grad`` (the commonest None of a newcomer)."""
    if type(operand) is N.Attribute and operand.attr == "grad":
        x = operand.value.id if type(operand.value) is N.Name else "x"
        return (f"{x}.grad is None until a backward pass reaches {x}: call y.backward() on a "
                f"result y that depends on {x} first ({x} must require grad), as in PyTorch")
    return None


def type_name(x: Any) -> str:
    if isinstance(x, Tensor):
        return "Tensor"
    if isinstance(x, (OpFunction, Builtin, BoundMethod, UserFunction)):
        return "function"
    if isinstance(x, AbstractContextManager):
        return "no_grad"  # the only context manager of the language
    return type(x).__name__


def suggest(name: str, known: Any) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
