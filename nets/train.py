"""Training and evaluation: a fit loop with a progress bar, predictions, accuracy, confusion.

The engine builds one Value per operation and frees each graph by reference counting
(its nodes hold no reference cycles).  Python's cycle collector nevertheless walks the
tens of thousands of fresh nodes of every step: on micrograd's demo (65,814 nodes a
step) that measured here as about a third of the step's time.  :func:`fit` therefore
pauses it during each step (:func:`paused_gc`).
"""

from __future__ import annotations

import gc
import math
import numbers
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from autograd import Value

from . import backends as B
from . import compiled as C
from . import losses as L
from .data import batches, signed
from .module import MLP, Layer, Neuron, float_forward, row_floats
from .optim import Adam, Optimizer

Loss = Callable[[list[Any], list[Any]], Value]

LOSSES = ("hinge", "bce", "mse", "cross_entropy")
"""The named losses :func:`fit` accepts (besides 'auto' and any callable)."""


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cycle collector inside the block, then restore its previous state.

    Safe with this engine: a graph holds no reference cycles, so reference counting alone
    frees it.  Around a training step it saves most of the time of building the graph.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def num_outputs(model: Any) -> int | None:
    """How many numbers ``model`` returns, when its type tells (MLP, Layer, Neuron)."""
    if hasattr(model, "nouts"):
        return model.nouts[-1]
    if hasattr(model, "nout"):
        return model.nout
    if hasattr(model, "w") and hasattr(model, "b"):
        return 1
    return None


