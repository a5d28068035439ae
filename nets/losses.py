"""Loss functions: each turns predictions and targets into one Value to minimise.

The list losses return the mean over the list, computed as sum * (1 / n) as micrograd's
demo does (so its numbers come out identical).  Targets are plain numbers.  A single
prediction with a single target is taken as a list of one: ``mse(p, t)`` is (p - t)^2.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from autograd import Op, Value
from autograd.ops import EXP, LOG, SUB, exp, number

from .activations import EXP_UNDERFLOW, as_values

# Like PyTorch, binary cross-entropy clamps each log at -100, so that a probability of
# exactly 0 or 1 (a saturated sigmoid) gives a large but finite loss instead of log(0).
_LOG_FLOOR = -100.0
_P_FLOOR = math.exp(_LOG_FLOOR)


def _pair(
    preds: Sequence[Any], targets: Sequence[Any], where: str
) -> tuple[list[Value], Sequence[Any]]:
    """The predictions as Values and the targets, both as lists of the same length."""
    if isinstance(preds, (Value, int, float)):
        preds = [preds]
    if isinstance(targets, (Value, int, float)):
        targets = [targets]
    if len(preds) != len(targets):
        raise ValueError(
            f"{where}: got {len(preds)} predictions but {len(targets)} targets; "
            "they must be the same length"
        )
    if len(preds) == 0:
        raise ValueError(f"{where}: the lists are empty; the mean of nothing is undefined")
    return [p if type(p) is Value else Value(p) for p in preds], targets


def target_number(t: Any) -> float:
    return t.data if type(t) is Value else float(t)


def mean(terms: Sequence[Value]) -> Value:
    """(t_1 + ... + t_n) * (1 / n), summed left to right as Python's ``sum`` does."""
    return sum(terms[1:], terms[0]) * (1.0 / len(terms))


def squared_error_term(p: Value, t: Any) -> Value:
    """One term of :func:`mse`: (p - t)^2 (``t`` a number, or a Value when traced)."""
    return (p - t) ** 2


def mse(preds: Sequence[Any], targets: Sequence[Any]) -> Value:
    """Mean squared error: (1/n) sum_i (p_i - t_i)^2."""
    ps, ts = _pair(preds, targets, "mse")
    return mean([squared_error_term(p, t) for p, t in zip(ps, ts)])


def _check_probability(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"binary_cross_entropy: probabilities must lie in [0, 1], got {p!r}")


def _log_p(p: float) -> float:
    _check_probability(p)
    return math.log(p) if p > _P_FLOOR else _LOG_FLOOR


def _log_1mp(p: float) -> float:
    _check_probability(p)
    q = 1.0 - p
    return math.log(q) if q > _P_FLOOR else _LOG_FLOOR


# The clamped logs are ops of their own, so that the clamp (a decision taken from the
# number) is part of the rule, not of the graph: a traced program stays valid everywhere.
LOG_P = Op(
    "log_p",
    _log_p,
    lambda p, out: 1.0 / p if number(p) > _P_FLOOR else 0.0,
    doc="max(ln p, -100) for a probability p",
)
LOG_1MP = Op(
    "log_1mp",
    _log_1mp,
    lambda p, out: -1.0 / (1.0 - p) if 1.0 - number(p) > _P_FLOOR else 0.0,
    doc="max(ln(1 - p), -100) for a probability p",
)


def binary_cross_entropy(probs: Sequence[Any], targets: Sequence[Any]) -> Value:
    """-(1/n) sum_i [t_i log p_i + (1 - t_i) log(1 - p_i)], for probabilities p in [0, 1].

    Each log is clamped at -100 as PyTorch does (a clamped term has zero gradient); a
    term whose weight t_i or 1 - t_i is 0 is skipped.  Prefer
    :func:`binary_cross_entropy_with_logits` on raw scores: it never saturates.
    """
    ps, ts = _pair(probs, targets, "binary_cross_entropy")
    terms = []
    for p, t in zip(ps, ts):
        t = target_number(t)
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"binary_cross_entropy: targets must lie in [0, 1], got {t!r}")
        parts = []
        if t > 0.0:
            parts.append(t * LOG_P(p))
        if t < 1.0:
            parts.append((1.0 - t) * LOG_1MP(p))
        term = parts[0] if len(parts) == 1 else parts[0] + parts[1]
        terms.append(-term)
    return mean(terms)


def logistic_term(z: Value, t: Any) -> Value:
    """One term of :func:`binary_cross_entropy_with_logits`: softplus(z) - t z."""
    return z.softplus() - t * z


def binary_cross_entropy_with_logits(logits: Sequence[Any], targets: Sequence[Any]) -> Value:
    """Binary cross-entropy of sigmoid(z), as (1/n) sum_i [softplus(z_i) - t_i z_i].

    The same loss as ``binary_cross_entropy([sigmoid(z) ...], t)``, exact and finite for
    any finite logits, with the gradient sigmoid(z) - t.
    """
    zs, ts = _pair(logits, targets, "binary_cross_entropy_with_logits")
    return mean([logistic_term(z, target_number(t)) for z, t in zip(zs, ts)])


def hinge_term(s: Value, neg_t: Any) -> Value:
    """One term of :func:`hinge`, max(0, 1 - t s), from ``neg_t`` = -t: micrograd's
    expression (1 + -t * s).relu(), node for node."""
    return (1 + neg_t * s).relu()


def hinge(scores: Sequence[Any], targets: Sequence[Any]) -> Value:
    """Hinge loss (SVM): (1/n) sum_i max(0, 1 - t_i s_i), for labels t_i in {-1, +1}."""
    ss, ts = _pair(scores, targets, "hinge")
    terms = []
    for s, t in zip(ss, ts):
        t = target_number(t)
        if t not in (-1.0, 1.0):
            raise ValueError(f"hinge: labels must be -1 or +1, got {t!r}")
        terms.append(hinge_term(s, -t))
    return mean(terms)


