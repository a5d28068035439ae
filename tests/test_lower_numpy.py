"""autograd/trace/lower_numpy.py: the numpy backend takes and refuses what the float
replay takes and refuses, says which number is wrong, and runs on an empty batch.
(Its agreement with the float replay on random graphs and networks is in test_trace.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import trace
from autograd.trace import TraceError


@pytest.fixture
def program():
    # y is not used by the output: its numbers are checked all the same
    return trace(lambda x, y, w: (x * w).tanh() + w, 1.0, 2.0, 0.5, backend="numpy")


@pytest.mark.parametrize(
    ("leaf", "error", "message"),
    [
        (
            np.array([1 + 5j, 2.0]),
            TypeError,
            r"argument leaf 0 must hold real numbers, got \(1\+5j\)",
        ),
        (np.array(["1.5", "2"]), TypeError, r"argument leaf 0 must hold real numbers, got '1.5'"),
        ("1.5", TypeError, r"argument leaf 0 must be a real number or a 1-D array"),
        (np.array([1.0, math.nan]), ValueError, r"argument leaf 0 must be finite"),
        (np.array([[1.0, 2.0]]), TraceError, r"argument leaf 0 must be a number or a 1-D array"),
        (1 + 2j, TypeError, r"argument leaf 0 must be a real number"),
    ],
)
def test_what_the_float_replay_refuses_the_numpy_backend_refuses(program, leaf, error, message):
    with pytest.raises(error, match=message):
        program(leaf, 2.0, 0.5)
    with pytest.raises(error, match=message):
        program.value_and_grad(leaf, 2.0, 0.5)


def test_a_nan_in_an_argument_the_output_does_not_use(program):
    with pytest.raises(ValueError, match=r"argument leaf 1 must be finite, got nan"):
        program(np.array([1.0, 2.0]), math.nan, 0.5)
    with pytest.raises(ValueError, match=r"argument leaf 1 must be finite"):
        program.value_and_grad(np.array([1.0, 2.0]), np.array([0.0, math.inf]), 0.5)


def test_seed_and_start_are_named_when_they_are_not_finite(program):
    xs = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match=r"value_and_grad \(numpy\): seed must be finite, got nan"):
        program.value_and_grad(xs, 2.0, 0.5, seed=math.nan)
    with pytest.raises(ValueError, match=r"start\[2\] must be finite"):
        program.value_and_grad(xs, 2.0, 0.5, start=[None, None, math.nan])
    with pytest.raises(ValueError, match=r"start\[0\] must be finite"):
        program.value_and_grad(xs, 2.0, 0.5, start=[np.array([0.0, math.nan]), None, None])


def test_an_empty_batch_gives_empty_results(program):
    none = np.zeros(0)
    out = program(none, 2.0, 0.5)
    assert isinstance(out, np.ndarray) and out.shape == (0,)
    value, (gx, gy, gw) = program.value_and_grad(none, none, 0.5, start=[None, None, 0.25])
    assert value.shape == gx.shape == gy.shape == (0,) and gw == 0.25
    lists = trace(lambda xs: [xs[0] * 2, xs[1]], [1.0, 2.0], backend="numpy")
    assert [a.shape for a in lists([none, none])] == [(0,), (0,)]


def test_numbers_as_python_floats_ints_and_fractions_still_work(program):
    from fractions import Fraction

    a = program(np.array([1, 2]), Fraction(1, 2), 1)
    b = program(np.array([1.0, 2.0]), 0.5, 1.0)
    assert np.array_equal(a, b)


def _softplus_pair():
    """A two-input user op, (x, y) -> log(e^x + e^y), with its rule counted, on floats
    and (if asked) on arrays."""
    calls = {"float": 0, "array": 0}

    def derivative(x, y, out):
        calls["float"] += 1
        return math.exp(x - out), math.exp(y - out)

    def on_arrays(np):
        def rule(x, y, out):
            calls["array"] += 1
            return np.exp(x - out), np.exp(y - out)

        return rule

    def make(with_arrays):
        from autograd import Op

        return Op(
            "lse2",
            lambda x, y: max(x, y) + math.log1p(math.exp(-abs(x - y))),
            derivative,
            arity=2,
            numpy=lambda np: lambda x, y: np.logaddexp(x, y),
            numpy_derivative=on_arrays if with_arrays else None,
        )

    return make, calls


@pytest.mark.parametrize("with_arrays", [True, False])
def test_a_user_ops_array_derivative_runs_once_a_node(with_arrays):
    make, calls = _softplus_pair()
    lse2 = make(with_arrays)
    fn = lambda x, y: lse2(x * y, y) * lse2(x, 2.0)
    floats = trace(fn, 1.0, 2.0)
    batch = trace(fn, 1.0, 2.0, backend="numpy")
    xs, ys = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25, -3.0])
    calls.update(float=0, array=0)
    values, (gx, gy) = batch.value_and_grad(xs, ys)
    if with_arrays:
        assert calls == {"float": 0, "array": 2}  # two nodes, each its partials in one call
    else:
        assert calls["array"] == 0 and calls["float"] > 0  # sample by sample
    for i in range(3):
        v, (a, b) = floats.value_and_grad(float(xs[i]), float(ys[i]))
        assert values[i] == pytest.approx(v, rel=1e-12)
        assert (gx[i], gy[i]) == (pytest.approx(a, rel=1e-12), pytest.approx(b, rel=1e-12))


def test_numpy_derivative_must_be_a_function():
    from autograd import Op

    with pytest.raises(TypeError, match="numpy_derivative must be a function of numpy"):
        Op("f", math.sin, lambda x, out: math.cos(x), numpy_derivative="cos")
