"""einsum: Einstein summation over labelled dimensions, with a gradient made of einsums."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Node, record
from ..errors import shape_error, type_error, value_error
from ..tensor import Tensor
from ._base import check_numel, unary_input
from .table import GradCheck, op

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse(equation: Any, count: int) -> tuple[list[str], str]:
    if not isinstance(equation, str):
        raise type_error(f"einsum(): argument 'equation' must be str, not "
                         f"{type(equation).__name__}", hint='e.g. einsum("ij,jk->ik", A, B)')
    eq = equation.replace(" ", "")
    if "." in eq:
        raise value_error("einsum(): ellipsis (...) is not supported in gradcli",
                          hint="name every dimension with a letter")
    lhs, arrow, out = eq.partition("->")
    inputs = lhs.split(",")
    for part in (*inputs, out):
        bad = [c for c in part if c not in LETTERS]
        if bad:
            raise value_error(f"einsum(): invalid subscript given at index {eq.index(bad[0])} in "
                              f"the equation string, subscripts must be in [a-zA-Z]")
    if len(inputs) != count:
        raise value_error("einsum(): more operands were provided than specified in the "
                          "equation" if count > len(inputs) else "einsum(): fewer operands "
                          "were provided than specified in the equation")
    if not arrow:
        once = [c for c in sorted(set(lhs.replace(",", ""))) if lhs.count(c) == 1]
        out = "".join(sorted(once, key=LETTERS.index))
    for c in out:
        if out.count(c) > 1:
            raise value_error(f"einsum(): output subscript {c} appears more than once in the "
                              "output")
        if c not in lhs:
            raise value_error(f"einsum(): output subscript {c} does not appear in the equation "
                              "for any input operand")
    return inputs, out


def _sizes(inputs: list[str], tensors: list[Tensor]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for i, (subs, t) in enumerate(zip(inputs, tensors)):
        if len(subs) != t.data.ndim:
            raise shape_error(f"einsum(): the number of subscripts in the equation ({len(subs)}) "
                              f"does not match the number of dimensions ({t.data.ndim}) for "
                              f"operand {i}")
        for c, n in zip(subs, t.data.shape):
            if sizes.setdefault(c, n) != n:
                raise shape_error(f"einsum(): subscript {c} has size {n} for operand {i} which "
                                  f"does not match the previously seen size {sizes[c]}")
    return sizes


def _grad_fn(inputs: list[str], out: str) -> str:
    letters = set("".join(inputs))
    if len(inputs) == 1:
        return "PermuteBackward0" if set(out) == letters else "SumBackward1"
    return "MulBackward0" if letters <= set(out) else "ViewBackward0"


def _einsum_vjp(g: Tensor, node: Node) -> tuple[Tensor | None, ...]:
    inputs, out, sizes = node.ctx
    tensors = node.unpack()
    grads: list[Tensor | None] = []
    for k, subs in enumerate(inputs):
        if not node.needs(k):
            grads.append(None)
            continue
        terms, operands = [out], [g]
        for j, other in enumerate(inputs):
            if j != k:
                terms.append(other)
                operands.append(tensors[j])
        free = iter(c for c in LETTERS if c not in sizes)
        target = ""
        for c in subs:
            if c in target:  # a repeated subscript (a diagonal): a fresh one tied by eye
                fresh = next(free)
                terms.append(c + fresh)
                operands.append(Tensor(np.eye(sizes[c], dtype=g.data.dtype)))
                c = fresh
            target += c
        for c in dict.fromkeys(subs):
            if c not in "".join(terms):  # summed in this operand alone: broadcast back
                terms.append(c)
                operands.append(Tensor(np.ones(sizes[c], dtype=g.data.dtype)))
        grads.append(einsum(",".join(terms) + "->" + target, *operands))
    return tuple(grads)


@op("einsum(equation, *operands)", category="linear algebra",
    summary="Einstein summation: products summed over the subscripts the output leaves out",
    example='einsum("ij,jk->ik", A, B)',
    grad_fn=(("ViewBackward0", "contraction"), ("MulBackward0", "no contraction"),
             ("SumBackward1", "one operand, summed"), ("PermuteBackward0", "one operand")),
    derivative="an einsum of grad and the other operands",
    checks=(GradCheck('einsum("ij,jk->ik", a, b)', {"a": (2, 3), "b": (3, 4)}),
            GradCheck('einsum("ii->i", a)', {"a": (3, 3)}),
            GradCheck('einsum("ij,j,k->ik", a, b, c)', {"a": (2, 3), "b": (3,), "c": (2,)}),
            GradCheck('einsum("ij", a)', {"a": (2, 3)})))
def einsum(equation: Any, *operands: Any) -> Tensor:
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = [unary_input(t, "einsum") for t in operands]
    if not tensors:
        raise value_error("einsum(): must provide at least one operand")
    inputs, out = _parse(equation, len(tensors))
    sizes = _sizes(inputs, tensors)
    dtype = tensors[0].data.dtype
    for t in tensors[1:]:
        if t.data.dtype != dtype:
            raise type_error(f"einsum(): expected scalar type {dtype.name} but found "
                             f"{t.data.dtype.name}", hint="convert the operands to one dtype")
    check_numel(tuple(sizes[c] for c in out), "einsum")
    data = np.einsum(",".join(inputs) + "->" + out, *(t.data for t in tensors), optimize=True)
    result = Tensor(np.asarray(data, dtype=dtype))
    return record(_grad_fn(inputs, out), result, tensors, _einsum_vjp, tuple(tensors),
                  ctx=(inputs, out, sizes))
