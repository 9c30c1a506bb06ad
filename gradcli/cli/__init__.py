"""The command line (Typer): options in, result objects to the renderers, errors to exit codes.

No maths here. Heavy modules (rich, the interpreter) are imported inside the commands so
that ``gradcli --version`` and one-shot JSON evaluations start fast. ``app`` holds the Typer
app, ``options`` the options the commands share, ``boundary`` the exit codes and the standard
streams, ``main`` the entry point; each group of commands has a module of its own.
"""

from .main import app, main  # noqa: F401
