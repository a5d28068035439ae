"""nets/backends.py: fit on Values, by the float replay (bit for bit), or on numpy."""

import random

import pytest

import nets.backends as B
from nets import MLP, Layer, Module, Neuron, compiled, data, fit, optim, predict
from nets.backends import choose, predict_arrays

np = pytest.importorskip("numpy")

X2, Y2 = data.make_moons(40, 0.2, seed=5)
Y3 = [(i * 7) % 3 for i in range(len(X2))]


def _train(backend, make, loss="auto", labels=Y2, opt=None, l2=1e-3, epochs=3, **kw):
    random.seed(3)
    model = make()
    optimizer = (opt or (lambda m: optim.Adam(m, lr=0.02)))(model)
    history = fit(
        model,
        X2,
        labels,
        loss=loss,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=7,
        l2=l2,
        progress=False,
        seed=11,
        backend=backend,
        **kw,
    )
    return model, history


def _params(model):
    return [p.data for p in model.parameters()]


def test_choose_defaults_and_refusals(monkeypatch):
    yes, no = (lambda: True), (lambda: False)
    assert choose(None, True, yes) == "python"
    assert choose(None, True, no) == "values"
    assert choose(None, False, yes) == "values"
    assert choose("numpy", True, yes) == "numpy"
    with pytest.raises(ValueError, match="backend must be one of 'values', 'python', 'numpy'"):
        choose("jax", True, yes)
    with pytest.raises(ValueError, match="compile=False trains on Values"):
        choose("python", False, yes)
    with pytest.raises(ValueError, match="needs a built-in model"):
        choose("numpy", True, no)
    monkeypatch.setattr(B, "numpy_available", lambda: False)
    monkeypatch.setattr("autograd.support.extras.missing", lambda modules: ["numpy"])
    with pytest.raises(ImportError, match=r"backend='numpy'\) needs numpy, .*valuegrad\[plots\]"):
        choose("numpy", True, yes)


def test_a_custom_module_refuses_a_compiled_backend():
    class Twice(Module):
        def __init__(self):
            self.inner = MLP(2, [3, 1])

        def __call__(self, x):
            return self.inner(x) * 2

    with pytest.raises(ValueError, match="needs a built-in model"):
        fit(Twice(), X2, Y2, loss="hinge", epochs=1, progress=False, backend="python")
    # the Value path takes it, named or by default
    fit(Twice(), X2, Y2, loss="hinge", epochs=1, progress=False, backend="values")


OPTIMIZERS = {
    "adam_wd": lambda m: optim.Adam(m, lr=0.02, weight_decay=1e-3),
    "sgd_momentum": lambda m: optim.SGD(m, lr=optim.linear_decay(0.2, 0.02, 20), momentum=0.9),
    "sgd": lambda m: optim.SGD(m, lr=0.1),
}


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_python_is_the_value_paths_bits_with_each_optimizer(opt):
    make = lambda: MLP(2, [6, 5, 3])
    ref, h_ref = _train("values", make, labels=Y3, opt=OPTIMIZERS[opt])
    got, h_got = _train("python", make, labels=Y3, opt=OPTIMIZERS[opt])
    assert _params(got) == _params(ref)
    assert [p.grad for p in got.parameters()] == [p.grad for p in ref.parameters()]
    assert h_got["loss"] == h_ref["loss"] and h_got["accuracy"] == h_ref["accuracy"]


def test_an_optimizer_of_some_of_the_parameters_gives_the_same_bits():
    # Only the last layer learns: the optimizer runs on the model's Values then.
    def part(model):
        return optim.Adam(model.layers[-1].parameters(), lr=0.05)

    make = lambda: MLP(2, [4, 1])
    ref, h_ref = _train("values", make, opt=part)
    got, h_got = _train("python", make, opt=part)
    assert _params(got) == _params(ref) and h_got["loss"] == h_ref["loss"]


