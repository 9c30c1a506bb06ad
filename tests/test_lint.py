"""House rules that tools check: ruff on everything, mypy on the engine, import directions."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gradcli"


def _tool(name: str) -> list[str]:
    exe = Path(sys.executable).parent / name
    if exe.exists():
        return [str(exe)]
    if shutil.which(name):
        return [name]
    pytest.skip(f"{name} is not installed (pip install '.[test]')")


def test_ruff() -> None:
    proc = subprocess.run([*_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mypy_engine() -> None:
    proc = subprocess.run([*_tool("mypy"), "gradcli/engine"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _imports(path: Path) -> set[str]:
    """Modules a file imports, resolved to absolute names (relative imports included)."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            out.add(base)
    return out


def _files(sub: str) -> list[Path]:
    return sorted((PACKAGE / sub).rglob("*.py")) if sub else sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", _files("engine"), ids=lambda p: p.name)
def test_engine_imports_numpy_only(path: Path) -> None:
    bad = {m for m in _imports(path)
           if m.startswith("gradcli") and not m.startswith("gradcli.engine")
           or m.split(".")[0] in ("lark", "typer", "rich")}
    assert not bad, f"{path.name} imports {bad}"


def test_only_cli_imports_typer_and_only_syntax_imports_lark() -> None:
    for path in PACKAGE.rglob("*.py"):
        mods = {m.split(".")[0] for m in _imports(path)}
        rel = path.relative_to(PACKAGE).as_posix()
        if "typer" in mods:
            assert rel.startswith("cli/"), rel
        if "lark" in mods:
            assert rel.startswith("syntax/"), rel
        if "rich" in mods:
            assert rel.startswith(("render/", "cli/")) or rel == "repl.py", rel


def test_no_eval_or_exec_in_the_implementation() -> None:
    """None, but for the quick parser's generated replay programs (QuickParser._compile: rule
    numbers and slot names, never the parsed text; test_quick_parser checks its source)."""
    generated = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in ("eval", "exec", "compile", "__import__"):
                    generated.append((path.relative_to(PACKAGE).as_posix(), node.func.id))
    assert sorted(generated) == [("syntax/quick.py", "compile"), ("syntax/quick.py", "exec")]


@pytest.mark.parametrize("path", _files("symbolic"), ids=lambda p: p.name)
def test_symbolic_imports_syntax_and_engine_only(path: Path) -> None:
    """DESIGN: symbolic/ reads rules and expressions (syntax) and checks with the engine;
    it never reaches up into the interpreter, the command line or the renderers."""
    upward = sorted(m for m in _imports(path)
                    if m.startswith(("gradcli.interpreter", "gradcli.cli", "gradcli.render")))
    assert not upward, upward
