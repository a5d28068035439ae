"""The operations of the engine: each one's forward value and local derivative, side by side.

An operation is an :class:`Op`: a string (its name, which is what ``Value._op`` holds,
as in micrograd) that also carries two functions:

* ``forward(*xs) -> float`` computes the result from plain floats and raises a clear
  error outside the operation's domain;
* ``derivative(*xs, out)`` returns the local derivative d out / d x_i for each input
  (a single number for a one-input op, a tuple otherwise).

Each derivative rule is written once, with arithmetic and the dispatching helpers
below (:func:`exp`, :func:`log`, :func:`cos`, ...).  Called with floats it gives fast
first derivatives; called with :class:`~autograd.Value` nodes it builds a graph that
can itself be differentiated, which is how ``grad(..., create_graph=True)`` reaches
second and higher derivatives.

The table :data:`OPS` at the end also says where each op may be tested: the interval
its inputs are drawn from and the kinks to keep away from.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable
from functools import lru_cache
from typing import Any

_isfinite = math.isfinite


class Op(str):
    """An operation: its name (a ``str``, shown in ``Value._op``) plus its forward and derivative.

    ``Op("cube", lambda x: x**3, lambda x, out: 3 * x**2)`` defines y = x^3 with dy/dx = 3x^2.
    Apply it with ``op(value, ...)``; numbers are wrapped into constant Values.

    What a derivative returns is checked wherever it is used (backward, grad, a traced
    program): one real number per input, finite; anything else is an error naming the
    op.  ``builtin`` is True for the engine's own ops, whose rules are trusted.
    """

    forward: Callable[..., float]
    derivative: Callable[..., Any]
    arity: int
    builtin: bool
    constant: float  # the n of x ** n, the slope of leaky_relu (those ops only)

    def __new__(
        cls,
        name: str,
        forward: Callable[..., float],
        derivative: Callable[..., Any],
        *,
        arity: int = 1,
        doc: str = "",
    ) -> Op:
        if not callable(forward) or not callable(derivative):
            raise TypeError(f"Op {name!r}: forward and derivative must be callables")
        if arity < 1:
            raise ValueError(f"Op {name!r}: arity must be at least 1, got {arity}")
        op = super().__new__(cls, name)
        op.forward = forward
        op.derivative = _checked_rule(name, derivative, arity)
        op.arity = arity
        op.builtin = False
        op.__doc__ = doc or f"The operation {name!r}."
        return op

    def __call__(self, *inputs: Any) -> Any:
        from .value import Value, apply

        if len(inputs) != self.arity:
            raise TypeError(f"{self}: takes {self.arity} input(s), got {len(inputs)}")
        return apply(self, tuple(x if type(x) is Value else Value(x) for x in inputs))

    # An Op is shared by every node that uses it: copying a graph keeps the same Op.
    def __copy__(self) -> Op:
        return self

    def __deepcopy__(self, memo: dict) -> Op:
        return self


def _builtin(
    name: str, forward: Callable[..., float], derivative: Callable[..., Any], **kw: Any
) -> Op:
    """One of the engine's own ops: its rule is tested here, so it runs unchecked."""
    new = Op(name, forward, derivative, **kw)
    new.derivative = derivative
    new.builtin = True
    return new


def _checked_rule(name: str, rule: Callable[..., Any], arity: int) -> Callable[..., Any]:
    """``rule`` with its result checked: one real, finite number (or Value) per input."""

    def checked(*args: Any) -> Any:
        return _check_local(name, rule(*args), arity, args)

    checked.__wrapped__ = rule  # type: ignore[attr-defined]
    checked.__doc__ = rule.__doc__
    return checked


