"""The AST classes behave exactly as ``@dataclass(frozen=True, slots=True)`` classes would.

gradcli.syntax.nodes builds its classes without the dataclass decorator (for start-up
time); the oracle here is the decorator itself, applied to a copy of each class's fields.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import inspect
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest

from gradcli.syntax import nodes as n

NODE_CLASSES = sorted((cls for cls in vars(n).values()
                       if isinstance(cls, type) and issubclass(cls, n.Node)),
                      key=lambda cls: cls.__name__)
SPAN = {"line": 2, "column": 5, "end_line": 3, "end_column": 7}


@dataclasses.dataclass(frozen=True, slots=True)
class _Node:
    line: int = dataclasses.field(default=0, kw_only=True, compare=False, repr=False)
    column: int = dataclasses.field(default=0, kw_only=True, compare=False, repr=False)
    end_line: int = dataclasses.field(default=0, kw_only=True, compare=False, repr=False)
    end_column: int = dataclasses.field(default=0, kw_only=True, compare=False, repr=False)


def _declared_fields() -> dict[str, list[tuple[str, Any]]]:
    """Each class's annotated fields and defaults, as written in nodes.py (Node's are _Node's)."""
    tree = ast.parse(Path(n.__file__).read_text(encoding="utf-8"))
    return {node.name: [(item.target.id, dataclasses.MISSING if item.value is None
                         else ast.literal_eval(item.value))
                        for item in node.body
                        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)]
            for node in tree.body if isinstance(node, ast.ClassDef) and node.name != "Node"}


DECLARED = _declared_fields()


def reference(cls: type[n.Node]) -> type:
    """``cls`` as the dataclass decorator would make it, from its source."""
    spec = [(name, Any, dataclasses.field(default=default))
            for klass in reversed(cls.__mro__) if klass not in (n.Node, object)
            for name, default in DECLARED[klass.__name__]]
    return dataclasses.make_dataclass(cls.__name__, spec, bases=(_Node,), frozen=True,
                                      slots=True)


def samples(cls: type) -> list[Any]:
    """Instances that differ in content, in position, and in the type of equal values."""
    count = len(cls.__match_args__)
    return [cls(*(["a", 1, (2,)][:count])), cls(*(["a", 1, (2,)][:count]), **SPAN),
            cls(*(["b", 1.0, (2.0,)][:count])), cls(*([None, True, ()][:count]), line=9)]


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda cls: cls.__name__)
def test_node_class_matches_frozen_slotted_dataclass(cls: type[n.Node]) -> None:
    ref = reference(cls)
    assert _parameters(cls) == _parameters(ref)
    assert cls.__match_args__ == ref.__match_args__
    assert _slots(cls) == _reference_slots(ref)
    ours, theirs = samples(cls), samples(ref)
    for a, ra in zip(ours, theirs, strict=True):
        assert repr(a) == repr(ra)
        assert hash(a) == hash(ra)
        assert [getattr(a, f) for f in SPAN] == [getattr(ra, f) for f in SPAN]
        assert [a == b for b in ours] == [ra == rb for rb in theirs]
        assert (a == ra) is False and a != ra  # another class: never equal
        assert not hasattr(a, "__dict__")
        for clone in (copy.copy(a), copy.deepcopy(a), pickle.loads(pickle.dumps(a))):
            assert clone == a and [getattr(clone, f) for f in SPAN] == [getattr(a, f) for f in SPAN]
        for name in (*cls.__match_args__, *SPAN):
            assert _error(setattr, a, name, 1) == _error(setattr, ra, name, 1)
            assert _error(delattr, a, name) == _error(delattr, ra, name)
        # (The decorator's own class fails here with a TypeError from a stale super().)
        with pytest.raises(dataclasses.FrozenInstanceError):
            a.other = 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda cls: cls.__name__)
def test_bad_construction_fails_as_the_dataclass_does(cls: type[n.Node]) -> None:
    ref = reference(cls)
    count = len(cls.__match_args__)
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((), {}), ((1,) * (count + 1), {}), ((1,) * count, {"colour": 1}),
        ((1,) * count, {"line": 1, "end_column": 2}),
    ]
    if count:
        calls.append(((1,) * count, {cls.__match_args__[0]: 1}))
        calls.append(((1,) * count, {"line": 1, **dict.fromkeys(cls.__match_args__, 2)}))
    for args, kwargs in calls:
        assert _error(cls, *args, **kwargs) == _error(ref, *args, **kwargs)


def test_fields_without_defaults_cannot_follow_fields_with_them() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        class Bad(n.Expr):
            a: int = 0
            b: int


def test_subclasses_inherit_fields_and_defaults() -> None:
    class Labelled(n.Name):
        label: str = ""

    node = Labelled("f", label="x", line=4)
    assert node == Labelled("f", "x") != Labelled("f")
    assert repr(node) == f"{Labelled.__qualname__}(id='f', label='x')"
    assert node.line == 4 and node.__match_args__ == ("id", "label")


def test_a_node_with_more_fields_than_templates_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="Wide has 4 fields"):
        class Wide(n.Expr):
            a: int
            b: int
            c: int
            d: int


def _parameters(cls: type) -> list[tuple[str, Any, Any]]:
    """Names, kinds and defaults (annotations aside: nothing reads them)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]


def _slots(cls: type) -> list[str]:
    return sorted(name for klass in cls.__mro__ for name in vars(klass).get("__slots__", ()))


def _reference_slots(ref: type) -> list[str]:
    """The oracle's slots; Python 3.10's dataclass repeats a slotted base's (bpo-46382)."""
    slots = _slots(ref)
    if sys.version_info < (3, 11):
        own = set(vars(ref).get("__slots__", ()))
        inherited = [name for klass in ref.__mro__[1:] for name in vars(klass).get("__slots__", ())]
        for name in inherited:
            if name in own:
                slots.remove(name)
    return slots


def _error(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str] | None:
    try:
        call(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the exception itself is what is compared
        return type(exc).__name__, str(exc).replace("_Node", "Node")
    return None
