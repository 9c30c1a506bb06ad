"""Autograd functions of the language: detach clone item backward grad requires_grad_ ..."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd import Node, record, run_backward
from ..autograd import no_grad as _no_grad
from ..errors import grad_error, type_error
from ..tensor import Tensor, initial_gradient
from ._base import unary_input
from .table import GradCheck, op


@op("detach(input)", category="autograd",
    summary="the same values outside the graph (shares storage)", example="x.detach()")
def detach(input: Any) -> Tensor:
    return unary_input(input, "detach").detach()


@op("detach_(input)", category="autograd",
    summary="detach in place: the tensor leaves the graph, a leaf that needs no grad",
    example="y.detach_()")
def detach_(input: Any) -> Tensor:
    t = unary_input(input, "detach_")
    if t._base is not None:
        raise grad_error("Can't detach views in-place. Use detach() instead.",
                         hint="y = y.detach() makes a new tensor outside the graph")
    t.grad_fn = None
    t.requires_grad = False
    return t


def _clone_vjp(g: Tensor, node: Node) -> tuple[Tensor]:
    return (g,)


@op("clone(input)", category="autograd", summary="a copy that stays in the graph",
    example="x.clone()", rules={'input': 'grad'}, grad_fn="CloneBackward0",
    checks=(GradCheck("clone(a)", {"a": (3,)}),))
def clone(input: Any) -> Tensor:
    t = unary_input(input, "clone")
    return record("CloneBackward0", Tensor(t.data.copy()), (t,), _clone_vjp)


@op("item(input)", category="autograd", summary="the single element as a Python number",
    example="x.sum().item()",
    namespaces=())
def item(input: Any) -> Any:
    return unary_input(input, "item").item()


@op("tolist(input)", category="autograd",
    summary="the elements as (nested) Python lists of numbers, or one number for a 0-d tensor",
    example="x.tolist()", function=False)
def tolist(input: Any) -> Any:
    return unary_input(input, "tolist").data.tolist()


@op("contiguous(input)", category="autograd",
    summary="input itself if laid out row by row, else such a copy (CloneBackward0)",
    example="x.T.contiguous()", derivative="grad", grad_fn="CloneBackward0",
    function=False, checks=(GradCheck("a.T.contiguous()", {"a": (2, 3)}),))
def contiguous(input: Any) -> Tensor:
    t = unary_input(input, "contiguous")
    if t.data.flags.c_contiguous:
        return t
    return record("CloneBackward0", Tensor(np.ascontiguousarray(t.data)), (t,), _clone_vjp)


@op("backward(input, gradient=None, retain_graph=None, create_graph=False)", category="autograd",
    summary="accumulate d(input)/d(leaf) into each leaf's .grad", example="y.backward()",
    function=False,
    namespaces=("torch.autograd",))
def backward(input: Any, gradient: Any = None, retain_graph: Any = None,
             create_graph: bool = False) -> None:
    unary_input(input, "backward").backward(gradient, retain_graph, create_graph)


def _as_tuple(x: Any, what: str) -> tuple[Tensor, ...]:
    items = tuple(x) if isinstance(x, (list, tuple)) else (x,)
    for t in items:
        if not isinstance(t, Tensor):
            raise type_error(f"grad(): {what} must be tensors, not {type(t).__name__}")
    return items


@op("grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, "
    "allow_unused=False)", category="autograd",
    summary="gradients of outputs w.r.t. inputs, returned (no .grad is touched)",
    example="grad(y, x)", method=False,
    namespaces=("torch.autograd",))
def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: Any = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    outs = _as_tuple(outputs, "outputs")
    ins = _as_tuple(inputs, "inputs")
    gos = (None,) * len(outs) if grad_outputs is None else tuple(
        grad_outputs if isinstance(grad_outputs, (list, tuple)) else (grad_outputs,))
    if len(gos) != len(outs):
        raise grad_error(f"grad requires one grad_output per output: got {len(gos)} for "
                         f"{len(outs)} outputs")
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise grad_error("One of the differentiated Tensors does not require grad",
                             hint=f"input {i} must be a leaf with requires_grad=True or computed from one")
    for o in outs:
        if not o.requires_grad:
            raise grad_error("element 0 of tensors does not require grad and does not have a grad_fn")
    roots = [initial_gradient(o, g) for o, g in zip(outs, gos)]
    keep = create_graph if retain_graph is None else bool(retain_graph)
    result = run_backward(list(outs), roots, retain_graph=keep, create_graph=create_graph,
                          inputs=ins)
    assert result is not None
    if not allow_unused and any(r is None for r in result):
        raise grad_error("One of the differentiated Tensors appears to not have been used in the "
                         "graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(r if r is None or create_graph else r.detach() for r in result)


@op("requires_grad_(input, requires_grad=True)", category="autograd",
    summary="make a floating leaf record operations (in place)", example="x.requires_grad_()",
    function=False)
def requires_grad_(input: Any, requires_grad: bool = True) -> Tensor:
    return unary_input(input, "requires_grad_").requires_grad_(requires_grad)


@op("retain_grad(input)", category="autograd", summary="keep .grad on a non-leaf",
    example="a.retain_grad()", function=False)
def retain_grad(input: Any) -> None:
    unary_input(input, "retain_grad").retain_grad()


@op("zero_(input)", category="autograd", summary="fill with zeros in place (x.grad.zero_())",
    example="x.grad.zero_()", function=False,
    namespaces=("torch",))
def zero_(input: Any) -> Tensor:
    from .inplace import zero_ as fill_zero

    return fill_zero(unary_input(input, "zero_"))


@op("no_grad()", category="autograd", summary="context manager: `with no_grad():` records nothing",
    example="no_grad()", method=False,
    namespaces=("torch", "torch.autograd"))
def no_grad() -> Any:
    return _no_grad()


@op("numel(input)", category="shape", summary="number of elements", example="numel(x)")
def numel(input: Any) -> int:
    return unary_input(input, "numel").numel()


@op("size(input, dim=None)", category="shape", summary="the shape (torch.Size), or one dim's size",
    example="x.size()",
    namespaces=())
def size(input: Any, dim: Any = None) -> Any:
    t = unary_input(input, "size")
    return t.shape if dim is None else t.size(dim)


@op("dim(input)", category="shape", summary="number of dimensions", example="x.dim()",
    namespaces=())
def dim(input: Any) -> int:
    return unary_input(input, "dim").dim()


_LOADER: list[Callable[[str], np.ndarray]] = []


def set_loader(fn: Callable[[str], np.ndarray]) -> None:
    """The interpreter provides the file reader; the engine does no I/O itself."""
    _LOADER[:] = [fn]


@op('load(path)', category="data",
    summary="read a .npy, .npz (file.npz:key), .csv or .json file (never unpickles)",
    example='load("data.npy")', method=False)
def load(path: Any) -> Tensor:
    if not isinstance(path, str):
        raise type_error("load() expects a file name string", hint='e.g. load("x.npy")')
    if not _LOADER:
        raise type_error("load() is not available here")
    return Tensor(_LOADER[0](path))
