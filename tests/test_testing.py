"""The hypothesis strategies themselves."""

import math

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from autograd import Value, topological_order
from autograd.ops import OPS
from autograd.testing import FLOAT_APPLY, MARGIN, Expression, expressions, op_inputs, reals


@given(reals(-1.0, 1.0, avoid=(0.0, 0.5)))
def test_reals_stay_inside_and_away_from_kinks(x):
    assert -1.0 < x < 1.0 and abs(x) >= MARGIN and abs(x - 0.5) >= MARGIN


def test_reals_rejects_an_empty_interval():
    with pytest.raises(ValueError, match="narrower"):
        reals(0.0, 1e-4)


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_inputs_respect_each_domain(name):
    _, domain, kinks = OPS[name]

    @settings(max_examples=30)
    @given(op_inputs(name))
    def check(xs):
        assert len(xs) == len(domain)
        for x, (lo, hi), ks in zip(xs, domain, kinks):
            assert lo + MARGIN <= x <= hi - MARGIN and all(abs(x - k) >= MARGIN for k in ks)
        FLOAT_APPLY[name](*xs)  # and the op accepts them

    check()


@given(expressions())
def test_expressions_evaluate_on_values_and_floats(expr):
    out = expr(*[Value(x) for x in expr.point])
    floats = expr(*expr.point, functions=FLOAT_APPLY)
    assert out.data == pytest.approx(floats, rel=1e-12, abs=1e-12)
    assert math.isfinite(out.data) and abs(out.data) < 50
    assert str(expr).startswith("t0 = ")


def _has_shared_node(expr):
    out = expr(*[Value(x) for x in expr.point])
    uses = {}
    for n in topological_order(out):
        for p in n._prev:
            uses[p] = uses.get(p, 0) + 1
    return any(k > 1 and n._prev for n, k in uses.items())


def test_expressions_share_subexpressions():
    expr = find(expressions(min_steps=4), _has_shared_node, settings=settings(database=None))
    assert _has_shared_node(expr)


def test_expression_checks_its_arity():
    e = Expression(("x",), (("neg", (0,)),), (1.0,))
    assert e(Value(2.0)).data == -2.0
    with pytest.raises(TypeError, match="takes 1 inputs, got 2"):
        e(1.0, 2.0)


@given(st.data())
def test_expressions_can_be_limited_to_some_ops(data):
    expr = data.draw(expressions(("a",), ops=["add", "mul"]))
    assert {name for name, _ in expr.steps} <= {"add", "mul", "tanh"}
