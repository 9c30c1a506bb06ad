"""Expressions of the language: names, operators, calls, attributes and subscripts, onto
the engine's ops (with a temporary's buffer reused for ``a + b`` where it is safe)."""

from __future__ import annotations

import operator
import re
import sys
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from ..engine import EngineError, Tensor, reuse
from ..engine import ops as E
from ..engine.ops import OPS, ReturnTypes
from ..errors import GradcliError
from ..syntax import nodes as N
from .builtins import (
    ITERATING,
    KEYWORD_ALIASES,
    PRINT,
    SHADOWED,
    interpreter_bound,
)
from .calls import bind_method, bind_op, list_parameter, passes_checks
from .formatting import format_spec
from .meanings import function_hint
from .pymessages import overflow_message
from .pyvalues import (
    TENSOR_BINARY,
    as_index,
    binary,
    compare_pair,
    is_numeric_nest,
    suggest,
    truth,
    type_name,
)
from .signals import BreakSignal, ContinueSignal, ReturnSignal
from .trace import not_finite
from .values import BoundMethod, Builtin, Namespace, OpFunction, UserFunction

#: Attributes of tensors the language exposes; nothing else of Python is reachable.
TENSOR_ATTRIBUTES = ("grad", "grad_fn", "requires_grad", "is_leaf", "shape", "dtype", "T",
                     "ndim", "data")
#: Constants that Python spells math.pi and the language, as PyTorch, torch.pi.
CONSTANTS = frozenset({"pi", "e", "inf", "nan"})


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


#: What _counts gives, called from Interpreter._binop, for a temporary of the expression
#: (read only while engine/reuse.py says reference counts are trusted).
_TEMPORARY = _temporary_counts() if reuse.TRUSTED else (reuse.NEVER, reuse.NEVER)
_REUSE = reuse.ON


