"""einsum: Einstein summation (letters, ellipses, broadcasting) with a gradient of einsums."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import Node, record, to_dtype
from ..errors import shape_error, type_error, value_error
from ..tensor import Tensor
from ._base import check_numel, unary_input
from .table import GradCheck, op

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: The dimensions an ellipsis covers, written in the parsed subscripts.
ELLIPSIS = "."


def _parse(equation: Any, count: int) -> tuple[list[str], str | None]:
    """The operands' subscripts and the output's (None when implicit), each ellipsis written
    as one "." (PyTorch's checks and words, in its order)."""
    if not isinstance(equation, str):
        raise type_error(f"einsum(): argument 'equation' must be str, not "
                         f"{type(equation).__name__}", hint='e.g. einsum("ij,jk->ik", A, B)')
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    inputs = [_subscripts(part, f"operand {i}", eq, start)
              for i, (part, start) in enumerate(_pieces(lhs))]
    if len(inputs) != count:
        raise value_error("einsum(): more operands were provided than specified in the "
                          "equation" if count > len(inputs) else "einsum(): fewer operands "
                          "were provided than specified in the equation")
    if not arrow:
        return inputs, None
    out = _subscripts(rhs, "output", eq, len(lhs) + 2)
    for c in out.replace(ELLIPSIS, ""):
        if out.count(c) > 1:
            raise value_error(f"einsum(): output subscript {c} appears more than once in the "
                              "output")
        if c not in lhs:
            raise value_error(f"einsum(): output subscript {c} does not appear in the equation "
                              "for any input operand")
    return inputs, out


def _pieces(lhs: str) -> list[tuple[str, int]]:
    out, start = [], 0
    for part in lhs.split(","):
        out.append((part, start))
        start += len(part) + 1
    return out


def _subscripts(part: str, who: str, eq: str, start: int) -> str:
    out, i = "", 0
    while i < len(part):
        c = part[i]
        if c == ".":
            if ELLIPSIS in out:
                raise value_error(f"einsum(): found '.' for {who} "
                                  + ("but an ellipsis (...) was already found" if who == "output"
                                     else "for which an ellipsis was already found"))
            if part[i:i + 3] != "...":
                raise value_error(f"einsum(): found '.' for {who} that is not part of any "
                                  "ellipsis" + (" (...)" if who == "output" else ""))
            out += ELLIPSIS
            i += 3
            continue
        if c not in LETTERS:
            raise value_error(f"einsum(): invalid subscript given at index {start + i} in the "
                              "equation string, subscripts must be in [a-zA-Z]")
        out += c
        i += 1
    return out


def _expand(inputs: list[str], out: str | None, tensors: list[Tensor]
            ) -> tuple[list[str], str, str]:
    """Letters for the dimensions each ellipsis covers (right-aligned, as broadcasting: also
    returned), and the implicit output: the ellipsis, then the letters seen once, in ASCII
    order."""
    covered = []
    for i, (subs, t) in enumerate(zip(inputs, tensors)):
        named = len(subs.replace(ELLIPSIS, ""))
        if ELLIPSIS in subs:
            if named > t.data.ndim:
                raise shape_error(f"einsum(): the number of subscripts in the equation ({named}) "
                                  f"is more than the number of dimensions ({t.data.ndim}) for "
                                  f"operand {i}")
            covered.append(t.data.ndim - named)
        elif named != t.data.ndim:
            raise shape_error(f"einsum(): the number of subscripts in the equation ({named}) "
                              f"does not match the number of dimensions ({t.data.ndim}) for "
                              f"operand {i} and no ellipsis was given")
        else:
            covered.append(0)
    if out is None:
        lhs = "".join(inputs)
        once = sorted(c for c in set(lhs) if c != ELLIPSIS and lhs.count(c) == 1)
        out = (ELLIPSIS if ELLIPSIS in lhs else "") + "".join(once)
    used = set("".join(inputs))
    fresh = "".join(c for c in LETTERS if c not in used)[:max(covered, default=0)]
    inputs = [subs.replace(ELLIPSIS, fresh[len(fresh) - n:]) for subs, n in zip(inputs, covered)]
    return inputs, out.replace(ELLIPSIS, fresh), fresh


def _sizes(inputs: list[str], tensors: list[Tensor], ellipsis: str) -> dict[str, int]:
    """Each letter's size: sizes of 1 broadcast, as PyTorch's einsum does."""
    sizes: dict[str, int] = {}
    for i, (subs, t) in enumerate(zip(inputs, tensors)):
        own: dict[str, int] = {}
        for c, n in zip(subs, t.data.shape):
            if own.setdefault(c, n) != n:
                raise shape_error(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                  f"sizes don't match, {n} != {own[c]}")
        for c, n in own.items():
            seen = sizes.setdefault(c, n)
            if n != seen and 1 not in (n, seen):
                if c in ellipsis:
                    first = min(subs.index(x) for x in ellipsis if x in subs)
                    raise shape_error(
                        f"einsum(): dimension {subs.index(c) - first} covered by ellipsis in "
                        f"operand {i}has "
                        f"size {n} which does not broadcast with previously seen ellipsis with "
                        f"size {seen} for the respective dimension")
                raise shape_error(f"einsum(): subscript {c} has size {n} for operand {i} which "
                                  f"does not broadcast with previously seen size {seen}")
            sizes[c] = max(n, seen)
    return sizes


def _unbroadcast(inputs: list[str], tensors: list[Tensor], sizes: dict[str, int]
                 ) -> tuple[list[str], list[Tensor]]:
    """Dimensions of size 1 that broadcast are squeezed out of their operand (so that its
    gradient is summed over them)."""
    from .shape import squeeze

    for k, (subs, t) in enumerate(zip(inputs, tensors)):
        drop = [i for i, c in enumerate(subs) if t.data.shape[i] == 1 and sizes[c] > 1]
        if drop:
            tensors[k] = squeeze(t, drop)
            inputs[k] = "".join(c for i, c in enumerate(subs) if i not in drop)
    return inputs, tensors


def _result_dtype(inputs: list[str], out: str, tensors: list[Tensor],
                  sizes: dict[str, int]) -> np.dtype[Any]:
    """The dtype of PyTorch's einsum, which takes the operands left to right: a step that sums
    a label away (the label's last operand, of size > 1 on both sides) is a dot or bmm, whose
    operands must have one dtype; any other step is a broadcast multiply, which promotes."""
    dts = [t.data.dtype for t in tensors]
    if all(d == dts[0] for d in dts):
        return dts[0]
    last = {c: i for i, subs in enumerate(inputs) for c in subs}
    dtype, seen = dts[0], set(inputs[0])
    for i in range(1, len(inputs)):
        summed = any(c not in out and last[c] == i and c in seen and sizes[c] > 1
                     for c in inputs[i])
        if summed and dts[i] != dtype:
            raise type_error(f"einsum(): expected scalar type {dtype.name} but found "
                             f"{dts[i].name}", hint="convert the operands to one dtype")
        dtype = dtypes.promote(dtype, dts[i]) or dtype
        seen |= set(inputs[i])
    return dtype


def _grad_fn(inputs: list[str], out: str) -> str:
    letters = set("".join(inputs))
    if len(inputs) == 1:
        return "PermuteBackward0" if set(out) == letters else "SumBackward1"
    return "MulBackward0" if letters <= set(out) else "ViewBackward0"


def _einsum_vjp(g: Tensor, node: Node) -> tuple[Tensor | None, ...]:
    inputs, out, sizes = node.ctx
    # Operands of other dtypes (float32 beside float64, promoted by a multiply) are taken in
    # the gradient's, and each gradient is given back in its input's dtype.
    tensors = [t if t.data.dtype == g.data.dtype else to_dtype(t, g.data.dtype)
               for t in node.unpack()]
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
        grad = einsum(",".join(terms) + "->" + target, *operands)
        own = node.unpack()[k].data.dtype
        grads.append(grad if grad.data.dtype == own else to_dtype(grad, own))
    return tuple(grads)


def _contract(inputs: list[str], out: str, arrays: list[np.ndarray]) -> np.ndarray:
    """The einsum's value. Where no label is summed it is a product of the operands laid out
    as the output (PyTorch multiplies; numpy's einsum loop may add to +0, turning -0 to 0,
    depending on its version and path)."""
    if len(arrays) > 1 and all(label in out for term in inputs for label in term):
        product = None
        for term, a in zip(inputs, arrays):
            order = "".join(c for c in out if c in term)  # its labels in the output's order
            view = np.einsum(f"{term}->{order}", a)
            view = view.reshape(tuple(view.shape[order.index(c)] if c in term else 1
                                      for c in out))
            product = view if product is None else product * view
        return np.asarray(product)
    result = np.einsum(",".join(inputs) + "->" + out, *arrays, optimize=True)
    if len(arrays) == 1 or type(result) is not np.ndarray or result.flags.c_contiguous:
        return result
    # numpy's contraction path may lay the result out in another order; PyTorch's bmm gives
    # a contiguous one for the common equations (ij,jk->ik; bij,bjk->bik; ij,j->i), and a
    # random op on the result (dropout) draws in memory order.
    return result.copy(order="C")


@op("einsum(equation, *operands)", category="linear algebra",
    summary="Einstein summation: products summed over the subscripts the output leaves out; "
            "... stands for dimensions that broadcast",
    example='einsum("ij,jk->ik", A, B)',
    grad_fn=(("ViewBackward0", "contraction"), ("MulBackward0", "no contraction"),
             ("SumBackward1", "one operand, summed"), ("PermuteBackward0", "one operand")),
    derivative="an einsum of grad and the other operands",
    checks=(GradCheck('einsum("ij,jk->ik", a, b)', {"a": (2, 3), "b": (3, 4)}),
            GradCheck('einsum("ii->i", a)', {"a": (3, 3)}),
            GradCheck('einsum("ij,j,k->ik", a, b, c)', {"a": (2, 3), "b": (3,), "c": (2,)}),
            GradCheck('einsum("ij", a)', {"a": (2, 3)}),
            GradCheck('einsum("...ij,...jk->...ik", a, b)', {"a": (2, 2, 3), "b": (1, 3, 2)}),
            GradCheck('einsum("...i,...i", a, b)', {"a": (2, 1, 3), "b": (4, 3)}),
            GradCheck('einsum("i...i->...", a)', {"a": (3, 2, 3)}),
            GradCheck('einsum("ij,jk->ik", a, b)', {"a": (2, 1), "b": (3, 4)})))
def einsum(equation: Any, *operands: Any) -> Tensor:
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = [unary_input(t, "einsum") for t in operands]
    if not tensors:
        raise value_error("einsum(): must provide at least one operand")
    inputs, out = _parse(equation, len(tensors))
    inputs, out, ellipsis = _expand(inputs, out, tensors)
    sizes = _sizes(inputs, tensors, ellipsis)
    inputs, tensors = _unbroadcast(inputs, tensors, sizes)
    dtype = _result_dtype(inputs, out, tensors, sizes)
    check_numel(tuple(sizes[c] for c in out), "einsum")
    data = _contract(inputs, out, [t.data.astype(dtype, copy=False) for t in tensors])
    result = Tensor(np.asarray(data, dtype=dtype))
    return record(_grad_fn(inputs, out), result, tensors, _einsum_vjp, tuple(tensors),
                  ctx=(inputs, out, sizes))
