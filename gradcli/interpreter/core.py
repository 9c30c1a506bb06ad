"""The interpreter: walks syntax nodes onto the engine, with Python's scoping and control flow.

Expressions evaluate to tensors, Python numbers, strings, tuples, lists, ranges and the
callables of ``values.py``. Errors from the engine get the position of the node that raised
them (the innermost one); loops count steps and calls count depth against the limits.
"""

from __future__ import annotations

import difflib
import operator
import re
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from ..engine import EngineError, Tensor, bump_version
from ..engine import ops as E
from ..engine.ops import LIMITS, OPS, ReturnTypes
from ..errors import GradcliError
from ..limits import MAX_CALL_DEPTH, MAX_STEPS
from ..syntax import nodes as N
from .builtins import (
    ITERATING,
    KEYWORD_ALIASES,
    MATERIALISING,
    PRINT,
    PROTECTED,
    SHADOWED,
    TORCH,
    global_names,
    interpreter_bound,
)
from .calls import bind_method, bind_op, call_positional, list_parameter
from .iteration import items_of, length_of
from .trace import not_finite
from .values import BoundMethod, Builtin, Namespace, OpFunction, UserFunction

#: Attributes of tensors the language exposes; nothing else of Python is reachable.
TENSOR_ATTRIBUTES = ("grad", "grad_fn", "requires_grad", "is_leaf", "shape", "dtype", "T",
                     "ndim", "data")
_ASSIGNABLE_ATTRIBUTES = ("grad", "requires_grad", "data")
#: Constants that Python spells math.pi and the language, as PyTorch, torch.pi.
CONSTANTS = frozenset({"pi", "e", "inf", "nan"})


@dataclass
class Limits:
    """Run-time limits (SPEC section 6); each has a command-line flag."""

    max_steps: int = MAX_STEPS
    max_depth: int = MAX_CALL_DEPTH


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_TENSOR_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": E.add, "-": E.sub, "*": E.mul, "/": E.div, "//": E.floor_divide, "%": E.remainder,
    "**": E.pow, "@": E.matmul, "&": E.bitwise_and, "|": E.bitwise_or,
}
#: Operators whose result may be written into a temporary left operand (E.into_left).
_INTO_LEFT = {"+": "add", "-": "sub"}


def _counts(t: Tensor) -> tuple[int, int]:
    """References to a tensor and to its array, as seen from a function given the tensor."""
    return sys.getrefcount(t), sys.getrefcount(t.data)


def _temporary_counts() -> tuple[int, int]:
    """_counts of a tensor held by one local variable only, and whose array only it holds."""
    t = E.zeros(1)
    counts = _counts(t)
    return counts


#: What _counts gives, called from Interpreter._binop, for a temporary of the expression.
_TEMPORARY = _temporary_counts()


_PY_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "&": operator.and_,
    "|": operator.or_,
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}


_QUALIFIED_CALL = re.compile(r"^[\w.<>]+\(\)")
#: Python frames one call of a user function takes (about 9) and those the deepest
#: expression may take, with margin: Python's recursion limit must let --max-depth be reached.
_FRAMES_PER_CALL = 16
_FRAMES_BASE = 3000
#: Beyond this the C stack, not the recursion limit, could give out first.
_MOST_FRAMES = 40_000


def _make_room(max_depth: int) -> None:
    wanted = min(_FRAMES_BASE + _FRAMES_PER_CALL * max_depth, _MOST_FRAMES)
    if sys.getrecursionlimit() < wanted:
        sys.setrecursionlimit(wanted)


#: Integers of the language stay below Python's limit for printing them (4300 digits).
_MAX_INT_BITS = 14_000


def _check_int_size(op: str, a: int, b: int) -> None:
    """Refuse an int product or power too large to print, before computing it."""
    if op == "*":
        bits = a.bit_length() + b.bit_length()
    elif b <= 0 or abs(a) <= 1:
        return
    else:
        bits = (abs(a).bit_length() - 1) * b
    if bits > _MAX_INT_BITS:
        what = f"{a} {op} {b}" if max(abs(a), abs(b)) < 10**20 else f"the {op}"
        raise GradcliError(
            "limit", f"{what} is too large to compute: the integer result would have more "
            "than 4,300 digits", hint="use floats, e.g. 2.0 ** 5000 (which is inf), or "
            "smaller numbers")


