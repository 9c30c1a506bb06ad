"""Calling op-table functions: keyword aliases, argument checking with the signature shown."""

from __future__ import annotations

import sys
from types import FunctionType
from typing import Any

from ..engine.ops import OpSpec
from ..errors import GradcliError
from .builtins import KEYWORD_ALIASES

_VARARGS, _VARKEYWORDS = 0x04, 0x08  # inspect.CO_VARARGS, inspect.CO_VARKEYWORDS
#: Parameters that take a list literal as a Python list, as in PyTorch: nested lists of
#: numbers as data (``tensor(data, dtype=...)``), a list of dims (``sum(x, [0, 1])``,
#: ``permute([1, 0])``) or of sizes (``reshape(x, [2, 3])``). Anywhere else a list literal is
#: a tensor.
LIST_PARAMETERS = frozenset({"data", "dim", "dims", "shape", "size", "sizes"})


class _Parameters:
    """An op's parameters, read once from its code: the checks of ``Signature.bind``.

    ``Signature.bind`` costs about as much as a small op itself, so calls are checked here
    and only a call that fails goes to ``inspect``, for Python's own error message.
    """

    __slots__ = ("names", "positional", "keywords", "required", "varargs", "varkeywords",
                 "flags", "lists", "least", "unflagged")
    names: tuple[str, ...]
    positional: int
    keywords: dict[str, int]
    required: tuple[tuple[int, str], ...]
    varargs: bool
    varkeywords: bool
    #: Parameters whose default is True or False (keepdim, requires_grad, ...): as in PyTorch,
    #: they take a bool and nothing else. Position (or -1 for keyword-only) by name.
    flags: dict[str, int]
    #: Names of the parameters, in order, that a positional argument can fill, the *args
    #: parameter last (it takes every argument from there on); those of LIST_PARAMETERS keep
    #: their name, the others are "".
    lists: tuple[str, ...]
    #: The fewest positional arguments that a call without keywords may pass, or -1 when such
    #: a call never fits (a required keyword-only parameter, or a signature left to inspect).
    least: int
    #: The most positional arguments a call may pass and give none of the flags.
    unflagged: int

    def __init__(self, impl: Any) -> None:
        self.flags = _flags(impl)
        self.unflagged = min((i for i in self.flags.values() if i >= 0), default=sys.maxsize)
        if (not isinstance(impl, FunctionType) or hasattr(impl, "__wrapped__")
                or hasattr(impl, "__signature__") or impl.__code__.co_posonlyargcount):
            # Let inspect judge every call: it knows wrappers and positional-only parameters.
            self.names = tuple(_signature(impl).parameters)
            self.positional, self.keywords, self.required = -1, {}, ()
            self.varargs = self.varkeywords = False
            self.lists = ()
            self.least = -1
            return
        code = impl.__code__
        count, kwonly = code.co_argcount, code.co_kwonlyargcount
        declared = code.co_varnames[:count + kwonly]
        self.varargs = bool(code.co_flags & _VARARGS)
        self.varkeywords = bool(code.co_flags & _VARKEYWORDS)
        star = code.co_varnames[count + kwonly:count + kwonly + self.varargs + self.varkeywords]
        #: In inspect's order: positional, *args, keyword-only, **kwargs.
        self.names = (*declared[:count], *star[:self.varargs], *declared[count:],
                      *star[self.varargs:])
        self.positional = count
        self.keywords = {name: i for i, name in enumerate(declared)}
        defaults = len(impl.__defaults__ or ())
        kwdefaults = impl.__kwdefaults__ or {}
        self.required = tuple(
            (i, name) for i, name in enumerate(declared)
            if (i < count - defaults) or (i >= count and name not in kwdefaults))
        self.lists = tuple(n if n in LIST_PARAMETERS else ""
                           for n in self.names[:count + self.varargs])
        self.least = -1 if any(i >= count for i, _ in self.required) else count - defaults

    def fit(self, args: list[Any], kwargs: dict[str, Any]) -> bool:
        """True when ``Signature.bind(*args, **kwargs)`` would succeed (False: ask it)."""
        if not kwargs and 0 <= self.least <= len(args) and (
                len(args) <= self.positional or self.varargs):
            return True  # the common call, tanh(h): positional arguments only
        if self.positional < 0 or len(args) > self.positional and not self.varargs:
            return False
        for name in kwargs:
            index = self.keywords.get(name)
            if index is None:
                if not self.varkeywords:
                    return False
            elif index < len(args) and index < self.positional:
                return False
        return all(i < len(args) and i < self.positional or name in kwargs
                   for i, name in self.required)


    def check_flags(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
        for flag, index in self.flags.items():
            if 0 <= index < len(args):
                value = args[index]
            elif flag in kwargs:
                value = kwargs[flag]
            else:
                continue
            if not isinstance(value, bool):
                raise GradcliError("type", f"{name}(): argument '{flag}' must be bool, not "
                                   f"{_type_name(value)}", hint=f"use {flag}=True or {flag}=False")


def _flags(impl: Any) -> dict[str, int]:
    if not isinstance(impl, FunctionType):
        return {}
    code = impl.__code__
    count = code.co_argcount
    defaults = impl.__defaults__ or ()
    positional = code.co_varnames[:count]
    flags = {name: i for i, (name, default)
             in enumerate(zip(positional[count - len(defaults):], defaults),
                          start=count - len(defaults))
             if isinstance(default, bool)}
    flags.update({name: -1 for name, default in (impl.__kwdefaults__ or {}).items()
                  if isinstance(default, bool)})
    return flags


def _type_name(value: Any) -> str:
    from ..engine import Tensor  # the type names users know: Tensor, int, NoneType, ...

    return "Tensor" if isinstance(value, Tensor) else type(value).__name__


_PARAMETERS: dict[str, _Parameters] = {}


def _parameters(spec: OpSpec) -> _Parameters:
    params = _PARAMETERS.get(spec.name)
    if params is None:
        params = _PARAMETERS[spec.name] = _Parameters(spec.impl)
    return params


def _signature(impl: Any) -> Any:
    import inspect  # only for ops that inspect must judge, and for calls that fail

    return inspect.signature(impl)


def list_parameter(spec: OpSpec, position: int | str, method: bool = False) -> bool:
    """Whether argument ``position`` (an index, or a keyword) of a call of ``spec`` takes a
    list literal as a list (LIST_PARAMETERS; see Interpreter._call). ``method``: a call
    ``x.name(...)``, whose arguments start after the one that ``x`` fills."""
    params = _parameters(spec)
    if isinstance(position, str):
        return KEYWORD_ALIASES.get(position, position) in LIST_PARAMETERS and (
            KEYWORD_ALIASES.get(position, position) in params.names)
    lists = params.lists
    if method:
        lists = (tuple(n for n, p in zip(lists, params.names) if p != spec.self_arg)
                 if spec.self_arg is not None else lists[1:])
    if not lists:
        return False
    name = lists[min(position, len(lists) - 1)] if params.varargs else (
        lists[position] if position < len(lists) else "")
    return bool(name)


def passes_checks(spec: OpSpec, count: int) -> bool:
    """Whether every call of ``spec`` with ``count`` positional arguments and no keywords
    passes bind_op's checks, so that ``spec.impl(*args)`` may be called at once."""
    params = _parameters(spec)
    return 0 <= params.least <= count <= params.unflagged and (
        count <= params.positional or params.varargs)


def bind_op(spec: OpSpec, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Call ``spec`` with the user's arguments, refusing wrong ones with a clear message."""
    if kwargs:
        kwargs = {KEYWORD_ALIASES.get(k, k): v for k, v in kwargs.items()}
    params = _parameters(spec)
    if not params.fit(args, kwargs):
        try:
            _signature(spec.impl).bind(*args, **kwargs)
        except TypeError as e:
            raise GradcliError("type", f"{spec.name}(): {_clean(str(e))}",
                               hint=f"usage: {spec.signature}") from None
    if params.flags:
        params.check_flags(spec.name, args, kwargs)
    return spec.impl(*args, **kwargs)


def bind_method(spec: OpSpec, self_value: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``x.where(c, y)`` is ``where(c, x, y)``: x fills ``spec.self_arg``, args the rest."""
    assert spec.self_arg is not None
    rest = [p for p in _parameters(spec).names if p != spec.self_arg]
    if len(args) > len(rest):
        raise GradcliError("type", f"{spec.name}() takes {len(rest)} arguments as a method "
                           f"({len(args)} given)", hint=f"usage: {spec.signature}")
    named = dict(zip(rest, args))
    for k in kwargs:
        if KEYWORD_ALIASES.get(k, k) in named:
            raise GradcliError("type", f"{spec.name}(): multiple values for argument '{k}'")
    return bind_op(spec, [], {**named, **kwargs, spec.self_arg: self_value})


def _clean(message: str) -> str:
    return message.replace("positional argument", "argument")
