"""Optimizers that update parameters from their ``.grad``, and learning-rate schedules.

An optimizer's ``lr`` is a number or a schedule: a function of the step count k
(0 for the first ``step()``) that returns the rate for that step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

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


class Optimizer:
    """Base class: holds the parameters, the rate (or schedule) and the step count."""

    def __init__(self, params: Any, lr: float | Schedule) -> None:
        where = type(self).__name__
        self.params: list[Value] = _params(params, where)
        _check_rate(lr, where)
        self.lr = lr
        self.steps = 0

    @property
    def current_lr(self) -> float:
        """The rate the next ``step()`` will use."""
        return float(self.lr(self.steps)) if callable(self.lr) else float(self.lr)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``.

        Raises OverflowError, naming a parameter, when an update leaves it infinite or
        NaN (the usual sign of a learning rate that is too large).
        """
        self._update(self.current_lr)
        self.steps += 1
        for p in self.params:
            if not _isfinite(p.data):
                name = f" {p.label!r}" if p.label else ""
                raise OverflowError(
                    f"{type(self).__name__}: step {self.steps} made parameter{name} "
                    f"{p.data} (grad {p.grad}); the learning rate is probably too large"
                )

    def _update(self, lr: float) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay (PyTorch's form).

    g = grad + weight_decay * p;  v = momentum * v + g (v = g at the first step);
    p -= lr * v.  With the defaults this is micrograd's update p -= lr * grad.
    """

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
        if weight_decay < 0.0:
            raise ValueError(f"SGD: weight_decay must be non-negative, got {weight_decay!r}")
        self.momentum = momentum
        self.weight_decay = weight_decay
        self._velocity: list[float] | None = None

    def _update(self, lr: float) -> None:
        wd, mu = self.weight_decay, self.momentum
        if mu == 0.0:
            for p in self.params:
                p.data -= lr * (p.grad + wd * p.data if wd else p.grad)
            return
        first = self._velocity is None
        vel = [0.0] * len(self.params) if first else self._velocity
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            v = g if first else mu * vel[i] + g
            vel[i] = v
            p.data -= lr * v
        self._velocity = vel


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running moments of the gradient.

    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
    ``weight_decay`` adds weight_decay * p to g (L2, as in PyTorch's Adam).
    """

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
        if eps <= 0.0:
            raise ValueError(f"Adam: eps must be positive, got {eps!r}")
        self.betas = (float(b1), float(b2))
        self.eps = float(eps)
        self.weight_decay = weight_decay
        n = len(self.params)
        self._m = [0.0] * n
        self._v = [0.0] * n

    def _update(self, lr: float) -> None:
        b1, b2 = self.betas
        t = self.steps + 1
        # Folding both bias corrections into the rate saves two divisions per parameter.
        step = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        eps = self.eps * math.sqrt(1.0 - b2**t)
        m, v, wd = self._m, self._v, self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            mi = m[i] = b1 * m[i] + (1.0 - b1) * g
            vi = v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= step * mi / (math.sqrt(vi) + eps)
