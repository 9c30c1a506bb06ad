"""Expression nodes: an immutable, hash-consed DAG with shapes, evaluated by the engine.

Every node is made by ``make``, which returns the existing node when an equal one exists, so
that equal subexpressions are one object (sharing is free and ``is`` is equality). A node is
an op-table function (``op``, its tensor arguments ``args`` under the parameter names
``params``, and its other arguments ``statics``) or one of the kinds below.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import EngineError, Tensor
from ..engine import ops as E

#: Kinds that are not op-table functions: a variable, a number, ``x.T``, a literal tensor
#: made by a creation function (``ones(3)``), kept as its source text, and ``x[key]`` (a number
#: or a slice of the first dimension; the static ``key`` is ("int", i) or ("slice", a, b, c));
#: none of them a name of the op table (which has ``var``, the variance).
VAR, CONST, TRANSPOSE, LITERAL, INDEX = "variable", "const", "T", "literal", "index"

#: The op-table functions written as operators, and their symbols.
INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@", "pow": "**",
         "floor_divide": "//", "remainder": "%", "gt": ">", "ge": ">=", "lt": "<", "le": "<=",
         "eq": "==", "ne": "!=", "bitwise_and": "&", "bitwise_or": "|"}
ELEMENTWISE_BINARY = frozenset(INFIX) - {"matmul"}
COMPARISONS = frozenset({"gt", "ge", "lt", "le", "eq", "ne", "bitwise_and", "bitwise_or"})


class DTypeName(str):
    """A dtype written by name (``torch.float64``), not a string literal: ``x.type('float64')``
    is PyTorch's error, ``x.type(torch.float64)`` a cast."""


class Node:
    """One subexpression; build with ``make``, compare with ``is``."""

    __slots__ = ("op", "args", "params", "statics", "shape", "kind", "__weakref__")

    op: str
    args: tuple[Node, ...]
    params: tuple[str, ...]
    statics: tuple[tuple[str, Any], ...]
    shape: tuple[int, ...]
    #: "f" floating, "b" boolean, "i" integer.
    kind: str

    def static(self, name: str, default: Any = None) -> Any:
        for key, value in self.statics:
            if key == name:
                return value
        return default

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def value(self) -> Any:
        """A number's value (CONST nodes only)."""
        return self.statics[0][1]

    @property
    def name(self) -> str:
        """A variable's name (VAR nodes only)."""
        return str(self.statics[0][1])

    def is_const(self, value: float | None = None) -> bool:
        return self.op == CONST and (value is None or self.value == value)

    def __repr__(self) -> str:
        return f"Node({self.op}, {self.args}, {self.statics}, shape={self.shape})"


_TABLE: dict[tuple[Any, ...], Node] = {}


def make(op: str, args: tuple[Node, ...] = (), params: tuple[str, ...] = (),
         statics: tuple[tuple[str, Any], ...] = (), *, shape: tuple[int, ...] | None = None,
         kind: str | None = None) -> Node:
    """The node for this op and arguments: an existing equal one, or a new one."""
    if op == "sub" and any(a.kind == "b" for a in args):
        # a mask is counted as 1.0*(x > 0) before a subtraction, which PyTorch refuses for a
        # bool (the rules and rewrites may put one there: relu's grad * (input > 0) - grad)
        args = tuple(make("mul", (const(1.0), a), ("input", "other")) if a.kind == "b" else a
                     for a in args)
    key = (op, tuple(map(id, args)), params,
           _hashable(statics) if op == CONST or statics and op not in _PLAIN else statics,
           shape if op in (VAR, LITERAL) else None, kind if op == VAR else None)
    found = _TABLE.get(key)
    if found is not None:
        return found
    node = Node()
    node.op, node.args, node.params, node.statics = op, args, params, statics
    if shape is None or kind is None:
        shape, kind = _infer(node)
    node.shape, node.kind = tuple(shape), kind
    _TABLE[key] = node
    node_keepalive.append(node)
    return node


#: Nodes live as long as the process (a diff runs once); keys hold ids, so nodes must not die.
node_keepalive: list[Node] = []


#: Ops whose other arguments are plain ints and flags (no 2.0 against 2 to tell apart).
_PLAIN = frozenset({"add", "sub", "sum", "mean", "expand", "reshape", "unsqueeze", "squeeze",
                    "transpose", "softmax", "log_softmax", "logsumexp"})


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, float) and value == int(value) and abs(value) < 2**53:
        return ("float", value)  # 2.0 and 2 print differently
    return value


def var(name: str, shape: tuple[int, ...], kind: str = "f") -> Node:
    return make(VAR, statics=(("name", name),), shape=shape, kind=kind)


