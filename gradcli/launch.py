"""The console script's entry point: a Ctrl-C while gradcli is still loading ends like any other."""

import sys

EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        from gradcli.cli import main as run_cli
    except KeyboardInterrupt:
        sys.stderr.write("gradcli: interrupted\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    run_cli()
