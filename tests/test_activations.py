"""nets.activations: the activation table, softmax and log_softmax (stable for any logits)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, gradcheck
from nets import ACTIVATIONS, log_softmax, softmax
from nets.activations import get_activation

finite_logits = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), min_size=1, max_size=6
)


def test_table_names():
    assert set(ACTIVATIONS) == {"relu", "tanh", "sigmoid", "leaky_relu", "linear"}
    with pytest.raises(ValueError, match="choose one of"):
        get_activation("gelu")


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_float_form_matches_value_form(name):
    a = ACTIVATIONS[name]
    for x in (-800.0, -3.0, -0.5, 0.0, 0.5, 3.0, 800.0):
        assert a.on_float(x) == pytest.approx(a.on_value(Value(x)).data, abs=1e-15)


def test_float_forms_are_the_engines_forward_functions():
    from autograd import ops

    assert ACTIVATIONS["relu"].on_float is ops.RELU.forward
    assert ACTIVATIONS["sigmoid"].on_float is ops.SIGMOID.forward
    assert ACTIVATIONS["leaky_relu"].on_float is ops.leaky_relu(0.01).forward
    assert ACTIVATIONS["tanh"].on_float is ops.TANH.forward


@given(st.sampled_from(sorted(ACTIVATIONS)), st.floats(-1e3, 1e3))
def test_float_and_value_forms_agree_bit_for_bit(name, x):
    a = ACTIVATIONS[name]
    assert a.on_float(x) == a.on_value(Value(x)).data


@given(finite_logits)
def test_softmax_is_a_distribution(zs):
    ps = [p.data for p in softmax(zs)]
    assert all(0.0 <= p <= 1.0 for p in ps)
    assert math.fsum(ps) == pytest.approx(1.0)
    assert ps[zs.index(max(zs))] == max(ps)


@given(finite_logits)
def test_log_softmax_agrees_with_log_of_softmax(zs):
    m = max(zs)
    lse = m + math.log(math.fsum(math.exp(z - m) for z in zs))
    for got, z in zip(log_softmax(zs), zs):
        assert got.data == pytest.approx(z - lse, rel=1e-12, abs=1e-9)


def test_extreme_logits_stay_finite():
    ps = softmax([1000.0, -1000.0, 0.0])
    assert [p.data for p in ps] == [1.0, 0.0, 0.0]
    ls = log_softmax([1000.0, -1000.0])
    assert [v.data for v in ls] == [0.0, -2000.0]
    huge = softmax([1e308, -1e308])
    assert [p.data for p in huge] == [1.0, 0.0]


def test_softmax_gradient_matches_finite_differences():
    def f(a, b, c):
        p = softmax([a, b, c])
        return p[0] * 2.0 + p[1] * p[2]

    assert gradcheck(f, [0.3, -1.2, 2.0])

    def g(a, b, c):
        return log_softmax([a, b, c])[1]

    assert gradcheck(g, [0.3, -1.2, 2.0])


@given(finite_logits)
def test_softmax_and_log_softmax_share_their_sum(zs):
    # Both come from one shifted sum of exps: log softmax is exactly the log of its
    # denominator subtracted, so exp(log_softmax) matches softmax to rounding.
    for p, lp in zip(softmax(zs), log_softmax(zs)):
        assert p.data == pytest.approx(math.exp(lp.data), rel=1e-12, abs=1e-300)


def test_softmax_backward_at_extreme_logits():
    zs = [Value(1000.0), Value(-1000.0)]
    log_softmax(zs)[1].backward()
    # d log p_1 / d z = one_hot(1) - softmax = [-1, 1]
    assert [z.grad for z in zs] == [-1.0, 1.0]


def test_bad_logits():
    with pytest.raises(ValueError, match="at least one"):
        softmax([])
    with pytest.raises(TypeError):
        softmax(3.0)
    with pytest.raises(ValueError, match="finite"):
        softmax([float("nan")])
