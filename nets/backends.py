"""How :func:`nets.fit` takes a step: on Values, by the traced float replay, or on numpy.

* ``"values"``: define-by-run, the graph of the batch built and differentiated each step
  (any model, any loss function);
* ``"python"``: one sample's program (:mod:`nets.compiled`) replayed on every row in one
  generated function; the parameters kept as floats between steps and the optimizer run
  on them with the same arithmetic: bit for bit the Value path's losses, gradients and
  parameters, errors included (a step that goes wrong is done again on Values);
* ``"numpy"``: the same program lowered to numpy, a layer's weights as one matrix and the
  batch at once (:mod:`autograd.trace.run_numpy`), the parameters and the optimizer's
  state as arrays: equal to the float replay to about 1e-12 a step, not bit for bit.

Each backend keeps the model's Values up to date where anyone can look: before a
callback, for the validation score, and at the end (``.data`` and, as the Value path
leaves it, ``.grad`` the last step's gradient).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from autograd import Value, ops
from autograd.support.extras import check
from autograd.trace import CompileError, TraceError
from autograd.trace.run_numpy import Batch

from . import compiled as C
from .activations import ACTIVATIONS
from .module import MLP, Neuron, float_forward
from .optim import Optimizer

BACKENDS = ("values", "python", "numpy")


def choose(backend: str | None, compile: bool, traceable: Callable[[], bool]) -> str:
    """The backend that fit uses: as asked, else 'python' where ``compile`` and the model
    and loss have a program (``traceable()``, which may trace it), else 'values'.  A bad
    name, or a backend that cannot train this model, is a ValueError saying why."""
    if backend is None:
        return "python" if compile and traceable() else "values"
    if backend not in BACKENDS:
        raise ValueError(
            f"fit: backend must be one of {', '.join(repr(b) for b in BACKENDS)}, got {backend!r}"
        )
    if backend == "values":
        return backend
    if not compile:
        raise ValueError(
            f"fit: compile=False trains on Values; it cannot go with backend={backend!r}"
        )
    if not traceable():
        raise ValueError(
            f"fit: backend={backend!r} needs a built-in model (MLP, Layer, Neuron) and a named "
            "loss; this one trains on Values (backend='values')"
        )
    if backend == "numpy" and not numpy_available():
        check(["numpy"], "fit(backend='numpy')")
    return backend


def numpy_available() -> bool:
    """Whether numpy can be imported (the 'numpy' backend needs it)."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


class ValueSteps:
    """Steps on Values: the batch's graph, ``backward()``, ``optimizer.step()``."""

    def __init__(self, fit: Any) -> None:
        self.fit = fit

    def prepare(self, X: Sequence[Any], y: Sequence[Any]) -> tuple[Sequence[Any], Sequence[Any]]:
        return X, y

    def labels(self, yb: list[Any]) -> list[Any]:
        return yb

    def step(self, Xb: list[Any], yb: list[Any]) -> tuple[float, int]:
        return self.fit.value_step(Xb, yb)

    def sync(self) -> None:
        """Put the backend's parameters and gradients into the model's Values."""

    def load(self) -> None:
        """Take the parameters back from the model's Values (a callback may set them)."""

    def predict(self, X: Sequence[Any]) -> list[int]:
        return self.fit.predict(X)

    def context(self) -> Any:
        return nullcontext()


class PythonSteps(ValueSteps):
    """Steps replayed from the traced program of one sample, on floats, bit for bit."""

    def __init__(self, fit: Any) -> None:
        super().__init__(fit)
        self.params: list[Value] = fit.params
        self.data = [p.data for p in self.params]
        self.grads = [p.grad for p in self.params]
        opt: Optimizer = fit.optimizer
        # The optimizer runs on the floats only if it holds exactly the model's parameters.
        self.direct = len(opt.params) == len(self.params) and all(
            a is b for a, b in zip(opt.params, self.params)
        )

    def prepare(self, X: Sequence[Any], y: Sequence[Any]) -> tuple[Sequence[Any], Sequence[Any]]:
        """Rows as floats and labels as the program's (target, label) pairs, checked once."""
        target = C.TARGETS[self.fit.loss_name]
        k = C.num_outputs(self.fit.model)
        return C.float_rows(self.fit.model, X), [(target(t, k), t) for t in y]

    def labels(self, yb: list[Any]) -> list[Any]:
        return [label for _, label in yb]

    def step(self, Xb: list[Any], tb: list[Any]) -> tuple[float, int]:
        """:meth:`ValueSteps.step` by replaying the program on every row.  If the replay
        fails anywhere (an overflow, an op's error), the step is done again on Values,
        which raises the engine's own error: nothing is changed before then."""
        fit = self.fit
        program = _current_program(fit)
        yb = self.labels(tb)
        try:
            if program is None:
                raise ArithmeticError("not a built-in model any more")
            with fit.paused():
                value, grads, outs = replay(program, self.data, Xb, [t for t, _ in tb], fit.l2)
        except CompileError:
            raise  # not the numbers' fault: the Value path would be tried again every step
        except Exception:  # whatever it was, the Value path says it properly
            self.sync()
            result = fit.value_step(Xb, yb)
            self.data = [p.data for p in self.params]
            self.grads = [p.grad for p in self.params]
            return result
        if self.direct:
            # On arrays where numpy is installed: + - * / and sqrt round as on floats, so the
            # numbers are the same bits, without Python's work per parameter.
            self.data = _listed(fit.optimizer.update(_array(self.data), _array(grads)))
            self.grads = grads
        else:  # an optimizer of other Values: through the model's Values
            self.grads = grads
            self.sync()
            fit.optimizer.step()
            self.data = [p.data for p in self.params]
        return value, sum(fit.label_of(o) == t for o, t in zip(outs, yb))

    def sync(self) -> None:
        for p, x, g in zip(self.params, self.data, self.grads):
            p.data = x
            p.grad = g

    def load(self) -> None:
        self.data = [p.data for p in self.params]
        self.grads = [p.grad for p in self.params]

    def predict(self, X: Sequence[Any]) -> list[int]:
        forward = float_forward(self.fit.model, self.data)
        return [self.fit.label_of(forward(x)) for x in C.float_rows(self.fit.model, X)]


