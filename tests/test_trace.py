"""autograd.trace: programs replay the Value path bit for bit, errors included."""

import math
import random
import threading
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.value
from autograd import Op, Value, trace
from autograd.testing import expressions, reals
from autograd.trace import Program, TraceError, TraceMismatch, allow_data

# ---- helpers ---------------------------------------------------------------------------


def same(a, b) -> bool:
    """Bit-for-bit equality of nested results; 0.0 and -0.0 differ."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    return False


def on_values(fn, *args):
    """fn on fresh Values and backward(): ('ok', value, grads) or ('error', type, message)."""
    try:
        vs = [Value(x) for x in args]
        out = fn(*vs)
        out.backward()
        return ("ok", out.data, tuple(v.grad for v in vs))
    except (ArithmeticError, ValueError) as e:
        return ("error", type(e), str(e))


def on_program(program, *args):
    try:
        value, grads = program.value_and_grad(*args)
        return ("ok", value, grads)
    except (ArithmeticError, ValueError) as e:
        return ("error", type(e), str(e))


def agree(a, b) -> bool:
    if a[0] == "ok" == b[0]:
        return same(a[1], b[1]) and same(a[2], b[2])
    return a == b


# ---- random expression graphs ------------------------------------------------------------

# Points anywhere, including outside an op's domain (log of a negative number, an
# overflowing exp, a division by zero): the program must then raise the same error.
wide = st.floats(-50.0, 50.0, allow_nan=False) | st.sampled_from([0.0, -0.0, 1e-310, 700.0])


@settings(max_examples=300)
@given(expressions(), st.tuples(wide, wide, wide))
def test_random_graphs_replay_bit_for_bit_errors_included(expr, point):
    program = trace(expr, *expr.point)
    assert agree(on_program(program, *expr.point), on_values(expr, *expr.point)), str(expr)
    assert agree(on_program(program, *point), on_values(expr, *point)), f"{expr} at {point}"
    assert agree_forward(program, expr, point), f"{expr} at {point}"


def agree_forward(program, fn, args) -> bool:
    """program(*args) against fn on Values without backward: same float or same error."""
    results = []
    for run in (lambda: program(*args), lambda: fn(*map(Value, args)).data):
        try:
            results.append(("ok", run()))
        except (ArithmeticError, ValueError) as e:
            results.append(("error", type(e), str(e)))
    (a, b) = results
    return same(a[1], b[1]) if a[0] == "ok" == b[0] else a == b


@settings(max_examples=100)
@given(expressions(), st.integers(0, 2**32 - 1))
def test_random_graphs_with_seed_and_start(expr, seed):
    """seed scales the output's gradient; start is added into term by term."""
    rng = random.Random(seed)
    factor = rng.choice([1.0, 0.5, -3.0, 1e-3])
    start = [rng.uniform(-1, 1) for _ in expr.point]
    program = trace(expr, *expr.point)
    value, grads = program.value_and_grad(*expr.point, seed=factor, start=start)
    vs = [Value(x) for x in expr.point]
    out = expr(*vs)
    from autograd.backprop import gradients

    assert same(grads, tuple(gradients(out, vs, seed=factor, start=start)))
    assert value == out.data


# ---- the nets models -------------------------------------------------------------------

nets = pytest.importorskip("nets")
from nets import losses as L  # noqa: E402

ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "linear"]
LOSSES = {
    "hinge": lambda s, t: L.hinge(s, t),
    "mse": lambda s, t: L.mse(s, t),
    "bce_logits": lambda s, t: L.binary_cross_entropy_with_logits(s, (t + 1) / 2),
}


def model_reference(model, loss, x, t, params):
    """The Value path at parameters ``params``: loss and d loss / d parameter and input."""
    for p, v in zip(model.parameters(), params):
        p.data = v
    xs = [Value(xi) for xi in x]
    out = loss(model(xs), t)
    model.zero_grad()
    out.backward()
    return out.data, [p.grad for p in model.parameters()], [v.grad for v in xs]


