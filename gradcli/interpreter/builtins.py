"""Names every program starts with: the op table's functions, Python builtins, ``torch``."""

from __future__ import annotations

import builtins as py
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ..engine import DType, Tensor, dtypes
from ..engine.ops import OPS
from ..errors import GradcliError
from .pymessages import overflow_message, value_message
from .values import Builtin, Namespace, OpFunction

#: Python builtins that the op table also defines: on tensors the op runs.
SHADOWED = {"abs", "max", "min", "round"}
#: Keyword spellings numpy users type, mapped to PyTorch's.
KEYWORD_ALIASES = {"axis": "dim", "keepdims": "keepdim"}


def _len(x: Any) -> int:
    if isinstance(x, (Tensor, tuple, list, str, range)):
        return len(x)
    raise GradcliError("type", f"object of type '{_kind(x)}' has no len()")


def _kind(x: Any) -> str:
    return "Tensor" if isinstance(x, Tensor) else type(x).__name__


def _range(*args: Any) -> range:
    if not 1 <= len(args) <= 3:
        raise GradcliError("type", f"range expected 1 to 3 arguments, got {len(args)}")
    ints = []
    for a in args:
        if isinstance(a, Tensor):
            a = a.__index__()
        if isinstance(a, bool) or not isinstance(a, int):
            raise GradcliError("type", f"'{_kind(a)}' object cannot be interpreted as an integer",
                               hint="range() takes whole numbers, e.g. range(10)")
        ints.append(a)
    if len(ints) == 3 and ints[2] == 0:
        raise GradcliError("value", "range() arg 3 must not be zero")
    return range(*ints)


def _number(name: str, conv: Callable[[Any], Any]) -> Callable[..., Any]:
    def fn(x: Any = 0) -> Any:
        if isinstance(x, str) and name == "bool":
            return bool(x)
        if isinstance(x, (Tensor, int, float, bool, str)):
            try:
                return conv(x)
            except ValueError as e:
                raise GradcliError("value", f"{name}(): {value_message(e)}") from None
            except OverflowError as e:
                raise GradcliError("value", f"{name}(): {overflow_message(e)}") from None
        raise GradcliError("type", f"{name}() argument must be a number or a tensor, not "
                           f"'{_kind(x)}'")

    return fn


def _round(x: Any, ndigits: Any = None) -> Any:
    if isinstance(x, Tensor):
        x = x.item()
    if not isinstance(x, (int, float)):
        raise GradcliError("type", f"round() needs a number, not '{_kind(x)}'")
    if ndigits is None and isinstance(x, float) and x != x:
        raise GradcliError("value", "round(): cannot convert float NaN to integer",
                           hint="test for NaN first: v != v is True only for NaN")
    if isinstance(ndigits, Tensor):
        ndigits = ndigits.__index__()
    if type(x) is int and type(ndigits) is int and ndigits < 0 and -ndigits > len(str(abs(x))):
        return 0  # Python would compute 10 ** -ndigits first, for ever when ndigits is -10**9
    try:
        return round(x, ndigits)
    except OverflowError as e:
        raise GradcliError("value", f"round(): {overflow_message(e)}") from None


def _extreme(name: str) -> Callable[..., Any]:
    pyfn = getattr(py, name)

    def fn(*args: Any, **kwargs: Any) -> Any:
        if not args:
            raise GradcliError("type", f"{name} expected at least 1 argument, got 0")
        if len(args) == 1 and isinstance(args[0], (tuple, list, range)) and not kwargs:
            if not args[0]:
                raise GradcliError("value", f"{name}() arg is an empty sequence")
            if isinstance(args[0], range):  # an end of the range: no walk through it
                r = args[0]
                return r[-1] if (name == "max") == (r.step > 0) else r[0]
            return pyfn(args[0])
        if all(isinstance(a, (int, float)) for a in args) and not kwargs:
            return pyfn(*args)
        raise GradcliError("type", f"{name}() of these arguments is not supported")

    return fn


def _abs(x: Any) -> Any:
    if isinstance(x, (int, float)):
        return abs(x)
    raise GradcliError("type", f"bad operand type for abs(): '{_kind(x)}'")


def _enumerate(x: Any, start: int = 0) -> list[tuple[int, Any]]:
    from .iteration import items_of

    return list(enumerate(items_of(x), start))