def _array(xs: list[float]) -> Any:
    if not numpy_available():
        return xs
    import numpy as np

    return np.array(xs, dtype=float)


def _listed(xs: Any) -> list[float]:
    return xs if type(xs) is list else xs.tolist()


def replay(
    program: C.SampleProgram, data: list[float], Xb: list, Tb: list, l2: float
) -> tuple[float, list[float], list[Any]]:
    """The objective, its gradient and the outputs, in the Value path's order of sums."""
    add, mul = ops.ADD.forward, ops.MUL.forward
    if l2:
        # In the batch graph, alpha * sum p^2 comes last, so its backward comes first:
        # each parameter's gradient starts at alpha * p + alpha * p (its square p * p).
        alpha = float(l2)
        grads = [add(add(0.0, mul(alpha, p)), mul(alpha, p)) for p in data]
    else:
        grads = [0.0] * len(data)
    outs, terms, grads = program.run(Xb, Tb, data, grads)
    # mean(): (t_1 + ... + t_n) * (1 / n), left to right, then + l2 * sum p^2.
    total = terms[0]
    for t in terms[1:]:
        total = add(total, t)
    value = mul(total, 1.0 / len(terms))
    if l2:
        squares = [mul(p, p) for p in data]
        s = squares[0]
        for q in squares[1:]:
            s = add(s, q)
        value = add(value, mul(alpha, s))
    return value, grads, outs


class NumpySteps(PythonSteps):
    """Steps on numpy: the sample's program lowered to arrays, the batch at once, the
    parameters (and the optimizer's state) as arrays between steps."""

    def __init__(self, fit: Any) -> None:
        import numpy as np

        super().__init__(fit)
        self.np = np
        sample = C.sample_program(fit.model, fit.loss_name)
        assert sample is not None
        self.sample = sample
        nin, self.nout = fit.model.nin, sample.nout
        self.nt = sample.nout if fit.loss_name == "mse" and sample.nout > 1 else 1
        first_probe = nin + self.nt + len(self.params) + 1  # x, t, parameters, scale, probes
        probes = frozenset(range(first_probe, first_probe + self.nout))
        self.batch = Batch(sample.program, frozenset(range(nin + self.nt)) | probes, probes)
        self.P = np.array([*self.data, 1.0])  # the parameters, then the scale
        self.grads_array = np.array(self.grads)
        self.seen: tuple[Any, Any] | None = None  # the last rows predicted, as arrays

    def prepare(self, X: Sequence[Any], y: Sequence[Any]) -> tuple[Sequence[Any], Sequence[Any]]:
        """The rows as one matrix, the targets as another; fit's batches then hold
        indices into them, drawn as they would be drawn from the rows."""
        target = C.TARGETS[self.fit.loss_name]
        pairs = [(target(t, self.nout), t) for t in y]
        self.X = _matrix(self.fit.model, X).T
        self.T = self.np.array([t for t, _ in pairs], dtype=float).reshape(len(X), self.nt)
        return list(range(len(X))), [label for _, label in pairs]

    def labels(self, yb: list[Any]) -> list[Any]:
        return yb

    def step(self, idx: list[int], yb: list[Any]) -> tuple[float, int]:
        np, fit = self.np, self.fit
        if _current_program(fit) is not self.sample:
            raise ValueError(
                "fit: the model's architecture or an activation changed during training (in "
                "a callback?); backend='numpy' trains one architecture: call fit again"
            )
        n = len(idx)
        A = np.zeros((self.fit.model.nin + self.nt + self.nout, n))
        A[: fit.model.nin] = self.X[idx].T
        A[fit.model.nin : fit.model.nin + self.nt] = self.T[idx].T
        per = n * self.sample.terms_per_sample
        self.P[-1] = 1.0 / per
        with fit.paused():  # the first step lowers the program
            _, GP, GA = self.batch.value_and_grad(self.P, A)
        params, grads = self.P[:-1], GP[:-1]
        value = float(GP[-1]) * (1.0 / per)  # the terms' sum, from the scale's gradient
        if fit.l2:
            with np.errstate(all="ignore"):
                penalty = fit.l2 * float(params @ params)
                grads = grads + 2.0 * fit.l2 * params
            if not (math.isfinite(penalty) and np.isfinite(grads).all()):
                raise OverflowError(
                    f"fit: the L2 term l2 * sum(p^2) overflows (l2 = {fit.l2!r}, parameters "
                    f"up to {float(np.abs(params).max())!r}); nothing was changed"
                )
            value += penalty
        outs = GA[-self.nout :]  # the probes' gradients: the outputs
        guess = (outs[0] > 0.0).astype(int) if self.nout == 1 else outs.argmax(axis=0)
        if self.direct:
            self.P[:-1] = fit.optimizer.update(params.copy(), grads)
        else:
            self.data, self.grads = params.tolist(), grads.tolist()
            self.sync()
            fit.optimizer.step()
            self.P[:-1] = [p.data for p in self.params]
        self.grads_array = grads
        return value, int((guess == np.asarray(yb)).sum())

    def sync(self) -> None:
        self.data, self.grads = self.P[:-1].tolist(), self.grads_array.tolist()
        super().sync()

    def load(self) -> None:
        super().load()
        self.P[:-1] = self.data
        self.grads_array = self.np.array(self.grads, dtype=float)

    def predict(self, X: Sequence[Any]) -> list[int]:
        """The labels of the rows of ``X`` by :func:`predict_arrays` on the parameters
        as they are; the rows converted once, the first time (fit's validation set
        comes every epoch)."""
        if self.seen is None or self.seen[0] is not X:
            self.seen = (X, _matrix(self.fit.model, X))
        return predict_arrays(self.fit.model, self.seen[1], self.P[:-1])

    def context(self) -> Any:
        """One BLAS thread: a layer's products here are small, and numpy's default of a
        thread per core measured no faster (benchmarks/train_bench.py), while an earlier
        lowering took 3x as long with it on mnist."""
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            return nullcontext()
        return threadpool_limits(1)


