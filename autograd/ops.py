"""The rule table: each operation's forward value and local derivative, written once.

An operation is an :class:`Op`: a string (its name, which is what ``Value._op`` holds,
as in micrograd) that also carries

* ``forward(*xs) -> float``: the result from plain floats, with a clear error outside the
  operation's domain;
* ``derivative(*xs, out)``: the local derivative d out / d x_i for each input (one
  number for a one-input op, a tuple otherwise);
* ``family`` and ``params``: what the op is, as data (``power(2)`` is the family "pow"
  with params ``(2.0,)``), so that nothing dispatches on names;
* ``numpy``: the same forward on arrays (a numpy function's name, or a function of the
  numpy module that returns one), which the numpy backend uses;
* ``inline``: for + - * neg relu, the forward as a Python expression, which the float
  replay writes out instead of a call (checked against ``forward`` by the tests);
* ``method``: the :class:`~autograd.Value` method that applies it (how a learner writes
  it; the expression language and the hypothesis strategies read it).

Each derivative rule is written with arithmetic and the helpers below (:func:`exp`,
:func:`log`, :func:`positive`, ...), which work on floats, on Values and on the symbols
of a trace.  On floats a rule gives fast first derivatives; on Values it builds a graph
that can be differentiated again (``grad(..., create_graph=True)``); on symbols it writes
the backward program of a traced function (:mod:`autograd.trace.derive`).

:data:`OPS` at the end is the table itself: every op with the interval its inputs are
tested in and the kinks to keep away from.  Tests go over it; so do the strategies
(:mod:`autograd.testing`), the expression language and both backends of a trace.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

_isfinite = math.isfinite

# A form on arrays: a numpy function's name, or a function of the numpy module.
ArrayForm = str | Callable[[Any], Callable[..., Any]] | None


class Op(str):
    """An operation: its name (a ``str``, shown in ``Value._op``) plus its forward and derivative.

    ``Op("cube", lambda x: x**3, lambda x, out: 3 * x**2)`` defines y = x^3 with dy/dx = 3x^2.
    Apply it with ``op(value, ...)``; numbers are wrapped into constant Values.  ``numpy=``
    (a numpy function's name, or ``lambda np: ...`` returning a function of arrays) lets
    the numpy backend run it on arrays; without it the backend calls ``forward`` sample
    by sample.  ``numpy_derivative=`` (``lambda np: ...`` returning a function of the
    input arrays and ``out``, with the derivative as ``derivative`` gives it) does the same
    for the backward pass.

    What a derivative returns is checked wherever it is used (backward, grad, a traced
    program): one real number per input, finite; anything else is an error naming the
    op.  ``builtin`` is True for the engine's own ops, whose rules are trusted.
    """

    forward: Callable[..., float]
    derivative: Callable[..., Any]
    arity: int
    builtin: bool
    family: str  # what the op is: "add", "pow", "leaky_relu", ... (its name for user ops)
    params: tuple[float, ...]  # the op's own constants: the n of x ** n, a slope
    numpy: ArrayForm
    numpy_derivative: Callable[[Any], Callable[..., Any]] | None
    partial_of: tuple[Op, int] | None  # (op, k) for the k-th partial of a user's op
    inline: tuple[int, str] | None  # (precedence, Python expression of {0}, {1})
    method: str | None  # the Value method that applies it
    commutative: bool

    def __new__(
        cls,
        name: str,
        forward: Callable[..., float],
        derivative: Callable[..., Any],
        *,
        arity: int = 1,
        doc: str = "",
        numpy: ArrayForm = None,
        numpy_derivative: Callable[[Any], Callable[..., Any]] | None = None,
    ) -> Op:
        if not callable(forward) or not callable(derivative):
            raise TypeError(f"Op {name!r}: forward and derivative must be callables")
        if arity < 1:
            raise ValueError(f"Op {name!r}: arity must be at least 1, got {arity}")
        if numpy is not None and not (isinstance(numpy, str) or callable(numpy)):
            raise TypeError(f"Op {name!r}: numpy must be a numpy function's name or a function")
        if numpy_derivative is not None and not callable(numpy_derivative):
            raise TypeError(f"Op {name!r}: numpy_derivative must be a function of numpy")
        op = super().__new__(cls, name)
        op.forward = forward
        op.derivative = _checked_rule(name, derivative, arity)
        op.arity = arity
        op.builtin = False
        op.family = str(name)
        op.params = ()
        op.numpy = numpy
        op.numpy_derivative = numpy_derivative
        op.partial_of = None
        op.inline = None
        op.method = None
        op.commutative = False
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
    name: str,
    forward: Callable[..., float],
    derivative: Callable[..., Any],
    *,
    family: str,
    method: str | None,
    numpy: ArrayForm,
    params: tuple[float, ...] = (),
    inline: tuple[int, str] | None = None,
    commutative: bool = False,
    arity: int = 1,
    doc: str = "",
) -> Op:
    """One of the engine's own ops: its rule is tested here, so it runs unchecked."""
    new = Op(name, forward, derivative, arity=arity, doc=doc, numpy=numpy)
    new.derivative = derivative
    new.builtin = True
    new.family = family
    new.params = params
    new.inline = inline
    new.method = method
    new.commutative = commutative
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


def op(
    name: str,
    derivative: Callable[..., Any],
    *,
    arity: int | None = None,
    numpy: ArrayForm = None,
) -> Callable:
    """Decorator: turn a float function into an :class:`Op` with the given local derivative.

    >>> @op("cube", derivative=lambda x, out: 3 * x**2)
    ... def cube(x):
    ...     return x**3
    """

    def wrap(forward: Callable[..., float]) -> Op:
        n = arity if arity is not None else len(inspect.signature(forward).parameters)
        return Op(name, forward, derivative, arity=n, doc=forward.__doc__ or "", numpy=numpy)

    return wrap


# --------------------------------------------------------------------------------------
# Helpers that work on floats, on Values and on a trace's symbols alike, so that one
# derivative rule serves first derivatives (floats), higher ones (Values) and traced
# backward programs (symbols: anything else, which applies an op by its ``apply``).


def exp(x: Any) -> Any:
    """e^x for a float, a Value or a symbol."""
    return _exp(x) if type(x) is float else x.exp()


def log(x: Any) -> Any:
    """ln x for a float, a Value or a symbol."""
    return _log(x) if type(x) is float else x.log()


def sin(x: Any) -> Any:
    """sin x for a float, a Value or a symbol."""
    return math.sin(x) if type(x) is float else x.sin()


def cos(x: Any) -> Any:
    """cos x for a float, a Value or a symbol."""
    return math.cos(x) if type(x) is float else x.cos()


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x) for a float, a Value or a symbol."""
    return _sigmoid(x) if type(x) is float else x.sigmoid()


def number(x: Any) -> float:
    """The float inside ``x`` (a float or a Value): for rules that branch on a sign.

    A rule that uses it cannot be written into a traced backward program; the engine's
    own rules use :func:`positive`, :func:`sign` and :func:`xlogy` instead.
    """
    return x if type(x) is float else x.data


class Symbol:
    """Base class of a trace's symbols (:mod:`autograd.trace.derive`): a rule given
    symbols writes the ops it would apply, through :meth:`apply`, instead of computing."""

    __slots__ = ()

    def apply(self, op: Op, *operands: Any) -> Any:
        raise NotImplementedError


def _symbolic(x: Any) -> bool:
    return type(x) is not float and isinstance(x, Symbol)


def positive(x: Any, then: float = 1.0, otherwise: float = 0.0) -> Any:
    """``then`` where x > 0, ``otherwise`` elsewhere: the slope of a kink.

    A number for floats and Values (the slope of a kink has derivative 0, so a constant
    is exact to every order), the op :func:`step` for a symbol.
    """
    if _symbolic(x):
        return x.apply(step(then, otherwise), x)
    return then if number(x) > 0.0 else otherwise


def sign(x: Any) -> Any:
    """1, -1 or 0 as x is positive, negative or 0 (the slope of |x|)."""
    if _symbolic(x):
        return x.apply(SIGN, x)
    return _sign(number(x))


def xlogy(y: Any, a: Any) -> Any:
    """y ln a, taken as 0 where y = a = 0 (for a ** b with a = 0 and b > 0); a < 0 and
    (a = 0, y != 0) are errors: the slope of a ** b in b is y ln a with y = a ** b."""
    if _symbolic(y) or _symbolic(a):
        return (y if _symbolic(y) else a).apply(XLOGY, y, a)
    base = number(a)
    if base > 0.0:
        return y * log(a)
    if base == 0.0 and number(y) == 0.0:
        return 0.0
    raise ValueError(
        f"pow: the derivative of a ** b with respect to b needs a > 0, got a = {_fmt(base)}"
    )


def _nonzero(x: Any, message: str) -> Any:
    """``x``, or ZeroDivisionError(message) where it is 0 (a symbol passes: its replay
    divides by 0 there and reruns on Values, which raise this error)."""
    if not _symbolic(x) and number(x) == 0.0:
        raise ZeroDivisionError(message)
    return x


def _power(x: Any, n: Any) -> Any:
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
# The inline forms give inf or nan where forward raises; the float replay checks for them.


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


ADD = _builtin(
    "+", _add, lambda a, b, out: (1.0, 1.0), family="add", method="__add__", numpy="add",
    inline=(1, "{0} + {1}"), commutative=True, arity=2, doc="a + b",
)  # fmt: skip
SUB = _builtin(
    "-", _sub, lambda a, b, out: (1.0, -1.0), family="sub", method="__sub__",
    numpy="subtract", inline=(1, "{0} - {1}"), arity=2, doc="a - b",
)  # fmt: skip
MUL = _builtin(
    "*", _mul, lambda a, b, out: (b, a), family="mul", method="__mul__", numpy="multiply",
    inline=(2, "{0} * {1}"), commutative=True, arity=2, doc="a * b",
)  # fmt: skip
DIV = _builtin(
    "/", _div, lambda a, b, out: (1.0 / b, -out / b), family="div", method="__truediv__",
    numpy="divide", arity=2, doc="a / b",
)  # fmt: skip
NEG = _builtin(
    "neg", lambda a: -a, lambda a, out: -1.0, family="neg", method="__neg__",
    numpy="negative", inline=(3, "-{0}"), doc="-a",
)  # fmt: skip


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
    return _builtin(
        f"**{shown}",
        lambda x: _pow_forward(x, n),
        lambda x, out: 0.0 if n == 0 else n * _power(x, n - 1.0),
        family="pow",
        method="__pow__",
        params=(n,),
        numpy=lambda np: lambda x: np.power(x, n),
        doc=f"x ** {shown}",
    )


def _powv_derivative(a: Any, b: Any, out: Any) -> tuple:
    db = xlogy(out, a)  # first: for a <= 0 its error is the one to give
    return b * _power(a, b - 1.0), db


POW = _builtin(
    "**", _pow_forward, _powv_derivative, family="powv", method="__pow__", numpy="power",
    arity=2, doc="a ** b",
)  # fmt: skip


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
    return 0.5 / _nonzero(out, "sqrt: the derivative 1 / (2 sqrt(x)) is infinite at x = 0.0")


def _sigmoid(x: float) -> float:
    # Two forms so that exp never overflows: for x >= 0 it sees -x, otherwise x.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    # ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): exact and finite for every finite x.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sigmoid_on_arrays(np: Any) -> Callable[[Any], Any]:
    def sigmoid(x: Any) -> Any:
        e = np.exp(-np.abs(x))  # never overflows: both forms of _sigmoid at once
        return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))

    return sigmoid


def _softplus_on_arrays(np: Any) -> Callable[[Any], Any]:
    return lambda x: np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _function(name: str, forward: Callable, derivative: Callable, numpy: ArrayForm, doc: str) -> Op:
    return _builtin(name, forward, derivative, family=name, method=name, numpy=numpy, doc=doc)


EXP = _function("exp", _exp, lambda x, out: out, "exp", "e^x")
LOG = _function("log", _log, lambda x, out: 1.0 / x, "log", "ln x")
SQRT = _function("sqrt", _sqrt, _sqrt_derivative, "sqrt", "sqrt x")
TANH = _function("tanh", math.tanh, lambda x, out: 1.0 - out * out, "tanh", "tanh x")
SIGMOID = _function(
    "sigmoid", _sigmoid, lambda x, out: out * (1.0 - out), _sigmoid_on_arrays, "1 / (1 + e^-x)"
)
SOFTPLUS = _function(
    "softplus", _softplus, lambda x, out: sigmoid(x), _softplus_on_arrays, "ln(1 + e^x)"
)
SIN = _function("sin", math.sin, lambda x, out: cos(x), "sin", "sin x")
COS = _function("cos", math.cos, lambda x, out: -sin(x), "cos", "cos x")
ATAN = _function("atan", math.atan, lambda x, out: 1.0 / (1.0 + x * x), "arctan", "arctan x")


# --------------------------------------------------------------------------------------
# Kinks.  The derivative at 0 follows PyTorch: relu'(0) = 0, abs'(0) = 0,
# leaky_relu'(0) = negative_slope.

RELU = _builtin(
    "ReLU",
    lambda x: x if x > 0.0 else 0.0,
    lambda x, out: positive(x),
    family="relu",
    method="relu",
    numpy=lambda np: partial(np.maximum, 0.0),  # maximum(0.0, x): relu(-0.0) is 0.0
    # x - x: 0.0 for a finite x, nan for inf or nan, which must not be hidden
    inline=(0, "{0} if {0} > 0.0 else {0} - {0}"),
    doc="max(x, 0)",
)
ABS = _builtin(
    "abs", abs, lambda x, out: sign(x), family="abs", method="abs", numpy="absolute", doc="|x|"
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

    return _builtin(
        name,
        forward,
        lambda x, out: positive(x, 1.0, s),
        family="leaky_relu",
        method="leaky_relu",
        params=(s,),
        numpy=lambda np: lambda x: np.where(x > 0.0, x, s * x),
        doc=f"x if x > 0 else {s:g} x",
    )


# --------------------------------------------------------------------------------------
# The slopes of kinks, as ops: what positive(), sign() and xlogy() write into a traced
# backward program.  Not Value methods: rules build them, learners need not.


def _sign(x: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


@lru_cache(maxsize=64)
def step(then: float, otherwise: float) -> Op:
    """The op x -> ``then`` (x > 0), ``otherwise`` (x <= 0); its derivative is 0."""
    return _builtin(
        f"step({then:g}, {otherwise:g})",
        lambda x: then if x > 0.0 else otherwise,
        lambda x, out: 0.0,
        family="step",
        method=None,
        params=(then, otherwise),
        numpy=lambda np: lambda x: np.where(x > 0.0, then, otherwise),
        doc=f"{then:g} if x > 0 else {otherwise:g}",
    )


SIGN = _builtin(
    "sign", _sign, lambda x, out: 0.0, family="sign", method=None, numpy="sign",
    doc="1, -1 or 0 as x is positive, negative or 0",
)  # fmt: skip


def _xlogy_on_arrays(np: Any) -> Callable[[Any, Any], Any]:
    def xlogy(y: Any, a: Any) -> Any:
        with np.errstate(all="ignore"):  # a <= 0 gives nan: the float replay explains it
            return np.where((a == 0.0) & (y == 0.0), 0.0, y * np.log(a))

    return xlogy


XLOGY = _builtin(
    "xlogy", xlogy, lambda y, a, out: (log(a), y / a), family="xlogy", method=None,
    numpy=_xlogy_on_arrays, arity=2, doc="y ln a (0 where y = a = 0)",
)  # fmt: skip


# --------------------------------------------------------------------------------------
# The table: every op, the interval each input is tested in, the kinks to keep away
# from.  Intervals keep values moderate so that finite differences stay accurate.

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
    "atan": (ATAN, (_R,), ((),)),
    "relu": (RELU, (_R,), ((0.0,),)),
    "leaky_relu": (leaky_relu(0.01), (_R,), ((0.0,),)),
    "leaky_relu0.2": (leaky_relu(0.2), (_R,), ((0.0,),)),
    "abs": (ABS, (_R,), ((0.0,),)),
    "step": (step(1.0, 0.25), (_R,), ((0.0,),)),
    "sign": (SIGN, (_R,), ((0.0,),)),
    "xlogy": (XLOGY, (_R, (0.0, 5.0)), ((), (0.0,))),
}

# The engine's ops by name: for nodes built by hand, ``Value(3.0, (a, b), "+")``, whose
# ``_op`` is a plain string (as in micrograd's lessons).
BY_NAME: dict[str, Op] = {str(row[0]): row[0] for row in OPS.values()}
