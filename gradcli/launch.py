"""The console script's entry point: a Ctrl-C while gradcli is still loading ends like any other,
big buffers are reused instead of mapped afresh, and the process does not spend its last tens
of milliseconds collecting garbage."""

import gc
import signal
import sys

EXIT_INTERRUPTED = 130


def _interrupted_early(signum: int, frame: object) -> None:
    """A Ctrl-C before main() runs: in the console script's own lines, which pip writes."""
    sys.stderr.write("gradcli: interrupted\n")
    raise SystemExit(EXIT_INTERRUPTED)


# This module is the entry point: its import is the first thing the console script does.
signal.signal(signal.SIGINT, _interrupted_early)

#: glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Buffers up to this size come from the heap and go back to it when freed; the heap is given
#: back to the system only when this much of it is free at its top.
_MMAP_THRESHOLD = 1 << 28
_TRIM_THRESHOLD = 1 << 28


def tune_malloc() -> bool:
    """With glibc: freed big buffers stay in the process for the next ones (True if done).

    By default glibc maps every buffer of more than 32 MiB afresh and unmaps it when freed, and
    gives smaller freed memory back to the system too, so that the next array of that size
    page-faults its way in again: at 1e7 float32 elements that is 45% of the time of a value
    and its gradient (sum(exp(x)*sin(x) + x**2): 99 ms -> 55 ms). Up to 256 MiB of freed
    memory is kept for reuse instead (beyond that, glibc's behaviour is unchanged).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes  # numpy imports it anyway

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))


def main() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a KeyboardInterrupt from here on
    try:
        from gradcli.cli import main as run_cli

        # What the imports made lives until exit: no collection needs to walk it again.
        gc.freeze()
        tune_malloc()  # imports ctypes: a Ctrl-C may land here too
    except KeyboardInterrupt:
        sys.stderr.write("gradcli: interrupted\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    try:
        code = run_cli()
    finally:
        # Nor does the interpreter's final collection at exit (about 30 ms of a one-shot
        # command otherwise); the operating system takes the memory back at once.
        gc.freeze()
    raise SystemExit(code)