class Interpreter:
    """Evaluates expressions and runs statements, keeping variables between calls."""

    def __init__(self, *, limits: Limits | None = None,
                 to_text: Callable[[Any], str] = str,
                 write: Callable[[str], None] = lambda s: sys.stdout.write(s),
                 echo: Callable[[Any, Any], None] | None = None,
                 detect_anomaly: bool = False) -> None:
        self.limits = limits or Limits()
        _make_room(self.limits.max_depth)
        self.detect_anomaly = detect_anomaly
        self.to_text = to_text
        self.write = write
        self.echo = echo
        # print and str are shared too: call() runs this interpreter's _print and _str (a
        # bound method kept here would make a cycle, interpreter -> builtins -> method ->
        # interpreter, and the interpreter, its variables and their gradients would wait for
        # the cyclic collector instead of going when the evaluation is done).
        self.builtins = global_names()
        self.globals: dict[str, Any] = {}
        self.locals: dict[str, Any] = self.globals
        self.enclosing: tuple[dict[str, Any], ...] = ()
        self.steps = 0
        self.depth = 0
        self.source = ""
        #: Line of the top-level statement running now (for output that names its line).
        self.line = 0

    # -- entry points ---------------------------------------------------------------------
    def evaluate(self, node: Any, source: str = "") -> Any:
        """Evaluate one expression node; errors carry positions in ``source``."""
        self.source = source
        try:
            return self.eval(node)
        except GradcliError as e:
            raise e.located(None, None, source) from None

    def run(self, program: Any, source: str = "") -> None:
        """Run a program's statements at top level, echoing expression statements."""
        self.source = source
        try:
            self.exec_block(program.body, top=True)
        except GradcliError as e:
            raise e.located(None, None, source) from None
        except (_Break, _Continue):
            raise GradcliError("syntax", "'break' or 'continue' outside a loop") from None
        except _Return:
            raise GradcliError("syntax", "'return' outside a function") from None

    # -- statements -----------------------------------------------------------------------
    def exec_block(self, body: Any, top: bool = False) -> None:
        for stmt in body:
            if top:
                self.line = stmt.line
            self.exec(stmt, top)

    def exec(self, stmt: Any, top: bool = False) -> None:
        try:
            handler = self._STATEMENTS[type(stmt)]
        except KeyError:
            raise GradcliError("syntax", f"unsupported statement {type(stmt).__name__}",
                               stmt.line, stmt.column) from None
        try:
            handler(self, stmt, top)
        except (_Return, _Break, _Continue):
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

    def _expr_stmt(self, stmt: Any, top: bool) -> None:
        value = self.eval(stmt.value)
        if top and self.echo is not None and value is not None:
            self.echo(value, stmt)

    def _assign(self, stmt: Any, top: bool) -> None:
        value = self.eval(stmt.value)
        targets = stmt.targets
        if len(targets) == 1 and type(targets[0]) is N.Name and targets[0].id not in PROTECTED:
            self.locals[targets[0].id] = value  # x = ...: what assign() does, directly
            return
        for target in targets:
            self.assign(target, value)

    def assign(self, target: Any, value: Any) -> None:
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

    def _store_item(self, obj: Any, key: Any, value: Any, target: Any) -> None:
        if not isinstance(obj, Tensor):
            raise GradcliError("type", f"'{_type_name(obj)}' object does not support item "
                               "assignment", target.line, target.column)
        E.setitem(obj, key, value)

    def _check_assignable(self, target: Any) -> None:
        # Op names (t, dot, ...) may be shadowed as in Python; Python's own builtins and
        # `torch` may not: rebinding them is nearly always a mistake that breaks later lines.
        if target.id in PROTECTED and target.id not in self.locals:
            raise GradcliError(
                "name", f"cannot assign to '{target.id}': it is a built-in name",
                target.line, target.column, hint="pick another variable name")

    def _set_attribute(self, obj: Any, target: Any, value: Any) -> None:
        name = target.attr
        if not isinstance(obj, Tensor) or name not in _ASSIGNABLE_ATTRIBUTES:
            raise GradcliError("name", f"cannot set attribute '{name}'", target.line,
                               target.column,
                               hint="only .grad, .requires_grad and .data of a tensor can be set")
        if name == "grad":
            if value is not None and not isinstance(value, Tensor):
                raise GradcliError("type", "assigned grad expected to be a Tensor or None")
            if value is not None and value.data.shape != obj.data.shape:
                raise GradcliError(
                    "shape", f"attempting to assign a gradient of size "
                    f"'{list(value.data.shape)}' to a tensor of size '{list(obj.data.shape)}'. "
                    "Please ensure that the gradient and the tensor are the same size",
                    hint="a gradient has its tensor's shape")
            if value is not None and value.data.dtype != obj.data.dtype:
                raise GradcliError(
                    "type", f"attempting to assign a gradient with dtype "
                    f"'{value.data.dtype}' to a tensor of dtype '{obj.data.dtype}'",
                    hint=f"convert it first, e.g. g.to({obj.data.dtype})")
            obj.grad = value
        elif name == "requires_grad":
            obj.requires_grad_(bool(value), refusal="attribute")
        else:
            if not isinstance(value, Tensor):
                raise GradcliError("type", "x.data must be assigned a tensor")
            obj.data = value.data
            bump_version(obj)

    def _aug_assign(self, stmt: Any, top: bool) -> None:
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
            fn = _TENSOR_BINARY.get(op)
            if fn is None:
                raise GradcliError("syntax", f"unsupported in-place operator {stmt.op}")
            E.apply_(current, fn, value)
            result = current
        else:
            result = self._binary(op, current, value, stmt)
        if kind is N.Subscript:
            self._store_item(obj, key, result, target)
        elif kind is N.Name and isinstance(current, Tensor):
            self.locals[target.id] = current
        elif not isinstance(current, Tensor):  # x.grad += g changed x.grad itself
            self.assign(target, result)

    def _function_def(self, stmt: Any, top: bool) -> None:
        defaults = {p.name: self.eval(p.default) for p in stmt.params if p.default is not None}
        scopes = self.enclosing + ((self.locals,) if self.locals is not self.globals else ())
        self.locals[stmt.name] = UserFunction(stmt.name, tuple(p.name for p in stmt.params),
                                              defaults, tuple(stmt.body), scopes, self.source)

    def _return(self, stmt: Any, top: bool) -> None:
        raise _Return(None if stmt.value is None else self.eval(stmt.value))

    def _if(self, stmt: Any, top: bool) -> None:
        if self.truth(self.eval(stmt.test), stmt.test):
            self.exec_block(stmt.body, top)
        elif stmt.orelse:
            self.exec_block(stmt.orelse, top)

    def _tick(self, node: Any) -> None:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise GradcliError(
                "limit", f"the program ran more than {self.limits.max_steps:,} loop iterations "
                "(--max-steps)", node.line, node.column,
                hint="check the loop's condition, or raise the limit with --max-steps N")

    def _charge(self, name: str, args: list[Any], node: Any) -> None:
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

    def _iteration(self, stmt: Any, top: bool) -> bool:
        """Run a loop body once; False when it breaks out of the loop."""
        if self.steps >= self.limits.max_steps:
            self._tick(stmt)  # raises
        self.steps += 1  # _tick, inlined
        try:
            self.exec_block(stmt.body, top)
        except _Break:
            return False
        except _Continue:
            pass
        return True

    def _while(self, stmt: Any, top: bool) -> None:
        while self.truth(self.eval(stmt.test), stmt.test):
            if not self._iteration(stmt, top):
                break

    def _for(self, stmt: Any, top: bool) -> None:
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

    def _break(self, stmt: Any, top: bool) -> None:
        raise _Break()

    def _continue(self, stmt: Any, top: bool) -> None:
        raise _Continue()

    def _pass(self, stmt: Any, top: bool) -> None:
        pass

    def _with(self, stmt: Any, top: bool) -> None:
        ctx = self.eval(stmt.context)
        if not isinstance(ctx, AbstractContextManager):
            raise GradcliError("type", "`with` needs a context such as torch.no_grad()",
                               stmt.context.line, stmt.context.column)
        with ctx as entered:
            if stmt.target is not None:
                self.assign(stmt.target, entered)
            self.exec_block(stmt.body, top)

    def _assert(self, stmt: Any, top: bool) -> None:
        if not self.truth(self.eval(stmt.test), stmt.test):
            msg = "" if stmt.msg is None else self.to_text(self.eval(stmt.msg))
            raise GradcliError("value", f"assertion failed{': ' + msg if msg else ''}",
                               stmt.line, stmt.column)

    def _module(self, dotted: str, stmt: Any) -> Namespace:
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

    def _import(self, stmt: Any, top: bool) -> None:
        module = self._module(stmt.module, stmt)
        if stmt.alias is not None:
            self.locals[stmt.alias] = module
        else:
            self.locals["torch"] = TORCH

    def _import_from(self, stmt: Any, top: bool) -> None:
        module = self._module(stmt.module, stmt)
        for item in stmt.names:
            name, alias = item.name, item.alias
            if name not in module.members:
                raise GradcliError("name", f"cannot import name '{name}' from '{module.name}'",
                                   stmt.line, stmt.column, hint=_suggest(name, module.members))
            self.locals[alias or name] = module.members[name]

    # -- expressions ----------------------------------------------------------------------
    def eval(self, node: Any) -> Any:
        try:
            result = self._EXPRESSIONS[type(node)](self, node)
            if type(result) is Tensor:
                if self.detect_anomaly:
                    self._note_origin(result, node)
                else:
                    fn = result.grad_fn
                    if fn is not None and fn.origin is None:
                        fn.origin = node  # _note_origin's first half
            return result
        except GradcliError as e:
            e.located(node.line, node.column, end_column=N.end_on_line(node))
            raise
        except EngineError as e:
            raise GradcliError(e.kind, e.message, node.line, node.column, e.hint,
                               end_column=N.end_on_line(node)) from None
        except ZeroDivisionError:
            raise GradcliError("value", "division by zero", node.line, node.column) from None
        except OverflowError as e:
            detail = str(e) if not e.args or isinstance(e.args[0], str) else "out of range"
            raise GradcliError("value", f"number too large for a Python float: {detail}",
                               node.line, node.column,
                               hint="tensor arithmetic gives inf instead, e.g. tensor(2.0) ** 10000"
                               ) from None
        except MemoryError:
            raise GradcliError("limit", "out of memory", node.line, node.column,
                               hint="lower the sizes, or --max-elements") from None

    def _note_origin(self, result: Tensor, node: Any) -> None:
        """Remember where each operation was written (for anomaly reports), and check it."""
        fn = result.grad_fn
        if fn is not None and fn.origin is None:
            fn.origin = node  # the AST node: its span is read only if a report needs it
        if self.detect_anomaly and type(node) in _OPERATIONS:
            bad = not_finite(result)
            if bad is not None:
                what = f"'{fn.name}'" if fn is not None else "this operation"
                raise GradcliError(
                    "value", f"anomaly in forward: {what} produced {bad} values (the first "
                    "operation to do so)", node.line, node.column, end_column=N.end_on_line(node),
                    hint="check this operation's inputs: its domain (log, sqrt of negatives), "
                    "a division by zero or an overflow")

    def truth(self, value: Any, node: Any) -> bool:
        try:
            return bool(value)
        except EngineError as e:
            raise GradcliError(e.kind, e.message, node.line, node.column, e.hint) from None

    def _number(self, node: Any) -> Any:
        return node.value

    def _constant(self, node: Any) -> Any:
        return node.value

    def _string(self, node: Any) -> Any:
        return node.value

    def _fstring(self, node: Any) -> str:
        out = []
        for part in node.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.eval(part.value)
            spec = "" if part.format_spec is None else self._fstring(part.format_spec)
            if part.conversion == "r":
                value = self.to_text(value)
            out.append(self._format(value, spec, part))
        return "".join(out)

    def _format(self, value: Any, spec: str, node: Any) -> str:
        if isinstance(value, Tensor):
            # PyTorch formats a 0-d tensor through its Python number, spec or not.
            if value.data.ndim == 0:
                value = value.item()
            elif spec:
                raise GradcliError("type", "unsupported format string passed to Tensor.__format__",
                                   node.line, node.column)
        if not spec:
            return self.to_text(value) if not isinstance(value, str) else value
        try:
            return format(value, spec)
        except (ValueError, TypeError) as e:
            raise GradcliError("value", f"bad format spec '{spec}': {e}", node.line,
                               node.column) from None

    def _name(self, node: Any) -> Any:
        """A variable's value. Called without self.eval by the busiest handlers (operands,
        arguments): a name raises its own located error, and its value, if computed, had its
        origin noted when it was computed."""
        name = node.id
        value = self.locals.get(name, _UNSET)
        if value is not _UNSET:
            return value
        for scope in reversed(self.enclosing):
            if name in scope:
                return scope[name]
        if name in self.globals:
            return self.globals[name]
        if name in self.builtins:
            return self.builtins[name]
        hint = (f"write torch.{name}: the constants are torch.pi, torch.e, torch.inf and "
                "torch.nan" if name in CONSTANTS else _suggest(name, self._known_names()))
        raise GradcliError("name", f"name '{name}' is not defined", node.line, node.column,
                           hint=hint, end_column=N.end_on_line(node))

    def _known_names(self) -> list[str]:
        names = set(self.locals) | set(self.globals) | set(self.builtins)
        for scope in self.enclosing:
            names |= set(scope)
        return sorted(names)

    def _list(self, node: Any) -> Any:
        items = [self.eval(i) for i in node.items]
        if _is_numeric_nest(items):
            return E.tensor(items)
        return items

    def _tuple(self, node: Any) -> Any:
        return tuple(self.eval(i) for i in node.items)

    def _unary(self, node: Any) -> Any:
        value = self.eval(node.operand)
        if node.op == "not":
            return not self.truth(value, node.operand)
        if isinstance(value, Tensor):
            return {"-": E.neg, "+": lambda v: v, "~": E.logical_not}[node.op](value)
        if isinstance(value, (int, float)):
            return {"-": operator.neg, "+": operator.pos, "~": operator.invert}[node.op](value)
        raise GradcliError("type", f"bad operand type for unary {node.op}: '{_type_name(value)}'",
                           node.line, node.column)

    def _binop(self, node: Any) -> Any:
        # A name is looked up directly: eval() would add nothing to it (see _name).
        left, right = node.left, node.right
        if type(left) is N.Name:
            a = self._name(left)
            named = True  # a variable holds a: it is no temporary
        else:
            a = self.eval(left)
            named = False
        b = self._name(right) if type(right) is N.Name else self.eval(right)
        if type(a) is Tensor:
            if not named and node.op in _INTO_LEFT and _counts(a) == _TEMPORARY:
                # Nothing but this frame holds a or its array: a temporary of the expression,
                # such as e * s in e * s + x ** 2. The sum may go into its buffer.
                out = E.into_left(_INTO_LEFT[node.op], a, b)
                if out is not None:
                    return out
            if type(b) is Tensor or type(b) is float:
                return _TENSOR_BINARY[node.op](a, b)  # what _binary does with these operands
        return self._binary(node.op, a, b, node)

    def _binary(self, op: str, a: Any, b: Any, node: Any) -> Any:
        if a is None or b is None:
            raise GradcliError(
                "type", f"unsupported operand types for {op}: '{_type_name(a)}' and "
                f"'{_type_name(b)}'", node.line, node.column, end_column=N.end_on_line(node),
                hint=_none_hint(_operand(node, a is None)))
        if isinstance(a, Tensor) or isinstance(b, Tensor):
            if isinstance(a, tuple) or isinstance(b, tuple):
                # As in PyTorch: a tuple is no tensor to operators (only a list literal is).
                raise GradcliError(
                    "type", f"unsupported operand types for {op}: '{_type_name(a)}' and "
                    f"'{_type_name(b)}'", node.line, node.column,
                    hint="make it a tensor first, e.g. tensor((1, 2))")
            return _TENSOR_BINARY[op](a, b)
        if isinstance(a, list) and _is_numeric_nest(a) or isinstance(b, list) and _is_numeric_nest(b):
            return _TENSOR_BINARY[op](a, b)
        if op == "@":
            raise GradcliError("type", "@ needs tensors", node.line, node.column)
        if op in ("**", "*") and type(a) is int and type(b) is int:
            _check_int_size(op, a, b)
        if op == "*" and isinstance(a, (str, tuple, list)) != isinstance(b, (str, tuple, list)):
            seq, n = (a, b) if isinstance(a, (str, tuple, list)) else (b, a)
            if isinstance(n, int) and len(seq) * n > LIMITS["max_elements"]:
                raise GradcliError(
                    "limit", f"sequence repetition is too large: repeating a {_type_name(seq)} "
                    f"of {len(seq):,} items {n:,} times "
                    f"gives more than the limit of {LIMITS['max_elements']:,} elements "
                    "(--max-elements)",
                    hint="use a tensor, e.g. zeros(n), or raise the limit with --max-elements N")
        try:
            return _PY_BINARY[op](a, b)
        except TypeError:
            raise GradcliError(
                "type", f"unsupported operand types for {op}: '{_type_name(a)}' and "
                f"'{_type_name(b)}'", node.line, node.column) from None

    def _compare(self, node: Any) -> Any:
        left = self.eval(node.left)
        result: Any = True
        for op, right_node in zip(node.ops, node.comparators):
            right = self.eval(right_node)
            result = self._compare_pair(op, left, right, node)
            if right_node is not node.comparators[-1] and not self.truth(result, node):
                return result
            left = right
        return result

    def _compare_pair(self, op: str, a: Any, b: Any, node: Any) -> Any:
        if op in ("is", "is not"):
            same = a is b or (a is None and b is None)
            return same if op == "is" else not same
        if op in ("in", "not in"):
            raise GradcliError("syntax", f"'{op}' is not supported", node.line, node.column)
        if op in ("==", "!=") and (a is None or b is None or isinstance(a, str)
                                   or isinstance(b, str)):
            # A tensor does not compare with None or a string: Python's identity answers
            # (x == None is False in PyTorch).
            same = a is b or not isinstance(a, Tensor) and not isinstance(b, Tensor) and a == b
            return same == (op == "==")
        if isinstance(a, list) and _is_numeric_nest(a):
            a = E.tensor(a)
        if isinstance(b, list) and _is_numeric_nest(b):
            b = E.tensor(b)
        if not isinstance(a, Tensor) and not isinstance(b, Tensor) and op not in ("==", "!="):
            if not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
                raise GradcliError("type", f"'{op}' not supported between '{_type_name(a)}' and "
                                   f"'{_type_name(b)}'", node.line, node.column)
        return _COMPARE[op](a, b)

    def _boolop(self, node: Any) -> Any:
        value: Any = None
        for operand in node.values:
            value = self.eval(operand)
            truth = self.truth(value, operand)
            if (node.op == "and" and not truth) or (node.op == "or" and truth):
                return value
        return value

    def _not(self, node: Any) -> bool:
        return not self.truth(self.eval(node.operand), node.operand)

    def _ifexp(self, node: Any) -> Any:
        if self.truth(self.eval(node.test), node.test):
            return self.eval(node.body)
        return self.eval(node.orelse)

    def _attribute(self, node: Any) -> Any:
        obj = self.eval(node.value)
        return self.attribute(obj, node.attr, node)

    def attribute(self, obj: Any, name: str, node: Any) -> Any:
        if name.startswith("_"):
            raise GradcliError("name", f"attribute '{name}' is not available",
                               **_name_at_end(node, name), hint="names starting with _ are private")
        if type(obj) is Namespace:
            if name in obj.members:
                return obj.members[name]
            raise GradcliError("name", f"module '{obj.name}' has no attribute '{name}'",
                               **_name_at_end(node, name), hint=_suggest(name, obj.members))
        if isinstance(obj, Tensor):
            if name in TENSOR_ATTRIBUTES:
                return _tensor_attribute(obj, name)
            spec = OPS.get(name)
            if spec is not None and spec.method:
                return BoundMethod(spec, obj)
            known = list(TENSOR_ATTRIBUTES) + [n for n, s in OPS.items() if s.method]
            raise GradcliError("name", f"'Tensor' object has no attribute '{name}'",
                               **_name_at_end(node, name), hint=_suggest(name, known))
        if isinstance(obj, ReturnTypes) and name in ("values", "indices"):
            return getattr(obj, name)
        from ..engine import DType

        if isinstance(obj, DType) and name == "is_floating_point":
            return obj.is_floating_point
        hint = None
        if isinstance(obj, tuple) and name == "backward":
            hint = ("tuples are not backpropagated: call backward on one tensor, e.g. "
                    "(a + b).backward() or a.backward()")
        # Errors point at the attribute's name, the last thing the node spans (x.summ).
        raise GradcliError("name", f"'{_type_name(obj)}' object has no attribute '{name}'",
                           **_name_at_end(node, name), hint=hint)

    def _subscript(self, node: Any) -> Any:
        return self._item(self.eval(node.value), self._index(node.index), node)

    def _item(self, obj: Any, key: Any, node: Any) -> Any:
        if isinstance(obj, Tensor):
            return E.index(obj, key)
        if isinstance(obj, (tuple, list, str, range)):
            if isinstance(key, Tensor):
                key = key.__index__()
            try:
                return obj[key]
            except IndexError as e:
                raise GradcliError("shape", f"{e}", node.line, node.column,
                                   hint=f"it has {len(obj)} items") from None
            except TypeError as e:
                raise GradcliError("type", f"{e}", node.line, node.column) from None
        raise GradcliError("type", f"'{_type_name(obj)}' object is not subscriptable",
                           node.line, node.column)

    def _index(self, node: Any) -> Any:
        kind = type(node)
        if kind is N.Slice:
            return slice(*(None if p is None else _as_index(self.eval(p), p)
                           for p in (node.lower, node.upper, node.step)))
        if kind is N.TupleLit:
            return tuple(self._index(i) for i in node.items)
        if kind is N.EllipsisLit:
            return Ellipsis
        return self.eval(node)

    def _slice(self, node: Any) -> Any:
        return self._index(node)

    def _ellipsis(self, node: Any) -> Any:
        return Ellipsis

    def _call(self, node: Any) -> Any:
        func = node.func
        fn = None
        if type(func) is N.Name:
            fn = self._name(func)  # tanh(h): as eval() would, without its wrapper (see _name)
        elif type(func) is N.Attribute and type(func.value) is N.Name:
            # torch.tanh: a namespace's member directly (none is private: see attribute())
            owner = self._name(func.value)
            if type(owner) is Namespace:
                fn = owner.members.get(func.attr)
        if fn is None:
            fn = self.eval(func)
        lists = any(type(a) is N.ListLit for a in node.args) or any(
            type(kw.value) is N.ListLit for kw in node.keywords)
        if type(fn) is OpFunction and not node.keywords and not lists:
            args = [self._name(a) if type(a) is N.Name else self.eval(a) for a in node.args]
            return call_positional(fn.spec, args)  # call()'s first case, checked at once
        spec = fn.spec if type(fn) in (OpFunction, BoundMethod) else None
        if lists and spec is not None:
            # An op's list parameters (tensor(data, dtype=...), sum(x, dim=[0, 1])) take a list
            # literal as a list of Python values, so that tensor([0.1], dtype=float64) holds
            # the double 0.1, as in PyTorch; anywhere else a list literal is a tensor of the
            # default dtype.
            method = type(fn) is BoundMethod
            args = [self._data(a) if type(a) is N.ListLit and list_parameter(spec, i, method)
                    else self.eval(a) for i, a in enumerate(node.args)]
        else:
            args = [self._name(a) if type(a) is N.Name else self.eval(a) for a in node.args]
        kwargs = {}
        for kw in node.keywords:
            if kw.name in kwargs:
                raise GradcliError("syntax", f"keyword argument repeated: {kw.name}", kw.line,
                                   kw.column)
            kwargs[kw.name] = (self._data(kw.value) if lists and spec is not None
                               and type(kw.value) is N.ListLit and list_parameter(spec, kw.name)
                               else self.eval(kw.value))
        return self.call(fn, args, kwargs, node)

    def _data(self, node: Any) -> Any:
        if isinstance(node, N.ListLit):
            return [self._data(item) for item in node.items]
        return self.eval(node)

    def call(self, fn: Any, args: list[Any], kwargs: dict[str, Any], node: Any) -> Any:
        if isinstance(fn, OpFunction):
            return bind_op(fn.spec, args, kwargs)
        if isinstance(fn, BoundMethod):
            if fn.spec.self_arg is not None:
                return bind_method(fn.spec, fn.self_value, args, kwargs)
            return bind_op(fn.spec, [fn.self_value, *args], kwargs)
        if isinstance(fn, Builtin):
            if fn.name in SHADOWED and any(isinstance(a, Tensor) for a in args):
                return bind_op(OPS[fn.name], args, kwargs)
            if fn.name in ITERATING:
                self._charge(fn.name, args, node)
            target = fn.fn
            if target is interpreter_bound:
                target = self._print if fn.name == PRINT else self._str
            try:
                return target(*args, **{KEYWORD_ALIASES.get(k, k): v for k, v in kwargs.items()})
            except TypeError as e:
                # Python names the implementing function (Interpreter._print()): name the builtin.
                message = _QUALIFIED_CALL.sub(f"{fn.name}()", str(e), count=1)
                raise GradcliError("type", message, node.line, node.column) from None
        if isinstance(fn, UserFunction):
            return self.call_user(fn, args, kwargs, node)
        raise GradcliError("type", f"'{_type_name(fn)}' object is not callable", node.line,
                           node.column, hint="only functions can be called")

    def call_user(self, fn: UserFunction, args: list[Any], kwargs: dict[str, Any],
                  node: Any) -> Any:
        scope = _bind_params(fn, args, kwargs)
        if self.depth >= self.limits.max_depth:
            raise GradcliError("limit", f"maximum call depth of {self.limits.max_depth} exceeded "
                               f"in {fn.name}() (--max-depth)", node.line, node.column,
                               hint="check the recursion's base case, or raise --max-depth")
        saved = self.locals, self.enclosing
        self.locals, self.enclosing = scope, fn.enclosing
        self.depth += 1
        try:
            self.exec_block(fn.body)
        except _Return as r:
            return r.value
        except GradcliError as e:
            # Positions inside the body are in the text the def was written in.
            raise e.located(None, None, fn.source or None) from None
        except (_Break, _Continue):
            raise GradcliError("syntax", "'break' or 'continue' outside a loop") from None
        finally:
            self.locals, self.enclosing = saved
            self.depth -= 1
        return None

    def _str(self, value: Any = "") -> str:
        """str(x) is what print(x) shows: PyTorch's text for tensors."""
        return value if isinstance(value, str) else self.to_text(value)

    def _print(self, *args: Any, sep: Any = " ", end: Any = "\n") -> None:
        for name, value in (("sep", sep), ("end", end)):
            if value is not None and not isinstance(value, str):
                raise GradcliError("type", f"{name} must be None or a string, not "
                                   f"{_type_name(value)}", hint=f'e.g. print(a, b, {name}=", ")')
        sep = " " if sep is None else sep
        end = "\n" if end is None else end
        self.write(sep.join(a if isinstance(a, str) else self.to_text(a) for a in args) + end)

    _EXPRESSIONS: dict[type, Callable[[Interpreter, Any], Any]] = {}
    _STATEMENTS: dict[type, Callable[[Interpreter, Any, bool], None]] = {}


