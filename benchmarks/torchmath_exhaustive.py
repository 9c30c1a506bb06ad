"""Check gradcli.engine.torchmath's SLEEF functions against SLEEF itself on every float32.

Not a test (it takes minutes per function): a script. It needs gcc and the PyTorch wheel,
whose libtorch_cpu.so exports SLEEF's AVX-512 routines; a ten-line C shim compiled here calls
them on arrays. Usage (from the repository root):

    /work/torchenv/bin/python benchmarks/torchmath_exhaustive.py exp log expm1 log1p tanh [--step K]

``--step K`` checks every K-th bit pattern only (a quick run). Prints, per function, the number
of bit patterns whose results differ (NaN counts as equal to NaN).
"""

from __future__ import annotations

import argparse
import ctypes
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gradcli.engine import torchmath  # noqa: E402

SLEEF = {"exp": "expf16_u10", "log": "logf16_u10", "expm1": "expm1f16_u10",
         "log1p": "log1pf16_u10", "tanh": "tanhf16_u10", "sin": "sinf16_u35", "cos": "cosf16_u35"}
OURS = {"exp": torchmath.exp32, "log": torchmath.log32, "expm1": torchmath.expm132,
        "log1p": torchmath.log1p32, "tanh": torchmath.tanh_sleef32}


def build_shim() -> ctypes.CDLL:
    lib = Path(torch.__file__).parent / "lib"
    decls = "".join(f"__m512 Sleef_{f}avx512f(__m512);\n" for f in SLEEF.values())
    runs = "".join(
        f"void run_{n}(const float* in, float* out, size_t k) {{ for (size_t i = 0; i + 16 <= k;"
        f" i += 16) _mm512_storeu_ps(out + i, Sleef_{f}avx512f(_mm512_loadu_ps(in + i))); }}\n"
        for n, f in SLEEF.items())
    tmp = Path(tempfile.mkdtemp())
    (tmp / "shim.c").write_text("#include <immintrin.h>\n#include <stddef.h>\n" + decls + runs)
    subprocess.run(["gcc", "-O2", "-mavx512f", "-shared", "-fPIC", str(tmp / "shim.c"), "-o",
                    str(tmp / "shim.so"), f"-L{lib}", "-ltorch_cpu", f"-Wl,-rpath,{lib}"],
                   check=True)
    return ctypes.CDLL(str(tmp / "shim.so"))


def sleef(shim: ctypes.CDLL, name: str, x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    fp = ctypes.POINTER(ctypes.c_float)
    getattr(shim, "run_" + name)(x.ctypes.data_as(fp), out.ctypes.data_as(fp),
                                 ctypes.c_size_t(x.size))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="+", choices=sorted(OURS))
    ap.add_argument("--step", type=int, default=1)
    ap.add_argument("--chunk", type=int, default=1 << 22)
    args = ap.parse_args()
    shim = build_shim()
    for name in args.names:
        t0, bad, total, shown = time.time(), 0, 0, 0
        for start in range(0, 1 << 32, args.chunk * args.step):
            bits = np.arange(start, min(start + args.chunk * args.step, 1 << 32), args.step,
                             dtype=np.uint64).astype(np.uint32)
            x = bits.view(np.float32)
            x = np.concatenate([x, np.zeros(-x.size % 16, np.float32)])
            ref, ours = sleef(shim, name, x), OURS[name](x)
            diff = (ref.view(np.uint32) != ours.view(np.uint32)) & ~(np.isnan(ref) & np.isnan(ours))
            bad += int(diff.sum())
            total += bits.size
            if (start // (args.chunk * args.step)) % 64 == 63:
                print(f"  {name}: {total} checked, {bad} differ ({time.time() - t0:.0f} s)",
                      flush=True)
            for i in np.flatnonzero(diff)[:max(0, 5 - shown)]:
                shown += 1
                print(f"  {name}({x[i]!r} = 0x{x[i:i+1].view(np.uint32)[0]:08x}): ours "
                      f"{ours[i]!r}, SLEEF {ref[i]!r}", flush=True)
        print(f"{name}: {bad} of {total} bit patterns differ ({time.time() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
