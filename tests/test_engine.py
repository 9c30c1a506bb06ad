"""The engine on its own: reverse mode, SPEC section 4's semantics, dtype rules, scale."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import numpy as np
import pytest

from gradcli.engine import EngineError, Tensor, dtypes, no_grad
from gradcli.engine import ops as E
from gradcli.engine.autograd import SECOND_BACKWARD


def leaf(values, dtype=np.float32):
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def test_seed_dot_example():
    x = leaf([0.0, 1.0, 2.0, 3.0])
    y = 2 * E.dot(x, x)
    assert y.grad_fn.name == "MulBackward0"
    assert y.data == 28
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [0, 4, 8, 12])
    assert x.grad.data.dtype == np.float32


def test_grad_is_none_before_backward_and_accumulates():
    x = leaf([1.0, 2.0])
    assert x.grad is None
    E.sum(x).backward()
    E.sum(x).backward()
    np.testing.assert_array_equal(x.grad.data, [2, 2])
    alias = x.grad
    E.zero_(x.grad)
    E.sum(x * x).backward()
    # .grad is updated in place: an earlier reference sees the new values (as in PyTorch).
    np.testing.assert_array_equal(alias.data, [2, 4])


def test_non_scalar_backward_needs_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(EngineError, match="grad can be implicitly created only for scalar outputs"):
        (x * x).backward()
    (x * x).backward(E.ones_like(x))
    np.testing.assert_array_equal(x.grad.data, [2, 4])


def test_second_backward_fails_unless_retained():
    x = leaf([1.0, 2.0])
    z = E.sum(x * x)
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_array_equal(x.grad.data, [4, 8])
    with pytest.raises(EngineError) as info:
        z.backward()
    assert info.value.message == SECOND_BACKWARD
    # Nodes that save nothing (sum of a sum) can run twice, as in PyTorch.
    s = E.sum(x + 2)
    s.backward()
    s.backward()


def test_retain_grad_on_non_leaf():
    x = leaf(np.arange(6.0))
    a = x ** 2
    a.retain_grad()
    z = E.sum(a)
    z.backward(retain_graph=True)
    np.testing.assert_array_equal(a.grad.data, np.ones(6))
    z.backward()
    np.testing.assert_array_equal(a.grad.data, 2 * np.ones(6))
    b = x * 3
    E.sum(b).backward()
    assert b.grad is None


def test_only_floating_tensors_require_grad():
    with pytest.raises(EngineError, match="only Tensors of floating point dtype"):
        Tensor(np.arange(3)).requires_grad_()


def test_detach_shares_storage_and_stops_gradients():
    x = leaf([0.0, 1.0, 2.0, 3.0])
    y = x * x + 4
    u = y.detach()
    assert u.grad_fn is None and not u.requires_grad
    assert np.shares_memory(u.data, y.data)
    E.sum(u * x).backward()
    np.testing.assert_array_equal(x.grad.data, [4, 5, 8, 13])


def test_no_grad_records_nothing():
    x = leaf([1.0])
    with no_grad():
        y = x * 2
    assert y.grad_fn is None and not y.requires_grad


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (np.arange(3), 2.5, "float32"),                       # int tensor, float scalar
        (np.arange(3), np.float64(2.5) * np.ones(3), "float64"),
        (np.ones(3, np.float32), np.ones(3, np.float64), "float64"),
        (np.ones(3, np.float32), np.asarray(2.0, np.float64), "float32"),  # 0-d does not widen
        (np.ones(3, np.int32), 7, "int32"),                   # Python ints do not widen
        (np.ones(3, bool), np.ones(3, np.int64), "int64"),
        (np.arange(3), np.asarray(2.0, np.float64), "float64"),  # higher category wins
    ],
)
def test_type_promotion(a, b, expected):
    ta = Tensor(np.asarray(a))
    tb = Tensor(np.asarray(b)) if isinstance(b, np.ndarray) else b
    assert E.add(ta, tb).data.dtype.name == expected


def test_int_division_is_true_division_in_default_dtype():
    out = E.div(Tensor(np.arange(4)), 2)
    assert out.data.dtype == np.float32
    dtypes.set_default_float("float64")
    try:
        assert E.div(Tensor(np.arange(4)), 2).data.dtype == np.float64
    finally:
        dtypes.set_default_float("float32")


def test_broadcast_gradients_are_reduced_to_input_shape():
    a = leaf(np.ones((3, 1)))
    b = leaf(np.arange(4.0))
    E.sum(a * b).backward()
    np.testing.assert_array_equal(a.grad.data, np.full((3, 1), 6.0))
    np.testing.assert_array_equal(b.grad.data, np.full(4, 3.0))


@pytest.mark.slow
def test_million_node_chain_backpropagates_without_recursion():
    x = leaf([1.0], dtype=np.float64)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    E.sum(y).backward()
    assert x.grad.data[0] == 1.0


def test_saved_tensors_are_released_after_backward():
    x = leaf(np.ones(1000))
    h = E.exp(x)
    probe = weakref.ref(h)
    z = E.sum(h * h)
    del h
    gc.collect()
    assert probe() is not None  # kept alive by the graph
    z.backward()
    gc.collect()
    assert probe() is None


@pytest.mark.parametrize("make", [
    lambda x, y: E.sum((E.exp(x) + E.tanh(x)) * 3),
    lambda x, y: E.sum((x + x) * (y + x)),
    lambda x, y: E.sum(E.sin(x * y) * E.cos(x * y) + x ** 2 + x ** 3 - y),
    lambda x, y: 2 * E.dot(x, x) + E.dot(x, y),
    lambda x, y: E.mean((x * x - y) ** 2),
    lambda x, y: E.sum(E.tanh(E.tanh(x) * x + 0.5) * y) - E.sum(-(x - y)),
    lambda x, y: E.sum(E.exp(x) * E.exp(x)),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_raw_backward_reuses_buffers_safely(make, dtype):
    """The backward on raw arrays (buffers reused in place) against the recorded one."""
    rng = np.random.default_rng(1)
    xs, ys = rng.uniform(-1, 1, 5).astype(dtype), rng.uniform(-1, 1, 5).astype(dtype)
    got = []
    for create_graph in (False, True):
        x, y = leaf(xs, dtype), leaf(ys, dtype)
        for _ in range(2):  # the second accumulates into .grad
            make(x, y).backward(create_graph=create_graph)
        got.append((x.grad.data, None if y.grad is None else y.grad.data))
    for a, b in zip(*got):
        if a is None or b is None:
            assert a is b
            continue
        assert a.dtype == b.dtype == dtype
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_gradient_buffers_are_never_shared():
    x = leaf(np.ones(3), np.float64)
    seed = Tensor(np.full(3, 2.0))
    x.backward(seed)  # a leaf root: .grad is a copy of the seed, not the seed
    assert not np.shares_memory(x.grad.data, seed.data)
    x, y = leaf(np.ones(3)), leaf(np.ones(3))
    E.sum(E.exp(x + y)).backward()  # add sends one buffer to both
    assert not np.shares_memory(x.grad.data, y.grad.data)
    z = leaf(np.ones(3), np.float64)
    w = E.exp(z) * 2
    w.retain_grad()
    E.sum(w * 3).backward()
    np.testing.assert_allclose(w.grad.data, 3)
    np.testing.assert_allclose(z.grad.data, 6 * np.e)


def test_backward_peak_memory_is_one_gradient_for_dot():
    """2 * dot(x, x): the gradient is one buffer, handed to .grad without a copy."""
    import tracemalloc

    x = leaf(np.ones(1_000_000), np.float64)
    tracemalloc.start()
    try:
        (2 * E.dot(x, x)).backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.2 * x.data.nbytes


def test_create_graph_gives_differentiable_gradients():
    x = leaf([1.0, 2.0], dtype=np.float64)
    y = E.sum(x ** 3)
    (g,) = E.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.data, 3 * x.data ** 2)
    E.sum(g).backward()
    np.testing.assert_allclose(x.grad.data, 6 * x.data)


def test_leaf_in_place_update_only_under_no_grad():
    w = leaf([1.0, 2.0])
    with pytest.raises(EngineError, match="a leaf Variable that requires grad"):
        E.apply_(w, E.sub, 1.0)
    with no_grad():
        E.apply_(w, E.sub, 1.0)
    np.testing.assert_array_equal(w.data, [0, 1])


def test_modified_saved_tensor_fails_backward():
    x = leaf([1.0, 2.0])
    h = x * 1
    y = E.sum(h * h)
    E.apply_(h, E.add, 1.0)
    with pytest.raises(EngineError, match="modified by an inplace operation"):
        y.backward()


@pytest.mark.parametrize("change", ["apply_", "zero_", "setitem", "retain_graph"])
def test_every_in_place_change_is_seen_by_backward(change: str) -> None:
    """Backward checks saved tensors only when some tensor changed in place after the node was
    recorded (autograd._last_change): every kind of change must count, even after an earlier
    backward, and a change made before recording is no change to the node."""
    x = leaf([1.0, 2.0])
    h = x * 1
    E.apply_(h, E.add, 1.0)  # before the node below saved h: fine
    y = E.sum(h * h)
    if change == "retain_graph":
        y.backward(retain_graph=True)
    with no_grad():
        if change == "zero_":
            E.zero_(h)
        elif change == "setitem":
            E.setitem(h, 0, 5.0)
        else:
            E.apply_(h, E.add, 1.0)
    with pytest.raises(EngineError, match="modified by an inplace operation"):
        y.backward()


def test_a_change_before_recording_leaves_backward_alone() -> None:
    x = leaf([1.0, 2.0])
    h = x * 1
    E.apply_(h, E.add, 1.0)
    y = E.sum(h * h)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 6.0])


def test_a_long_recording_runs_no_collections() -> None:
    """A long recording (a loop of small ops) freezes the collector's view every 32 nodes: the
    young generation never fills, so the cyclic collector never runs while it records (it
    took ~15% of the forward of the small-op benchmark)."""
    runs: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(phase)

    x = leaf([1.0, 2.0, 3.0, 4.0])
    h = x
    for _ in range(5000):  # past the first 4,096 nodes: a long recording
        h = E.tanh(h * 1.0)
    gc.callbacks.append(note)
    try:
        for _ in range(20000):
            h = E.tanh(h * 1.0)
    finally:
        gc.callbacks.remove(note)
    assert runs == []
    E.sum(h).backward()


def test_recordings_leave_the_start_up_gc_freeze_alone():
    """The start-up's gc.freeze (gradcli/launch.py) survives a backward, short or long (a long
    recording freezes the collector's view itself; after its backward a collection is owed,
    and made when the next long recording starts)."""
    from gradcli.engine import autograd

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        x = Tensor(np.ones(3))
        x.requires_grad_(True)
        E.sum(x * x).backward()
        assert gc.get_freeze_count() >= frozen
        for _ in range(2):
            h = x
            for _ in range(5000):  # more than 4,096 nodes: the recording freezes
                h = h * 1.0
            E.sum(h).backward()
            assert gc.get_freeze_count() >= frozen
    finally:
        if autograd._collection_owed[0]:
            autograd.collect_owed()
        gc.unfreeze()


def test_restoring_the_engine_state_makes_an_owed_collection() -> None:
    """An in-process run (gradcli.cli.main) ends by restoring the engine's state: a collection
    a long recording's backward owes is made then, not left to a later run."""
    from gradcli.engine import autograd, state

    gc.freeze()
    try:
        x = Tensor(np.ones(3))
        x.requires_grad_(True)
        h = x
        for _ in range(5000):
            h = h * 1.0
        E.sum(h).backward()
        assert autograd._collection_owed[0]
        state.restore(state.snapshot())
        assert not autograd._collection_owed[0] and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_many_short_recordings_never_freeze_or_collect(monkeypatch: pytest.MonkeyPatch) -> None:
    """eval - and the REPL make one short recording after another: none of them is long
    enough to freeze the collector's view, so no backward pays a full collection to thaw it
    (it used to, every 4,096 nodes: ~25 ms each, ~10% of a stream of small expressions)."""
    from gradcli.engine import autograd

    collections: list[int] = []
    monkeypatch.setattr(autograd.gc, "collect", lambda *a: collections.append(1) or 0)
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        x = Tensor(np.ones(3))
        x.requires_grad_(True)
        for _ in range(3 * 4096):  # two nodes each: six times the freezing period
            E.sum(x * x).backward()
            assert not autograd._frozen[0]
        assert collections == [] and gc.get_freeze_count() == frozen
        h = x
        for _ in range(3 * 4096):  # one long recording still freezes, and its backward thaws
            h = h * 1.0
        assert autograd._frozen[0]
        E.sum(h).backward()
        # The collection is owed, not made while h's grad_fn holds the whole graph (it would
        # walk all of it); the next long recording makes it, once.
        assert not autograd._frozen[0] and collections == [] and autograd._collection_owed[0]
        h = x
        for _ in range(3 * 4096):
            h = h * 1.0
        assert collections == [1] and not autograd._collection_owed[0]
        E.sum(h).backward()
        assert collections == [1] and autograd._collection_owed[0]
    finally:
        if autograd._collection_owed[0]:
            autograd._collection_owed[0] = False  # gc.collect is the test's stand-in here
        gc.unfreeze()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("number", [0.5, 2, -3, 0, -0.0, 1e40, 2**64 - 1, -2**63, float("nan"),
                                    float("inf")])
