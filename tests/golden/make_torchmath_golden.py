"""Generate torchmath_golden.json: PyTorch's float32 exp, log, ... as bits, for test_torchmath.py.

Run with a Python that has torch 2.13 (never a dependency of gradcli or its tests), from the
repository root, on an x86-64 CPU with AVX-512 (and gcc, for the SLEEF cases):

    /path/to/torchenv/bin/python tests/golden/make_torchmath_golden.py

Inputs: every special class (signed zeros, infinities, NaN, subnormals, the largest and
smallest normals, the overflow and underflow thresholds of each function) plus seeded random
bit patterns and scaled normals. Each case records the inputs' and outputs' float32 bits as
the base64 of their little-endian bytes. "exact" cases are what gradcli must reproduce bit for
bit (and so must the softmax family's cases, "softmax_lastdim"); "near" cases (MKL's exp, log, tanh: torch calls Intel's closed library for these) record
torch's bits to measure how often gradcli's float64-rounded result differs.

The SLEEF cases (exp and log as SLEEF computes them, which torch's sigmoid and log1p use) call
the wheel's own SLEEF through a small C shim (benchmarks/torchmath_exhaustive.py builds it).
The output is deterministic.
"""

import base64
import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "torchmath_golden.json"
sys.path.insert(0, str(ROOT / "benchmarks"))
from torchmath_exhaustive import build_shim, sleef  # noqa: E402

SPECIAL_BITS = [0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007FFFFF, 0x807FFFFF,
                0x00800000, 0x80800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000,
                0x7FC00000, 0xFFC00000, 0x3F800000, 0xBF800000, 0x33800000, 0xB3800000]
SPECIAL_VALUES = [88.72283, 88.72284, 88.7, 89.0, 100.0, 100.00001, -87.33654, -103.97208,
                  -104.0, -104.00001, -16.635532, -16.63553, 0.5, -0.5, 2.0, 1e-7, -1e-7,
                  1.0000001, 0.99999994, 1e38, 1.2e38, 3e38, -0.99999994, 0.75, 1.5, 0.6931472]


#: Shapes of the softmax family's cases (along the last dimension): rows shorter than a
#: register, whole registers, and registers plus a tail.
SOFTMAX_SHAPES = [(1, 1), (2, 3), (8, 5), (4, 15), (3, 16), (3, 17), (5, 31), (2, 33), (2, 100),
                  (64, 10), (7,), (2, 3, 40)]


def inputs(seed, scale):
    rng = np.random.default_rng(seed)
    bits = np.array(SPECIAL_BITS, dtype=np.uint32).view(np.float32)
    values = np.array(SPECIAL_VALUES + [-v for v in SPECIAL_VALUES], dtype=np.float32)
    rand_bits = rng.integers(0, 2**32, 512, dtype=np.uint64).astype(np.uint32).view(np.float32)
    normals = (rng.standard_normal(1024) * scale).astype(np.float32)
    x = np.concatenate([bits, values, rand_bits, normals])
    return np.concatenate([x, np.zeros(-x.size % 32, np.float32)])  # whole vector steps


def b64bits(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.float32).tobytes()).decode()


def b64bits64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.float64).tobytes()).decode()


def sleef_exp64(x):
    """SLEEF's double exp (Sleef_expd8_u10, which torch's float64 sigmoid uses) on x."""
    import ctypes
    import subprocess
    import tempfile

    lib = Path(torch.__file__).parent / "lib"
    tmp = Path(tempfile.mkdtemp())
    (tmp / "d.c").write_text(
        "#include <immintrin.h>\n#include <stddef.h>\n__m512d Sleef_expd8_u10avx512f(__m512d);\n"
        "void run(const double* a, double* o, size_t n) { for (size_t i = 0; i + 8 <= n; i += 8)"
        " _mm512_storeu_pd(o + i, Sleef_expd8_u10avx512f(_mm512_loadu_pd(a + i))); }\n")
    subprocess.run(["gcc", "-O2", "-mavx512f", "-shared", "-fPIC", str(tmp / "d.c"), "-o",
                    str(tmp / "d.so"), f"-L{lib}", "-ltorch_cpu", f"-Wl,-rpath,{lib}"], check=True)
    shim = ctypes.CDLL(str(tmp / "d.so"))
    out = np.empty_like(x)
    fp = ctypes.POINTER(ctypes.c_double)
    shim.run(x.ctypes.data_as(fp), out.ctypes.data_as(fp), ctypes.c_size_t(x.size))
    return out


