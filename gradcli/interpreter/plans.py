"""Plans: one compiled closure for all the expressions of one shape (issue 19).

A stream of lines such as ``sum(x*{i} + x**2)`` asks the same question with other numbers.
Texts of one shape (syntax.parser.expression_shape: the same tokens at the same places, but
for the values of their number literals) parse into trees that differ only in the values of
their Number nodes. So the first text of a shape is parsed and compiled with each Number
node's value read from a slot of the interpreter's ``literals`` (expressions.compile_planned);
the next texts of that shape skip the parse and the compile, and run the same closure on
their own literals. Everything but the values comes from the first text's tree, and is the
same for them all: positions (so errors point at the same columns of their own text), the
names used, the origins noted on the graph.

The first text must parse, which a plan's existence says for the others: a text whose
literal is not plain (hex, underscores, a leading zero) has no shape and is parsed.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from ..syntax import nodes as N
from ..syntax.nodes import NESTING
from .expressions import Compiled, compile_planned

#: Plans kept, the least recently used dropped first: a stream of lines seldom has many
#: shapes at a time.
KEPT_PLANS = 64

Shape = tuple[str, list[int | float], list[int]]


class Plan:
    """The closure shared by the expressions of one shape, and the tree it was compiled
    from (the first of them, whose literals' values it does not read)."""

    __slots__ = ("code", "node")

    def __init__(self, node: N.Expr, code: Compiled) -> None:
        self.node = node
        self.code = code


class Planned:
    """An expression to evaluate through a plan: the plan, and the expression's literals."""

    __slots__ = ("literals", "plan")

    def __init__(self, plan: Plan, literals: list[int | float]) -> None:
        self.plan = plan
        self.literals = literals


_PLANS: OrderedDict[tuple[str, int], Plan] = OrderedDict()


def find(shape: Shape) -> Planned | None:
    """The plan of ``shape`` with its literals, when one was made lately."""
    key = (shape[0], NESTING["max_depth"])
    plan = _PLANS.get(key)
    if plan is None:
        return None
    _PLANS.move_to_end(key)
    return Planned(plan, shape[1])


def make(shape: Shape, node: N.Expr) -> Planned | None:
    """The plan of ``shape`` from ``node``, the tree of a text of that shape, kept for the
    next texts; None when the tree's Number nodes are not the shape's literals one for one
    (a node the parser made for something else: no plan, to be safe)."""
    masked, literals, columns = shape
    slot_at = {column: slot for slot, column in enumerate(columns)}
    slots: dict[int, int] = {}
    for item in N.walk(node):
        if type(item) is N.Number:
            slot = slot_at.get(item.column) if item.line == 1 else None
            if (slot is None or id(item) in slots or type(item.value) is not type(literals[slot])
                    or item.value != literals[slot]):
                return None
            slots[id(item)] = slot
    if len(slots) != len(columns):
        return None
    plan = Plan(node, compile_planned(node, slots))
    key = (masked, NESTING["max_depth"])
    _PLANS[key] = plan
    if len(_PLANS) > KEPT_PLANS:
        _PLANS.popitem(last=False)
    return Planned(plan, literals)


def tree(node: Any) -> Any:
    """The tree of what Evaluator.prepare gave: a plan's first tree stands for all of its
    texts where only the names and positions count (notes, the names used)."""
    return node.plan.node if type(node) is Planned else node
