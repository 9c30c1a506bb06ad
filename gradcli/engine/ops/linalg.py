"""Linear algebra: dot, mv, mm, matmul (operator @) and outer."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Node, record
from ..errors import shape_error, type_error
from ..tensor import Tensor
from ._base import check_numel, to_tensor
from .arithmetic import crossed
from .table import GradCheck, op

Pair = tuple["Tensor | None", "Tensor | None"]
RawPair = tuple["np.ndarray | None", "np.ndarray | None"]


def _pair(a: Any, b: Any, name: str) -> tuple[Tensor, Tensor]:
    ta, tb = to_tensor(a, f"{name}() argument"), to_tensor(b, f"{name}() argument")
    if ta.data.dtype != tb.data.dtype:
        raise type_error(
            f"{name}: expected both tensors to have the same dtype, but got: "
            f"{ta.data.dtype.name} != {tb.data.dtype.name}",
            hint="convert one of them, e.g. x.double() or x.float()")
    return ta, tb


def _dims(t: Tensor, want: int, name: str, which: str) -> None:
    if t.data.ndim != want:
        raise shape_error(f"{name}: {which} must be {want}-D, but got {t.data.ndim}-D "
                          f"(shape {tuple(t.data.shape)})")


def _dot_vjp(g: Tensor, node: Node) -> Pair:
    a, b = node.unpack()
    return (g * b if node.needs(0) else None), (g * a if node.needs(1) else None)


def _dot_fast(g: np.ndarray, node: Node, owned: bool) -> RawPair:
    a, b = node.unpack()
    if a is b:  # dot(x, x): one buffer, 2 * g * x, goes to the one input
        return np.multiply(a.data, g * 2), None  # doubling is exact: same as g*x + g*x
    return (np.multiply(b.data, g) if node.needs(0) else None), \
        (np.multiply(a.data, g) if node.needs(1) else None)


@op("dot(input, other)", category="linear algebra", summary="inner product of two 1-D tensors",
    example="dot(x, x)", rules={
        "input": "grad * other",
        "other": "grad * input",
    },
    grad_fn="DotBackward0", checks=(GradCheck("dot(a, b)", {"a": (4,), "b": (4,)}),))
def dot(input: Any, other: Any) -> Tensor:
    a, b = _pair(input, other, "dot")
    if a.data.ndim != 1 or b.data.ndim != 1:
        raise shape_error(f"1D tensors expected, but got {a.data.ndim}D and {b.data.ndim}D tensors",
                          hint="use matmul (@) for matrices")
    if a.data.shape != b.data.shape:
        raise shape_error(
            f"dot: shapes {tuple(a.data.shape)} and {tuple(b.data.shape)} do not match: "
            f"inconsistent tensor size, expected tensor [{a.data.shape[0]}] and src "
            f"[{b.data.shape[0]}] to have the same number of elements, but got "
            f"{a.data.shape[0]} and {b.data.shape[0]} elements respectively")
    out = Tensor(np.asarray(np.dot(a.data, b.data)))
    return record("DotBackward0", out, (a, b), _dot_vjp, crossed(a, b), fast=_dot_fast)


def _mv_vjp(g: Tensor, node: Node) -> Pair:
    m, v = node.unpack()
    return (outer(g, v) if node.needs(0) else None), (mv(t_(m), g) if node.needs(1) else None)


def _mv_fast(g: np.ndarray, node: Node, owned: bool) -> RawPair:
    m, v = node.unpack()
    return (np.multiply.outer(g, v.data) if node.needs(0) else None), \
        (g @ m.data if node.needs(1) else None)


@op("mv(input, vec)", category="linear algebra", summary="matrix-vector product",
    example="mv(A, x)", rules={
        "input": "outer(grad, vec)",
        "vec": "input.T @ grad",
    },
    grad_fn="MvBackward0", checks=(GradCheck("mv(a, b)", {"a": (2, 3), "b": (3,)}),))
def mv(input: Any, vec: Any) -> Tensor:
    m, v = _pair(input, vec, "mv")
    _dims(m, 2, "mv", "input")
    _dims(v, 1, "mv", "vec")
    if m.data.shape[1] != v.data.shape[0]:
        raise shape_error(f"size mismatch, got input ({m.data.shape[0]}), mat "
                          f"({m.data.shape[0]}x{m.data.shape[1]}), vec ({v.data.shape[0]})")
    out = Tensor(m.data @ v.data)
    return record("MvBackward0", out, (m, v), _mv_vjp, crossed(m, v), fast=_mv_fast)


def t_(x: Tensor) -> Tensor:
    from .shape import t

    return t(x)


def _mm_vjp(g: Tensor, node: Node) -> Pair:
    a, b = node.unpack()
    return (mm(g, t_(b)) if node.needs(0) else None), (mm(t_(a), g) if node.needs(1) else None)


def _mm_fast(g: np.ndarray, node: Node, owned: bool) -> RawPair:
    a, b = node.unpack()
    return (g @ b.data.T if node.needs(0) else None), (a.data.T @ g if node.needs(1) else None)


def _mm_shapes(a: Tensor, b: Tensor) -> None:
    if a.data.shape[1] != b.data.shape[0]:
        raise shape_error(
            f"mat1 and mat2 shapes cannot be multiplied ({a.data.shape[0]}x{a.data.shape[1]} and "
            f"{b.data.shape[0]}x{b.data.shape[1]})",
            hint="the inner dimensions must agree: (n, k) @ (k, m)")
    check_numel((a.data.shape[0], b.data.shape[1]), "mm")


@op("mm(input, mat2)", category="linear algebra", summary="matrix product of two 2-D tensors",
    example="mm(A, B)", rules={
        "input": "grad @ mat2.T",
        "mat2": "input.T @ grad",
    },
    grad_fn="MmBackward0", checks=(GradCheck("mm(a, b)", {"a": (2, 3), "b": (3, 4)}),))
def mm(input: Any, mat2: Any) -> Tensor:
    a, b = _pair(input, mat2, "mm")
    _dims(a, 2, "mm", "self")
    _dims(b, 2, "mm", "mat2")
    _mm_shapes(a, b)
    return record("MmBackward0", Tensor(a.data @ b.data), (a, b), _mm_vjp, crossed(a, b),
                  fast=_mm_fast)


@op("outer(input, vec2)", category="linear algebra", summary="outer product of two 1-D tensors",
    example="outer(x, y)", rules={
        "input": "grad @ vec2",
        "vec2": "grad.T @ input",
    },
    grad_fn="MulBackward0", checks=(GradCheck("outer(a, b)", {"a": (2,), "b": (3,)}),))
def outer(input: Any, vec2: Any) -> Tensor:
    from .arithmetic import mul
    from .shape import reshape

    a, b = to_tensor(input, "outer() argument"), to_tensor(vec2, "outer() argument")
    _dims(a, 1, "outer", "input")
    _dims(b, 1, "outer", "vec2")
    check_numel((a.data.shape[0], b.data.shape[0]), "outer")
    # PyTorch's outer is input.reshape(-1, 1) * vec2: its grad_fn name, its type promotion
    # (float32 with float64 is float64; no same-dtype rule, unlike dot and mm) and, under
    # create_graph, input's gradient through a view.
    return mul(reshape(a, (-1, 1)), b)


def _batched_vjp(g: Tensor, node: Node) -> Pair:
    a, b = node.unpack()
    from .shape import transpose

    # Batch dimensions broadcast; the engine sums each gradient back to its input's shape.
    da = matmul(g, transpose(b, -1, -2)) if node.needs(0) else None
    db = matmul(transpose(a, -1, -2), g) if node.needs(1) else None
    return da, db


@op("matmul(input, other)", category="linear algebra",
    summary="matrix product with broadcasting (operator @): dot, mv, mm or batched",
    example="matmul(A, x)", rules={
        "input": (
            "grad * other if input.ndim == 1 and other.ndim == 1 else "
            "outer(grad, other) if input.ndim == 2 and other.ndim == 1 else "
            "other @ grad if input.ndim == 1 and other.ndim == 2 else "
            "grad @ other.T if input.ndim == 2 and other.ndim == 2 else "
            "unsqueeze(grad, -1) * other if other.ndim == 1 else "
            "squeeze(other @ unsqueeze(grad, -1), -1) if input.ndim == 1 else "
            "grad @ transpose(other, -1, -2)"),
        "other": (
            "grad * input if input.ndim == 1 and other.ndim == 1 else "
            "input.T @ grad if other.ndim == 1 and input.ndim == 2 else "
            "outer(input, grad) if input.ndim == 1 and other.ndim == 2 else "
            "input.T @ grad if input.ndim == 2 and other.ndim == 2 else "
            "unsqueeze(input, -1) * unsqueeze(grad, -2) if input.ndim == 1 else "
            "squeeze(transpose(input, -1, -2) @ unsqueeze(grad, -1), -1) if other.ndim == 1 else "
            "transpose(input, -1, -2) @ grad"),
    },
    grad_fn=(("DotBackward0", "1-D @ 1-D"), ("MvBackward0", "2-D @ 1-D"),
             ("MmBackward0", "2-D @ 2-D"), ("SqueezeBackward4", "1-D @ 2-D"),
             ("UnsafeViewBackward0", "batched")),
    namespaces=("torch", "torch.linalg"),
    checks=(GradCheck("a @ b", {"a": (2, 3), "b": (3,)}), GradCheck("a @ b", {"a": (3,), "b": (3, 2)}),
            GradCheck("a @ b", {"a": (2, 2, 3), "b": (3, 2)})))
def matmul(input: Any, other: Any) -> Tensor:
    a, b = _pair(input, other, "matmul")
    na, nb = a.data.ndim, b.data.ndim
    if na == 0 or nb == 0:
        raise shape_error(f"both arguments to matmul need to be at least 1D, but they are "
                          f"{na}D and {nb}D", hint="use * to multiply by a scalar")
    if na == 1 and nb == 1:
        return dot(a, b)
    if na == 2 and nb == 1:
        return mv(a, b)
    if na == 1 and nb == 2:
        from .shape import squeeze, unsqueeze

        if a.data.shape[0] != b.data.shape[0]:
            _mm_shapes(unsqueeze(a, 0), b)
        out = mm(unsqueeze(a, 0), b)
        return rename_grad_fn(squeeze(out, 0), "SqueezeBackward4")
    if na == 2 and nb == 2:
        return mm(a, b)
    if na >= 3 and nb <= 2 and a.data.shape[-1] == b.data.shape[0]:
        # PyTorch folds the batch into the rows of one mm (mv): its backward is an mm and views.
        from .shape import reshape

        folded = reshape(a, (-1, a.data.shape[-1]))
        out = mm(folded, b) if nb == 2 else mv(folded, b)
        shape = a.data.shape[:-1] + b.data.shape[1:]
        return rename_grad_fn(reshape(out, shape), "UnsafeViewBackward0")
    # PyTorch's names for what it records last: a clone when only the second is batched.
    name = "CloneBackward0" if na == 2 else "UnsafeViewBackward0"
    return rename_grad_fn(_batched(a, b), name)


def rename_grad_fn(t: Tensor, name: str) -> Tensor:
    """``t`` with its node called ``name``: PyTorch's name for what a composite records last."""
    if t.grad_fn is not None:
        t.grad_fn.name = name
    return t


def _batched(a: Tensor, b: Tensor) -> Tensor:
    from .shape import squeeze, unsqueeze

    if a.data.ndim == 1:
        return squeeze(_batched(unsqueeze(a, 0), b), -2)
    if b.data.ndim == 1:
        return squeeze(_batched(a, unsqueeze(b, -1)), -1)
    if a.data.shape[-1] != b.data.shape[-2]:
        raise shape_error(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.data.shape[-1]}] but got: [{b.data.shape[-2]}]: matmul of shapes "
            f"{tuple(a.data.shape)} and {tuple(b.data.shape)}",
            hint="the last dimension of the first must equal the second-to-last of the second")
    from ._base import broadcast_shape

    batch = broadcast_shape("matmul", a.data.shape[:-2], b.data.shape[:-2])
    check_numel(batch + (a.data.shape[-2], b.data.shape[-1]), "matmul")
    out = Tensor(np.matmul(a.data, b.data))
    return record("UnsafeViewBackward0", out, (a, b), _batched_vjp, crossed(a, b))