@settings(max_examples=40)
@given(
    st.sampled_from(ACTIVATIONS),
    st.sampled_from(sorted(LOSSES)),
    st.integers(0, 2**32 - 1),
)
def test_mlp_losses_replay_bit_for_bit(activation, loss_name, seed):
    rng = random.Random(seed)
    random.seed(seed)
    model = nets.MLP(3, [5, 4, 1], activation=activation)
    loss = LOSSES[loss_name]
    t = rng.choice([-1.0, 1.0])
    x0 = [rng.uniform(-2, 2) for _ in range(3)]
    program = trace(lambda ps, x: loss(model(x), t), model.parameters(), x0)
    for _ in range(3):
        params = [rng.uniform(-2, 2) for _ in model.parameters()]
        x = [rng.uniform(-3, 3) for _ in range(3)]
        value, (gp, gx) = program.value_and_grad(params, x)
        ref_value, ref_gp, ref_gx = model_reference(model, loss, x, t, params)
        assert same(value, ref_value)
        assert same(gp, ref_gp) and same(gx, ref_gx)
        assert same(program(params, x), ref_value)


def test_the_demo_step_is_bit_identical_from_per_sample_programs():
    """micrograd's demo step (hinge + L2 over 20 moons points), rebuilt from one traced
    sample: rows replayed last to first with seed 1/n, starting from the L2 gradients."""
    X, y = nets.data.make_moons(20, noise=0.1, seed=3)
    y = [2.0 * t - 1.0 for t in y]
    random.seed(1337)
    model = nets.MLP(2, [16, 16, 1])
    params = model.parameters()

    scores = [model(row) for row in X]
    data_loss = sum((1 + -t * s).relu() for t, s in zip(y, scores)) * (1.0 / len(X))
    loss = data_loss + 1e-4 * sum(p * p for p in params)
    model.zero_grad()
    loss.backward()
    want = [p.grad for p in params]

    def sample(ps, row, t):
        return (1 + -t * model(row)).relu()

    def l2(ps):
        return 1e-4 * sum(p * p for p in ps)

    per_sample = trace(sample, params, X[0], y[0])
    reg_value, (acc,) = trace(l2, params).value_and_grad([p.data for p in params])
    pv = [p.data for p in params]
    losses = []
    for row, t in reversed(list(zip(X, y))):
        value, (acc, _, _) = per_sample.value_and_grad(
            pv, row, t, seed=1.0 / len(X), start=(acc, None, None)
        )
        losses.append(value)
    total = 0.0
    for value in reversed(losses):
        total = total + value
    assert total * (1.0 / len(X)) + reg_value == loss.data
    assert acc == want


def test_constants_are_baked_in():
    random.seed(0)
    model = nets.MLP(2, [3, 1])
    program = trace(lambda x: model(x), [0.5, 0.5])  # parameters not passed: constants
    before = program([1.0, 2.0])
    for p in model.parameters():
        p.data += 1.0
    assert program([1.0, 2.0]) == before
    assert len(program.constants) == model.num_parameters()


def test_losses_that_branch_on_data_are_refused_and_fused_ones_are_traced():
    random.seed(0)
    model = nets.MLP(2, [3, 2])
    # log_softmax takes its max shift from the numbers, in Python: refused.
    with pytest.raises(TraceError, match=r"read \.data of a Value .*activations\.py"):
        trace(lambda x: nets.log_softmax(model(x))[1], [0.5, 0.5])
    # cross_entropy and binary_cross_entropy decide inside one op (nets.losses): traced,
    # and the replay holds far from the example too.
    program = trace(lambda x: L.cross_entropy(model(x), 1), [0.5, 0.5])
    assert program.check([300.0, -500.0]) and program.check([-0.1, 0.2])
    one = nets.MLP(2, [3, 1])
    program = trace(lambda x: L.binary_cross_entropy([one(x).sigmoid()], [1.0]), [0.5, 0.5])
    assert program.check([40.0, -40.0]) and program.check([-3.0, 1.0])


