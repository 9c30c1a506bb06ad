"""gradcli: a command-line expression differentiator on its own reverse-mode autograd engine."""

__version__ = "0.1.0"
