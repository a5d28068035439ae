"""nets.module: Neuron, Layer, MLP; parameters, names, labels, errors; micrograd parity."""

import math
import random
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from nets import MLP, Layer, Module, Neuron


def test_neuron_computes_activation_of_affine_sum():
    n = Neuron(3)
    for w, v in zip(n.w, [0.5, -1.0, 2.0]):
        w.data = v
    n.b.data = 0.25
    out = n([1.0, 2.0, 3.0])
    assert out.data == pytest.approx(max(0.0, 0.25 + 0.5 - 2.0 + 6.0))
    assert Neuron(3, nonlin=False, activation="tanh").kind == "linear"


@pytest.mark.parametrize(
    "activation, f",
    [
        ("relu", lambda s: max(s, 0.0)),
        ("tanh", math.tanh),
        ("sigmoid", lambda s: 1 / (1 + math.exp(-s))),
        ("leaky_relu", lambda s: s if s > 0 else 0.01 * s),
        ("linear", lambda s: s),
    ],
)
def test_activations_value_and_float_forms_agree(activation, f):
    random.seed(3)
    n = Neuron(2, activation=activation)
    for x in ([0.3, -0.7], [-2.0, 1.5], [1.0, 1.0]):
        s = n.b.data + sum(w.data * xi for w, xi in zip(n.w, x))
        assert n(x).data == pytest.approx(f(s), abs=1e-15)
        assert n.forward_floats(x) == pytest.approx(n(x).data, abs=1e-15)