_QUALIFIED_CALL = re.compile(r"^[\w.<>]+\(\)")
class Expressions:
    """The expression half of the Interpreter (interpreter/core.py), which mixes it in: what
    the compiled expressions (compile_expression) call at run time."""

    detect_anomaly: bool
    locals: dict[str, Any]
    enclosing: tuple[dict[str, Any], ...]
    globals: dict[str, Any]
    builtins: Mapping[str, Any]
    to_text: Callable[[Any], str]

    def eval(self, node: N.Expr) -> Any:
        """The value of ``node``, compiled once (kept for the next evaluations of it)."""
        return compiled(node, compile_expression)(self)

    def _note_origin(self, result: Tensor, node: N.Node) -> None:
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

    def _format(self, value: Any, spec: str, node: N.Node) -> str:
        if isinstance(value, Tensor):
            # PyTorch formats a 0-d tensor through its Python number, spec or not.
            if value.data.ndim == 0:
                value = value.item()
            elif spec:
                raise GradcliError("type", "unsupported format string passed to Tensor.__format__",
                                   node.line, node.column)
        if not spec:
            return self.to_text(value) if not isinstance(value, str) else value
        return format_spec(value, spec)

    def lookup(self, name: str, node: N.Name) -> Any:
        """A variable that is not local: of the enclosing functions, global or built in."""
        for scope in reversed(self.enclosing):
            if name in scope:
                return scope[name]
        if name in self.globals:
            return self.globals[name]
        if name in self.builtins:
            return self.builtins[name]
        hint = (f"write torch.{name}: the constants are torch.pi, torch.e, torch.inf and "
                "torch.nan" if name in CONSTANTS
                else function_hint(name) or suggest(name, self._known_names()))
        raise GradcliError("name", f"name '{name}' is not defined", node.line, node.column,
                           hint=hint, end_column=N.end_on_line(node))

    def _known_names(self) -> list[str]:
        names = set(self.locals) | set(self.globals) | set(self.builtins)
        for scope in self.enclosing:
            names |= set(scope)
        return sorted(names)

    def attribute(self, obj: Any, name: str, node: N.Node) -> Any:
        if name.startswith("_"):
            raise GradcliError("name", f"attribute '{name}' is not available",
                               **_name_at_end(node, name), hint="names starting with _ are private")
        if type(obj) is Namespace:
            if name in obj.members:
                return obj.members[name]
            raise GradcliError("name", f"module '{obj.name}' has no attribute '{name}'",
                               **_name_at_end(node, name),
                               hint=function_hint(name) or suggest(name, obj.members))
        if isinstance(obj, Tensor):
            if name in TENSOR_ATTRIBUTES:
                return _tensor_attribute(obj, name)
            spec = OPS.get(name)
            if spec is not None and spec.method:
                return BoundMethod(spec, obj)
            known = list(TENSOR_ATTRIBUTES) + [n for n, s in OPS.items() if s.method]
            raise GradcliError("name", f"'Tensor' object has no attribute '{name}'",
                               **_name_at_end(node, name), hint=suggest(name, known))
        if isinstance(obj, ReturnTypes) and name in obj.fields:
            return obj[obj.fields.index(name)]
        from ..engine import DType

        if isinstance(obj, DType) and name == "is_floating_point":
            return obj.is_floating_point
        hint = None
        if isinstance(obj, tuple) and name == "backward":
            hint = ("tuples are not backpropagated: call backward on one tensor, e.g. "
                    "(a + b).backward() or a.backward()")
        # Errors point at the attribute's name, the last thing the node spans (x.summ).
        raise GradcliError("name", f"'{type_name(obj)}' object has no attribute '{name}'",
                           **_name_at_end(node, name), hint=hint)

    def _item(self, obj: Any, key: Any, node: N.Node) -> Any:
        if isinstance(obj, Tensor):
            return E.index(obj, key)
        if isinstance(obj, (tuple, list, str, range)):
            if isinstance(key, Tensor):
                key = key.__index__()
            try:
                return obj[key]
            except IndexError as e:
                message = "index out of range" if "index-sized" in str(e) else str(e)
                raise GradcliError("shape", message, node.line, node.column,
                                   hint=f"it has {len(obj)} items") from None
            except TypeError as e:
                raise GradcliError("type", f"{e}", node.line, node.column) from None
        raise GradcliError("type", f"'{type_name(obj)}' object is not subscriptable",
                           node.line, node.column)

    def call(self, fn: Any, args: list[Any], kwargs: dict[str, Any], node: N.Node) -> Any:
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
        raise GradcliError("type", f"'{type_name(fn)}' object is not callable", node.line,
                           node.column, hint="only functions can be called")

    def call_user(self, fn: UserFunction, args: list[Any], kwargs: dict[str, Any],
                  node: N.Node) -> Any:
        scope = bind_params(fn, args, kwargs)
        if self.depth >= self.limits.max_depth:
            raise GradcliError("limit", f"maximum call depth of {self.limits.max_depth} exceeded "
                               f"in {fn.name}() (--max-depth)", node.line, node.column,
                               hint="check the recursion's base case, or raise --max-depth")
        saved = self.locals, self.enclosing
        self.locals, self.enclosing = scope, fn.enclosing
        self.depth += 1
        try:
            fn.body(self)
        except ReturnSignal as r:
            return r.value
        except GradcliError as e:
            # Positions inside the body are in the text the def was written in.
            raise e.located(None, None, fn.source or None) from None
        except (BreakSignal, ContinueSignal):
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
                                   f"{type_name(value)}", hint=f'e.g. print(a, b, {name}=", ")')
        sep = " " if sep is None else sep
        end = "\n" if end is None else end
        self.write(sep.join(a if isinstance(a, str) else self.to_text(a) for a in args) + end)

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
    if name == "grad_fn":  # a piece of split, chunk or unbind: the node the pieces share
        return getattr(t.grad_fn, "owner", t.grad_fn)
    return getattr(t, name)


