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
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .support.extras import check

check(["hypothesis"], "autograd.testing")  # one line naming the extra, not a bare ImportError

from hypothesis import strategies as st  # noqa: E402

from .ops import OPS  # noqa: E402

MARGIN = 1e-3  # distance from a kink or a domain boundary

# How each op of the table is applied to Values (and to anything with the same methods).
APPLY: dict[str, Callable[..., Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "neg": operator.neg,
    "pow2": lambda x: x**2,
    "pow3": lambda x: x**3,
    "pow-1": lambda x: x**-1,
    "pow0.5": lambda x: x**0.5,
    "pow-2.5": lambda x: x**-2.5,
    "powv": operator.pow,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "softplus": lambda x: x.softplus(),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "relu": lambda x: x.relu(),
    "leaky_relu": lambda x: x.leaky_relu(),
    "leaky_relu0.2": lambda x: x.leaky_relu(0.2),
    "abs": abs,
}

# The same operations on plain floats, used to build expressions whose every
# intermediate value is known (and kept inside each op's domain).
FLOAT_APPLY: dict[str, Callable[..., float]] = {
    **{k: APPLY[k] for k in ("add", "sub", "mul", "div", "neg", "powv", "abs")},
    **{k: APPLY[k] for k in ("pow2", "pow3", "pow-1", "pow0.5", "pow-2.5")},
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sigmoid": lambda x: OPS["sigmoid"][0].forward(x),
    "softplus": lambda x: OPS["softplus"][0].forward(x),
    "sin": math.sin,
    "cos": math.cos,
    "relu": lambda x: max(x, 0.0),
    "leaky_relu": lambda x: x if x > 0 else 0.01 * x,
    "leaky_relu0.2": lambda x: x if x > 0 else 0.2 * x,
}


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


# Limits that keep every intermediate value moderate, so that finite differences are
# accurate and nothing overflows.
_BOUND = 50.0


def _fits(name: str, xs: Sequence[float], margin: float) -> bool:
    _, domain, kinks = OPS[name]
    for x, (lo, hi), ks in zip(xs, domain, kinks):
        if name not in ("add", "sub", "mul", "neg") and not lo + margin < x < hi - margin:
            return False
        if any(abs(x - k) < margin for k in ks):
            return False
    if name == "exp" and xs[0] > 3.0:
        return False
    return not (name in ("div", "pow-1", "pow-2.5", "log") and abs(xs[-1]) < 0.1)


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
    op of the table), with a point where every step is safely inside its op's domain.

    An op that does not fit its drawn operands is replaced by ``tanh`` of the first one,
    so nothing is filtered away.
    """
    names = list(ops if ops is not None else APPLY)
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
        xs = [values[i] for i in operands]
        result = FLOAT_APPLY[name](*xs) if _fits(name, xs, margin) else None
        if result is None or not abs(result) < _BOUND:
            name, operands = "tanh", operands[:1]
            result = math.tanh(values[operands[0]])
        steps.append((name, operands))
        values.append(result)
    return Expression(tuple(variables), tuple(steps), point)
