"""The defaults of the run-time limits (SPEC section 6): the flags, the interpreter and the
README say the same numbers."""

#: Loop iterations (and items a builtin walks) per program or input: the seeds'
#: `while b.norm() < 1000` with a = 0 ends here after ~1 GB and tens of seconds, instead of
#: filling the memory (each pass keeps ~0.8 KB of graph).
MAX_STEPS = 1_000_000
#: Function call depth.
MAX_CALL_DEPTH = 200
#: Nesting depth of the source: brackets, and operators chained (x*x*...*x is 200 deep).
MAX_NESTING = 200
#: The largest --max-nesting: evaluating takes a few Python frames per level.
MOST_NESTING = 10_000
#: Evaluations of the expression `check` makes at most (two per element compared): bigger
#: inputs are checked on a sample, so that the work grows as n, not n squared.
MAX_EVALS = 1000
#: Bytes read from a script, a stdin line, @-, load() or an @file (256 MiB).
MAX_INPUT = 256 * 2**20


_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_bytes(text: str) -> int:
    """A size in bytes from ``4096``, ``512K``, ``256M``, ``2G`` or ``1T`` (powers of 1024)."""
    stripped = text.strip().upper().removesuffix("B").removesuffix("I")
    number, unit = stripped.rstrip("KMGT"), stripped[len(stripped.rstrip("KMGT")):]
    if unit not in _UNITS or not number.isdigit() or int(number) < 1:
        raise ValueError(f"{text!r} is not a size in bytes: write e.g. 1000000, 512M or 2G")
    return int(number) * _UNITS[unit]


def set_max_nesting(n: int) -> None:
    """Apply --max-nesting: the parser's limit, and room on Python's stack to evaluate it."""
    import sys

    from .syntax.nodes import NESTING

    NESTING["max_depth"] = int(n)
    wanted = 3000 + 4 * int(n)
    if sys.getrecursionlimit() < wanted:
        sys.setrecursionlimit(wanted)
