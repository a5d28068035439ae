"""Checking gradients against central finite differences."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .backprop import grad
from .value import Value, as_float


class Mismatch(NamedTuple):
    """One input whose analytic and numeric derivatives disagree."""

    index: int  # type: ignore[assignment]  # the input's position, over tuple.index
    x: float
    analytic: float
    numeric: float


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck`; ``mismatches`` lists every disagreeing input."""

    def __init__(self, message: str, mismatches: list[Mismatch]) -> None:
        super().__init__(message)
        self.mismatches = mismatches


def _floats(xs: Sequence[Any], where: str) -> list[float]:
    if isinstance(xs, (Value, int, float)):
        raise TypeError(f"{where}: xs must be a list of numbers, got {xs!r}")
    return [x.data if type(x) is Value else as_float(x, f"{where}: xs") for x in xs]


def _evaluate(f: Callable[..., Any], inputs: list[Value], where: str) -> Value:
    out = f(*inputs)
    if type(out) is not Value:
        raise TypeError(
            f"{where}: f must return a Value, got {type(out).__name__}; "
            "build the result from its Value arguments"
        )
    return out


def _setting(value: Any, name: str, where: str, positive: bool = False) -> float:
    """A step or a tolerance: a finite number, > 0 (a step) or >= 0 (a tolerance)."""
    if isinstance(value, bool):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}")
    x = as_float(value, f"{where}: {name}")
    if not (math.isfinite(x) and (x > 0 if positive else x >= 0)):
        wanted = "a positive finite number" if positive else "a finite number >= 0"
        raise ValueError(f"{where}: {name} must be {wanted}, got {value!r}")
    return x


def numerical_grad(f: Callable[..., Value], xs: Sequence[float], eps: float = 1e-6) -> list[float]:
    """Central differences: d f / d x_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h.

    The step is ``h = eps * max(1, |x_i|)``, so it scales with the size of the input.
    ``f`` takes one Value per number in ``xs`` and returns a Value.  ``eps`` must be a
    positive finite number whose step moves every x_i (1e-300 would not).
    """
    return _numerical_grad(f, xs, eps, "numerical_grad")


def _numerical_grad(f: Callable[..., Value], xs: Sequence[float], eps: Any, where: str) -> list:
    eps = _setting(eps, "eps", where, positive=True)
    base = _floats(xs, where)
    result = []
    for i, x in enumerate(base):
        h = eps * max(1.0, abs(x))
        up = base.copy()
        down = base.copy()
        up[i] = x + h
        down[i] = x - h
        if not (math.isfinite(up[i]) and math.isfinite(down[i])) or up[i] == down[i]:
            what = "overflows" if up[i] == up[i] and up[i] != down[i] else "does not move it"
            raise ValueError(
                f"{where}: eps={eps:g} is no usable step at x[{i}] = {x:g} (the step "
                f"{h:g} {what}); choose eps around 1e-6"
            )
        hi = _evaluate(f, [Value(v) for v in up], where).data
        lo = _evaluate(f, [Value(v) for v in down], where).data
        result.append((hi - lo) / (up[i] - down[i]))  # the step as actually represented
    return result


def gradcheck(
    f: Callable[..., Value],
    xs: Sequence[float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True when backprop's gradient of ``f`` at ``xs`` matches central differences.

    An input passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.  Otherwise a
    :class:`GradcheckError` names every failing input with both numbers.
    """
    atol = _setting(atol, "atol", "gradcheck")  # a NaN would fail every input, silently
    rtol = _setting(rtol, "rtol", "gradcheck")
    eps = _setting(eps, "eps", "gradcheck", positive=True)
    base = _floats(xs, "gradcheck")
    inputs = [Value(x) for x in base]
    analytic = grad(_evaluate(f, inputs, "gradcheck"), inputs)
    numeric = _numerical_grad(f, base, eps, "gradcheck")
    bad = [
        Mismatch(i, x, a, n)
        for i, (x, a, n) in enumerate(zip(base, analytic, numeric))
        if not abs(a - n) <= atol + rtol * abs(n)
    ]
    if bad:
        lines = [
            f"gradcheck: {len(bad)} of {len(base)} derivatives disagree with central "
            f"differences (atol={atol:g}, rtol={rtol:g}, eps={eps:g}):"
        ]
        lines += [
            f"  d f / d x[{m.index}] at x[{m.index}] = {m.x:.8g}: analytic {m.analytic:.8g}, "
            f"numeric {m.numeric:.8g} (difference {m.analytic - m.numeric:.3g})"
            for m in bad
        ]
        raise GradcheckError("\n".join(lines), bad)
    return True
