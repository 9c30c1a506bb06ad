"""Float sums in PyTorch's CPU order (its ``cascade_sum``), so results match it to the bit.

PyTorch sums float32 and float64 with ``cascade_sum`` (aten/src/ATen/native/cpu/SumKernel.cpp)
inside a TensorIterator reduction. The order of the additions, which decides the rounding,
comes from four things, all reproduced here with numpy operations on whole arrays:

- The iterator's geometry: reduced dimensions first, then by increasing input stride
  (``reorder_dimensions``), adjacent dimensions merged where memory allows
  (``coalesce_dimensions``). The kernel sees 2-D slices (``size0`` x ``size1``) of it.
- The kernel's choice for a slice: a contiguous reduced row of at least one vector
  (``vectorized_inner_sum``: vector lanes, then the row's scalar tail, then the lanes one by
  one), contiguous output columns (``vectorized_outer_sum``: blocks of 4 vectors, 1 vector, then
  single columns), or the scalar loops; ``row_sum`` splits a row into 4 interleaved partial
  sums, ``multi_row_sum`` sums each in a cascade of blocks of 16 (or more) terms.
- The vector width: 32 bytes (8 float32 or 4 float64 lanes). PyTorch 2.13 sums with those
  lanes on every x86 CPU: with ``ATEN_CPU_CAPABILITY`` avx512 (the default on an AVX512 machine),
  avx2 and default alike, as measured to the bit (its AVX512 build of the kernel is not used
  for sums), so nothing here depends on the CPU's flags.
- Threads: from 32768 elements on (``GRAIN_SIZE``) PyTorch splits the work over its threads
  (the physical cores, or ``OMP_NUM_THREADS``): a sum to one value is cut into one chunk per
  thread, whose sums are added at the end; other reductions split output columns.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

#: np.add.reduce (Any: numpy's stubs type ``keepdims`` as a literal).
_add_reduce: Any = np.add.reduce

#: at::internal::GRAIN_SIZE: below this many elements PyTorch reduces in one thread.
GRAIN_SIZE = 32768

#: The bytes of one of PyTorch's vectors in its sum kernel (Vectorized<scalar_t>::size()).
VECTOR_BYTES = 32

_threads: list[int] = []

#: _fold adds rows of at least this many elements one by one rather than with add.reduce.
_LOOP_FROM = 4096

#: From this many elements on, :func:`float_sum` leaves PyTorch's order for numpy's pairwise
#: sum: PyTorch's order costs 3 to 4 times np.sum there (benchmarks/sums.py), which must not
#: be paid on big data; below it the cost is 2-4x numpy's from 10^5 elements, and some
#: microseconds of Python a call on small tensors.
EXACT_BELOW = 10**6


def _physical_cores() -> int:
    cores = set()
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            phys = ""
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "physical id":
                    phys = value.strip()
                elif key == "core id":
                    cores.add((phys, value.strip()))
    except OSError:
        pass
    return len(cores) or os.cpu_count() or 1


def threads() -> int:
    """How many threads PyTorch reduces with: OMP_NUM_THREADS (or MKL_NUM_THREADS) if set,
    else the number of physical cores."""
    if not _threads:
        count = 0
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            value = os.environ.get(name, "")
            if value.strip().isdigit() and int(value) > 0:
                count = int(value)
        _threads.append(count or _physical_cores())
    return _threads[0]


# -- the additions, in order (axes are counted from the end: -1 is the last) --------------------


def _at(axis: int, index: Any) -> tuple[Any, ...]:
    """An index that takes ``index`` along ``axis`` (negative) and everything elsewhere."""
    return (Ellipsis, index) + (slice(None),) * (-axis - 1)


def _fold(z: np.ndarray, axis: int) -> np.ndarray:
    """``((z[0] + z[1]) + z[2]) + ...`` along ``axis`` (zeros if it is empty).

    numpy's add.reduce is such a left fold whenever the reduced axis is not its inner loop,
    i.e. when some other axis of two or more elements has a smaller stride, not zero (numpy
    keeps its pairwise summation for the inner loop); add.accumulate is one at any stride."""
    k = z.shape[axis]
    if k <= 1:
        if k == 1:
            return z[_at(axis, 0)]
        return np.zeros(z.shape[:axis] + z.shape[axis:][1:], z.dtype)
    step = abs(z.strides[axis])
    if step and any(n > 1 and 0 < abs(s) < step for n, s in zip(z.shape, z.strides)):
        if k <= 64 and z.size >= _LOOP_FROM * k:
            # row by row into one buffer: about twice as fast as add.reduce's short inner loops
            out = np.add(z[_at(axis, 0)], z[_at(axis, 1)])
            for i in range(2, k):
                np.add(out, z[_at(axis, i)], out=out)
            return out
        return np.add.reduce(z, axis=axis)
    return np.add.accumulate(z, axis=axis)[_at(axis, -1)]


def _split(z: np.ndarray, axis: int, parts: int, size: int) -> np.ndarray:
    """The first ``parts * size`` entries along ``axis`` as two axes (parts, size)."""
    head = z[_at(axis, slice(0, parts * size))]
    return head.reshape(z.shape[:axis] + (parts, size) + z.shape[axis:][1:])


def _ceil_log2(n: int) -> int:
    """aten's utils::CeilLog2 (1 for n <= 2)."""
    return 1 if n <= 2 else (n - 1).bit_length()


