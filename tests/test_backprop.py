"""backward() and grad(): the chain rule over whole graphs."""

import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings

from autograd import Value, grad, numerical_grad, topological_order
from autograd.testing import expressions


def test_the_classic_example():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad, f.grad) == (-4.0, -4.0, 3.0, 1.0)


def test_shared_subexpression_adds_both_paths():
    a = Value(3.0)
    b = a * a  # a used twice by one op
    c = b + a  # and again by another
    c.backward()
    assert a.grad == 2 * 3.0 + 1.0


@given(expressions())
def test_backward_agrees_with_finite_differences_on_random_graphs(expr):
    vs = [Value(x) for x in expr.point]
    expr(*vs).backward()
    numeric = numerical_grad(expr, expr.point)
    for v, n in zip(vs, numeric):
        assert v.grad == pytest.approx(n, rel=1e-4, abs=1e-6), str(expr)


@given(expressions())
def test_second_backward_gives_exactly_twice_every_gradient(expr):
    vs = [Value(x) for x in expr.point]
    out = expr(*vs)
    out.backward()
    nodes = topological_order(out)
    first = [n.grad for n in nodes]
    out.backward()
    assert [n.grad for n in nodes] == [2 * g for g in first]
    assert out.grad == 2.0


@given(expressions())
def test_grad_equals_backward_and_leaves_grads_alone(expr):
    vs = [Value(x) for x in expr.point]
    out = expr(*vs)
    g = grad(out, vs)
    assert all(n.grad == 0.0 for n in topological_order(out))
    out.backward()
    assert g == [v.grad for v in vs]
    assert grad(out, vs, create_graph=True)[0].data == pytest.approx(g[0], rel=1e-12, abs=1e-15)


@settings(max_examples=60)
@given(expressions(max_steps=6))
def test_second_derivatives_on_random_graphs(expr):
    vs = [Value(x) for x in expr.point]
    first = grad(expr(*vs), vs, create_graph=True)
    for i, gi in enumerate(first):
        row = grad(gi, vs)
        numeric = numerical_grad(
            lambda *a, i=i: grad(expr(*a), list(a), create_graph=True)[i] + 0.0, expr.point
        )
        assert row == pytest.approx(numeric, rel=1e-3, abs=1e-5), str(expr)


def test_hessian_is_symmetric_and_right():
    x, y = Value(1.5), Value(-0.5)
    f = x * x * y + (x * y).sin()
    gx, gy = grad(f, [x, y], create_graph=True)
    hxx, hxy = grad(gx, [x, y])
    hyx, hyy = grad(gy, [x, y])
    import math

    s, c = math.sin(-0.75), math.cos(-0.75)
    assert hxy == hyx
    assert (hxx, hxy, hyy) == pytest.approx(
        (2 * -0.5 - 0.25 * s, 2 * 1.5 + c + 0.75 * s, -2.25 * s)
    )


def test_newton_step_with_create_graph():
    # f(x) = x^4 - 3x: Newton's method x <- x - f'(x) / f''(x) converges to (3/4)^(1/3).
    x = 2.0
    for _ in range(30):
        v = Value(x)
        (d1,) = grad(v**4 - 3 * v, [v], create_graph=True)
        (d2,) = grad(d1, [v])
        x -= d1.data / d2
    assert x == pytest.approx(0.75 ** (1 / 3), rel=1e-12)


def test_unused_input_gets_zero():
    x, y = Value(2.0), Value(3.0)
    assert grad(x * 2, [x, y]) == [2.0, 0.0]
    (gy,) = grad(x * 2, [y], create_graph=True)
    assert type(gy) is Value and gy.data == 0.0


def test_grad_of_an_input_itself_and_single_input_form():
    x = Value(2.0)
    assert grad(x, [x]) == [1.0]
    assert grad(x * x, x) == [4.0]


def test_grad_rejects_non_values():
    with pytest.raises(TypeError, match="grad: output must be a Value, got float"):
        grad(1.0, [Value(1.0)])
    with pytest.raises(TypeError, match=r"grad: inputs\[1\] must be a Value, got float"):
        grad(Value(1.0), [Value(1.0), 2.0])
    with pytest.raises(TypeError, match="backward: expected a Value"):
        from autograd.backprop import backward

        backward(3.0)


def test_overflowing_backward_raises_and_leaves_grads_untouched():
    x = Value(1e-300)
    y = Value(1e200) * (x * 1e300).log()  # fine forward, d/dx = 1e200 / x overflows
    nodes = topological_order(y)
    with pytest.raises(OverflowError, match="backward: the gradient"):
        y.backward()
    assert all(n.grad == 0.0 and n._g == 0.0 for n in nodes)
    with pytest.raises(OverflowError):
        grad(y, [x])
    assert all(n._g == 0.0 for n in nodes)


def test_a_million_node_chain_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0
    assert grad(y, [x]) == [1.0]


def test_deep_chain_higher_order():
    x = Value(0.5)
    y = x
    for _ in range(3000):
        y = (y * 0.999).tanh()
    (d1,) = grad(y, [x], create_graph=True)
    assert grad(d1, [x])[0] == pytest.approx(
        numerical_grad(lambda a: grad(_chain(a), [a], create_graph=True)[0] + 0.0, [0.5])[0],
        rel=1e-4,
        abs=1e-10,
    )


def _chain(a):
    y = a
    for _ in range(3000):
        y = (y * 0.999).tanh()
    return y


def test_topological_order_lists_inputs_first_once_each():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert len(order) == len(set(order)) == 5
    pos = {n: i for i, n in enumerate(order)}
    for n in order:
        assert all(pos[p] < pos[n] for p in n._prev)
    assert order[-1] is e


def test_nodes_built_by_hand_are_treated_as_constants():
    a = Value(2.0)
    c = Value(4.0, (a,), "custom")
    (c * 3).backward()
    assert c.grad == 3.0 and a.grad == 0.0


SCRIPT = textwrap.dedent(
    """
    import random
    from autograd import Value
    random.seed(0)
    xs = [Value(random.uniform(-1, 1)) for _ in range(20)]
    acc = Value(0.0)
    for i in range(300):
        a, b = xs[i % 20], xs[(i * 7) % 20]
        acc = acc + (a * b).tanh() * (a - b).exp().sigmoid() / (1 + (a * a).sqrt())
    acc.backward()
    print(acc.data.hex(), *[x.grad.hex() for x in xs])
    """
)


def test_results_are_bit_identical_across_processes():
    runs = [
        subprocess.run(
            [sys.executable, "-c", SCRIPT],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] and len(runs[0].split()) == 21


def test_micrograd_numbers_are_reproduced():
    engine = pytest.importorskip("micrograd.engine")
    # micrograd's own test example, run through both engines.
    results = []
    for V in (engine.Value, Value):
        x = V(-4.0)
        z = 2 * x + 2 + x
        q = z.relu() + z * x
        h = (z * z).relu()
        y = h + q + q * x
        y.backward()
        results.append((y.data, x.grad))
    assert results[0] == pytest.approx(results[1], rel=1e-15)
