"""Peak extra memory of one big-tensor case, measured in a fresh process (run.py starts it).

Usage: python benchmarks/memprobe.py WORKLOAD N DTYPE ENGINE   (prints one JSON object)

The inputs are allocated (and the engine imported and warmed up once) first; then the peak
resident set size is reset (Linux: write 5 to /proc/self/clear_refs) and one value + gradient
runs, still holding its result; "rss_extra" is the peak minus the resident size before it.
run.py sets MALLOC_MMAP_THRESHOLD_ so that every large array is its own mapping, returned to
the system when freed: the warm-up leaves nothing behind that the measured run could reuse.
Where the peak cannot be reset, the case runs cold (no warm-up) and ru_maxrss is used.

For the numpy-based engines the same case is also measured with tracemalloc, which numpy
reports its data buffers to (numpy >= 1.13); PyTorch's buffers are not traced, so it has none.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import tracemalloc

from workloads import as_numpy, make_case, make_inputs


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main() -> None:
    workload, n, dtype, engine = sys.argv[1], int(float(sys.argv[2])), sys.argv[3], sys.argv[4]
    inputs = make_inputs(workload, n, dtype)
    case = make_case(engine, workload, inputs, dtype)
    can_reset = _reset_peak()
    if can_reset:
        as_numpy(engine, case())  # warm-up: lazy imports, parser tables, caches
    gc.collect()
    if can_reset:
        _reset_peak()
        before = _status("VmRSS")
        result = case()
        peak = _status("VmHWM")
        method = "VmHWM after reset"
    else:
        before = _status("VmRSS")
        result = case()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        method = "ru_maxrss, cold"
    del result
    gc.collect()
    traced = None
    if engine != "torch":
        tracemalloc.start()
        result = case()
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del result
    print(json.dumps({"rss_extra": max(0, peak - before), "tracemalloc_peak": traced,
                      "method": method}))


if __name__ == "__main__":
    main()
