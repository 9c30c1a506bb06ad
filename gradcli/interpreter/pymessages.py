"""Python's own error messages, reworded for a gradcli user (no C types, no sys calls)."""

from __future__ import annotations

import re

#: Python 3.11+ says "(4300 digits)", 3.10's backport "(4300)"; "value has N digits" is there
#: when text is read, not when an integer is written as text.
_DIGITS_LIMIT = re.compile(r"Exceeds the limit \((\d+)(?: digits)?\) for integer string conversion"
                           r"(?:: value has (\d+) digits)?")


def overflow_message(e: OverflowError) -> str:
    """What an OverflowError of Python arithmetic or conversion means in the language."""
    detail = str(e) if e.args and isinstance(e.args[0], str) else "out of range"
    if " C " in detail or "index-sized" in detail or "ssize_t" in detail:
        return "the integer is too large here: sizes, counts and indices go up to 2**63 - 1"
    if "infinity" in detail or "NaN" in detail:
        return detail
    detail = detail.replace("Python int", "integer").replace("int too large", "integer too large")
    return f"number too large for a 64-bit float: {detail}"


def value_message(e: ValueError) -> str:
    """A ValueError's message, without advice only a Python programmer could follow."""
    text = str(e)
    match = _DIGITS_LIMIT.search(text)
    if match:
        most = f"an integer may have at most {int(match.group(1)):,} digits"
        if match.group(2) is None:
            return f"{most} to be written as text"
        return f"{most}; this one has {int(match.group(2)):,}"
    return text
