"""Plots: training curves, a 2-D decision boundary, digits with their predictions, mistakes.

matplotlib is imported inside each function, so ``import nets`` does not need it.  Each
function draws on the Axes you pass (``ax=``), or on a new figure; with ``path=`` the
figure is built without pyplot (no window, no global backend change), written to the
file, and returned.  Without a path, a new figure comes from pyplot, so that it shows
inline in Jupyter (end the line with ``;`` to avoid a second copy from the return value).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from autograd.support.extras import check
from autograd.support.files import write_atomic

from .train import label_of, predict_scores

_NEEDS = ("matplotlib", "numpy")  # the 'plots' extra


def _figure(
    path: Any,
    ncols: int = 1,
    nrows: int = 1,
    size: tuple[float, float] = (6, 4),
    layout: Literal["constrained", "compressed", "tight"] | None = "constrained",
):
    check(_NEEDS, "nets.plots")
    if path is not None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=size, layout=layout)
    else:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=size, layout=layout)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, [ax for row in axes for ax in row]


def _finish(fig: Any, path: Any) -> Any:
    if path is None:
        return fig
    # savefig picks the Agg renderer for .png by itself: nothing global is switched.
    path = Path(path)
    kind = path.suffix.lstrip(".").lower()
    if not kind:  # matplotlib adds the extension itself
        fig.savefig(path, dpi=110)
        return fig
    # Atomically: a failed run never leaves half a picture over the previous one.
    buffer = io.BytesIO()
    fig.savefig(buffer, format=kind, dpi=110)
    write_atomic(path, buffer.getvalue())
    return fig


def plot_history(history: dict[str, list], path: str | Path | None = None, axes: Any = None):
    """Loss (left) and accuracy (right, with validation accuracy if present) per epoch."""
    if axes is None:
        fig, (ax_loss, ax_acc) = _figure(path, ncols=2, size=(9, 3.5))
    else:
        ax_loss, ax_acc = axes
        fig = ax_loss.figure
    epochs = history.get("epoch") or list(range(1, len(history["loss"]) + 1))
    ax_loss.plot(epochs, history["loss"], color="tab:blue")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("training loss")
    if min(history["loss"], default=1.0) > 0:
        ax_loss.set_yscale("log")
    ax_acc.plot(epochs, history["accuracy"], label="train", color="tab:blue")
    if history.get("val_accuracy"):
        ax_acc.plot(epochs, history["val_accuracy"], label="held out", color="tab:orange")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.set_title("accuracy")
    ax_acc.legend(loc="lower right")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
    return _finish(fig, path)


def plot_decision_boundary(
    model: Any,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    path: str | Path | None = None,
    ax: Any = None,
    resolution: int = 120,
    transform: Callable[[list[list[float]]], list[list[float]]] | None = None,
    title: str = "decision boundary",
):
    """The class the model picks at every point of the plane around 2-D data, with the data.

    ``transform`` maps raw points to the model's inputs (e.g. a Standardizer's), so the
    picture stays in the data's own coordinates.
    """
    check(_NEEDS, "nets.plots")
    import numpy as np

    if any(len(row) != 2 for row in X):
        raise ValueError("plot_decision_boundary: needs 2-D points (rows of length 2)")
    pts = np.asarray(X, dtype=float)
    pad = 0.15 * (pts.max(axis=0) - pts.min(axis=0)) + 1e-9
    lo, hi = pts.min(axis=0) - pad, pts.max(axis=0) + pad
    if ax is None:
        # Equal scales on both axes, so shape the figure like the data.
        ratio = min(max((hi[1] - lo[1]) / (hi[0] - lo[0]), 0.4), 1.6)
        fig, (ax,) = _figure(path, size=(6.0, 6.0 * ratio + 0.5))
    else:
        fig = ax.figure
    xs = np.linspace(lo[0], hi[0], resolution)
    ys = np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = [[float(a), float(b)] for a, b in zip(gx.ravel(), gy.ravel())]
    inputs = transform(grid) if transform is not None else grid
    labels = np.array([label_of(s) for s in predict_scores(model, inputs)]).reshape(gx.shape)
    k = int(max(labels.max(), *y)) + 1
    cmap = "coolwarm" if k == 2 else "tab10"
    ax.contourf(gx, gy, labels, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.35)
    ax.scatter(
        pts[:, 0],
        pts[:, 1],
        c=list(y),
        cmap=cmap,
        vmin=0,
        vmax=k - 1,
        s=18,
        edgecolors="k",
        linewidths=0.4,
    )
    ax.set_title(title)
    ax.set_aspect("equal", adjustable="box")
    return _finish(fig, path)


def plot_digits(
    images: Sequence[Sequence[float]],
    labels: Sequence[int],
    predictions: Sequence[int] | None = None,
    path: str | Path | None = None,
    n: int = 24,
    ncols: int = 8,
    title: str | None = None,
):
    """The first ``n`` square digit images (8x8, 28x28, ...), titled 'label' or 'pred (label)',
    mistakes in red, under an optional overall ``title``."""
    check(_NEEDS, "nets.plots")
    import numpy as np

    n = min(n, len(images))
    if n == 0:
        raise ValueError("plot_digits: no images")
    ncols = min(ncols, n)
    nrows = (n + ncols - 1) // ncols
    head = 0.35 if title else 0.0  # inches for the overall title
    height = 1.35 * nrows + head
    # A grid of small images needs no layout engine, which is slow with many Axes.
    fig, axes = _figure(path, ncols, nrows, size=(1.2 * max(ncols, 4), height), layout=None)
    top = 1.0 - (0.18 + head) / height
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=top, wspace=0.1, hspace=0.45)
    if title:
        fig.suptitle(title, fontsize=11, y=1.0 - 0.08 / height, va="top")
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= n:
            continue
        img = np.asarray(images[i], dtype=float)
        side = round(len(img) ** 0.5)
        ax.imshow(img.reshape(side, side), cmap="gray_r", interpolation="nearest")
        if predictions is None:
            ax.set_title(str(labels[i]), fontsize=9)
        else:
            wrong = predictions[i] != labels[i]
            text = f"{predictions[i]} ({labels[i]})" if wrong else str(predictions[i])
            ax.set_title(text, fontsize=9, color="red" if wrong else "black")
    return _finish(fig, path)


def plot_mistakes(
    images: Sequence[Sequence[float]],
    labels: Sequence[int],
    predictions: Sequence[int],
    path: str | Path | None = None,
    n: int = 32,
    ncols: int = 8,
):
    """The first ``n`` images the model got wrong, each titled 'pred (label)', as plot_digits.

    The heading counts every mistake; with none, the picture says so.
    """
    if not len(images) == len(labels) == len(predictions):
        raise ValueError(
            f"plot_mistakes: {len(images)} images, {len(labels)} labels and "
            f"{len(predictions)} predictions; they must be the same length"
        )
    wrong = [i for i, (t, p) in enumerate(zip(labels, predictions)) if t != p]
    if not wrong:
        fig, (ax,) = _figure(path, size=(4, 1))
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"no mistakes on {len(images)} images", ha="center", va="center")
        return _finish(fig, path)
    shown = wrong[:n]
    title = f"{len(wrong)} mistakes on {len(images)} images: predicted (true)" + (
        f", the first {len(shown)}" if len(shown) < len(wrong) else ""
    )
    return plot_digits(
        [images[i] for i in shown],
        [labels[i] for i in shown],
        [predictions[i] for i in shown],
        path,
        n=len(shown),
        ncols=ncols,
        title=title,
    )
