"""The error boundary: every way a command can end, mapped to SPEC's exit codes and streams."""

import errno
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer

from ..errors import INTERNAL_HINT, GradcliError, InternalError

EXIT_INTERRUPTED = 130

#: The arguments of the run in progress (main() sets them).
ARGS: list[list[str]] = [[]]


def debug() -> bool:
    """Whether internal errors show their traceback (--debug, GRADCLI_DEBUG)."""
    return os.environ.get("GRADCLI_DEBUG", "") not in ("", "0") or "--debug" in ARGS[0]


def stderr(text: str) -> None:
    try:
        sys.stdout.flush()  # what came before it on stdout comes first (2>&1)
    except OSError:  # the output is what failed (a full disk): the error still goes out
        drop_output()
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except OSError:  # nowhere to say it (2>/dev/full): the exit code still tells
        _drop(sys.stderr)


def drop_output() -> None:
    """Send what is left of stdout to /dev/null, so that the flush at exit cannot fail again."""
    _drop(sys.stdout)


def _drop(stream: Any) -> None:
    """Send what is left of ``stream`` to /dev/null, its unwritten text included (a flush
    at exit that failed again would change the exit code)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
        stream.flush()
    except (OSError, ValueError, AttributeError):
        pass


class ClosedStdout:
    """Standard output when the process was started without it (``>&-``): writing to it is
    an input/output error, as for any command-line tool, not a crash."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def show_traceback(err: GradcliError) -> None:
    """With --debug, the traceback of an internal error that became an error of its line."""
    original = getattr(err, "original", None)
    if original is not None and debug():
        import traceback

        stderr("".join(traceback.format_exception(original)).rstrip("\n"))


def stdin() -> Any:
    """Standard input, or an io error when the process was started without it (``<&-``)."""
    if sys.stdin is None:
        raise GradcliError("io", "cannot read standard input: there is no standard input",
                           hint="pipe the input in, e.g. echo 'x + 1' | gradcli ...")
    return sys.stdin


def fail(err: GradcliError, origin: str) -> NoReturn:
    from ..render.errors import format_error

    stderr(format_error(err, origin))
    raise typer.Exit(err.exit_code)


@contextmanager
def guard(origin: str = "input") -> Iterator[None]:
    """Map every way a command can end to SPEC's exit codes, with no traceback."""
    try:
        yield
    except GradcliError as err:
        show_traceback(err)
        fail(err, origin)
    except KeyboardInterrupt:
        stderr("gradcli: interrupted")
        # Not typer.Exit: main() takes an exit code of 130 from typer for a Ctrl-C no guard saw.
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        quiet_pipe()
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except OSError as exc:  # the machine's, not gradcli's: a full disk, a closed stream
        if debug():
            raise
        fail(io_failure(exc), origin)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback
        if debug():
            raise
        error = unexpected(exc)
        if not isinstance(error, InternalError):
            fail(error, origin)
        stderr(f"gradcli: internal error: {type(exc).__name__}: {exc}\n  = hint: {INTERNAL_HINT}")
        raise typer.Exit(1) from None


#: What failing writes to stdout raise: a full disk or quota, a file too big, a closed stream.
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EBADF}


def io_failure(exc: OSError) -> GradcliError:
    """An OSError that reached the top: the machine's problem, not gradcli's."""
    what = "write the output" if exc.errno in _WRITE_ERRORS else "read or write a standard stream"
    return GradcliError("io", f"cannot {what}: {exc.strerror or exc}",
                        hint="check where the output goes (a full disk?) and that standard "
                        "input and output are open")


def _engine_error() -> Any:
    """The engine's error class if the engine is loaded (it raised it then), else None."""
    errors = sys.modules.get("gradcli.engine.errors")
    return None if errors is None else errors.EngineError


def quiet_pipe() -> NoReturn:
    # The reader went away (`| head -1`): stop quietly, and keep Python from complaining
    # again when it flushes stdout at exit.
    drop_output()
    raise SystemExit(0)  # not typer.Exit: main() calls this too, outside the click app


def json_or_raise(compute: Callable[[], Any], expr: str, json: bool) -> Any:
    """The result; with --format json an error in EXPR is an error object on stdout in its
    place (SPEC 2), otherwise the text on stderr. With JSON a bug in gradcli is an error
    object too (an internal error, located at EXPR's start, its traceback with --debug);
    a failure of the machine's (OSError) is guard's to report."""
    try:
        return compute()
    except GradcliError as err:
        if not json or err.kind == "usage":
            raise
        json_error(expr, err)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - with JSON, the last line of defence
        if not json:
            raise
        error = unexpected(exc)
        show_traceback(error)
        json_error(expr, error.located(1, 1, expr))


def unexpected(exc: Exception) -> GradcliError:
    """An exception no code of gradcli expected, as an error: the engine's (a problem with
    the user's input that no caller located) of its kind, anything else an internal error."""
    engine_error = _engine_error()
    if engine_error is not None and isinstance(exc, engine_error):
        return GradcliError(exc.kind, exc.message, hint=exc.hint)
    return InternalError(exc)


def json_error(expr: str, err: GradcliError) -> NoReturn:
    from ..render.jsonfmt import dumps, error_object

    sys.stdout.write(dumps(error_object(expr, err)) + "\n")
    sys.stdout.flush()
    raise typer.Exit(err.exit_code)


def with_origin(make: Callable[[], Any], origin: str) -> Any:
    """``make()``, its error reported as coming from ``origin`` (e.g. "--let")."""
    try:
        return make()
    except GradcliError as err:
        fail(err, origin)
