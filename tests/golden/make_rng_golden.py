"""Generate rng_golden.json: PyTorch's seeded random numbers, as bits, for tests/test_rng.py.

Run with a Python that has torch 2.13 (never a dependency of gradcli or its tests), from the
repository root, on an x86-64 CPU with AVX2 (float32 normals of 16 or more elements come from
torch's AVX2 kernel; see the README):

    /path/to/torchenv/bin/python tests/golden/make_rng_golden.py

Each case is a seed and a sequence of calls, replayed in order after torch.manual_seed(seed)
(the generator's state, and the cached normal, carry over from call to call). A call is
[function, arguments, dtype]; its result is recorded as the hex of its raw little-endian
bytes in memory order ("hex") when it has at most 64 elements, else as the SHA-256 of those
bytes ("sha256") and the hex of its first 16 elements ("head"). The output is deterministic.
"""

import hashlib
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parent / "rng_golden.json"
SEEDS = [0, 1, 42, 2**32 + 5, -1, 2**64 - 1, 123456789]
SIZES = [1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 1000]
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64}


def _probabilities(n, dtype):
    """The fixed probabilities of the bernoulli(tensor) calls: i / n for i < n."""
    return torch.arange(n, dtype=dtype) / n


def call(fn, args, dtype):
    """One call with torch, as tests/test_rng.py makes it with gradcli."""
    dt = DTYPES[dtype]
    if fn in ("rand", "randn"):
        return getattr(torch, fn)(*args, dtype=dt)
    if fn == "normal":
        mean, std, shape = args
        return torch.normal(mean, std, tuple(shape), dtype=dt)
    if fn == "normal_tensors":  # normal(zeros + mean, ones * std) of shape n
        mean, std, n = args
        return torch.normal(torch.zeros(n, dtype=dt) + mean, torch.ones(n, dtype=dt) * std)
    if fn == "randint":
        low, high, shape = args
        return torch.randint(low, high, tuple(shape), dtype=dt)
    if fn == "randperm":
        return torch.randperm(args[0], dtype=dt)
    if fn in ("rand_like", "randn_like"):
        return getattr(torch, fn)(torch.zeros(*args, dtype=dt))
    if fn == "randn_like_t":  # of a transposed (non-contiguous) input: the serial path
        return torch.randn_like(torch.zeros(*args, dtype=dt).t())
    if fn in ("uniform_", "normal_", "bernoulli_"):
        shape, params = args
        return getattr(torch.zeros(*shape, dtype=dt), fn)(*params)
    if fn == "normal_t":  # normal_ of a transposed tensor: the serial path, memory order
        shape, params = args
        return torch.zeros(*shape, dtype=dt).t().normal_(*params)
    if fn == "bernoulli":
        return torch.bernoulli(_probabilities(args[0], dt))
    if fn == "bernoulli_tensor_":
        n = args[0]
        return torch.zeros(n, dtype=dt).bernoulli_(_probabilities(n, dt))
    if fn == "dropout":
        n, p = args
        return F.dropout(torch.arange(1, n + 1, dtype=dt), p)
    raise ValueError(fn)


def record(t):
    raw = t.contiguous().numpy().tobytes() if t.is_contiguous() else \
        t.t().contiguous().numpy().tobytes()  # a transposed result, in its memory order
    if t.numel() <= 64:
        return {"hex": raw.hex()}
    head = raw[:16 * t.element_size()]
    return {"sha256": hashlib.sha256(raw).hexdigest(), "head": head.hex()}