def test_a_floating_tensor_with_a_python_number_takes_the_tensors_dtype(
        dtype: str, number: float) -> None:
    """Element-wise ops of a floating tensor and a Python number skip the general promotion
    (operands()): the same dtype and values either way round, and PyTorch's grad_fn."""
    from gradcli.engine.ops._base import operands

    x = Tensor(np.array([[1.5, -2.0, 0.0]], dtype=dtype), requires_grad=True)
    for op in (E.add, E.sub, E.mul, E.div, E.gt, E.eq, E.le):
        for a, b in ((x, number), (number, x)):
            with np.errstate(all="ignore"):
                got = op(a, b)
                general = op(*operands(a, b, op.__name__))
            assert got.data.dtype == general.data.dtype
            assert got.data.dtype == np.dtype(dtype if op.__name__ in "add sub mul div" else bool)
            if not (op is E.div and a is not x):  # number / x is reciprocal(x) * number
                assert got.data.tobytes() == general.data.tobytes()
            expected = {"add": "AddBackward0", "mul": "MulBackward0",
                        "sub": "SubBackward0" if a is x else "RsubBackward1",
                        "div": "DivBackward0" if a is x else "MulBackward0"}.get(op.__name__)
            assert (got.grad_fn and got.grad_fn.name) == expected


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_division_gradients_are_the_same_raw_and_recorded(dtype: str) -> None:
    """div's raw-array VJP (the usual backward) and its Tensor VJP (create_graph) agree to the
    bit, broadcasting and Python numbers included."""
    rng = np.random.default_rng(3)
    a = rng.uniform(0.5, 2.0, (3, 4)).astype(dtype)
    b = rng.uniform(0.5, 2.0, (4,)).astype(dtype)
    for make in (lambda x, y: E.div(x, y), lambda x, y: E.div(x, 3.0), lambda x, y: E.div(x, x),
                 lambda x, y: E.div(E.mul(x, 1.5), y), lambda x, y: E.div(y, 7)):
        grads = []
        for create_graph in (False, True):
            x, y = Tensor(a.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True)
            out = make(x, y)
            weights = np.random.default_rng(5).standard_normal(out.data.shape).astype(dtype)
            gs = E.grad(out, [x, y], Tensor(weights), create_graph=create_graph,
                        allow_unused=True)
            grads.append([None if g is None else g.data.tobytes() for g in gs])
        assert grads[0] == grads[1]
        assert any(g is not None for g in grads[0])