def _ce_forward(*args: float) -> float:
    # args = (z_1, ..., z_K, k).  The same float operations, in the same order, as the
    # composite lse - (z_k - m) built from Values, so both give the same bits.
    *zs, k = args
    m = max(zs)
    live = [EXP.forward(z - m) for z in zs if z - m > EXP_UNDERFLOW]
    total = sum(live[1:], live[0])  # >= 1: one term is exp(0)
    return SUB.forward(LOG.forward(total), SUB.forward(zs[int(k)], m))


def _ce_derivative(*args: Any) -> tuple:
    # d/dz_i = softmax(z)_i - [i = k], and 0 for the label.  Written with the engine's
    # dispatching helpers, so the rule also runs on Values (second derivatives).
    *zs, k, _out = args
    m = max(number(z) for z in zs)
    es = [exp(z - m) if number(z) - m > EXP_UNDERFLOW else None for z in zs]
    live = [e for e in es if e is not None]
    total = sum(live[1:], live[0])
    d = [e / total if e is not None else 0.0 for e in es]
    k = int(number(k))
    d[k] = d[k] - 1.0
    return (*d, 0.0)


@lru_cache(maxsize=64)
def cross_entropy_op(num_classes: int) -> Op:
    """The fused op (z_1, ..., z_K, k) -> -log softmax(z)[k] for K = ``num_classes``.

    One node with its own derivative rule, softmax(z) - one_hot(k) (0 for the label k,
    which is an input so that a traced program takes it as data).  Fused because the
    stable formula shifts by max z and drops the terms whose exp underflows: decisions
    taken from the numbers, which a graph of elementary ops would freeze at the values
    it was built for.
    """
    return Op(
        "cross_entropy",
        _ce_forward,
        _ce_derivative,
        arity=num_classes + 1,
        doc="-log softmax(z)[k] = log sum_j e^(z_j - m) - (z_k - m), m = max z",
        numpy=_ce_arrays,
        numpy_derivative=_ce_derivative_arrays,
    )


def _softmax_parts(np: Any, args: tuple) -> tuple[Any, Any, Any, Any]:
    # The logits as the rows of a matrix Z (a column per sample), the labels, m and e^(Z - m).
    *zs, k = np.broadcast_arrays(*args)
    Z = np.stack(zs)
    m = Z.max(axis=0)
    return Z, k.astype(int), m, np.exp(Z - m)


def _ce_arrays(np: Any) -> Callable[..., Any]:
    """:func:`_ce_forward` on arrays, a sample per column (the numpy backend's form)."""

    def forward(*args: Any) -> Any:
        Z, k, m, E = _softmax_parts(np, args)
        picked = np.take_along_axis(Z, k[None], axis=0)[0]
        return np.log(E.sum(axis=0)) - (picked - m)

    return forward


def _ce_derivative_arrays(np: Any) -> Callable[..., Any]:
    """:func:`_ce_derivative` on arrays: softmax(z) - one_hot(k), and 0 for the label."""

    def derivative(*args: Any) -> tuple:
        _, k, _, E = _softmax_parts(np, args[:-1])
        D = E / E.sum(axis=0)
        np.put_along_axis(D, k[None], np.take_along_axis(D, k[None], axis=0) - 1.0, axis=0)
        return (*D, np.zeros_like(D[0]))

    return derivative


def cross_entropy(logits: Sequence[Any], target_index: int) -> Value:
    """-log softmax(z)[k] = log sum_j e^(z_j - m) - (z_k - m), with m = max z.

    For one sample with class index k: any integer type (numpy's included), never a bool
    or a float such as 1.0.  Finite for any finite logits (logits of +-1000 included), and
    its gradient with respect to z is exactly softmax(z) - one_hot(k).  One node of the
    graph (:func:`cross_entropy_op`), with the class index as its last input.
    """
    zs = as_values(logits, "cross_entropy")
    return cross_entropy_op(len(zs))(*zs, float(class_index(target_index, len(zs))))


def class_index(target_index: Any, num_classes: int) -> int:
    """``target_index`` as an int in [0, num_classes), or the ValueError cross_entropy gives."""
    try:
        k = operator.index(target_index) if not isinstance(target_index, bool) else -1
    except TypeError:
        k = -1
    if not 0 <= k < num_classes:
        raise ValueError(
            f"cross_entropy: target_index must be an integer in [0, {num_classes - 1}] "
            f"for {num_classes} logits, got {target_index!r}"
        )
    return k


def mean_cross_entropy(batch_logits: Sequence[Sequence[Any]], targets: Sequence[int]) -> Value:
    """(1/n) sum_i cross_entropy(logits_i, target_i), for a batch of samples."""
    if len(batch_logits) != len(targets):
        raise ValueError(
            f"mean_cross_entropy: got {len(batch_logits)} samples but {len(targets)} targets"
        )
    if len(targets) == 0:
        raise ValueError("mean_cross_entropy: the batch is empty")
    return mean([cross_entropy(z, k) for z, k in zip(batch_logits, targets)])


def l2(params: Any, alpha: float = 1e-4) -> Value:
    """L2 regularisation (weight decay as a loss term): alpha * sum_p p^2.

    ``params`` is a list of Values or a Module.  micrograd's demo uses alpha = 1e-4.
    """
    ps: Iterable[Value] = params.parameters() if hasattr(params, "parameters") else params
    squares = [p * p for p in ps]
    if not squares:
        raise ValueError("l2: there are no parameters to regularise")
    return alpha * sum(squares[1:], squares[0])
