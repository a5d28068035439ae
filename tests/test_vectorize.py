"""autograd/trace/vectorize.py: layers found in any traced graph, and what is not grouped
still runs, with the float replay's numbers."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, trace
from autograd.trace.lower_numpy import batched_slots
from autograd.trace.vectorize import Map, MatMul, plan

np = pytest.importorskip("numpy")


def close(a, b, rel=1e-10):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rel * (1.0 + np.abs(b))))


def groups(program, n_arrays):
    """The plan's groups when the first ``n_arrays`` leaves hold the batch."""
    arrays = frozenset(range(n_arrays))
    return plan(program, batched_slots(program, arrays), grads=True).groups


def user_network(x, params, sizes, act):
    """A network written with Values, as a learner writes one: sum(w*x) from 0, then + b
    at the end (not nets' order), weights read from one flat list."""
    it = iter(params)
    h = x
    for k, width in enumerate(sizes):
        out = []
        for _ in range(width):
            ws = [next(it) for _ in h]
            s = sum((w * xi for w, xi in zip(ws, h)), Value(0.0)) + next(it)
            out.append(getattr(s, act)() if k < len(sizes) - 1 else s)
        h = out
    return h


def replay_rows(program, params, X):
    """The float replay, row by row: the per-row values and input gradients, and the
    parameter gradients summed."""
    values, gx, gp = [], [], [0.0] * len(params)
    for row in X:
        v, (gxi, gpi) = program.value_and_grad(row, params)
        values.append(v)
        gx.append(gxi)
        gp = [a + b for a, b in zip(gp, gpi)]
    return values, gx, gp


@pytest.mark.parametrize("act", ["tanh", "relu", "sigmoid"])
def test_the_layers_of_a_network_written_with_values_are_found(act):
    rng = random.Random(3)
    nin, sizes = 5, [7, 4, 1]
    count = sum((a + 1) * b for a, b in zip([nin, *sizes], sizes))
    params = [rng.uniform(-1, 1) for _ in range(count)]

    def loss(x, ps):
        (out,) = user_network(x, ps, sizes, act)
        return (out - 0.5) ** 2

    floats = trace(loss, [0.1] * nin, params)
    batch = trace(loss, [0.1] * nin, params, backend="numpy")
    found = groups(batch, nin)
    products = [g for g in found if isinstance(g, MatMul)]
    maps = [(g.op.family, len(g.ends)) for g in found if isinstance(g, Map)]
    # the two hidden layers as matrix products, the second reading the first's rows;
    # their biases (added after the sum) and activations as maps
    assert sorted(len(g.ends) for g in products) == [4, 7]
    assert any(g.x is not None for g in products)
    assert {(act, 7), (act, 4), ("add", 7), ("add", 4)} <= set(maps)

    X = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(9)]
    cols = [np.array(c) for c in zip(*X)]
    values, (gx, gp) = batch.value_and_grad(cols, params)
    want_v, want_gx, want_gp = replay_rows(floats, params, X)
    assert close(values, want_v)
    assert close(np.array(gx).T, want_gx)
    assert close(gp, want_gp)


def test_tied_weights_and_a_constant_weight_in_a_layer_add_their_shares():
    rng = random.Random(5)
    nin = 4
    params = [rng.uniform(-1, 1) for _ in range(9)]

    def fn(x, ps):
        w = ps[:4]
        # three neurons share w[0]; one has a constant weight, one reads w[1] twice
        rows = [
            [w[0], w[1], w[2], w[3]],
            [w[0], 2.5, w[1], ps[4]],
            [w[1], w[0], ps[5], w[1]],
        ]
        hs = [sum((a * b for a, b in zip(r, x)), ps[6 + k]).tanh() for k, r in enumerate(rows)]
        return hs[0] * hs[1] + hs[2]

    floats = trace(fn, [0.1] * nin, params)
    batch = trace(fn, [0.1] * nin, params, backend="numpy")
    assert [len(g.ends) for g in groups(batch, nin) if isinstance(g, MatMul)] == [3]
    X = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(6)]
    values, (gx, gp) = batch.value_and_grad([np.array(c) for c in zip(*X)], params)
    want_v, want_gx, want_gp = replay_rows(floats, params, X)
    assert close(values, want_v) and close(np.array(gx).T, want_gx) and close(gp, want_gp)


def test_a_graph_with_nothing_to_group_runs_slot_by_slot():
    # Sums of different inputs, of two terms, and a chain: no group anywhere.
    def fn(x, ps):
        a = ps[0] * x[0] + ps[1] * x[1]
        b = ps[2] * x[2] + x[0] * x[1]
        return (a * b).sin() + (a / (1.0 + b * b)).exp() + x[2].log()

    params = [0.3, -0.7, 1.1]
    floats = trace(fn, [0.5, 0.5, 0.5], params)
    batch = trace(fn, [0.5, 0.5, 0.5], params, backend="numpy")
    assert groups(batch, 3) == []
    rng = random.Random(8)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(0.1, 2)] for _ in range(7)]
    values, (gx, gp) = batch.value_and_grad([np.array(c) for c in zip(*X)], params)
    want_v, want_gx, want_gp = replay_rows(floats, params, X)
    assert close(values, want_v) and close(np.array(gx).T, want_gx) and close(gp, want_gp)
    # and a domain error still names the op and the sample
    bad = [np.array(c) for c in zip(*X)]
    bad[2][4] = -1.0
    with pytest.raises(ValueError, match="sample 4: log"):
        batch(bad, params)
    assert math.isfinite(float(np.sum(batch([np.array(c) for c in zip(*X)], params))))


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 6),
    st.lists(st.integers(1, 8), min_size=1, max_size=3),
    st.sampled_from(["tanh", "relu", "sigmoid"]),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_any_network_written_with_values_matches_the_float_replay(nin, hidden, act, first, seed):
    rng = random.Random(seed)
    sizes = [*hidden, 2]
    count = sum((a + 1) * b for a, b in zip([nin, *sizes], sizes))
    params = [rng.uniform(-1.5, 1.5) for _ in range(count)]

    def loss(x, ps):
        if first:  # the bias first, as nets writes it: b + w_1 x_1 + ...
            it, h = iter(ps), x
            for k, width in enumerate(sizes):
                rows = [[next(it) for _ in range(len(h) + 1)] for _ in range(width)]
                h = [sum((w * xi for w, xi in zip(r[1:], h)), r[0]) for r in rows]
                h = [getattr(v, act)() for v in h] if k < len(sizes) - 1 else h
            a, b = h
        else:
            a, b = user_network(x, ps, sizes, act)
        return (a - b).tanh() + a * b

    floats = trace(loss, [0.1] * nin, params)
    batch = trace(loss, [0.1] * nin, params, backend="numpy")
    X = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(5)]
    values, (gx, gp) = batch.value_and_grad([np.array(c) for c in zip(*X)], params)
    want_v, want_gx, want_gp = replay_rows(floats, params, X)
    assert close(values, want_v) and close(np.array(gx).T, want_gx) and close(gp, want_gp)
