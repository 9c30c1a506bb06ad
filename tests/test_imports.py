"""The import graph of gradcli/ has no cycle, and no module imports another's private names.

Every import counts, the ones inside functions (lazy imports) included: a cycle of lazy
imports is a cycle all the same, one that shows only when a path through it runs. Imports under
``if TYPE_CHECKING:`` are annotations for the type checker and never run: they are no edges.

The one cycle allowed: Tensor's operators call the op table, whose ops make Tensors, so
engine/tensor.py imports the op table (at its end, and in a few methods). Those edges are left
out; everything else in the engine runs one way: errors, dtypes and reuse, then autograd (the
core, with un-broadcasting), then tensor, then the ops.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gradcli"

#: (importer, prefix of what it imports): the documented Tensor <-> op table cycle.
ALLOWED = [("gradcli.engine.tensor", "gradcli.engine.ops")]


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_only(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                skip |= {id(n) for n in ast.walk(statement)}
    return skip


def imports(module: str, path: Path) -> list[tuple[int, str, str | None]]:
    """(line, imported module, imported name or None) for every import that runs, resolved
    to absolute names; a ``from package import submodule`` imports the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_only(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((node.lineno, sub, None) if sub in MODULES
                             else (node.lineno, base, alias.name))
    return found


def graph() -> dict[str, set[str]]:
    """Each gradcli module to the gradcli modules it imports, less the ALLOWED edges."""
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = {target for _, target, _ in imports(module, path) if target in MODULES}
        edges[module] = {t for t in targets
                         if not any(module == a and t.startswith(b) for a, b in ALLOWED)}
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (its modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(v: str) -> list[str] | None:
        state[v] = 1
        path.append(v)
        for w in sorted(edges.get(v, ())):
            if state.get(w) == 1:
                return path[path.index(w):] + [w]
            if w not in state and (found := visit(w)):
                return found
        path.pop()
        state[v] = 2
        return None

    for v in sorted(edges):
        if v not in state and (found := visit(v)):
            return found
    return None


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_no_import_cycles() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_allowed_cycle_is_the_tensor_and_the_op_table() -> None:
    """The exception is still needed (else it should go), and it is the only one."""
    path = MODULES["gradcli.engine.tensor"]
    targets = {t for _, t, _ in imports("gradcli.engine.tensor", path)}
    assert "gradcli.engine.ops" in targets
    assert ALLOWED == [("gradcli.engine.tensor", "gradcli.engine.ops")]


def test_the_engine_core_needs_no_op() -> None:
    edges = graph()
    for core in ("gradcli.engine.autograd", "gradcli.engine.reuse", "gradcli.engine.dtypes",
                 "gradcli.engine.errors"):
        assert not {t for t in edges[core] if t.startswith("gradcli.engine.ops")}, core
    assert not edges["gradcli.engine.ops._base"] & {"gradcli.engine.ops.creation",
                                                    "gradcli.engine.ops.elementwise"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_reaches() -> None:
    """No import of another module's private names (``_name``), nor of a private module
    (``typer._click``) from outside its own package (the op modules share ops/_base.py)."""
    bad = []
    for module, path in MODULES.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for line, target, name in imports(module, path):
            if target == "__future__":
                continue
            if name is not None and _private(name):
                bad.append(f"{module}:{line} imports {name} from {target}")
            parts = target.split(".")
            for i, part in enumerate(parts):
                owner = ".".join(parts[:i])
                if _private(part) and not (package == owner or package.startswith(owner + ".")
                                           and owner.startswith("gradcli")):
                    bad.append(f"{module}:{line} imports the private module {target}")
                    break
    assert not bad, "\n".join(bad)
