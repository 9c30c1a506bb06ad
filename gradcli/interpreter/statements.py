"""Statements of the language as Python runs them: assignment, control flow, function
definitions, ``with``, ``assert`` and imports, each compiled once into a closure."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

from ..engine import EngineError, Tensor
from ..engine import ops as E
from ..engine.ops import LIMITS
from ..errors import GradcliError, InternalError
from ..syntax import nodes as N
from .builtins import MATERIALISING, PROTECTED, TORCH
from .expressions import compile_expression, compile_index
from .iteration import items_of, length_of
from .pyvalues import (
    TENSOR_BINARY,
    binary,
    suggest,
    truth,
    type_name,
)
from .signals import BreakSignal, ContinueSignal, ReturnSignal
from .values import Namespace, UserFunction

_ASSIGNABLE_ATTRIBUTES = ("grad", "requires_grad", "data")


class Statements:
    """The statement half of the Interpreter (interpreter/core.py), which mixes it in."""

    locals: dict[str, Any]
    globals: dict[str, Any]
    enclosing: tuple[dict[str, Any], ...]
    limits: Any
    steps: int
    source: str

    def _store_item(self, obj: Any, key: Any, value: Any, target: N.Subscript) -> None:
        if not isinstance(obj, Tensor):
            raise GradcliError("type", f"'{type_name(obj)}' object does not support item "
                               "assignment", target.line, target.column)
        E.setitem(obj, key, value)

    def _check_assignable(self, target: N.Expr) -> None:
        # Op names (t, dot, ...) may be shadowed as in Python; Python's own builtins and
        # `torch` may not: rebinding them is nearly always a mistake that breaks later lines.
        if target.id in PROTECTED and target.id not in self.locals:
            raise GradcliError(
                "name", f"cannot assign to '{target.id}': it is a built-in name",
                target.line, target.column, hint="pick another variable name")

    def _set_attribute(self, obj: Any, target: N.Attribute, value: Any) -> None:
        name = target.attr
        if not isinstance(obj, Tensor) or name not in _ASSIGNABLE_ATTRIBUTES:
            raise GradcliError("name", f"cannot set attribute '{name}'", target.line,
                               target.column,
                               hint="only .grad, .requires_grad and .data of a tensor can be set")
        if name == "grad":
            obj.set_grad(value)
        elif name == "requires_grad":
            obj.requires_grad_(bool(value), refusal="attribute")
        else:
            obj.set_data(value)

    def _tick(self, node: N.Node) -> None:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise GradcliError(
                "limit", f"the program ran more than {self.limits.max_steps:,} loop iterations "
                "(--max-steps)", node.line, node.column,
                hint="check the loop's condition, or raise the limit with --max-steps N")

    def _charge(self, name: str, args: list[Any], node: N.Node) -> None:
        """A builtin that walks sequences (max, list, zip, ...) counts their items as loop
        iterations, and one that builds a sequence counts them against --max-elements, before
        it runs: it runs in C, where neither the limits nor Ctrl-C could stop it."""
        items = sum(length_of(a) for a in args)
        if name in MATERIALISING and items > LIMITS["max_elements"]:
            raise GradcliError(
                "limit", f"{name}() would hold {items:,} items, more than the limit of "
                f"{LIMITS['max_elements']:,} elements (--max-elements)",
                hint="use a tensor, e.g. arange(n), or raise the limit with --max-elements N")
        self.steps += items
        if self.steps > self.limits.max_steps:
            raise GradcliError(
                "limit", f"{name}() over {items:,} items would take the program past "
                f"{self.limits.max_steps:,} loop iterations (--max-steps)",
                hint="use a tensor, e.g. arange(n), or raise the limit with --max-steps N")

    def _module(self, dotted: str, stmt: N.Import | N.ImportFrom) -> Namespace:
        """``torch`` or one of its namespaces (``torch.nn.functional``); nothing else."""
        parts = dotted.split(".")
        module: Any = TORCH if parts[0] == "torch" else None
        for part in parts[1:]:
            module = module.members.get(part) if isinstance(module, Namespace) else None
        if not isinstance(module, Namespace):
            raise GradcliError("name", f"No module named '{dotted}': only torch (and "
                               "torch.autograd, torch.nn.functional) can be imported",
                               stmt.line, stmt.column,
                               hint="everything torch offers here is built in; drop the import")
        return module


# -- compiling ----------------------------------------------------------------------------------
# A statement is compiled once into a closure run(interpreter) (see compile_expression). A
# top-level statement (of the program, or of a loop, ``if`` or ``with`` there) echoes its
# expression's value and names its line; a function's body is not top level.

Run = Callable[[Any], None]
_SIGNALS = (ReturnSignal, BreakSignal, ContinueSignal)


def compile_block(body: Iterable[N.Stmt], top: bool = False) -> Run:
    """The closure that runs ``body``'s statements in order."""
    stmts = [(stmt.line, compile_statement(stmt, top)) for stmt in body]
    if top:
        def run_top(it: Any) -> None:
            for line, stmt in stmts:
                it.line = line
                stmt(it)

        return run_top
    runs = [stmt for _, stmt in stmts]
    if len(runs) == 1:
        return runs[0]

    def run(it: Any) -> None:
        for stmt in runs:
            stmt(it)

    return run