# ---- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "example", "bad", "error", "message"),
    [
        (lambda x: x.log(), 2.0, -1.0, ValueError, r"log: needs a positive number"),
        (lambda x: (x * 1e300).exp(), 1e-300, 1.0, OverflowError, r"exp: exp\(1e\+300\)"),
        (lambda x: x * 1e300 * 1e300, 1e-300, 1.0, OverflowError, r"mul: 1e\+300 \* 1e\+300"),
        (lambda x: 1.0 / x, 2.0, 0.0, ZeroDivisionError, r"div: division by zero in 1.0 / 0.0"),
        (lambda x: x.sqrt(), 4.0, 0.0, ZeroDivisionError, r"sqrt: the derivative"),
        (lambda x: (x * 1e300).relu() * 0.0, 1.0, 1e10, OverflowError, "mul"),
        (lambda x: (x * x).tanh() + x, 1.0, 1e200, OverflowError, "mul"),
        (lambda x: Value(1e300) * (x * 1e300).log(), 1.0, 1e-300, OverflowError, "backward"),
    ],
)
def test_errors_are_the_engines(fn, example, bad, error, message):
    program = trace(fn, example)
    with pytest.raises(error, match=message) as replayed:
        program.value_and_grad(bad)
    with pytest.raises(error) as direct:
        v = Value(bad)
        fn(v).backward()
    assert str(replayed.value) == str(direct.value)


def test_arguments_are_checked_like_values():
    program = trace(lambda xs, y: xs[0] * y + xs[1], [1.0, 2.0], 3.0)
    assert program([1, 2], 3) == 5.0 and type(program([1, 2], 3)) is float
    assert program((True, 2.0), 3.0) == 5.0
    with pytest.raises(TypeError, match=r"argument leaf 0: Value: expected a real number, got 'a'"):
        program(["a", 2.0], 3.0)
    with pytest.raises(TypeError, match="expected a real number"):
        program(["1.5", 2.0], 3.0)
    with pytest.raises(ValueError, match="must be a finite number, got nan"):
        program([1.0, math.nan], 3.0)
    with pytest.raises(ValueError, match="must be a finite number, got inf"):
        program.value_and_grad([1.0, 2.0], math.inf)


def test_structure_errors_name_both_shapes():
    program = trace(lambda xs, y: xs[0] * y + xs[1], [1.0, 2.0], 3.0)
    with pytest.raises(TraceError, match=r"takes 2 arguments \(\[2 numbers\], number\), got 1"):
        program([1.0, 2.0])
    with pytest.raises(
        TraceError,
        match=r"args\[0\]: expected \[2 numbers\], got \[3 numbers\] \(length 3 instead of 2\)",
    ):
        program([1.0, 2.0, 3.0], 3.0)
    with pytest.raises(TraceError, match=r"args\[1\]: expected a number, got \[1 number\]"):
        program.value_and_grad([1.0, 2.0], [3.0])
    with pytest.raises(TraceError, match=r"args\[0\]: expected \[2 numbers\], got 1.0"):
        program(1.0, 3.0)
    nested = trace(lambda a: a[0][0] * a[1], [[1.0, 2.0], 3.0])
    assert nested([[2.0, 0.0], 4.0]) == 8.0
    with pytest.raises(TraceError, match=r"args\[0\]\[0\]: expected \[2 numbers\]"):
        nested([[2.0], 4.0])


def test_value_and_grad_needs_one_value():
    program = trace(lambda x: [x, x * 2], 1.0)
    assert program(3.0) == [3.0, 6.0]
    with pytest.raises(TraceError, match="returned a list of 2"):
        program.value_and_grad(3.0)


def test_ops_applied_through_methods_bound_before_the_trace():
    relu, add = Value.relu, Value.__add__  # as nets' activation table holds them
    program = trace(lambda x, y: relu(add(x * y, y)).tanh(), 1.0, 2.0)
    assert (
        program.value_and_grad(-3.0, 2.0)
        == on_values(lambda x, y: relu(add(x * y, y)).tanh(), -3.0, 2.0)[1:]
    )


def test_bad_traces():
    with pytest.raises(TraceError, match="must return a Value, a number"):
        trace(lambda x: "x", 1.0)
    x = Value(1.0)
    with pytest.raises(TraceError, match="appears twice"):
        trace(lambda a, b: a + b, x, x)
    with pytest.raises(TraceError, match="computed from others"):
        trace(lambda a: a * 2, x * 3)
    with pytest.raises(TraceError, match="built by hand"):
        trace(lambda a: Value(a.data if False else 1.0, (a,), "custom") * a, 1.0)
    with pytest.raises(TypeError, match="trace: argument leaf 0"):
        trace(lambda a: a, "a")


