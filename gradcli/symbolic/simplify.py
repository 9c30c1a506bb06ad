"""Simplification: rewrite rules as data, and the collection of products and sums, applied
bottom-up to a fixed point.

A rule is one line, ``pattern -> replacement`` or ``pattern -> replacement if condition``,
in the language: single letters match any subexpression (``c`` and ``k`` only a number), a
number matches itself, and a call's other arguments match their values. A rewrite is kept
only when it keeps the shape; products are gathered into a coefficient times powers
(``x*x`` is ``x**2``) and sums into coefficients times terms (``x + x`` is ``2*x``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..engine.errors import EngineError
from ..errors import GradcliError
from ..syntax import nodes as n
from ..syntax import parse_expression
from . import expr as X
from .expr import Node
from .reader import STATIC_PARAMS, call, convert, defaults_of, transpose

RULES = """
x ** 1 -> x
--x -> x
x.T.T -> x
(A @ B).T -> B.T @ A.T if A.ndim == 2 and B.ndim == 2
(c * A).T -> c * A.T
(-A).T -> -A.T
A @ (c * B) -> c * (A @ B)
(c * A) @ B -> c * (A @ B)
A @ -B -> -(A @ B)
A @ (B / k) -> (A @ B) / k
-A @ B -> -(A @ B)
x @ A.T -> A @ x if x.ndim == 1 and A.ndim == 2
x @ A -> A.T @ x if x.ndim == 1 and A.ndim == 2
A @ x + B @ x -> (A + B) @ x
A @ x - B @ x -> (A - B) @ x
transpose(x, 0, 1) -> x.T if x.ndim == 2
transpose(x, 1, 0) -> x.T if x.ndim == 2
transpose(x, -1, -2) -> x.T if x.ndim == 2
transpose(x, -2, -1) -> x.T if x.ndim == 2
t(x) -> x.T if x.ndim == 2
t(x) -> x if x.ndim < 2
exp(log(x)) -> x
log(exp(x)) -> x
exp(x - logsumexp(x, d, True)) -> softmax(x, d) if isinstance(d, int)
exp(log_softmax(x, d)) -> softmax(x, d)
unsqueeze(u, -1) * v -> outer(u, v) if u.ndim == 1 and v.ndim == 1
unsqueeze(u, 1) * v -> outer(u, v) if u.ndim == 1 and v.ndim == 1
unsqueeze(u, 1) * unsqueeze(v, 0) -> outer(u, v) if u.ndim == 1 and v.ndim == 1
outer(u, v).T -> outer(v, u)
unsqueeze(u, 0).T -> unsqueeze(u, 1)
unsqueeze(u, 1).T -> unsqueeze(u, 0)
squeeze(A @ unsqueeze(u, -1), -1) -> A @ u if u.ndim == 1
(x > 0) * (x > 0) -> x > 0
exp(x) / sum(exp(x)) -> softmax(x, 0) if x.ndim == 1
exp(x) / sum(exp(x), d, True) -> softmax(x, d) if isinstance(d, int)
exp(u) / (1 + exp(u)) -> sigmoid(u)
1 / (1 + exp(-u)) -> sigmoid(u)
sigmoid(u) * exp(-u) -> sigmoid(-u)
exp(-u) / (1 + exp(-u))**2 -> sigmoid(u) * (1 - sigmoid(u))
norm(r) * where(norm(r) == 0, 0, r / norm(r)) -> r
(A / k) @ B -> (A @ B) / k
squeeze(unsqueeze(x, d), d) -> x
reshape(reshape(x, s), r) -> reshape(x, r)
reshape(x, s) -> x if s == x.shape
reshape(sum(x, d), s) -> sum(x, d, keepdim=True) if s == sum(x, d, keepdim=True).shape
reshape(prod(x, d), s) -> prod(x, d, keepdim=True) if s == prod(x, d, keepdim=True).shape
reshape(mean(x, d), s) -> mean(x, d, keepdim=True) if s == mean(x, d, keepdim=True).shape
"""

_SYMBOLS = {symbol: name for name, symbol in X.INFIX.items()}
_COMMUTATIVE = frozenset({"add", "mul"})
_NUMBER_NAMES = frozenset({"c", "k"})


class Rule:
    def __init__(self, line: str) -> None:
        self.text = line
        left, right = line.split("->")
        right, _, condition = right.partition(" if ")
        self.pattern = _compile(parse_expression(left.strip()))
        self.replacement = parse_expression(right.strip())
        self.condition = parse_expression(condition.strip()) if condition else None

    def apply(self, node: Node) -> Node | None:
        bindings: dict[str, Any] = {}
        if not _match(self.pattern, node, bindings):
            return None
        if self.condition is not None and not convert(self.condition, bindings):
            return None
        try:
            return convert(self.replacement, bindings)
        except (GradcliError, EngineError):  # e.g. c * (A @ mask): matmul refuses masks
            return None


def _compile(tree: n.Expr) -> Any:
    """A pattern: ("?", name), ("#", number) or (op, [patterns], {static: pattern})."""
    if isinstance(tree, n.Name):
        return ("?", tree.id)
    if isinstance(tree, n.Number):
        return ("#", tree.value)
    if isinstance(tree, n.Constant):
        return ("=", tree.value)
    if isinstance(tree, n.UnaryOp) and tree.op == "-":
        return ("neg", [_compile(tree.operand)], {})
    if isinstance(tree, n.BinOp):
        return (_SYMBOLS[tree.op], [_compile(tree.left), _compile(tree.right)], {})
    if isinstance(tree, n.Compare):
        return (_SYMBOLS[tree.ops[0]], [_compile(tree.left), _compile(tree.comparators[0])], {})
    if isinstance(tree, n.Attribute) and tree.attr == "T":
        return (X.TRANSPOSE, [_compile(tree.value)], {})
    if isinstance(tree, n.Call) and isinstance(tree.func, n.Name):
        name = tree.func.id
        params = [p for p, _ in X.signature_params(name)]
        tensors, statics = [], {}
        for pname, arg in zip(params, tree.args):
            if pname in STATIC_PARAMS:
                statics[pname] = _compile(arg)
            else:
                tensors.append(_compile(arg))
        for pname, default in defaults_of(name).items():
            if pname in STATIC_PARAMS and pname not in statics:
                statics[pname] = ("=", default)
        return (name, tensors, statics)
    raise ValueError(f"cannot compile pattern {tree}")


def _match(pattern: Any, node: Node, bindings: dict[str, Any]) -> bool:
    kind = pattern[0]
    if kind == "?":
        name = pattern[1]
        if name in _NUMBER_NAMES and not node.is_const():
            return False
        bound = bindings.get(name)
        if bound is not None:
            return bound is node
        bindings[name] = node
        return True
    if kind == "#":
        return node.is_const() and node.value == pattern[1]
    op, subpatterns, statics = pattern
    if node.op != op or len(node.args) != len(subpatterns):
        return False
    if op in ("add", "sub") and node.static("alpha", 1) != 1:
        return False
    for key, sub in statics.items():
        value = node.static(key)
        if sub[0] == "?":
            if key in bindings and bindings[sub[1]] != value:
                return False
            bindings[sub[1]] = value
        elif value != sub[1]:
            return False
    saved = dict(bindings)
    if all(_match(p, a, bindings) for p, a in zip(subpatterns, node.args)):
        return True
    if op in _COMMUTATIVE:
        bindings.clear()
        bindings.update(saved)
        return all(_match(p, a, bindings) for p, a in zip(subpatterns, reversed(node.args)))
    return False


_RULES: dict[str, list[Rule]] = {}


def rules(op: str) -> list[Rule]:
    """The rules whose pattern has ``op`` at the top."""
    if not _RULES:
        for line in RULES.strip().splitlines():
            rule = Rule(line)
            _RULES.setdefault(rule.pattern[0], []).append(rule)
    return _RULES.get(op, [])




def simplify(root: Node) -> Node:
    """The simplest form of ``root`` that these rules reach."""
    memo: dict[int, Node] = {}

    def go(node: Node) -> Node:
        done = memo.get(id(node))
        if done is not None:
            return done
        current = _rebuild(node, [go(a) for a in node.args])
        for _ in range(40):
            out = _rewrite(current)
            if out is None or out is current:
                break
            current = _rebuild(out, [go(a) for a in out.args])
        if current.op in _SAME_DTYPE and any(a.kind != "f" for a in current.args):
            current = X.make(current.op, tuple(a if a.kind == "f" else _floating(a)
                                               for a in current.args),
                             current.params, current.statics)
        if node.kind == "f":
            current = _floating(current)
        memo[id(node)] = memo[id(current)] = current
        return current

    return go(root)


#: Operations whose operands must have one dtype (no promotion): a rewritten operand that
#: became an integer mask, 2*(a > b) + (a == b), is made floating again.
_SAME_DTYPE = frozenset({"matmul", "mm", "mv", "dot", "outer", "inner", "vdot"})


def _rebuild(node: Node, args: list[Node]) -> Node:
    if all(a is b for a, b in zip(args, node.args)):
        return node
    return X.make(node.op, tuple(args), node.params, node.statics)


def _rewrite(node: Node) -> Node | None:
    """One rewrite of ``node`` itself (its arguments are simplified), or None."""
    if node.op in (X.VAR, X.CONST, X.LITERAL):
        return None
    for step in (_fold, _uniform, _same_shape, _linear, _transparent, _product, _sum):
        out = step(node)
        if out is not None and out is not node and out.shape == node.shape:
            return _floating(out) if node.kind == "f" else out
    for rule in rules(node.op):
        out = rule.apply(node)
        if out is not None and out is not node and out.shape == node.shape:
            return _floating(out) if node.kind == "f" else out
    return None


def _floating(node: Node) -> Node:
    """A floating value stays floating: ones(3)*(x > 0) is 1.0*(x > 0), not the mask (which
    matmul refuses, and which - and + treat as logic)."""
    if node.kind == "f":
        return node
    if node.is_const():
        return X.const(float(node.value))
    if node.op == "mul" and node.args[0].is_const():
        return call("mul", [X.const(float(node.args[0].value)), node.args[1]], {})
    return call("mul", [X.const(1.0), node], {})


def _number(value: Any) -> Any:
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    return value


def _exact(value: Any) -> Any:
    """Numbers as fractions where that is exact, so that 1/5 prints as /5, not 0.2."""
    if isinstance(value, int) or isinstance(value, float) and value.is_integer():
        return Fraction(int(value))
    if isinstance(value, float):
        near = Fraction(value).limit_denominator(10**4)
        if float(near) == value:
            return near
    return value


def _fold(node: Node) -> Node | None:
    """Numbers computed: 2 - 1 is 1."""
    if not node.args or not all(a.is_const() for a in node.args) or node.shape:
        return None
    values = [_exact(a.value) for a in node.args]
    try:
        if node.op == "neg":
            return X.const(_number(-values[0]))
        if node.op in ("add", "sub", "mul", "div") and node.static("alpha", 1) == 1:
            a, b = values
            out = {"add": a + b, "sub": a - b, "mul": a * b,
                   "div": a / b if b != 0 else None}[node.op]
            return None if out is None else X.const(_number(out))
        if node.op == "pow":
            a, b = values
            if isinstance(b, Fraction) and b.denominator == 1 and (b >= 0 or a != 0):
                return X.const(_number(a ** int(b)))
    except (ZeroDivisionError, OverflowError):
        return None
    return None


def _uniform(node: Node) -> Node | None:
    """An operation on numbers alone, whose value is one number everywhere: folded."""
    if node.op in ("expand", X.CONST) or node.kind == "b" or not node.args or node.ndim == 0 or not all(
            a.is_const() or a.op == "expand" and a.args[0].is_const() for a in node.args):
        return None
    value = np.asarray(X.evaluate(node, {}).data)
    if value.size == 0 or not (value == value.flat[0]).all():
        return None
    return call("expand", [X.const(_number(_exact(value.flat[0].item())))],
                {"sizes": node.shape})


#: Linear functions of one tensor: a number or a minus sign moves out of them.
_LINEAR = frozenset({"sum", "mean", "reshape", "view", "flatten", "expand", "squeeze",
                     "unsqueeze", "permute", "transpose", "t", X.TRANSPOSE})


def _linear(node: Node) -> Node | None:
    if node.op not in _LINEAR or not node.args or node.args[0].kind != "f":
        return None
    inner = node.args[0]
    if inner.op == "neg":
        return call("neg", [_rebuild(node, [inner.args[0]])], {})
    if inner.op in ("mul", "div"):
        factors: list[tuple[Node, Any]] = []
        sign: list[Any] = [Fraction(1)]
        _factors(inner, factors, sign)
        if sign[0] != 1 and factors:
            rest = _assemble(Fraction(1), factors, None)
            if rest.shape == inner.shape:
                return _assemble(sign[0], [(_rebuild(node, [rest]), Fraction(1))], None)
    if node.op == "expand" and inner.op == "reshape" and inner.shape[-inner.args[0].ndim or
                                                                    len(inner.shape):] == \
            inner.args[0].shape and set(inner.shape[:inner.ndim - inner.args[0].ndim]) <= {1}:
        return _rebuild(node, [inner.args[0]])
    return None


def _same_shape(node: Node) -> Node | None:
    """reshape and expand to the shape the argument has already."""
    if node.op in ("reshape", "expand", "view", "squeeze") and node.args[0].shape == node.shape:
        return node.args[0]
    if node.op in ("sum", "mean") and node.args[0].ndim == 0:
        return node.args[0]
    return None


def _transparent(node: Node) -> Node | None:
    """An element-wise operation broadcasts by itself: expand(g, 3) * x is g * x."""
    if node.op not in X.ELEMENTWISE_BINARY or node.static("alpha", 1) != 1:
        return None
    args = list(node.args)
    for i, arg in enumerate(args):
        inner = None
        if arg.op in ("expand", "reshape") and arg.args and _ones_padded(arg):
            inner = arg.args[0]
        elif arg.op == "sum" and arg.static("keepdim") and arg.args[0].ndim == 1:
            inner = call("sum", [arg.args[0]], {})
        if inner is not None:
            trial = args[:i] + [inner] + args[i + 1:]
            try:
                if np.broadcast_shapes(*(t.shape for t in trial)) == node.shape:
                    return X.make(node.op, tuple(trial), node.params, node.statics)
            except ValueError:
                continue
    return None


def _ones_padded(arg: Node) -> bool:
    """Whether ``arg`` (an expand or reshape) only broadcasts its argument."""
    inner = arg.args[0].shape
    if arg.op == "expand":
        return True
    squeezed = tuple(d for d in arg.shape if d != 1)
    return squeezed == tuple(d for d in inner if d != 1) and len(inner) <= arg.ndim and \
        arg.shape[len(arg.shape) - len(inner):] == inner if inner else True


# Products: coefficient times powers --------------------------------------------------------

def _factors(node: Node, out: list[tuple[Node, Any]], sign: list[Any], power: Any = 1) -> None:
    """Split a product into a number (``sign[0]``) and (base, exponent) factors; a divisor
    is a factor with a negative exponent."""
    if node.op == "mul":
        for a in node.args:
            _factors(a, out, sign, power)
    elif node.op == "neg" and node.kind == "f":
        sign[0] = sign[0] * (-1) ** int(power)
        _factors(node.args[0], out, sign, power)
    elif node.op == "div" and node.kind == "f" and node.args[1].kind == "f" or (
            node.op == "div" and node.args[1].is_const() and node.args[1].value != 0):
        _factors(node.args[0], out, sign, power)
        _factors(node.args[1], out, sign, -power)
    elif node.is_const() and (node.value != 0 or power > 0):
        sign[0] = sign[0] * _exact(node.value) ** power
    elif node.op == "expand":  # the shape comes back when the product is assembled
        _factors(node.args[0], out, sign, power)
    elif node.op == "pow" and node.args[1].is_const() and node.kind == "f":
        exponent = _exact(node.args[1].value)
        inner = node.args[0]
        if isinstance(exponent, Fraction) and exponent.denominator == 1 and (
                inner.op in ("mul", "div", "neg") or inner.op == "pow" and inner.args[1].is_const()):
            # (a*b)**n and (a**k)**n, for a whole n: the powers of the factors.
            _factors(inner, out, sign, power * exponent)
        else:
            out.append((inner, exponent * power))
    else:
        out.append((node, Fraction(power)))


class _Chain:
    """What is known of a product already in its simplest form, a chain ``a*b*c*...`` of
    plain factors (each its own only factor, to the power 1): the ids of its factors and how
    many of them each op has. Held by the chain's last node only, and handed on to the node
    that extends it by one factor (so that a chain of n factors costs n, not n**2)."""

    __slots__ = ("factors", "ops")

    def __init__(self, factors: list[Node]) -> None:
        self.factors = {id(f) for f in factors}
        self.ops: dict[str, int] = {}
        for f in factors:
            self.ops[f.op] = self.ops.get(f.op, 0) + 1


_CHAINS: dict[int, _Chain] = {}


def _plain(node: Node) -> bool:
    """Whether ``node`` is a factor of a product as it is (_factors leaves it whole)."""
    return node.op not in ("mul", "neg", "div", "expand", "pow", X.CONST)


def _mul_pairs() -> list[tuple[str, str]]:
    """The ops of the two factors (``?``: any) of each rule for a product of two, both ways."""
    pairs = []
    for rule in rules("mul"):
        first, second = (p[0] for p in rule.pattern[1])
        pairs += [(first, second), (second, first)]
    return pairs


def _extends_chain(node: Node) -> bool:
    """Whether ``node`` is ``chain * f`` for a chain in its simplest form and a plain factor
    ``f`` that is new to it and that no rule for two factors can join with one of it: then
    ``node`` is in its simplest form too (what _product would rebuild is ``node`` itself),
    and the chain's knowledge passes to it."""
    chain = _CHAINS.get(id(node.args[0]))
    new = node.args[1]
    if chain is None or not _plain(new) or id(new) in chain.factors:
        return False
    for mine, other in _mul_pairs():
        if (mine == "?" or mine == new.op) and (other == "?" or chain.ops.get(other, 0)):
            return False
    del _CHAINS[id(node.args[0])]
    chain.factors.add(id(new))
    chain.ops[new.op] = chain.ops.get(new.op, 0) + 1
    _CHAINS[id(node)] = chain
    return True


