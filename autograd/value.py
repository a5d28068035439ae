"""``Value``: one number of a computation, and the record of how it was computed."""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from . import ops as _ops
from .ops import Op

_isfinite = _ops._isfinite
_new = object.__new__
_ADD, _SUB, _MUL, _RELU = _ops.ADD, _ops.SUB, _ops.MUL, _ops.RELU
_Real = numbers.Real


class Value:
    """A scalar that remembers the operation and the inputs that produced it.

    ``Value(data, _children=(), _op='', label='')`` has micrograd's signature.  ``data``
    is the number (any finite real: int, float, numpy scalar, ...), ``grad`` the
    gradient that :meth:`backward` accumulates into, ``_prev`` the inputs in the order
    they were given and ``_op`` the operation (a name, as in micrograd).  Values are
    hashed and compared by identity, so they can be kept in sets and dicts.
    """

    # No __dict__ and no closures: a node is small and holds no reference to itself, so
    # a discarded graph is freed at once by reference counting, without the cycle
    # collector.  The inputs sit in two slots rather than a tuple: one object less per
    # node for the allocator and the collector (see _prev).  ``_g`` is scratch space for
    # a backward pass in progress.
    __slots__ = ("_a", "_b", "_data", "_g", "_op", "grad", "label")

    grad: float
    _op: str
    label: str

    def __init__(self, data: Any, _children: Any = (), _op: str = "", label: str = "") -> None:
        if type(data) is not float:
            data = as_float(data, "Value")
        if not _isfinite(data):
            raise ValueError(f"Value: data must be a finite number, got {data!r}")
        self._data = data
        self.grad = 0.0
        self._a, self._b = _slots(_checked_children(_children) if _children else ())
        self._op = _op
        self.label = label
        self._g = 0.0

    @property
    def data(self) -> float:
        """The number (engine code reads the slot ``_data``, which no trace watches)."""
        if DATA_WATCH.active:  # a trace is running somewhere: it may refuse this read
            DATA_WATCH.check(self, "read")
        return self._data

    @data.setter
    def data(self, x: float) -> None:
        if DATA_WATCH.active:
            DATA_WATCH.check(self, "set")
        self._data = x

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The inputs, in the order they were given (repeated if used twice, as in a * a)."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is None:
            return (a,)
        return a if b is MANY else (a, b)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # ---- arithmetic: the rules live in autograd.ops, one Op per operation --------------

    # The three busiest operations are written out: the float arithmetic first (the
    # checked function runs only to raise its error when the result is inf or nan), then
    # the node, as raw_node builds it.  About a fifth faster than calling both.

    def __add__(self, other: Any) -> Value:
        if type(other) is not Value:
            other = _lift(other, "+")
            if other is NotImplemented:
                return other
        r = self._data + other._data
        if r - r != 0.0:
            _ops._add(self._data, other._data)
        v = _new(Value)
        v._data = r
        v.grad = 0.0
        v._a = self
        v._b = other
        v._op = _ADD
        v.label = ""
        v._g = 0.0
        if _tapes is not None:  # a trace is running: it may be recording this node
            _taped(v)
        return v

    def __radd__(self, other: Any) -> Value:
        other = _lift(other, "+")
        return other if other is NotImplemented else other + self

    def __sub__(self, other: Any) -> Value:
        if type(other) is not Value:
            other = _lift(other, "-")
            if other is NotImplemented:
                return other
        r = self._data - other._data
        if r - r != 0.0:
            _ops._sub(self._data, other._data)
        v = _new(Value)
        v._data = r
        v.grad = 0.0
        v._a = self
        v._b = other
        v._op = _SUB
        v.label = ""
        v._g = 0.0
        if _tapes is not None:  # a trace is running: it may be recording this node
            _taped(v)
        return v

    def __rsub__(self, other: Any) -> Value:
        other = _lift(other, "-")
        return other if other is NotImplemented else other - self

    def __mul__(self, other: Any) -> Value:
        if type(other) is not Value:
            other = _lift(other, "*")
            if other is NotImplemented:
                return other
        r = self._data * other._data
        if r - r != 0.0:
            _ops._mul(self._data, other._data)
        v = _new(Value)
        v._data = r
        v.grad = 0.0
        v._a = self
        v._b = other
        v._op = _MUL
        v.label = ""
        v._g = 0.0
        if _tapes is not None:  # a trace is running: it may be recording this node
            _taped(v)
        return v

    def __rmul__(self, other: Any) -> Value:
        other = _lift(other, "*")
        return other if other is NotImplemented else other * self

    def __truediv__(self, other: Any) -> Value:
        if type(other) is not Value:
            other = _lift(other, "/")
            if other is NotImplemented:
                return other
        return raw_node(_ops._div(self._data, other._data), self, other, _ops.DIV)

    def __rtruediv__(self, other: Any) -> Value:
        other = _lift(other, "/")
        return other if other is NotImplemented else other / self

    def __pow__(self, other: Any) -> Value:
        if type(other) is Value:
            return raw_node(_ops._pow_forward(self._data, other._data), self, other, _ops.POW)
        n = as_float(other, "**", reflected=True)
        if n is NotImplemented:
            return n
        if not _isfinite(n):
            raise ValueError(f"**: the exponent must be a finite number, got {other!r}")
        return _unary(self, _ops.power(n))

    def pow(self, exponent: Any) -> Value:
        """self ** exponent, the method form of ``**`` (as in PyTorch): a number or a Value."""
        if type(exponent) is not Value and not isinstance(exponent, _Real):
            raise TypeError(
                f"pow: the exponent must be a real number or a Value, got {exponent!r:.60} "
                f"(of type {type(exponent).__name__})"
            )
        return self.__pow__(exponent)

    def __rpow__(self, other: Any) -> Value:
        other = _lift(other, "**")
        return other if other is NotImplemented else other**self

    def __pos__(self) -> Value:
        return self

    def __neg__(self) -> Value:
        return _unary(self, _ops.NEG)

    def __abs__(self) -> Value:
        return _unary(self, _ops.ABS)

    # ---- functions ---------------------------------------------------------------------

    def exp(self) -> Value:
        """e^x."""
        return _unary(self, _ops.EXP)

    def log(self) -> Value:
        """Natural logarithm, for x > 0."""
        return _unary(self, _ops.LOG)

    def sqrt(self) -> Value:
        """Square root, for x >= 0."""
        return _unary(self, _ops.SQRT)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _unary(self, _ops.TANH)

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e^-x), computed without overflow."""
        return _unary(self, _ops.SIGMOID)

    def softplus(self) -> Value:
        """ln(1 + e^x), computed without overflow; its derivative is sigmoid(x)."""
        return _unary(self, _ops.SOFTPLUS)

    def relu(self) -> Value:
        """max(x, 0); the derivative at 0 is taken as 0."""
        d = self._data
        if d - d != 0.0:
            return _unary(self, _RELU)  # raises its error
        return raw_node(d if d > 0.0 else 0.0, self, None, _RELU)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x for x > 0, else negative_slope * x; the derivative at 0 is negative_slope."""
        slope = as_float(negative_slope, "leaky_relu: negative_slope")
        if not _isfinite(slope):
            raise ValueError(f"leaky_relu: negative_slope must be finite, got {negative_slope!r}")
        return _unary(self, _ops.leaky_relu(slope))

    def abs(self) -> Value:
        """``|x|``; the derivative at 0 is taken as 0."""
        return self.__abs__()

    def sin(self) -> Value:
        """Sine."""
        return _unary(self, _ops.SIN)

    def cos(self) -> Value:
        """Cosine."""
        return _unary(self, _ops.COS)

    def atan(self) -> Value:
        """Arctangent, in (-pi/2, pi/2)."""
        return _unary(self, _ops.ATAN)

    # ---- gradients ---------------------------------------------------------------------

    def backward(self) -> None:
        """Add d self / d node to ``node.grad`` for every node of the graph (self included).

        Gradients accumulate: call ``zero_grad`` (or set ``.grad = 0``) between steps.
        """
        from .backprop import backward

        backward(self)

    def _backward(self) -> None:
        """One step of the chain rule, as micrograd's lessons call it by hand: add
        ``self.grad * d self / d x`` to the ``.grad`` of each input x."""
        op = self._op
        prev = self._prev
        if type(op) is not Op or not prev:
            return
        local = op.derivative(*[x._data for x in prev], self._data)
        if op.arity == 1:
            local = (local,)
        g = self.grad
        for x, d in zip(prev, local):
            x.grad += g * d