# ---- the trap of data-dependent control flow ----------------------------------------------


def branchy(x):
    if x.data > 0:
        return x * 2
    return x * 3


def test_reading_data_during_a_trace_is_refused_and_says_where():
    with pytest.raises(TraceError, match=r"read \.data .*test_trace\.py:\d+, in branchy"):
        trace(branchy, 1.0)
    with pytest.raises(TraceError, match=r"set \.data"):
        trace(lambda x: setattr(x, "data", 2.0) or x, 1.0)
    # Constants and Values the trace does not depend on may be read.
    c = Value(2.0)
    assert trace(lambda x: x * c.data + Value(3.0).data, 1.0)(2.0) == 7.0


def test_a_trace_patches_nothing_and_leaves_nothing_running_even_a_failed_one():
    before = dict(vars(Value))
    functions = dict(vars(autograd.value))
    seen = []

    def spy(x):
        seen.append(dict(vars(Value)))
        return x * 2

    trace(spy, 1.0)
    with pytest.raises(TraceError):
        trace(branchy, 1.0)
    with pytest.raises(ZeroDivisionError):
        trace(lambda x: 1 / 0, 1.0)
    assert dict(vars(Value)) == before and seen == [before]  # during the trace too
    assert {k: v for k, v in vars(autograd.value).items() if k in functions} == functions
    assert autograd.value.DATA_WATCH.active == 0 and autograd.value._tapes is None
    x = Value(2.0)
    assert (x * 3).data == 6.0 and repr(x) == "Value(data=2.0, grad=0.0)"


def test_allow_data_opts_out_and_check_catches_the_baked_branch():
    def guarded(x):
        with allow_data():
            return x * 2 if x.data > 0 else x * 3

    program = trace(guarded, 1.0)
    assert program(5.0) == 10.0 and program.check(5.0)
    assert program(-1.0) == -2.0  # the branch of the example is baked in
    with pytest.raises(TraceMismatch, match=r"output: replay -2.0, Values -3.0") as e:
        program.check(-1.0)
    assert "gradient of args[0]: replay 2.0, Values 3.0" in str(e.value)
    assert isinstance(e.value, AssertionError)


def test_check_compares_errors_and_restores_given_values():
    w = Value(2.0)
    program = trace(lambda w, x: (w * x).log(), w, 1.0)
    assert program.check(3.0, -1.0)  # both raise the same ValueError
    assert w.data == 2.0


def test_tracing_in_one_thread_leaves_other_threads_alone():
    started, done = threading.Event(), threading.Event()
    results = []

    def worker():
        started.wait()
        x = Value(3.0)
        for _ in range(2000):
            y = x * 2.0
            results.append(y.data)  # reading .data is fine outside the trace's thread
        done.set()

    def slow(x):
        started.set()
        done.wait(10)
        return x * 2

    t = threading.Thread(target=worker)
    t.start()
    program = trace(slow, 1.0)
    t.join()
    assert results == [6.0] * 2000 and program(4.0) == 8.0


# ---- user-defined ops --------------------------------------------------------------------

cube = Op("cube", lambda x: x**3, lambda x, out: 3 * x**2)
fma = Op("fma", lambda a, b, c: a * b + c, lambda a, b, c, out: (b, a, 1), arity=3)
plus = Op("+", lambda a, b: a * b, lambda a, b, out: (b, a), arity=2)  # a misleading name


@given(reals(-3, 3), reals(-3, 3), reals(-3, 3))
def test_user_ops_replay(x, y, z):
    def f(a, b, c):
        return fma(cube(a), b, c).tanh() + plus(a, c)

    program = trace(f, 0.1, 0.2, 0.3)
    assert agree(on_program(program, x, y, z), on_values(f, x, y, z))
    assert program(x, y, z) == f(Value(x), Value(y), Value(z)).data


