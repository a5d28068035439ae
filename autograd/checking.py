"""Checking gradients against central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .backprop import grad
from .value import Value, _to_float


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
    return [x.data if type(x) is Value else _to_float(x, f"{where}: xs") for x in xs]


def _evaluate(f: Callable[..., Any], inputs: list[Value], where: str) -> Value:
    out = f(*inputs)
    if type(out) is not Value:
        raise TypeError(
            f"{where}: f must return a Value, got {type(out).__name__}; "
            "build the result from its Value arguments"
        )
    return out


def numerical_grad(f: Callable[..., Value], xs: Sequence[float], eps: float = 1e-6) -> list[float]:
    """Central differences: d f / d x_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h.

    The step is ``h = eps * max(1, |x_i|)``, so it scales with the size of the input.
    ``f`` takes one Value per number in ``xs`` and returns a Value.
    """
    base = _floats(xs, "numerical_grad")
    result = []
    for i, x in enumerate(base):
        h = eps * max(1.0, abs(x))
        up = base.copy()
        down = base.copy()
        up[i] = x + h
        down[i] = x - h
        hi = _evaluate(f, [Value(v) for v in up], "numerical_grad").data
        lo = _evaluate(f, [Value(v) for v in down], "numerical_grad").data
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
    base = _floats(xs, "gradcheck")
    inputs = [Value(x) for x in base]
    analytic = grad(_evaluate(f, inputs, "gradcheck"), inputs)
    numeric = numerical_grad(f, base, eps)
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