def test_mlp_semantics_hidden_nonlinear_last_linear():
    m = MLP(3, [4, 5, 2], activation="tanh")
    assert [layer.kind for layer in m.layers] == ["tanh", "tanh", "linear"]
    out = m([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(MLP(3, [4, 1])([1.0, 2.0, 3.0]), Value)
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    assert len(Layer(2, 3)([1.0, 2.0])) == 3


def test_one_wide_hidden_layer_is_kept_as_a_list_inside():
    # micrograd would hand a bare Value to the next layer and fail; we keep lists inside.
    m = MLP(2, [1, 1, 3])
    assert len(m([0.5, 0.5])) == 3


def test_parameter_counts_and_order_match_micrograd_layout():
    m = MLP(2, [16, 16, 1])
    assert m.num_parameters() == len(m.parameters()) == 337
    names = [n for n, _ in m.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.2.neurons.0.b"
    assert "layers.0.neurons.3.w.1" in names
    assert len(set(names)) == len(names)


def test_labels_are_the_parameter_names():
    m = MLP(2, [3, 1])
    for name, p in m.named_parameters():
        assert p.label == name
    out = m([1.0, 2.0])
    assert out.label == "layers.1.neurons.0.out"
    leaves = {v.label for v in _leaves(out)}
    assert {"x.0", "x.1"} <= leaves
    assert Neuron(2)([1.0, 2.0]).label == "out"


def _leaves(root):
    seen, stack, out = set(), [root], []
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        if not v._prev:
            out.append(v)
        stack.extend(v._prev)
    return out


def test_few_nodes_per_neuron():
    # b + w0 x0 + w1 x1 -> 2 products, 2 sums, 1 activation: 2 nin + 1 new nodes.
    n = Neuron(2)
    x = [Value(1.0), Value(2.0)]
    out = n(x)
    inner = [v for v in _all(out) if v._prev]
    assert len(inner) == 5


def _all(root):
    seen, stack = set(), [root]
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            stack.extend(v._prev)
    return seen


@pytest.mark.parametrize("bad", [[1.0], [1.0, 2.0, 3.0], []])
def test_wrong_input_length_names_both_lengths(bad):
    for model in (MLP(2, [3, 1]), Layer(2, 3), Neuron(2)):
        with pytest.raises(ValueError, match=rf"length 2, got length {len(bad)}"):
            model(bad)
        with pytest.raises(ValueError, match=rf"length 2, got length {len(bad)}"):
            model.forward_floats(bad)


def test_bad_inputs_name_the_model_and_the_position():
    m = MLP(2, [3, 1])
    for call in (m, m.forward_floats):
        with pytest.raises(TypeError, match=r"MLP\(2, \[3, 1\]\): input 1: .*'b'"):
            call([1.0, "b"])
        with pytest.raises(ValueError, match=r"input 0: .*finite"):
            call([float("nan"), 1.0])
        with pytest.raises(TypeError, match="expected a list of 2 numbers"):
            call("ab")
        with pytest.raises(TypeError, match="expected a list of 2 numbers"):
            call(None)


def test_bad_arguments():
    with pytest.raises(ValueError, match="activation"):
        MLP(2, [1], activation="swish")
    with pytest.raises(ValueError, match="init"):
        Neuron(2, init="magic")
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            Neuron(bad)
    with pytest.raises(ValueError, match="nouts"):
        MLP(2, [])
    with pytest.raises(ValueError, match="layer size"):
        MLP(2, [3, 0])


def test_scalar_input_for_one_input_models():
    m = MLP(1, [4, 1])
    assert m(0.5).data == m([0.5]).data == m.forward_floats(0.5)


@pytest.mark.parametrize("x", [3.0, 3, Value(1.0)])
def test_a_single_number_is_refused_by_models_with_several_inputs(x):
    for model in (MLP(2, [3, 1]), Layer(2, 3), Neuron(3)):
        message = rf"expected an input of length {model.nin}, got a single number"
        with pytest.raises(ValueError, match=message):
            model(x)
        with pytest.raises(ValueError, match=message):
            model.forward_floats(x)


def test_forward_floats_raises_where_the_graph_overflows():
    # Weights 1 on [1e308, 1e308]: the graph's add overflows; the float pass must not
    # quietly return inf (linear) or nan (relu, which then predicted class 0).
    for nouts in ([1], [1, 1], [2, 2]):
        m = MLP(2, nouts)
        for p in m.parameters():
            p.data = 1.0
        with pytest.raises(OverflowError):
            m([1e308, 1e308])
        with pytest.raises(OverflowError, match=r"neuron layers\.0\.neurons\.0: .* is inf"):
            m.forward_floats([1e308, 1e308])
    n = Neuron(2, nonlin=False)
    n.w[0].data, n.w[1].data = 10.0, -10.0
    with pytest.raises(OverflowError, match=r"Neuron\(2\): .* is nan"):
        n.forward_floats([1e308, 1e308])  # 0 + inf = inf, then inf + -inf = nan


def test_zero_grad_and_backward_reach_every_parameter():
    m = MLP(2, [4, 4, 1], activation="tanh")
    m([0.3, -0.4]).backward()
    assert any(p.grad != 0.0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad == 0.0 for p in m.parameters())


def test_gradients_match_finite_differences():
    # Backprop through the model's graph vs central differences of its float forward.
    random.seed(0)
    m = MLP(2, [3, 2], activation="tanh")
    x = [0.7, -1.1]

    def objective_floats():
        a, b = m.forward_floats(x)
        return a * b

    a, b = m(x)
    (a * b).backward()
    h = 1e-6
    for p in m.parameters():
        old = p.data
        p.data = old + h
        up = objective_floats()
        p.data = old - h
        down = objective_floats()
        p.data = old
        assert p.grad == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)


def test_forward_floats_equals_graph_forward_bit_for_bit():
    random.seed(5)
    m = MLP(3, [8, 8, 4])
    for x in ([0.1, 0.2, 0.3], [-1.0, 5.0, 2.5]):
        assert m.forward_floats(x) == [v.data for v in m(x)]


def test_inits():
    random.seed(0)
    wide = Layer(400, 100, init="xavier")
    bound = math.sqrt(6 / 500)
    ws = [p.data for n in wide.neurons for p in n.w]
    assert max(abs(w) for w in ws) <= bound
    assert all(n.b.data == 0.0 for n in wide.neurons)
    he = Layer(200, 50, init="he")
    ws = [p.data for n in he.neurons for p in n.w]
    var = sum(w * w for w in ws) / len(ws)
    assert var == pytest.approx(2 / 200, rel=0.1)
    assert all(p.data == 0.0 for p in MLP(3, [2, 1], init="zeros").parameters())


def test_default_init_reproduces_micrograd_exactly():
    nn = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    random.seed(1337)
    theirs = nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    x = [0.37, -0.81]
    from micrograd.engine import Value as MValue

    assert ours(x).data == theirs([MValue(v) for v in x]).data


def test_state_dict_round_trip_and_untouched_on_error():
    m = MLP(2, [3, 1])
    state = m.state_dict()
    other = MLP(2, [3, 1])
    other.load_state_dict(state)
    assert other.state_dict() == state
    before = other.state_dict()
    bad = dict(state)
    bad["layers.0.neurons.0.w.0"] = float("inf")
    with pytest.raises(ValueError, match="finite"):
        other.load_state_dict(bad)
    missing = dict(state)
    del missing["layers.1.neurons.0.b"]
    with pytest.raises(ValueError, match="missing"):
        other.load_state_dict(missing)
    huge = dict(state)
    huge["layers.1.neurons.0.b"] = 10**400  # a valid JSON number that no float can hold
    with pytest.raises(ValueError, match=r"'layers.1.neurons.0.b'.*401 digits"):
        other.load_state_dict(huge)
    assert other.state_dict() == before


def test_custom_modules_find_their_parameters():
    class Pair(Module):
        def __init__(self):
            self.left = Neuron(2)
            self.right = MLP(2, [2, 1])
            self.scale = Value(1.0)

        def __call__(self, x):
            return (self.left(x) + self.right(x)) * self.scale

    m = Pair()
    names = [n for n, _ in m.named_parameters()]
    assert names[0] == "left.w.0" and names[-1] == "scale"
    assert m.num_parameters() == 3 + 9 + 1
    m.label_parameters()
    assert m.right.layers[0].neurons[0].w[0].label == "right.layers.0.neurons.0.w.0"
    m.scale.data = 2.0

    def relu_unit(n, xs):
        return max(0.0, n.b.data + sum(w.data * x for w, x in zip(n.w, xs)))

    left = relu_unit(m.left, [1.0, 1.0])
    hidden = [relu_unit(n, [1.0, 1.0]) for n in m.right.layers[0].neurons]
    (last,) = m.right.layers[1].neurons
    right = last.b.data + sum(w.data * h for w, h in zip(last.w, hidden))
    assert m([1.0, 1.0]).data == pytest.approx((left + right) * 2.0, rel=1e-12)


def test_repr_is_readable():
    r = repr(MLP(2, [16, 16, 1]))
    assert r.startswith("MLP(2, [16, 16, 1], activation='relu')")
    assert "337 parameters" in r and "Layer(16 -> 1, linear)" in r
    assert repr(Neuron(3, nonlin=False)) == "Neuron(3, linear)"


@given(
    nin=st.integers(1, 5),
    nouts=st.lists(st.integers(1, 5), min_size=1, max_size=3),
)
def test_parameter_count_formula(nin, nouts):
    m = MLP(nin, nouts)
    sizes = [nin, *nouts]
    assert m.num_parameters() == sum((a + 1) * b for a, b in pairwise(sizes))


# ---- one input rule for the graph and the float path ---------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {0: 1.0, 1: 2.0},  # once read by its keys
        {"a": 1.0, "b": 2.0},
        {1.0, 2.0},
        ["1.5", 2.0],  # once accepted by forward_floats only
        [b"1", 2.0],
        [1.0, None],
        [10**400, 1.0],
        [float("nan"), 1.0],
        [1.0, float("inf")],
        [1.0, [2.0]],
    ],
    ids=repr,
)
def test_both_forward_passes_refuse_the_same_inputs_with_the_same_message(bad):
    model = MLP(2, [3, 1])
    with pytest.raises((TypeError, ValueError, OverflowError)) as graph:
        model(bad)
    with pytest.raises((TypeError, ValueError, OverflowError)) as floats:
        model.forward_floats(bad)
    assert type(graph.value) is type(floats.value)
    assert str(graph.value) == str(floats.value)
    assert str(graph.value).startswith("MLP(2, [3, 1]): ")