def test_the_mean_of_nothing_is_nan_and_silent() -> None:
    """As in PyTorch: mean(tensor([])) is nan, mean(zeros(0, 3), 0) is three nans, and the
    gradient is empty. numpy's "Mean of empty slice" warning used to reach stderr (the nightly
    fuzz profile found it)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(E.mean(E.tensor([])).data)
        x = Tensor(np.zeros((0, 3)), requires_grad=True)
        along = E.mean(x, 0)
        assert along.data.shape == (3,) and np.isnan(along.data).all()
        assert E.mean(x, 1).data.shape == (0,)
        E.sum(along).backward()
        assert x.grad is not None and x.grad.data.shape == (0, 3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mean_is_sum_then_division_bit_for_bit(dtype: str) -> None:
    """mean() of float32/float64 is PyTorch's CPU mean: its sum (in its order, see
    tests/test_sums.py), then one division by the count, in the dtype."""
    from gradcli.engine.summation import torch_sum

    rng = np.random.default_rng(11)
    for shape in [(1,), (7,), (3125,), (100, 33), (2, 3, 4), ()]:
        for scale in (1e-3, 1.0, 1e6):
            a = (rng.standard_normal(shape) * scale).astype(dtype)
            for dim in [None, *range(a.ndim)]:
                for keepdim in (False, True):
                    got = E.mean(Tensor(a), dim, keepdim).data
                    axes = None if dim is None or not a.ndim else (dim,)
                    count = a.size if axes is None else a.shape[dim]
                    expected = np.asarray(torch_sum(a, axes, keepdim) / np.dtype(dtype).type(count))
                    assert got.dtype == expected.dtype and got.shape == expected.shape
                    assert got.tobytes() == expected.tobytes(), (shape, dim, keepdim)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
def test_square_is_np_power_bit_for_bit(dtype: str) -> None:
    """x ** 2 takes np.square's faster path; its values are np.power's, to the bit."""
    rng = np.random.default_rng(7)
    if np.dtype(dtype).kind == "f":
        x = rng.standard_normal(5000) * 10.0 ** rng.integers(-30, 30, 5000)
        x = np.concatenate([x, [0.0, -0.0, np.inf, -np.inf, np.nan]])
    else:
        x = rng.integers(-(10**6), 10**6, 5000)
    with np.errstate(all="ignore"):
        a = x.astype(dtype)
        for exponent in (2, 2.0):
            got = E.pow(Tensor(a), exponent).data
            # int ** 2.0 is float32 (PyTorch's promotion), np.power's of the cast input.
            expected = np.power(a.astype(got.dtype), exponent)
            kept = isinstance(exponent, int) or a.dtype.kind == "f"
            assert got.dtype == (a.dtype if kept else np.dtype("float32"))
            assert got.tobytes() == expected.tobytes()


def test_buffer_ownership_is_read_from_reference_counts_correctly() -> None:
    """The raw backward writes into a gradient buffer only when nothing else holds it
    (autograd._owned, calibrated once at import). On a Python whose reference counting
    differs, this would fail here rather than corrupt a user's array."""
    from gradcli.engine.autograd import _owned

    def alone() -> bool:
        a = np.ones(3)
        result = _owned(a)
        return result

    def shared() -> bool:
        a = np.ones(3)
        keep = [a]
        result = _owned(a)
        del keep
        return result

    def in_one_holder() -> tuple[bool, bool]:
        store = {"g": np.ones(3)}
        a = store["g"]
        first = _owned(a, 1)  # the local and the dict: owned with one known holder
        second = _owned(a)  # not without it
        return first, second

    def view() -> bool:
        base = np.ones(6)
        a = base[:3]
        return _owned(a)

    def read_only() -> bool:
        a = np.ones(3)
        a.flags.writeable = False
        result = _owned(a)
        return result

    assert alone() is True
    assert shared() is False
    assert in_one_holder() == (True, False)
    assert view() is False
    assert read_only() is False


