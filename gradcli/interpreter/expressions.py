"""Expressions of the language: names, operators, calls, attributes and subscripts, onto
the engine's ops (with a temporary's buffer reused for ``a + b`` where it is safe)."""

from __future__ import annotations

import operator
import re
import sys
from collections.abc import Callable
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
from .calls import bind_method, bind_op, call_positional, list_parameter
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
from .statements import BreakSignal, ContinueSignal, ReturnSignal
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
    """The expression half of the Interpreter (interpreter/core.py), which mixes it in."""

    def eval(self, node: N.Expr) -> Any:
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
            message = overflow_message(e)
            raise GradcliError("value", message, node.line, node.column,
                               hint="tensor arithmetic gives inf instead, e.g. tensor(2.0) ** 10000"
                               if message.startswith("number too large") else None) from None
        except MemoryError:
            raise GradcliError("limit", "out of memory", node.line, node.column,
                               hint="lower the sizes, or --max-elements") from None

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

    def _number(self, node: N.Number) -> Any:
        return node.value

    def _constant(self, node: N.Constant) -> Any:
        return node.value

    def _string(self, node: N.String) -> Any:
        return node.value

    def _fstring(self, node: N.FString) -> str:
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

    def _name(self, node: N.Name) -> Any:
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
                "torch.nan" if name in CONSTANTS
                else function_hint(name) or suggest(name, self._known_names()))
        raise GradcliError("name", f"name '{name}' is not defined", node.line, node.column,
                           hint=hint, end_column=N.end_on_line(node))

    def _known_names(self) -> list[str]:
        names = set(self.locals) | set(self.globals) | set(self.builtins)
        for scope in self.enclosing:
            names |= set(scope)
        return sorted(names)

    def _list(self, node: N.ListLit) -> Any:
        items = [self.eval(i) for i in node.items]
        if is_numeric_nest(items):
            return E.tensor(items)
        return items

    def _tuple(self, node: N.TupleLit) -> Any:
        return tuple(self.eval(i) for i in node.items)

    def _unary(self, node: N.UnaryOp) -> Any:
        value = self.eval(node.operand)
        if node.op == "not":
            return not truth(value, node.operand)
        if isinstance(value, Tensor):
            return {"-": E.neg, "+": lambda v: v, "~": E.logical_not}[node.op](value)
        if isinstance(value, (int, float)):
            return {"-": operator.neg, "+": operator.pos, "~": operator.invert}[node.op](value)
        raise GradcliError("type", f"bad operand type for unary {node.op}: '{type_name(value)}'",
                           node.line, node.column)

    def _binop(self, node: N.BinOp) -> Any:
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
            if not named and _REUSE[0] and node.op in _INTO_LEFT and _counts(a) == _TEMPORARY:
                # Nothing but this frame holds a or its array: a temporary of the expression,
                # such as e * s in e * s + x ** 2. The sum may go into its buffer.
                out = E.into_left(_INTO_LEFT[node.op], a, b)
                if out is not None:
                    return out
            if type(b) is Tensor or type(b) is float:
                return TENSOR_BINARY[node.op](a, b)  # what _binary does with these operands
        return binary(node.op, a, b, node, self.to_text)

    def _compare(self, node: N.Compare) -> Any:
        left = self.eval(node.left)
        result: Any = True
        for op, right_node in zip(node.ops, node.comparators):
            right = self.eval(right_node)
            result = compare_pair(op, left, right, node)
            if right_node is not node.comparators[-1] and not truth(result, node):
                return result
            left = right
        return result

    def _boolop(self, node: N.BoolOp) -> Any:
        value: Any = None
        for operand in node.values:
            value = self.eval(operand)
            true = truth(value, operand)
            if (node.op == "and" and not true) or (node.op == "or" and true):
                return value
        return value

    def _not(self, node: N.Not) -> bool:
        return not truth(self.eval(node.operand), node.operand)

    def _ifexp(self, node: N.IfExp) -> Any:
        if truth(self.eval(node.test), node.test):
            return self.eval(node.body)
        return self.eval(node.orelse)

    def _attribute(self, node: N.Attribute) -> Any:
        obj = self.eval(node.value)
        return self.attribute(obj, node.attr, node)

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

    def _subscript(self, node: N.Subscript) -> Any:
        return self._item(self.eval(node.value), self._index(node.index), node)

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

    def _index(self, node: N.Expr) -> Any:
        kind = type(node)
        if kind is N.Slice:
            return slice(*(None if p is None else as_index(self.eval(p), p)
                           for p in (node.lower, node.upper, node.step)))
        if kind is N.TupleLit:
            return tuple(self._index(i) for i in node.items)
        if kind is N.EllipsisLit:
            return Ellipsis
        return self.eval(node)

    def _slice(self, node: N.Slice) -> Any:
        return self._index(node)

    def _ellipsis(self, node: N.EllipsisLit) -> Any:
        return Ellipsis

    def _call(self, node: N.Call) -> Any:
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

    def _data(self, node: N.Node) -> Any:
        if isinstance(node, N.ListLit):
            return [self._data(item) for item in node.items]
        return self.eval(node)

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
            self.exec_block(fn.body)
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

    _EXPRESSIONS: dict[type, Callable[[Any, Any], Any]] = {}


Expressions._EXPRESSIONS = {
    N.Number: Expressions._number, N.String: Expressions._string,
    N.FString: Expressions._fstring, N.Constant: Expressions._constant,
    N.Name: Expressions._name, N.ListLit: Expressions._list, N.TupleLit: Expressions._tuple,
    N.UnaryOp: Expressions._unary, N.BinOp: Expressions._binop,
    N.Compare: Expressions._compare, N.BoolOp: Expressions._boolop,
    N.IfExp: Expressions._ifexp, N.Not: Expressions._not, N.Call: Expressions._call,
    N.Attribute: Expressions._attribute, N.Subscript: Expressions._subscript,
    N.Slice: Expressions._slice, N.EllipsisLit: Expressions._ellipsis,
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
