"""Training time per epoch, against PyTorch, hand-written numpy and micrograd: medians and ranges.

    python benchmarks/train_bench.py                    # demo, digits and mnist, 5 runs
    python benchmarks/train_bench.py digits --runs 7    # some of them, more runs
    python benchmarks/train_bench.py --validate digits  # how the recipes were chosen

Every contender trains the command line's recipe (``valuegrad train --dataset NAME``: the
same split, standardisation, initial weights, batches, learning-rate schedule and
optimizer formulas) in this process, and scores the held-out set after each epoch as
``fit(validation=...)`` does.  Timed: the whole run, wall clock, trace and compile
included; reported per epoch as the median over the runs, with the range (least-most),
and as a ratio to PyTorch's time in the same run (median and range of the paired
ratios).  The contenders run in a different order each run, alternating, so that a
machine's slow moments spread over all of them.

* ``fit values``, ``fit python``, ``fit numpy``: :func:`nets.fit` with each backend
  (values on the demo only: digits would take minutes an epoch);
* ``fit numpy, default threads``: the numpy backend without its one-BLAS-thread limit;
* ``PyTorch float64``: torch (optional; skipped when missing), one thread, torch.optim's
  Adam or SGD (the same formulas), the rate set before each step;
* ``numpy by hand``: the network written directly in numpy, one BLAS thread: the
  practical floor for this size of network in Python;
* ``micrograd 0.1.0`` (optional): its MLP with the same weights, on the demo only.

``--validate NAME`` is how the recipes were chosen: candidate settings trained on 80% of
the command line's training part and scored on the other 20%; the held-out test set is
never looked at.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

import nets.backends
import nets.cli as cli
from nets import MLP, data, optim, train

DATASETS = {"demo": "moons", "digits": "digits", "mnist": "mnist"}


@dataclass
class Task:
    """One recipe on its data: what every contender trains."""

    name: str
    recipe: cli.Recipe
    Xt: list[list[float]]
    yt: list[int]
    Xv: list[list[float]]
    yv: list[int]
    nouts: list[int]
    weights: list[float]  # the initial parameters, in parameters() order
    schedule: Callable[[int], float]
    batch_size: int | None

    @property
    def loss(self) -> str:
        return "hinge" if self.nouts[-1] == 1 else "cross_entropy"

    def epochs_of_batches(self) -> list[list[list[int]]]:
        """The batches of every epoch as row indices, drawn as fit draws them."""
        rng = random.Random(1337)
        n = len(self.Xt)
        idx = list(range(n))
        return [
            [b for b, _ in data.batches(idx, idx, self.batch_size, shuffle=True, seed=rng)]
            for _ in range(self.recipe.epochs)
        ]


def task(name: str, recipe: cli.Recipe | None = None, part: str = "test") -> Task:
    r = recipe or cli.RECIPES[DATASETS[name]]
    dataset = DATASETS[name]
    if dataset in cli.TOY:
        X, y = data.DATASETS[dataset](r.samples, r.noise, seed=1337)
    else:
        X, y = data.DATASETS[dataset]()
    Xt, Xv, yt, yv = data.train_test_split(X, y, 0.25, seed=1337)
    if part == "validate":  # 80% of the training part against the other 20%
        Xt, Xv, yt, yv = data.train_test_split(Xt, yt, 0.2, seed=7)
    if r.standardize:
        scaler = data.Standardizer().fit(Xt)
        Xt, Xv = scaler.transform(Xt), scaler.transform(Xv)
    classes = max(y) + 1
    nouts = [*r.hidden, 1 if classes == 2 else classes]
    random.seed(1337)
    model = MLP(len(X[0]), nouts, init=r.init)
    steps = r.epochs * train.num_batches(len(Xt), r.batch_size or None)
    return Task(
        name, r, Xt, yt, Xv, yv, nouts, [p.data for p in model.parameters()],
        optim.linear_decay(r.lr, r.lr / 10, steps), r.batch_size or None,
    )  # fmt: skip


def _accuracy(pred: Any, y: list[int]) -> float:
    return float(np.mean(np.asarray(pred) == np.asarray(y)))


# ---- the contenders: each trains the task and returns the held-out accuracy ------------


def run_fit(t: Task, backend: str) -> float:
    model = MLP(len(t.Xt[0]), t.nouts, init=t.recipe.init)
    for p, w in zip(model.parameters(), t.weights):
        p.data = w
    opt_class = optim.SGD if t.recipe.optimizer == "sgd" else optim.Adam
    history = train.fit(
        model, t.Xt, t.yt, optimizer=opt_class(model, lr=t.schedule), epochs=t.recipe.epochs,
        batch_size=t.batch_size, l2=t.recipe.l2, validation=(t.Xv, t.yv), progress=False,
        seed=1337, backend=backend,
    )  # fmt: skip
    return history["val_accuracy"][-1]


def run_fit_default_threads(t: Task) -> float:
    real = nets.backends.NumpySteps.context
    nets.backends.NumpySteps.context = lambda self: contextlib.nullcontext()  # type: ignore[method-assign]
    try:
        return run_fit(t, "numpy")
    finally:
        nets.backends.NumpySteps.context = real  # type: ignore[method-assign]


def _layers(t: Task) -> list[tuple[np.ndarray, np.ndarray]]:
    """The initial weights as (W, b) per layer, W with a row per neuron."""
    sizes = [len(t.Xt[0]), *t.nouts]
    out, k = [], 0
    for nin, nout in pairwise(sizes):
        block = np.array(t.weights[k : k + nout * (nin + 1)]).reshape(nout, nin + 1)
        out.append((block[:, :nin].copy(), block[:, nin].copy()))
        k += block.size
    return out


def run_torch(t: Task) -> float:
    import torch

    torch.set_num_threads(1)
    Xt = torch.tensor(t.Xt, dtype=torch.float64)
    Xv = torch.tensor(t.Xv, dtype=torch.float64)
    yt = torch.tensor(t.yt)
    layers = [torch.nn.Linear(W.shape[1], W.shape[0]).double() for W, _ in _layers(t)]
    with torch.no_grad():
        for layer, (W, b) in zip(layers, _layers(t)):
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
    params = [p for layer in layers for p in layer.parameters()]
    opt = (
        torch.optim.SGD(params, lr=1.0)
        if t.recipe.optimizer == "sgd"
        else torch.optim.Adam(params, lr=1.0, betas=(0.9, 0.999), eps=1e-8)
    )

    def forward(X: Any) -> Any:
        for k, layer in enumerate(layers):
            X = layer(X)
            X = X if k == len(layers) - 1 else torch.relu(X)
        return X

    step = 0
    for batches in t.epochs_of_batches():
        for idx in batches:
            index = torch.tensor(idx)
            out = forward(Xt[index])
            if t.loss == "hinge":
                signed = 2.0 * yt[index].double() - 1.0
                loss = torch.relu(1.0 - signed * out[:, 0]).mean()
            else:
                loss = torch.nn.functional.cross_entropy(out, yt[index])
            if t.recipe.l2:
                loss = loss + t.recipe.l2 * sum((p * p).sum() for p in params)
            for group in opt.param_groups:
                group["lr"] = t.schedule(step)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        with torch.no_grad():
            scores = forward(Xv)
            pred = (scores[:, 0] > 0).long() if t.nouts[-1] == 1 else scores.argmax(1)
        accuracy = _accuracy(pred.numpy(), t.yv)
    return accuracy


def run_numpy(t: Task) -> float:
    """The network by hand in numpy: forward, backward, Adam or SGD, one BLAS thread."""
    with threadpool_limits(1):
        Xt, Xv, yt = np.array(t.Xt), np.array(t.Xv), np.array(t.yt)
        params = [a for W, b in _layers(t) for a in (W, b)]
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        step = 0

        def forward(X: Any) -> list[Any]:
            hs = [X]
            for k in range(0, len(params), 2):
                z = hs[-1] @ params[k].T + params[k + 1]
                hs.append(z if k == len(params) - 2 else np.maximum(z, 0.0))
            return hs

        for batches in t.epochs_of_batches():
            for idx in batches:
                hs = forward(Xt[idx])
                out, n = hs[-1], len(idx)
                if t.loss == "hinge":
                    signed = 2.0 * yt[idx] - 1.0
                    g = np.where(1.0 - signed * out[:, 0] > 0.0, -signed, 0.0)[:, None] / n
                else:
                    e = np.exp(out - out.max(axis=1, keepdims=True))
                    g = e / e.sum(axis=1, keepdims=True)
                    g[np.arange(n), yt[idx]] -= 1.0
                    g /= n
                grads = [np.empty(0)] * len(params)
                for k in range(len(params) - 2, -1, -2):
                    grads[k], grads[k + 1] = g.T @ hs[k // 2], g.sum(axis=0)
                    if k:
                        g = (g @ params[k]) * (hs[k // 2] > 0.0)
                lr = t.schedule(step)
                step += 1
                for i, (p, gp) in enumerate(zip(params, grads)):
                    if t.recipe.l2:
                        gp = gp + 2.0 * t.recipe.l2 * p
                    if t.recipe.optimizer == "sgd":
                        p -= lr * gp
                        continue
                    m[i] = 0.9 * m[i] + 0.1 * gp
                    v[i] = 0.999 * v[i] + 0.001 * gp * gp
                    hat = math.sqrt(1.0 - 0.999**step) / (1.0 - 0.9**step)
                    p -= lr * hat * m[i] / (np.sqrt(v[i]) + 1e-8 * math.sqrt(1.0 - 0.999**step))
            scores = forward(Xv)[-1]
            pred = (scores[:, 0] > 0) if t.nouts[-1] == 1 else scores.argmax(axis=1)
            accuracy = _accuracy(pred, t.yv)
    return accuracy


MICROGRAD_EPOCHS = 3  # of the demo's 100: its epoch takes seconds


def run_micrograd(t: Task) -> float:
    """micrograd's own MLP and its demo's loop (hinge + alpha * sum p^2, SGD), for the
    first :data:`MICROGRAD_EPOCHS` epochs only (so no held-out accuracy: nan)."""
    from micrograd.engine import Value
    from micrograd.nn import MLP as MicroMLP

    model = MicroMLP(len(t.Xt[0]), t.nouts)
    for p, w in zip(model.parameters(), t.weights):
        p.data = w
    step = 0
    for batches in t.epochs_of_batches()[:MICROGRAD_EPOCHS]:
        for idx in batches:
            scores = [model([Value(x) for x in t.Xt[i]]) for i in idx]
            losses = [(1 + -(2 * t.yt[i] - 1) * s).relu() for i, s in zip(idx, scores)]
            loss = sum(losses) * (1.0 / len(losses))
            loss = loss + t.recipe.l2 * sum(p * p for p in model.parameters())
            model.zero_grad()
            loss.backward()
            lr = t.schedule(step)
            for p in model.parameters():
                p.data -= lr * p.grad
            step += 1
    return math.nan


def contenders(name: str) -> dict[str, Callable[[Task], float]]:
    found: dict[str, Callable[[Task], float]] = {}
    if name == "demo":
        found["fit values"] = lambda t: run_fit(t, "values")
    found["fit python"] = lambda t: run_fit(t, "python")
    found["fit numpy"] = lambda t: run_fit(t, "numpy")
    if name != "demo":
        found["fit numpy, default threads"] = run_fit_default_threads
    with contextlib.suppress(ImportError):
        import torch  # noqa: F401

        found["PyTorch float64"] = run_torch
    found["numpy by hand"] = run_numpy
    if name == "demo":
        with contextlib.suppress(ImportError):
            import micrograd  # noqa: F401

            found["micrograd 0.1.0"] = run_micrograd
    return found


def compile_seconds(t: Task) -> float:
    """Trace and numpy lowering of the recipe's training program, on a fresh model, with
    the cycle collector paused as fit pauses it."""
    from autograd.trace.run_numpy import lowered
    from nets import compiled

    model = MLP(len(t.Xt[0]), t.nouts, init=t.recipe.init)
    start = time.perf_counter()
    with train.paused_gc():  # as fit does
        sample = compiled.sample_program(model, t.loss)
        assert sample is not None
        nin, nout = len(t.Xt[0]), sample.nout
        first = nin + 1 + model.num_parameters() + 1
        probes = frozenset(range(first, first + nout))
        lowered(sample.program, frozenset(range(nin + 1)) | probes, True, probes)
    return time.perf_counter() - start


def _number(x: float) -> str:
    """Three significant digits; a large number in full, with thousands separators."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _spread(xs: list[float], scale: float = 1.0) -> str:
    m, lo, hi = statistics.median(xs) * scale, min(xs) * scale, max(xs) * scale
    return f"{_number(m)} ({_number(lo)}-{_number(hi)})"