def _check_local(name: str, d: Any, arity: int, args: tuple) -> Any:
    from .value import Value

    if arity == 1:
        if isinstance(d, (tuple, list)):
            raise TypeError(
                f"Op {name!r}: its derivative must return one number (the op has one input), "
                f"got {_short(d)}"
            )
        items = (d,)
    elif not isinstance(d, (tuple, list)) or len(d) != arity:
        got = f"{len(d)}: {_short(d)}" if isinstance(d, (tuple, list)) else _short(d)
        raise TypeError(
            f"Op {name!r}: its derivative must return {arity} numbers, d out / d x for each "
            f"input in order, got {got}"
        )
    else:
        items = tuple(d)
    on_values = any(type(x) is Value for x in args)
    out: list[Any] = []
    for i, x in enumerate(items):
        if type(x) is Value and on_values:
            out.append(x)
            continue
        if type(x) is Value or not isinstance(x, numbers.Real):
            kind = "a Value for float inputs" if type(x) is Value else _short(x)
            raise TypeError(
                f"Op {name!r}: its derivative for input {i} must be a real number, got {kind}"
            )
        try:
            f = float(x)
        except OverflowError:
            f = math.inf
        if not _isfinite(f):
            at = ", ".join(_fmt(number(a)) for a in args[:-1])
            raise ValueError(
                f"Op {name!r}: its derivative for input {i} is {f!r} at x = ({at}); a "
                "derivative must be a finite number"
            )
        out.append(f)
    return out[0] if arity == 1 else tuple(out)


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def op(name: str, derivative: Callable[..., Any], *, arity: int | None = None) -> Callable:
    """Decorator: turn a float function into an :class:`Op` with the given local derivative.

    >>> @op("cube", derivative=lambda x, out: 3 * x**2)
    ... def cube(x):
    ...     return x**3
    """

    def wrap(forward: Callable[..., float]) -> Op:
        n = arity if arity is not None else len(inspect.signature(forward).parameters)
        return Op(name, forward, derivative, arity=n, doc=forward.__doc__ or "")

    return wrap


# --------------------------------------------------------------------------------------
# Helpers that work on floats and on Values alike, so that one derivative rule serves
# both first derivatives (floats) and higher ones (Values).


def exp(x: Any) -> Any:
    """e^x for a float or a Value."""
    return _exp(x) if type(x) is float else x.exp()


def log(x: Any) -> Any:
    """ln x for a float or a Value."""
    return _log(x) if type(x) is float else x.log()


def sin(x: Any) -> Any:
    """sin x for a float or a Value."""
    return math.sin(x) if type(x) is float else x.sin()