def _cascade(y: np.ndarray, axis: int) -> np.ndarray:
    """``multi_row_sum``: blocks of ``step`` terms are summed in turn; every ``step`` block sums
    are carried one level up, for three levels; the levels are added last, lowest first."""
    size = y.shape[axis]
    step = 1 << max(4, _ceil_log2(size) // 4)
    blocks = size // step
    if not blocks:
        return _fold(y, axis)
    total = _fold(y[_at(axis, slice(blocks * step, None))], axis)
    level = _fold(_split(y, axis, blocks, step), axis)
    for _ in range(2):
        groups = level.shape[axis] // step
        if not groups:
            break
        total = total + _fold(level[_at(axis, slice(groups * step, None))], axis)
        level = _fold(_split(level, axis, groups, step), axis)
    return total + _fold(level, axis)


def _row_sum(y: np.ndarray, axis: int) -> np.ndarray:
    """``row_sum``: the row as (n // 4, 4), four interleaved cascades; the n % 4 last terms go
    to the first; then the four are added in order."""
    quads = y.shape[axis] // 4
    if not quads:
        return _fold(y, axis)
    part = _cascade(_split(y, axis, quads, 4), axis - 1)
    terms = np.concatenate([part[_at(axis, slice(0, 1))], y[_at(axis, slice(quads * 4, None))],
                            part[_at(axis, slice(1, 4))]], axis=axis)
    return _fold(terms, axis)


def _scalar_inner_sum(a: np.ndarray) -> Any:
    """The sum of fewer elements than a vector holds, in scalar_inner_sum's order (n >= 4:
    x0, x4, x5, ..., x1, x2, x3): a left fold on Python floats, each step rounded to the dtype
    (exact for float32 too: a float64 sum of two float32 rounds to the float32 sum)."""
    v = a.ravel().tolist()
    terms = v if len(v) < 4 else [v[0], *v[4:], *v[1:4]]
    cast = a.dtype.type
    total = terms[0]
    for t in terms[1:]:
        total = float(cast(total + t))
    return cast(total)


def _rows(x: np.ndarray, lanes: int) -> np.ndarray:
    """The sums of the contiguous rows of ``x`` (2-D): _slices' inner kernels, with fewer
    steps when a row is short enough to need no cascade (under 64 scalars or vectors)."""
    rows, n = x.shape
    if n < lanes:  # scalar_inner_sum
        quads = n // 4
        if not quads:
            return np.add.accumulate(x, axis=1)[:, -1]
        part = np.add.reduce(x[:, :quads * 4].reshape(rows, quads, 4), axis=1)
        terms = np.concatenate((part[:, :1], x[:, quads * 4:], part[:, 1:]), axis=1)
        return np.add.accumulate(terms, axis=1)[:, -1]
    vectors = n // lanes
    quads = vectors // 4
    if quads >= 16:
        return _slices(x, 1, n, lanes)
    if quads:
        part = np.add.reduce(x[:, :quads * 4 * lanes].reshape(rows, quads, 4, lanes), axis=1)
        rest = x[:, quads * 4 * lanes:vectors * lanes].reshape(rows, vectors % 4, lanes)
        lane_sums = np.add.reduce(np.concatenate((part[:, :1], rest, part[:, 1:]), axis=1),
                                  axis=1)
    else:
        lane_sums = np.add.reduce(x[:, :vectors * lanes].reshape(rows, vectors, lanes), axis=1)
    terms = np.concatenate((x[:, vectors * lanes:], lane_sums), axis=1)
    return np.add.accumulate(terms, axis=1)[:, -1]


def _slices(x: np.ndarray, in0: int, in1: int, lanes: int) -> np.ndarray:
    """The kernel on 2-D slices: ``x[..., j, :]`` is column j's reduced row (``size0`` terms
    at stride ``in0``; columns at stride ``in1``); one sum per column."""
    m, n = x.shape[-2], x.shape[-1]
    if in0 == 1 and n >= lanes:  # vectorized_inner_sum: lanes, then the tail, then lane by lane
        vectors = n // lanes
        lane_sums = _row_sum(_split(x, -1, vectors, lanes), -2)
        return _fold(np.concatenate([x[..., vectors * lanes:], lane_sums], axis=-1), -1)
    if in1 == 1 and m >= lanes:  # vectorized_outer_sum
        cut = m // (4 * lanes) * 4 * lanes
    elif in0 < in1:  # scalar_inner_sum
        cut = 0
    else:  # scalar_outer_sum
        cut = m // 4 * 4
    if cut == m:
        return _cascade(x, -1)
    if cut == 0:
        return _row_sum(x, -1)
    return np.concatenate([_cascade(x[..., :cut, :], -1), _row_sum(x[..., cut:, :], -1)],
                          axis=-1)


# -- the iterator -------------------------------------------------------------------------------


def _order(shape: tuple[int, ...], ins: list[int], outs: list[int]) -> list[int]:
    """TensorIterator's reorder_dimensions for a reduction: the dims, fastest first."""
    nd = len(shape)
    if nd == 1:
        return [0]
    perm = list(range(nd - 1, -1, -1))

    def should_swap(d0: int, d1: int) -> int:
        for strides, is_out in ((outs, True), (ins, False)):
            s0, s1 = strides[d0], strides[d1]
            if is_out and (s0 == 0) != (s1 == 0):
                return 1 if s1 == 0 else -1
            if s0 == 0 or s1 == 0:
                continue
            if s0 < s1:
                return -1
            if s0 > s1:
                return 1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    return perm


class _Plan:
    """How one reduction runs: the iterator's dims (fastest first) and what to do with them."""

    __slots__ = ("shape", "ins", "outs", "groups", "trivial", "source", "view_shape", "red",
                 "keep", "arrange", "kept_shape", "expand", "back", "numel")

    def __init__(self, a: np.ndarray, axes: tuple[int, ...], keepdim: bool) -> None:
        shape = a.shape
        ins = [s // a.itemsize for s in a.strides]
        kept = [1 if i in axes else n for i, n in enumerate(shape)]
        run = 1
        outs = [0] * len(shape)
        for i in range(len(shape) - 1, -1, -1):
            reduced = i in axes and not (keepdim and shape[i] == 1)
            outs[i] = 0 if reduced else run
            run *= kept[i]
        perm = _order(shape, ins, outs)
        dims = [[shape[p], ins[p], outs[p], [p]] for p in perm]
        merged = [dims[0]]
        for d in dims[1:]:
            prev = merged[-1]
            if prev[0] == 1 or d[0] == 1 or (
                    prev[0] * prev[1] == d[1] and prev[0] * prev[2] == d[2]):
                if prev[0] == 1:
                    prev[1], prev[2] = d[1], d[2]
                prev[0] *= d[0]
                prev[3] = prev[3] + d[3]
            else:
                merged.append(d)
        self.shape = [d[0] for d in merged]
        self.ins = [d[1] for d in merged]
        self.outs = [d[2] for d in merged]
        self.groups = [d[3] for d in merged]
        self.numel = math.prod(self.shape)
        self.trivial = self.outs[0] != 0  # nothing is reduced
        nd = len(self.shape)
        # the input as an array of the iterator's dims, slowest first (a view of ``a``)
        self.source = [p for g in reversed(self.groups) for p in reversed(g)]
        self.view_shape = tuple(reversed(self.shape))
        self.red = [i for i in range(1, nd) if self.outs[i] == 0]
        self.keep = [i for i in range(1, nd) if self.outs[i] != 0]
        # per-column sums: axis of iterator dim i (i >= 1) is nd - 1 - i; reduced ones first
        self.arrange = [nd - 1 - i for i in reversed(self.red)] + \
                       [nd - 1 - i for i in reversed(self.keep)]
        self.kept_shape = tuple(self.shape[i] for i in reversed(self.keep))
        order = [p for i in reversed(self.keep) for p in reversed(self.groups[i])]
        self.expand = tuple(kept[p] for p in order)
        self.back = sorted(range(len(order)), key=lambda k: order[k])


_plans: dict[Any, _Plan] = {}


def _plan(a: np.ndarray, axes: tuple[int, ...], keepdim: bool) -> _Plan:
    key = (a.shape, a.strides, a.itemsize, axes, keepdim)
    plan = _plans.get(key)
    if plan is None:
        if len(_plans) > 512:
            _plans.clear()
        plan = _plans[key] = _Plan(a, axes, keepdim)
    return plan


def float_sum(a: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> np.ndarray:
    """:func:`torch_sum` below EXACT_BELOW elements, numpy's (faster, last bit may differ)
    from there on."""
    if a.size < EXACT_BELOW:
        return torch_sum(a, axes, keepdim)
    return np.asarray(_add_reduce(a, axis=axes, keepdims=keepdim))


def torch_sum(a: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> np.ndarray:
    """``a`` (float32 or float64) summed over ``axes`` (sorted, non-negative; None: all) as
    PyTorch's CPU sum does, to the bit; a new array of numpy's shape for ``keepdims=keepdim``."""
    nd = a.ndim
    lanes = VECTOR_BYTES // a.itemsize
    zero = a.dtype.type(0)
    if nd and a.flags.c_contiguous and a.size:
        # the usual cases, without the iterator: contiguous rows, summed one by one
        n = a.shape[-1]
        if axes is None or len(axes) == nd:
            if a.size < lanes:  # as _rows' scalar_inner_sum, on Python floats (one ~10x cheaper)
                return np.asarray(_scalar_inner_sum(a) + zero).reshape((1,) * nd if keepdim
                                                                       else ())
            if a.size < GRAIN_SIZE:
                res = _rows(a.reshape(1, -1), lanes)[0] + zero
                return np.asarray(res).reshape((1,) * nd if keepdim else ())
        elif axes == (nd - 1,) and n > 1 and a.size > n:
            res = _rows(a.reshape(-1, n), lanes) + zero
            return res.reshape(a.shape[:-1] + (1,) if keepdim else a.shape[:-1])
        elif axes == (0,) and 1 < a.shape[0] < a.size < GRAIN_SIZE:
            # the leading dim: one reduced dim (size0) and the others as one (size1)
            rows = a.shape[0]
            res = _slices(a.reshape(rows, -1).T, a.size // rows, 1, lanes) + zero
            return res.reshape((1,) + a.shape[1:] if keepdim else a.shape[1:])
    if axes is None or len(axes) == nd:
        axes = tuple(range(nd))
    out_shape = tuple(1 if i in axes else n for i, n in enumerate(a.shape)) if keepdim else \
        tuple(n for i, n in enumerate(a.shape) if i not in axes)
    if a.size == 0 or nd == 0:
        return np.add(np.zeros(out_shape, a.dtype), a.reshape(out_shape) if a.size else zero)
    if any(s < 0 or s % a.itemsize for s, n in zip(a.strides, a.shape) if n > 1):
        a = np.ascontiguousarray(a)
    plan = _plan(a, axes, keepdim)
    if plan.trivial:  # PyTorch's "not a true reduction": 0 + x
        return np.add(a.reshape(out_shape), zero)
    nthreads = threads() if plan.numel >= GRAIN_SIZE else 1
    if nthreads > 1 and not plan.keep:
        return np.asarray(_chunked(a, plan, nthreads, lanes) + zero).reshape(out_shape)
    res = _reduce(a, plan, lanes, nthreads) + zero
    if plan.keep:
        res = np.ascontiguousarray(res.reshape(plan.expand).transpose(plan.back))
    return res.reshape(out_shape)


def _reduce(a: np.ndarray, plan: _Plan, lanes: int, nthreads: int) -> np.ndarray:
    """The iteration, serial or over output columns (parallel_dim_reduction); the sums in
    iterator order (slowest first) over the dims that are not reduced."""
    view = a.transpose(plan.source).reshape(plan.view_shape)  # (..., d2, d1, d0)
    if len(plan.shape) == 1:
        return _slices(view.reshape(1, -1), plan.ins[0], 0, lanes).reshape(())
    in0, in1 = plan.ins[0], plan.ins[1]
    if nthreads > 1 and _split_dim(plan.shape, plan.outs, nthreads) == 1:
        bounds = _thread_columns(plan.shape[1], nthreads, in1 == 1, a.itemsize)
        per_col = np.concatenate([_slices(view[..., lo:hi, :], in0, in1, lanes)
                                  for lo, hi in bounds], axis=-1)
    else:
        per_col = _slices(view, in0, in1, lanes)  # (..., d2, d1)
    if not plan.red:
        return per_col
    # the sums of reduced outer dims (and of dim 1 when it is reduced) add into the output in
    # iteration order
    arranged = np.ascontiguousarray(per_col.transpose(plan.arrange))
    return _fold(arranged.reshape((-1,) + plan.kept_shape), -1 - len(plan.kept_shape))


def _split_dim(shape: list[int], outs: list[int], nthreads: int) -> int:
    """parallel_dim_reduction's find_split_dim: the outermost dim that is not reduced and has
    at least one column per thread, else the largest."""
    best = len(shape) - 1
    dim = best
    while dim >= 0 and outs[dim] != 0:
        if shape[dim] >= nthreads:
            return dim
        if shape[dim] > shape[best]:
            best = dim
        dim -= 1
    return best


def _thread_columns(cols: int, nthreads: int, contiguous: bool, item: int
                    ) -> list[tuple[int, int]]:
    """at::parallel_for(0, cols, 1) over the threads, each range rounded to 128 bytes when
    the columns are adjacent in memory (round_columns)."""
    tasks = min(nthreads, cols)
    chunk = -(-cols // tasks)
    bounds = []
    for t in range(tasks):
        lo, hi = t * chunk, min(cols, (t + 1) * chunk)
        if contiguous:
            per = 128 // item
            lo -= lo % per
            if hi != cols:
                hi -= hi % per
        if lo < hi:
            bounds.append((lo, hi))
    return bounds


def _chunked(a: np.ndarray, plan: _Plan, nthreads: int, lanes: int) -> Any:
    """A sum to one value of at least GRAIN_SIZE elements (two_pass_reduction): each thread
    sums its share of the iteration into its own slot, the slots are summed last."""
    numel = plan.numel
    tasks = min(nthreads, -(-numel // GRAIN_SIZE))
    chunk = -(-numel // tasks)
    slots = [_range_sum(a, plan, t * chunk, min(numel, (t + 1) * chunk), lanes)
             for t in range(tasks) if t * chunk < numel]
    slots += [a.dtype.type(0)] * (nthreads - len(slots))
    return _slices(np.array(slots, dtype=a.dtype).reshape(1, -1), 1, 0, lanes)[0]


def _range_sum(a: np.ndarray, plan: _Plan, lo: int, hi: int, lanes: int) -> Any:
    """serial_for_each over the linear range [lo, hi) of a full reduction: 2-D steps
    (DimCounter's max_2d_step), each summed by the kernel and added into one slot in turn."""
    shape, ins = plan.shape, plan.ins
    view = a.transpose(plan.source).reshape(plan.view_shape)
    total = a.dtype.type(0)
    if len(shape) == 1:
        return total + _slices(view[lo:hi].reshape(1, -1), ins[0], 0, lanes)[0]
    pos = lo
    while pos < hi:
        idx = []
        rem = pos
        for n in shape:
            idx.append(rem % n)
            rem //= n
        size0 = min(shape[0] - idx[0], hi - pos)
        size1 = max(1, min(shape[1] - idx[1], (hi - pos) // shape[0]) if idx[0] == 0 else 1)
        block = view[tuple(reversed(idx[2:])) + (slice(idx[1], idx[1] + size1),
                                                 slice(idx[0], idx[0] + size0))]
        for v in _slices(block, ins[0], ins[1], lanes):
            total = total + v
        pos += size0 * size1
    return total