def compile_statement(stmt: N.Stmt, top: bool) -> Run:
    """The closure that runs ``stmt``: errors under it located at it, unless located inside."""
    compile_stmt = _STATEMENTS.get(type(stmt))
    if compile_stmt is None:
        def unsupported(it: Any) -> None:
            raise GradcliError("syntax", f"unsupported statement {type(stmt).__name__}",
                               stmt.line, stmt.column)

        return unsupported
    if type(stmt) is N.Assign:
        name = _assigned_name(stmt)
        if name is not None:
            return _assign_name(stmt, name)
    body = compile_stmt(stmt, top)
    line, column = stmt.line, stmt.column

    def run(it: Any) -> None:
        try:
            body(it)
        except _SIGNALS:
            raise
        except GradcliError as e:
            e.located(line, column)
            raise
        except OSError:  # the machine's (a full disk under the echo): the guard reports it
            raise
        except Exception as e:  # noqa: BLE001 - see _statement_error
            raise _statement_error(e, line, column) from None

    return run


def _statement_error(e: Exception, line: int, column: int) -> GradcliError:
    """What a statement at ``line``, ``column`` raised, as an error there: an engine's error,
    Python's stack running out, or (anything else) a bug in gradcli."""
    if isinstance(e, EngineError):
        return GradcliError(e.kind, e.message, line, column, e.hint)
    if isinstance(e, RecursionError):
        return GradcliError("limit", "the program nests too deeply for the interpreter",
                            line, column, hint="lower the nesting or the recursion depth")
    return InternalError(e).located(line, column)


def _assigned_name(stmt: N.Assign) -> str | None:
    """The variable of ``x = ...`` (one plain name that is no built-in's), else None."""
    targets = stmt.targets
    if len(targets) == 1 and type(targets[0]) is N.Name and targets[0].id not in PROTECTED:
        return targets[0].id
    return None


def _assign_name(stmt: N.Assign, name: str) -> Run:
    """``x = ...``: the value stored directly (what compile_target's closure does), in one
    closure with compile_statement's."""
    value = compile_expression(stmt.value)
    line, column = stmt.line, stmt.column

    def run(it: Any) -> None:
        try:
            it.locals[name] = value(it)
        except GradcliError as e:
            e.located(line, column)
            raise
        except OSError:
            raise
        except Exception as e:  # noqa: BLE001 - see _statement_error
            raise _statement_error(e, line, column) from None

    return run


def _expr_stmt(stmt: N.ExprStmt, top: bool) -> Run:
    value = compile_expression(stmt.value)
    if not top:
        return value

    def run(it: Any) -> None:
        result = value(it)
        if it.echo is not None and result is not None:
            it.echo(result, stmt)

    return run


