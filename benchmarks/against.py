"""This tree's engine against another commit's, in one process: is a change slower?

    python benchmarks/against.py             # against HEAD (the last commit)
    python benchmarks/against.py main~3      # against any revision git knows

The other commit's ``autograd`` package is taken with ``git archive`` into a temporary
folder and imported under another name, so that both engines run side by side in this
process, alternating, with the garbage collector on (as :mod:`bench` measures).  Four
jobs, each on the same numbers for both: the Value path of micrograd's demo step (MLP(2,
[16, 16, 1]), hinge + L2 on 100 moons points), the chain x = relu(x * w + 0.5) of 20,000
links forward and backward, the demo step replayed row by row from a traced program
(the float replay), and the same step as one numpy replay of the batch.  Reported: each
job's median CPU time for both, and the median and range over the runs of the paired
ratio this / then (below 1: this tree is faster).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from io import BytesIO
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any

from bench import timed

ROOT = Path(__file__).resolve().parent.parent
REPEAT = {"Value path": 1, "chain": 1, "traced": 5, "numpy": 20}  # calls per timing


def load_then(revision: str, folder: Path) -> ModuleType:
    """The ``autograd`` package of ``revision``, imported as ``autograd_then``."""
    archive = subprocess.run(
        ["git", "archive", revision, "autograd"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    init = folder / "autograd" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "autograd_then", init, submodule_search_locations=[str(init.parent)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["autograd_then"] = module
    spec.loader.exec_module(module)
    return module


def mlp(Value: type, sizes: list[int], seed: int) -> list[list[tuple[list[Any], Any]]]:
    """An MLP's layers as (weights, bias) per neuron, the same numbers for any engine."""
    rng = random.Random(seed)
    return [
        [([Value(rng.uniform(-1, 1)) for _ in range(nin)], Value(0.0)) for _ in range(nout)]
        for nin, nout in pairwise(sizes)
    ]


def forward(layers: list, x: list[Any]) -> Any:
    for k, layer in enumerate(layers):
        last = k == len(layers) - 1
        x = [sum((w * xi for w, xi in zip(ws, x)), b) for ws, b in layer]
        x = x if last else [v.relu() for v in x]
    return x[0]


def moons() -> tuple[list[list[float]], list[float]]:
    sys.path.insert(0, str(ROOT))
    from nets.data import make_moons

    X, y = make_moons(n_samples=100, noise=0.1, seed=1)
    return X, [2.0 * t - 1.0 for t in y]


def jobs(engine: ModuleType, X: list[list[float]], y: list[float]) -> dict[str, Callable]:
    """The four jobs on one engine."""
    import numpy as np

    Value, trace = engine.Value, engine.trace
    layers = mlp(Value, [2, 16, 16, 1], seed=0)
    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]

    def value_path() -> None:
        scores = [forward(layers, [Value(a) for a in row]) for row in X]
        data = sum((1 + -t * s).relu() for t, s in zip(y, scores)) * (1.0 / len(X))
        loss = data + 1e-4 * sum(p * p for p in params)
        for p in params:
            p.grad = 0.0
        loss.backward()

    def chain() -> None:
        x, w = Value(0.3), Value(0.999)
        for _ in range(20_000):
            x = (x * w + 0.5).relu()
        x.backward()

    def sample(ps: list[Any], row: list[Any], t: Any) -> Any:
        it = iter(ps)
        model = [[([next(it) for _ in ws], next(it)) for ws, _ in layer] for layer in layers]
        return (1 + -t * forward(model, row)).relu()

    pv = [p.data for p in params]
    one = trace(sample, params, X[0], y[0])
    batch = trace(sample, params, X[0], y[0], backend="numpy")
    columns = [np.array([r[i] for r in X]) for i in range(2)]
    targets = np.array(y)

    def replayed() -> None:
        acc = [0.0] * len(pv)
        for row, t in zip(reversed(X), reversed(y)):
            acc = one.value_and_grad(pv, row, t, seed=1.0 / len(X), start=(acc, None, None))[1][0]

    def numpy_step() -> None:
        batch.value_and_grad(pv, columns, targets, seed=1.0 / len(X))

    replayed()
    numpy_step()  # compiled before timing
    return {"Value path": value_path, "chain": chain, "traced": replayed, "numpy": numpy_step}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", nargs="?", default="HEAD", help="the commit to compare with")
    parser.add_argument("--runs", type=int, default=11, help="alternating runs (default 11)")
    args = parser.parse_args(argv)
    import autograd

    X, y = moons()
    with tempfile.TemporaryDirectory() as folder:
        then = load_then(args.revision, Path(folder))
        now_jobs, then_jobs = jobs(autograd, X, y), jobs(then, X, y)
        times: dict[str, dict[str, list[float]]] = {k: {"now": [], "then": []} for k in now_jobs}
        for i in range(args.runs):
            for key in now_jobs:
                order = [("now", now_jobs), ("then", then_jobs)]
                for label, table in order if i % 2 else order[::-1]:
                    times[key][label].append(timed(table[key], REPEAT[key]))
    print(f"this tree against {args.revision}: CPU time, medians of {args.runs} alternating runs")
    for key, t in times.items():
        ratios = [a / b for a, b in zip(t["now"], t["then"])]
        print(
            f"  {key:<11} now {statistics.median(t['now']) * 1e3:8.2f} ms  "
            f"then {statistics.median(t['then']) * 1e3:8.2f} ms  "
            f"now/then {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
