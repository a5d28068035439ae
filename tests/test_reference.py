"""autograd/reference.py: the textbook engine, and the proof that the fast engine
(autograd.value + autograd.backprop) gives the same numbers bit for bit."""

from __future__ import annotations

import inspect
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, topological_order
from autograd import reference as ref
from autograd.ops import ABS, OPS, leaky_relu
from autograd.testing import LEARNER_OPS, expressions

# Each op of the table applied the textbook way: node.apply(op, *others).
ON_REFERENCE = {name: (lambda x, *rest, op=row[0]: x.apply(op, *rest)) for name, row in OPS.items()}


def bits(x: float) -> tuple[float, float]:
    """A float with the sign of its zero, so that 0.0 and -0.0 differ."""
    return (x, math.copysign(1.0, x))


def both(expr):
    fast = [Value(x) for x in expr.point]
    plain = [ref.Value(x) for x in expr.point]
    return fast, expr(*fast), plain, expr(*plain, functions=ON_REFERENCE)


@settings(max_examples=300)
@given(expressions(ops=LEARNER_OPS, max_steps=14))
def test_random_graphs_give_the_same_bits_forward_and_backward(expr):
    fast, out, plain, out_ref = both(expr)
    assert bits(out.data) == bits(out_ref.data), str(expr)
    for _ in range(2):  # gradients accumulate: the second pass doubles them, in both
        out.backward()
        out_ref.backward()
        assert [bits(v.grad) for v in fast] == [bits(v.grad) for v in plain], str(expr)
        assert bits(out.grad) == bits(out_ref.grad)


@settings(max_examples=200)
@given(expressions(ops=LEARNER_OPS, max_steps=14))
def test_the_topological_orders_are_the_same(expr):
    _, out, _, out_ref = both(expr)
    fast_order, ref_order = topological_order(out), ref.topological_order(out_ref)
    assert [(str(v._op), bits(v.data)) for v in fast_order] == [
        (str(v._op), bits(v.data)) for v in ref_order
    ]


class _Plain(ref.Value):
    """The reference Value with the two kinks that the next test needs as methods."""

    def leaky_relu(self, s=0.01):
        return self.apply(leaky_relu(s))

    def abs(self):
        return self.apply(ABS)


@given(st.lists(st.sampled_from([-1.5, -0.0, 0.0, 0.5, 2.0]), min_size=3, max_size=3))
def test_kinks_and_signed_zeros(xs):
    def f(a, b, c):
        return ((a * b).relu() + (b - c).leaky_relu(0.2) * a - (a * c).abs()) * (c + 0.5)

    fast, plain = [Value(x) for x in xs], [_Plain(x) for x in xs]
    out, out_ref = f(*fast), f(*plain)
    out.backward()
    out_ref.backward()
    assert bits(out.data) == bits(out_ref.data)
    assert [bits(v.grad) for v in fast] == [bits(v.grad) for v in plain]


@pytest.mark.parametrize("kind", [Value, ref.Value])
def test_a_gradient_that_overflows_stops_the_pass(kind):
    x = kind(1e-20)
    out = (((x * 1e-300) * 1e300) * 1e300) * 1e10  # 1e290, but d out / d x = 1e310
    with pytest.raises(OverflowError, match=r"backward: the gradient at .* overflowed to inf"):
        out.backward()


def test_the_reference_is_short_enough_to_read_in_one_sitting():
    lines = inspect.getsource(ref).splitlines()
    assert len(lines) < 250
    assert ref.backpropagate.__doc__ and ref.topological_order.__doc__
