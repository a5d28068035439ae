"""Arithmetic expressions typed as text, turned into Values safely (never eval'd).

``evaluate("(x + y) * z", {"x": -2, "y": 5, "z": -4})`` parses the text with
:mod:`ast` and walks an allow-list of node types: numbers, variables, ``+ - * / **``,
unary minus and plus, parentheses, and the Value methods called as functions
(``tanh(x)``, ``exp(x)``, ``leaky_relu(x, 0.2)``...).  Anything else (attributes, other
calls, subscripts, lambdas, comprehensions, comparisons...) is an
:class:`ExpressionError` with a one-line message.

Arithmetic on numbers alone is done at once, as Python would (``x * (2 + 3)`` multiplies
x by a constant 5); arithmetic that involves a variable builds the graph.
"""

from __future__ import annotations

import ast
import inspect
import io
import keyword
import math
import sys
import tokenize
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from typing import Any, cast

from ..ops import OPS
from ..value import Value

__all__ = ["FUNCTIONS", "ExpressionError", "evaluate", "parse_number", "parse_variables"]

MAX_LENGTH = 10_000  # characters: beyond teaching size, and parsing stays quick


class ExpressionError(ValueError):
    """An expression or a variable that is refused: the message is one line."""


def _functions() -> dict[str, tuple[Callable[..., Value], tuple[str, ...]]]:
    """Every op of the table that a learner calls by name, as its Value method, and
    ``pow``, the function form of ``**`` (whose exponent may be any expression)."""
    functions: dict[str, tuple[Callable[..., Value], tuple[str, ...]]] = {}
    for op, _, _ in OPS.values():
        if op.method is not None and not op.method.startswith("__"):
            method = getattr(Value, op.method)
            functions[op.method] = (method, tuple(inspect.signature(method).parameters)[1:])
    functions["pow"] = (Value.pow, ("exponent",))
    return functions


# name -> (the function, applied to one Value; the names of its optional number arguments)
FUNCTIONS = _functions()
"""The functions an expression may call: each takes one Value, then optional numbers
(``pow(x, y)``'s exponent may be any expression, and is required)."""

# Functions whose extra arguments may be expressions of variables, and those required.
_ANY_ARGUMENTS = frozenset({"pow"})
_REQUIRED = {"pow": 2}

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_SYMBOLS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.Invert: "~",
    ast.Not: "not",
}
# Friendly names for the refused kinds of syntax (the rest use the ast class name).
_REFUSED = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "subscripts ('[...]')",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and' / 'or'",
    ast.IfExp: "'if ... else'",
    ast.Tuple: "tuples (a comma)",
    ast.List: "lists",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: "':='",
    ast.Starred: "'*' unpacking",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}


def short_repr(text: str, limit: int = 60) -> str:
    """``repr(text)``, cut in the middle when long, so that an error stays one short line:
    'xxxxxxxx...xxxxxxxx' (5,000 characters)."""
    shown = repr(text)
    if len(shown) <= limit:
        return shown
    half = limit // 2 - 2
    return f"{shown[:half]}...{shown[-half:]} ({len(text):,} characters)"


def parse_number(text: str, what: str = "number") -> float:
    """A finite float from text such as "-2", "0.5" or "1e-3"; ExpressionError otherwise."""
    try:
        x = float(text)
    except ValueError:
        raise ExpressionError(f"{what}: {short_repr(text)} is not a number") from None
    if not math.isfinite(x):
        raise ExpressionError(f"{what}: {short_repr(text)} is not a finite number")
    return x


def parse_variables(assignments: list[str]) -> dict[str, float]:
    """``["x=-2", "y=5"]`` as ``{"x": -2.0, "y": 5.0}``, in the order given."""
    values: dict[str, float] = {}
    for item in assignments:
        name, sep, text = item.partition("=")
        name = _normal(name.strip())
        if not sep:
            raise ExpressionError(f"expected name=value, got {short_repr(item)}")
        _check_name(name)
        if name in values:
            raise ExpressionError(f"variable {short_repr(name)} is given twice")
        values[name] = parse_number(text, f"value of {name}")
    return values


def _normal(name: str) -> str:
    # Python reads identifiers in NFKC form (full-width x, U+FF58, is x); so must we.
    return unicodedata.normalize("NFKC", name)


