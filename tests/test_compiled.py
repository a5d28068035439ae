"""nets.compiled: fit(compile=True) replays one traced sample and gives the Value path's bits."""

import random

import pytest

import nets.train
from autograd import Value, trace
from autograd.trace import Program
from nets import MLP, Layer, Module, Neuron, compiled, data, fit, losses, optim

X2, Y2 = data.make_moons(24, 0.2, seed=5)
Y3 = [(i * 7) % 3 for i in range(len(X2))]  # three classes, mixed in every batch


def _train(make_model, loss, make_opt, batch_size, compile, labels=Y2, l2=1e-3, steps=20):
    random.seed(3)
    model = make_model()
    opt = make_opt(model)
    n_batches = nets.train.num_batches(len(X2), batch_size)
    epochs = -(-steps // n_batches)
    history = fit(
        model,
        X2,
        labels,
        loss=loss,
        optimizer=opt,
        epochs=epochs,
        batch_size=batch_size,
        l2=l2,
        progress=False,
        seed=11,
        compile=compile,
    )
    return model, history


def _no_value_path(monkeypatch):
    # Proof that compile=True replays: the Value path's step must not run at all.
    def refuse(*args, **kwargs):
        raise AssertionError("the Value path ran")

    monkeypatch.setattr(nets.train, "_step", refuse)
    # Nor may the program fall back on Values inside: a replay that raised on finite
    # numbers once went unseen (right numbers, 14x slower).
    monkeypatch.setattr(Program, "on_values", refuse)


OPTIMIZERS = {
    "sgd_momentum": lambda m: optim.SGD(m, lr=optim.linear_decay(0.3, 0.03, 20), momentum=0.9),
    "adam": lambda m: optim.Adam(m, lr=0.02),
}


@pytest.mark.parametrize("batch_size", [None, 7])
@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
@pytest.mark.parametrize(
    "loss, nout, labels",
    [("hinge", 1, Y2), ("bce", 1, Y2), ("mse", 1, Y2), ("mse", 3, Y3), ("cross_entropy", 3, Y3)],
)
def test_twenty_steps_traced_and_on_values_give_identical_parameters(
    monkeypatch, loss, nout, labels, opt, batch_size
):
    make = lambda: MLP(2, [8, 6, nout])
    ref, h_ref = _train(make, loss, OPTIMIZERS[opt], batch_size, False, labels)
    _no_value_path(monkeypatch)
    got, h_got = _train(make, loss, OPTIMIZERS[opt], batch_size, True, labels)
    assert [p.data for p in got.parameters()] == [p.data for p in ref.parameters()]
    assert [p.grad for p in got.parameters()] == [p.grad for p in ref.parameters()]
    assert h_got["loss"] == h_ref["loss"] and h_got["accuracy"] == h_ref["accuracy"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: MLP(2, [5, 4, 1], activation="tanh", init="xavier"),
        lambda: MLP(2, [5, 1], activation="sigmoid", init="he"),
        lambda: MLP(2, [5, 1], activation="leaky_relu"),
        lambda: Layer(2, 1, activation="tanh"),
        lambda: Neuron(2, activation="sigmoid"),
        lambda: Neuron(2, nonlin=False),
    ],
)
def test_every_builtin_module_and_activation_is_replayed_bit_for_bit(monkeypatch, make):
    ref, h_ref = _train(make, "bce", OPTIMIZERS["adam"], 5, False)
    _no_value_path(monkeypatch)
    got, h_got = _train(make, "bce", OPTIMIZERS["adam"], 5, True)
    assert [p.data for p in got.parameters()] == [p.data for p in ref.parameters()]
    assert h_got["loss"] == h_ref["loss"]


def test_without_l2_and_with_a_short_last_batch():
    make = lambda: MLP(2, [4, 3])
    a, ha = _train(make, "auto", OPTIMIZERS["adam"], 10, False, Y3, l2=0.0)
    b, hb = _train(make, "auto", OPTIMIZERS["adam"], 10, True, Y3, l2=0.0)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert ha["loss"] == hb["loss"]


def test_the_program_is_rebuilt_when_the_model_changes(monkeypatch):
    def changed(compile):
        random.seed(0)
        model = MLP(2, [4, 1])
        fit(model, X2, Y2, epochs=2, batch_size=8, progress=False, compile=compile)
        first = compiled.sample_program(model, "hinge")
        # A new hidden layer of another width and activation.
        model.layers[0] = Layer(2, 6, activation="tanh")
        model.layers[1] = Layer(6, 1, nonlin=False)
        model.nouts = [6, 1]
        fit(model, X2, Y2, epochs=2, batch_size=8, progress=False, compile=compile)
        return model, first

    ref, _ = changed(False)
    got, first = changed(True)
    assert [p.data for p in got.parameters()] == [p.data for p in ref.parameters()]
    assert compiled.sample_program(got, "hinge") is not first


def test_custom_modules_and_losses_train_on_values(monkeypatch):
    traced = []
    real = compiled.SampleProgram
    monkeypatch.setattr(compiled, "SampleProgram", lambda *a: traced.append(a) or real(*a))

    class Twice(Module):
        def __init__(self):
            self.inner = MLP(2, [3, 1])

        def __call__(self, x):
            return self.inner(x) * 2

    random.seed(0)
    fit(Twice(), X2, Y2, loss="hinge", epochs=1, progress=False)
    squared = lambda outs, ys: losses.mean([(o - t) ** 2 for o, t in zip(outs, ys)])
    fit(MLP(2, [3, 1]), X2, Y2, loss=squared, epochs=1, progress=False)
    assert traced == []
    fit(MLP(2, [3, 1]), X2, Y2, epochs=1, progress=False)
    assert len(traced) == 1


def test_an_overflow_raises_what_the_value_path_raises():
    def diverge(compile):
        model = MLP(2, [2, 1])
        for p in model.parameters():
            p.data = 1e200
        X = [[1e200, 1e200]] * 4
        with pytest.raises(ArithmeticError) as e:
            fit(model, X, [0, 1, 0, 1], epochs=1, progress=False, compile=compile)
        return type(e.value), str(e.value), [p.data for p in model.parameters()]

    assert diverge(True) == diverge(False)


def test_labels_are_inputs_of_the_program():
    random.seed(1)
    model = MLP(2, [3, 3])
    program = compiled.sample_program(model, "cross_entropy")
    params = [p.data for p in model.parameters()]
    for k in range(3):
        _, terms, grads = program.run([[0.5, -1.0]], [float(k)], params, [0.0] * len(params))
        want = losses.cross_entropy(model([0.5, -1.0]), k)
        assert terms == [want.data]
        model.zero_grad()
        want.backward()
        assert grads == [p.grad for p in model.parameters()]


def test_a_trace_of_the_fused_cross_entropy_holds_for_any_logits():
    # A trace of the composite formula would freeze the max and the dropped terms; the
    # fused op decides them at every replay.
    program = trace(lambda z, k: losses.cross_entropy_op(3)(*z, k), [0.1, 0.2, 0.3], 0.0)
    for z, k in (([1000.0, -1000.0, 0.0], 1.0), ([-1000.0, -999.0, -1000.0], 0.0)):
        assert program.check(z, k)
        value, _ = program.value_and_grad(z, k)
        assert value == losses.cross_entropy(z, int(k)).data < float("inf")


def test_a_program_keeps_no_reference_to_its_model():
    import gc
    import weakref

    model = MLP(2, [3, 1])
    fit(model, X2, Y2, epochs=1, progress=False)
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None
    assert Value(1.0).data == 1.0
