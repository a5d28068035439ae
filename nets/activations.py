"""Activation functions by name, and the softmax family.

Each activation exists twice: on Values (it builds graph nodes that backprop can walk)
and on plain floats (for fast prediction that needs no gradients).  Both compute the
same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from autograd import Value, ops

# exp(x) is exactly 0.0 in double precision below about -745.13: terms shifted this far
# below the largest logit contribute nothing, so they need no node at all.
EXP_UNDERFLOW = -746.0


def _identity(x: Any) -> Any:
    return x


class Activation(NamedTuple):
    """An activation: its name, its Value form, its float form and its op (None for
    'linear'), whose numpy form the numpy backend applies."""

    name: str
    on_value: Callable[[Value], Value]
    on_float: Callable[[float], float]
    op: ops.Op | None


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        # The float forms are the engine's own forward functions, so that both forms
        # give the same bits by construction.
        Activation("relu", Value.relu, ops.RELU.forward, ops.RELU),
        Activation("tanh", Value.tanh, ops.TANH.forward, ops.TANH),
        Activation("sigmoid", Value.sigmoid, ops.SIGMOID.forward, ops.SIGMOID),
        Activation(
            "leaky_relu", Value.leaky_relu, ops.leaky_relu(0.01).forward, ops.leaky_relu(0.01)
        ),
        Activation("linear", _identity, _identity, None),
    )
}
"""Every activation that ``Neuron(activation=...)`` accepts, by name."""


def get_activation(name: str) -> Activation:
    """The activation called ``name``; a ValueError listing the choices otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        choices = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; choose one of {choices}") from None


# ---- the softmax family -----------------------------------------------------------------


def as_values(logits: Sequence[Any], where: str) -> list[Value]:
    if isinstance(logits, (Value, int, float)) or not hasattr(logits, "__len__"):
        raise TypeError(f"{where}: expected a list of logits, got {logits!r}")
    if len(logits) == 0:
        raise ValueError(f"{where}: expected at least one logit, got an empty list")
    return [z if type(z) is Value else Value(z) for z in logits]


def _shifted_exps(zs: list[Value]) -> tuple[float, list[Value | None], list[Value | None], Value]:
    """m = max z, the shifted logits z_i - m, their exps e^(z_i - m), and the sum of those.

    Entries whose exp underflows to exactly 0 are None in both lists: they contribute
    nothing, and z_i - m might not even be a finite float.
    """
    m = max(z.data for z in zs)
    shifted: list[Value | None] = [z - m if z.data - m > EXP_UNDERFLOW else None for z in zs]
    exps = [s.exp() if s is not None else None for s in shifted]
    live = [e for e in exps if e is not None]
    # At least one term is exp(0) = 1, so the sum is >= 1.
    return m, shifted, exps, sum(live[1:], live[0])


def shifted_logsumexp(zs: list[Value]) -> tuple[float, list[Value | None], Value]:
    """m = max z, the shifted logits z_i - m, and log sum_j e^(z_j - m).

    The maximum m is taken as a plain float: softmax(z) = softmax(z - m) for any constant
    m, so holding it constant changes no derivative, and every exp argument is <= 0.
    Entries whose exp underflows to exactly 0 are None (they contribute nothing, and
    z_i - m might not even be a finite float): build them only where needed.
    """
    m, shifted, _, total = _shifted_exps(zs)
    return m, shifted, total.log()  # the sum is >= 1: its log is safe


def softmax(logits: Sequence[Any]) -> list[Value]:
    """softmax(z)_i = e^(z_i) / sum_j e^(z_j), computed as e^(z_i - max z) / sum_j e^(z_j - max z).

    Stable for any finite logits: no exp ever overflows.  Returns one Value per logit.
    """
    _, _, exps, total = _shifted_exps(as_values(logits, "softmax"))
    # An underflowed entry is 0 with a zero derivative, exactly as the full formula gives.
    return [e / total if e is not None else Value(0.0) for e in exps]


def log_softmax(logits: Sequence[Any]) -> list[Value]:
    """log softmax(z)_i = (z_i - m) - log sum_j e^(z_j - m), with m = max z.

    Stable for any finite logits; raises OverflowError only if a result itself is beyond
    the float range (logits more than about 1.8e308 apart).
    """
    zs = as_values(logits, "log_softmax")
    m, shifted, lse = shifted_logsumexp(zs)
    return [(s if s is not None else z - m) - lse for s, z in zip(shifted, zs)]
