"""backward() and grad(): the chain rule over whole graphs."""

import itertools
import math
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings

from autograd import Op, Value, grad, numerical_grad, topological_order
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


# ---- threads -------------------------------------------------------------------------


def _shared_graphs():
    """Two outputs over one shared subgraph: every pass touches the same nodes."""
    xs = [Value(0.01 * i - 0.7) for i in range(150)]
    shared = [(a * b).tanh() + a for a, b in itertools.pairwise(xs)]
    out1 = sum(s * s for s in shared)
    out2 = sum((s * 0.5).sigmoid() for s in shared) * xs[0]
    return xs, out1, out2


def _hammer(jobs, rounds=60):
    """Run each job in its own thread, many times over, with thread switches forced often."""
    import threading

    errors, results = [], {i: [] for i in range(len(jobs))}

    def run(i, job):
        try:
            for _ in range(rounds):
                results[i].append(job())
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors, errors
    return results


def test_concurrent_grad_on_graphs_that_share_nodes_is_exact():
    xs, out1, out2 = _shared_graphs()
    want1, want2 = grad(out1, xs), grad(out2, xs)
    results = _hammer([lambda: grad(out1, xs), lambda: grad(out2, xs)] * 2)
    assert all(r == want1 for r in results[0] + results[2])
    assert all(r == want2 for r in results[1] + results[3])
    assert all(n._g == 0.0 for n in topological_order(out1) + topological_order(out2))


def test_concurrent_backward_on_shared_nodes_adds_every_pass():
    xs, out1, out2 = _shared_graphs()
    g1, g2 = grad(out1, xs), grad(out2, xs)
    results = _hammer([lambda: out1.backward(), lambda: out2.backward()], rounds=40)
    assert len(results[0]) == len(results[1]) == 40
    # Each pass adds its exact gradients; in floating point the order of the 80 additions
    # can matter, so compare with a tolerance, and exactly with one thread.
    for x, a, b in zip(xs, g1, g2):
        assert x.grad == pytest.approx(40 * (a + b), rel=1e-12, abs=1e-12)
    for x in xs:
        x.grad = 0.0
    out1.backward()
    assert [x.grad for x in xs] == g1


def test_separate_graphs_in_threads_and_topological_order_concurrently():
    def job(seed):
        def run():
            xs, out1, _ = _shared_graphs()
            order = topological_order(out1)
            return grad(out1, xs), len(order)

        return run

    results = _hammer([job(0), job(1), lambda: len(topological_order(_shared_graphs()[1]))])
    first = results[0][0]
    assert all(r == first for r in results[0] + results[1])
    assert set(results[2]) == {first[1]}


def test_a_derivative_rule_may_call_grad_on_the_same_graph():
    x = Value(0.3)
    inner = (x * x).tanh()

    def rule(a, out):
        # Runs while the outer pass holds the nodes' scratch slots.
        (d,) = grad(inner, [x])
        return d

    weird = Op("weird", lambda a: a, rule)
    # inner * 3 is processed first: inner's gradient already holds 3 when the rule runs.
    y = weird(inner + 0.0) * 2.0 + inner * 3.0
    d_inner = 2 * 0.3 * (1 - math.tanh(0.09) ** 2)
    assert grad(y, [inner]) == pytest.approx([2.0 * d_inner + 3.0], rel=1e-15)
    want = (2.0 * d_inner + 3.0) * d_inner
    assert grad(y, [x]) == pytest.approx([want], rel=1e-15)
    y.backward()
    assert x.grad == pytest.approx(want, rel=1e-15)


# ---- the optimised pass gives exactly what the plain algorithm gives -----------------------


def _plain_gradients(root):
    """The textbook algorithm, written plainly: depth-first order with a visited set, then
    each node's derivative rule called in reverse order.  What backward() gave before it
    was optimised: it must still give exactly this."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack += [(x, False) for x in reversed(node._prev)]
    g = {node: 0.0 for node in order}
    g[root] = 1.0
    for node in reversed(order):
        if g[node] == 0.0 or not node._prev or not isinstance(node._op, Op):
            continue
        local = node._op.derivative(*[x.data for x in node._prev], node.data)
        for x, d in zip(node._prev, local if len(node._prev) > 1 else (local,)):
            g[x] += g[node] * d
    return order, g


def _same_bits(a, b):
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@settings(max_examples=300)
@given(expressions(max_steps=25))
def test_backward_and_grad_give_the_plain_algorithms_bits(expr):
    vs = [Value(x) for x in expr.point]
    out = expr(*vs)
    order, want = _plain_gradients(out)
    assert topological_order(out) == order
    out.backward()
    assert all(_same_bits(n.grad, want[n]) for n in order), str(expr)
    assert all(_same_bits(a, want[v]) if v in want else a == 0.0 for v, a in zip(vs, grad(out, vs)))


def test_the_demo_step_gives_the_plain_algorithms_bits():
    nets = pytest.importorskip("nets")
    import random

    X, y = nets.data.make_moons(30, noise=0.1, seed=2)
    random.seed(1337)
    model = nets.MLP(2, [16, 16, 1])
    scores = [model(row) for row in X]
    data = sum((1 + -(2 * t - 1) * s).relu() for t, s in zip(y, scores)) * (1.0 / len(X))
    loss = data + 1e-4 * sum(p * p for p in model.parameters())
    order, want = _plain_gradients(loss)
    loss.backward()
    assert [n.grad for n in order] == [want[n] for n in order]