def bind_params(fn: UserFunction, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
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


def _name_at_end(node: N.Node, name: str) -> dict[str, Any]:
    """The position of ``name`` where it ends ``node`` (``x.summ``), as GradcliError fields."""
    end_line, end = getattr(node, "end_line", None), getattr(node, "end_column", None)
    if end_line == node.line and end is not None and end - len(name) >= node.column:
        return {"line": node.line, "column": end - len(name), "end_column": end}
    return {"line": node.line, "column": node.column, "end_column": N.end_on_line(node)}


# -- compiling ----------------------------------------------------------------------------------
# Each node is compiled once into a closure run(interpreter) -> value: what the node is, its
# operator, its children's closures and its position are decided here, not at every visit.
# A closure does what evaluating its node did: it notes the origin of a tensor it computes
# (anomaly detection checks it) and locates the errors raised under it at its node, unless a
# node inside located them first (the innermost position wins).

Compiled = Callable[[Any], Any]
#: How many compiled entry points (programs, expressions) are kept, with their nodes: few, as
#: kept trees crowd the processor's caches (512 made `eval -` of distinct lines 7% slower).
KEPT_COMPILED = 32
_COMPILED: OrderedDict[int, tuple[N.Node, Any]] = OrderedDict()


def compiled(node: N.Node, compile_node: Callable[[Any], Any]) -> Any:
    """``compile_node(node)``, kept for the next runs of the same node (by identity: nodes
    equal in structure differ in the positions their errors name)."""
    entry = _COMPILED.get(id(node))
    if entry is not None and entry[0] is node:
        return entry[1]
    code = compile_node(node)
    if len(_COMPILED) >= KEPT_COMPILED:
        _COMPILED.popitem(last=False)  # the oldest
    _COMPILED[id(node)] = (node, code)
    return code


def _relocated(e: Exception, node: N.Node) -> GradcliError:
    """An engine error, or Python's arithmetic or memory error, as an error at ``node``."""
    if isinstance(e, EngineError):
        return GradcliError(e.kind, e.message, node.line, node.column, e.hint,
                            end_column=N.end_on_line(node))
    if isinstance(e, ZeroDivisionError):
        return GradcliError("value", "division by zero", node.line, node.column)
    if isinstance(e, OverflowError):
        message = overflow_message(e)
        return GradcliError("value", message, node.line, node.column,
                            hint="tensor arithmetic gives inf instead, e.g. tensor(2.0) ** 10000"
                            if message.startswith("number too large") else None)
    return GradcliError("limit", "out of memory", node.line, node.column,
                        hint="lower the sizes, or --max-elements")


#: What a node's closure turns into an error at its node (_relocated).
_RELOCATED = (EngineError, ZeroDivisionError, OverflowError, MemoryError)


def _noted(it: Any, result: Tensor, node: N.Node) -> None:
    """Note the origin of a computed tensor (and check it, when detecting anomalies)."""
    if it.detect_anomaly:
        it._note_origin(result, node)
    else:
        fn = result.grad_fn
        if fn is not None and fn.origin is None:
            fn.origin = node  # _note_origin's first half


def _wrap(node: N.Node, body: Compiled) -> Compiled:
    """A closure that runs ``body`` as the evaluation of ``node``: origin noted, errors located."""

    def run(it: Any, body: Compiled = body, node: N.Node = node) -> Any:
        try:
            result = body(it)
            if type(result) is Tensor:
                _noted(it, result, node)
            return result
        except GradcliError as e:
            e.located(node.line, node.column, end_column=N.end_on_line(node))
            raise
        except _RELOCATED as e:
            raise _relocated(e, node) from None

    return run


def compile_expression(node: N.Expr) -> Compiled:
    """The closure that evaluates ``node``."""
    return _COMPILERS[type(node)](node)


def compile_operand(node: N.Expr) -> Compiled:
    """As compile_expression, but a name is only looked up: it raises its own located error,
    and its value, if computed, had its origin noted when it was computed (operands and
    arguments, the busiest places)."""
    return _name_lookup(node) if type(node) is N.Name else compile_expression(node)


#: While a plan compiles (compile_planned): the slot of each Number node, by its id. Its
#: closure reads its value from the interpreter's ``literals`` at that slot, not from the node.
_SLOTS: dict[int, int] = {}


def compile_planned(node: N.Expr, slots: dict[int, int]) -> Compiled:
    """The closure that evaluates ``node`` with the value of each Number node in ``slots``
    (its id -> a slot) read from ``it.literals``: one closure for every expression of the
    node's shape (interpreter/plans.py)."""
    assert not _SLOTS, "plans compile one at a time"
    _SLOTS.update(slots)
    try:
        return compile_expression(node)
    finally:
        _SLOTS.clear()


def _value(node: N.Number | N.Constant | N.String) -> Compiled:
    if _SLOTS:
        slot = _SLOTS.get(id(node))
        if slot is not None:
            return lambda it, slot=slot: it.literals[slot]
    return lambda it, value=node.value: value


def _name_lookup(node: N.Name) -> Compiled:
    name = node.id

    def run(it: Any, name: str = name, node: N.Name = node) -> Any:
        value = it.locals.get(name, _UNSET)
        if value is not _UNSET:
            return value
        return it.lookup(name, node)

    return run


def _name(node: N.Name) -> Compiled:
    """A name evaluated: looked up (its errors are located already) and its value's origin
    noted (a name is no operation: anomaly detection has nothing to check here)."""
    def run(it: Any, name: str = node.id, node: N.Name = node) -> Any:
        value = it.locals.get(name, _UNSET)
        if value is _UNSET:
            value = it.lookup(name, node)
        if type(value) is Tensor:
            _noted(it, value, node)
        return value

    return run


def _fstring_parts(node: N.FString) -> Compiled:
    parts: list[Any] = []
    for part in node.parts:
        if isinstance(part, str):
            parts.append(part)
        else:
            spec = None if part.format_spec is None else _fstring_parts(part.format_spec)
            parts.append((compile_expression(part.value), spec, part.conversion == "r", part))

    def run(it: Any) -> str:
        out = []
        for part in parts:
            if type(part) is str:
                out.append(part)
                continue
            value_of, spec_of, shown, field = part
            value = value_of(it)
            spec = "" if spec_of is None else spec_of(it)
            if shown:
                value = it.to_text(value)
            out.append(it._format(value, spec, field))
        return "".join(out)

    return run


def _fstring(node: N.FString) -> Compiled:
    return _wrap(node, _fstring_parts(node))


def _list(node: N.ListLit) -> Compiled:
    items = [compile_expression(i) for i in node.items]

    def run(it: Any) -> Any:
        values = [item(it) for item in items]
        if is_numeric_nest(values):
            return E.tensor(values)
        return values

    return _wrap(node, run)


def _tuple(node: N.TupleLit) -> Compiled:
    items = [compile_expression(i) for i in node.items]
    return _wrap(node, lambda it: tuple(item(it) for item in items))


_TENSOR_UNARY = {"-": E.neg, "+": lambda v: v, "~": E.logical_not}
_PY_UNARY = {"-": operator.neg, "+": operator.pos, "~": operator.invert}


def _unary(node: N.UnaryOp) -> Compiled:
    operand, op, operand_node = compile_expression(node.operand), node.op, node.operand
    if op == "not":
        return _wrap(node, lambda it: not truth(operand(it), operand_node))
    on_tensor, on_number = _TENSOR_UNARY[op], _PY_UNARY[op]

    def run(it: Any) -> Any:
        value = operand(it)
        if isinstance(value, Tensor):
            return on_tensor(value)
        if isinstance(value, (int, float)):
            return on_number(value)
        raise GradcliError("type", f"bad operand type for unary {op}: '{type_name(value)}'",
                           node.line, node.column)

    return _wrap(node, run)


#: Operands that binary() hands, with a tensor, straight to the tensor operator.
_TENSOR_OPERANDS = frozenset({Tensor, float, int})
#: Nodes whose value is known when compiling: an operand of these is no closure to call.
_LITERALS = (N.Number, N.String, N.Constant)


def _binop(node: N.BinOp) -> Compiled:
    op = node.op
    left_node, right_node = node.left, node.right
    # A name operand is looked up here, inline (what its closure does, without the call), and
    # a literal one is its value.
    left = right = left_name = right_name = left_value = right_value = None
    kind = type(left_node)
    if kind is N.Name:
        left_name = left_node.id
    elif kind in _LITERALS and id(left_node) not in _SLOTS:
        left_value = left_node.value
    else:
        left = compile_expression(left_node)
    kind = type(right_node)
    if kind is N.Name:
        right_name = right_node.id
    elif kind in _LITERALS and id(right_node) not in _SLOTS:
        right_value = right_node.value
    else:
        right = compile_expression(right_node)
    into = _INTO_LEFT.get(op) if left is not None else None  # a variable's is no temporary
    on_tensors = TENSOR_BINARY[op]

    def run(it: Any, left: Any = left, right: Any = right, left_name: Any = left_name,
            right_name: Any = right_name, left_value: Any = left_value,
            right_value: Any = right_value, left_node: N.Expr = left_node,
            right_node: N.Expr = right_node, into: Any = into, on_tensors: Any = on_tensors,
            op: str = op, node: N.BinOp = node) -> Any:
        try:
            if left is not None:
                a = left(it)
            elif left_name is not None:
                a = it.locals.get(left_name, _UNSET)
                if a is _UNSET:
                    a = it.lookup(left_name, left_node)
            else:
                a = left_value
            if right is not None:
                b = right(it)
            elif right_name is not None:
                b = it.locals.get(right_name, _UNSET)
                if b is _UNSET:
                    b = it.lookup(right_name, right_node)
            else:
                b = right_value
            result = None
            if type(a) is Tensor:
                if into is not None and _REUSE[0] and _counts(a) == _TEMPORARY:
                    # Nothing but this frame holds a or its array: a temporary of the
                    # expression, such as e * s in e * s + x ** 2. The sum may go into its buffer.
                    result = E.into_left(into, a, b)
                if result is None and type(b) in _TENSOR_OPERANDS:
                    result = on_tensors(a, b)  # what binary() does with these operands
            elif type(b) is Tensor and type(a) in _TENSOR_OPERANDS:
                result = on_tensors(a, b)  # 2 * x: as binary() does
            if result is None:
                result = binary(op, a, b, node, it.to_text)
            if type(result) is Tensor:  # _noted, inline
                if it.detect_anomaly:
                    it._note_origin(result, node)
                else:
                    fn = result.grad_fn
                    if fn is not None and fn.origin is None:
                        fn.origin = node
            return result
        except GradcliError as e:
            e.located(node.line, node.column, end_column=N.end_on_line(node))
            raise
        except _RELOCATED as e:
            raise _relocated(e, node) from None

    return run


def _compare(node: N.Compare) -> Compiled:
    left = compile_expression(node.left)
    pairs = [(op, compile_expression(right)) for op, right in zip(node.ops, node.comparators)]
    last = len(pairs) - 1

    def run(it: Any) -> Any:
        a = left(it)
        result: Any = True
        for i, (op, right) in enumerate(pairs):
            b = right(it)
            result = compare_pair(op, a, b, node)
            if i != last and not truth(result, node):
                return result
            a = b
        return result

    return _wrap(node, run)


def _boolop(node: N.BoolOp) -> Compiled:
    operands = [(compile_expression(o), o) for o in node.values]
    stop_when = node.op == "or"  # "and" stops at a false operand, "or" at a true one

    def run(it: Any) -> Any:
        value: Any = None
        for operand, operand_node in operands:
            value = operand(it)
            if truth(value, operand_node) == stop_when:
                return value
        return value

    return _wrap(node, run)


def _not(node: N.Not) -> Compiled:
    operand, operand_node = compile_expression(node.operand), node.operand
    return _wrap(node, lambda it: not truth(operand(it), operand_node))


def _ifexp(node: N.IfExp) -> Compiled:
    test, body, orelse = (compile_expression(n) for n in (node.test, node.body, node.orelse))
    test_node = node.test
    return _wrap(node, lambda it: body(it) if truth(test(it), test_node) else orelse(it))


def _attribute(node: N.Attribute) -> Compiled:
    value, attr = compile_expression(node.value), node.attr
    return _wrap(node, lambda it: it.attribute(value(it), attr, node))


def compile_index(node: N.Expr) -> Compiled:
    """The closure of a subscript's index: slices, tuples of indices and ``...`` as Python's."""
    kind = type(node)
    if kind is N.Slice:
        parts = [None if p is None else (compile_expression(p), p)
                 for p in (node.lower, node.upper, node.step)]
        return lambda it: slice(*(None if p is None else as_index(p[0](it), p[1])
                                  for p in parts))
    if kind is N.TupleLit:
        items = [compile_index(i) for i in node.items]
        return lambda it: tuple(item(it) for item in items)
    if kind is N.EllipsisLit:
        return lambda it: Ellipsis
    return compile_expression(node)


def _subscript(node: N.Subscript) -> Compiled:
    value, index = compile_expression(node.value), compile_index(node.index)
    return _wrap(node, lambda it: it._item(value(it), index(it), node))


def _slice(node: N.Slice) -> Compiled:
    return _wrap(node, compile_index(node))


def _ellipsis(node: N.EllipsisLit) -> Compiled:
    return lambda it: Ellipsis


def _data(node: N.Expr) -> Compiled:
    """A list literal as a list of Python values (an op's list parameter: see _call)."""
    if isinstance(node, N.ListLit):
        items = [_data(item) for item in node.items]
        return lambda it: [item(it) for item in items]
    return compile_expression(node)


def _callee(func: N.Expr) -> Compiled:
    """The called function: a name looked up, and a namespace's member (torch.tanh) read,
    directly (none is private: see attribute()); anything else evaluated."""
    if type(func) is N.Name:
        return _name_lookup(func)  # a None it finds is not callable, looked up again or not
    whole = compile_expression(func)
    if type(func) is N.Attribute and type(func.value) is N.Name:
        def member(it: Any, owner_name: str = func.value.id, owner_node: N.Name = func.value,
                   attr: str = func.attr, whole: Compiled = whole) -> Any:
            owner = it.locals.get(owner_name, _UNSET)
            if owner is _UNSET:
                owner = it.lookup(owner_name, owner_node)
            fn = owner.members.get(attr) if type(owner) is Namespace else None
            return whole(it) if fn is None else fn

        return member
    return whole


def _positional_call(node: N.Call) -> Compiled:
    """``f(a, b)``: positional arguments only, none a list. The callee's name, and a first
    argument's, are looked up inline."""
    func, arguments = node.func, node.args
    callee_name = callee = first_name = first = second = None
    if type(func) is N.Name:
        callee_name = func.id
    else:
        callee = _callee(func)
    count = len(arguments)
    first_node = arguments[0] if count else None
    args: list[Compiled] = []
    if count == 1 and type(first_node) is N.Name:
        first_name = first_node.id
    elif count == 1:
        first = compile_expression(first_node)
    else:
        args = [compile_operand(a) for a in arguments]
        if count == 2:
            first, second = args
    #: The last op called here whose checks these arguments pass (passes_checks).
    checked: list[Any] = [None]

    def run(it: Any, callee: Compiled = callee, count: int = count, first: Any = first,
            second: Any = second, first_name: Any = first_name, first_node: Any = first_node,
            args: list[Compiled] = args, checked: list[Any] = checked,
            callee_name: Any = callee_name, node: N.Call = node) -> Any:
        try:
            if callee_name is None:
                fn = callee(it)
            else:  # callee's lookup, inline
                fn = it.locals.get(callee_name, _UNSET)
                if fn is _UNSET:
                    fn = it.lookup(callee_name, node.func)
            if count == 1:
                if first_name is None:
                    values = [first(it)]  # type: ignore[misc]
                else:
                    value = it.locals.get(first_name, _UNSET)
                    if value is _UNSET:
                        value = it.lookup(first_name, first_node)
                    values = [value]
            elif count == 2:
                values = [first(it), second(it)]  # type: ignore[misc]
            else:
                values = [arg(it) for arg in args]
            if type(fn) is OpFunction:
                spec = fn.spec
                if spec is checked[0]:
                    result = spec.impl(*values)
                elif passes_checks(spec, count):  # call()'s first case, checked at once
                    checked[0] = spec
                    result = spec.impl(*values)
                else:
                    result = bind_op(spec, values, {})
            else:
                result = it.call(fn, values, {}, node)
            if type(result) is Tensor:  # _noted, inline
                if it.detect_anomaly:
                    it._note_origin(result, node)
                else:
                    fn = result.grad_fn
                    if fn is not None and fn.origin is None:
                        fn.origin = node
            return result
        except GradcliError as e:
            e.located(node.line, node.column, end_column=N.end_on_line(node))
            raise
        except _RELOCATED as e:
            raise _relocated(e, node) from None

    return run


def _call(node: N.Call) -> Compiled:
    if not node.keywords and N.ListLit not in map(type, node.args):
        return _positional_call(node)
    lists = N.ListLit in map(type, node.args) or any(
        type(kw.value) is N.ListLit for kw in node.keywords)
    callee = _callee(node.func)
    args = [compile_operand(a) for a in node.args]
    # An op's list parameters (tensor(data, dtype=...), sum(x, dim=[0, 1])) take a list
    # literal as a list of Python values, so that tensor([0.1], dtype=float64) holds the
    # double 0.1, as in PyTorch; anywhere else a list literal is a tensor of the default dtype.
    arg_data = [_data(a) if type(a) is N.ListLit else None for a in node.args]
    evaluated = [compile_expression(a) for a in node.args]  # beside a list: names noted too
    keywords = [(kw, compile_expression(kw.value),
                 _data(kw.value) if type(kw.value) is N.ListLit else None)
                for kw in node.keywords]

    def run(it: Any) -> Any:
        fn = callee(it)
        spec = fn.spec if type(fn) in (OpFunction, BoundMethod) else None
        if lists and spec is not None:
            method = type(fn) is BoundMethod
            values = [data(it) if data is not None and list_parameter(spec, i, method)
                      else arg(it) for i, (arg, data) in enumerate(zip(evaluated, arg_data))]
        else:
            values = [arg(it) for arg in args]
        kwargs = {}
        for kw, value, data in keywords:
            if kw.name in kwargs:
                raise GradcliError("syntax", f"keyword argument repeated: {kw.name}", kw.line,
                                   kw.column)
            kwargs[kw.name] = (data(it) if data is not None and spec is not None
                               and list_parameter(spec, kw.name) else value(it))
        return it.call(fn, values, kwargs, node)

    return _wrap(node, run)


_COMPILERS: dict[type, Callable[[Any], Compiled]] = {
    N.Number: _value, N.String: _value, N.Constant: _value, N.FString: _fstring,
    N.Name: _name, N.ListLit: _list, N.TupleLit: _tuple, N.UnaryOp: _unary, N.BinOp: _binop,
    N.Compare: _compare, N.BoolOp: _boolop, N.IfExp: _ifexp, N.Not: _not, N.Call: _call,
    N.Attribute: _attribute, N.Subscript: _subscript, N.Slice: _slice,
    N.EllipsisLit: _ellipsis,
}