def num_batches(n: int, batch_size: int | None) -> int:
    """How many batches :func:`nets.data.batches` cuts ``n`` rows into (the last may be short)."""
    return 1 if batch_size is None else -(-n // batch_size)


def _resolve_loss(loss: str | Loss, model: Any) -> tuple[str, Loss]:
    if callable(loss):
        return getattr(loss, "__name__", "custom"), loss
    k = num_outputs(model)
    if loss == "auto":
        if k is None:
            raise ValueError("fit: cannot tell the model's output size; pass loss= explicitly")
        loss = "hinge" if k == 1 else "cross_entropy"
    # hinge and bce score one output against 0; cross-entropy needs one logit per class.
    if k is not None and (
        (loss in ("hinge", "bce") and k != 1) or (loss == "cross_entropy" and k < 2)
    ):
        wanted = "exactly 1 output" if loss != "cross_entropy" else "2 or more outputs"
        raise ValueError(
            f"fit: loss {loss!r} needs a model with {wanted}, but this model has {k} "
            f"output{'s' if k != 1 else ''}"
        )
    if loss == "hinge":
        return loss, lambda outs, ys: L.hinge(outs, signed(ys))
    if loss == "bce":
        return loss, L.binary_cross_entropy_with_logits
    if loss == "mse":
        return loss, _mse_labels
    if loss == "cross_entropy":
        return loss, L.mean_cross_entropy
    choices = ", ".join(repr(x) for x in ("auto", *LOSSES))
    raise ValueError(f"fit: unknown loss {loss!r}; choose one of {choices}, or pass a function")


def _mse_labels(outs: list[Any], ys: list[int]) -> Value:
    # One output: regress onto -1/+1.  Several: onto the one-hot row of the label.
    if type(outs[0]) is Value:
        return L.mse(outs, signed(ys))
    flat = [o for row in outs for o in row]
    k = len(outs[0])
    return L.mse(flat, [1.0 if j == t else 0.0 for t in ys for j in range(k)])


def label_of(output: Any) -> int:
    """The class an output votes for: score > 0 for one output, else the argmax."""
    if isinstance(output, (list, tuple)):
        values = [o.data if type(o) is Value else o for o in output]
        return max(range(len(values)), key=values.__getitem__)
    x = output.data if type(output) is Value else output
    return 1 if x > 0.0 else 0


def predict_scores(model: Any, X: Sequence[Any]) -> list[Any]:
    """The model's raw outputs (floats, or lists of floats) for each row, building no graph.

    The built-in modules use ``forward_floats``: the Value path's numbers, from plain
    float arithmetic.  (Their traced forward pass was measured slower for wide layers,
    2x at 64 and 784 inputs, and only 1.3x faster on the demo's 2 inputs.)  Other
    modules build their graph.
    """
    if type(model) in (MLP, Layer, Neuron):  # the weights copied once, not read per row
        forward = float_forward(model)
        return [forward(row_floats(x, model.nin, model)) for x in X]
    fast = getattr(model, "forward_floats", None)
    if fast is not None:
        return [fast(x) for x in X]
    with paused_gc():
        outs = [model(x) for x in X]
    return [[o.data for o in out] if isinstance(out, list) else out.data for out in outs]


def predict(model: Any, X: Sequence[Any]) -> list[int]:
    """The predicted class of each row (see :func:`label_of`)."""
    return [label_of(s) for s in predict_scores(model, X)]


def accuracy(y_true: Sequence[Any], y_pred: Sequence[Any]) -> float:
    """The fraction of positions where the labels agree."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"accuracy: {len(y_true)} true labels but {len(y_pred)} predictions")
    if not y_true:
        raise ValueError("accuracy: no labels")
    return sum(a == b for a, b in zip(y_true, y_pred)) / len(y_true)


def confusion_matrix(
    y_true: Sequence[int], y_pred: Sequence[int], num_classes: int | None = None
) -> list[list[int]]:
    """C[i][j] = how many samples of true class i were predicted as class j."""
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"confusion_matrix: {len(y_true)} true labels but {len(y_pred)} predictions"
        )
    if num_classes is None:
        num_classes = max([*y_true, *y_pred], default=-1) + 1
    c = [[0] * num_classes for _ in range(num_classes)]
    for t, p in zip(y_true, y_pred):
        if not (0 <= t < num_classes and 0 <= p < num_classes):
            raise ValueError(
                f"confusion_matrix: labels must lie in [0, {num_classes}), got {t!r} and {p!r}"
            )
        c[t][p] += 1
    return c


def evaluate(model: Any, X: Sequence[Any], y: Sequence[int]) -> dict[str, Any]:
    """Accuracy and confusion matrix of ``model`` on ``(X, y)``."""
    pred = predict(model, X)
    k = max(num_outputs(model) or 0, 2, *(t + 1 for t in y))
    return {"accuracy": accuracy(y, pred), "confusion_matrix": confusion_matrix(y, pred, k)}


def _check_arguments(X: Sequence[Any], y: Sequence[Any], epochs: int, l2: float) -> None:
    if len(X) != len(y):
        raise ValueError(f"fit: X has {len(X)} rows but y has {len(y)} labels")
    if len(X) == 0:
        raise ValueError("fit: no training data")
    if type(epochs) is bool or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}")
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real) or not 0 <= l2 < math.inf:
        raise ValueError(f"fit: l2 must be a finite number >= 0, got {l2!r}")


class _Run:
    """What one call of :func:`fit` trains, for its backend (:mod:`nets.backends`)."""

    def __init__(
        self,
        model: Any,
        loss: tuple[str, Loss],
        l2: float,
        optimizer: Optimizer | None,
        pause_gc: bool,
    ) -> None:
        self.model, (self.loss_name, self.loss_fn), self.l2 = model, loss, l2
        self.params: list[Value] = model.parameters()
        self.optimizer = optimizer if optimizer is not None else Adam(self.params, lr=0.01)
        self.pause_gc = pause_gc
        self.label_of = label_of

    def value_step(self, Xb: list[Any], yb: list[Any]) -> tuple[float, int]:
        """One step on Values: the batch's graph, backward, the optimizer."""
        return _step(
            self.model, self.params, Xb, yb, self.loss_fn, self.l2, self.optimizer, self.pause_gc
        )

    def predict(self, X: Sequence[Any]) -> list[int]:
        return predict(self.model, X)

    def paused(self) -> Any:
        """The cycle collector paused, if fit was asked to (see :func:`paused_gc`)."""
        return paused_gc() if self.pause_gc else nullcontext()


def fit(
    model: Any,
    X: Sequence[Any],
    y: Sequence[int],
    *,
    loss: str | Loss = "auto",
    optimizer: Optimizer | None = None,
    epochs: int = 10,
    batch_size: int | None = None,
    l2: float = 0.0,
    validation: tuple[Sequence[Any], Sequence[int]] | None = None,
    progress: bool = True,
    seed: int | None = 0,
    pause_gc: bool = True,
    callback: Callable[[int, dict[str, list]], Any] | None = None,
    compile: bool = True,
    backend: str | None = None,
) -> dict[str, list]:
    """Train ``model`` on ``(X, y)`` by mini-batch gradient descent; return the history.

    Each step: forward every row of the batch, objective = loss + l2 * sum p^2,
    ``zero_grad``, ``backward``, ``optimizer.step()``.  ``loss`` is 'auto' (hinge for one
    output, cross-entropy for several), one of :data:`LOSSES`, or a function
    ``(outputs, labels) -> Value``.  ``optimizer`` defaults to Adam with lr 0.01;
    ``batch_size=None`` trains on the whole set at once, in order; otherwise batches are
    reshuffled every epoch from ``seed``.

    The history holds one entry per epoch: 'epoch', 'loss' (the mean objective over the
    epoch's batches), 'accuracy' (on the training batches, as the model was when it saw
    them), 'lr', 'seconds' (since the start) and, given ``validation=(X_val, y_val)``,
    'val_accuracy'.  ``progress`` shows a tqdm bar (a widget in Jupyter);
    ``callback(epoch, history)`` runs after each epoch.

    ``backend`` (:mod:`nets.backends`) says how a step is computed.  'values': on Values,
    a graph per step (any model, any loss).  'python', the default for a built-in model
    (MLP, Layer, Neuron) and a named loss: the graph of one sample traced once and
    replayed on every row, with the Value path's numbers bit for bit (losses, gradients,
    parameters, errors).  'numpy': that program on arrays, a layer at a time and the
    batch at once, equal to 'python' to about 1e-12 a step.  ``compile=False`` is
    ``backend='values'``.  The model's Values hold the current parameters whenever a
    callback runs and when fit returns.
    """
    _check_arguments(X, y, epochs, l2)
    named = _resolve_loss(loss, model)
    traceable = lambda: not callable(loss) and C.sample_program(model, named[0]) is not None
    run = _Run(model, named, l2, optimizer, pause_gc)
    with run.paused():  # tracing makes tens of thousands of objects, none of them cycles
        choice = B.choose(backend, compile, traceable)
        batches(X, y, batch_size)  # checks batch_size now rather than at the first epoch
        steps = B.STEPPERS[choice](run)
        X, y = steps.prepare(X, y)
    rng = random.Random(seed)
    n_batches = num_batches(len(X), batch_size)

    history: dict[str, list] = {"epoch": [], "loss": [], "accuracy": [], "lr": [], "seconds": []}
    if validation is not None:
        history["val_accuracy"] = []
    bar = _progress_bar(epochs * n_batches) if progress else None
    start = time.perf_counter()
    try:
        with steps.context():
            for epoch in range(1, epochs + 1):
                total = correct = 0
                loss_sum = 0.0
                for Xb, yb in batches(X, y, batch_size, shuffle=True, seed=rng):
                    lr = run.optimizer.current_lr
                    value, hits = steps.step(Xb, yb)
                    loss_sum += value * len(Xb)
                    correct += hits
                    total += len(Xb)
                    if bar is not None:
                        # refresh=False: the bar redraws at tqdm's own pace, not every batch.
                        bar.set_postfix(
                            epoch=epoch,
                            loss=f"{loss_sum / total:.4f}",
                            acc=f"{correct / total:.3f}",
                            refresh=False,
                        )
                        bar.update(1)
                history["epoch"].append(epoch)
                history["loss"].append(loss_sum / total)
                history["accuracy"].append(correct / total)
                history["lr"].append(lr)
                if validation is not None:
                    _validate(history, steps, validation, bar)
                history["seconds"].append(time.perf_counter() - start)
                if callback is not None:
                    steps.sync()
                    callback(epoch, history)
                    steps.load()  # what the callback did to the parameters
    finally:
        steps.sync()
        if bar is not None:
            bar.close()
    return history


def _validate(history: dict[str, list], steps: Any, validation: tuple, bar: Any) -> None:
    """The epoch's validation accuracy, into the history and the progress bar."""
    Xv, yv = validation
    history["val_accuracy"].append(accuracy(yv, steps.predict(Xv)))
    if bar is not None:
        bar.set_postfix(
            epoch=history["epoch"][-1],
            loss=f"{history['loss'][-1]:.4f}",
            acc=f"{history['accuracy'][-1]:.3f}",
            val_acc=f"{history['val_accuracy'][-1]:.3f}",
        )


def _step(
    model: Any,
    params: list[Value],
    Xb: list[Any],
    yb: list[int],
    loss_fn: Loss,
    l2: float,
    optimizer: Optimizer,
    pause_gc: bool,
) -> tuple[float, int]:
    """One update on one batch; returns the objective and how many rows were right."""
    with paused_gc() if pause_gc else nullcontext():
        outs = [model(x) for x in Xb]
        objective = loss_fn(outs, yb)
        if l2:
            objective = objective + L.l2(params, l2)
        optimizer.zero_grad()
        objective.backward()
        optimizer.step()
        hits = sum(label_of(o) == t for o, t in zip(outs, yb))
    return objective.data, hits


def _progress_bar(total: int) -> Any:
    # tqdm.auto picks the notebook widget inside Jupyter and the text bar elsewhere.  A widget
    # is blank where a notebook is read without a kernel (GitHub, nbviewer, an HTML export),
    # so in Jupyter the bar also prints its final state as a line of text when it closes.
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="batch", leave=True, dynamic_ncols=True)
    if hasattr(bar, "container"):  # the notebook widget
        close = bar.close

        def print_and_close() -> None:
            if not bar.disable:  # closing twice (tqdm's __del__ closes too) prints once
                print(bar)
            close()

        bar.close = print_and_close
    return bar