def _product(node: Node) -> Node | None:
    if node.kind != "f" or node.op not in ("mul", "neg", "div") and not (
            node.op == "pow" and node.args[1].is_const() and node.args[0].op in (
                "mul", "div", "neg", "pow")):
        return None
    if node.op == "mul" and _extends_chain(node):
        return None
    factors: list[tuple[Node, Any]] = []
    sign: list[Any] = [Fraction(1)]
    _factors(node, factors, sign)
    coefficient = sign[0]
    merged: dict[int, list[Any]] = {}
    order: list[Node] = []
    for base, power in factors:
        if id(base) in merged and base.kind == "f":
            merged[id(base)][1] = merged[id(base)][1] + power
        elif id(base) in merged:
            continue  # a mask times itself
        else:
            merged[id(base)] = [base, power]
            order.append(base)
    if coefficient == 0:
        return _zeros(node.shape)
    pairs = [(base, merged[id(base)][1]) for base in order if merged[id(base)][1] != 0]
    pairs = _pairwise(pairs)
    out = _assemble(coefficient, pairs, node.shape)
    if out is node and node.op == "mul" and all(p == 1 and _plain(b) for b, p in pairs):
        _CHAINS[id(node)] = _Chain([b for b, _ in pairs])
    return out


def _pairwise(pairs: list[tuple[Node, Any]]) -> list[tuple[Node, Any]]:
    """The rules applied to two factors of a longer product (a*b or a/b), where a pattern
    for two cannot see them: y*exp(u)/(1 + exp(u)) is y*sigmoid(u). Factors are looked up by
    their op, so that a product of n factors costs about n per rule, not n**2."""
    if len(pairs) < 2:
        return pairs
    by_op: dict[str, list[int]] = {}
    for i, (base, _power) in enumerate(pairs):
        by_op.setdefault(base.op, []).append(i)
    everything = list(range(len(pairs)))
    for op, power in (("mul", 1), ("div", -1)):
        for rule in rules(op):
            first, second = (p[0] for p in rule.pattern[1])
            orders = [(first, second)] + ([(second, first)] if op == "mul" else [])
            for left, right in orders:
                for i in everything if left == "?" else by_op.get(left, []):
                    if pairs[i][1] != 1:
                        continue
                    for j in everything if right == "?" else by_op.get(right, []):
                        if i == j or pairs[j][1] != power:
                            continue
                        trial = call(op, [pairs[i][0], pairs[j][0]], {})
                        out = rule.apply(trial)
                        if out is not None and out is not trial and out.shape == trial.shape:
                            rest = [pair for k, pair in enumerate(pairs) if k not in (i, j)]
                            return _pairwise([(out, Fraction(1))] + rest)
    return pairs