def compile_target(target: N.Expr) -> Callable[[Any, Any], None]:
    """The closure run(interpreter, value) that assigns ``value`` to ``target``."""
    kind = type(target)
    if kind is N.Name:
        name = target.id

        def to_name(it: Any, value: Any) -> None:
            it._check_assignable(target)
            it.locals[name] = value

        return to_name
    if kind in (N.TupleLit, N.ListLit):
        targets = [compile_target(t) for t in target.items]

        def unpack(it: Any, value: Any) -> None:
            items = list(items_of(value)) if not isinstance(value, (tuple, list)) else list(value)
            if len(items) != len(targets):
                raise GradcliError(
                    "value", f"cannot unpack {len(items)} values into {len(targets)} names",
                    target.line, target.column)
            for assign, item in zip(targets, items):
                assign(it, item)

        return unpack
    if kind is N.Subscript:
        obj_of, index = compile_expression(target.value), compile_index(target.index)
        return lambda it, value: it._store_item(obj_of(it), index(it), value, target)
    if kind is N.Attribute:
        owner = compile_expression(target.value)
        return lambda it, value: it._set_attribute(owner(it), target, value)

    def refused(it: Any, value: Any) -> None:
        raise GradcliError("syntax", "cannot assign to this expression", target.line,
                           target.column)

    return refused


def _assign(stmt: N.Assign, top: bool) -> Run:
    value = compile_expression(stmt.value)
    assigns = [compile_target(t) for t in stmt.targets]

    def run(it: Any) -> None:
        result = value(it)
        for assign in assigns:
            assign(it, result)

    return run


def _aug_assign(stmt: N.AugAssign, top: bool) -> Run:
    """As Python runs ``a[i] += v``: ``a`` and ``i`` once, then ``a[i]``, then ``v``, the
    in-place operation, and the store ``a[i] = result``. ``a[i]`` is a view (written
    through already) or, for a mask or a gather, a copy that only the store writes back."""
    target, op = stmt.target, stmt.op.rstrip("=")
    kind = type(target)
    value_of = compile_expression(stmt.value)
    assign = compile_target(target)
    fn = TENSOR_BINARY.get(op)
    if kind is N.Subscript:
        obj_of, index_of = compile_expression(target.value), compile_index(target.index)
    else:
        current_of = compile_expression(target)

    def run(it: Any) -> None:
        if kind is N.Subscript:
            obj = obj_of(it)
            key = index_of(it)
            current = it._item(obj, key, target)
        else:
            current = current_of(it)
        value = value_of(it)
        if isinstance(current, Tensor):
            if fn is None:
                raise GradcliError("syntax", f"unsupported in-place operator {stmt.op}")
            E.apply_(current, fn, value)
            result = current
        else:
            result = binary(op, current, value, stmt, it.to_text)
        if kind is N.Subscript:
            it._store_item(obj, key, result, target)
        elif kind is N.Name and isinstance(current, Tensor):
            it.locals[target.id] = current
        elif not isinstance(current, Tensor):  # x.grad += g changed x.grad itself
            assign(it, result)

    return run


def _function_def(stmt: N.FunctionDef, top: bool) -> Run:
    defaults = [(p.name, compile_expression(p.default)) for p in stmt.params
                if p.default is not None]
    params = tuple(p.name for p in stmt.params)
    body = compile_block(stmt.body)

    def run(it: Any) -> None:
        values = {name: default(it) for name, default in defaults}
        scopes = it.enclosing + ((it.locals,) if it.locals is not it.globals else ())
        it.locals[stmt.name] = UserFunction(stmt.name, params, values, body, scopes, it.source)

    return run


def _return(stmt: N.Return, top: bool) -> Run:
    if stmt.value is None:
        def bare(it: Any) -> None:
            raise ReturnSignal(None)

        return bare
    value = compile_expression(stmt.value)

    def run(it: Any) -> None:
        raise ReturnSignal(value(it))

    return run


