"""nets.plots: each plot writes a PNG without pyplot, or draws on given Axes."""

import random
import sys

import pytest

pytest.importorskip("matplotlib")

from nets import MLP, data, plots

PNG = b"\x89PNG\r\n\x1a\n"

HISTORY = {
    "epoch": [1, 2, 3],
    "loss": [0.9, 0.5, 0.2],
    "accuracy": [0.5, 0.8, 0.95],
    "val_accuracy": [0.5, 0.7, 0.9],
}


def _is_png(path):
    return path.read_bytes().startswith(PNG)


def test_history_png(tmp_path):
    fig = plots.plot_history(HISTORY, tmp_path / "loss.png")
    assert _is_png(tmp_path / "loss.png")
    assert len(fig.axes) == 2
    assert fig.axes[1].get_legend() is not None


def test_decision_boundary_png(tmp_path):
    X, y = data.make_moons(30, 0.1, seed=0)
    random.seed(0)
    model = MLP(2, [4, 1])
    plots.plot_decision_boundary(model, X, y, tmp_path / "b.png", resolution=30)
    assert _is_png(tmp_path / "b.png")
    three = MLP(2, [4, 3])
    sc = data.Standardizer().fit(X)
    plots.plot_decision_boundary(
        three,
        X,
        [i % 3 for i in range(30)],
        tmp_path / "c.png",
        resolution=20,
        transform=sc.transform,
    )
    assert _is_png(tmp_path / "c.png")
    with pytest.raises(ValueError, match="2-D"):
        plots.plot_decision_boundary(MLP(3, [1]), [[1.0, 2.0, 3.0]], [0])


def test_digits_png(tmp_path):
    X, y = data.load_digits()
    plots.plot_digits(X[:10], y[:10], [*y[:9], (y[9] + 1) % 10], tmp_path / "d.png", n=10)
    assert _is_png(tmp_path / "d.png")
    plots.plot_digits(X[:3], y[:3], path=tmp_path / "e.png")
    assert _is_png(tmp_path / "e.png")


def test_saving_never_touches_pyplot_or_the_backend(tmp_path):
    import matplotlib

    backend = matplotlib.get_backend()
    had_pyplot = "matplotlib.pyplot" in sys.modules
    plots.plot_history(HISTORY, tmp_path / "h.png")
    assert matplotlib.get_backend() == backend
    if not had_pyplot:
        assert "matplotlib.pyplot" not in sys.modules


def test_drawing_on_given_axes():
    from matplotlib.figure import Figure

    fig = Figure()
    ax1, ax2, ax3 = fig.subplots(1, 3)
    assert plots.plot_history(HISTORY, axes=(ax1, ax2)) is fig
    X, y = data.make_moons(20, 0.1, seed=0)
    assert plots.plot_decision_boundary(MLP(2, [3, 1]), X, y, ax=ax3, resolution=10) is fig


def test_decision_boundary_of_a_model_that_overflows_raises(tmp_path):
    # A relu net whose sums overflow once gave nan, drawn silently as class 0.
    model = MLP(2, [1, 1])
    for p in model.parameters():
        p.data = 1e10
    X = [[1e300, 1e300], [2e300, 3e300]]
    with pytest.raises(OverflowError, match=r"neuron layers\.0\.neurons\.0"):
        plots.plot_decision_boundary(model, X, [0, 1], tmp_path / "o.png", resolution=5)
    assert not (tmp_path / "o.png").exists()


def test_mistakes_png(tmp_path):
    X, y = data.load_digits()
    pred = [t if i % 4 else (t + 1) % 10 for i, t in enumerate(y[:40])]
    fig = plots.plot_mistakes(X[:40], y[:40], pred, tmp_path / "m.png", n=6)
    assert _is_png(tmp_path / "m.png")
    assert fig.texts[0].get_text() == "10 mistakes on 40 images: predicted (true), the first 6"
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == [f"{(t + 1) % 10} ({t})" for t in y[:24:4]]
    fig = plots.plot_mistakes(X[:5], y[:5], y[:5], tmp_path / "none.png")
    assert "no mistakes on 5 images" in fig.axes[0].texts[0].get_text()
    with pytest.raises(ValueError, match="same length"):
        plots.plot_mistakes(X[:5], y[:5], y[:4])
