"""Hypothesis strategies for testing gradients: safe inputs per op, and random expressions.

>>> from hypothesis import given
>>> from autograd import gradcheck
>>> from autograd.testing import reals
>>> @given(reals(0.1, 5.0))
... def test_log(x):
...     assert gradcheck(lambda v: v.log(), [x])

Every strategy keeps a safe distance (``margin``) from kinks such as 0 for relu, so that
central differences never straddle one.  Needs the ``hypothesis`` package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .support.extras import check

check(["hypothesis"], "autograd.testing")  # one line naming the extra, not a bare ImportError

from hypothesis import strategies as st  # noqa: E402

from .ops import OPS, Op  # noqa: E402

MARGIN = 1e-3  # distance from a kink or a domain boundary


def _applier(op: Op) -> Callable[..., Any]:
    """How an op of the table is applied to Values: by its method (``x.exp()``, ``x ** 2``,
    ``x.leaky_relu(0.2)``: whatever has the same methods works too), or by the op itself."""
    if op.method is None:
        return op
    method, params = op.method, op.params
    return lambda x, *rest: getattr(x, method)(*rest, *params)


# How each op of the table is applied to Values (and to anything with the same methods).
APPLY: dict[str, Callable[..., Any]] = {name: _applier(row[0]) for name, row in OPS.items()}

# The same operations on plain floats (each op's forward), used to build expressions whose
# every intermediate value is known (and kept inside each op's domain).
FLOAT_APPLY: dict[str, Callable[..., float]] = {name: row[0].forward for name, row in OPS.items()}

# What expressions() draws from by default: the ops a learner writes (the table's ops
# that only derivative rules build, such as step, are left out).
LEARNER_OPS = tuple(name for name, row in OPS.items() if row[0].method is not None)


def reals(
    low: float = -5.0, high: float = 5.0, *, avoid: Iterable[float] = (), margin: float = MARGIN
) -> st.SearchStrategy[float]:
    """Floats in the open interval (low, high), at least ``margin`` from it ends and
    from every point in ``avoid``."""
    points = tuple(avoid)
    lo, hi = low + margin, high - margin
    if not lo < hi:
        raise ValueError(f"reals: the interval ({low}, {high}) is narrower than 2 * margin")
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).filter(
        lambda x: all(abs(x - k) >= margin for k in points)
    )


def op_inputs(name: str, *, margin: float = MARGIN) -> st.SearchStrategy[tuple[float, ...]]:
    """Inputs for the op ``name`` of ``autograd.ops.OPS``: one float per operand, each
    inside the op's test domain and away from its kinks."""
    _, domain, kinks = OPS[name]
    return st.tuples(*(reals(lo, hi, avoid=k, margin=margin) for (lo, hi), k in zip(domain, kinks)))


@dataclass(frozen=True)
class Expression:
    """A straight-line program over a few variables: step i computes ``t<i>`` by applying
    an op of the table to earlier variables or steps, so subexpressions are shared.
    ``point`` holds values of the variables at which every step is inside its domain."""

    variables: tuple[str, ...]
    steps: tuple[tuple[str, tuple[int, ...]], ...]
    point: tuple[float, ...]

    def __call__(self, *args: Any, functions: Mapping[str, Callable] | None = None) -> Any:
        """Evaluate on Values (or floats, tensors ... with matching ``functions``)."""
        if len(args) != len(self.variables):
            raise TypeError(f"Expression takes {len(self.variables)} inputs, got {len(args)}")
        table = APPLY if functions is None else {**APPLY, **functions}
        slots = list(args)
        for name, operands in self.steps:
            slots.append(table[name](*(slots[i] for i in operands)))
        return slots[-1]

    def __str__(self) -> str:
        names = list(self.variables)
        lines = []
        for i, (name, operands) in enumerate(self.steps):
            names.append(f"t{i}")
            lines.append(f"t{i} = {name}({', '.join(names[j] for j in operands)})")
        at = ", ".join(f"{v}={x!r}" for v, x in zip(self.variables, self.point))
        return "; ".join(lines) + f"  at {at}"


# Limits that keep every intermediate value moderate and every slope gentle, so that
# finite differences are accurate and nothing overflows.
_BOUND = 50.0
_STEEP = 30.0
_R = (-5.0, 5.0)  # a test interval this wide means "any moderate number"


def _fits(name: str, xs: Sequence[float], margin: float) -> float | None:
    """The op's value at xs, if xs is inside its domain, away from its kinks, and the op
    is defined and not steep there; else None."""
    op, domain, kinks = OPS[name]
    for x, (lo, hi), ks in zip(xs, domain, kinks):
        if (lo, hi) != _R and not lo + margin < x < hi - margin:
            return None
        if any(abs(x - k) < margin for k in ks):
            return None
    try:
        out = op.forward(*xs)
        slopes = op.derivative(*xs, out)
    except (ArithmeticError, ValueError):
        return None
    slopes = slopes if isinstance(slopes, tuple) else (slopes,)
    if not abs(out) < _BOUND or not all(abs(d) <= _STEEP for d in slopes):
        return None
    return out


@st.composite
def expressions(
    draw: Callable,
    variables: Sequence[str] = ("x", "y", "z"),
    *,
    min_steps: int = 1,
    max_steps: int = 10,
    ops: Sequence[str] | None = None,
    margin: float = 1e-2,
) -> Expression:
    """Random expressions over ``variables`` using the ops named in ``ops`` (default: every
    op of the table that a learner writes), with a point where every step is safely inside
    its op's domain.

    An op that does not fit its drawn operands is replaced by ``tanh`` of the first one,
    so nothing is filtered away.
    """
    names = list(ops if ops is not None else LEARNER_OPS)
    point = tuple(draw(reals(-2.0, 2.0, avoid=(0.0,), margin=0.05)) for _ in variables)
    values = list(point)
    steps = []
    for _ in range(draw(st.integers(min_steps, max_steps))):
        name = draw(st.sampled_from(names))
        arity = len(OPS[name][1])
        # Favour recent results, so that the graph is deep as well as wide.
        n = len(values)
        operands = tuple(
            draw(st.one_of(st.integers(max(0, n - 3), n - 1), st.integers(0, n - 1)))
            for _ in range(arity)
        )
        result = _fits(name, [values[i] for i in operands], margin)
        if result is None:
            name, operands = "tanh", operands[:1]
            result = math.tanh(values[operands[0]])
        steps.append((name, operands))
        values.append(result)
    return Expression(tuple(variables), tuple(steps), point)