# Above 1,024 elements a reduced gradient stays a broadcast view, and a product with a
# broadcast 1 is its other factor itself, uncopied: these check values and aliasing there.
BIG = 3000


def _big(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, BIG)


@pytest.mark.parametrize(("expr", "derivative"), [
    (lambda x, w: E.sum(x * w), lambda x, w: w),
    (lambda x, w: E.sum(E.exp(x)), lambda x, w: np.exp(x)),
    (lambda x, w: E.sum(E.sin(x)), lambda x, w: np.cos(x)),
    (lambda x, w: E.sum(E.tanh(x)), lambda x, w: 1 - np.tanh(x) ** 2),
    (lambda x, w: E.sum(x ** 2), lambda x, w: 2 * x),
    (lambda x, w: E.sum(E.exp(x) * E.sin(x) + x ** 2),
     lambda x, w: np.exp(x) * (np.sin(x) + np.cos(x)) + 2 * x),
    (lambda x, w: E.sum(E.exp(x) * w) * 3, lambda x, w: 3 * np.exp(x) * w),
])
def test_gradients_through_a_broadcast_one(expr: Any, derivative: Any) -> None:
    x0, w0 = _big(1), _big(2)
    x = Tensor(x0.copy(), requires_grad=True)
    w = Tensor(w0.copy())
    expr(x, w).backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.data, derivative(x0, w0), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(w.data, w0)  # untouched
    E.zero_(x.grad)
    np.testing.assert_array_equal(w.data, w0)  # and .grad is not w's array


