"""The op table and the engine-level functions it declares (see ``table.py``)."""

from .table import ALIASES, CATEGORIES, OPS, GradCheck, OpSpec, lookup  # noqa: F401
from .arithmetic import (  # noqa: F401
    add, bitwise_and, bitwise_or, div, eq, floor_divide, ge, gt, le, logical_not, lt, mul, ne,
    neg, pow, reciprocal, remainder, sub,
)
from .elementwise import (  # noqa: F401
    abs, clamp, cos, exp, floor, log, log1p, maximum, minimum, relu, sigmoid, sign, sin, sqrt,
    tan, tanh, to_dtype, where,
)
from .reductions import (  # noqa: F401
    ReturnTypes, amax, amin, argmax, argmin, log_softmax, logsumexp, max, mean, min, norm, prod,
    softmax, sum,
)
from .shape import (  # noqa: F401
    broadcast_to, cat, expand, flatten, index, index_backward, numpy_T, permute, reshape,
    squeeze, stack, sum_to, t, transpose, unsqueeze,
)
from .linalg import dot, matmul, mm, mv, outer  # noqa: F401
from .creation import (  # noqa: F401
    arange, eye, full, linspace, manual_seed, normal, ones, ones_like, rand, randn, tensor, zeros,
    zeros_like,
)
from .autograd_ops import (  # noqa: F401
    backward, clone, detach, grad, item, no_grad, numel, requires_grad_, retain_grad, set_loader,
    zero_,
)
from ._base import LIMITS, set_max_elements  # noqa: F401
from .inplace import apply_, setitem  # noqa: F401
