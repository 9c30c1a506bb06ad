"""Buffer reuse by reference count: on only where the counts were verified, and its one switch.

The engine writes into a gradient buffer that nothing else holds (the raw backward's sums, the
VJPs' products, a leaf's ``.grad`` handed over without a copy), and the interpreter writes
``a + b`` into the buffer of a temporary ``a`` (``ops.into_left``). "Nothing else holds" is
read from ``sys.getrefcount``, compared with the count of a lone local variable measured at
import. What that count includes is CPython's implementation detail: 3.14 stopped counting
some references from the evaluation stack, which made numpy write into shared arrays (numpy
issue 28681), and other Pythons have no such counts at all. So the reuse is on only on the
CPython versions the test suite verified; elsewhere every buffer is treated as shared, which
costs time and memory, never a wrong value.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

#: The CPython versions whose reference counts the tests verified (tests/test_reuse.py).
VERIFIED = ((3, 10), (3, 11), (3, 12), (3, 13))


def verified(implementation: str = sys.implementation.name,
             version: tuple[int, ...] = tuple(sys.version_info[:2])) -> bool:
    """Whether reference counts can be read and trusted on this (or the given) Python."""
    return implementation == "cpython" and tuple(version) in VERIFIED


#: Whether this process may read reference counts at all (the counts measured at import).
TRUSTED = verified()
#: A reference count no object has: what a count measured at import is where not TRUSTED.
NEVER = -1
#: The switch: buffers are reused only while ``ON[0]`` is true, which needs TRUSTED.
ON = [TRUSTED]


@contextmanager
def turned_off() -> Iterator[None]:
    """Every buffer is treated as shared inside the block (the tests' way to check that the
    reuse changes no value)."""
    previous = ON[0]
    ON[0] = False
    try:
        yield
    finally:
        ON[0] = previous