def _close(a, b, rel=1e-9):
    return all(abs(x - y) <= rel * (1.0 + abs(y)) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize(
    "loss, make, labels",
    [
        ("hinge", lambda: MLP(2, [8, 1]), Y2),
        ("bce", lambda: MLP(2, [5, 4, 1], activation="tanh"), Y2),
        ("mse", lambda: MLP(2, [6, 1], activation="sigmoid"), Y2),
        ("mse", lambda: MLP(2, [6, 3], activation="leaky_relu"), Y3),
        ("cross_entropy", lambda: MLP(2, [7, 6, 3]), Y3),
        ("bce", lambda: Layer(2, 1, activation="tanh"), Y2),
        ("hinge", lambda: Neuron(2, nonlin=False), Y2),
    ],
)
@pytest.mark.parametrize("opt", ["adam_wd", "sgd_momentum"])
def test_numpy_follows_the_float_replay(loss, make, labels, opt):
    ref, h_ref = _train("python", make, loss, labels, OPTIMIZERS[opt])
    got, h_got = _train("numpy", make, loss, labels, OPTIMIZERS[opt])
    assert _close(_params(got), _params(ref))
    assert _close([p.grad for p in got.parameters()], [p.grad for p in ref.parameters()])
    assert _close(h_got["loss"], h_ref["loss"], rel=1e-12)


def test_numpy_reaches_the_held_out_accuracy_on_digits():
    X, y = data.load_digits()
    Xt, Xv, yt, yv = data.train_test_split(X, y, 0.25, seed=1337)
    scaler = data.Standardizer().fit(Xt)
    Xt, Xv = scaler.transform(Xt), scaler.transform(Xv)
    random.seed(1337)
    model = MLP(64, [24, 10], init="he")
    opt = optim.Adam(model, lr=optim.linear_decay(0.02, 0.002, 6 * 43))
    history = fit(
        model, Xt, yt, optimizer=opt, epochs=6, batch_size=32, validation=(Xv, yv),
        progress=False, seed=1337, backend="numpy",
    )  # fmt: skip
    accuracy = sum(a == b for a, b in zip(predict(model, Xv), yv)) / len(yv)
    assert accuracy >= 0.96 and history["val_accuracy"][-1] >= 0.96
    assert predict_arrays(model, Xv) == predict(model, Xv)


@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_callbacks_and_the_end_see_the_parameters_and_gradients(backend):
    seen = []

    def callback(epoch, history):
        seen.append((_params(model), [p.grad for p in model.parameters()]))

    random.seed(3)
    model = MLP(2, [4, 1])
    start = _params(model)
    fit(model, X2, Y2, epochs=2, batch_size=7, progress=False, backend=backend, callback=callback)
    assert len(seen) == 2 and seen[0][0] != start and seen[1][0] != seen[0][0]
    assert seen[1] == (_params(model), [p.grad for p in model.parameters()])
    assert any(g != 0.0 for g in seen[1][1])


def test_numpy_validation_uses_the_parameters_of_the_epoch():
    random.seed(4)
    model = MLP(2, [6, 1])
    history = fit(
        model, X2, Y2, epochs=3, batch_size=5, validation=(X2, Y2), progress=False,
        backend="numpy",
    )  # fmt: skip
    assert history["val_accuracy"][-1] == sum(a == b for a, b in zip(predict(model, X2), Y2)) / len(
        Y2
    )


def test_numpy_refuses_a_model_changed_by_a_callback():
    random.seed(0)
    model = MLP(2, [4, 1])

    def widen(epoch, history):
        model.layers[0] = Layer(2, 6, activation="tanh")
        model.layers[1] = Layer(6, 1, nonlin=False)
        model.nouts = [6, 1]

    with pytest.raises(ValueError, match="changed during training"):
        fit(model, X2, Y2, epochs=2, progress=False, backend="numpy", callback=widen)


@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_a_diverging_run_raises_the_value_paths_error_and_changes_nothing(backend):
    def diverge(backend):
        model = MLP(2, [2, 1])
        for p in model.parameters():
            p.data = 1e200
        X = [[1e200, 1e200]] * 4
        with pytest.raises(ArithmeticError) as e:
            fit(model, X, [0, 1, 0, 1], epochs=1, progress=False, backend=backend)
        return type(e.value), [p.data for p in model.parameters()]

    kind, params = diverge(backend)
    assert (kind, params) == diverge("values")


def test_numpy_names_the_optimizer_that_diverges():
    random.seed(0)
    model = MLP(2, [3, 1])
    opt = optim.SGD(model, lr=1e307)
    X = [[1e3 * a, 1e3 * b] for a, b in X2]  # gradients of about 1e3: lr * g overflows
    with pytest.raises(OverflowError, match=r"SGD: step 1 would make parameter '.*' -?inf "):
        fit(model, X, Y2, optimizer=opt, epochs=1, progress=False, backend="numpy")


def test_bad_rows_get_the_models_message_on_every_backend():
    rows = [list(r) for r in X2]
    rows[3] = [1.0, "2"]
    messages = set()
    for backend in ("values", "python", "numpy"):
        random.seed(0)
        with pytest.raises(TypeError) as e:
            fit(MLP(2, [3, 1]), rows, Y2, epochs=1, progress=False, backend=backend)
        messages.add(str(e.value))
    assert len(messages) == 1, messages


def test_predict_arrays_takes_rows_or_a_matrix_and_names_an_overflow():
    random.seed(2)
    model = MLP(2, [5, 3], activation="tanh")
    X = [[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]]
    assert predict_arrays(model, X) == predict(model, X)
    assert predict_arrays(model, np.array(X).T) == predict(model, X)
    with pytest.raises(OverflowError, match=r"predict: a weighted sum .* layer 0"):
        predict_arrays(model, [[1e308, 1e308]], [1e10] * model.num_parameters())


def test_the_program_of_a_numpy_fit_is_the_cached_one():
    random.seed(0)
    model = MLP(2, [3, 1])
    fit(model, X2, Y2, epochs=1, progress=False, backend="numpy")
    first = compiled.sample_program(model, "hinge")
    fit(model, X2, Y2, epochs=1, progress=False, backend="numpy")
    assert compiled.sample_program(model, "hinge") is first


def test_numpy_takes_rows_of_any_real_numbers_as_the_other_backends_do():
    from fractions import Fraction

    rows = [list(r) for r in X2]
    kinds = {
        "floats": rows,
        "array": np.array(rows),
        "ints and fractions": [[Fraction(a).limit_denominator(1000), int(b)] for a, b in rows],
    }
    for name, X in kinds.items():
        got = []
        for backend in ("python", "numpy"):
            random.seed(0)
            model = MLP(2, [3, 1])
            fit(model, X, Y2, epochs=1, batch_size=8, progress=False, backend=backend)
            got.append(_params(model))
        assert _close(got[1], got[0]), name


@pytest.mark.parametrize("backend", ["values", "python", "numpy"])
def test_what_a_callback_does_to_the_parameters_stays(backend):
    # The python and numpy backends once kept their own copy: a callback's changes were
    # overwritten at the next step (and at the end).
    random.seed(3)
    model = MLP(2, [4, 1])

    def callback(epoch, history):
        for p in model.parameters():
            p.data = 0.25 if epoch == 1 else 0.0

    after_first = []
    history = fit(
        model, X2, Y2, epochs=2, batch_size=40, progress=False, backend=backend,
        callback=lambda e, h: (callback(e, h), after_first.append(h["loss"][-1])),
    )  # fmt: skip
    assert _params(model) == [0.0] * model.num_parameters()
    random.seed(3)
    again = MLP(2, [4, 1])
    for p in again.parameters():
        p.data = 0.25
    second = fit(again, X2, Y2, epochs=1, batch_size=40, progress=False, backend=backend)
    assert history["loss"][1] == pytest.approx(second["loss"][0], rel=1e-12)


@pytest.mark.parametrize("backend", ["values", "python", "numpy"])
@pytest.mark.parametrize("l2", [float("nan"), float("inf"), -1.0, "0.1", True])
def test_l2_must_be_a_finite_number_at_least_0(backend, l2):
    with pytest.raises(ValueError, match="fit: l2 must be a finite number >= 0, got"):
        fit(MLP(2, [2, 1]), X2, Y2, l2=l2, progress=False, backend=backend)


@pytest.mark.parametrize("backend", ["values", "python", "numpy"])
def test_an_l2_term_that_overflows_is_an_overflow_error_and_changes_nothing(backend):
    random.seed(3)
    model = MLP(2, [2, 1])
    before = _params(model)
    with pytest.raises(OverflowError):
        fit(model, X2, Y2, l2=1e308, epochs=1, progress=False, backend=backend)
    assert _params(model) == before


@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_a_callback_that_breaks_the_loss_gets_the_value_paths_error_or_numpys(backend):
    # A second output neuron under the hinge loss: the trace of the new sample fails
    # (it once escaped as a TraceError about .data); python gets the Value path's error,
    # numpy says the architecture changed.
    random.seed(0)
    model = MLP(2, [4, 1])

    def grow(epoch, history):
        model.layers[-1].neurons.append(model.layers[-1].neurons[0])

    errors = (TypeError,) if backend == "python" else (ValueError,)
    with pytest.raises(errors) as e:
        fit(model, X2, Y2, epochs=3, progress=False, backend=backend, callback=grow)
    assert "trace" not in str(e.value)
