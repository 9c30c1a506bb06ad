"""The reverse-mode core: graph nodes, grad mode, and an iterative backward pass.

A Node is created by every differentiable primitive that ran with grad mode on and an input
that requires grad. It keeps what its VJP needs (``saved``), one edge per input (the input's
own Node, the leaf Tensor itself, a Port when the input is a piece of split, chunk or unbind,
or None when no gradient is needed) and the inputs' shapes
and dtypes, so that un-broadcasting and dtype casts happen in one place: ``_fit``.

Backward walks the graph without recursion: dependencies are counted with an explicit stack,
then nodes run from a heap ordered by creation (newest first, as PyTorch does), and each
node's saved tensors are dropped as soon as its VJP has run unless ``retain_graph``.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import sys
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from . import reuse
from .dtypes import is_float, parse_dtype, scalar_type_name, torch_type_name
from .errors import grad_error, type_error
from .summation import float_sum

if TYPE_CHECKING:
    from .tensor import Tensor

Vjp = Callable[["Tensor", "Node"], Sequence["Tensor | None"]]
#: A VJP on raw arrays, used when the backward pass is not itself recorded (no create_graph):
#: (gradient, node, whether the engine owns the gradient buffer and the VJP may overwrite it).
FastVjp = Callable[[np.ndarray, "Node", bool], Sequence["np.ndarray | None"]]
#: Called for each node as backward runs it: (node, gradient in, gradients out).
StepHook = Callable[["Node", "Tensor", Sequence["Tensor | None"]], None]

_grad_enabled = [True]
#: When set, every node keeps its output values (``gradcli graph`` shows them).
KEEP_VALUES = [False]
#: Anomaly mode: a step hook run by every backward that has none of its own.
ANOMALY_HOOK: list[StepHook | None] = [None]
_sequence = itertools.count(1)  # from 1: the first freeze comes after 4,095 nodes

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


def is_grad_enabled() -> bool:
    return _grad_enabled[0]


@contextmanager
def set_grad_enabled(mode: bool) -> Iterator[None]:
    previous = _grad_enabled[0]
    _grad_enabled[0] = mode
    try:
        yield
    finally:
        _grad_enabled[0] = previous


class _NoGrad:
    """``with no_grad():`` records nothing (shown as PyTorch shows it, without an address)."""

    def __init__(self) -> None:
        self.previous: list[bool] = []  # one per `with` it is in (it may be reused)

    def __enter__(self) -> None:
        self.previous.append(_grad_enabled[0])
        _grad_enabled[0] = False

    def __exit__(self, *exc: object) -> None:
        _grad_enabled[0] = self.previous.pop()

    def __repr__(self) -> str:
        return "<torch.autograd.grad_mode.no_grad object>"


def no_grad() -> Any:
    """``with no_grad():`` records nothing."""
    return _NoGrad()


class Node:
    """One recorded operation: what backward needs to send a gradient to the inputs."""

    __slots__ = (
        "name", "vjp", "edges", "in_meta", "saved", "saved_versions", "had_saved", "ctx",
        "seq", "retained", "origin", "out_meta", "value", "fast", "__weakref__",
    )

    def __init__(self, name: str, vjp: Vjp, inputs: Sequence[Tensor],
                 saved: tuple[Tensor | None, ...], ctx: Any, fast: FastVjp | None,
                 out: np.ndarray) -> None:
        self.name = name
        self.vjp = vjp
        self.fast = fast
        self.out_meta: tuple[tuple[int, ...], np.dtype[Any]] = (out.shape, out.dtype)
        # Inputs of the output's shape and dtype (most of them) share its meta tuple.
        if len(inputs) == 1:
            t = inputs[0]
            d = t.data
            self.edges: tuple[Node | Tensor | None, ...] = (
                (t if t.grad_fn is None else t.grad_fn),)  # record() knows t requires grad
            m = self.out_meta
            self.in_meta: tuple[tuple[tuple[int, ...], np.dtype[Any]], ...] = (
                m if d.dtype is m[1] and d.shape == m[0] else (d.shape, d.dtype),)
        elif len(inputs) == 2:  # the loop below, written out for binary ops
            a, b = inputs
            da, db = a.data, b.data
            m = self.out_meta
            self.edges = (((a if a.grad_fn is None else a.grad_fn) if a.requires_grad else None),
                          ((b if b.grad_fn is None else b.grad_fn) if b.requires_grad else None))
            self.in_meta = (
                m if da.dtype is m[1] and da.shape == m[0] else (da.shape, da.dtype),
                m if db.dtype is m[1] and db.shape == m[0] else (db.shape, db.dtype))
        else:
            edges: list[Node | Tensor | None] = []
            meta = []
            m = self.out_meta
            for t in inputs:
                if t.requires_grad:
                    fn = t.grad_fn
                    edges.append(t if fn is None else fn)
                else:
                    edges.append(None)
                d = t.data
                meta.append(m if d.dtype is m[1] and d.shape == m[0] else (d.shape, d.dtype))
            self.edges = tuple(edges)
            self.in_meta = tuple(meta)
        # Entries are None where the VJP will not need them (an input that needs no gradient).
        self.saved: tuple[Tensor | None, ...] | None = saved
        self.saved_versions: tuple[int, ...] = ()
        self.had_saved = False
        if len(saved) == 2:  # the loop below, written out
            s0, s1 = saved
            self.saved_versions = (0 if s0 is None else s0._version[0],
                                   0 if s1 is None else s1._version[0])
            self.had_saved = s0 is not None or s1 is not None
        elif saved:
            versions = []
            for s in saved:
                if s is None:
                    versions.append(0)
                else:
                    versions.append(s._version[0])
                    self.had_saved = True
            self.saved_versions = tuple(versions)
        self.ctx = ctx
        self.seq = next(_sequence)
        # A weak reference to the output tensor when it called retain_grad().
        self.retained: weakref.ref[Tensor] | None = None
        # Where in the source the operation was written: set by the interpreter.
        self.origin: Any = None
        # The output's values, kept only while a graph is being drawn (KEEP_VALUES).
        self.value: np.ndarray | None = out if KEEP_VALUES[0] else None

    def unpack(self) -> tuple[Tensor, ...]:
        """The saved tensors. Entries the VJP did not ask for are None, and it never reads them."""
        assert self.saved is not None
        return cast("tuple[Tensor, ...]", self.saved)

    def needs(self, i: int) -> bool:
        return self.edges[i] is not None

    def output(self) -> Tensor:
        """The saved output (last of ``saved``), reconnected to this node when recording.

        The node keeps a detached alias of its output, not the output itself, so that no
        reference cycle (output -> node -> output) is made; under ``create_graph`` the alias
        gets this node back as its grad_fn, so the VJP stays differentiable.
        """
        assert self.saved is not None
        alias = self.saved[-1]
        assert alias is not None
        if not _grad_enabled[0]:
            return alias
        out = type(alias)(alias.data, version=alias._version)
        out.grad_fn = self
        out.requires_grad = True
        return out

    def __repr__(self) -> str:
        return f"<{self.name} object>"


def record(name: str, out: Tensor, inputs: Sequence[Tensor], vjp: Vjp,
           saved: tuple[Tensor | None, ...] = (), ctx: Any = None,
           save_output: bool = False, fast: FastVjp | None = None) -> Tensor:
    """Attach a Node to ``out`` when grad mode is on and some input requires grad.

    With ``save_output`` the VJP can read the output back with ``node.output()``. ``fast`` is
    the same VJP on raw arrays (see ``FastVjp``), used when the backward is not recorded.
    """
    if _grad_enabled[0]:
        for t in inputs:
            if t.requires_grad:
                if out.data.dtype.kind not in "fc":  # sum(x, dtype=torch.int64)
                    raise type_error(
                        f"Autograd not support dtype: {scalar_type_name(out.data.dtype)}",
                        hint="only floating tensors carry gradients: keep a floating dtype, or "
                        "detach() the input first")
                if save_output:
                    saved = saved + (_wrap(out.data, out._version),)
                node = Node(name, vjp, inputs, saved, ctx, fast, out.data)
                if not node.seq & _GC_EVERY:
                    _calm_gc(node.seq)
                out.grad_fn = node
                out.requires_grad = True
                break
    return out


class Port(Node):
    """One output of a node with several (split, chunk, unbind): the grad_fn of that piece.

    Every piece of one call shares one Node, as in PyTorch (SplitBackward0, UnbindBackward0):
    backward gathers the pieces' gradients into it and runs it once. A Port reads as that
    Node (name, edges: what a graph or a trace shows); the engine routes a gradient sent to
    it into its place (``place``, an index of the node's input) of the node's gradient."""

    __slots__ = ("owner", "place", "index")

    def __init__(self, owner: Node, index: int, place: Any, out: np.ndarray) -> None:
        self.owner = owner
        self.index = index
        self.place = place
        self.out_meta = (out.shape, out.dtype)
        self.retained = None
        self.origin = None
        self.saved = None
        self.had_saved = False

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.owner.name

    @property
    def edges(self) -> tuple[Node | Tensor | None, ...]:  # type: ignore[override]
        return self.owner.edges

    @property
    def seq(self) -> int:  # type: ignore[override]
        return self.owner.seq

    @property
    def value(self) -> np.ndarray | None:  # type: ignore[override]
        return None


def _gathered_vjp(g: Tensor, node: Node) -> tuple[Tensor]:
    return (g,)


def _gathered_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray]:
    return (g,)


def record_pieces(name: str, pieces: Sequence[Tensor], input: Tensor, places: Sequence[Any],
                  assemble: Callable[[dict[int, Tensor]], Tensor]) -> None:
    """Give ``pieces`` (views of ``input`` at ``places``) one shared node ``name`` when grad
    mode is on and ``input`` requires grad. Backward writes each piece's gradient into its
    place; under create_graph (or a trace) ``assemble`` makes the input's gradient of the
    pieces' gradients ({piece number: gradient}, a piece that got none left out) as PyTorch
    does (cat, stack: CatBackward0...)."""
    if not (_grad_enabled[0] and input.requires_grad):
        return
    node = Node(name, _gathered_vjp, (input,), (), assemble, _gathered_fast, input.data)
    if not node.seq & _GC_EVERY:
        _calm_gc(node.seq)
    for i, (piece, place) in enumerate(zip(pieces, places)):
        piece.grad_fn = Port(node, i, place, piece.data)
        piece.requires_grad = True


def _to_port(grads: dict[Node, Any], port: Port, g: Tensor, captured: dict[int, Tensor],
             wanted: dict[Node, int], backward: bool, create_graph: bool) -> None:
    """A gradient sent to a piece, kept for its node ({piece number: gradient}): recorded."""
    got = grads.get(port.owner)
    if got is None:
        got = grads[port.owner] = {}
    _accumulate(got, port.index, g)
    if port in wanted:
        _accumulate(captured, wanted[port], g)
    if port.retained is not None and backward:
        _retain(port, g, create_graph)


def _to_port_raw(grads: dict[Node, np.ndarray], port: Port, g: np.ndarray,
                 captured: dict[int, Tensor], wanted: dict[Node, int], backward: bool) -> None:
    """A gradient sent to a piece, added into its place of its node's gradient (raw arrays)."""
    owner = port.owner
    buf = grads.get(owner)
    if buf is None:
        shape, dtype = owner.out_meta
        buf = grads[owner] = np.zeros(shape, dtype)
    buf[port.place] += g
    if port in wanted:
        key = wanted[port]
        prev = captured.get(key)
        captured[key] = _wrap(np.array(g, copy=True) if prev is None else prev.data + g)
    if port.retained is not None and backward:
        _retain(port, _wrap(np.array(g, copy=True)), False)


#: A recording of more than this many nodes since the last backward is long.
_LONG = 4095
#: In a long recording, every 32 nodes the objects alive so far leave the collector's view.
_GC_EVERY = 31
_frozen = [False]
#: Whether objects were frozen before the first freeze of a recording (start-up's freeze).
_frozen_before = [False]
#: The sequence number when the last backward ended: nodes since then make the recording.
_thawed_at = [0]


def _calm_gc(seq: int) -> None:
    """A long recording (a loop of small ops) makes millions of objects that only reference
    counting frees: graphs are acyclic (a node keeps a detached alias of its output). Python's
    cyclic collector would traverse them all again and again, ~60% of the forward time of a
    10,000-step loop; frozen (``gc.freeze``), they are left out until the next backward
    unfreezes them (``_thaw``), when any cycle made meanwhile is collectable again.

    Only a recording of 4,096 nodes or more since the last backward is long: many short
    ones (``eval -``, the REPL) would pay a full collection in ``_thaw`` every 4,096 nodes
    (~25 ms each, ~10% of a stream of small expressions) for nothing."""
    if seq - _thawed_at[0] <= _LONG:
        return
    if gc.isenabled():
        if not _frozen[0]:
            if _collection_owed[0]:
                collect_owed()
            _frozen_before[0] = gc.get_freeze_count() > 0
        gc.freeze()
        _frozen[0] = True


def _thaw() -> None:
    _thawed_at[0] = next(_sequence)
    if _frozen[0]:
        _frozen[0] = False
        if _frozen_before[0]:
            # The process had frozen what it imported (gradcli/launch.py). A collection now
            # would walk the recording's whole graph, which its output's grad_fn still holds
            # (~30 ms after 10,000 steps of 4 ops, 10% of the loop): it stays frozen
            # (reference counting frees it, as before), and the collection of any cycle it
            # made is owed until the next long recording starts, or the engine's state is
            # restored, when the graph is usually gone.
            _collection_owed[0] = True
        else:
            gc.unfreeze()


#: Whether a long recording's objects were left frozen after its backward (see _thaw).
_collection_owed = [False]


def collect_owed() -> None:
    """Collect what a long recording left frozen (cycles made during it), and freeze what
    lives on again, as the start-up froze what it imported."""
    _collection_owed[0] = False
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _fit(g: Tensor, shape: tuple[int, ...], dtype: np.dtype[Any]) -> Tensor:
    """Undo broadcasting (sum to the input's shape) and cast to the input's dtype."""
    if g.data.shape != shape:
        g = sum_to(g, shape)
    if g.data.dtype != dtype:
        g = to_dtype(g, dtype)
    return g


# -- the core's own ops: un-broadcasting, its inverse and casts, recorded like any other op
# (under create_graph a gradient's un-broadcasting is differentiated too). ops re-exports them.


def view_of(t: Tensor, data: np.ndarray) -> Tensor:
    """A result that shares storage (and so the version counter) with ``t``."""
    # Derived from t.data, data is either a view into its buffer or a fresh copy, so the cheap
    # bounds test is exact here (and views share the counter, as PyTorch's do).
    shares = np.may_share_memory(data, t.data) if data.size else False
    if not shares:
        return type(t)(data)
    out = type(t)(data, version=t._version)
    base = t._base  # only views have one
    if base is None:
        base = t
    out._base = base
    views = base._views
    if views is None:
        base._views = [weakref.ref(out)]
    else:
        views.append(weakref.ref(out))
        count = len(views)
        if count >= 64 and not count & (count - 1):  # at powers of two: drop the dead ones
            views[:] = [r for r in views if r() is not None]
    return out


def _expand_vjp(g: Tensor, node: Node) -> tuple[Tensor]:
    return (g,)  # the engine sums it back to the input's shape


def broadcast_to(x: Tensor, shape: tuple[int, ...], always: bool = False) -> Tensor:
    """``x`` broadcast to ``shape``, a view (ExpandBackward0); the caller checks the size.
    ``x`` itself where the shape is its own, unless ``always`` (the expand op: a view anyway,
    as PyTorch's)."""
    if x.data.shape == shape and not always:
        return x
    out = view_of(x, np.broadcast_to(x.data, shape))
    return record("ExpandBackward0", out, (x,), _expand_vjp)


def _sum_axes(g: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``g`` summed over ``axes``, kept: PyTorch's sum_to, in its order for floats."""
    if g.dtype.kind == "f":
        return float_sum(g, axes, True)
    return np.sum(g, axis=axes, keepdims=True)


def _sum_to_vjp(g: Tensor, node: Node) -> tuple[Tensor]:
    return (broadcast_to(g, node.ctx),)


def sum_to(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum a broadcast gradient back to ``shape``: the one place broadcasting is undone.

    As PyTorch's sum_to: a sum that keeps the dims (SumBackward1), then, when leading dims
    were summed away, a view to ``shape`` (ViewBackward0); to a 0-d shape, a plain sum()
    (SumBackward0)."""
    lead = g.data.ndim - len(shape)
    if not shape and lead:
        out = type(g)(np.asarray(_sum_axes(g.data, tuple(range(lead))).reshape(())))
        return record("SumBackward0", out, (g,), _sum_to_vjp, ctx=g.data.shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and g.data.shape[lead + i] != 1)
    if not axes:
        out = type(g)(np.asarray(g.data.reshape(shape)))
        return record("SumBackward1", out, (g,), _sum_to_vjp, ctx=g.data.shape)
    out = type(g)(np.asarray(_sum_axes(g.data, axes)))
    out = record("SumBackward1", out, (g,), _sum_to_vjp, ctx=g.data.shape)
    return _view_as_shape(out, shape) if lead else out


def _view_vjp(g: Tensor, node: Node) -> tuple[Tensor]:
    return (_view_as_shape(g, node.ctx),)


def _view_as_shape(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``t.view(shape)`` (ViewBackward0), for sum_to."""
    if t.data.shape == shape:
        return t
    out = view_of(t, t.data.reshape(shape))
    return record("ViewBackward0", out, (t,), _view_vjp, ctx=t.data.shape)


def _to_vjp(g: Tensor, node: Node) -> tuple[Tensor]:
    return (to_dtype(g, node.ctx),)


def _to_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray]:
    return (g.astype(node.ctx),)


def to_dtype(input: Tensor, dtype: Any) -> Tensor:
    """A copy in another dtype (PyTorch's ToCopyBackward0); the gradient is cast back."""
    dt = parse_dtype(dtype)
    if input.data.dtype == dt:
        return input
    if input.requires_grad and not is_float(dt):
        return type(input)(input.data.astype(dt))
    out = type(input)(input.data.astype(dt))
    return record("ToCopyBackward0", out, (input,), _to_vjp, ctx=input.data.dtype, fast=_to_fast)


#: The sequence number taken by the last in-place change of a tensor (``bump_version``). A
#: node recorded after it saved its tensors at their current versions: nothing to check.
_last_change = [0]


def bump_version(t: Tensor) -> None:
    """Count an in-place change of ``t``'s values (every tensor sharing its storage sees it)."""
    t._version[0] += 1
    _last_change[0] = next(_sequence)


def _check_saved(node: Node) -> None:
    if node.saved is None:
        if node.had_saved:
            raise grad_error(SECOND_BACKWARD, hint="pass retain_graph=True to the first backward")
        return
    if node.seq > _last_change[0]:
        return
    for t, v in zip(node.saved, node.saved_versions):
        if t is not None and t._version[0] != v:
            where = f", which is output 0 of {t.grad_fn.name}," if t.grad_fn is not None else ""
            raise grad_error(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{torch_type_name(t)} {list(t.data.shape)}]{where} is at "
                f"version {t._version[0]}; expected version {v} instead. Hint: enable anomaly "
                "detection to find the operation that failed to compute its gradient, with "
                "torch.autograd.set_detect_anomaly(True).",
                hint="do the in-place update after backward, or on a clone()",
            )


def _count_dependencies(roots: Sequence[Node]) -> dict[Node, int]:
    """How many edges lead to each node reachable from ``roots`` (a root may be one too)."""
    deps: dict[Node, int] = {}
    first = set(roots)
    stack = list(first)
    get = deps.get
    while stack:
        for edge in stack.pop().edges:
            if type(edge) is Node:
                n = get(edge)
                if n is None:
                    deps[edge] = 1
                    if edge not in first:  # a node's edges are followed once
                        stack.append(edge)
                else:
                    deps[edge] = n + 1
            elif type(edge) is Port:  # a piece: its gradient goes to the node of all pieces
                owner = edge.owner
                n = get(owner)
                if n is None:
                    deps[owner] = 1
                    if owner not in first:
                        stack.append(owner)
                else:
                    deps[owner] = n + 1
    return deps


def _accumulate(store: dict[Any, Tensor], key: Any, g: Tensor) -> None:
    prev = store.get(key)
    store[key] = g if prev is None else prev + g


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    *,
    retain_graph: bool = False,
    create_graph: bool = False,
    inputs: Sequence[Tensor] | None = None,
    on_step: StepHook | None = None,
) -> list[Tensor | None] | None:
    """Backpropagate ``root_grads`` from ``roots``.

    Without ``inputs`` the gradients accumulate into the leaves' ``.grad`` (``backward``).
    With ``inputs`` they are returned instead, and no ``.grad`` changes (``autograd.grad``).
    """
    if on_step is None:
        on_step = ANOMALY_HOOK[0]
    try:
        if not create_graph and on_step is None:
            return _run_raw(roots, root_grads, retain_graph, inputs)
        return _run_recorded(roots, root_grads, retain_graph, create_graph, inputs, on_step)
    finally:
        _thaw()