def _if(stmt: N.If, top: bool) -> Run:
    test, test_node = compile_expression(stmt.test), stmt.test
    body = compile_block(stmt.body, top)
    orelse = compile_block(stmt.orelse, top) if stmt.orelse else None

    def run(it: Any) -> None:
        if truth(test(it), test_node):
            body(it)
        elif orelse is not None:
            orelse(it)

    return run


def _while(stmt: N.While, top: bool) -> Run:
    test, test_node = compile_expression(stmt.test), stmt.test
    body = compile_block(stmt.body, top)

    def run(it: Any) -> None:
        limit = it.limits.max_steps
        while truth(test(it), test_node):
            if it.steps >= limit:
                it._tick(stmt)  # raises
            it.steps += 1  # _tick, inlined
            try:
                body(it)
            except BreakSignal:
                break
            except ContinueSignal:
                pass

    return run


def _for(stmt: N.For, top: bool) -> Run:
    target, iterable = stmt.target, compile_expression(stmt.iter)
    body = compile_block(stmt.body, top)
    # for i in ...: a plain name is stored directly (what compile_target's closure does)
    name = target.id if type(target) is N.Name and target.id not in PROTECTED else None
    assign = compile_target(target)

    def run(it: Any) -> None:
        limit = it.limits.max_steps
        for item in items_of(iterable(it)):
            if name is not None:
                it.locals[name] = item
            else:
                assign(it, item)
            if it.steps >= limit:
                it._tick(stmt)  # raises
            it.steps += 1  # _tick, inlined
            try:
                body(it)
            except BreakSignal:
                break
            except ContinueSignal:
                pass

    return run


def _break(stmt: N.Break, top: bool) -> Run:
    def run(it: Any) -> None:
        raise BreakSignal()

    return run


def _continue(stmt: N.Continue, top: bool) -> Run:
    def run(it: Any) -> None:
        raise ContinueSignal()

    return run


def _pass(stmt: N.Pass, top: bool) -> Run:
    return lambda it: None


def _with(stmt: N.With, top: bool) -> Run:
    context = compile_expression(stmt.context)
    assign = None if stmt.target is None else compile_target(stmt.target)
    body = compile_block(stmt.body, top)

    def run(it: Any) -> None:
        ctx = context(it)
        if not isinstance(ctx, AbstractContextManager):
            raise GradcliError("type", "`with` needs a context such as torch.no_grad()",
                               stmt.context.line, stmt.context.column)
        with ctx as entered:
            if assign is not None:
                assign(it, entered)
            body(it)

    return run


def _assert(stmt: N.Assert, top: bool) -> Run:
    test, test_node = compile_expression(stmt.test), stmt.test
    message = None if stmt.msg is None else compile_expression(stmt.msg)

    def run(it: Any) -> None:
        if not truth(test(it), test_node):
            msg = "" if message is None else it.to_text(message(it))
            raise GradcliError("value", f"assertion failed{': ' + msg if msg else ''}",
                               stmt.line, stmt.column)

    return run


def _import(stmt: N.Import, top: bool) -> Run:
    def run(it: Any) -> None:
        module = it._module(stmt.module, stmt)
        if stmt.alias is not None:
            it.locals[stmt.alias] = module
        else:
            it.locals["torch"] = TORCH

    return run


def _import_from(stmt: N.ImportFrom, top: bool) -> Run:
    def run(it: Any) -> None:
        module = it._module(stmt.module, stmt)
        for item in stmt.names:
            name, alias = item.name, item.alias
            if name not in module.members:
                raise GradcliError("name", f"cannot import name '{name}' from '{module.name}'",
                                   stmt.line, stmt.column, hint=suggest(name, module.members))
            it.locals[alias or name] = module.members[name]

    return run


_STATEMENTS: dict[type, Callable[[Any, bool], Run]] = {
    N.ExprStmt: _expr_stmt, N.Assign: _assign, N.AugAssign: _aug_assign,
    N.FunctionDef: _function_def, N.Return: _return, N.If: _if, N.While: _while, N.For: _for,
    N.Break: _break, N.Continue: _continue, N.Pass: _pass, N.With: _with, N.Assert: _assert,
    N.Import: _import, N.ImportFrom: _import_from,
}
