"""The console script's entry point: a Ctrl-C is acted on from gradcli's first line on and is
never lost in an import or a finaliser, big buffers are reused instead of mapped afresh, and
the process does not spend its last tens of milliseconds collecting garbage."""

# First of all, before any other statement (no `from __future__` import either: it imports a
# module): from here on a Ctrl-C is caught. Until main() runs it is only recorded, and main()
# acts on it first. A Ctrl-C that lands in these lines, before the handler is in place (as one
# did in `signal.getsignal`'s conversion to an enum, with a traceback), is recorded and the
# handler installed again. A SIGINT that was ignored stays ignored, as Python does
# (`gradcli ... &` in a script stays immune).
_early_ctrl_c = False
while True:
    try:

        class _Interrupts:
            """What the SIGINT handler knows: whether a Ctrl-C came that nothing has acted on
            yet, and whether main() runs, so that one may be acted on (before main(), in the
            console script's own lines, and after the command's work, a Ctrl-C is only
            recorded)."""

            pending = False
            acting = False

        def _on_sigint(signum: int, frame: object) -> None:
            """Ctrl-C: a KeyboardInterrupt where it is safe to raise one, else held back."""
            if not _Interrupts.acting:
                _Interrupts.pending = True
                return
            if frame is None or _in_import(frame):
                _hold(frame)
                return
            _Interrupts.pending = False
            raise KeyboardInterrupt

        import signal

        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, _on_sigint)
        break
    except KeyboardInterrupt:
        _early_ctrl_c = True
if _early_ctrl_c:
    _Interrupts.pending = True

import gc  # noqa: E402 - after the handler, on purpose
import sys  # noqa: E402
from typing import Any  # noqa: E402

from gradcli.interrupts import SHIELDED  # noqa: E402

EXIT_INTERRUPTED = 130
#: How often a held-back Ctrl-C whose moment has not come looks again (seconds).
_RETRY = 0.005


def _is_import(frame: Any) -> bool:
    """Whether ``frame`` runs the import machinery, or a function that C code calls and whose
    exceptions it drops (gradcli.interrupts: readline's completer)."""
    code = frame.f_code
    if code in SHIELDED:
        return True
    name = code.co_filename
    return name.startswith("<frozen importlib") or "importlib/_bootstrap" in name


def _in_import(frame: Any) -> bool:
    """Whether ``frame`` or one of its callers runs the import machinery (or a shielded
    function): a KeyboardInterrupt raised there may be caught by the module being imported
    (``except BaseException``), or be lost in importlib's own callbacks or dropped by the C
    code that called the function, and the process would run on."""
    while frame is not None:
        if _is_import(frame):
            return True
        frame = frame.f_back
    return False


def _after_imports(frame: Any) -> Any:
    """The frame that started the outermost import running in ``frame`` (``frame`` itself if
    none runs): its next line is the first moment a KeyboardInterrupt can be raised safely."""
    target = frame
    while frame is not None:
        if _is_import(frame):
            target = frame.f_back
        frame = frame.f_back
    return target


def _hold(frame: Any) -> None:
    """Record a Ctrl-C that landed where it cannot be raised (in ``frame``); while main() runs,
    raise it on the next line of the code that started the import it landed in (a line
    tracer on that frame alone), and, should that line not come, at the first of the checks
    every _RETRY seconds that finds no import running."""
    _Interrupts.pending = True
    if not _Interrupts.acting:
        return
    target = _after_imports(frame)
    if target is not None and sys.gettrace() in (None, _no_calls):  # not under a debugger
        target.f_trace, target.f_trace_lines = _raise_here, True
        sys.settrace(_no_calls)
    signal.signal(signal.SIGALRM, _retry)
    signal.setitimer(signal.ITIMER_REAL, _RETRY, _RETRY)


def _no_calls(frame: Any, event: str, arg: Any) -> None:
    """The global tracer _hold needs to trace one frame: it traces no other."""
    return None


def _raise_here(frame: Any, event: str, arg: Any) -> Any:
    """The line tracer of the frame that started an import: the held-back KeyboardInterrupt
    at its next line (at its caller's, if it returns first)."""
    if not _Interrupts.pending or not _Interrupts.acting:
        _settle()
        return None
    if event == "return":
        if frame.f_back is not None:
            frame.f_back.f_trace, frame.f_back.f_trace_lines = _raise_here, True
        return None
    if _in_import(frame):  # a later import, started by this frame's next line
        return _raise_here
    _raise_held()
    return None  # pragma: no cover - _raise_held raises


def _retry(signum: int, frame: Any) -> None:
    if not _Interrupts.pending or not _Interrupts.acting:
        _settle()
    elif frame is not None and not _in_import(frame):
        _raise_held()


def _settle() -> None:
    """No Ctrl-C is held back any more: stop the checks and the tracer."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    if sys.gettrace() is _no_calls:
        sys.settrace(None)


def _raise_held() -> None:
    """Raise the KeyboardInterrupt of a Ctrl-C held back until now, if one is."""
    if _Interrupts.pending:
        _Interrupts.pending = False
        _settle()
        raise KeyboardInterrupt


def _unraisable(hook: Any) -> Any:
    """``sys.unraisablehook`` that holds back a KeyboardInterrupt raised where Python can only
    print it and go on (a ``__del__``, a weakref or gc callback), to raise it again on the
    next line of the code that was running; other unraisable exceptions go to ``hook``."""

    def unraisable(info: Any) -> None:
        if isinstance(info.exc_value, KeyboardInterrupt):
            _hold(sys._getframe(1))
        else:
            hook(info)

    return unraisable


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
    _Interrupts.acting = True
    hook = sys.unraisablehook
    sys.unraisablehook = _unraisable(hook)
    try:
        _raise_held()  # a Ctrl-C in the console script's lines, before this call
        from gradcli.cli import main as run_cli

        _raise_held()  # one during the imports
        # What the imports made lives until exit: no collection needs to walk it again.
        gc.freeze()
        tune_malloc()  # imports ctypes: a Ctrl-C may land here too
        code = run_cli()
        _Interrupts.acting = False  # the work is done: from here a Ctrl-C is only recorded
        _raise_held()  # one that came as the command ended, after its own guards
    except KeyboardInterrupt:
        _Interrupts.acting = False
        sys.stderr.write("gradcli: interrupted\n")
        code = EXIT_INTERRUPTED
    finally:
        sys.unraisablehook = hook
        # Nor does the interpreter's final collection at exit (about 30 ms of a one-shot
        # command otherwise); the operating system takes the memory back at once.
        gc.freeze()
    raise SystemExit(code)