def _wanted(inputs: Sequence[Tensor] | None) -> tuple[dict[Node, int], set[int]]:
    """For grad(outputs, inputs): the inputs' nodes (to the input's id), and the leaf ids."""
    if inputs is None:
        return _NONE_WANTED  # backward(): only read
    nodes: dict[Node, int] = {}
    leaves: set[int] = set()
    for t in inputs or ():
        if t.grad_fn is not None:
            nodes[t.grad_fn] = id(t)
        else:
            leaves.add(id(t))
    return nodes, leaves


_NONE_WANTED: tuple[dict[Node, int], set[int]] = ({}, set())


def _run_recorded(roots: Sequence[Tensor], root_grads: Sequence[Tensor], retain_graph: bool,
                  create_graph: bool, inputs: Sequence[Tensor] | None,
                  on_step: StepHook | None) -> list[Tensor | None] | None:
    captured: dict[int, Tensor] = {}
    wanted_nodes, wanted_leaves = _wanted(inputs)

    grads: dict[Node, Tensor] = {}
    leaf_grads: dict[int, Tensor] = {}
    leaves: dict[int, Tensor] = {}
    root_nodes: list[Node] = []
    for t, g in zip(roots, root_grads):
        fn = t.grad_fn
        if fn is None:
            leaves[id(t)] = t
            _accumulate(leaf_grads, id(t), g)
        elif type(fn) is Port:
            _to_port(grads, fn, g, captured, wanted_nodes, inputs is None, create_graph)
            root_nodes.append(fn.owner)
        else:
            _accumulate(grads, fn, g)
            root_nodes.append(fn)

    with set_grad_enabled(create_graph):
        deps = _count_dependencies(root_nodes)
        ready = [(-n.seq, n) for n in set(root_nodes) if deps.get(n, 0) == 0]
        heapq.heapify(ready)
        while ready:
            _, node = heapq.heappop(ready)
            g = grads.pop(node)
            if type(g) is dict:  # the pieces' gradients of a split, chunk or unbind
                g = node.ctx(g)
            if node in wanted_nodes:
                captured[wanted_nodes[node]] = g
            if node.retained is not None and inputs is None:
                _retain(node, g, create_graph)
            _check_saved(node)
            outs = node.vjp(g, node)
            outs = [
                None if (o is None or edge is None) else _fit(o, *meta)
                for o, edge, meta in zip(outs, node.edges, node.in_meta)
            ]
            if on_step is not None:
                on_step(node, g, outs)
            if not retain_graph:
                node.saved = None
            for edge, o in zip(node.edges, outs):
                if edge is None:
                    continue
                if type(edge) is Port:
                    if o is not None:
                        _to_port(grads, edge, o, captured, wanted_nodes, inputs is None,
                                 create_graph)
                    edge = edge.owner
                elif isinstance(edge, Node) and o is not None:
                    _accumulate(grads, edge, o)
                if isinstance(edge, Node):
                    deps[edge] -= 1
                    if deps[edge] == 0:
                        if edge in grads:
                            heapq.heappush(ready, (-edge.seq, edge))
                        else:
                            _skip(edge, deps, grads, ready)
                elif o is not None:
                    leaves[id(edge)] = edge
                    _accumulate(leaf_grads, id(edge), o)

    if inputs is not None:
        for key, g in leaf_grads.items():
            if key in wanted_leaves:
                captured[key] = g
        return [captured.get(id(t)) for t in inputs]
    for key, g in leaf_grads.items():
        _accumulate_leaf(leaves[key], g, create_graph)
    return None


