"""The entry point: one run of gradcli in this process, from arguments to an exit code."""

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, NoReturn

import typer

# The commands, in the order --help lists them (they register on the app when imported).
# isort: off
from . import evaluate  # noqa: F401
from . import programs  # noqa: F401
from . import derivatives  # noqa: F401
from . import diff  # noqa: F401
from . import plot  # noqa: F401
from . import listing  # noqa: F401
from . import helpcmd  # noqa: F401
# isort: on
from ..limits import MAX_INPUT, MAX_NESTING
from . import boundary
from .app import app
from .boundary import EXIT_INTERRUPTED

#: What a run sets outside the engine: --max-input and --max-nesting, as (module, the name of
#: its dict of them, what a fresh import holds there). Read only where the module is loaded:
#: a run that reads and parses nothing imports neither.
_OUTSIDE_ENGINE = (("gradcli.reading", "LIMIT", {"max_input": MAX_INPUT}),
                   ("gradcli.syntax.nodes", "NESTING", {"max_depth": MAX_NESTING}))


def _click_exception() -> Any:
    """click's ClickException, wherever this typer keeps click (newer ones vendor a private
    copy): a base of typer's public BadParameter."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main(argv: list[str] | None = None, *, stdin: IO[str] | None = None,
         stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Run gradcli once, in this process: ``argv`` (``sys.argv[1:]`` by default) with these
    standard streams (the process's by default); the exit code.

    What a run sets for the whole process (the standard streams, the engine's limits, loader,
    default dtype, random generator, grad mode and anomaly hook, the input and nesting
    limits, the recursion limit) is put back when it returns, so that two runs in one
    process never see each other's settings."""
    args = expression_first(sys.argv[1:] if argv is None else list(argv))
    with _one_run(args, stdin, stdout, stderr):
        try:
            _refuse_minus_mistake(args)
            _dispatch(args, None if argv is None else "gradcli")
        except SystemExit as done:
            return _exit_code(done.code)
    return 0  # pragma: no cover - _dispatch always ends in SystemExit


#: The one-letter options of every command (-x for another letter is the expression -x);
#: tests/test_terminal.py checks it against the commands.
_SHORT = frozenset("lwgfovhscj")
#: Options that take no value; every other option takes the next argument as its value.
_FLAGS = frozenset({"--full", "--no-grad", "--trace", "--detect-anomaly", "--debug", "--steps",
                    "--no-check", "--verbose", "-v", "--help", "-h", "--version"})


#: An option's name, alone or with its value (--let=x=1, -lx=1).
_OPTION = r"--[A-Za-z][\w-]*(=.*)?|-[A-Za-z](\w*=.*)?"
#: How to give an expression that begins with '-' (SPEC 2), for the errors where one was not.
MINUS_HINT = ("an expression that begins with '-' goes after '--' or in parentheses: "
              "gradcli {command} -- {expr} ..., or gradcli {command} '({expr})' ...; or give "
              "{expr} its value")


def _is_option(token: str) -> bool:
    return bool(re.fullmatch(_OPTION, token)) and (token.startswith("--") or token[1] in _SHORT)


def expression_first(args: list[str]) -> list[str]:
    """SPEC 2: an EXPR that begins with ``-`` (``-x**2``, a derivative pasted back) is an
    expression, not an option: it moves behind a ``--`` at the end, where click reads it so.
    With a ``--`` given, the options after the arguments that follow it move before it
    (``eval -- -x --let x=1.0``)."""
    if "--" in args:
        return _after_dashes(args)
    expecting, command = False, False
    for i, token in enumerate(args):
        if expecting:
            expecting = False
        elif _is_option(token):
            expecting = command and "=" not in token and token not in _FLAGS
        elif not command:
            command = True
        else:
            if token.startswith("-") and token != "-":
                return [*args[:i], *args[i + 1:], "--", token]
            return args
    return args


def _after_dashes(args: list[str]) -> list[str]:
    """``[..., '--', ARGS..., OPTIONS...]`` as ``[..., OPTIONS..., '--', ARGS...]``: the first
    argument after ``--`` is one whatever it looks like, the next ones until an option."""
    dashes = args.index("--")
    rest = args[dashes + 1:]
    end = next((i for i, token in enumerate(rest) if i and _is_option(token)), len(rest))
    if end == len(rest):
        return args
    return [*args[:dashes], *rest[end:], "--", *rest[:end]]


def minus_mistake(args: list[str]) -> tuple[str, str] | None:
    """(option, what follows it) where a one-letter option takes another option as its value
    (``eval -w --let w=1.0``: the expression -w read as --wrt): never meant, and what an
    expression that begins with '-' gives."""
    expecting = None
    for token in args:
        if token == "--":
            return None
        if expecting is not None:
            if _is_option(token):
                return expecting, token
            expecting = None
        elif _is_option(token) and "=" not in token and token not in _FLAGS:
            expecting = token if len(token) == 2 else None
    return None