def cases():
    """Every function at every size, per seed and dtype, one call after the other; then
    sequences that mix functions, dtypes and the serial path's cache; then large sizes."""
    out = []
    for seed in SEEDS:
        for dtype in ("float32", "float64"):
            calls = []
            for n in SIZES:
                calls += [["rand", [n], dtype], ["randn", [n], dtype],
                          ["normal", [0.5, 2.0, [n]], dtype],
                          ["uniform_", [[n], [-1.5, 2.25]], dtype],
                          ["normal_", [[n], [3.7, 0.01]], dtype],
                          ["rand_like", [n], dtype], ["randn_like", [n], dtype]]
            out.append({"id": f"sizes_{dtype}_seed{seed}", "seed": seed, "calls": calls})
        calls = []
        for n in SIZES:
            calls += [["randint", [0, 10, [n]], "int64"], ["randint", [-7, 2**28 + 3, [n]], "int64"],
                      ["randint", [0, 2**28 - 1, [n]], "int64"], ["randint", [-2**62, 2**62, [n]], "int64"],
                      ["randint", [3, 1000, [n]], "float32"], ["randperm", [n], "int64"]]
        out.append({"id": f"integers_seed{seed}", "seed": seed, "calls": calls})
    out.append({"id": "cache_across_functions", "seed": 7, "calls": [
        ["randn", [1], "float32"], ["randn", [3], "float64"], ["randn", [16], "float32"],
        ["randn", [1], "float64"], ["normal_", [[5], [1.0, 3.0]], "float32"],
        ["normal", [-2.0, 0.25, [2, 3]], "float64"], ["randn", [20], "float64"],
        ["rand", [1], "float32"], ["randn", [2, 2], "float32"], ["randn", [1], "float32"],
        ["normal_t", [[5, 4], [0.0, 1.0]], "float32"], ["randn_like_t", [4, 5], "float64"],
        ["randn", [1], "float32"], ["randn", [0], "float32"], ["randn", [3, 0], "float64"],
        ["randn", [1], "float64"]]})
    out.append({"id": "uniform_edges", "seed": 3, "calls": [
        ["uniform_", [[1000], [1.0, 1.0000001]], "float32"],
        ["uniform_", [[1000], [1.0, 1.0000000000000002]], "float64"],
        ["uniform_", [[100], [-1e30, 1e30]], "float32"], ["uniform_", [[17], [5.0, 5.0]], "float64"],
        ["uniform_", [[40], [-3.0, -2.0]], "float32"]]})
    out.append({"id": "normal_tensors", "seed": 11, "calls": [
        ["normal_tensors", [1.5, 0.3, 20], "float32"], ["normal_tensors", [-4.0, 7.0, 5], "float64"],
        ["normal_tensors", [0.1, 0.2, 1000], "float32"]]})
    out.append({"id": "bernoulli_dropout", "seed": 5, "calls": [
        ["bernoulli", [1], "float32"], ["bernoulli", [100], "float32"], ["bernoulli", [33], "float64"],
        ["bernoulli_", [[50], [0.3]], "float32"], ["bernoulli_", [[7], [0.9]], "float64"],
        ["bernoulli_tensor_", [40], "float32"], ["bernoulli_tensor_", [40], "float64"],
        ["dropout", [100, 0.5], "float32"], ["dropout", [30, 0.1], "float64"],
        ["dropout", [1000, 0.3], "float32"], ["randn", [1], "float32"], ["dropout", [9, 0.7], "float32"],
        ["randn", [1], "float32"]]})
    out.append({"id": "large", "seed": 2024, "calls": [
        ["randn", [1000000], "float32"], ["randn", [100003], "float64"], ["rand", [100000], "float32"],
        ["rand", [100000], "float64"], ["normal_", [[3, 33333], [-1.0, 0.5]], "float32"],
        ["randperm", [100000], "int64"], ["randint", [0, 2**40, [1000]], "int64"]]})
    return out


def main():
    if torch.__version__.split("+")[0] != "2.13.0":
        sys.exit(f"torch 2.13.0 is required, not {torch.__version__}")
    golden = {"_meta": {"torch": torch.__version__}, "cases": []}
    for case in cases():
        torch.manual_seed(case["seed"])
        results = [record(call(fn, args, dtype)) for fn, args, dtype in case["calls"]]
        golden["cases"].append({**case, "results": results})
    lines = ["{", f' "_meta": {json.dumps(golden["_meta"])},', ' "cases": [']
    lines.append(",\n".join("  " + json.dumps(c, separators=(",", ":")) for c in golden["cases"]))
    lines += [" ]", "}"]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(golden['cases'])} cases, "
          f"{sum(len(c['calls']) for c in golden['cases'])} calls")


if __name__ == "__main__":
    main()