def test_user_op_errors_in_replay():
    blowup = Op("blowup", lambda x: math.exp(x), lambda x, out: out)
    program = trace(lambda x: blowup(x), 1.0)
    with pytest.raises(OverflowError, match="math range error"):
        program(1000.0)
    odd = Op("odd", lambda x: x, lambda x, out: math.nan)
    program = trace(lambda x: odd(x) * 2, 1.0)
    assert program(3.0) == 6.0
    with pytest.raises(ValueError, match=r"Op 'odd': its derivative for input 0 is nan"):
        program.value_and_grad(3.0)


# ---- the generated code --------------------------------------------------------------


def test_source_holds_slots_and_table_entries_only():
    x = Value(1.0, label="'); import os #")
    hostile = Op("evil\nimport os", lambda a: a + 1.0, lambda a, out: 1.0)
    program = trace(lambda a, b: hostile(a * b).relu(), x, 2.0)
    source = program.source
    assert "import os" not in source and "evil" not in source
    assert "def forward(v0, v1):" in source and "t0(" in source
    assert program(3.0, 2.0) == 7.0


def test_the_classic_example():
    program = trace(lambda x, y, z: (x + y) * z, -2.0, 5.0, -4.0)
    assert isinstance(program, Program) and len(program) == 2
    assert [(str(s.op), s.inputs, s.output) for s in program.steps] == [
        ("+", (0, 1), 3),
        ("*", (3, 2), 4),
    ]
    assert "v3 = v0 + v1" in program.source and "v4 = v3 * v2" in program.source
    assert program.value_and_grad(-2.0, 5.0, -4.0) == (-12.0, (-4.0, -4.0, 3.0))
    assert program(1.0, 2.0, 3.0) == 9.0


# ---- the numpy backend ------------------------------------------------------------------

np = pytest.importorskip("numpy")


