"""Generate sum_golden.json: PyTorch's float sums and means, as bits, for tests/test_sums.py.

Run with a Python that has torch 2.13 (never a dependency of gradcli or its tests), from the
repository root, on an x86-64 CPU:

    /path/to/torchenv/bin/python tests/golden/make_sum_golden.py

A case is an input (``values(shape, dtype, seed)`` below: exact, with no random generator
and no transcendental function, so the test rebuilds it with numpy alone), a layout of it
(``"t"``: all dims reversed, a transposed view; ``"step"``: every other element along the last
dim, a strided view; ``"bcast"``: dim 0 broadcast from one row, a zero stride), the reduction
(``sum`` or ``mean``, over ``dims`` or all, ``keepdim``) and the number of threads torch ran
with (1 or 2: from 32768 elements on, it splits the work by thread). Its result is recorded
as the hex of its raw little-endian bytes when it has at most 64 elements, else as the
SHA-256 of those bytes and the hex of the first 16 elements. Cases ``grad*`` record the
gradient of ``x`` in ``(x + y).backward(g)``, ``((x + y).sum() * 0.1).backward()`` and
``((x + y).mean() * 0.3).backward()``, x broadcast to y's shape (PyTorch's sum_to, which adds
up a gradient in the order its layout gives: sum's backward is a broadcast view, mean's is
dense).
The output is deterministic.
"""

import hashlib
import itertools
import json
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "sum_golden.json"

FULL_SIZES = [*range(1, 70), 100, 127, 128, 129, 255, 256, 257, 1000, 1023, 1024, 4095, 4096,
              5000, 32767, 32768, 32769, 40000, 65536, 100000, 1000000]
SHAPES = [(2, 5), (8, 5), (50, 5), (3, 17), (17, 3), (5, 50), (7, 33), (64, 64), (100, 33),
          (33, 100), (300, 7), (4, 5, 6), (10, 20, 30), (3, 64, 70), (2, 3, 4, 5), (1000, 40),
          (40, 1000), (129, 65), (256, 784), (3, 1, 4)]
BIG_SHAPES = [(1000, 40), (40, 1000), (129, 65), (256, 784), (300, 301)]
BIG_3D = [(40, 30, 50), (64, 3, 200), (5, 300, 33)]
GRADS = [((3, 1), (3, 50)), ((1, 50), (40, 50)), ((50,), (40, 50)), ((5, 1, 7), (5, 9, 7)),
         ((1,), (1000,)), ((1, 1), (300, 200)), ((8, 1), (8, 1000)), ((2, 1, 3), (4, 2, 5, 3)),
         ((3,), (2, 3))]


def values(shape, dtype, seed):
    """Exactly reproducible test values of many magnitudes: an integer hash of the index
    (uint64 arithmetic) made a float64 in [-0.5, 0.5), times a power of two in [2^-6, 2^6],
    rounded once to ``dtype``."""
    n = int(np.prod(shape, dtype=np.int64))
    i = np.arange(n, dtype=np.uint64) + np.uint64(seed * 1000003 + 1)
    h = i * np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(29)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(32)
    mantissa = (h >> np.uint64(11)).astype(np.float64) / 2.0 ** 53 - 0.5
    exponent = (h & np.uint64(15)).astype(np.int64) - 6
    return np.ldexp(mantissa, exponent.clip(-6, 6)).astype(dtype).reshape(shape)


def layout(a, kind):
    """The input as the case lays it out (numpy; torch views the same memory the same way)."""
    if kind == "t":
        return a.transpose(tuple(reversed(range(a.ndim))))
    if kind == "step":
        return a[..., ::2]
    if kind == "bcast":
        return np.broadcast_to(a[:1], a.shape)
    return a