def _zip(*xs: Any) -> list[tuple[Any, ...]]:
    from .iteration import items_of

    return list(zip(*(items_of(x) for x in xs)))


def _list(x: Any = ()) -> list[Any]:
    from .iteration import items_of

    return list(items_of(x))


def _tuple(x: Any = ()) -> tuple[Any, ...]:
    from .iteration import items_of

    return tuple(items_of(x))


PYTHON_BUILTINS: dict[str, Callable[..., Any]] = {
    "len": _len, "range": _range, "abs": _abs, "float": _number("float", float),
    "int": _number("int", int), "bool": _number("bool", bool), "min": _extreme("min"),
    "max": _extreme("max"), "round": _round, "enumerate": _enumerate, "zip": _zip,
    "list": _list, "tuple": _tuple,
}
#: Builtins that walk their sequence arguments, and those of them that build a new sequence:
#: the interpreter counts the items against --max-steps (and --max-elements) first.
ITERATING = frozenset({"min", "max", "list", "tuple", "zip", "enumerate"})
MATERIALISING = frozenset({"list", "tuple", "zip", "enumerate"})
#: print and str are bound by the interpreter, which knows where output goes and how values
#: are shown.
PRINT = "print"
STR = "str"
#: Names a program may not rebind.
PROTECTED = frozenset(PYTHON_BUILTINS) | {PRINT, STR, "torch"}

_DTYPE_NAMES = {
    "float32": "float32", "float": "float32", "float64": "float64", "double": "float64",
    "int64": "int64", "long": "int64", "int32": "int32", "int": "int32", "bool": "bool",
}


def _namespace(path: str, modules: dict[str, dict[str, Any]]) -> Namespace:
    """The module ``path`` with its functions and, as attributes, its submodules."""
    members = dict(modules.get(path, {}))
    for sub in modules:
        if "." in sub and sub.rsplit(".", 1)[0] == path:
            members[sub.rsplit(".", 1)[1]] = _namespace(sub, modules)
    return Namespace(path, members)


def _torch_members() -> dict[str, Any]:
    """``torch`` and its modules, each holding the op table's functions that name it."""
    modules: dict[str, dict[str, Any]] = {"torch": {}, "torch.nn": {}}
    for name, spec in OPS.items():
        for where in spec.namespaces:
            for spelling in (name, *spec.aliases):
                modules.setdefault(where, {})[spelling] = OpFunction(spec)
    members = _namespace("torch", modules).members
    members.update({alias: DType(dtypes.parse_dtype(name)) for alias, name in _DTYPE_NAMES.items()})
    members["pi"] = math.pi
    members["e"] = math.e
    members["inf"] = math.inf
    members["nan"] = math.nan
    return members


TORCH = Namespace("torch", _torch_members())


def interpreter_bound(*args: Any, **kwargs: Any) -> Any:
    """The ``fn`` of print and str: Interpreter.call runs its own method instead."""
    raise AssertionError("print and str are called by the interpreter that runs them")


def _make_global_names() -> dict[str, Any]:
    names: dict[str, Any] = {n: OpFunction(s) for s in OPS.values() if s.function
                             for n in (s.name, *s.aliases)}
    for name, fn in PYTHON_BUILTINS.items():
        if name not in names or name in SHADOWED:
            names[name] = Builtin(name, fn)
    names[PRINT] = Builtin(PRINT, interpreter_bound)
    names[STR] = Builtin(STR, interpreter_bound)
    names["torch"] = TORCH
    # ``import torch.nn.functional as F``, as every PyTorch program begins, made already.
    names["F"] = TORCH.members["nn"].members["functional"]
    return names


#: The names, and the read-only view of them that interpreters share.
_GLOBAL_NAMES: list[dict[str, Any]] = []
_GLOBAL_VIEW: list[Mapping[str, Any]] = []


def global_names() -> Mapping[str, Any]:
    """What a fresh program can see, besides its own variables: one read-only mapping of
    immutable values, made once and shared (``gradcli eval -`` makes an interpreter per line;
    a program's assignments go to its own globals)."""
    if not _GLOBAL_VIEW:
        _GLOBAL_NAMES.append(_make_global_names())
        _GLOBAL_VIEW.append(MappingProxyType(_GLOBAL_NAMES[0]))
    return _GLOBAL_VIEW[0]