def _check_name(name: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ExpressionError(f"{short_repr(name)} is not a valid variable name")
    if name in FUNCTIONS:
        raise ExpressionError(f"{short_repr(name)} is the name of a function, not a variable")


def evaluate(source: str, variables: Mapping[str, Any]) -> tuple[Value, dict[str, Value]]:
    """The Value of the expression ``source`` and one labelled leaf per variable.

    ``variables`` maps names to numbers (a number from text: see :func:`parse_number`).
    Returns ``(output, leaves)`` where ``leaves[name]`` is the Value of that variable,
    labelled with its name.  Refused syntax, unknown names and bad numbers raise
    :class:`ExpressionError`; the engine's own errors (log of a negative number,
    division by zero...) pass through as they are.
    """
    leaves = {}
    for given, x in variables.items():
        name = _normal(given)
        _check_name(name)
        if name in leaves:
            raise ExpressionError(f"variable {short_repr(name)} is given twice")
        number = parse_number(x, f"value of {name}") if isinstance(x, str) else x
        try:
            leaves[name] = Value(number, label=name)
        except (TypeError, ValueError) as e:
            raise ExpressionError(f"value of {name}: {e}") from None
    tree = _parse(source)
    _check(tree.body, leaves)  # every refusal comes before any arithmetic
    result = _walk(tree.body, leaves)
    output = result if isinstance(result, Value) else Value(result)
    return output, leaves


def _parse(source: str) -> ast.Expression:
    if not isinstance(source, str):
        raise ExpressionError(f"the expression must be text, got {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is too long ({len(source):,} characters; at most {MAX_LENGTH:,})"
        )
    if not source.strip():
        raise ExpressionError("the expression is empty")
    try:
        with warnings.catch_warnings():
            # "invalid decimal literal" and the like: the error that follows says it all
            warnings.simplefilter("ignore")
            return ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError) as e:
        # An integer of more than 4,300 digits: Python's message advises
        # sys.set_int_max_str_digits, of no use here; say how long the number is.
        huge = _huge_integer(source.strip())
        if huge is not None:
            column, digits = huge
            raise ExpressionError(
                f"the number at column {column} has {digits:,} digits, "
                "too large for a float (at most about 1.8e308)"
            ) from None
        if not isinstance(e, SyntaxError):  # a NUL character...
            raise ExpressionError(f"cannot read the expression: {_first_clause(e)}") from None
        where = f" at column {e.offset}" if e.offset else ""
        message = str(e.msg).split(";")[0]  # the first clause is the useful one
        raise ExpressionError(f"syntax error{where}: {message}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            "the expression is too deeply nested for Python's parser "
            "(keep it under about 2,000 operations in a row)"
        ) from None


def _huge_integer(source: str) -> tuple[int, int] | None:
    """(column, digits) of the longest integer literal, if it is beyond Python's limit
    for turning digits into an int (which the parser reports with advice about
    sys.set_int_max_str_digits, of no use here)."""
    longest = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NUMBER:
                digits = sum(ch.isdigit() for ch in token.string)
                if longest is None or digits > longest[1]:
                    longest = (token.start[1] + 1, digits)
    except (tokenize.TokenError, SyntaxError):
        pass
    limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
    return longest if longest is not None and limit and longest[1] > limit else None


def _first_clause(error: BaseException) -> str:
    return str(error).split(";")[0]


def _refuse(node: ast.AST) -> ExpressionError:
    what = _REFUSED.get(type(node))
    if what is None:
        what = _SYMBOLS.get(type(node), type(node).__name__)
        what = f"the operator {what!r}" if type(node) in _SYMBOLS else what
    column = getattr(node, "col_offset", None)
    where = f" (column {column + 1})" if column is not None else ""
    return ExpressionError(f"not allowed in an expression: {what}{where}")


def _check(root: ast.expr, leaves: dict[str, Value]) -> None:
    """Refuse the tree, before anything is computed, if any part of it is not allowed:
    syntax off the allow-list, unknown names, calls, constants; in the order written."""
    stack: list[ast.AST] = [root]
    while stack:
        node = stack.pop()
        children = _children(node, leaves)
        if type(node) is ast.Constant:
            _number(node)
        elif type(node) is ast.Name:
            _name(node, leaves)
        stack.extend(reversed(children))


def _walk(root: ast.expr, leaves: dict[str, Value]) -> Any:
    """Evaluate a checked expression tree, without recursion (a long sum is a deep tree)."""
    results: dict[int, Any] = {}  # id(node) -> value, for nodes of this one tree only
    stack: list[tuple[ast.AST, list[ast.expr] | None]] = [(root, None)]
    while stack:
        node, children = stack.pop()
        if children is None:  # first visit: evaluate its children first
            children = _children(node, leaves)
            stack.append((node, children))
            stack.extend((child, None) for child in reversed(children))
        else:
            results[id(node)] = _combine(node, [results[id(c)] for c in children], leaves)
    return results[id(root)]