Interpreter._EXPRESSIONS = {
    N.Number: Interpreter._number, N.String: Interpreter._string,
    N.FString: Interpreter._fstring, N.Constant: Interpreter._constant,
    N.Name: Interpreter._name, N.ListLit: Interpreter._list, N.TupleLit: Interpreter._tuple,
    N.UnaryOp: Interpreter._unary, N.BinOp: Interpreter._binop,
    N.Compare: Interpreter._compare, N.BoolOp: Interpreter._boolop,
    N.IfExp: Interpreter._ifexp, N.Not: Interpreter._not, N.Call: Interpreter._call,
    N.Attribute: Interpreter._attribute, N.Subscript: Interpreter._subscript,
    N.Slice: Interpreter._slice, N.EllipsisLit: Interpreter._ellipsis,
}
Interpreter._STATEMENTS = {
    N.ExprStmt: Interpreter._expr_stmt, N.Assign: Interpreter._assign,
    N.AugAssign: Interpreter._aug_assign, N.FunctionDef: Interpreter._function_def,
    N.Return: Interpreter._return, N.If: Interpreter._if, N.While: Interpreter._while,
    N.For: Interpreter._for, N.Break: Interpreter._break, N.Continue: Interpreter._continue,
    N.Pass: Interpreter._pass, N.With: Interpreter._with, N.Assert: Interpreter._assert,
    N.Import: Interpreter._import, N.ImportFrom: Interpreter._import_from,
}


