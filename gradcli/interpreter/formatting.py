"""Python's string formatting for the language (``'%d' % n``, ``f'{x:.3f}'``), sized first.

Python would build a string as wide as any width or precision asks (``'%999999999d' % 1`` is
a gigabyte), and tells a bad format in messages meant for Python programmers. Here every
width and precision is checked against --max-elements before formatting, and every mistake
is a ``value`` or ``type`` error of the language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..engine.memory import check_allocation
from ..engine.ops import LIMITS
from ..errors import GradcliError

#: One %-conversion: mapping key, flags, width, precision, length modifier, type.
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\d+|\*)?(?:\.(\d+|\*)?)?[hlL]?(.|$)", re.S)
_DIGITS = re.compile(r"\d+")


def _too_wide(number: int, what: str) -> GradcliError:
    limit = LIMITS["max_elements"]
    return GradcliError(
        "limit", f"{what} {number:,} would make a string longer than the limit of "
        f"{limit:,} characters (--max-elements)",
        hint="use a smaller width or precision, or raise the limit with --max-elements N")


def check_string_size(length: int, what: str, itemsize: int) -> None:
    """Refuse a string, tuple or list longer than --max-elements, or bigger than the memory
    left (--max-memory; ``itemsize`` bytes per item), before it is built."""
    limit = LIMITS["max_elements"]
    if length > limit:
        raise GradcliError(
            "limit", f"{what} would hold {length:,} items, more than the limit of {limit:,} "
            "elements (--max-elements)",
            hint="use a tensor for big data, or raise the limit with --max-elements N")
    check_allocation(length * itemsize, what)


def format_spec(value: Any, spec: str) -> str:
    """``format(value, spec)`` (an f-string's ``{value:spec}``), its widths checked first."""
    for digits in _DIGITS.findall(spec):  # a spec's digits are a fill, a width, a precision
        if len(digits) > 12 or int(digits) > LIMITS["max_elements"]:
            raise _too_wide(int(digits), "the format width or precision")
    try:
        return format(value, spec)
    except (ValueError, TypeError) as e:
        raise GradcliError("value", f"bad format spec '{spec}': {e}",
                           hint="e.g. f'{x:.3f}', f'{n:5d}', f'{s:>10}'") from None


class _Shown:
    """A value of the language in a %-format: ``%s`` and ``%r`` show it as print() does."""

    def __init__(self, value: Any, text: Callable[[Any], str]) -> None:
        self.value, self.text = value, text

    def __str__(self) -> str:
        return self.text(self.value)

    __repr__ = __str__

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __index__(self) -> int:
        index = getattr(self.value, "__index__", None)
        if index is None:  # None, a list ...: what Python says of them in %d, %o, %x
            raise TypeError(f"'{type(self).__name__}' object cannot be interpreted as an "
                            "integer")
        return int(index())


#: _Shown subclasses named as the language names the wrapped types (for Python's messages).
_SHOWN: dict[str, type] = {}


def _shown(value: Any, text: Callable[[Any], str], type_name: str) -> Any:
    if isinstance(value, (str, int, float)):
        return value
    if type_name not in _SHOWN:
        _SHOWN[type_name] = type(type_name, (_Shown,), {})
    return _SHOWN[type_name](value, text)


def percent(fmt: str, args: Any, text: Callable[[Any], str],
            type_name: Callable[[Any], str]) -> str:
    """``fmt % args`` as Python computes it, sized first; values shown as print() shows them."""
    items = args if isinstance(args, tuple) else (args,)
    for match in _PERCENT.finditer(fmt):
        if match.group(3) == "":
            raise GradcliError("value", f"incomplete format: {fmt!r} ends in '%'",
                               hint="write %% for a literal percent sign")
        for number in match.group(1, 2):
            if number == "*":  # the width or precision is an argument
                for item in items:
                    if isinstance(item, int) and abs(item) > LIMITS["max_elements"]:
                        raise _too_wide(item, "the format width or precision")
            elif number is not None and (len(number) > 12
                                         or int(number) > LIMITS["max_elements"]):
                raise _too_wide(int(number), "the format width or precision")
    shown = tuple(_shown(item, text, type_name(item)) for item in items)
    try:
        return fmt % (shown if isinstance(args, tuple) else shown[0])
    except ValueError as e:
        raise GradcliError("value", f"bad %-format {fmt!r}: {e}",
                           hint="conversions are %s, %r, %d, %i, %f, %e, %g, %x, %o, %c and %%"
                           ) from None
    except (TypeError, OverflowError) as e:
        raise GradcliError("type", f"%-format {fmt!r}: {e}",
                           hint="give one value per conversion, several as a tuple: "
                           "'%d %d' % (a, b)") from None