def cos(x: Any) -> Any:
    """cos x for a float or a Value."""
    return math.cos(x) if type(x) is float else x.cos()


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x) for a float or a Value."""
    return _sigmoid(x) if type(x) is float else x.sigmoid()


def number(x: Any) -> float:
    """The float inside ``x`` (a float or a Value): for rules that branch on a sign."""
    return x if type(x) is float else x.data


def _power(x: Any, n: float) -> Any:
    # x ** 0 and x ** 1 are simplified so that repeated differentiation of x ** 2 stops at
    # a constant instead of building 0 * x ** -1 (which fails at x = 0).
    if n == 0:
        return 1.0
    if n == 1:
        return x
    if type(x) is float and type(n) is float:
        return _pow_forward(x, n)  # its errors name the operation
    return x**n


def _fmt(x: float) -> str:
    return repr(float(x))


def _overflow(name: str, expr: str, *inputs: float) -> ArithmeticError | ValueError:
    if all(_isfinite(x) for x in inputs):
        return OverflowError(f"{name}: {expr} is too large for a float")
    return ValueError(f"{name}: {expr} has a non-finite input (was .data set by hand?)")


# --------------------------------------------------------------------------------------
# Arithmetic.  d(a+b) = (1, 1); d(a-b) = (1, -1); d(ab) = (b, a); d(a/b) = (1/b, -a/b^2).


def _add(a: float, b: float) -> float:
    r = a + b
    if _isfinite(r):
        return r
    raise _overflow("add", f"{_fmt(a)} + {_fmt(b)}", a, b)


def _sub(a: float, b: float) -> float:
    r = a - b
    if _isfinite(r):
        return r
    raise _overflow("sub", f"{_fmt(a)} - {_fmt(b)}", a, b)


def _mul(a: float, b: float) -> float:
    r = a * b
    if _isfinite(r):
        return r
    raise _overflow("mul", f"{_fmt(a)} * {_fmt(b)}", a, b)


def _div(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"div: division by zero in {_fmt(a)} / {_fmt(b)}")
    r = a / b
    if _isfinite(r):
        return r
    raise _overflow("div", f"{_fmt(a)} / {_fmt(b)}", a, b)


ADD = _builtin("+", _add, lambda a, b, out: (1.0, 1.0), arity=2, doc="a + b")
SUB = _builtin("-", _sub, lambda a, b, out: (1.0, -1.0), arity=2, doc="a - b")
MUL = _builtin("*", _mul, lambda a, b, out: (b, a), arity=2, doc="a * b")
DIV = _builtin("/", _div, lambda a, b, out: (1.0 / b, -out / b), arity=2, doc="a / b")
NEG = _builtin("neg", lambda a: -a, lambda a, out: -1.0, doc="-a")


# --------------------------------------------------------------------------------------
# Powers.  d(x^n)/dx = n x^(n-1) for a constant n;  for a^b with both Values,
# d/da = b a^(b-1) and d/db = a^b ln a (a > 0; taken as 0 when a = 0 and b > 0).


def _pow_forward(x: float, n: float) -> float:
    if x == 0.0 and n < 0:
        raise ZeroDivisionError(f"pow: division by zero in {_fmt(x)} ** {_fmt(n)}")
    if x < 0.0 and n != int(n):
        raise ValueError(f"pow: negative base to a fractional power, {_fmt(x)} ** {_fmt(n)}")
    try:
        r = float(x**n)
    except OverflowError:
        r = math.inf
    if _isfinite(r):
        return r
    raise _overflow("pow", f"{_fmt(x)} ** {_fmt(n)}", x, n)


@lru_cache(maxsize=256)
def power(n: float) -> Op:
    """The op x -> x^n for a constant exponent n (named like micrograd's '**2')."""
    shown = int(n) if n == int(n) else n
    new = _builtin(
        f"**{shown}",
        lambda x: _pow_forward(x, n),
        lambda x, out: 0.0 if n == 0 else n * _power(x, n - 1.0),
        doc=f"x ** {shown}",
    )
    new.constant = n
    return new


def _powv_derivative(a: Any, b: Any, out: Any) -> tuple:
    base = number(a)
    if base > 0.0:
        return b * _power(a, b - 1.0), out * log(a)
    if base == 0.0 and number(b) > 0.0:
        # a^b is flat in b at a = 0 (it is 0 for every b > 0).
        return b * _power(a, b - 1.0), 0.0
    raise ValueError(
        f"pow: the derivative of a ** b with respect to b needs a > 0, got a = {_fmt(base)}"
    )


POW = _builtin("**", _pow_forward, _powv_derivative, arity=2, doc="a ** b")


# --------------------------------------------------------------------------------------
# Elementary functions.


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise _overflow("exp", f"exp({_fmt(x)})") from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: needs a positive number, got log({_fmt(x)})")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt: needs a non-negative number, got sqrt({_fmt(x)})")
    return math.sqrt(x)


def _sqrt_derivative(x: Any, out: Any) -> Any:
    if number(out) == 0.0:
        raise ZeroDivisionError("sqrt: the derivative 1 / (2 sqrt(x)) is infinite at x = 0.0")
    return 0.5 / out


def _sigmoid(x: float) -> float:
    # Two forms so that exp never overflows: for x >= 0 it sees -x, otherwise x.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    # ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): exact and finite for every finite x.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