def _skip(node: Node, deps: dict[Node, int], grads: dict[Node, Tensor],
          ready: list[tuple[int, Node]]) -> None:
    """A node that received no gradient at all: release its dependants without running it."""
    stack = [node]
    while stack:
        n = stack.pop()
        for edge in n.edges:
            if type(edge) is Port:
                edge = edge.owner
            if isinstance(edge, Node):
                deps[edge] -= 1
                if deps[edge] == 0:
                    if edge in grads:
                        heapq.heappush(ready, (-edge.seq, edge))
                    else:
                        stack.append(edge)


def _retain(node: Node, g: Tensor, create_graph: bool) -> None:
    assert node.retained is not None
    t = node.retained()
    if t is None:
        return
    _accumulate_leaf(t, g, create_graph)


def _accumulate_leaf(leaf: Tensor, g: Tensor, create_graph: bool) -> None:
    """``.grad`` accumulates: in place when it can (aliases of ``.grad`` see it, as in PyTorch)."""
    if create_graph:
        leaf.grad = g if leaf.grad is None else leaf.grad + g
        return
    if leaf.grad is None:
        leaf.grad = _wrap(np.array(g.data, dtype=leaf.data.dtype, copy=True))
    elif leaf.grad.requires_grad or leaf.grad.data.shape != g.data.shape:
        leaf.grad = _wrap(np.asarray(leaf.grad.data + g.data))
    else:
        leaf.grad.data += g.data
        bump_version(leaf.grad)


