"""nets.persist: JSON round trips, validation of damaged files, atomic saving."""

import json
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nets
from nets import MLP, Layer, Neuron


def _model():
    random.seed(11)
    return MLP(2, [3, 2], activation="tanh")


def test_round_trip_is_bit_exact(tmp_path):
    m = _model()
    path = tmp_path / "m.json"
    nets.save(m, path, metadata={"note": "hi"})
    back = nets.load(path)
    assert type(back) is MLP and back.config() == m.config()
    assert back.state_dict() == m.state_dict()
    assert back.forward_floats([0.3, -0.2]) == m.forward_floats([0.3, -0.2])
    _, meta = nets.read(path)
    assert meta == {"note": "hi"}
    doc = json.loads(path.read_text())
    assert doc["format"] == "valuegrad.nets" and doc["version"] == 1
    assert "layers.0.neurons.2.w.1" in doc["parameters"]


@settings(max_examples=20)
@given(
    nin=st.integers(1, 4),
    nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    activation=st.sampled_from(sorted(nets.ACTIVATIONS)),
    seed=st.integers(0, 1000),
)
def test_round_trip_any_architecture(tmp_path_factory, nin, nouts, activation, seed):
    random.seed(seed)
    m = MLP(nin, nouts, activation=activation, init="he")
    path = tmp_path_factory.mktemp("rt") / "m.json"
    nets.save(m, path)
    back = nets.load(path)
    assert back.state_dict() == m.state_dict()
    assert back.config() == m.config()


def test_neuron_and_layer_round_trip(tmp_path):
    for m in (Neuron(3, nonlin=False, activation="sigmoid"), Layer(2, 4, activation="leaky_relu")):
        nets.save(m, tmp_path / "x.json")
        back = nets.load(tmp_path / "x.json")
        assert type(back) is type(m) and back.state_dict() == m.state_dict()
        assert repr(back) == repr(m)


def test_loading_draws_no_random_numbers(tmp_path):
    nets.save(_model(), tmp_path / "m.json")
    random.seed(5)
    state = random.getstate()
    nets.load(tmp_path / "m.json")
    assert random.getstate() == state


def test_save_refuses_what_it_cannot_describe(tmp_path):
    class Custom(nets.Module):
        def __init__(self):
            self.n = Neuron(2)

    with pytest.raises(TypeError, match="state_dict"):
        nets.save(Custom(), tmp_path / "c.json")
    with pytest.raises(ValueError, match="JSON"):
        nets.save(_model(), tmp_path / "m.json", metadata={"bad": object()})
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_save_names_a_non_finite_parameter(tmp_path, bad):
    m = _model()
    m.layers[1].neurons[0].b.data = bad
    with pytest.raises(ValueError, match=rf"parameter 'layers.1.neurons.0.b' is {bad!r}") as info:
        nets.save(m, tmp_path / "m.json")
    assert "metadata" not in str(info.value)
    assert not (tmp_path / "m.json").exists()


def _saved(tmp_path):
    path = tmp_path / "m.json"
    nets.save(_model(), path)
    return path, json.loads(path.read_text())


def _write(path, doc):
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda text: "", "empty"),
        (lambda text: text[: len(text) // 2], "truncated"),
        (lambda text: "not json at all", "not valid JSON"),
        (lambda text: "[1, 2, 3]", "expected a JSON object"),
        (lambda text: text.replace('"valuegrad.nets"', '"other"'), "'format'"),
        (lambda text: text.replace('"version": 1', '"version": 99'), "version 99"),
        (lambda text: text.replace('"type": "MLP"', '"type": "CNN"'), "unknown model type 'CNN'"),
        (lambda text: text.replace('"activation": "tanh"', '"activation": "x"'), "activation"),
        (lambda text: text.replace('"nin": 2', '"nin": -2'), "'nin' is invalid"),
        (lambda text: text.replace('"nin": 2', '"nin": 2.0'), "'nin' is invalid"),
    ],
)
def test_damaged_files_raise_value_error_naming_the_problem(tmp_path, damage, message):
    path, _ = _saved(tmp_path)
    path.write_text(damage(path.read_text()))
    with pytest.raises(ValueError, match=message) as info:
        nets.load(path)
    assert str(path) in str(info.value)


