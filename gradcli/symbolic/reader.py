"""Reads language text (an expression, or an op's rule) into expression nodes.

Numbers, shapes, ``x.ndim``, comparisons of them and ``a if cond else b`` are worked out
here (they are static); what depends on tensors becomes nodes.
"""

from __future__ import annotations

import difflib
import operator
from typing import Any

import numpy as np

from ..engine import EngineError, Tensor, dtypes
from ..engine import ops as E
from ..errors import GradcliError
from ..syntax import nodes as n
from ..syntax import parse_expression, unparse
from . import expr as X
from .expr import DTypeName, Node

#: Parameters that take numbers, flags, dims or sizes, never a tensor to differentiate.
STATIC_PARAMS = frozenset({"dim", "keepdim", "dtype", "p", "dim0", "dim1", "shape", "sizes",
                           "dims", "start_dim", "end_dim", "alpha", "min", "max", "unbiased",
                           "correction", "reduction", "beta", "delta", "eps",
                           "ignore_index", "label_smoothing", "num_classes",
                           "shifts", "diagonal", "offset", "dim2", "ord", "threshold",
                           "approximate", "negative_slope", "min_val", "max_val", "inplace"})
#: Functions that make constant tensors from numbers: kept as literals.
CREATION = frozenset({"ones", "zeros", "eye", "arange", "linspace", "full", "tensor"})

_PY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
       "//": operator.floordiv, "%": operator.mod, "**": operator.pow,
       "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
       ">": operator.gt, ">=": operator.ge, "is": operator.is_, "is not": operator.is_not,
       "in": lambda a, b: a in b, "not in": lambda a, b: a not in b}
_OPS = {symbol: name for name, symbol in X.INFIX.items()}
#: NumPy's spellings PyTorch accepts too (as the interpreter's builtins).
KEYWORD_ALIASES = {"axis": "dim", "keepdims": "keepdim"}
_DTYPES = {"int", "float32", "float64", "float", "double", "int64", "long", "int32", "bool"}


class Unsupported(GradcliError):
    """Something diff cannot differentiate (yet): a value error naming it."""

    def __init__(self, message: str, node: n.Node | None = None, hint: str | None = None):
        super().__init__("value", message, getattr(node, "line", None) or None,
                         getattr(node, "column", None) or None, hint=hint)


def read(text: str, env: dict[str, Any]) -> Any:
    return convert(parse_expression(text), env)


def tensor(value: Any) -> Node:
    """A node for a tensor argument given as a number or a node."""
    if isinstance(value, Node):
        return value
    if isinstance(value, (bool, int, float)):
        return X.const(value)
    raise Unsupported(f"expected a tensor, got {value!r}")


def binary(symbol: str, left: Any, right: Any) -> Node:
    return call(_OPS[symbol], [tensor(left), tensor(right)], {})


def convert(node: n.Expr, env: dict[str, Any]) -> Any:
    """The node (or static value) that the AST ``node`` stands for."""
    if isinstance(node, n.Name):
        if node.id in env:
            return env[node.id]
        if node.id in _DTYPES:
            return DTypeName(node.id)
        raise GradcliError("name", f"{node.id} has no value and no shape", node.line,
                           node.column, hint=f'give it one: --let {node.id}="..." or '
                           f"--shape {node.id}=3 (--shape {node.id}= for a scalar)")
    if isinstance(node, n.Number):
        return node.value
    if isinstance(node, n.Constant):
        return node.value
    if isinstance(node, n.String):  # a keyword's value: gelu(x, approximate='tanh')
        return node.value
    if isinstance(node, (n.TupleLit, n.ListLit)):
        return tuple(convert(item, env) for item in node.items)
    if isinstance(node, n.UnaryOp):
        value = convert(node.operand, env)
        if node.op == "+":
            return value
        if isinstance(value, Node):
            return call("neg", [value], {})
        return -value
    if isinstance(node, n.BinOp):
        left, right = convert(node.left, env), convert(node.right, env)
        if not isinstance(left, Node) and not isinstance(right, Node):
            return _PY[node.op](left, right)
        return binary(node.op, left, right)
    if isinstance(node, n.Compare):
        return _compare(node, env)
    if isinstance(node, n.BoolOp):
        result = None
        for item in node.values:
            result = _static(convert(item, env), item)
            if (node.op == "and") != bool(result):
                return result
        return result
    if isinstance(node, n.Not):
        return not _static(convert(node.operand, env), node.operand)
    if isinstance(node, n.IfExp):
        test = _static(convert(node.test, env), node.test)
        return convert(node.body if test else node.orelse, env)
    if isinstance(node, n.Attribute):
        if _dotted(node.value) == "torch" and "torch" not in env:
            if node.attr in _DTYPES:
                return DTypeName(node.attr)
            if node.attr in _TORCH_CONSTANTS:
                return _TORCH_CONSTANTS[node.attr]
        return _attribute(convert(node.value, env), node)
    if isinstance(node, n.Subscript):
        value = convert(node.value, env)
        if isinstance(value, Node):
            return _index(value, node, env)
        index = convert(node.index, env)
        if isinstance(index, Node):
            raise Unsupported("diff does not differentiate through indexing yet", node,
                              hint="gradcli eval and jacobian do")
        return value[index]
    if isinstance(node, n.Call):
        return _call(node, env)
    raise Unsupported(f"diff cannot read {type(node).__name__.lower()} expressions", node)


