"""nets.train: micrograd's demo recipe, the fit loop, evaluation helpers."""

import gc
import random

import pytest

import nets
from autograd import Value
from nets import MLP, data, losses, optim
from nets.train import fit, paused_gc, predict_scores


def test_micrograd_demo_recipe_reaches_full_training_accuracy():
    # micrograd's demo: MLP(2, [16, 16, 1]) on 100 moons points, hinge loss plus
    # 1e-4 * sum p^2, 100 full-batch SGD steps with lr = 1.0 - 0.9 k / 100.
    X, y = data.make_moons(100, 0.1, seed=1337)
    ys = data.signed(y)
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    opt = optim.SGD(model, lr=optim.linear_decay(1.0, 0.1, 100))
    params = model.parameters()
    first = None
    for _ in range(100):
        # The graphs hold no cycles, so pausing the cycle collector is safe and saves
        # most of the time spent building them.
        with paused_gc():
            scores = [model(x) for x in X]
            loss = losses.hinge(scores, ys) + losses.l2(params, 1e-4)
            opt.zero_grad()
            loss.backward()
            opt.step()
        first = loss.data if first is None else first
    assert loss.data < 0.05 < first
    assert nets.accuracy(y, nets.predict(model, X)) == 1.0


def test_training_step_matches_micrograd():
    # Same weights, same data, same loss: the forward pass agrees bit for bit, and the
    # gradients up to the order in which each parameter's contributions are summed.
    mg = pytest.importorskip("micrograd.nn")
    from micrograd.engine import Value as MValue

    X, y = data.make_moons(20, 0.1, seed=3)
    ys = data.signed(y)
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    random.seed(1337)
    theirs = mg.MLP(2, [16, 16, 1])

    loss = losses.hinge([ours(x) for x in X], ys) + losses.l2(ours, 1e-4)
    ours.zero_grad()
    loss.backward()

    scores = [theirs(list(map(MValue, x))) for x in X]
    hinge = [(1 + -t * s).relu() for t, s in zip(ys, scores)]
    ref = sum(hinge) * (1.0 / len(hinge)) + 1e-4 * sum(p * p for p in theirs.parameters())
    theirs.zero_grad()
    ref.backward()

    assert loss.data == ref.data
    for a, b in zip(ours.parameters(), theirs.parameters()):
        assert a.grad == pytest.approx(b.grad, rel=1e-12, abs=1e-15)
    del scores, hinge, ref
    gc.collect()  # micrograd's nodes hold reference cycles


def test_fit_learns_a_toy_set_and_records_history():
    X, y = data.make_circles(60, 0.05, seed=2)
    random.seed(0)
    model = MLP(2, [8, 1], activation="tanh")
    calls = []
    history = fit(
        model,
        X,
        y,
        optimizer=optim.Adam(model, lr=0.05),
        epochs=30,
        batch_size=20,
        validation=(X, y),
        progress=False,
        callback=lambda epoch, h: calls.append(epoch),
    )
    assert history["epoch"] == list(range(1, 31)) == calls
    assert set(history) == {"epoch", "loss", "accuracy", "lr", "seconds", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] >= 0.9
    assert history["seconds"] == sorted(history["seconds"])


@pytest.mark.parametrize("loss", ["hinge", "bce", "mse"])
def test_fit_binary_losses(loss):
    X, y = data.make_moons(40, 0.05, seed=4)
    random.seed(1)
    model = MLP(2, [8, 1], activation="tanh")
    h = fit(model, X, y, loss=loss, optimizer=optim.Adam(model, lr=0.05), epochs=15, progress=False)
    assert h["loss"][-1] < h["loss"][0]


def test_fit_multiclass_with_cross_entropy_and_mse():
    X, y = data.load_iris()
    sc = data.Standardizer().fit(X)
    Z = sc.transform(X)
    for loss in ("auto", "mse"):
        random.seed(0)
        model = MLP(4, [6, 3], init="he")
        opt = optim.Adam(model, lr=0.05)
        h = fit(model, Z, y, loss=loss, optimizer=opt, epochs=8, batch_size=25, progress=False)
        assert h["accuracy"][-1] > 0.8
        assert nets.accuracy(y, nets.predict(model, Z)) > 0.8


def test_fit_with_a_custom_loss_and_l2():
    X, y = data.make_moons(30, 0.1, seed=0)
    random.seed(0)
    model = MLP(2, [4, 1])

    def squared_hinge(outs, labels):
        ts = data.signed(labels)
        return losses.mean([(1 - t * o).relu() ** 2 for o, t in zip(outs, ts)])

    # The first epoch is one full batch at the initial weights: its objective is the
    # custom loss plus l2 * sum p^2, which this computes by hand.
    ts = data.signed(y)
    hinge2 = sum(max(0.0, 1 - t * model.forward_floats(x)) ** 2 for x, t in zip(X, ts))
    first = hinge2 / len(X) + 1e-3 * sum(p.data**2 for p in model.parameters())
    h = fit(model, X, y, loss=squared_hinge, epochs=5, l2=1e-3, progress=False)
    assert len(h["loss"]) == 5
    assert h["loss"][0] == pytest.approx(first, rel=1e-12)


def test_fit_progress_bar(capsys):
    X, y = data.make_moons(20, 0.1, seed=0)
    model = MLP(2, [3, 1])
    fit(model, X, y, epochs=2, batch_size=10, progress=True)
    err = capsys.readouterr().err
    assert "4/4" in err and "loss=" in err and "acc=" in err


