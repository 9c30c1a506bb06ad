"""What the AST's node metaclass (gradcli/syntax/nodes.py NodeType) buys over
``@dataclass(frozen=True, slots=True)``: the classes' creation at every start-up, and the
construction of nodes in every parse.

Usage: python benchmarks/nodes_ab.py [--rounds 15]

The dataclass side is made here from each node class's fields and defaults, with the four
position fields keyword-only and left out of ``==`` (what NodeType gives). Rounds alternate;
medians are printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path
from typing import Any

from gradcli.syntax import nodes as N

SOURCE = Path(N.__file__).read_text(encoding="utf-8")
CLASSES = [c for c in vars(N).values() if isinstance(c, type) and issubclass(c, N.Node)]


def _metaclass_module() -> float:
    """Seconds to run nodes.py (every node class through NodeType)."""
    code = compile(SOURCE, N.__file__, "exec")
    namespace: dict[str, Any] = {"__name__": "nodes_copy"}
    t0 = time.perf_counter()
    exec(code, namespace)
    return time.perf_counter() - t0


def _dataclasses() -> tuple[float, dict[str, type]]:
    """Seconds to make the same classes as frozen, slotted dataclasses."""
    t0 = time.perf_counter()
    position = [(f, int, dataclasses.field(default=0, kw_only=True, compare=False, repr=False))
                for f in N.POSITION_FIELDS]
    made: dict[type, type] = {}
    for cls in CLASSES:
        fields: list[Any] = [(f, Any, dataclasses.field(default=cls._defaults[f]))
                             if f in cls._defaults else (f, Any) for f in cls._fields]
        made[cls] = dataclasses.make_dataclass(cls.__name__, [*fields, *position], frozen=True,
                                               slots=True)
    return time.perf_counter() - t0, {c.__name__: d for c, d in made.items()}


def _construct(binop: Any, name: Any, number: Any, n: int) -> float:
    """Seconds per node for ``x * w + 1``'s five nodes, with positions, as the parser makes them."""
    t0 = time.perf_counter()
    for _ in range(n):
        x = name("x", line=1, column=1, end_line=1, end_column=2)
        w = name("w", line=1, column=5, end_line=1, end_column=6)
        m = binop("*", x, w, line=1, column=1, end_line=1, end_column=6)
        one = number(1, line=1, column=9, end_line=1, end_column=10)
        binop("+", m, one, line=1, column=1, end_line=1, end_column=10)
    return (time.perf_counter() - t0) / (5 * n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    meta_make, data_make, meta_new, data_new = [], [], [], []
    _, made = _dataclasses()
    for r in range(args.rounds):
        for side in ((0, 1) if r % 2 == 0 else (1, 0)):
            if side == 0:
                meta_make.append(_metaclass_module())
                meta_new.append(_construct(N.BinOp, N.Name, N.Number, 20_000))
            else:
                data_make.append(_dataclasses()[0])
                data_new.append(_construct(made["BinOp"], made["Name"], made["Number"], 20_000))
    m1, d1 = statistics.median(meta_make), statistics.median(data_make)
    m2, d2 = statistics.median(meta_new), statistics.median(data_new)
    print(f"{len(CLASSES)} node classes, {args.rounds} alternating rounds")
    print(f"creating the classes: metaclass {m1 * 1e3:.2f} ms (all of nodes.py), "
          f"dataclass {d1 * 1e3:.2f} ms: {d1 / m1:.1f}x, {(d1 - m1) * 1e3:.1f} ms more")
    print(f"making a node: metaclass {m2 * 1e9:.0f} ns, dataclass {d2 * 1e9:.0f} ns: "
          f"{d2 / m2:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
