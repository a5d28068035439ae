"""fit's fast path: one sample's graph traced once, then replayed on every row.

For the built-in modules (:class:`~nets.module.MLP`, ``Layer``, ``Neuron``) and the named
losses, :func:`nets.fit` does not build a graph of Values per step.  It traces, once per
architecture, the graph of ONE sample, ``loss_term(model(x), target) * scale``, with the
features, the target and every parameter as inputs (:func:`autograd.trace`), and replays
that program row by row.  The results are bit-identical to the Value path because the
replay reproduces its order of summation:

* the batch objective is ``(t_1 + ... + t_n) * (1/n) [+ alpha * sum p^2]``: each term
  t_i receives the gradient 1/n exactly (adds pass it on unchanged), which is what the
  per-sample program gets from its own ``* scale`` with scale = 1/n;
* within a sample the nodes are visited in the same relative order as in the batch graph;
* a parameter's gradient in the batch graph starts from the L2 term (its square comes
  last in the forward order, so first in the backward one), then adds the rows' parts
  from the LAST row to the first: the replay accumulates in that order.

The loss value is summed from the terms in the Value path's order too.  Whatever goes
wrong in a replay (an overflow, an error of an op) makes fit redo the step on Values,
which raises the engine's own error (or, if it does not, gives the Value path's result).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from autograd import Value, ops

from . import losses as L
from .data import signed
from .module import MLP, Layer, Neuron, row_floats


def neurons_of(model: Any) -> list[Neuron] | None:
    """The neurons of a built-in model in parameter order, or None for any other model."""
    t = type(model)
    if t is MLP:
        return [n for layer in model.layers for n in layer.neurons]
    if t is Layer:
        return list(model.neurons)
    if t is Neuron:
        return [model]
    return None


def signature(model: Any) -> tuple | None:
    """What the traced graph depends on: the architecture and each neuron's activation.

    None for a model that is not built in (it has no program).
    """
    t = type(model)
    if t is MLP:
        layers = model.layers
    elif t is Layer:
        layers = [model]
    elif t is Neuron:
        return (t, model.nin, ((len(model.w), model._act),))
    else:
        return None
    return (t, model.nin, *(tuple((len(n.w), n._act) for n in ly.neurons) for ly in layers))


@contextmanager
def bound(model: Any, values: Sequence[Value]) -> Iterator[Any]:
    """Inside the block, ``model``'s parameters are ``values`` (in parameters() order)."""
    cells = neurons_of(model)
    assert cells is not None
    saved = [(n.w, n.b) for n in cells]
    i = 0
    try:
        for n in cells:
            k = len(n.w)
            n.w, n.b = list(values[i : i + k]), values[i + k]
            i += k + 1
        yield model
    finally:
        for n, (w, b) in zip(cells, saved):
            n.w, n.b = w, b


# ---- the named losses, one sample at a time ----------------------------------------------
# How a label becomes the program's target input (with the Value path's checks and
# messages), and a sample's loss terms from the model's output(s) and that target, built
# from the same helpers as nets.losses so that both paths make the same nodes in the
# same order.


def _hinge_target(y: Any, k: int) -> float:
    return -float(signed([y])[0])  # hinge_term takes -t: micrograd's (1 + -t * s)


def _bce_target(y: Any, k: int) -> float:
    return L.target_number(y)


def _mse_target(y: Any, k: int) -> Any:
    if k == 1:
        return float(signed([y])[0])
    return [1.0 if j == y else 0.0 for j in range(k)]  # the one-hot row of the label


def _index_target(y: Any, k: int) -> float:
    return float(L.class_index(y, k))


TARGETS: dict[str, Callable[[Any, int], Any]] = {
    "hinge": _hinge_target,
    "bce": _bce_target,
    "mse": _mse_target,
    "cross_entropy": _index_target,
}


def _terms(loss: str, out: Any, t: Any) -> list[Value]:
    if loss == "hinge":
        return [L.hinge_term(out, t)]
    if loss == "bce":
        return [L.logistic_term(out, t)]
    if loss == "mse":
        if type(out) is Value:
            return [L.squared_error_term(out, t)]
        return [L.squared_error_term(o, tj) for o, tj in zip(out, t)]
    return [L.cross_entropy_op(len(out))(*out, t)]


