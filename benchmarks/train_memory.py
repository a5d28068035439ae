"""The memory of training, measured: the costs behind ``nets.memory.COSTS``, and real runs.

    python benchmarks/train_memory.py            # both parts (a few minutes)
    python benchmarks/train_memory.py costs      # the costs per parameter, row, number
    python benchmarks/train_memory.py runs       # valuegrad train against the estimate

``costs`` measures the parts of ``COSTS`` that tracemalloc sees quickly, in this process:
the model and its optimizer, a step on Values (forward and backward of a batch), the
copies of a data set.  ``runs`` runs ``valuegrad train`` (one epoch, each backend) in a
fresh process per configuration and compares its peak resident memory (Linux's VmHWM),
less what it held at the memory check, with the estimate the check made: the programs'
costs per parameter and per neuron are read from these.  The estimate must stay above
every run, and not far above the runs it is meant for; after a change to the engine or
the tracer, run this and update ``nets/memory.py``.
"""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
import tracemalloc
from collections.abc import Callable

from nets import MLP, compiled, data, losses, optim
from nets.memory import COSTS

ARCHITECTURES = [[2, 16, 16, 1], [2, 1000, 1], [2, 200, 200, 1], [64, 24, 10], [784, 24, 10]]


def _grown(make: Callable[[], object]) -> tuple[int, int]:
    """Bytes that ``make()`` left allocated, and its peak, by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    kept = make()
    now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return now - start, peak - start


def _model_and_adam(arch: list[int]) -> object:
    model = MLP(arch[0], arch[1:])
    opt = optim.Adam(model, lr=0.01)
    opt.step()
    return model, opt, [p.data for p in model.parameters()], [0.0] * model.num_parameters()


def _value_step(model: MLP, rows: int) -> object:
    rng = random.Random(0)
    X = [[rng.uniform(-1, 1) for _ in range(model.nin)] for _ in range(rows)]
    outs = [model(x) for x in X]
    if model.nouts[-1] == 1:
        objective = losses.hinge(outs, [rng.choice([-1, 1]) for _ in X])
    else:
        objective = losses.mean_cross_entropy(outs, [rng.randrange(model.nouts[-1]) for _ in X])
    objective.backward()
    return objective


def costs() -> None:
    print("per parameter (bytes, by tracemalloc): model and Adam (held) | step on Values, per row")
    rows = 8
    for arch in ARCHITECTURES:
        model = MLP(arch[0], arch[1:])
        p = model.num_parameters()
        kept, _ = _grown(lambda a=arch: _model_and_adam(a))
        graph = _grown(lambda m=model: _value_step(m, rows))[1]
        per_row = graph / p / rows
        print(f"  MLP({arch[0]}, {arch[1:]}), {p:,} parameters: {kept / p:6.0f} | {per_row:5.0f}")
    X, y = data.load_digits()
    numbers = len(X) * len(X[0])

    def copies() -> object:
        Xtr, Xte, _, _ = data.train_test_split(X, y, 0.25, seed=1)
        scaler = data.Standardizer().fit(Xtr)
        return compiled.float_rows(MLP(64, [10]), scaler.transform(Xtr)), scaler.transform(Xte)

    print(f"per number of the data set (digits, standardised): {_grown(copies)[0] / numbers:.0f}")
    print(f"nets.memory.COSTS: {COSTS}")


_CHILD = """
import json, os, sys
import nets.cli as cli

seen = {}
real = cli.training_memory

def spy(*args):
    seen["estimate"] = real(*args)
    pages = int(open("/proc/self/statm").read().split()[1])
    seen["held"] = pages * os.sysconf("SC_PAGE_SIZE")
    return seen["estimate"]

cli.training_memory = spy
seen["status"] = cli.main(sys.argv[1:])
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        seen["peak"] = int(line.split()[1]) * 1024
print(json.dumps(seen))
"""

_CONFIGS = [
    ["--dataset", "moons"],
    ["--dataset", "moons", "--no-plots"],
    ["--dataset", "moons", "--hidden", "1000", "--no-plots"],
    ["--dataset", "moons", "--hidden", "200", "200", "--no-plots"],
    ["--dataset", "moons", "--hidden", "5000", "--no-plots"],
    ["--dataset", "moons", "--hidden", "5000", "--batch-size", "10", "--no-plots"],
    ["--dataset", "digits", "--no-plots"],
    ["--dataset", "digits", "--hidden", "400", "--no-plots"],
    ["--dataset", "mnist", "--no-plots"],
    ["--dataset", "mnist"],
]
RUNS = [
    [*config, "--backend", backend] for config in _CONFIGS for backend in ("numpy", "python")
] + [
    ["--dataset", "moons", "--no-plots", "--backend", "values"],
    ["--dataset", "moons", "--hidden", "1000", "--no-plots", "--backend", "values"],
    ["--dataset", "digits", "--no-plots", "--backend", "values"],
]


def runs() -> None:
    print("valuegrad train ... --epochs 1: peak growth after the check / estimate")
    for argv in RUNS:
        args = ["train", *argv, "--epochs", "1", "--no-progress", "--out", "/tmp/vg-memory-run"]
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, check=False
        )
        try:
            seen = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            print(f"  {' '.join(argv)}: failed: {done.stderr.strip()[-300:]}")
            continue
        grown = seen["peak"] - seen["held"]
        print(f"  {' '.join(argv):72} {grown / 1e6:8.0f} MB / {seen['estimate'] / 1e6:8.0f} MB"
              f" = {grown / seen['estimate']:.2f}")  # fmt: skip


if __name__ == "__main__":
    parts = sys.argv[1:] or ["costs", "runs"]
    if "costs" in parts:
        costs()
    if "runs" in parts:
        runs()
