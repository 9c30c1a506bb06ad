"""Statements of the language as Python runs them: assignment, control flow, function
definitions, ``with``, ``assert`` and imports; the signals of ``return``, ``break`` and
``continue``."""

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
from .iteration import items_of, length_of
from .pyvalues import (
    TENSOR_BINARY,
    binary,
    suggest,
    truth,
    type_name,
)
from .values import Namespace, UserFunction

_ASSIGNABLE_ATTRIBUTES = ("grad", "requires_grad", "data")


class ReturnSignal(Exception):
    """``return``: carries its value out of the function's body (Expressions.call_user)."""

    def __init__(self, value: Any) -> None:
        self.value = value


class BreakSignal(Exception):
    """``break``: leaves the innermost loop."""


class ContinueSignal(Exception):
    """``continue``: ends the innermost loop's step."""


class Statements:
    """The statement half of the Interpreter (interpreter/core.py), which mixes it in."""

    # -- statements -----------------------------------------------------------------------
    def exec_block(self, body: Iterable[N.Stmt], top: bool = False) -> None:
        for stmt in body:
            if top:
                self.line = stmt.line
            self.exec(stmt, top)

    def exec(self, stmt: N.Stmt, top: bool = False) -> None:
        try:
            handler = self._STATEMENTS[type(stmt)]
        except KeyError:
            raise GradcliError("syntax", f"unsupported statement {type(stmt).__name__}",
                               stmt.line, stmt.column) from None
        try:
            handler(self, stmt, top)
        except (ReturnSignal, BreakSignal, ContinueSignal):
            raise
        except GradcliError as e:
            e.located(stmt.line, stmt.column)
            raise
        except EngineError as e:
            raise GradcliError(e.kind, e.message, stmt.line, stmt.column, e.hint) from None
        except RecursionError:
            raise GradcliError("limit", "the program nests too deeply for the interpreter",
                               stmt.line, stmt.column,
                               hint="lower the nesting or the recursion depth") from None
        except OSError:  # the machine's (a full disk under the echo): the guard reports it
            raise
        except Exception as e:  # noqa: BLE001 - a bug in gradcli: an error of its statement
            raise InternalError(e).located(stmt.line, stmt.column) from None

    def _expr_stmt(self, stmt: N.ExprStmt, top: bool) -> None:
        value = self.eval(stmt.value)
        if top and self.echo is not None and value is not None:
            self.echo(value, stmt)

    def _assign(self, stmt: N.Assign, top: bool) -> None:
        value = self.eval(stmt.value)
        targets = stmt.targets
        if len(targets) == 1 and type(targets[0]) is N.Name and targets[0].id not in PROTECTED:
            self.locals[targets[0].id] = value  # x = ...: what assign() does, directly
            return
        for target in targets:
            self.assign(target, value)

    def assign(self, target: N.Expr, value: Any) -> None:
        kind = type(target)
        if kind is N.Name:
            self._check_assignable(target)
            self.locals[target.id] = value
        elif kind in (N.TupleLit, N.ListLit):
            items = list(items_of(value)) if not isinstance(value, (tuple, list)) else list(value)
            if len(items) != len(target.items):
                raise GradcliError(
                    "value", f"cannot unpack {len(items)} values into {len(target.items)} names",
                    target.line, target.column)
            for t, v in zip(target.items, items):
                self.assign(t, v)
        elif kind is N.Subscript:
            self._store_item(self.eval(target.value), self._index(target.index), value, target)
        elif kind is N.Attribute:
            obj = self.eval(target.value)
            self._set_attribute(obj, target, value)
        else:
            raise GradcliError("syntax", "cannot assign to this expression", target.line,
                               target.column)

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

    def _aug_assign(self, stmt: N.AugAssign, top: bool) -> None:
        """As Python runs ``a[i] += v``: ``a`` and ``i`` once, then ``a[i]``, then ``v``, the
        in-place operation, and the store ``a[i] = result``. ``a[i]`` is a view (written
        through already) or, for a mask or a gather, a copy that only the store writes back."""
        target, op = stmt.target, stmt.op.rstrip("=")
        kind = type(target)
        if kind is N.Subscript:
            obj = self.eval(target.value)
            key = self._index(target.index)
            current = self._item(obj, key, target)
        else:
            current = self.eval(target)
        value = self.eval(stmt.value)
        if isinstance(current, Tensor):
            fn = TENSOR_BINARY.get(op)
            if fn is None:
                raise GradcliError("syntax", f"unsupported in-place operator {stmt.op}")
            E.apply_(current, fn, value)
            result = current
        else:
            result = binary(op, current, value, stmt, self.to_text)
        if kind is N.Subscript:
            self._store_item(obj, key, result, target)
        elif kind is N.Name and isinstance(current, Tensor):
            self.locals[target.id] = current
        elif not isinstance(current, Tensor):  # x.grad += g changed x.grad itself
            self.assign(target, result)

    def _function_def(self, stmt: N.FunctionDef, top: bool) -> None:
        defaults = {p.name: self.eval(p.default) for p in stmt.params if p.default is not None}
        scopes = self.enclosing + ((self.locals,) if self.locals is not self.globals else ())
        self.locals[stmt.name] = UserFunction(stmt.name, tuple(p.name for p in stmt.params),
                                              defaults, tuple(stmt.body), scopes, self.source)

    def _return(self, stmt: N.Return, top: bool) -> None:
        raise ReturnSignal(None if stmt.value is None else self.eval(stmt.value))

    def _if(self, stmt: N.If, top: bool) -> None:
        if truth(self.eval(stmt.test), stmt.test):
            self.exec_block(stmt.body, top)
        elif stmt.orelse:
            self.exec_block(stmt.orelse, top)

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

    def _iteration(self, stmt: N.While | N.For, top: bool) -> bool:
        """Run a loop body once; False when it breaks out of the loop."""
        if self.steps >= self.limits.max_steps:
            self._tick(stmt)  # raises
        self.steps += 1  # _tick, inlined
        try:
            self.exec_block(stmt.body, top)
        except BreakSignal:
            return False
        except ContinueSignal:
            pass
        return True

    def _while(self, stmt: N.While, top: bool) -> None:
        while truth(self.eval(stmt.test), stmt.test):
            if not self._iteration(stmt, top):
                break

    def _for(self, stmt: N.For, top: bool) -> None:
        target = stmt.target
        # for i in ...: a plain name is stored directly (what assign() does with it)
        name = target.id if type(target) is N.Name and target.id not in PROTECTED else None
        for item in items_of(self.eval(stmt.iter)):
            if name is not None:
                self.locals[name] = item
            else:
                self.assign(target, item)
            if not self._iteration(stmt, top):
                break

    def _break(self, stmt: N.Break, top: bool) -> None:
        raise BreakSignal()

    def _continue(self, stmt: N.Continue, top: bool) -> None:
        raise ContinueSignal()

    def _pass(self, stmt: N.Pass, top: bool) -> None:
        pass

    def _with(self, stmt: N.With, top: bool) -> None:
        ctx = self.eval(stmt.context)
        if not isinstance(ctx, AbstractContextManager):
            raise GradcliError("type", "`with` needs a context such as torch.no_grad()",
                               stmt.context.line, stmt.context.column)
        with ctx as entered:
            if stmt.target is not None:
                self.assign(stmt.target, entered)
            self.exec_block(stmt.body, top)

    def _assert(self, stmt: N.Assert, top: bool) -> None:
        if not truth(self.eval(stmt.test), stmt.test):
            msg = "" if stmt.msg is None else self.to_text(self.eval(stmt.msg))
            raise GradcliError("value", f"assertion failed{': ' + msg if msg else ''}",
                               stmt.line, stmt.column)

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

    def _import(self, stmt: N.Import, top: bool) -> None:
        module = self._module(stmt.module, stmt)
        if stmt.alias is not None:
            self.locals[stmt.alias] = module
        else:
            self.locals["torch"] = TORCH

    def _import_from(self, stmt: N.ImportFrom, top: bool) -> None:
        module = self._module(stmt.module, stmt)
        for item in stmt.names:
            name, alias = item.name, item.alias
            if name not in module.members:
                raise GradcliError("name", f"cannot import name '{name}' from '{module.name}'",
                                   stmt.line, stmt.column, hint=suggest(name, module.members))
            self.locals[alias or name] = module.members[name]

    # -- expressions ----------------------------------------------------------------------
    _STATEMENTS: dict[type, Callable[[Any, Any, bool], None]] = {}


Statements._STATEMENTS = {
    N.ExprStmt: Statements._expr_stmt, N.Assign: Statements._assign,
    N.AugAssign: Statements._aug_assign, N.FunctionDef: Statements._function_def,
    N.Return: Statements._return, N.If: Statements._if, N.While: Statements._while,
    N.For: Statements._for, N.Break: Statements._break, N.Continue: Statements._continue,
    N.Pass: Statements._pass, N.With: Statements._with, N.Assert: Statements._assert,
    N.Import: Statements._import, N.ImportFrom: Statements._import_from,
}
