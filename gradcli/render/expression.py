"""Prints symbolic expressions: as language text and as LaTeX, one printer per face, a method
per kind of node, parentheses driven by precedence; shared subexpressions named once."""

from __future__ import annotations

import re
from typing import Any

from ..engine import ops as E
from ..engine.memory import check_allocation
from ..symbolic import expr as X
from ..symbolic.expr import Node

# Python's precedences: the printed text must parse back to the same expression.
ATOM, POSTFIX, POWER, UNARY, PRODUCT, SUM, COMPARE, AND = 90, 80, 70, 60, 50, 40, 30, 25
_PRECEDENCE = {"add": SUM, "sub": SUM, "mul": PRODUCT, "div": PRODUCT, "matmul": PRODUCT,
               "floor_divide": PRODUCT, "remainder": PRODUCT, "pow": POWER, "neg": UNARY,
               "gt": COMPARE, "ge": COMPARE, "lt": COMPARE, "le": COMPARE, "eq": COMPARE,
               "ne": COMPARE, "bitwise_and": AND, "bitwise_or": AND}
_SPACED = {"add", "sub", "matmul", "gt", "ge", "lt", "le", "eq", "ne", "bitwise_and",
           "bitwise_or"}
#: Parameters printed by position when every one before them is printed too.
_POSITIONAL = {"dim", "p", "dim0", "dim1", "exponent", "other", "shifts", "dims", "sizes",
               "shape"}


def number(value: Any) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def precedence(node: Node) -> int:
    if node.op == X.CONST:
        return UNARY if node.value < 0 else ATOM
    if node.op in _PRECEDENCE and _infix(node):
        return _PRECEDENCE[node.op]
    if node.op == "expand" and node.args[0].op == X.CONST and node.args[0].value not in (0, 1):
        return PRODUCT  # printed 2*ones(3)
    return POSTFIX


def _infix(node: Node) -> bool:
    return node.op in X.INFIX and node.static("alpha", 1) == 1 or node.op == "neg"


def _coefficient_of_matmul(node: Node) -> bool:
    return node.op == "mul" and node.args[0].is_const() and node.args[1].op == "matmul" \
        and _infix(node.args[1])


def shared(*roots: Node) -> list[Node]:
    """The compound subexpressions used more than once, inner ones first: to be named."""
    uses: dict[int, int] = {}
    order = X.topological(*roots)
    for node in order:
        for arg in node.args:
            uses[id(arg)] = uses.get(id(arg), 0) + 1
    return [node for node in order if uses.get(id(node), 0) > 1 and _compound(node)]


def _compound(node: Node) -> bool:
    if node.op in (X.VAR, X.CONST, X.LITERAL):
        return False
    if node.op in (X.TRANSPOSE, "neg") and node.args[0].op in (X.VAR, X.CONST):
        return False
    if node.op == "expand" and node.args[0].op == X.CONST:
        return False
    return True


def names_for(nodes: list[Node], taken: set[str]) -> dict[int, str]:
    pool = [c for c in "stuvpqrmn" if c not in taken]
    out: dict[int, str] = {}
    for i, node in enumerate(nodes):
        if len(nodes) <= len(pool):
            out[id(node)] = pool[i]
        else:
            name = f"s{i + 1}"
            while name in taken:
                name = "_" + name
            out[id(node)] = name
    return out


#: A reference to the text of a node inside the text of another (a template): its number.
_REFERENCE = re.compile("\x00(\\d+)\x00")
#: Texts up to this many characters are kept whole once made (a reference to one costs one
#: piece of the expansion); longer ones are expanded piece by piece.
KEPT_WHOLE = 1 << 16
#: The bytes a character of a text takes at its expansion's peak (the text, and the texts
#: kept whole it is made of), with margin.
BYTES_PER_CHARACTER = 4


