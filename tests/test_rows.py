"""autograd/trace/rows.py: a batch replayed in one call gives the row-by-row replay's bits."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.trace.rows as rows_module
from autograd import trace
from autograd.trace.compiling import Replay


def _sample(x, t, ps, scale, probe):
    """A small network's loss on one row, scaled, plus a probe of its output."""
    h = [(ps[0] * x[0] + ps[1] * x[1] + ps[2]).tanh(), (ps[3] * x[0] - ps[4] * x[1]).relu()]
    out = ps[5] * h[0] + ps[6] * h[1] + ps[7]
    return (out - t) ** 2 * scale + out * probe


def _one_by_one(program, X, T, ps, scale, probe, start):
    """Row by row, last row first, each adding into the parameters' gradients."""
    n = len(X)
    values, scales, probes = [0.0] * n, [0.0] * n, [0.0] * n
    grads = start
    for i in range(n - 1, -1, -1):
        v, g = program.value_and_grad(
            X[i], T[i], ps, scale, probe, start=[None, None, grads, None, None]
        )
        values[i], grads, scales[i], probes[i] = v, g[2], g[3], g[4]
    return values, (scales, probes), grads


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 9), st.booleans())
def test_a_batch_in_one_call_is_the_row_by_row_replay_bit_for_bit(seed, n, with_start):
    rng = random.Random(seed)
    program = trace(_sample, [0.5, 0.5], 1.0, [0.1] * 8, 0.25, 0.0)
    X = [[rng.uniform(-3, 3), rng.uniform(-3, 3)] for _ in range(n)]
    T = [rng.choice([-1.0, 1.0]) for _ in range(n)]
    ps = [rng.uniform(-2, 2) for _ in range(8)]
    start = [rng.uniform(-1, 1) for _ in range(8)] if with_start else None
    run = program.rows(rows=(0, 1), per_row=(3, 4))
    values, (scales, probes), grads = run(
        X, T, ps, 1.0 / n, 0.0, 1.0, [None, None, start, None, None]
    )
    want_values, (want_scales, want_probes), want_grads = _one_by_one(
        program, X, T, ps, 1.0 / n, 0.0, start
    )
    assert values == want_values and scales == want_scales and probes == want_probes
    assert list(grads[2]) == list(want_grads)
    assert grads[0] is None and grads[1] is None and grads[3] is None


def test_a_row_that_goes_wrong_raises_replay_and_the_caller_replays_it_alone():
    program = trace(_sample, [0.5, 0.5], 1.0, [0.1] * 8, 0.25, 0.0)
    run = program.rows(rows=(0, 1), per_row=(3, 4))
    ps = [1e200] * 8
    X = [[1.0, 1.0], [1e200, 1e200]]  # the second row's products overflow
    with pytest.raises(Replay):
        run(X, [1.0, 1.0], ps, 0.5, 0.0, 1.0, [None] * 5)
    with pytest.raises(OverflowError):  # what the row's own replay says (on Values)
        program.value_and_grad(X[1], 1.0, ps, 0.5, 0.0)


def test_bad_batches_raise_replay():
    program = trace(_sample, [0.5, 0.5], 1.0, [0.1] * 8, 0.25, 0.0)
    run = program.rows(rows=(0, 1), per_row=(3, 4))
    ps = [0.1] * 8
    for X, T in (
        ([[1.0, 2.0]], [1.0, -1.0]),  # lengths differ
        ([[1.0, math.nan]], [1.0]),  # not finite
        ([[1.0]], [1.0]),  # a row of the wrong shape
        ([[1.0, "2"]], [1.0]),  # not a number
    ):
        with pytest.raises((Replay, TypeError, ValueError)):
            run(X, T, ps, 1.0, 0.0, 1.0, [None] * 5)


def test_refusals():
    program = trace(_sample, [0.5, 0.5], 1.0, [0.1] * 8, 0.25, 0.0)
    with pytest.raises(ValueError, match="at least one argument must come row by row"):
        program.rows(rows=())
    old = rows_module.MOST
    rows_module.MOST = 10
    try:
        with pytest.raises(ValueError, match="too long for one function"):
            program.rows(rows=(1,))
    finally:
        rows_module.MOST = old
