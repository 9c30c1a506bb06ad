"""Argument checking of op calls agrees with ``inspect.Signature.bind``, its oracle.

gradcli.interpreter.calls checks calls against parameters read from each op's code and asks
``inspect`` only about calls that fail; a call it lets through must be one ``bind`` accepts.
"""

from __future__ import annotations

import functools
import inspect
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from gradcli.engine.ops import OPS
from gradcli.interpreter.calls import _Parameters


def _binds(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> bool:
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _calls(fn: Callable[..., Any]) -> list[tuple[list[Any], dict[str, Any]]]:
    """Every count of positional arguments with every set of keywords (real and bogus)."""
    names = [*inspect.signature(fn).parameters, "bogus"]
    keyword_sets = [combo for size in range(min(len(names), 3) + 1)
                    for combo in itertools.combinations(names, size)]
    return [([0] * count, dict.fromkeys(combo, 0))
            for count in range(len(names) + 1) for combo in keyword_sets]


def _agree(fn: Callable[..., Any]) -> None:
    params = _Parameters(fn)
    assert params.names == tuple(inspect.signature(fn).parameters)
    for args, kwargs in _calls(fn):
        assert params.fit(args, kwargs) is _binds(fn, args, kwargs), (args, kwargs)


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_calls_are_checked_as_bind_checks_them(name: str) -> None:
    _agree(OPS[name].impl)


def _plain(a, b=1, *rest, c, d=2, **more): ...
def _keywords_only(*, a, b=1): ...
def _no_parameters(): ...


@pytest.mark.parametrize("fn", [_plain, _keywords_only, _no_parameters])
def test_every_kind_of_parameter_is_checked_as_bind_checks_it(fn: Callable[..., Any]) -> None:
    _agree(fn)


def _positional_only(a, /, b): ...


@functools.wraps(_plain)
def _wrapper(*args, **kwargs): ...


@pytest.mark.parametrize("fn", [_positional_only, _wrapper, functools.partial(_plain, 1)])
def test_what_the_code_does_not_tell_is_left_to_inspect(fn: Callable[..., Any]) -> None:
    params = _Parameters(fn)
    assert params.names == tuple(inspect.signature(fn).parameters)
    assert not any(params.fit(args, kwargs) for args, kwargs in _calls(fn))