def num_outputs(model: Any) -> int:
    """How many numbers a built-in model returns."""
    t = type(model)
    return model.nouts[-1] if t is MLP else model.nout if t is Layer else 1


class SampleProgram:
    """The traced program of one sample of ``model`` under the named ``loss``.

    It computes root = scale * (sum of the sample's terms) + sum_j u_j o_j, where o_j are
    the model's outputs and the probes u_j are 0: the root's gradient then holds, besides
    the parameters' gradients, d root / d scale = the sum of the terms and d root / d u_j
    = o_j, exactly, from the same replay.  The probes only add 0.0 to the outputs'
    gradients before anything else does, which changes no bit.
    """

    def __init__(self, model: Any, loss: str) -> None:
        from autograd import trace

        self.loss = loss
        self.nout = num_outputs(model)
        self.target = TARGETS[loss]
        self.terms_per_sample = self.nout if loss == "mse" else 1
        self._model: weakref.ref[Any] = weakref.ref(model)  # the program must not keep it alive
        example = self.target(1 if self.nout == 1 else 0, self.nout)
        params = [p.data for p in model.parameters()]
        self.zeros = [0.0] * self.nout
        self.program = trace(self._sample, [0.0] * model.nin, example, params, 1.0, self.zeros)

    def _sample(
        self, x: list[Value], t: Any, params: list[Value], scale: Value, probes: list[Value]
    ) -> Value:
        model = self._model()
        assert model is not None, "the model of this program was deleted"
        with bound(model, params):
            out = model(x)
        terms = _terms(self.loss, out, t)
        root = sum(terms[1:], terms[0]) * scale
        for o, u in zip([out] if type(out) is Value else out, probes):
            root = root + o * u
        return root

    def run(
        self, X: Sequence[list[float]], T: Sequence[Any], params: list[float], G: list[float]
    ) -> tuple[list[Any], list[float], list[float]]:
        """Replay every row, last to first, adding into the gradients ``G``.

        Returns the outputs and the loss terms (in row order) and the gradients.
        """
        n = len(X)
        scale = 1.0 / (n * self.terms_per_sample)
        zeros = self.zeros
        start: list[Any] = [None, None, G, None, None]
        try:  # every row in one call: the parameters checked and unpacked once
            rows = self.program.rows(rows=(0, 1), per_row=(3, 4))
        except ValueError:  # a program too long for one function: row by row
            rows = None
        if rows is not None:
            _, (sums, outs), grads = rows(X, T, params, scale, zeros, 1.0, start)
            start[2] = grads[2]
        else:
            outs, sums = [None] * n, [0.0] * n
            for i in range(n - 1, -1, -1):
                g = self.program.value_and_grad(X[i], T[i], params, scale, zeros, start=start)[1]
                start[2], sums[i], outs[i] = g[2], g[3], g[4]
        if self.nout == 1:
            outs = [o[0] for o in outs]
        if self.terms_per_sample == 1:
            return outs, sums, start[2]
        # Several terms per row (mse on several outputs): each one from the output, by
        # the float forms of the ops that make it.
        sq, sub = ops.power(2.0).forward, ops.SUB.forward
        terms = [sq(sub(o, tj)) for row, t in zip(outs, T) for o, tj in zip(row, t)]
        return outs, terms, start[2]


_CACHE: weakref.WeakKeyDictionary[Any, tuple[tuple, dict[str, Any]]] = weakref.WeakKeyDictionary()


def _cached(model: Any, key: Any, build: Callable[[], Any]) -> Any:
    sig = signature(model)
    if sig is None:
        return None
    entry = _CACHE.get(model)
    if entry is None or entry[0] != sig:
        entry = _CACHE[model] = (sig, {})  # a new architecture: forget the old programs
    programs = entry[1]
    if key not in programs:
        programs[key] = build()
    return programs[key]


def sample_program(model: Any, loss: str) -> SampleProgram | None:
    """The program of one training sample of a built-in ``model`` under a named ``loss``.

    None for any other model or loss.  Cached, and rebuilt when the model's
    :func:`signature` changes.
    """
    if loss not in TARGETS:
        return None
    return _cached(model, loss, lambda: SampleProgram(model, loss))


def float_rows(model: Any, X: Sequence[Any]) -> list[list[float]]:
    """Every row as a list of floats, checked with the model's own error messages."""
    nin = model.nin
    return [row_floats(x, nin, model) for x in X]
