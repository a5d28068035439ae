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


# ---- hostile files: checked before they are read, and before anything is built ------


def _write_text(path, text):
    path.write_text(text)
    return path


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    for call in (nets.load, nets.read, lambda p: nets.load_state(_model(), p)):
        with pytest.raises(ValueError, match=r"a FIFO \(named pipe\), not a regular file"):
            call(fifo)


def test_devices_and_folders_are_refused_before_any_read(tmp_path):
    with pytest.raises(ValueError, match="a character device, not a regular file"):
        nets.load("/dev/zero")  # once read until memory ran out
    with pytest.raises(ValueError, match="a directory"):
        nets.load(tmp_path)


def test_a_file_beyond_the_size_cap_is_refused_unread(tmp_path):
    big = tmp_path / "model.json"
    with open(big, "wb") as f:  # sparse: its size is all that matters
        f.truncate(nets.persist.MAX_FILE_BYTES + 1)
    with pytest.raises(ValueError, match="too large for a model file"):
        nets.load(big)


def test_a_tiny_file_declaring_a_huge_model_is_refused_before_building(tmp_path, monkeypatch):
    # 138 bytes once built 9 million parameters (69 s, 4.1 GB) before saying they were missing.
    doc = {
        "format": "valuegrad.nets",
        "version": 1,
        "model": {"type": "MLP", "nin": 1000000, "nouts": [8, 1], "activation": "relu"},
        "parameters": {},
    }
    path = _write_text(tmp_path / "m.json", json.dumps(doc))
    assert len(path.read_bytes()) < 200
    with pytest.raises(ValueError, match=r"8,000,017 parameters, more than the 1,000,000"):
        nets.load(path)

    def no_building(*args, **kwargs):
        raise AssertionError("a model was built from a file that does not match")

    monkeypatch.setattr(nets.persist, "MLP", no_building)
    doc["model"]["nin"] = 5000  # 40,017 parameters: within the limit, none present
    _write_text(path, json.dumps(doc))
    with pytest.raises(ValueError, match=r"has 40,017 parameters, but the file holds 0"):
        nets.load(path)
    doc["model"]["nin"] = 500_000  # beyond what is worth listing by name
    _write_text(path, json.dumps(doc))
    with pytest.raises(ValueError, match=r"has 4,000,017 parameters|more than the 1,000,000"):
        nets.load(path)


def test_repeated_keys_and_a_boolean_version_are_refused(tmp_path):
    path, _ = _saved(tmp_path)
    text = path.read_text()
    twice = text.replace('"version": 1,', '"version": 1,\n "version": 1,', 1)
    with pytest.raises(ValueError, match="the key 'version' appears twice"):
        nets.load(_write_text(path, twice))
    name = '"layers.0.neurons.0.w.0": '
    again = text.replace(name, f"{name}0.5,\n  {name}", 1)
    with pytest.raises(ValueError, match=r"'layers\.0\.neurons\.0\.w\.0' appears twice"):
        nets.load(_write_text(path, again))
    with pytest.raises(ValueError, match="unsupported model file version True"):
        nets.load(_write_text(path, text.replace('"version": 1', '"version": true', 1)))
    with pytest.raises(ValueError, match=r"unsupported model file version 1\.0"):
        nets.load(_write_text(path, text.replace('"version": 1', '"version": 1.0', 1)))


@pytest.mark.parametrize("kind", [["MLP"], {"a": 1}, 3, None, True])
def test_wrongly_typed_fields_are_value_errors(tmp_path, kind):
    path, doc = _saved(tmp_path)
    doc["model"]["type"] = kind
    with pytest.raises(ValueError, match="unknown model type"):
        nets.load(_write(path, doc) or path)


def test_integers_beyond_pythons_digit_limit_are_named_by_size(tmp_path):
    path, _ = _saved(tmp_path)
    text = path.read_text().replace('"version": 1', '"version": ' + "7" * 5000, 1)
    with pytest.raises(ValueError) as caught:
        nets.load(_write_text(path, text))
    message = str(caught.value)
    assert "an integer of 5,000 digits" in message
    assert "set_int_max_str_digits" not in message and "4300" not in message


def test_save_refuses_what_load_would_refuse(tmp_path):
    m = _model()
    path = tmp_path / "m.json"
    with pytest.raises(TypeError, match="metadata must be a dict"):
        nets.save(m, path, metadata=["not", "an", "object"])
    m.parameters()[0].data = True  # set by hand
    with pytest.raises(ValueError, match=r"parameter 'layers.0.neurons.0.w.0'.*True"):
        nets.save(m, path)
    assert not path.exists()


def test_save_converts_numbers_that_load_reads_back(tmp_path):
    np = pytest.importorskip("numpy")
    from fractions import Fraction

    m = _model()
    first, second = m.parameters()[:2]
    first.data, second.data = np.float32(0.25), Fraction(1, 4)
    nets.save(m, tmp_path / "m.json")
    back = nets.load(tmp_path / "m.json")
    assert back.parameters()[0].data == 0.25 and back.parameters()[1].data == 0.25


def test_long_file_names_save(tmp_path):
    path = tmp_path / ("m" * 250 + ".json")  # 255 bytes: valid, but the temporary was not
    nets.save(_model(), path)
    assert nets.load(path).state_dict() == _model().state_dict()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_the_next_save_removes_what_a_killed_save_left(tmp_path):
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = int(gone.stdout)  # a pid whose process has ended
    orphan = tmp_path / f".model.json.{dead}-0badc0de.tmp"
    orphan.write_text('{"format": "valuegrad.nets", "vers')
    nets.save(_model(), tmp_path / "model.json")
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]