def test_grad_results_are_not_another_tensor_s_array() -> None:
    x = Tensor(_big(1), requires_grad=True)
    w0 = _big(2)
    w = Tensor(w0.copy(), requires_grad=True)
    (gx,) = E.grad(E.sum(x * w), x)
    np.testing.assert_array_equal(gx.data, w0)
    E.zero_(gx)
    np.testing.assert_array_equal(w.data, w0)
    h = E.exp(x)
    (gh,) = E.grad(E.sum(h * w), h)  # an intermediate's gradient
    E.zero_(gh)
    np.testing.assert_array_equal(w.data, w0)


def test_grad_and_data_assignment_rules_live_in_the_tensor() -> None:
    """x.grad = g and x.data = t, as PyTorch checks them (the interpreter only calls these)."""
    x = Tensor(np.zeros(3), requires_grad=True)
    x.set_grad(Tensor(np.ones(3)))
    assert x.grad is not None and x.grad.data.tolist() == [1.0, 1.0, 1.0]
    x.set_grad(None)
    assert x.grad is None
    for bad, kind, words in [(np.ones(3), "type", "expected to be a Tensor or None"),
                             (Tensor(np.ones(2)), "shape", "gradient of size '[2]'"),
                             (Tensor(np.ones(3, np.float32)), "type", "dtype 'float32'")]:
        with pytest.raises(EngineError) as caught:
            x.set_grad(bad)
        assert caught.value.kind == kind and words in caught.value.message
    alias = x.detach()
    version = x._version[0]
    x.set_data(Tensor(np.arange(3.0)))
    assert x.data.tolist() == [0.0, 1.0, 2.0] and alias._version[0] == version + 1
    with pytest.raises(EngineError, match="must be assigned a tensor"):
        x.set_data(3)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "softmax", "log_softmax"])