MANY = object()  # in _b: the op has more than two inputs, and _a holds them all


class DataWatch:
    """How a trace (:mod:`autograd.trace.record`) sees reads and writes of ``.data``:
    while ``active`` (the number of traces running, in any thread) is not 0, every read
    or write calls ``check(value, "read" or "set")`` first, which may refuse it."""

    def __init__(self) -> None:
        self.active = 0
        self.check: Callable[[Value, str], None] = lambda value, what: None


DATA_WATCH = DataWatch()

# The tapes of the traces running now, by thread: every node the engine makes in such a
# thread is appended to its tape (None while no trace runs: one test per node then).
_tapes: dict[int, list[Value]] | None = None
_tapes_lock = threading.Lock()


def _taped(v: Value) -> None:
    tape = _tapes.get(threading.get_ident()) if _tapes is not None else None
    if tape is not None:
        tape.append(v)


@contextmanager
def tape() -> Iterator[list[Value]]:
    """Inside the block, every node the engine makes in this thread is appended to the
    list it gives, in the order it is made (what a trace records)."""
    global _tapes
    made: list[Value] = []
    me = threading.get_ident()
    with _tapes_lock:
        outer = None if _tapes is None else _tapes.get(me)
        _tapes = {**(_tapes or {}), me: made}
    try:
        yield made
    finally:
        with _tapes_lock:
            rest = {k: v for k, v in (_tapes or {}).items() if k != me}
            if outer is not None:
                outer.extend(made)  # an enclosing trace in this thread sees them too
                rest[me] = outer
            _tapes = rest or None