# Numbers within 1e300 cannot overflow a 2-2-1 network with weights in (-1, 1); where the
# sums overflow, each pass names the place in its own words (tested above).
_ELEMENTS = st.one_of(
    st.floats(-1e300, 1e300),
    st.sampled_from([math.nan, math.inf, -math.inf, 10**400, True]),
    st.integers(-(10**300), 10**300),
    st.text(max_size=3),
    st.none(),
    st.lists(st.floats(0, 1), max_size=1),
)


@given(st.lists(_ELEMENTS, min_size=2, max_size=2))
def test_the_rule_holds_for_any_pair(pair):
    model = MLP(2, [2, 1])
    outcomes = []
    for forward in (lambda x: model(x).data, model.forward_floats):
        try:
            outcomes.append(("ok", forward(pair)))
        except (TypeError, ValueError, OverflowError) as e:
            outcomes.append((type(e).__name__, str(e)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(
    "make",
    [
        lambda: MLP(3, [5, 4, 2], activation="tanh"),
        lambda: MLP(3, [4, 1], activation="sigmoid"),
        lambda: MLP(3, [6, 3], activation="leaky_relu"),
        lambda: Layer(3, 4),
        lambda: Layer(3, 1, activation="tanh"),
        lambda: Neuron(3),
        lambda: Neuron(3, nonlin=False),
    ],
)
def test_float_forward_is_forward_floats_and_takes_other_weights(make):
    from nets.module import float_forward

    rng = random.Random(6)
    model = make()
    rows = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(5)]
    forward = float_forward(model)
    assert [forward(x) for x in rows] == [model.forward_floats(x) for x in rows]
    other = [rng.uniform(-1, 1) for _ in model.parameters()]
    with_other = float_forward(model, other)
    for p, x in zip(model.parameters(), other):
        p.data = x
    assert [with_other(x) for x in rows] == [model.forward_floats(x) for x in rows]
    with pytest.raises(OverflowError, match="the weighted sum b \\+ sum_i w_i x_i is"):
        float_forward(model, [1e300] * len(other))([1e300] * 3)