#: torch's constants, as eval reads them.
_TORCH_CONSTANTS = {"pi": float(np.pi), "e": float(np.e), "inf": float("inf"),
                    "nan": float("nan")}


def _dotted(node: n.Expr) -> str | None:
    """``torch.nn.functional`` for that chain of names, else None."""
    if isinstance(node, n.Name):
        return node.id
    if isinstance(node, n.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


def _index(value: Node, node: n.Subscript, env: dict[str, Any]) -> Node:
    """``x[i]`` and ``x[a:b:c]`` of the first dimension, with numbers known before."""
    unsupported = Unsupported("diff differentiates indexing by a number or a slice of the first "
                              "dimension only (x[i], x[a:b])", node,
                              hint="gradcli eval and jacobian take any index")
    if value.ndim == 0 or value.ndim > 2 or isinstance(node.index, n.TupleLit):
        raise unsupported
    if isinstance(node.index, n.Slice):
        parts = [None if p is None else convert(p, env) for p in
                 (node.index.lower, node.index.upper, node.index.step)]
        if not all(p is None or isinstance(p, int) and not isinstance(p, bool) for p in parts):
            raise unsupported
        key: tuple[Any, ...] = ("slice", *parts)
    else:
        index = convert(node.index, env)
        if not isinstance(index, int) or isinstance(index, bool):
            raise unsupported
        key = ("int", index)
    try:
        return X.make(X.INDEX, (value,), statics=(("key", key),))
    except GradcliError as err:
        raise err.located(node.line, node.column) if err.line is None else err from None


def _static(value: Any, node: n.Node) -> Any:
    if isinstance(value, Node):
        raise Unsupported("a condition here must not depend on tensor values", node)
    return value


def _compare(node: n.Compare, env: dict[str, Any]) -> Any:
    left = convert(node.left, env)
    if len(node.ops) == 1:
        right = convert(node.comparators[0], env)
        if node.ops[0] in ("is", "is not"):  # weight is None: a tensor is not None
            return _PY[node.ops[0]](left, right)
        if isinstance(left, Node) or isinstance(right, Node):
            return binary(node.ops[0], left, right)
        return _PY[node.ops[0]](left, right)
    result = True
    for op, item in zip(node.ops, node.comparators):
        right = _static(convert(item, env), item)
        result = result and _PY[op](_static(left, node), right)
        left = right
    return result


def _attribute(value: Any, node: n.Attribute) -> Any:
    if not isinstance(value, Node):
        if isinstance(value, tuple) and node.attr == "ndim":
            return len(value)
        raise Unsupported(f"diff cannot read .{node.attr} here", node)
    if node.attr == "T":
        return value if value.ndim < 2 and value.op != X.TRANSPOSE else transpose(value)
    if node.attr == "shape":
        return tuple(value.shape)
    if node.attr == "ndim":
        return value.ndim
    raise Unsupported(f"diff cannot differentiate .{node.attr}", node)


def transpose(value: Node) -> Node:
    return X.make(X.TRANSPOSE, (value,))


def _call(node: n.Call, env: dict[str, Any]) -> Any:
    args = [convert(a, env) for a in node.args]
    kwargs = {KEYWORD_ALIASES.get(k.name, k.name): convert(k.value, env) for k in node.keywords}
    if isinstance(node.func, n.Attribute) and _module_path(node.func.value, env):
        name = node.func.attr  # torch.sum(x), F.mse_loss(x, y): a function
    elif isinstance(node.func, n.Attribute):  # x.sum(0): a method
        name = node.func.attr
        args.insert(0, convert(node.func.value, env))
    elif isinstance(node.func, n.Name):
        name = node.func.id
    else:
        raise Unsupported("diff reads calls of named functions only", node)
    if name == "numel":
        value = args[0]
        return int(np.prod(value.shape if isinstance(value, Node) else value))
    if name == "isinstance":  # rules only: isinstance(dim, int)
        return isinstance(args[0], int)
    if name == "argsort":
        return tuple(int(i) for i in np.argsort(args[0]))
    if name == "zeros_like":
        return call("mul", [X.const(0.0), args[0]], {})
    if name == "ones_like":
        return call("expand", [X.const(1.0)], {"sizes": args[0].shape})
    spec = E.lookup(name)
    if spec is None:
        close = difflib.get_close_matches(name, [*E.OPS, *E.ALIASES], n=1)
        raise GradcliError("name", f"no function named {name}", node.line, node.column,
                           hint=f"did you mean '{close[0]}'?" if close else None)
    if spec.name in CREATION and not any(isinstance(a, Node) for a in (*args,
                                                                       *kwargs.values())):
        return _literal(node, spec, args, kwargs)
    if spec.name in ("max", "min") and (len(args) > 1 or "dim" in kwargs or "other" in kwargs):
        raise Unsupported(f"diff differentiates {spec.name}(x) of all elements only (along a dim "
                          "it gives values and indices)", node,
                          hint=f"a{spec.name}(x, dim) gives the values alone")
    try:
        return call(spec.name, args, kwargs)
    except GradcliError as err:
        raise err.located(node.line, node.column) if err.line is None else err from None


#: The names of PyTorch modules an expression may call through (``torch.nn.functional``, F).
MODULES = frozenset({"torch", "F"})


def _module_path(node: n.Expr, env: dict[str, Any]) -> bool:
    """Whether ``node`` is ``torch``, ``F`` or a module under torch (not a variable so named)."""
    while isinstance(node, n.Attribute):
        node = node.value
    return isinstance(node, n.Name) and node.id in MODULES and node.id not in env


def _literal(node: n.Call, spec: Any, args: list[Any], kwargs: dict[str, Any]) -> Node:
    """A constant tensor (``ones(3)``, ``eye(2)``), made by the engine in float64 as the check
    evaluates: a value, not a function of the variables."""
    before = dtypes.default_float()
    dtypes.set_default_float("float64")
    try:
        value = spec.impl(*args, **kwargs)
    except EngineError as err:
        raise GradcliError(err.kind, err.message, node.line, node.column, err.hint) from None
    finally:
        dtypes.set_default_float(before)
    data = value.data if isinstance(value, Tensor) else np.asarray(value)
    return X.literal(unparse(node), data)


_BINARY_PARAMS = ("input", "other")
_ALPHA = (("alpha", 1),)


def call(name: str, args: list[Any], kwargs: dict[str, Any]) -> Node:
    """The node of op-table function ``name`` called with these arguments."""
    if not kwargs and all(isinstance(a, Node) for a in args):  # the common case, quickly
        if name in ("mul", "div", "pow", "matmul") or name in X.COMPARISONS:
            params = ("input", "exponent") if name == "pow" else _BINARY_PARAMS
            try:
                return X.make(name, tuple(args), params)
            except ValueError as err:
                raise GradcliError("shape", f"{name}: {err}") from None
        if name in ("add", "sub"):
            try:
                return X.make(name, tuple(args), _BINARY_PARAMS, _ALPHA)
            except ValueError as err:
                raise GradcliError("shape", f"{name}: {err}") from None
        if name == "neg":
            return X.make(name, tuple(args), ("input",))
    params = X.signature_params(name)
    bound: dict[str, Any] = {}
    position = 0
    for pname, star in params:
        if star:
            rest = tuple(args[position:])
            bound[pname] = rest[0] if len(rest) == 1 and isinstance(rest[0], tuple) else rest
            position = len(args)
        elif position < len(args):
            bound[pname] = args[position]
            position += 1
    if position < len(args):
        raise GradcliError("type", f"{name}() takes at most {position} positional arguments")
    bound.update(kwargs)
    defaults = defaults_of(name)
    tensors: list[Node] = []
    names: list[str] = []
    statics: list[tuple[str, Any]] = []
    for pname, _star in params:
        if pname not in bound:
            if pname not in defaults:
                raise GradcliError("type", f"{name}() missing required argument: '{pname}'")
            bound[pname] = defaults[pname]
        value = bound[pname]
        if pname in STATIC_PARAMS:
            if isinstance(value, Node):
                raise Unsupported(f"{name}: {pname} must be a number here, not a tensor")
            statics.append((pname, value))
        elif value is None and pname in defaults:
            statics.append((pname, None))
        elif isinstance(value, tuple):
            raise Unsupported(f"diff does not differentiate {name}() of a sequence yet",
                              hint="gradcli eval and jacobian do")
        else:
            tensors.append(tensor(value))
            names.append(pname)
    try:
        return X.make(name, tuple(tensors), tuple(names), tuple(statics))
    except ValueError as err:  # numpy: shapes that do not broadcast
        raise GradcliError("shape", f"{name}: {err}") from None
    except EngineError as err:
        raise GradcliError(err.kind, err.message, hint=err.hint) from None


_DEFAULTS: dict[str, dict[str, Any]] = {}


def defaults_of(name: str) -> dict[str, Any]:
    found = _DEFAULTS.get(name)
    if found is None:
        import ast

        inside = E.OPS[name].signature.split("(", 1)[1].rsplit(")", 1)[0]
        found = {}
        for part in (p.strip() for p in inside.split(",")):
            if "=" in part:
                key, text = part.split("=", 1)
                found[key.strip()] = ast.literal_eval(text.strip())
            elif part.startswith("*"):
                found[part.lstrip("*")] = ()
        _DEFAULTS[name] = found
    return found