def test_fit_progress_bar_in_a_notebook_also_prints_its_final_state(monkeypatch, capsys):
    # The widget is blank when a notebook is read without a kernel; the printed line is not.
    pytest.importorskip("ipywidgets")
    import tqdm.auto
    import tqdm.notebook

    monkeypatch.setattr(tqdm.auto, "tqdm", tqdm.notebook.tqdm)
    X, y = data.make_moons(20, 0.1, seed=0)
    fit(MLP(2, [3, 1]), X, y, epochs=2, batch_size=10, progress=True)
    lines = capsys.readouterr().out.strip().splitlines()
    final = [line for line in lines if "4/4" in line]
    assert len(final) == 1, lines
    assert final[0].startswith("100%") and "loss=" in final[0] and "acc=" in final[0]


def test_fit_restores_the_collector_state():
    X, y = data.make_moons(10, 0.1, seed=0)
    assert gc.isenabled()
    fit(MLP(2, [2, 1]), X, y, epochs=1, progress=False)
    assert gc.isenabled()
    gc.disable()
    try:
        fit(MLP(2, [2, 1]), X, y, epochs=1, progress=False)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_fit_errors():
    X, y = data.make_moons(10, 0.1, seed=0)
    m = MLP(2, [2, 1])
    with pytest.raises(ValueError, match="10 rows but y has 9"):
        fit(m, X, y[:9], progress=False)
    with pytest.raises(ValueError, match="epochs"):
        fit(m, X, y, epochs=0, progress=False)
    with pytest.raises(ValueError, match="unknown loss"):
        fit(m, X, y, loss="nope", progress=False)
    with pytest.raises(ValueError, match="batch_size"):
        fit(m, X, y, batch_size=-1, progress=False)
    with pytest.raises(ValueError, match="length 2, got length 3"):
        fit(m, [[1.0, 2.0, 3.0]] * 10, y, progress=False)


def test_fit_checks_the_loss_against_the_number_of_outputs():
    X, y = data.make_moons(10, 0.1, seed=0)
    one, three = MLP(2, [2, 1]), MLP(2, [2, 3])
    before = one.state_dict()
    with pytest.raises(ValueError, match=r"'cross_entropy' needs .*2 or more.* has 1 output"):
        fit(one, X, y, loss="cross_entropy", progress=False)
    assert one.state_dict() == before
    for loss in ("hinge", "bce"):
        with pytest.raises(ValueError, match=rf"'{loss}' needs .*exactly 1 output.* has 3 outputs"):
            fit(three, X, y, loss=loss, progress=False)
    h = fit(MLP(2, [2, 2]), X, y, loss="cross_entropy", epochs=1, progress=False)
    assert len(h["loss"]) == 1


def test_tiny_digits_configuration():
    # A quick stand-in for the full digits run (which the CLI does): a few hundred
    # images, a small hidden layer, two epochs of Adam.
    X, y = data.load_digits()
    Xtr, Xte, ytr, yte = data.train_test_split(X[:400], y[:400], 0.25, seed=0)
    sc = data.Standardizer().fit(Xtr)
    random.seed(0)
    model = MLP(64, [8, 10], init="he")
    opt = optim.Adam(model, lr=0.02)
    fit(model, sc.transform(Xtr), ytr, optimizer=opt, epochs=2, batch_size=32, progress=False)
    assert nets.accuracy(yte, nets.predict(model, sc.transform(Xte))) > 0.7


def test_predict_and_scores():
    random.seed(0)
    m = MLP(2, [3, 1])
    X = [[0.1, 0.2], [-1.0, 2.0]]
    scores = predict_scores(m, X)
    assert scores == [m(x).data for x in X]
    assert nets.predict(m, X) == [int(s > 0) for s in scores]
    multi = MLP(2, [3, 4])
    out = predict_scores(multi, X)
    assert nets.predict(multi, X) == [row.index(max(row)) for row in out]

    class Plain(nets.Module):  # no forward_floats: falls back to the graph
        def __init__(self):
            self.n = nets.Neuron(2, nonlin=False)

        def __call__(self, x):
            return self.n(x)

    p = Plain()
    assert predict_scores(p, X) == [p(x).data for x in X]


def test_accuracy_and_confusion_matrix():
    assert nets.accuracy([0, 1, 2, 2], [0, 2, 2, 2]) == 0.75
    assert nets.confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2]) == [[1, 0, 0], [0, 0, 1], [0, 0, 2]]
    assert nets.confusion_matrix([0], [0], num_classes=2) == [[1, 0], [0, 0]]
    with pytest.raises(ValueError, match="2 true labels but 1"):
        nets.accuracy([0, 1], [0])
    with pytest.raises(ValueError):
        nets.confusion_matrix([0, 5], [0, 1], num_classes=3)
    random.seed(0)
    m = MLP(2, [2, 1])
    result = nets.evaluate(m, [[0.0, 1.0], [1.0, 0.0]], [0, 1])
    assert set(result) == {"accuracy", "confusion_matrix"}
    assert sum(map(sum, result["confusion_matrix"])) == 2


def test_predict_and_evaluate_raise_where_the_model_overflows():
    m = MLP(2, [1, 1])  # relu: an overflowing sum once became nan and "class 0"
    for p in m.parameters():
        p.data = 1.0
    X = [[1e308, 1e308]]
    for call in (nets.predict, predict_scores):
        with pytest.raises(OverflowError, match="is inf"):
            call(m, X)
    with pytest.raises(OverflowError, match="is inf"):
        nets.evaluate(m, X, [1])
    with pytest.raises(OverflowError, match="is inf"):
        fit(m, [[0.0, 0.0]], [1], loss="mse", epochs=1, validation=(X, [1]), progress=False)


def test_label_of_values_and_floats():
    from nets.train import label_of

    assert label_of(Value(0.3)) == 1 and label_of(-0.1) == 0 and label_of(0.0) == 0
    assert label_of([Value(0.1), Value(2.0), Value(-1.0)]) == 1