# -- the backward pass on raw arrays --------------------------------------------------------
# Without create_graph nothing records, so gradients travel as numpy arrays: no Tensor per
# step, and a gradient buffer that nothing else references is reused in place (accumulation,
# the VJPs' products) or handed to ``.grad`` without a copy, as PyTorch steals its buffers.
# "Nothing else references" is the reference count: a buffer held by one local variable only,
# read only where reuse.ON says the counts are trusted (engine/reuse.py).


def _alone_refs() -> int:
    a = np.empty(1)
    return _refs(a)


def _refs(a: np.ndarray) -> int:
    return sys.getrefcount(a)


_ALONE = _alone_refs() if reuse.TRUSTED else reuse.NEVER


def _inline_alone() -> int:
    a = np.empty(1)
    return sys.getrefcount(a)


#: What sys.getrefcount(g) gives, written in a function's body, for an array that only the
#: function's local variable g holds.
_INLINE_ALONE = _inline_alone() if reuse.TRUSTED else reuse.NEVER


def _owned(a: np.ndarray, holders: int = 0) -> bool:
    """True when the reuse is on, ``a`` owns its memory and is referenced only by the caller's
    local variable (plus ``holders`` known containers). Call it as a statement of its own: a
    reference that sits on the caller's evaluation stack would be counted."""
    return (_REUSE[0] and sys.getrefcount(a) == _ALONE + holders and a.base is None
            and a.flags.writeable)