def bench(name: str, runs: int) -> None:
    t = task(name)
    table = contenders(name)
    seconds: dict[str, list[float]] = {k: [] for k in table}  # whole runs
    accuracy: dict[str, float] = {}
    compile_times = []
    order = list(table)
    for key in order:  # imports, caches, the first compile of the generated code
        table[key](t)
    for r in range(runs):
        for key in order[r % len(order) :] + order[: r % len(order)]:
            start = time.perf_counter()
            accuracy[key] = table[key](t)
            seconds[key].append(time.perf_counter() - start)
        compile_times.append(compile_seconds(t))
    epochs = t.recipe.epochs
    batch = "full batch" if t.batch_size is None else f"batches of {t.batch_size}"
    print(
        f"\n{name}: MLP({len(t.Xt[0])}, {t.nouts}), {len(t.Xt)} training rows, {epochs} "
        f"epochs, {t.recipe.optimizer}, {batch}; wall time per epoch over {runs} runs, "
        "after one run of each to warm up: median (least-most)"
    )
    per_epoch = {
        key: [x / (MICROGRAD_EPOCHS if key == "micrograd 0.1.0" else epochs) for x in xs]
        for key, xs in seconds.items()
    }
    torch_times = per_epoch.get("PyTorch float64")
    print(f"  {'':28} {'ms per epoch':>24} {'x PyTorch':>22} {'held-out':>9}")
    for key, xs in per_epoch.items():
        ratio = _spread([a / b for a, b in zip(xs, torch_times)]) if torch_times else "-"
        held = "-" if math.isnan(accuracy[key]) else f"{100 * accuracy[key]:.1f}%"
        print(f"  {key:28} {_spread(xs, 1e3):>24} {ratio:>22} {held:>9}")
    print(f"  trace + numpy lowering of the training program: {_spread(compile_times)} s")