def close(a, b, rel=1e-12) -> bool:
    """Equal to ``rel`` relative to the largest number compared (normwise): a gradient
    that cancels (terms of 1e4 adding up to 2.5) is as exact as its largest neighbour."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(np.abs(a - b) <= rel * max(1.0, float(np.max(np.abs(b), initial=0.0)))))


@settings(max_examples=100)
@given(expressions(), st.integers(0, 2**32 - 1))
def test_numpy_backend_matches_the_float_replay_sample_by_sample(expr, seed):
    rng = random.Random(seed)
    floats = trace(expr, *expr.point)
    batch = trace(expr, *expr.point, backend="numpy")
    # A batch of points near the traced one (inside the ops' domains), one variable shared.
    n = 5
    cols = [np.array([x + rng.uniform(-1e-3, 1e-3) for _ in range(n)]) for x in expr.point]
    cols[-1] = float(expr.point[-1])
    values, grads = batch.value_and_grad(*cols)
    assert close(batch(*cols), values)
    shared = 0.0
    for i in range(n):
        args = [c[i] if type(c) is not float else c for c in cols]
        v, g = floats.value_and_grad(*args)
        assert close(values[i], v), str(expr)
        assert all(close(grads[k][i], g[k]) for k in range(len(cols) - 1)), str(expr)
        shared += g[-1]
    assert close(grads[-1], shared, rel=1e-10), str(expr)  # a number: summed over the batch


def test_numpy_backend_on_an_mlp_step_and_seed():
    random.seed(3)
    model = nets.MLP(2, [8, 8, 1], activation="tanh")
    params = model.parameters()

    def hinge(ps, x, t):  # L.hinge reads the label's .data to check it: refused in a trace
        return (1 + -t * model(x)).relu()

    sample = trace(hinge, params, [0.1, 0.2], 1.0)
    batch = trace(hinge, params, [0.1, 0.2], 1.0, backend="numpy")
    X, y = nets.data.make_moons(40, noise=0.1, seed=0)
    t = np.array([2.0 * v - 1.0 for v in y])
    cols = [np.array([r[0] for r in X]), np.array([r[1] for r in X])]
    pv = [p.data for p in params]
    values, (gp, gx, gt) = batch.value_and_grad(pv, cols, t, seed=1.0 / len(X))
    want = [0.0] * len(pv)
    for i, row in enumerate(X):
        v, (g, gxi, _) = sample.value_and_grad(pv, row, t[i], seed=1.0 / len(X))
        assert close(values[i], v) and close([gx[0][i], gx[1][i]], gxi)
        want = [a + b for a, b in zip(want, g)]
    assert close(gp, want, rel=1e-10) and all(type(g) is float for g in gp)
    assert gt.shape == (40,)


def test_numpy_backend_errors_name_the_sample_and_the_engines_message():
    batch = trace(lambda x, y: (x * y).log() + x, 1.0, 2.0, backend="numpy")
    with pytest.raises(ValueError, match=r"sample 2: log: needs a positive number"):
        batch(np.array([1.0, 2.0, -3.0, 4.0]), 2.0)
    with pytest.raises(OverflowError, match=r"sample 1: mul: 1e\+300 \* 1e\+300"):
        batch.value_and_grad(np.array([1.0, 1e300]), np.array([1.0, 1e300]))
    relu = trace(lambda x: (x * 1e300).relu() * 0.0 + x, 1.0, backend="numpy")
    with pytest.raises(OverflowError, match="sample 0: mul"):  # an inf hidden by relu
        relu(np.array([-1e300, 1.0]))
    with pytest.raises(TraceError, match="holds 3 samples, an earlier one 2"):
        batch(np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0]))
    with pytest.raises(TraceError, match="must be a number or a 1-D array"):
        batch(np.ones((2, 2)), 1.0)
    with pytest.raises(ValueError, match="backend must be 'python' or 'numpy'"):
        trace(lambda x: x, 1.0, backend="torch")


def test_numpy_backend_with_user_ops_and_every_builtin():
    fns = {
        "unary": lambda x: (
            x.exp().log()
            + x.sigmoid()
            + x.softplus()
            + x.sin() * x.cos()
            + abs(x)
            + x.tanh()
            + x.leaky_relu(0.2)
            + (x * x + 1.0).sqrt()
            + (x * x + 1.0) ** 1.5
            + 1.0 / (x + 3.0)
        ),
        "user": lambda x: cube(x) + fma(x, x, x),
        "power": lambda x: (x * x + 1.0) ** (x * 0.5),
    }
    xs = np.array([-1.5, -0.2, 0.3, 2.0])
    for name, fn in fns.items():
        floats, batch = trace(fn, 0.5), trace(fn, 0.5, backend="numpy")
        values, (g,) = batch.value_and_grad(xs)
        for i, x in enumerate(xs):
            v, (gi,) = floats.value_and_grad(float(x))
            assert close(values[i], v) and close(g[i], gi), name


def test_start_at_minus_zero_is_kept_as_the_value_path_keeps_it():
    from autograd.backprop import gradients

    program = trace(lambda x, y: x.relu() * y + y.relu(), 1.0, 2.0)
    for x, y in ((-1.0, 2.0), (1.0, -2.0), (-1.0, -2.0)):
        for start in ([-0.0, -0.0], [-0.0, 0.0], [0.0, -0.0]):
            vs = [Value(x), Value(y)]
            want = gradients(vs[0].relu() * vs[1] + vs[1].relu(), vs, start=start)
            _, got = program.value_and_grad(x, y, start=start)
            assert same(list(got), want), (x, y, start, got, want)


def _groups(program, *args):
    """The weighted sums that the numpy lowering does as matrix products: their rows."""
    from autograd.trace.lower_numpy import batched_slots
    from autograd.trace.vectorize import MatMul, plan

    leaves = program.flat(args, "test", arrays=True)
    arrays = frozenset(i for i, x in enumerate(leaves) if type(x) is not float)
    found = plan(program, batched_slots(program, arrays), grads=False).groups
    return [[SimpleNamespace(w=row) for row in g.w] for g in found if isinstance(g, MatMul)]


@settings(max_examples=25)
@given(
    st.lists(st.integers(1, 9), min_size=1, max_size=3),
    st.sampled_from(["relu", "tanh", "linear"]),
    st.integers(0, 2**32 - 1),
)
def test_numpy_backend_layers_as_matrix_products_match_the_float_replay(widths, act, seed):
    rng = random.Random(seed)
    nin = rng.randint(1, 9)
    model = nets.MLP(nin, [*widths, 2], activation=act)
    params = model.parameters()
    pv = [rng.uniform(-2.0, 2.0) for _ in params]

    def fn(ps, x):  # a constant weight and a repeated input too
        a, b = model(x)
        s = (
            0.25
            + 3.0 * x[0]
            + ps[0] * x[-1]
            + ps[1] * x[0]
            + ps[2] * x[-1]
            + ps[3] * x[0]
            + ps[4] * x[-1]
        )
        return a * b + s.tanh()

    floats = trace(fn, params, [0.5] * nin)
    batch = trace(fn, params, [0.5] * nin, backend="numpy")
    cols = [np.array([rng.uniform(-3.0, 3.0) for _ in range(6)]) for _ in range(nin)]
    values, (gp, gx) = batch.value_and_grad(pv, cols)
    assert close(batch(pv, cols), values)
    want = [0.0] * len(pv)
    for i in range(6):
        v, (g, gxi) = floats.value_and_grad(pv, [c[i] for c in cols])
        assert close(values[i], v) and close([c[i] for c in gx], gxi)
        want = [a + b for a, b in zip(want, g)]
    assert close(gp, want, rel=1e-10)


def test_numpy_backend_fuses_a_layer_and_keeps_the_engines_errors():
    model = nets.MLP(4, [5, 1], activation="relu")
    params = model.parameters()
    batch = trace(lambda ps, x: model(x), params, [0.5] * 4, backend="numpy")
    pv = [p.data for p in params]
    cols = [np.array([1.0, 2.0, 3.0]) for _ in range(4)]
    assert [len(g) for g in _groups(batch, pv, cols)] == [5]  # the hidden layer
    big = [1e300] * len(pv)  # every product overflows: the engine names the multiplication
    with pytest.raises(OverflowError, match="sample 0: mul"):
        batch(big, cols)
    # b + w.x with b = 1e308: the first partial sum overflows although w.x is 0 and the
    # total 1e308.  The float replay's order decides, so the engine's error comes out,
    # as on the Value path (a matrix product would add the terms first).
    add = trace(
        lambda ps, x: sum((w * xi for w, xi in zip(ps, x)), ps[-1]),
        [1.0] * 7,
        [1.0] * 6,
        backend="numpy",
    )
    ws = [1e308, -1e308, -1e308, 1e308, 0.0, 0.0, 1e308]
    xs = [np.array([1.0, 1.0]) for _ in range(6)]
    assert [len(g[0].w) for g in _groups(add, ws, xs)] == [6]
    with pytest.raises(OverflowError, match="sample 0: add"):
        add(ws, xs)
    with pytest.raises(OverflowError, match="sample 0: add"):
        add.value_and_grad(ws, xs)

    # Two sums of the same inputs, one of them unused by the output: only the other one
    # is part of the backward pass.
    def two_sums(ps, x):
        used = sum((w * xi for w, xi in zip(ps[:8], x)), ps[16])
        sum((w * xi for w, xi in zip(ps[8:16], x)), ps[17])
        return used.tanh()

    rng = random.Random(7)
    pv = [rng.uniform(-1.0, 1.0) for _ in range(18)]
    floats = trace(two_sums, pv, [0.5] * 8)
    batch = trace(two_sums, pv, [0.5] * 8, backend="numpy")
    cols = [np.array([rng.uniform(-1.0, 1.0) for _ in range(3)]) for _ in range(8)]
    values, (gp, gx) = batch.value_and_grad(pv, cols)
    want = [0.0] * len(pv)
    for i in range(3):
        v, (g, gxi) = floats.value_and_grad(pv, [c[i] for c in cols])
        assert close(values[i], v) and close([c[i] for c in gx], gxi)
        want = [a + b for a, b in zip(want, g)]
    assert close(gp, want, rel=1e-10) and gp[8:16] == [0.0] * 8


def test_check_of_a_numpy_program_compares_the_float_replay():
    program = trace(lambda x: (x * 3.0).tanh() + x, 0.5, backend="numpy")
    assert program.check(0.7) and program.check(-2.0)