def _power(base: Node, power: Any) -> Node:
    return base if power == 1 else call("pow", [base, X.const(_number(power))], {})


def _chain(nodes: list[Node]) -> Node | None:
    out = None
    for item in nodes:
        out = item if out is None else call("mul", [out, item], {})
    return out


def _assemble(coefficient: Any, pairs: list[tuple[Node, Any]],
              shape: tuple[int, ...] | None) -> Node:
    """coefficient * product of base**power, divisors written after a /."""
    negative = coefficient < 0
    magnitude = -coefficient if negative else coefficient
    if isinstance(magnitude, Fraction):
        top, bottom = magnitude.numerator, magnitude.denominator
    else:
        top, bottom = magnitude, 1
    above = [_power(b, p) for b, p in pairs if p > 0]
    below = [_power(b, -p) for b, p in pairs if p < 0]
    if top != 1 or not above:
        above.insert(0, X.const(_number(top)))
    if bottom != 1:
        below.insert(0, X.const(bottom))
    product = _chain(above)
    assert product is not None
    divisor = _chain(below)
    if divisor is not None:
        product = call("div", [product, divisor], {})
    if negative:
        product = _floating(product)
        product = (X.const(-product.value) if product.is_const()
                   else call("neg", [product], {}))
    if shape is not None and product.shape != shape:
        product = call("expand", [product], {"sizes": shape})
    return product