def _current_program(fit: Any) -> C.SampleProgram | None:
    """The sample's program for the model as it is now; None if it no longer traces (a
    callback changed the architecture so that the loss no longer fits it, say)."""
    try:
        return C.sample_program(fit.model, fit.loss_name)
    except TraceError:
        return None


STEPPERS: dict[str, type[ValueSteps]] = {
    "values": ValueSteps,
    "python": PythonSteps,
    "numpy": NumpySteps,
}


def _matrix(model: Any, X: Sequence[Any]) -> Any:
    """The rows of ``X``, checked as the model checks them, as the columns of a matrix."""
    import numpy as np

    try:  # numbers of one kind convert in one call; anything else is looked at row by row
        A = np.array(X)
    except (ValueError, TypeError):
        A = None
    if not (
        A is not None
        and A.dtype.kind in "fiu"
        and A.shape == (len(X), model.nin)
        and np.isfinite(A).all()
    ):  # the model's own error (or, for other numbers such as fractions, the rows)
        A = np.array(C.float_rows(model, X), dtype=float).reshape(len(X), model.nin)
    return A.astype(float).T.copy()


def predict_arrays(model: Any, X: Any, params: Any = None) -> list[int]:
    """The labels that a built-in ``model`` gives the rows of ``X`` (a list of rows, or a
    matrix with a sample per column), on numpy: each layer one matrix product and its
    activation's array form.  ``params``: the weights in ``parameters()`` order, if not
    the model's.  Its sums are rounded in another order than the float path's, so a
    score within about 1e-15 of a tie may vote the other way."""
    import numpy as np

    from autograd.trace.lower_numpy import array_form

    H = X if isinstance(X, np.ndarray) else _matrix(model, X)
    P = np.asarray(params if params is not None else [p.data for p in model.parameters()])

    def act(kind: str, h: Any) -> Any:
        op = ACTIVATIONS[kind].op
        return h if op is None else array_form(op, np)(h)

    start = 0
    with np.errstate(all="ignore"):
        for k, layer in enumerate(model.layers if isinstance(model, MLP) else [model]):
            neurons = [layer] if isinstance(layer, Neuron) else layer.neurons
            nin = len(neurons[0].w)
            block = P[start : start + len(neurons) * (nin + 1)].reshape(len(neurons), nin + 1)
            start += block.size
            H = block[:, :nin] @ H + block[:, nin:]
            if not np.isfinite(H).all():
                raise OverflowError(
                    f"predict: a weighted sum b + sum_i w_i x_i of layer {k} is beyond the "
                    "float range (the inputs or the weights are too large)"
                )
            kinds = [n.kind for n in neurons]
            if len(set(kinds)) == 1:
                H = act(kinds[0], H)
            else:  # neurons of a layer changed one by one
                H = np.stack([act(kind, h) for kind, h in zip(kinds, H)])
    return ((H[0] > 0.0).astype(int) if len(H) == 1 else H.argmax(axis=0)).tolist()
