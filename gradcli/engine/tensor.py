"""Tensor: a numpy array with autograd state; its operators delegate to the op table."""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from . import dtypes
from .autograd import Node, run_backward
from .errors import grad_error, shape_error, type_error

_TYPE_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
    "int32": "IntTensor", "bool": "BoolTensor",
}


def torch_type_name(t: Tensor) -> str:
    """PyTorch's legacy type name (``torch.FloatTensor``), used in its error messages."""
    return "torch." + _TYPE_NAMES[t.data.dtype.name]


#: PyTorch's words when a tensor that is not floating is made to require grad, by the way in.
_NOT_FLOATING = {
    "method": "only Tensors of floating point dtype can require gradients",
    "attribute": "only Tensors of floating point and complex dtype can require gradients",
    "factory": "Only Tensors of floating point and complex dtype can require gradients",
}


class Size(tuple[int, ...]):
    """A tensor's shape: a tuple that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(d) for d in self)}])"

    __str__ = __repr__

    def __getitem__(self, key: Any) -> Any:
        """A slice of a Size is a Size (``x.shape[1:]`` is ``torch.Size([3])``)."""
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item


class DType:
    """A dtype as the language sees it: prints as ``torch.float32``."""

    __slots__ = ("np",)

    def __init__(self, dt: np.dtype[Any]) -> None:
        self.np = dt

    def __repr__(self) -> str:
        return f"torch.{self.np.name}"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DType) and other.np == self.np

    def __hash__(self) -> int:
        return hash(self.np)

    @property
    def is_floating_point(self) -> bool:
        return dtypes.is_float(self.np)


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    ``_version`` is a one-element list shared by every tensor that aliases the same storage
    (``detach()``, ``.data``, views), so in-place changes are seen by the saved-tensor checks.
    """

    #: ``_base``, on views only (ops/shape.py ``_view``): the tensor that owns the storage,
    #: whose history an in-place change of the view rebases (ops/inplace.py). ``_views``, on a
    #: tensor that has had views: them, weakly held, for the same rebase.
    __slots__ = ("data", "requires_grad", "grad_fn", "grad", "_version", "_base", "_views",
                 "__weakref__")

    def __init__(self, data: np.ndarray, requires_grad: bool = False,
                 version: list[int] | None = None) -> None:
        if type(data) is not np.ndarray:
            # numpy returns scalars, not 0-d arrays, from operations on 0-d arrays.
            data = np.asarray(data)
        dt = dtypes.normalize(data.dtype)
        self.data = data if dt == data.dtype else data.astype(dt)
        self.grad_fn: Node | None = None
        self.grad: Tensor | None = None
        self._version = version if version is not None else [0]
        self._base: Tensor | None = None
        self._views: list[weakref.ref[Tensor]] | None = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True, refusal="factory")

    @classmethod
    def _of(cls, data: np.ndarray, version: list[int] | None = None) -> Tensor:
        """A tensor around an array already of a supported dtype (no checks, no copies)."""
        t = object.__new__(cls)
        t.data = data
        t.grad_fn = None
        t.grad = None
        t._version = version if version is not None else [0]
        t._base = t._views = None
        t.requires_grad = False
        return t

    # -- autograd state -------------------------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def requires_grad_(self, requires_grad: bool = True, refusal: str = "method") -> Tensor:
        """PyTorch's requires_grad_(); ``refusal`` picks its words for a tensor that is not
        floating, which differ by the way in: "method", "attribute" (``x.requires_grad =``) or
        "factory" (``tensor(..., requires_grad=True)``)."""
        if not self.is_leaf:
            if not requires_grad:
                raise grad_error(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and not dtypes.is_float(self.data.dtype):
            raise type_error(
                _NOT_FLOATING[refusal],
                hint=f"this tensor is {self.data.dtype.name}: make it floating, e.g. "
                "arange(4.0) instead of arange(4), or x.float()",
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise grad_error("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.retained = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self.grad_fn is not None and self.grad_fn.retained is not None

    def detach(self) -> Tensor:
        return Tensor(self.data, version=self._version)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        if not self.requires_grad:
            raise grad_error(
                "element 0 of tensors does not require grad and does not have a grad_fn",
                hint="call requires_grad_() on the input, or bind it with --let as a float",
            )
        grad = _initial_gradient(self, gradient)
        run_backward([self], [grad], retain_graph=bool(retain_graph or create_graph),
                     create_graph=create_graph)

    # -- shape and dtype ------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self.data.shape)

    @property
    def dtype(self) -> DType:
        return DType(self.data.dtype)

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return int(self.data.size)

    def dim(self) -> int:
        return self.data.ndim

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        from .ops.shape import normalize_dim

        axis = normalize_dim(dim, self.data.ndim)
        if not self.data.ndim:
            raise shape_error(f"Dimension specified as {dim} but tensor has no dimensions",
                              hint="a 0-d tensor has shape (); its size() is torch.Size([])")
        return self.data.shape[axis]

    def item(self) -> Any:
        if self.data.size != 1:
            raise type_error(
                f"a Tensor with {self.data.size} elements cannot be converted to Scalar",
                hint="item() needs exactly one element: reduce first, e.g. x.sum().item()",
            )
        return self.data.reshape(()).item()

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise type_error("len() of a 0-d tensor")
        return self.data.shape[0]

    def __bool__(self) -> bool:
        if self.data.size > 1:
            raise type_error("Boolean value of Tensor with more than one value is ambiguous",
                             hint="reduce it to one value first, e.g. (x > 0).sum() == len(x)")
        if self.data.size == 0:
            raise type_error("Boolean value of Tensor with no values is ambiguous")
        return bool(self.data.reshape(()).item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise type_error("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __repr__(self) -> str:
        # The renderer prints tensors as PyTorch does; this is for debugging only.
        return f"Tensor({self.data!r}, requires_grad={self.requires_grad})"

    # Tensors are compared element-wise, so they cannot be dict keys by value.
    __hash__ = object.__hash__

    # -- operators ------------------------------------------------------------------------
    def __add__(self, o: Any) -> Tensor: return ops.add(self, o)
    def __radd__(self, o: Any) -> Tensor: return ops.add(o, self)
    def __sub__(self, o: Any) -> Tensor: return ops.sub(self, o)
    def __rsub__(self, o: Any) -> Tensor: return ops.sub(o, self)
    def __mul__(self, o: Any) -> Tensor: return ops.mul(self, o)
    def __rmul__(self, o: Any) -> Tensor: return ops.mul(o, self)
    def __truediv__(self, o: Any) -> Tensor: return ops.div(self, o)
    def __rtruediv__(self, o: Any) -> Tensor: return ops.div(o, self)
    def __floordiv__(self, o: Any) -> Tensor: return ops.floor_divide(self, o)
    def __rfloordiv__(self, o: Any) -> Tensor: return ops.floor_divide(o, self)
    def __mod__(self, o: Any) -> Tensor: return ops.remainder(self, o)
    def __rmod__(self, o: Any) -> Tensor: return ops.remainder(o, self)
    def __pow__(self, o: Any) -> Tensor: return ops.pow(self, o)
    def __rpow__(self, o: Any) -> Tensor: return ops.pow(o, self)
    def __matmul__(self, o: Any) -> Tensor: return ops.matmul(self, o)
    def __rmatmul__(self, o: Any) -> Tensor: return ops.matmul(o, self)
    def __neg__(self) -> Tensor: return ops.neg(self)
    def __pos__(self) -> Tensor: return self
    def __abs__(self) -> Tensor: return ops.abs(self)
    def __lt__(self, o: Any) -> Tensor: return ops.lt(self, o)
    def __le__(self, o: Any) -> Tensor: return ops.le(self, o)
    def __gt__(self, o: Any) -> Tensor: return ops.gt(self, o)
    def __ge__(self, o: Any) -> Tensor: return ops.ge(self, o)
    def __eq__(self, o: Any) -> Tensor: return ops.eq(self, o)  # type: ignore[override]
    def __ne__(self, o: Any) -> Tensor: return ops.ne(self, o)  # type: ignore[override]
    def __and__(self, o: Any) -> Tensor: return ops.bitwise_and(self, o)
    def __or__(self, o: Any) -> Tensor: return ops.bitwise_or(self, o)
    def __invert__(self) -> Tensor: return ops.logical_not(self)
    def __getitem__(self, index: Any) -> Tensor: return ops.index(self, index)

    @property
    def T(self) -> Tensor:
        return ops.numpy_T(self)


def _initial_gradient(t: Tensor, gradient: Any) -> Tensor:
    if gradient is None:
        if t.data.size != 1:
            raise grad_error(
                "grad can be implicitly created only for scalar outputs",
                hint="reduce to a scalar first (e.g. sum(...)), or pass a gradient of the "
                f"output's shape {list(t.data.shape)} (--grad-output ones)",
            )
        d = t.data
        # np.array(1, dtype) makes the usual 0-d one about 7x quicker than np.ones.
        return Tensor._of(np.array(1, d.dtype) if d.ndim == 0 else np.ones(d.shape, d.dtype))
    g = gradient if isinstance(gradient, Tensor) else ops.tensor(gradient, dtype=t.data.dtype)
    if g.data.shape != t.data.shape:
        from .errors import shape_error

        raise shape_error(
            f"Mismatch in shape: grad_output[0] has a shape of {Size(g.data.shape)} and "
            f"output[0] has a shape of {Size(t.data.shape)}.",
            hint="the gradient must have the output's shape",
        )
    if g.data.dtype != t.data.dtype:
        g = Tensor(g.data.astype(t.data.dtype))
    return g


from . import ops  # noqa: E402  (ops needs Tensor; Tensor's operators need ops)
