"""The --max-memory budget: the process's resident memory, checked around large allocations.

Before an allocation whose size is known (a new tensor of a given shape, the JSON or full
text of a result) the memory in use plus what it asks must fit the budget; after one whose
size was not checked first (the result of an element-wise op) the memory in use must still
fit. Small allocations (under ``LARGE`` bytes) are not checked: they cannot add up faster
than the steps and elements limits let a program make them.
"""

from __future__ import annotations

import os

from .errors import limit_error

#: Allocations from this size on are checked.
LARGE = 1 << 20


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # not POSIX: 16 GiB
        return 16 << 30


#: A quarter of the machine's memory (SPEC section 6).
DEFAULT_MAX_MEMORY = _physical_memory() // 4

#: The budget of this run, in bytes; the command line sets it from --max-memory.
BUDGET = {"max_memory": DEFAULT_MAX_MEMORY}

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def set_max_memory(n: int) -> None:
    BUDGET["max_memory"] = int(n)


def resident() -> int:
    """Bytes of memory the process holds now (0 where the system does not say)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def check_allocation(nbytes: float, what: str) -> None:
    """Refuse ``what``, which needs ``nbytes`` more bytes, if the budget cannot hold it."""
    if nbytes < LARGE:
        return
    budget = BUDGET["max_memory"]
    used = resident()
    if used + nbytes > budget:
        raise limit_error(
            f"{what} needs about {_mib(nbytes)} of memory; with the {_mib(used)} in use that "
            f"is more than the limit of {_mib(budget)} (--max-memory)",
            hint="use smaller sizes, or raise the limit with --max-memory N (bytes; default "
            "a quarter of the machine's memory)")


def check_in_use(what: str) -> None:
    """After a large allocation nothing checked first: the memory in use must fit."""
    budget = BUDGET["max_memory"]
    used = resident()
    if used > budget:
        raise limit_error(
            f"{what} took the memory in use to {_mib(used)}, more than the limit of "
            f"{_mib(budget)} (--max-memory)",
            hint="use smaller sizes or keep fewer big tensors alive, or raise the limit with "
            "--max-memory N (bytes)")