class Printer:
    """What both printers share. Each node's text is made once, children first (no
    recursion: a chain 6,400 deep), as a template that refers to its arguments' texts
    instead of copying them, so that the texts of a chain's n prefixes take the chain's
    length and not the sum of their lengths (n**3 for a chain of sin). A text asked for is
    expanded once, after its length is checked against --max-memory.

    A subclass gives ``text_of``; no method of it may be named ``_tpl_...`` (the printers
    find a node's method as ``_`` + its op)."""

    def __init__(self, names: dict[int, str] | None = None) -> None:
        self.names = names or {}
        #: id(node) -> the reference to its text (its template's number, between NULs).
        self.memo: dict[int, str] = {}
        self._tpl_parts: list[list[str | int]] = []
        self._tpl_lengths: list[int] = []
        #: The texts of the templates up to KEPT_WHOLE characters long, made so far.
        self._tpl_whole: dict[int, str] = {}
        self._tpl_busy = False

    def name_text(self, name: str) -> str:
        """How a named node prints."""
        return name

    def text_of(self, node: Node) -> str:
        """``node``'s own text, its arguments' texts from ``print`` and ``wrap``."""
        raise NotImplementedError

    def __call__(self, node: Node) -> str:
        return self.print(node)

    def print(self, node: Node, top: bool = False) -> str:
        """``node``'s text (``top``: a named node's definition, not its name). Inside the
        making of another node's text, a reference to it, expanded with that text."""
        if not top and id(node) in self.names:
            return self.name_text(self.names[id(node)])
        if self._tpl_busy:
            return self._tpl_reference(node)
        self._tpl_busy = True
        try:
            for inner in self._tpl_unmade(node):
                self._tpl_reference(inner)
        finally:
            self._tpl_busy = False
        return self._tpl_expand(int(self.memo[id(node)].strip("\x00")))

    def _tpl_reference(self, node: Node) -> str:
        found = self.memo.get(id(node))
        if found is None:
            pieces = _REFERENCE.split(self.text_of(node))
            parts: list[str | int] = [int(p) if i % 2 else p for i, p in enumerate(pieces)
                                      if i % 2 or p]
            self._tpl_lengths.append(sum(len(p) if isinstance(p, str) else
                                         self._tpl_lengths[p] for p in parts))
            self._tpl_parts.append(parts)
            found = self.memo[id(node)] = f"\x00{len(self._tpl_parts) - 1}\x00"
        return found

    def _tpl_unmade(self, root: Node) -> list[Node]:
        """The nodes whose texts ``root``'s text needs and that are not made yet, each after
        those it needs (named nodes print as their names: not what is under them)."""
        order: list[Node] = []
        seen: set[int] = set()
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen and id(node) not in self.memo:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((a, False) for a in reversed(node.args)
                             if id(a) not in self.names)
        return order

    def _tpl_expand(self, index: int) -> str:
        """The text of template ``index``, its references replaced by their texts: the
        short texts (made whole once, children first), then the long one piece by piece."""
        fresh = [i for i in range(len(self._tpl_whole), len(self._tpl_parts))
                 if self._tpl_lengths[i] <= KEPT_WHOLE]
        check_allocation(BYTES_PER_CHARACTER * (self._tpl_lengths[index] + sum(
            self._tpl_lengths[i] for i in fresh)), "the text of the expression")
        whole = self._tpl_whole
        for i in range(len(self._tpl_whole), len(self._tpl_parts)):  # children first
            if self._tpl_lengths[i] <= KEPT_WHOLE:
                whole[i] = "".join(p if isinstance(p, str) else whole[p]
                                   for p in self._tpl_parts[i])
            else:
                whole[i] = ""  # not kept: a placeholder, so that the next call starts after it
        if self._tpl_lengths[index] <= KEPT_WHOLE:
            return whole[index]
        out: list[str] = []
        stack = [iter(self._tpl_parts[index])]
        while stack:
            for part in stack[-1]:
                if isinstance(part, str):
                    out.append(part)
                elif self._tpl_lengths[part] <= KEPT_WHOLE:
                    out.append(whole[part])
                else:
                    stack.append(iter(self._tpl_parts[part]))
                    break
            else:
                stack.pop()
        return "".join(out)