@pytest.mark.parametrize("shape", [(), (3,)])
def test_one_node_first_derivatives_are_pytorchs_and_differentiable(name: str,
                                                                     shape: tuple[int, ...]) -> None:
    """Under create_graph the first derivative is PyTorch's node (TanhBackwardBackward0...),
    also of a 0-d input, and its own derivative matches central differences."""
    fn = getattr(E, name)
    f = (lambda t: fn(t, 0)) if "softmax" in name else fn
    base = np.linspace(-0.7, 0.9, int(np.prod(shape))).reshape(shape)
    expected = {"tanh": "TanhBackwardBackward0", "sigmoid": "SigmoidBackwardBackward0",
                "relu": "ThresholdBackwardBackward0",
                "softmax": "SoftmaxBackwardDataBackward0",
                "log_softmax": "LogSoftmaxBackwardDataBackward0"}[name]
    weights = np.linspace(0.5, 1.5, base.size).reshape(shape)

    def first(values: np.ndarray, graph: bool) -> tuple[Tensor, Tensor]:
        x = Tensor(values.copy(), requires_grad=True)
        (g,) = E.grad(E.sum(f(x) * Tensor(weights)), x, create_graph=graph)
        return g, x

    g, x = first(base, True)
    assert g.grad_fn is not None and g.grad_fn.name == expected and g.requires_grad
    (second,) = E.grad(E.sum(g * g), x)
    numeric = np.zeros_like(base)
    for i in np.ndindex(base.shape):
        step = np.zeros_like(base)
        step[i] = 1e-6
        up, down = first(base + step, False)[0].data, first(base - step, False)[0].data
        numeric[i] = (np.sum(up * up) - np.sum(down * down)) / 2e-6
    np.testing.assert_allclose(second.data, numeric, rtol=1e-5, atol=1e-7)