def _checked_children(children: Any) -> tuple[Value, ...]:
    """``Value(..., _children=...)`` given by hand: Values only, or a TypeError naming the
    first that is not (a number there would break every later backward pass)."""
    try:
        inputs = tuple(children)
    except TypeError:
        raise TypeError(
            f"Value: _children must be a tuple of Values, got {children!r:.60}"
        ) from None
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(
                f"Value: _children must be Values, got {x!r:.60} (of type "
                f"{type(x).__name__}) at position {i}"
            )
    return inputs


def _slots(inputs: tuple) -> tuple[Any, Any]:
    """The (_a, _b) pair that stores ``inputs``."""
    if len(inputs) > 2:
        return inputs, MANY
    return (*inputs, None, None)[:2]


def raw_node(data: float, a: Any, b: Any, op: Any) -> Value:
    """A new node, bypassing ``__init__``: ``data`` is already a checked float; ``a`` and
    ``b`` are the inputs (None where absent)."""
    v = _new(Value)
    v._data = data
    v.grad = 0.0
    v._a = a
    v._b = b
    v._op = op
    v.label = ""
    v._g = 0.0
    if _tapes is not None:
        _taped(v)
    return v


def _unary(x: Value, op: Op) -> Value:
    """``op`` applied to one Value.  A non-finite input can only come from ``.data`` set
    by hand (a diverging update, say); refuse it rather than pass a NaN on."""
    d = x._data
    if not _isfinite(d):
        raise ValueError(f"{op}: the input is {d!r} (was .data set to a non-finite number?)")
    return raw_node(op.forward(d), x, None, op)


def apply(op: Op, inputs: tuple[Value, ...]) -> Value:
    """Apply an :class:`~autograd.ops.Op` to Values (the path user-defined ops take)."""
    data = op.forward(*[x._data for x in inputs])
    if type(data) is not float:
        data = as_float(data, str(op))
    if not _isfinite(data):
        raise ValueError(f"{op}: the result {data!r} is not a finite number")
    return raw_node(data, *_slots(inputs), op)


def as_float(x: Any, where: str, reflected: bool = False) -> Any:
    """``float(x)`` for a real number; a TypeError naming ``where`` and ``x`` otherwise.

    With ``reflected``, objects that may handle the operation themselves (numpy arrays)
    get ``NotImplemented`` instead, so that Python tries their reflected method.
    """
    if isinstance(x, _Real):
        try:
            return float(x)
        except OverflowError:
            text = str(x)
            shown = text if len(text) <= 24 else f"{text[:12]}...({len(text)} digits)"
            raise OverflowError(f"{where}: {shown} is too large for a float") from None
    if reflected and hasattr(type(x), "__array_ufunc__"):
        return NotImplemented
    what = "a Value" if isinstance(x, Value) else f"{x!r} (of type {type(x).__name__})"
    raise TypeError(f"{where}: expected a real number, got {what}")


def _lift(x: Any, where: str) -> Any:
    """A constant Value for the number ``x`` (or NotImplemented, see ``as_float``)."""
    t = type(x)
    if t is float:
        f = x
    elif t is int and -(2**53) <= x <= 2**53:  # exactly representable, cannot overflow
        f = float(x)
    else:
        f = as_float(x, where, reflected=True)
        if f is NotImplemented:
            return f
    if not _isfinite(f):
        raise ValueError(f"{where}: operand must be a finite number, got {x!r}")
    return raw_node(f, None, None, "")