# The settings tried for each recipe (the first of digits' is the recipe before it).
CANDIDATES = {
    "digits": [
        {"hidden": (32,), "lr": 0.01, "epochs": 6, "batch_size": 32},
        {"hidden": (32,), "lr": 0.02, "epochs": 6, "batch_size": 32},
        {"hidden": (32,), "lr": 0.03, "epochs": 6, "batch_size": 32},
        {"hidden": (32,), "lr": 0.02, "epochs": 5, "batch_size": 16},
        {"hidden": (32,), "lr": 0.02, "epochs": 5, "batch_size": 32},
        {"hidden": (32,), "lr": 0.03, "epochs": 5, "batch_size": 32},
        {"hidden": (24,), "lr": 0.02, "epochs": 6, "batch_size": 32},
        {"hidden": (24,), "lr": 0.03, "epochs": 6, "batch_size": 32},
    ],
    "mnist": [
        {"hidden": (32,), "lr": 0.02, "epochs": 7, "batch_size": 32},
        {"hidden": (32,), "lr": 0.01, "epochs": 7, "batch_size": 32},
        {"hidden": (32,), "lr": 0.01, "epochs": 6, "batch_size": 32},
        {"hidden": (24,), "lr": 0.01, "epochs": 7, "batch_size": 32},
    ],
}


def validate(name: str) -> None:
    """The candidate recipes, each scored on a validation split of the training part."""
    base = cli.RECIPES[DATASETS[name]]
    for settings in CANDIDATES.get(name, [{}]):
        accuracy = run_fit(task(name, replace(base, **settings), part="validate"), "numpy")
        print(f"  {settings or 'the recipe'}: validation accuracy {100 * accuracy:.1f}%")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[[], *DATASETS], default=[])
    parser.add_argument("--runs", type=int, default=5, help="alternating runs (default 5)")
    parser.add_argument(
        "--validate", choices=list(DATASETS), help="score the candidate recipes of a data set"
    )
    args = parser.parse_args(argv)
    if args.validate:
        validate(args.validate)
        return 0
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, on {_machine()}")
    for name in args.names or list(DATASETS):
        bench(name, args.runs)
    return 0


def _machine() -> str:
    import os

    return f"{os.cpu_count()} cores"


if __name__ == "__main__":
    sys.exit(main())