def _children(node: ast.AST, leaves: dict[str, Value]) -> list[ast.expr]:
    """The sub-expressions to evaluate first; refuses every node not on the allow-list."""
    if type(node) is ast.Constant or type(node) is ast.Name:
        return []
    if type(node) is ast.BinOp:
        if type(node.op) not in _BINARY:
            raise _refuse(node.op)
        return [node.left, node.right]
    if type(node) is ast.UnaryOp:
        if type(node.op) not in (ast.USub, ast.UAdd):
            raise _refuse(node.op)
        return [node.operand]
    if type(node) is ast.Call:
        return _call_arguments(node, leaves)
    raise _refuse(node)


def _call_arguments(node: ast.Call, leaves: dict[str, Value]) -> list[ast.expr]:
    func = node.func
    if type(func) is not ast.Name:
        raise (
            _refuse(func)
            if type(func) is not ast.Call
            else ExpressionError("not allowed in an expression: calling the result of a call")
        )
    name = func.id
    if name not in FUNCTIONS:
        if name in leaves:
            raise ExpressionError(f"{short_repr(name)} is a variable, not a function")
        known = ", ".join(sorted(FUNCTIONS))
        raise ExpressionError(f"unknown function {short_repr(name)}; the functions are {known}")
    extra = FUNCTIONS[name][1]
    if any(type(a) is ast.Starred for a in node.args) or any(k.arg is None for k in node.keywords):
        raise ExpressionError(f"{name}(): '*' and '**' unpacking are not allowed")
    for k in node.keywords:
        if k.arg not in extra:
            raise ExpressionError(f"{name}() has no argument named {short_repr(str(k.arg))}")
    given = len(node.args) + len(node.keywords)
    least = _REQUIRED.get(name, 1)
    if not node.args or not least <= given <= 1 + len(extra):
        most = 1 + len(extra)
        how = str(most) if least == most else f"{least} to {most}"
        raise ExpressionError(f"{name}() takes {how} argument(s), got {given}")
    arguments = [*node.args, *(k.value for k in node.keywords)]
    if name not in _ANY_ARGUMENTS:
        names = [k.arg for k in node.keywords]
        for n, value in zip([*extra[: len(node.args) - 1], *names], arguments[1:]):
            if any(type(part) is ast.Name for part in ast.walk(value)):
                raise ExpressionError(
                    f"{name}(): {n} must be a number, not an expression of variables"
                )
    return arguments


def _number(node: ast.Constant) -> float:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = "text" if isinstance(value, (str, bytes)) else type(value).__name__
        raise ExpressionError(f"not allowed in an expression: {kind} constant {value!r:.40}")
    try:
        number = float(value)
    except OverflowError:
        try:
            digits = len(str(abs(value)))
        except ValueError:  # beyond Python's digit limit (a long hexadecimal literal)
            digits = int(abs(int(value)).bit_length() * math.log10(2)) + 1
        raise ExpressionError(
            f"the number at column {node.col_offset + 1} has {digits:,} digits, "
            "too large for a float (at most about 1.8e308)"
        ) from None
    if not math.isfinite(number):
        raise ExpressionError(
            f"the number at column {node.col_offset + 1} is too large for a float "
            "(at most about 1.8e308)"
        )
    return number


def _name(node: ast.Name, leaves: dict[str, Value]) -> Value:
    if node.id in leaves:
        return leaves[node.id]
    if node.id in FUNCTIONS:
        raise ExpressionError(f"{node.id!r} is a function: call it, as in {node.id}(x)")
    raise ExpressionError(
        f"undefined variable {short_repr(node.id)} (give it a value, for example "
        f"{node.id if len(node.id) <= 20 else 'x'}=1.5)"
    )


def _combine(node: ast.AST, args: list[Any], leaves: dict[str, Value]) -> Any:
    if type(node) is ast.Constant:
        return _number(node)
    if type(node) is ast.Name:
        return _name(node, leaves)
    if type(node) is ast.UnaryOp:
        (a,) = args
        if type(node.op) is ast.UAdd:
            return a
        return -a
    if type(node) is ast.BinOp:
        a, b = args
        operation = _BINARY[type(node.op)]
        if isinstance(a, Value) or isinstance(b, Value):
            return operation(a, b)
        # Numbers alone: through a Value all the same, for the engine's checks and
        # messages (1 / 0, (-8) ** 0.5 and 10.0 ** 400 are clear errors, not inf or complex).
        return operation(Value(a), b).data
    # A call: the first argument is the Value, the rest are plain numbers.
    name = cast(ast.Name, cast(ast.Call, node).func).id  # the only node left: a call
    function = FUNCTIONS[name][0]
    x, *numbers = args
    constant = not any(isinstance(a, Value) for a in args)
    result = function(x if isinstance(x, Value) else Value(x), *numbers)
    return result.data if constant else result