def const(value: float) -> Node:
    if isinstance(value, bool):
        value = int(value)
    return make(CONST, statics=(("value", value),), shape=(),
                kind="f" if isinstance(value, float) else "i")


def literal(text: str, value: np.ndarray) -> Node:
    node = make(LITERAL, statics=(("text", text),), shape=value.shape, kind=value.dtype.kind)
    _LITERALS[id(node)] = value
    return node


_LITERALS: dict[int, np.ndarray] = {}


def _infer(node: Node) -> tuple[tuple[int, ...], str]:
    """Shape and kind, from the shapes of the arguments (the engine runs on ones)."""
    args = node.args
    if node.op in ELEMENTWISE_BINARY and node.static("alpha", 1) == 1 or node.op == "neg":
        shape = np.broadcast_shapes(*(a.shape for a in args))
        if node.op in COMPARISONS:
            return shape, "b"
        kinds = {a.kind for a in args}
        if kinds == {"b"} and node.op in ("mul", "add"):
            return shape, "b"  # as PyTorch: mask * mask is a mask
        return shape, "f" if "f" in kinds or node.op == "div" else "i"
    if node.op == TRANSPOSE:
        return args[0].shape[::-1], args[0].kind
    # Integers as floats: the shape is the same, and numbers mixed in never fail a dtype check.
    try:
        value = apply(node, [Tensor(np.ones(a.shape, dtype=np.bool_ if a.kind == "b" else
                                            np.float64)) for a in args])
    except EngineError as err:  # a matrix of ones is singular (inverse, solve): other values
        if err.kind != "value":
            raise
        rng = np.random.default_rng(0)
        value = apply(node, [Tensor(rng.standard_normal(a.shape) if a.kind != "b" else
                                    np.ones(a.shape, dtype=np.bool_)) for a in args])
    data = value.data if isinstance(value, Tensor) else np.asarray(value)
    return data.shape, "f" if data.dtype.kind == "f" else data.dtype.kind


def apply(node: Node, values: list[Any]) -> Any:
    """The engine's value of ``node`` given its arguments' values (Tensors)."""
    if node.op == VAR:
        raise ValueError("a variable has no arguments to apply")
    if node.op == CONST:
        return Tensor(np.asarray(node.value, dtype=np.float64 if node.kind == "f" else np.int64))
    if node.op == LITERAL:
        return Tensor(_LITERALS[id(node)])
    if node.op == TRANSPOSE:
        return E.numpy_T(values[0])
    if node.op == INDEX:
        return values[0][index_key(node.static("key"))]
    if node.op == "expand" and node.args[0].op == CONST:  # printed ones(3): floating
        values = [Tensor(np.asarray(node.args[0].value, dtype=np.float64))]
    spec = E.OPS[node.op]
    bound = dict(zip(node.params, values))
    bound.update(node.statics)
    positional: list[Any] = []
    for name, star in signature_params(node.op):
        if star:
            positional.extend(bound[name])
        else:
            positional.append(bound[name])
    return spec.impl(*positional)


def index_key(key: tuple[Any, ...]) -> Any:
    """The Python key of an INDEX node's static ``key``."""
    return key[1] if key[0] == "int" else slice(*key[1:])


def index_text(key: tuple[Any, ...]) -> str:
    """``1``, ``1:3``, ``::2``: the key as the language writes it."""
    if key[0] == "int":
        return str(key[1])
    a, b, c = ("" if v is None else str(v) for v in key[1:])
    return f"{a}:{b}" + (f":{c}" if c else "")


_SIGNATURES: dict[str, list[tuple[str, bool]]] = {}


def signature_params(op: str) -> list[tuple[str, bool]]:
    """The parameter names of an op-table function, each with whether it is ``*name``."""
    found = _SIGNATURES.get(op)
    if found is None:
        inside = E.OPS[op].signature.split("(", 1)[1].rsplit(")", 1)[0]
        found = []
        for part in (p.strip() for p in inside.split(",")):
            if not part:
                continue
            name = part.split("=", 1)[0].strip()
            found.append((name.lstrip("*"), name.startswith("*")))
        _SIGNATURES[op] = found
    return found


def evaluate(root: Node, env: dict[str, Tensor]) -> Tensor:
    """The value of ``root`` with variables from ``env``, every shared node computed once."""
    values: dict[int, Any] = {}
    for node in topological(root):
        if node.op == VAR:
            values[id(node)] = env[node.name]
        else:
            values[id(node)] = apply(node, [values[id(a)] for a in node.args])
    return values[id(root)]


def topological(*roots: Node) -> list[Node]:
    """Every node under ``roots``, each after its arguments (no recursion: deep chains)."""
    order: list[Node] = []
    seen: set[int] = set()
    for root in roots:
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((a, False) for a in reversed(node.args) if id(a) not in seen)
    return order