class TextPrinter(Printer):
    """The language's text: what ``gradcli eval`` reads back."""

    def text_of(self, node: Node) -> str:
        method = getattr(self, "_" + node.op, None)
        if method is not None:
            return str(method(node))
        return self._infix(node) if _infix(node) else self._call(node)

    def wrap(self, node: Node, level: int, right: bool = False) -> str:
        text = self.print(node)
        inner = POSTFIX if id(node) in self.names else precedence(node)
        if inner < level or (right and inner == level):
            return f"({text})"
        return text

    def _variable(self, node: Node) -> str:
        return node.name

    def _const(self, node: Node) -> str:
        return number(node.value)

    def _literal(self, node: Node) -> str:
        return str(node.static("text"))

    def _T(self, node: Node) -> str:
        return self.wrap(node.args[0], POSTFIX) + ".T"

    def _index(self, node: Node) -> str:
        return f"{self.wrap(node.args[0], POSTFIX)}[{X.index_text(node.static('key'))}]"

    def _neg(self, node: Node) -> str:
        # -(a*b) printed -a*b: (-a)*b is the same number, and @ and / alike; not // and %
        # ((-a)//b is floor(-a/b), not -floor(a/b)).
        # Nor when the product's first factor is a mask: -(x > 0)*y would negate a bool.
        inner = node.args[0]
        if inner.op in ("floor_divide", "remainder") and _infix(inner) \
                and id(inner) not in self.names or self._leads_with_mask(inner):
            return f"-({self.print(inner)})"
        return "-" + self.wrap(inner, PRODUCT)

    def _leads_with_mask(self, node: Node) -> bool:
        """Whether ``node`` prints as a product whose first factor is a boolean."""
        while node.op in ("mul", "div", "matmul") and _infix(node) and id(node) not in self.names:
            node = node.args[0]
        return node.kind == "b"

    def _infix(self, node: Node) -> str:
        level = _PRECEDENCE[node.op]
        symbol = X.INFIX[node.op]
        left, right = node.args
        if node.op == "pow":
            # -x**2 is -(x**2): a unary minus on the left needs parentheses.
            text_left = self.wrap(left, POWER + 1)
            text_right = self.wrap(right, UNARY)
            return f"{text_left}**{text_right}"
        if _coefficient_of_matmul(node) and id(right) not in self.names:
            # 2*(A @ B) printed as 2*A @ B: scalar factors associate.
            return f"{self.wrap(left, level)}*{self.print(right)}"
        text_left = self.operand(left, node, level)
        if node.op == "mul" and left.is_const() and left.kind == "f" and right.kind != "f":
            text_left = repr(float(left.value))  # 1.0*(x > 0): floating, as the node is
        text_right = self.operand(right, node, level, right=True)
        if node.op in _SPACED:
            return f"{text_left} {symbol} {text_right}"
        return f"{text_left}{symbol}{text_right}"

    def operand(self, child: Node, parent: Node, level: int, right: bool = False) -> str:
        """An operand of * / or @, in parentheses when it mixes the two (a reader should
        not need to know that they share a precedence)."""
        if _coefficient_of_matmul(child) and parent.op in ("mul", "div") and not right \
                and id(child) not in self.names:
            return f"{self.print(child.args[0])}*({self.print(child.args[1])})"
        if parent.op in ("mul", "div", "matmul") and id(child) not in self.names and (
                _coefficient_of_matmul(child) or _infix(child) and child.op in (
                    "mul", "div", "matmul") and (child.op == "matmul") != (parent.op == "matmul")):
            if not (child.op == "mul" and child.args[0].is_const() and parent.op != "matmul"
                    and not _coefficient_of_matmul(child)):
                return f"({self.print(child)})"
        return self.wrap(child, level, right)

    def _expand(self, node: Node) -> str:
        inner = node.args[0]
        sizes = ", ".join(str(d) for d in node.shape)
        if inner.is_const():
            word = "ones" if inner.value != 0 else "zeros"
            if inner.value in (0, 1):
                return f"{word}({sizes})"
            return f"{number(inner.value)}*ones({sizes})"
        return f"{self.wrap(inner, POSTFIX)}.expand({sizes})"

    def _call(self, node: Node) -> str:
        from ..symbolic.reader import defaults_of

        parts = [self.print(a) for a in node.args]
        defaults = defaults_of(node.op)
        stars = X.signature_params(node.op) if node.op in E.OPS else []
        keyword = False
        for key, value in node.statics:
            if key in defaults and defaults[key] == value:
                keyword = True  # a parameter left out: the ones after it go by name
                continue
            if not keyword and isinstance(value, tuple) and (key, True) in stars:
                parts.extend(str(v) for v in value)  # reshape(x, 3, 2): *shape
            elif keyword or key not in _POSITIONAL:
                parts.append(f"{key}={_static_text(value)}")
                keyword = True
            else:
                parts.append(_static_text(value))
        dtype = dict(node.statics).get("dtype")
        if dtype:  # eval reads dtypes as torch.float32
            parts = [p.replace(str(dtype), f"torch.{dtype}")
                     if p in (dtype, f"dtype={dtype}") else p for p in parts]
        if node.op in E.OPS and not E.OPS[node.op].function and node.args:
            # A method only (x.to(torch.float32)): eval has no function of that name.
            receiver = self.wrap(node.args[0], POSTFIX)
            return f"{receiver}.{node.op}({', '.join(parts[1:])})"
        return f"{node.op}({', '.join(parts)})"


def _static_text(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_static_text(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, float):
        return number(value)
    if isinstance(value, X.DTypeName):
        return f"torch.{value}"
    if isinstance(value, str):  # reduction='sum'
        return repr(value)
    return str(value)


def with_names(roots: list[Node], taken: set[str]) -> tuple[TextPrinter, list[tuple[str, Node]]]:
    """A printer that names shared subexpressions, and the (name, node) definitions."""
    nodes = shared(*roots)
    names = names_for(nodes, taken)
    return TextPrinter(names), [(names[id(n)], n) for n in nodes]
