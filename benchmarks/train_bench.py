"""Training time and held-out accuracy of ``valuegrad train``: traced replay against Values.

    python benchmarks/train_bench.py                  # demo, digits and mnist
    python benchmarks/train_bench.py demo --pairs 5   # only some, more pairs
    python benchmarks/train_bench.py --validate digits

Each run is the command line's own recipe (``valuegrad train --dataset NAME --no-plots``),
in this process, with ``nets.fit`` wrapped to time it: CPU time (``time.process_time``,
which a busy shared machine cannot inflate) and wall time.  ``compile=True`` (the
default, a traced sample replayed row by row) and ``compile=False`` (a graph of Values per
step) alternate, and the medians are reported.  On mnist the Value path would take hours:
both paths are timed on the same first steps, and the Value path's full training time is
extrapolated from their ratio (said so in the table).

``--validate NAME`` is how the recipes were chosen: candidate settings trained on 80% of
the command line's training part and scored on the other 20%; the held-out test set is
never looked at.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import nets.cli as cli
from nets import MLP, data, optim, train

TARGETS = {"demo": "moons", "digits": "digits", "mnist": "mnist"}


def _run_cli(dataset: str, compile: bool) -> dict:
    """One ``valuegrad train`` run; returns fit's CPU and wall seconds and the accuracy."""
    timing: dict = {}
    real_fit = train.fit

    def timed_fit(*args, **kwargs):
        cpu, wall = time.process_time(), time.perf_counter()
        history = real_fit(*args, compile=compile, **kwargs)
        timing.update(cpu=time.process_time() - cpu, wall=time.perf_counter() - wall)
        return history

    cli.fit = timed_fit
    try:
        with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()):
            argv = ["train", "--dataset", dataset, "--no-plots", "--no-progress", "--out", out]
            if cli.main(argv) != 0:
                raise SystemExit(f"train --dataset {dataset} failed")
            report = json.loads((Path(out) / "history.json").read_text())
    finally:
        cli.fit = real_fit
    return {**timing, "test_accuracy": report["test_accuracy"]}


def _steps_ratio(dataset: str, steps: int) -> float:
    """CPU seconds of the Value path over the traced one, on the recipe's first steps."""
    r = cli.RECIPES[dataset]
    X, y = data.DATASETS[dataset]()
    Xt, _, yt, _ = data.train_test_split(X, y, 0.25, seed=1337)
    if r.standardize:
        Xt = data.Standardizer().fit_transform(Xt)
    rows = (r.batch_size or len(Xt)) * steps
    seconds = {}
    for compile in (True, False, True, False):
        random.seed(1337)
        model = MLP(len(X[0]), [*r.hidden, max(y) + 1], init=r.init)
        opt = optim.Adam(model, lr=r.lr) if r.optimizer == "adam" else optim.SGD(model, lr=r.lr)
        train.fit(
            model,
            Xt[:rows],
            yt[:rows],
            optimizer=opt,
            epochs=1,
            progress=False,
            batch_size=r.batch_size or None,
            compile=compile,
        )  # compiles the program
        cpu = time.process_time()
        train.fit(
            model,
            Xt[:rows],
            yt[:rows],
            optimizer=opt,
            epochs=1,
            progress=False,
            batch_size=r.batch_size or None,
            compile=compile,
        )
        seconds.setdefault(compile, []).append(time.process_time() - cpu)
    return min(seconds[False]) / min(seconds[True])


def bench(names: list[str], pairs: int) -> None:
    print(f"Python {sys.version.split()[0]}; CPU seconds of fit (wall in brackets), medians")
    print()
    print("| target | traced (compile=True) | Values (compile=False) | ratio | held-out accuracy |")
    print("|---|---|---|---|---|")
    for name in names:
        dataset = TARGETS[name]
        runs: dict[bool, list[dict]] = {True: [], False: []}
        slow = dataset == "mnist"
        for _ in range(pairs if not slow else 1):
            runs[True].append(_run_cli(dataset, True))
            if not slow:
                runs[False].append(_run_cli(dataset, False))
        fast = {k: statistics.median(r[k] for r in runs[True]) for k in ("cpu", "wall")}
        acc = runs[True][0]["test_accuracy"]
        if slow:
            ratio = _steps_ratio(dataset, steps=3)
            values = f"~{fast['cpu'] * ratio:.0f} s (extrapolated from 3 steps each)"
        else:
            assert all(r["test_accuracy"] == acc for r in runs[True] + runs[False])
            cpu = statistics.median(r["cpu"] for r in runs[False])
            wall = statistics.median(r["wall"] for r in runs[False])
            ratio = cpu / fast["cpu"]
            values = f"{cpu:.2f} s ({wall:.2f} s)"
        print(
            f"| {name} | {fast['cpu']:.2f} s ({fast['wall']:.2f} s) | {values} | "
            f"{ratio:.1f}x | {100 * acc:.1f}% |",
            flush=True,
        )


# ---- choosing a recipe on a validation split ------------------------------------------


CANDIDATES = {
    "digits": [
        {"hidden": (32,), "lr": 0.01, "epochs": 6, "batch_size": 32},  # the old recipe
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


def validate(dataset: str, only: list[int] | None = None) -> None:
    X, y = data.DATASETS[dataset]()
    X_train, _, y_train, _ = data.train_test_split(X, y, 0.25, seed=1337)  # the CLI's split
    Xa, Xb, ya, yb = data.train_test_split(X_train, y_train, 0.2, seed=7)
    base = cli.RECIPES[dataset]
    for i, settings in enumerate(CANDIDATES[dataset]):
        if only and i not in only:
            continue
        r = replace(base, **settings)
        scaler = data.Standardizer().fit(Xa) if r.standardize else None
        Za, Zb = (scaler.transform(Xa), scaler.transform(Xb)) if scaler else (Xa, Xb)
        random.seed(1337)
        model = MLP(len(X[0]), [*r.hidden, max(y) + 1], init=r.init)
        steps = r.epochs * train.num_batches(len(Za), r.batch_size or None)
        schedule = optim.linear_decay(r.lr, r.lr / 10, steps)
        opt = (
            optim.Adam(model, lr=schedule)
            if r.optimizer == "adam"
            else optim.SGD(model, lr=schedule)
        )
        cpu = time.process_time()
        train.fit(
            model,
            Za,
            ya,
            optimizer=opt,
            epochs=r.epochs,
            batch_size=r.batch_size or None,
            l2=r.l2,
            progress=False,
            seed=1337,
        )
        acc = train.accuracy(yb, train.predict(model, Zb))
        print(
            f"{settings}: validation accuracy {100 * acc:.1f}% "
            f"({time.process_time() - cpu:.1f} s CPU)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", metavar="{demo,digits,mnist}")
    parser.add_argument("--pairs", type=int, default=3, help="runs of each path (not mnist)")
    parser.add_argument("--validate", choices=sorted(CANDIDATES), help="choose a recipe")
    parser.add_argument("--only", type=int, nargs="+", help="with --validate: these candidates")
    args = parser.parse_args()
    unknown = set(args.targets) - set(TARGETS)
    if unknown:
        parser.error(
            f"unknown target(s) {', '.join(sorted(unknown))}; choose from demo, digits, mnist"
        )
    if args.validate:
        validate(args.validate, args.only)
    else:
        bench(args.targets or list(TARGETS), args.pairs)


if __name__ == "__main__":
    main()