_REUSE = reuse.ON


def _wrap(a: np.ndarray, version: list[int] | None = None) -> Tensor:
    """A Tensor around an array."""
    return _TENSOR[0]._of(a, version)


_TENSOR: list[type[Tensor]] = []


def register_tensor_class(cls: type[Tensor]) -> None:
    """engine/tensor.py hands its Tensor class over when it defines it: it imports this
    module, so this module cannot import it, and backward makes Tensors of raw arrays."""
    _TENSOR[:] = [cls]


def _fit_raw(g: np.ndarray, shape: tuple[int, ...], dtype: np.dtype[Any]) -> np.ndarray:
    if g.shape != shape:
        lead = g.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
        if axes:
            g = _sum_axes(g, axes)
        g = g.reshape(shape)
    if g.dtype != dtype:
        g = g.astype(dtype)
    return g


def _acc_raw(store: dict[Any, np.ndarray], key: Any, g: np.ndarray) -> None:
    prev = store.get(key)
    if prev is None:
        store[key] = g
        return
    owned = _owned(prev, 1)
    if owned and prev.shape == g.shape and prev.dtype == g.dtype:
        np.add(prev, g, prev)  # out positionally: quicker than the keyword
    else:
        store[key] = prev + g


def _run_raw(roots: Sequence[Tensor], root_grads: Sequence[Tensor], retain_graph: bool,
             inputs: Sequence[Tensor] | None) -> list[Tensor | None] | None:
    captured: dict[int, Tensor] = {}
    wanted_nodes, wanted_leaves = _wanted(inputs)

    grads: dict[Node, np.ndarray] = {}
    leaf_grads: dict[int, np.ndarray] = {}
    leaves: dict[int, Tensor] = {}
    root_nodes: list[Node] = []
    for t, gt in zip(roots, root_grads):
        fn = t.grad_fn
        if fn is None:
            leaves[id(t)] = t
            _acc_raw(leaf_grads, id(t), gt.data)
        elif type(fn) is Port:
            _to_port_raw(grads, fn, gt.data, captured, wanted_nodes, inputs is None)
            root_nodes.append(fn.owner)
        else:
            _acc_raw(grads, fn, gt.data)
            root_nodes.append(fn)

    heappush, heappop = heapq.heappush, heapq.heappop
    getrefcount = sys.getrefcount
    reusing = _REUSE[0]
    previous = _grad_enabled[0]
    _grad_enabled[0] = False
    try:
        deps = _count_dependencies(root_nodes)
        if len(root_nodes) == 1:  # backward() of one tensor: the root is the first to run
            root = root_nodes[0]
            ready = [] if root in deps else [(-root.seq, root)]
        else:
            ready = [(-n.seq, n) for n in set(root_nodes) if deps.get(n, 0) == 0]
            heapq.heapify(ready)
        while ready:
            node = heappop(ready)[1]
            g = grads.pop(node)
            if wanted_nodes and node in wanted_nodes:
                # A copy: g may be another tensor's array (a product with a broadcast 1 is
                # its other factor), and the VJP below may write into g.
                captured[wanted_nodes[node]] = _wrap(np.array(g, copy=True))
            if node.retained is not None and inputs is None:
                _retain(node, _wrap(g), False)
            if node.had_saved and (node.saved is None or node.seq < _last_change[0]):
                _check_saved(node)
            fast = node.fast
            if fast is not None:
                # _owned(g), inlined: a statement of its own (see _INLINE_ALONE)
                owned = (reusing and getrefcount(g) == _INLINE_ALONE and g.base is None
                         and g.flags.writeable)
                outs = fast(g, node, owned)
            else:
                outs = [None if o is None else o.data for o in node.vjp(_wrap(g), node)]
            del g
            if not retain_graph:
                node.saved = None
            for edge, o, meta in zip(node.edges, outs, node.in_meta):
                if edge is None:
                    continue
                if o is not None and (o.shape != meta[0] or o.dtype != meta[1]):
                    o = _fit_raw(o, meta[0], meta[1])
                if type(edge) is Node:
                    if o is not None:
                        if edge in grads:
                            _acc_raw(grads, edge, o)
                        else:
                            grads[edge] = o
                    n = deps[edge] - 1
                    deps[edge] = n
                    if n == 0:
                        if edge in grads:
                            heappush(ready, (-edge.seq, edge))
                        else:
                            _skip(edge, deps, grads, ready)  # type: ignore[arg-type]
                elif type(edge) is Port:
                    if o is not None:
                        _to_port_raw(grads, edge, o, captured, wanted_nodes,  # type: ignore[arg-type]
                                     inputs is None)
                    owner = edge.owner  # type: ignore[union-attr]
                    n = deps[owner] - 1
                    deps[owner] = n
                    if n == 0:
                        if owner in grads:
                            heappush(ready, (-owner.seq, owner))
                        else:
                            _skip(owner, deps, grads, ready)  # type: ignore[arg-type]
                elif o is not None:
                    leaves[id(edge)] = edge  # type: ignore[assignment]
                    _acc_raw(leaf_grads, id(edge), o)
            # No stale references may outlive the step: they would hide owned buffers.
            outs = o = None  # type: ignore[assignment]
    finally:
        _grad_enabled[0] = previous

    if inputs is not None:
        while leaf_grads:
            key, a = leaf_grads.popitem()
            owned = _owned(a)
            if key in wanted_leaves:
                # Handed over as is only when nothing else holds it (see _accumulate_leaf_raw).
                captured[key] = _wrap(a if owned else np.array(a, copy=True))
        return [captured.get(id(t)) for t in inputs]
    while leaf_grads:
        key, a = leaf_grads.popitem()
        leaf = leaves[key]
        owned = _owned(a)
        _accumulate_leaf_raw(leaf, a, owned)
    return None


def _accumulate_leaf_raw(leaf: Tensor, g: np.ndarray, owned: bool) -> None:
    """``.grad`` from a raw gradient: the buffer itself when the engine owns it."""
    if leaf.grad is None:
        d = leaf.data
        if not (owned and g.dtype == d.dtype and g.shape == d.shape):
            g = np.array(g, dtype=d.dtype, copy=True)
        leaf.grad = _wrap(g)
    elif leaf.grad.requires_grad or leaf.grad.data.shape != g.shape:
        leaf.grad = _wrap(np.asarray(leaf.grad.data + g))
    else:
        leaf.grad.data += g
        bump_version(leaf.grad)