def _zeros(shape: tuple[int, ...]) -> Node:
    zero = X.const(0)
    return zero if not shape else call("expand", [zero], {"sizes": shape})


# Sums: coefficients times terms -----------------------------------------------------------

_TERMS: dict[int, list[tuple[Any, Node | None]]] = {}
_FACTORED: dict[int, tuple[Any, list[tuple[Node, Any]]]] = {}


def _factored(node: Node) -> tuple[Any, list[tuple[Node, Any]]]:
    """A product's number and (base, exponent) factors, worked out once per node."""
    found = _FACTORED.get(id(node))
    if found is None:
        factors: list[tuple[Node, Any]] = []
        sign: list[Any] = [Fraction(1)]
        _factors(node, factors, sign)
        found = _FACTORED[id(node)] = (sign[0], factors)
    return found


def _terms(node: Node, sign: Any, out: list[tuple[Any, Node | None]]) -> None:
    """The (coefficient, term) pairs of a sum; a node's pairs are worked out once (long
    chains of additions would cost the square of their length)."""
    found = _TERMS.get(id(node))
    if found is None:
        found = []
        _split_terms(node, Fraction(1), found)
        _TERMS[id(node)] = found
    out.extend(found if sign == 1 else [(sign * c, t) for c, t in found])


def _split_terms(node: Node, sign: Any, out: list[tuple[Any, Node | None]]) -> None:
    if node.op == "add" and node.static("alpha", 1) == 1:
        _terms(node.args[0], sign, out)
        _terms(node.args[1], sign, out)
    elif node.op == "sub" and node.static("alpha", 1) == 1:
        _terms(node.args[0], sign, out)
        _terms(node.args[1], -sign, out)
    elif node.op == "neg" and node.kind == "f":
        _terms(node.args[0], -sign, out)
    elif node.is_const():
        out.append((sign * _exact(node.value), None))
    elif node.op == "expand":
        _terms(node.args[0], sign, out)
    elif node.op in ("mul", "div") and node.kind == "f":
        coefficient, factors = _factored(node)
        if coefficient == 1 or not factors:
            out.append((sign, node))
        else:
            out.append((sign * coefficient, _assemble(Fraction(1), factors, None)))
    else:
        out.append((sign, node))