def main():
    shim = build_shim()
    x = inputs(0, 8.0)
    t = torch.from_numpy(x)
    g = torch.from_numpy(inputs(1, 1.0))
    y = torch.tanh(t)
    s = torch.sigmoid(t)
    cases = {
        "exact": {
            "sleef_exp": sleef(shim, "exp", x),
            "sleef_log": sleef(shim, "log", x),
            "sleef_tanh": sleef(shim, "tanh", x),
            "expm1": torch.expm1(t).numpy(),
            "log1p": torch.log1p(t).numpy(),
            "sigmoid": s.numpy(),
            "pow3": (t ** 3).numpy(),
            "pow-2": (t ** -2).numpy(),
            "pow-0.5": (t ** -0.5).numpy(),
            "gelu": torch.nn.functional.gelu(t).numpy(),
            "gelu_strided": torch.nn.functional.gelu(
                torch.from_numpy(np.repeat(x, 2))[::2]).numpy(),
            "gelu_tanh": torch.nn.functional.gelu(t, approximate="tanh").numpy(),
            "silu": torch.nn.functional.silu(t).numpy(),
            "elu0.3": torch.nn.functional.elu(t, 0.3).numpy(),
            "softplus2,5": torch.nn.functional.softplus(t, 2.0, 5.0).numpy(),
            "pow4": (t ** 4).numpy(),
            "pow1.5": (t ** 1.5).numpy(),
            "pow-3": (t ** -3).numpy(),
            "tanh_backward": torch.ops.aten.tanh_backward(g, y).numpy(),
            "sigmoid_backward": torch.ops.aten.sigmoid_backward(g, s).numpy(),
            "softplus_backward2,5": torch.ops.aten.softplus_backward(g, t, 2.0, 5.0).numpy(),
            "elu_backward0.3": torch.ops.aten.elu_backward(g, 0.3, 1, 1, False, t).numpy(),
            "silu_backward": torch.ops.aten.silu_backward(g, t).numpy(),
        },
        "near": {
            "exp": torch.exp(t).numpy(),
            "log": torch.log(t).numpy(),
            "tanh": torch.tanh(t).numpy(),
        },
    }
    rng = np.random.default_rng(2)
    softmax = []
    for shape in SOFTMAX_SHAPES:
        xs = torch.from_numpy((rng.standard_normal(shape) * 4).astype(np.float32))
        gs = torch.from_numpy(rng.standard_normal(shape).astype(np.float32))
        sm, lsm = torch.softmax(xs, -1), torch.log_softmax(xs, -1)
        softmax.append({
            "shape": list(shape), "x": b64bits(xs.numpy()), "grad": b64bits(gs.numpy()),
            "softmax": b64bits(sm.numpy()), "log_softmax": b64bits(lsm.numpy()),
            "softmax_backward": b64bits(
                torch.ops.aten._softmax_backward_data(gs, sm, -1, torch.float32).numpy()),
            "log_softmax_backward": b64bits(
                torch.ops.aten._log_softmax_backward_data(gs, lsm, -1, torch.float32).numpy()),
        })
    x64 = np.concatenate([x.astype(np.float64) * (1 + 2.0**-30), np.linspace(-750, 720, 96)])
    t64 = torch.from_numpy(x64)
    doc = {
        "torch": torch.__version__,
        "x": b64bits(x),
        "grad": b64bits(g.numpy()),
        "tanh": b64bits(y.numpy()),
        "sigmoid": b64bits(s.numpy()),
        "softmax_lastdim": softmax,
        "float64": {"x": b64bits64(x64), "sigmoid": b64bits64(torch.sigmoid(t64).numpy()),
                    "sleef_exp": b64bits64(sleef_exp64(x64))},
        "cases": {kind: {name: b64bits(v) for name, v in group.items()}
                  for kind, group in cases.items()},
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT} ({x.size} inputs)")


if __name__ == "__main__":
    main()