def _pieces_input() -> Tensor:
    return Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)


def test_split_pieces_share_one_node_that_backward_runs_once():
    """As PyTorch's SplitBackward0: one node for all pieces, run once with every piece's
    gradient in its place (zeros where a piece got none)."""
    from gradcli.engine.autograd import run_backward

    x = _pieces_input()
    a, b, c = E.split(x, 1)
    assert a.grad_fn is not b.grad_fn  # each piece has its port...
    assert a.grad_fn.owner is b.grad_fn.owner is c.grad_fn.owner  # ...into one node
    assert a.grad_fn.name == "SplitBackward0" and a.grad_fn.edges == (x,)
    steps = []
    out = E.sum(a * 2.0) + E.sum(c * c)
    run_backward([out], [Tensor(np.ones(()))], on_step=lambda n, g, o: steps.append(n.name))
    assert steps.count("SplitBackward0") == 1
    np.testing.assert_array_equal(x.grad.data, [[2, 2], [0, 0], [8, 10]])


def test_pieces_as_roots_retained_and_wanted():
    x = _pieces_input()
    r, s, t = E.unbind(x)
    s.retain_grad()
    E.sum(s * 3.0).backward(retain_graph=True)
    np.testing.assert_array_equal(s.grad.data, [3, 3])
    np.testing.assert_array_equal(x.grad.data, [[0, 0], [3, 3], [0, 0]])
    x.grad = None
    t.backward(Tensor(np.array([1.0, -1.0])))  # a piece is the root
    np.testing.assert_array_equal(x.grad.data, [[0, 0], [0, 0], [1, -1]])
    out = E.sum(r * s) + E.sum(s)
    for create_graph in (False, True):
        gs, gr, gx = E.grad(out, [s, r, x], retain_graph=True, create_graph=create_graph)
        np.testing.assert_array_equal(gs.data, r.data + 1)
        np.testing.assert_array_equal(gr.data, s.data)
        np.testing.assert_array_equal(gx.data, [[2, 3], [1, 2], [0, 0]])


def test_pieces_under_create_graph_are_concatenated_or_stacked():
    x = _pieces_input()
    w = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    a, b, c = E.split(x, 1)
    (g,) = E.grad(E.sum(a * w) + E.sum(c * w), x, create_graph=True)
    assert g.grad_fn.name == "CatBackward0"
    np.testing.assert_array_equal(g.data, [[1, 2], [0, 0], [1, 2]])
    E.sum(g * g).backward()  # d/dw sum(g^2) = 2 * 2w: both pieces carry w
    np.testing.assert_array_equal(w.grad.data, [[4, 8]])
    u, v = E.unbind(x, 1)
    (h,) = E.grad(E.sum(u * v), x, create_graph=True)
    assert h.grad_fn.name == "StackBackward0"
    np.testing.assert_array_equal(h.data, x.data[:, ::-1])


@pytest.mark.parametrize("number", [2**64, 10**30, -2**63 - 1])
def test_a_python_int_beyond_64_bits_with_a_tensor_is_an_error(number: int) -> None:
    """PyTorch's "int too big to convert": it takes ints of int64 or uint64, no larger."""
    x = Tensor(np.array([1.5, -2.0], dtype="float32"), requires_grad=True)
    for op in (E.add, E.sub, E.mul, E.div, E.gt, E.eq, E.pow, E.clamp_min):
        for a, b in ((x, number), (number, x)):
            if op in (E.pow, E.clamp_min) and a is not x:
                continue
            with pytest.raises(EngineError, match="too big to convert|too large"):
                op(a, b)