def _exit_code(code: object) -> int:
    """The exit status a SystemExit(code) gives the process."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


@contextmanager
def _one_run(args: list[str], stdin: IO[str] | None, stdout: IO[str] | None,
             stderr: IO[str] | None) -> Iterator[None]:
    """The one place a run's process-wide settings are made and undone: its streams and
    arguments, a fresh engine state (as in a new process), the recursion limit."""
    saved = sys.stdin, sys.stdout, sys.stderr, boundary.ARGS[0], sys.getrecursionlimit()
    engine = sys.modules.get("gradcli.engine.state")
    before = engine.snapshot() if engine is not None else None
    if engine is not None:
        engine.restore(engine.DEFAULTS)
    outside = _settings_outside_engine()
    _restore_outside_engine([None] * len(outside))
    boundary.ARGS[0] = args
    sys.stdin = stdin if stdin is not None else sys.stdin
    sys.stdout = stdout if stdout is not None else sys.stdout or boundary.ClosedStdout()  # type: ignore[assignment]
    if stderr is not None:
        sys.stderr = stderr
    elif sys.stderr is None:  # errors cannot be shown; the exit code still tells
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    try:
        yield
    finally:
        engine = sys.modules.get("gradcli.engine.state")  # loaded with the engine
        if engine is not None:
            engine.restore(before if before is not None else engine.DEFAULTS)
        _restore_outside_engine(outside)
        sys.stdin, sys.stdout, sys.stderr, boundary.ARGS[0], recursion = saved
        sys.setrecursionlimit(recursion)


def _settings_outside_engine() -> list[dict[str, int] | None]:
    """A copy of each dict of _OUTSIDE_ENGINE whose module is loaded; None for the others."""
    return [None if (module := sys.modules.get(name)) is None else dict(getattr(module, attr))
            for name, attr, _ in _OUTSIDE_ENGINE]


def _restore_outside_engine(saved: list[dict[str, int] | None]) -> None:
    """Put back what _settings_outside_engine saved; None: what a fresh import holds."""
    for (name, attr, fresh), values in zip(_OUTSIDE_ENGINE, saved):
        module = sys.modules.get(name)
        if module is not None:
            getattr(module, attr).update(fresh if values is None else values)


def _command(args: list[str]) -> str:
    """The command named in ``args`` (eval if none is)."""
    return next((token for token in args if not token.startswith("-")), "eval")


def _refuse_minus_mistake(args: list[str]) -> None:
    """A usage error for minus_mistake's case, with the hint that says how to write it."""
    mistake = minus_mistake(args)
    if mistake is not None:
        from ..errors import GradcliError
        from ..render.errors import format_error

        option, value = mistake
        boundary.stderr(format_error(GradcliError(
            "usage", f"the option {option} takes a value, not the option {value}",
            hint=MINUS_HINT.format(command=_command(args), expr=option))))
        raise SystemExit(2)


def _dispatch(args: list[str], prog_name: str | None) -> NoReturn:
    """Parse ``args``, run the command, and end in SystemExit with SPEC's exit code."""
    try:
        code = app(args=args, prog_name=prog_name, standalone_mode=False)
    except _click_exception() as err:
        if type(err).__name__ == "NoArgsIsHelpError":  # plain `gradcli`: the help, as a usage error
            boundary.stderr(err.format_message())
            raise SystemExit(2) from None
        # Option-parser mistakes in gradcli's own format (SPEC 2), not click's usage block.
        command = err.ctx.command_path if getattr(err, "ctx", None) else "gradcli"
        from ..errors import GradcliError
        from ..render.errors import format_error

        message = err.format_message()
        short = re.fullmatch(r"Option '(-[A-Za-z])' requires an argument\.", message)
        hint = (MINUS_HINT.format(command=_command(args), expr=short.group(1)) if short
                else f"see '{command} --help'")
        boundary.stderr(format_error(GradcliError("usage", message, hint=hint)))
        raise SystemExit(2) from None
    except typer.Abort:
        boundary.stderr("gradcli: interrupted")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        boundary.quiet_pipe()
    except KeyboardInterrupt:
        boundary.stderr("gradcli: interrupted")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except OSError as exc:  # writing --version or --help
        if boundary.debug():
            raise
        from ..render.errors import format_error

        error = boundary.io_failure(exc)
        boundary.stderr(format_error(error, "input"))
        raise SystemExit(error.exit_code) from None
    if code == EXIT_INTERRUPTED:
        # typer (0.22 on) ends a Ctrl-C that lands outside the commands' guards (while it reads
        # the options, or while a command imports what it needs) with a silent 130.
        boundary.stderr("gradcli: interrupted")
    raise SystemExit(code if isinstance(code, int) else 0)