def test_mismatched_parameters(tmp_path):
    path, doc = _saved(tmp_path)
    del doc["parameters"]["layers.1.neurons.1.b"]
    doc["parameters"]["layers.9.neurons.0.b"] = 0.0
    _write(path, doc)
    with pytest.raises(ValueError, match=r"1 missing \('layers.1.neurons.1.b'\).*1 unexpected"):
        nets.load(path)

    path, doc = _saved(tmp_path)
    doc["model"]["nouts"] = [4, 2]  # the architecture no longer fits the parameters
    _write(path, doc)
    with pytest.raises(ValueError, match="missing"):
        nets.load(path)

    for bad in ("1.0", None, True, [1.0]):
        path, doc = _saved(tmp_path)
        doc["parameters"]["layers.0.neurons.0.w.0"] = bad
        _write(path, doc)
        with pytest.raises(ValueError, match="finite number"):
            nets.load(path)


def test_non_finite_numbers_are_rejected(tmp_path):
    path, _ = _saved(tmp_path)
    text = path.read_text()
    name = '"layers.0.neurons.0.w.0": '
    start = text.index(name) + len(name)
    end = text.index(",", start)
    for bad in ("NaN", "Infinity", "1e999"):
        path.write_text(text[:start] + bad + text[end:])
        with pytest.raises(ValueError, match="finite"):
            nets.load(path)


def test_a_huge_integer_is_a_value_error_naming_the_file_and_the_parameter(tmp_path):
    path, doc = _saved(tmp_path)
    doc["parameters"]["layers.0.neurons.0.w.0"] = 10**400
    _write(path, doc)
    target = _model()
    before = target.state_dict()
    for call in (nets.load, lambda p: nets.load_state(target, p)):
        with pytest.raises(ValueError, match=r"'layers.0.neurons.0.w.0'.*too large") as info:
            call(path)
        assert str(path) in str(info.value)
    assert target.state_dict() == before


def test_binary_garbage_and_missing_file(tmp_path):
    path = tmp_path / "m.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError, match="UTF-8"):
        nets.load(path)
    with pytest.raises(FileNotFoundError):
        nets.load(tmp_path / "nope.json")


def test_load_state_into_existing_model_untouched_on_error(tmp_path):
    source = _model()
    path = tmp_path / "m.json"
    nets.save(source, path)
    target = MLP(2, [3, 2], activation="tanh")
    nets.load_state(target, path)
    assert target.state_dict() == source.state_dict()

    other = MLP(2, [4, 2], activation="tanh")
    before = other.state_dict()
    with pytest.raises(ValueError, match=r"holds MLP\(2, \[3, 2\].*model is MLP\(2, \[4, 2\]"):
        nets.load_state(other, path)
    assert other.state_dict() == before

    doc = json.loads(path.read_text())
    doc["parameters"]["layers.1.neurons.1.b"] = "x"
    _write(path, doc)
    before = target.state_dict()
    with pytest.raises(ValueError, match="finite number"):
        nets.load_state(target, path)
    assert target.state_dict() == before


def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    nets.save(_model(), path)
    old = path.read_bytes()

    # Fail after the new text is fully written but before it replaces the old file.
    def crash(*args, **kwargs):
        raise OSError("simulated crash")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        nets.save(MLP(2, [5, 1]), path)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]  # no temporary left


def test_failure_while_writing_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    nets.save(_model(), path)
    old = path.read_bytes()
    real_fsync = os.fsync

    def crash(fd):
        real_fsync(fd)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        nets.save(MLP(2, [5, 1]), path)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert path.read_bytes() == old
    assert nets.load(path).config() == _model().config()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_saved_file_has_normal_permissions(tmp_path):
    path = tmp_path / "m.json"
    nets.save(_model(), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o640)
    nets.save(_model(), path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_every_truncation_raises_value_error(tmp_path):
    path, _ = _saved(tmp_path)
    text = path.read_text()
    cut = tmp_path / "cut.json"
    for n in range(0, len(text.rstrip()), 7):
        cut.write_text(text[:n])
        with pytest.raises(ValueError, match=str(cut)):
            nets.load(cut)
