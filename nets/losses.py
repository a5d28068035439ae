"""Loss functions: each turns predictions and targets into one Value to minimise.

The list losses return the mean over the list, computed as sum * (1 / n) as micrograd's
demo does (so its numbers come out identical).  Targets are plain numbers.  A single
prediction with a single target is taken as a list of one: ``mse(p, t)`` is (p - t)^2.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Sequence
from typing import Any

from autograd import Value

from .activations import as_values, shifted_logsumexp

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


def _target(t: Any) -> float:
    return t.data if type(t) is Value else float(t)


def mean(terms: Sequence[Value]) -> Value:
    """(t_1 + ... + t_n) * (1 / n), summed left to right as Python's ``sum`` does."""
    return sum(terms[1:], terms[0]) * (1.0 / len(terms))


def mse(preds: Sequence[Any], targets: Sequence[Any]) -> Value:
    """Mean squared error: (1/n) sum_i (p_i - t_i)^2."""
    ps, ts = _pair(preds, targets, "mse")
    return mean([(p - t) ** 2 for p, t in zip(ps, ts)])


def binary_cross_entropy(probs: Sequence[Any], targets: Sequence[Any]) -> Value:
    """-(1/n) sum_i [t_i log p_i + (1 - t_i) log(1 - p_i)], for probabilities p in [0, 1].

    Each log is clamped at -100 as PyTorch does (a clamped term has zero gradient); a
    term whose weight t_i or 1 - t_i is 0 is skipped.  Prefer
    :func:`binary_cross_entropy_with_logits` on raw scores: it never saturates.
    """
    ps, ts = _pair(probs, targets, "binary_cross_entropy")
    terms = []
    for p, t in zip(ps, ts):
        t = _target(t)
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"binary_cross_entropy: targets must lie in [0, 1], got {t!r}")
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: probabilities must lie in [0, 1], got {p.data!r}"
            )
        parts: list[Any] = []
        if t > 0.0:
            parts.append(t * (p.log() if p.data > _P_FLOOR else _LOG_FLOOR))
        if t < 1.0:
            q = 1.0 - p
            parts.append((1.0 - t) * (q.log() if q.data > _P_FLOOR else _LOG_FLOOR))
        term = parts[0] if len(parts) == 1 else parts[0] + parts[1]
        terms.append(-term if type(term) is Value else Value(-term))
    return mean(terms)


def binary_cross_entropy_with_logits(logits: Sequence[Any], targets: Sequence[Any]) -> Value:
    """Binary cross-entropy of sigmoid(z), as (1/n) sum_i [softplus(z_i) - t_i z_i].

    The same loss as ``binary_cross_entropy([sigmoid(z) ...], t)``, exact and finite for
    any finite logits, with the gradient sigmoid(z) - t.
    """
    zs, ts = _pair(logits, targets, "binary_cross_entropy_with_logits")
    terms = []
    for z, t in zip(zs, ts):
        t = _target(t)
        terms.append(z.softplus() - t * z if t != 0.0 else z.softplus())
    return mean(terms)


def hinge(scores: Sequence[Any], targets: Sequence[Any]) -> Value:
    """Hinge loss (SVM): (1/n) sum_i max(0, 1 - t_i s_i), for labels t_i in {-1, +1}."""
    ss, ts = _pair(scores, targets, "hinge")
    terms = []
    for s, t in zip(ss, ts):
        t = _target(t)
        if t not in (-1.0, 1.0):
            raise ValueError(f"hinge: labels must be -1 or +1, got {t!r}")
        terms.append((1 + -t * s).relu())  # micrograd's expression, node for node
    return mean(terms)


def cross_entropy(logits: Sequence[Any], target_index: int) -> Value:
    """-log softmax(z)[k] = log sum_j e^(z_j - m) - (z_k - m), with m = max z.

    For one sample with class index k: any integer type (numpy's included), never a bool
    or a float such as 1.0.  Finite for any finite logits (logits of +-1000 included), and
    its gradient with respect to z is exactly softmax(z) - one_hot(k).
    """
    zs = as_values(logits, "cross_entropy")
    try:
        k = operator.index(target_index) if not isinstance(target_index, bool) else -1
    except TypeError:
        k = -1
    if not 0 <= k < len(zs):
        raise ValueError(
            f"cross_entropy: target_index must be an integer in [0, {len(zs) - 1}] "
            f"for {len(zs)} logits, got {target_index!r}"
        )
    m, shifted, lse = shifted_logsumexp(zs)
    zk = shifted[k]
    return lse - (zk if zk is not None else zs[k] - m)


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