#: Sums (and their prefixes) that _sum wrote: already collected, not to be collected again
#: (each prefix of a long sum would cost the sum's length).
_COLLECTED: set[int] = set()


#: The terms (ids of their non-number parts) of each collected sum.
_TERM_SETS: dict[int, frozenset[int]] = {}


def _appended(node: Node) -> bool:
    """A collected sum plus one new term is collected already: O(1) per term, so that long
    sums are not collected again term by term."""
    left, right = node.args
    if id(left) not in _COLLECTED or right.op in ("add", "sub", "neg") or right.is_const() \
            or right.op == "expand":
        return False
    coefficient, term = _single_term(right)
    if term is None or coefficient < 0 or id(term) in _TERM_SETS.get(id(left), ()):
        return False
    _COLLECTED.add(id(node))
    _TERM_SETS[id(node)] = _TERM_SETS.get(id(left), frozenset()) | {id(term)}
    return True


def _single_term(node: Node) -> tuple[Any, Node | None]:
    parts: list[tuple[Any, Node | None]] = []
    _terms(node, Fraction(1), parts)
    return parts[0] if len(parts) == 1 else (Fraction(-1), None)


def _sum(node: Node) -> Node | None:
    if node.op not in ("add", "sub") or node.kind != "f" or node.static("alpha", 1) != 1 \
            or id(node) in _COLLECTED or _appended(node):
        return None
    parts: list[tuple[Any, Node | None]] = []
    _terms(node, Fraction(1), parts)
    merged: dict[int, list[Any]] = {}
    order: list[Node | None] = []
    for coefficient, term in parts:
        key = id(term)
        if key in merged:
            merged[key][0] = merged[key][0] + coefficient
        else:
            merged[key] = [coefficient, term]
            order.append(term)
    pieces = [(merged[id(t)][0], t) for t in order if merged[id(t)][0] != 0]
    if not pieces:
        return _zeros(node.shape)
    factored = _common_factors(pieces, node.shape)
    if factored is not None:
        return factored
    first = next((i for i, (c, _) in enumerate(pieces) if c > 0), 0)
    pieces.insert(0, pieces.pop(first))  # a - b rather than -b + a
    result: Node | None = None
    for coefficient, term in pieces:
        negative = coefficient < 0
        magnitude = -coefficient if negative else coefficient
        piece = X.const(_number(magnitude)) if term is None else (
            term if magnitude == 1 else _scaled(magnitude, term))
        if piece.kind == "b" and (negative or result is not None and result.kind == "b"):
            # -mask and mask - mask are errors in PyTorch (and mask + mask is "or"): 1*mask
            piece = call("mul", [X.const(1.0), piece], {})
        if result is None:
            result = call("neg", [piece], {}) if negative else piece
            seen = frozenset({id(term)})
        else:
            result = call("sub" if negative else "add", [result, piece], {})
            seen = seen | {id(term)}
            _COLLECTED.add(id(result))
            _TERM_SETS[id(result)] = seen
    assert result is not None
    if result.shape != node.shape:
        result = call("expand", [result], {"sizes": node.shape})
    return result


