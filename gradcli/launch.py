"""The console script's entry point: a Ctrl-C while gradcli is still loading ends like any other,
and the process does not spend its last tens of milliseconds collecting garbage."""

import gc
import sys

EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        from gradcli.cli import main as run_cli
    except KeyboardInterrupt:
        sys.stderr.write("gradcli: interrupted\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    # What the imports made lives until exit: no collection needs to walk it again.
    gc.freeze()
    try:
        run_cli()
    finally:
        # Nor does the interpreter's final collection at exit (about 30 ms of a one-shot
        # command otherwise); the operating system takes the memory back at once.
        gc.freeze()