#: Not a value of the language: "no such variable here" in a lookup.
_UNSET = object()

#: Nodes that compute (as opposed to naming or bracketing a value): anomalies are reported here.
_OPERATIONS = (N.Call, N.BinOp, N.UnaryOp, N.Subscript)


def _tensor_attribute(t: Tensor, name: str) -> Any:
    if name == "data":
        # The same storage under a version counter of its own, as PyTorch's .data: writes
        # through it are not seen by autograd, and backward uses the new values.
        return Tensor(t.data)
    if name == "T":
        return E.numpy_T(t)
    return getattr(t, name)


def _bind_params(fn: UserFunction, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    if len(args) > len(fn.params):
        raise GradcliError("type", f"{fn.name}() takes {len(fn.params)} positional arguments but "
                           f"{len(args)} were given")
    scope = dict(zip(fn.params, args))
    for k, v in kwargs.items():
        if k not in fn.params:
            raise GradcliError("type", f"{fn.name}() got an unexpected keyword argument '{k}'")
        if k in scope:
            raise GradcliError("type", f"{fn.name}() got multiple values for argument '{k}'")
        scope[k] = v
    for p in fn.params:
        if p not in scope:
            if p not in fn.defaults:
                raise GradcliError("type", f"{fn.name}() missing required argument: '{p}'")
            scope[p] = fn.defaults[p]
    return scope


def _as_index(value: Any, node: Any) -> Any:
    if isinstance(value, Tensor):
        return value.__index__()
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise GradcliError("type", "slice indices must be integers or None", node.line, node.column)


def _is_numeric_nest(items: Any) -> bool:
    for i in items:
        if isinstance(i, list):
            if not _is_numeric_nest(i):
                return False
        elif not isinstance(i, (int, float, bool)):
            return False
    return True


def _name_at_end(node: Any, name: str) -> dict[str, Any]:
    """The position of ``name`` where it ends ``node`` (``x.summ``), as GradcliError fields."""
    end_line, end = getattr(node, "end_line", None), getattr(node, "end_column", None)
    if end_line == node.line and end is not None and end - len(name) >= node.column:
        return {"line": node.line, "column": end - len(name), "end_column": end}
    return {"line": node.line, "column": node.column, "end_column": N.end_on_line(node)}


def _operand(node: Any, left: bool) -> Any:
    """The left or right operand of a BinOp, or of an AugAssign (``x.grad += 1``)."""
    if type(node) is N.BinOp:
        return node.left if left else node.right
    return node.target if left else node.value


def _none_hint(operand: Any) -> str | None:
    """Why an operand is None, when it is a ``.grad`` (the commonest None of a newcomer)."""
    if type(operand) is N.Attribute and operand.attr == "grad":
        x = operand.value.id if type(operand.value) is N.Name else "x"
        return (f"{x}.grad is None until a backward pass reaches {x}: call y.backward() on a "
                f"result y that depends on {x} first ({x} must require grad), as in PyTorch")
    return None


def _type_name(x: Any) -> str:
    if isinstance(x, Tensor):
        return "Tensor"
    if isinstance(x, (OpFunction, Builtin, BoundMethod, UserFunction)):
        return "function"
    if isinstance(x, AbstractContextManager):
        return "no_grad"  # the only context manager of the language
    return type(x).__name__


def _suggest(name: str, known: Any) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