def cases():
    """Sums over all elements of every size; then every dim subset of every shape, laid out
    four ways; then large ones with one thread and two; then means; then broadcast grads."""
    out = []
    for dtype in ("float32", "float64"):
        for n in FULL_SIZES:
            out.append({"op": "sum", "shape": [n], "dtype": dtype, "seed": n, "layout": "c",
                        "dims": None, "keepdim": False, "threads": 2})
        for shape in SHAPES:
            subsets = [None] + [list(d) for r in range(1, len(shape) + 1)
                                for d in itertools.combinations(range(len(shape)), r)]
            for kind in ("c", "t", "step", "bcast"):
                for dims in subsets:
                    for keepdim in ((False,) if dims is None else (False, True)):
                        out.append({"op": "sum", "shape": list(shape), "dtype": dtype,
                                    "seed": len(out) % 97, "layout": kind, "dims": dims,
                                    "keepdim": keepdim, "threads": 2})
        for shape in BIG_SHAPES:
            for dims in (None, [0], [1]):
                for kind in ("c", "t"):
                    out.append({"op": "sum", "shape": list(shape), "dtype": dtype, "seed": 5,
                                "layout": kind, "dims": dims, "keepdim": False, "threads": 1})
        for shape in BIG_3D:
            for dims in [None] + [list(d) for r in (1, 2) for d in itertools.combinations(range(3), r)]:
                for kind in ("c", "t", "step"):
                    for threads in (1, 2):
                        out.append({"op": "sum", "shape": list(shape), "dtype": dtype,
                                    "seed": 6, "layout": kind, "dims": dims, "keepdim": False,
                                    "threads": threads})
        for n in (40000, 1000000):
            out.append({"op": "sum", "shape": [n], "dtype": dtype, "seed": 9, "layout": "c",
                        "dims": None, "keepdim": False, "threads": 1})
        for shape, dims in (((5,), None), ((8, 5), [1]), ((50, 5), [0]), ((1000,), None),
                            ((7, 33, 5), [0, 2]), ((100000,), None), ((300, 301), [0]),
                            ((3,), None), ((64, 10), [1]), ((2, 5), [1])):
            for kind in ("c", "t"):
                out.append({"op": "mean", "shape": list(shape), "dtype": dtype, "seed": 3,
                            "layout": kind, "dims": dims, "keepdim": False, "threads": 2})
        for xs, ys in GRADS:
            for op in ("grad", "gradsum", "gradmean"):
                out.append({"op": op, "shape": list(ys), "xshape": list(xs), "dtype": dtype,
                            "seed": 4, "layout": "c", "dims": None, "keepdim": False,
                            "threads": 2})
    for k, case in enumerate(out):
        case["id"] = f"{case['op']}{k}"
    return out


def record(arr):
    raw = np.ascontiguousarray(arr).tobytes()
    if arr.size <= 64:
        return {"hex": raw.hex()}
    return {"sha256": hashlib.sha256(raw).hexdigest(), "head": raw[:16 * arr.itemsize].hex()}


def run(case):
    import torch

    torch.set_num_threads(case["threads"])
    dtype = np.dtype(case["dtype"])
    if case["op"].startswith("grad"):
        x = torch.from_numpy(values(case["xshape"], dtype, case["seed"])).requires_grad_()
        y = torch.from_numpy(values(case["shape"], dtype, case["seed"] + 1))
        if case["op"] == "gradsum":  # sum's backward: a broadcast view (stride 0)
            ((x + y).sum() * 0.1).backward()
        elif case["op"] == "gradmean":  # mean's: a dense tensor
            ((x + y).mean() * 0.3).backward()
        else:
            (x + y).backward(torch.from_numpy(values(case["shape"], dtype, case["seed"] + 2)))
        return x.grad.numpy()
    a = layout(values(case["shape"], dtype, case["seed"]), case["layout"])
    t = torch.from_numpy(a) if a.flags.writeable else torch.from_numpy(a.copy()).as_strided(
        a.shape, [s // a.itemsize for s in a.strides])
    fn = torch.sum if case["op"] == "sum" else torch.mean
    res = fn(t) if case["dims"] is None else fn(t, case["dims"], keepdim=case["keepdim"])
    return res.numpy()


def main():
    import torch

    if torch.__version__.split("+")[0] != "2.13.0":
        sys.exit(f"torch 2.13.0 is required, not {torch.__version__}")
    meta = {"torch": torch.__version__, "capability": torch.backends.cpu.get_cpu_capability()}
    out = [{**case, **record(run(case))} for case in cases()]
    lines = ["{", f' "_meta": {json.dumps(meta)},', ' "cases": [']
    lines.append(",\n".join("  " + json.dumps(c, separators=(",", ":")) for c in out))
    lines += [" ]", "}"]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(out)} cases")


if __name__ == "__main__":
    main()