_SCALED: dict[tuple[Any, int], Node] = {}


def _scaled(magnitude: Any, term: Node) -> Node:
    key = (magnitude, id(term))
    found = _SCALED.get(key)
    if found is None:
        found = _SCALED[key] = _assemble(magnitude, [(term, Fraction(1))], term.shape)
    return found


_POWERS: dict[int, tuple[Any, dict[int, tuple[Node, Any]]]] = {}


def _powers(term: Node) -> tuple[Any, dict[int, tuple[Node, Any]]]:
    """A term's number and its bases with their summed exponents (once per node)."""
    found = _POWERS.get(id(term))
    if found is None:
        number, factors = _factored(term)
        powers: dict[int, tuple[Node, Any]] = {}
        for base, power in factors:
            old = powers.get(id(base), (base, Fraction(0)))[1]
            powers[id(base)] = (base, old + power)
        found = _POWERS[id(term)] = (number, powers)
    return found


def _common_factors(pieces: list[tuple[Any, Node | None]], shape: tuple[int, ...]
                    ) -> Node | None:
    """a*b*c + a*b*d as a*b*(c + d): the factors every term has (element-wise products
    distribute, broadcasting too)."""
    if len(pieces) < 2 or any(t is None or t.kind != "f" for _, t in pieces):
        return None
    split = []
    keys: set[int] | None = None
    for coefficient, term in pieces:
        assert term is not None
        number, powers = _powers(term)
        keys = set(powers) if keys is None else keys & powers.keys()
        if not keys:
            return None  # most sums: nothing in common, known after a term or two
        split.append((coefficient * number, powers))
    common: dict[int, tuple[Node, Any]] = {}
    for key in (k for k in split[0][1] if k in (keys or ())):  # the first term's order, not
        base, power = split[0][1][key]                          # the set's (memory addresses)
        others = [p[key][1] for _, p in split[1:]]
        if all(o * power > 0 for o in others):
            common[key] = (base, min([power, *others], key=abs))
    if not common:
        return None
    total: Node | None = None
    for coefficient, powers in split:
        rest = [(b, p - common[k][1]) if k in common else (b, p) for k, (b, p) in powers.items()]
        piece = _assemble(coefficient, [(b, p) for b, p in rest if p != 0], None)
        total = piece if total is None else call("add", [total, piece], {})
    assert total is not None
    product = call("mul", [_assemble(Fraction(1), list(common.values()), None), total], {})
    if product.shape != shape:
        product = call("expand", [product], {"sizes": shape})
    return product


__all__ = ["RULES", "Rule", "simplify", "transpose"]
