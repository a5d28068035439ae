"""Optimizers that update parameters from their ``.grad``, and learning-rate schedules.

An optimizer's ``lr`` is a number or a schedule: a function of the step count k
(0 for the first ``step()``) that returns the rate for that step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

from autograd import Value

Schedule = Callable[[int], float]
_isfinite = math.isfinite


def linear_decay(start: float = 1.0, end: float = 0.1, steps: int = 100) -> Schedule:
    """lr(k) = start - (start - end) * k / steps, then ``end`` from step ``steps`` on.

    The defaults are micrograd's demo: lr = 1.0 - 0.9 * k / 100.
    """
    if steps < 1:
        raise ValueError(f"linear_decay: steps must be at least 1, got {steps!r}")
    drop = start - end

    def lr(k: int) -> float:
        return start - drop * k / steps if k < steps else end

    lr.__qualname__ = f"linear_decay({start}, {end}, {steps})"
    return lr


def constant(rate: float) -> Schedule:
    """lr(k) = rate for every step."""
    return lambda k: rate


def cosine_decay(start: float, end: float = 0.0, steps: int = 100) -> Schedule:
    """lr(k) = end + (start - end) * (1 + cos(pi k / steps)) / 2, then ``end``."""
    if steps < 1:
        raise ValueError(f"cosine_decay: steps must be at least 1, got {steps!r}")
    return lambda k: end + (start - end) * (1.0 + math.cos(math.pi * min(k, steps) / steps)) / 2


def _params(params: Any, where: str) -> list[Value]:
    if hasattr(params, "parameters"):
        params = params.parameters()
    ps = list(params)
    for i, p in enumerate(ps):
        if type(p) is not Value:
            raise TypeError(f"{where}: params[{i}] must be a Value, got {type(p).__name__}")
    if not ps:
        raise ValueError(f"{where}: got no parameters to optimise")
    return ps


def _check_rate(lr: Any, where: str) -> None:
    if callable(lr):
        return
    if type(lr) is bool or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr < 0:
        raise ValueError(f"{where}: lr must be a non-negative number or a schedule, got {lr!r}")


def _check_weight_decay(weight_decay: Any, where: str) -> float:
    wd = weight_decay
    if type(wd) is bool or not isinstance(wd, (int, float)) or not math.isfinite(wd) or wd < 0:
        raise ValueError(f"{where}: weight_decay must be a finite number >= 0, got {wd!r}")
    return float(wd)


def _first_bad(xs: Any) -> int | None:
    """The index of the first non-finite number in ``xs`` (a list or an array), or None."""
    if type(xs) is not list:  # a numpy array
        import numpy as np

        bad = (~np.isfinite(xs)).nonzero()[0]
        return int(bad[0]) if len(bad) else None
    if all(map(_isfinite, xs)):
        return None
    return next(i for i, x in enumerate(xs) if not _isfinite(x))


class Optimizer:
    """Base class: holds the parameters, the rate (or schedule) and the step count.

    A subclass computes one step in :meth:`_propose` without changing anything; ``step``
    checks the result and only then commits it, so a failed step leaves the parameters,
    the optimizer's running state and its step count exactly as they were.
    """

    _state_names: ClassVar[dict[str, str]] = {}
    """The running state a subclass keeps (attribute -> what to call it in errors)."""

    def __init__(self, params: Any, lr: float | Schedule) -> None:
        where = type(self).__name__
        self.params: list[Value] = _params(params, where)
        _check_rate(lr, where)
        self.lr = lr
        self.steps = 0

    @property
    def current_lr(self) -> float:
        """The rate the next ``step()`` will use (a schedule's result is checked)."""
        if not callable(self.lr):
            return float(self.lr)
        k = self.steps
        raw = self.lr(k)
        try:
            rate = float(raw)
        except (TypeError, ValueError):
            rate = math.nan
        if not _isfinite(rate) or rate < 0.0:
            name = getattr(self.lr, "__qualname__", repr(self.lr))
            raise ValueError(
                f"{type(self).__name__}: the schedule {name} gave {raw!r:.60} for step {k}; "
                "a learning rate must be a finite number >= 0"
            )
        return rate

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``: all of them, or none.

        Raises OverflowError, naming a parameter, when the update would leave it (or the
        optimizer's running state for it) infinite or NaN: the usual sign of a learning
        rate that is too large.  Nothing is changed then.
        """
        new = self.update([p.data for p in self.params], [p.grad for p in self.params])
        for p, x in zip(self.params, new):
            p.data = x

    def update(self, data: Any, grads: Any) -> Any:
        """The parameters' new values from their values and gradients (lists of floats, or
        numpy arrays: the same arithmetic, element by element), committing the step's
        running state and count; :meth:`step` on numbers kept outside the Values (as
        ``nets.fit`` keeps them).  Raises as ``step`` does, changing nothing."""
        if type(data) is list:
            new, state = self._propose(self.current_lr, data, grads)
        else:  # arrays: an overflow is found below and named, not warned about
            import numpy as np

            with np.errstate(all="ignore"):
                new, state = self._propose(self.current_lr, data, grads)
        i = _first_bad(new)
        if i is not None:
            what = f"make parameter{self._label(i)} {float(new[i])!r}"
            raise self._diverged(i, what, grads[i])
        for attr, values in state.items():
            i = _first_bad(values)
            if i is not None:
                what = f"the {self._state_names.get(attr, attr)} of parameter{self._label(i)}"
                raise self._diverged(i, f"make {what} {float(values[i])!r}", grads[i])
        for attr, values in state.items():
            setattr(self, attr, values)
        self.steps += 1
        return new

    def _label(self, i: int) -> str:
        label = self.params[i].label
        return f" {label!r}" if label else f" {i}"

    def _diverged(self, i: int, what: str, grad: float) -> OverflowError:
        return OverflowError(
            f"{type(self).__name__}: step {self.steps + 1} would {what} (grad "
            f"{float(grad)!r}); the learning rate is probably too large. "
            "Nothing was changed."
        )

    def _propose(self, lr: float, data: Any, grads: Any) -> tuple[Any, dict[str, Any]]:
        """The parameters' new values and the new running state, changing nothing."""
        raise NotImplementedError


def _like(state: Any, data: Any) -> Any:
    """An optimizer's running state in the form of the parameters: a list, or an array."""
    if type(data) is list:
        return state if type(state) is list else state.tolist()
    import numpy as np

    return np.asarray(state, dtype=float)


def _copy(xs: Any) -> Any:
    """A copy of a list or an array (the velocity must not share the caller's gradients)."""
    return list(xs) if type(xs) is list else xs.copy()


def _each(f: Callable[..., float], *columns: Any) -> Any:
    """f element by element: one call on numpy arrays (their operators are elementwise),
    a list of f's results on lists."""
    if type(columns[0]) is list:
        return list(map(f, *columns))
    return f(*columns)


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay (PyTorch's form).

    g = grad + weight_decay * p;  v = momentum * v + g (v = g at the first step);
    p -= lr * v.  With the defaults this is micrograd's update p -= lr * grad.
    """

    _state_names: ClassVar[dict[str, str]] = {"_velocity": "velocity"}

    def __init__(
        self,
        params: Any,
        lr: float | Schedule,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD: momentum must lie in [0, 1), got {momentum!r}")
        self.momentum = momentum
        self.weight_decay = _check_weight_decay(weight_decay, "SGD")
        self._velocity: list[float] | None = None

    def _propose(self, lr: float, data: Any, grads: Any) -> tuple[Any, dict[str, Any]]:
        wd, mu = self.weight_decay, self.momentum
        if wd:
            grads = _each(lambda g, p: g + wd * p, grads, data)
        if mu == 0.0:
            return _each(lambda p, g: p - lr * g, data, grads), {}
        old = self._velocity
        if old is None:
            vel = _copy(grads)
        else:
            vel = _each(lambda v, g: mu * v + g, _like(old, data), grads)
        return _each(lambda p, v: p - lr * v, data, vel), {"_velocity": vel}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running moments of the gradient.

    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
    ``weight_decay`` adds weight_decay * p to g (L2, as in PyTorch's Adam).
    """

    _state_names: ClassVar[dict[str, str]] = {"_m": "first moment m", "_v": "second moment v"}

    def __init__(
        self,
        params: Any,
        lr: float | Schedule = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        b1, b2 = betas
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"Adam: betas must lie in [0, 1), got {betas!r}")
        if not 0.0 < eps < math.inf:
            raise ValueError(f"Adam: eps must be a positive finite number, got {eps!r}")
        self.betas = (float(b1), float(b2))
        self.eps = float(eps)
        self.weight_decay = _check_weight_decay(weight_decay, "Adam")
        n = len(self.params)
        self._m = [0.0] * n
        self._v = [0.0] * n

    def _propose(self, lr: float, data: Any, grads: Any) -> tuple[Any, dict[str, Any]]:
        b1, b2 = self.betas
        t = self.steps + 1
        # Folding both bias corrections into the rate saves two divisions per parameter.
        step = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        eps = self.eps * math.sqrt(1.0 - b2**t)
        wd = self.weight_decay
        sqrt: Callable[[Any], Any] = math.sqrt
        m0, v0 = _like(self._m, data), _like(self._v, data)
        if type(data) is not list:  # numpy arrays: np.sqrt rounds as math.sqrt does
            import numpy as np

            sqrt = np.sqrt
        if wd:
            grads = _each(lambda g, p: g + wd * p, grads, data)
        ms = _each(lambda m, g: b1 * m + (1.0 - b1) * g, m0, grads)
        vs = _each(lambda v, g: b2 * v + (1.0 - b2) * g * g, v0, grads)
        new = _each(lambda p, m, v: p - step * m / (sqrt(v) + eps), data, ms, vs)
        return new, {"_m": ms, "_v": vs}