EXP = _builtin("exp", _exp, lambda x, out: out, doc="e^x")
LOG = _builtin("log", _log, lambda x, out: 1.0 / x, doc="ln x")
SQRT = _builtin("sqrt", _sqrt, _sqrt_derivative, doc="sqrt x")
TANH = _builtin("tanh", math.tanh, lambda x, out: 1.0 - out * out, doc="tanh x")
SIGMOID = _builtin("sigmoid", _sigmoid, lambda x, out: out * (1.0 - out), doc="1 / (1 + e^-x)")
SOFTPLUS = _builtin("softplus", _softplus, lambda x, out: sigmoid(x), doc="ln(1 + e^x)")
SIN = _builtin("sin", math.sin, lambda x, out: cos(x), doc="sin x")
COS = _builtin("cos", math.cos, lambda x, out: -sin(x), doc="cos x")

# Kinks: the derivative at 0 follows PyTorch: relu'(0) = 0, abs'(0) = 0,
# leaky_relu'(0) = negative_slope.
RELU = _builtin(
    "ReLU",
    lambda x: x if x > 0.0 else 0.0,
    lambda x, out: 1.0 if number(x) > 0.0 else 0.0,
    doc="max(x, 0)",
)
ABS = _builtin(
    "abs",
    abs,
    lambda x, out: 1.0 if number(x) > 0.0 else (-1.0 if number(x) < 0.0 else 0.0),
    doc="|x|",
)


@lru_cache(maxsize=64)
def leaky_relu(negative_slope: float) -> Op:
    """The op x -> x (x > 0), negative_slope * x (x <= 0)."""
    s = negative_slope
    name = "LeakyReLU" if s == 0.01 else f"LeakyReLU({s:g})"

    def forward(x: float) -> float:
        if x > 0.0:
            return x
        r = s * x
        if _isfinite(r):
            return r
        raise _overflow(name, f"{s:g} * {_fmt(x)}", s, x)

    new = _builtin(
        name,
        forward,
        lambda x, out: 1.0 if number(x) > 0.0 else s,
        doc=f"x if x > 0 else {s:g} x",
    )
    new.constant = s
    return new


# --------------------------------------------------------------------------------------
# Where each op is tested: (op, one (low, high) interval per input, kinks per input).
# Intervals keep values moderate so that finite differences stay accurate.

Domain = tuple[tuple[float, float], ...]
_R: tuple[float, float] = (-5.0, 5.0)

OPS: dict[str, tuple[Op, Domain, tuple[tuple[float, ...], ...]]] = {
    "add": (ADD, (_R, _R), ((), ())),
    "sub": (SUB, (_R, _R), ((), ())),
    "mul": (MUL, (_R, _R), ((), ())),
    "div": (DIV, (_R, _R), ((), (0.0,))),
    "neg": (NEG, (_R,), ((),)),
    "pow2": (power(2), (_R,), ((),)),
    "pow3": (power(3), (_R,), ((),)),
    "pow-1": (power(-1), (_R,), ((0.0,),)),
    "pow0.5": (power(0.5), ((0.0, 5.0),), ((0.0,),)),
    "pow-2.5": (power(-2.5), ((0.0, 5.0),), ((0.0,),)),
    "powv": (POW, ((0.0, 5.0), (-3.0, 3.0)), ((0.0,), ())),
    "exp": (EXP, (_R,), ((),)),
    "log": (LOG, ((0.0, 10.0),), ((0.0,),)),
    "sqrt": (SQRT, ((0.0, 10.0),), ((0.0,),)),
    "tanh": (TANH, (_R,), ((),)),
    "sigmoid": (SIGMOID, ((-10.0, 10.0),), ((),)),
    "softplus": (SOFTPLUS, ((-10.0, 10.0),), ((),)),
    "sin": (SIN, (_R,), ((),)),
    "cos": (COS, (_R,), ((),)),
    "relu": (RELU, (_R,), ((0.0,),)),
    "leaky_relu": (leaky_relu(0.01), (_R,), ((0.0,),)),
    "leaky_relu0.2": (leaky_relu(0.2), (_R,), ((0.0,),)),
    "abs": (ABS, (_R,), ((0.0,),)),
}
