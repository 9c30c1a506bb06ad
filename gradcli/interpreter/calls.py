"""Calling op-table functions: keyword aliases, argument checking with the signature shown."""

from __future__ import annotations

import inspect
from typing import Any

from ..engine.ops import OpSpec
from ..errors import GradcliError
from .builtins import KEYWORD_ALIASES

_SIGNATURES: dict[str, inspect.Signature] = {}


def _signature(spec: OpSpec) -> inspect.Signature:
    sig = _SIGNATURES.get(spec.name)
    if sig is None:
        sig = _SIGNATURES[spec.name] = inspect.signature(spec.impl)
    return sig


def bind_op(spec: OpSpec, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Call ``spec`` with the user's arguments, refusing wrong ones with a clear message."""
    if kwargs:
        kwargs = {KEYWORD_ALIASES.get(k, k): v for k, v in kwargs.items()}
    try:
        _signature(spec).bind(*args, **kwargs)
    except TypeError as e:
        raise GradcliError("type", f"{spec.name}(): {_clean(str(e))}",
                           hint=f"usage: {spec.signature}") from None
    return spec.impl(*args, **kwargs)


def bind_method(spec: OpSpec, self_value: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``x.where(c, y)`` is ``where(c, x, y)``: x fills ``spec.self_arg``, args the rest."""
    assert spec.self_arg is not None
    rest = [p for p in _signature(spec).parameters if p != spec.self_arg]
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
