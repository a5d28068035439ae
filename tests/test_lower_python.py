"""autograd/trace/lower_python.py and chunks.py: the float replay as generated Python.

The classes of crash an outside pass found in the earlier code generator, each a test
(constants under + and relu, programs without arguments, long sums, constants that are
not floats or whose repr is code), long programs split into functions, and compile
failures that are errors, never a silent detour through the Value path.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.trace.chunks
import autograd.trace.compiling as compiling
import autograd.trace.lower_python as lower_python
from autograd import Value, trace
from autograd.backprop import gradients
from autograd.testing import expressions
from autograd.trace import CompileError, Program
from autograd.trace.check import same


def on_values(fn, *args):
    """fn on fresh Values: (output, gradients), or the error it raises."""
    vs = [Value(x) for x in args]
    try:
        out = fn(*vs)
        return out.data, tuple(gradients(out, vs))
    except (ArithmeticError, ValueError) as e:
        return type(e), str(e)


def on_program(program, *args):
    try:
        return program.value_and_grad(*args)
    except (ArithmeticError, ValueError) as e:
        return type(e), str(e)


# ---- constants -------------------------------------------------------------------------


def test_a_constant_value_under_an_add_and_under_a_relu():
    p = Value(0.5)  # not passed in: a constant of the program, with its own little graph
    for fn in (lambda x: x * (p + 1.0), lambda x: x * p.relu(), lambda x: (p * p + x).relu()):
        program = trace(fn, 1.0)
        for x in (2.0, -3.0, 0.0):
            assert same(program.value_and_grad(x), (fn(Value(x)).data, (on_values(fn, x)[1][0],)))
            assert program(x) == fn(Value(x)).data


def test_constants_whose_number_is_a_numpy_scalar_or_a_fraction_or_a_hostile_float():
    class Evil(float):
        def __repr__(self) -> str:
            return "__import__('os').system('echo pwned') or 1.0"

    for number in (np.float64(1.5), np.float32(0.25), Fraction(1, 3), Evil(2.0)):
        c = Value(1.0)
        c.data = number  # .data set by hand keeps the object, as the Value path does
        fn = lambda x, c=c: x * c + c
        program = trace(fn, 2.0)
        assert "pwned" not in program.source and "import" not in program.source
        x = Value(3.0)
        out = fn(x)
        out.backward()
        assert same(program(3.0), out.data) and same(
            program.value_and_grad(3.0), (out.data, (x.grad,))
        )


def test_programs_without_arguments():
    program = trace(lambda: Value(2.0) * 3.0)
    assert program() == 6.0
    assert program.value_and_grad() == (6.0, ())
    assert trace(lambda: [1.0, Value(2.0)])() == [1.0, 2.0]


# ---- long programs ---------------------------------------------------------------------


def test_a_sum_of_five_thousand_terms():
    xs = [random.Random(k).uniform(-1, 1) for k in range(5000)]
    program = trace(lambda v: sum(v), xs)
    vs = [Value(x) for x in xs]
    total = sum(vs)
    total.backward()
    value, (g,) = program.value_and_grad(xs)
    assert value == total.data and g == [v.grad for v in vs]
    assert program(xs) == total.data
    weighted = trace(lambda v: sum(x * x for x in v), xs)
    assert weighted(xs) == sum(Value(x) * Value(x) for x in xs).data


@settings(max_examples=60, deadline=None)
@given(expressions(max_steps=12), st.integers(0, 2**32 - 1))
def test_programs_split_into_functions_give_the_same_bits(expr, seed):
    rng = random.Random(seed)
    point = [rng.choice([x, rng.uniform(-3, 3)]) for x in expr.point]
    one = trace(expr, *expr.point)
    # a function of at most 2 statements: every value that lives on crosses between them
    old = lower_python.SINGLE, lower_python.CHUNK
    lower_python.SINGLE, lower_python.CHUNK = 1, 2
    try:
        split = trace(expr, *expr.point)
        for run in (
            lambda p: p.value_and_grad(*point),
            lambda p: p.value_and_grad(*point, seed=0.5, start=[0.25, -0.0, 1.0]),
            lambda p: p(*point),
        ):
            a, b = _result(run, split), _result(run, one)
            assert a == b if a[0] == "error" else same(a, b), str(expr)
    finally:
        lower_python.SINGLE, lower_python.CHUNK = old


def _result(run, program):
    try:
        return ("ok", run(program))
    except (ArithmeticError, ValueError) as e:
        return ("error", type(e), str(e))


def test_split_programs_take_lists_tuples_and_nested_arguments():
    fn = lambda xs, pair, y: (sum(x * y for x in xs) + pair[0][1] * pair[1]).tanh()
    args = ([0.5, -1.0, 2.0], ((1.0, 2.0), 3.0), 0.5)
    one = trace(fn, *args)
    old = lower_python.SINGLE, lower_python.CHUNK
    lower_python.SINGLE, lower_python.CHUNK = 1, 3
    try:
        split = trace(fn, *args)
        assert same(split.value_and_grad(*args), one.value_and_grad(*args))
        start = ([1.0, 2.0, 3.0], ((0.5, 0.25), -1.0), 2.0)
        assert same(
            split.value_and_grad(*args, start=start), one.value_and_grad(*args, start=start)
        )
        assert split(*args) == one(*args)
        assert "part0(R)" in split.source
    finally:
        lower_python.SINGLE, lower_python.CHUNK = old


# ---- what the generated code looks like ------------------------------------------------


def test_no_expression_is_nested_beyond_the_limit():
    program = trace(lambda v: sum(v), [1.0] * 1000)
    deepest = max(line.count(" + ") for line in program.source.splitlines())
    assert deepest <= lower_python.MAX_DEPTH


def test_blocks_of_one_guard_share_an_if_and_none_is_empty():
    program = trace(lambda x, y: (x * y + x + y).relu() * (x + 2.0), 1.0, 2.0)
    lines = program.source.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("if ") and line.strip().endswith(":"):
            indent = len(line) - len(line.lstrip())
            assert len(lines[i + 1]) - len(lines[i + 1].lstrip()) > indent, program.source


# ---- compile failures ------------------------------------------------------------------


def test_a_compile_failure_is_an_error_with_a_message(monkeypatch):
    def refuse(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded during compilation")

    monkeypatch.setattr(compiling, "compile", refuse, raising=False)
    program = trace(lambda x: x * 2.0, 1.0)
    with pytest.raises(CompileError, match=r"could not be compiled \(RecursionError"):
        program(3.0)
    with pytest.raises(CompileError):
        program.value_and_grad(3.0)


def test_fit_does_not_go_round_a_compile_failure(monkeypatch):
    nets = pytest.importorskip("nets")

    def refuse(*args, **kwargs):
        raise MemoryError

    ran_on_values = []
    monkeypatch.setattr(compiling, "compile", refuse, raising=False)
    monkeypatch.setattr(Program, "on_values", lambda *a, **k: ran_on_values.append(1))
    model = nets.Neuron(3)
    with pytest.raises(CompileError, match="MemoryError"):
        nets.fit(model, [[1.0, 2.0, 3.0]] * 4, [0, 1, 0, 1], epochs=2, progress=False)
    assert not ran_on_values


def test_a_neuron_of_3200_inputs_trains_on_its_program():
    nets = pytest.importorskip("nets")
    random.seed(0)
    model = nets.Neuron(3200, nonlin=False)
    rng = random.Random(1)
    X = [[rng.uniform(-1, 1) for _ in range(3200)] for _ in range(4)]
    y = [0, 1, 1, 0]
    on_values = []
    real = Program.on_values

    def count(self, *args, **kwargs):
        on_values.append(1)
        return real(self, *args, **kwargs)

    Program.on_values = count  # type: ignore[method-assign]
    try:
        traced = nets.fit(model, X, y, epochs=2, progress=False, loss="hinge")
    finally:
        Program.on_values = real  # type: ignore[method-assign]
    assert not on_values  # every step replayed the program: none fell back to Values
    random.seed(0)
    again = nets.Neuron(3200, nonlin=False)
    plain = nets.fit(again, X, y, epochs=2, progress=False, loss="hinge", compile=False)
    assert traced["loss"] == plain["loss"]
    assert [p.data for p in model.parameters()] == [p.data for p in again.parameters()]


def test_the_chunked_driver_refuses_what_the_single_function_refuses():
    old = lower_python.SINGLE, lower_python.CHUNK
    lower_python.SINGLE, lower_python.CHUNK = 1, 2
    try:
        program = trace(lambda xs, y: xs[0] * y + xs[1], [1.0, 2.0], 3.0)
        with pytest.raises(ValueError, match="finite number, got nan"):
            program([1.0, math.nan], 3.0)
        with pytest.raises(TypeError, match="expected a real number"):
            program(["1.5", 2.0], 3.0)
        assert program((1, 2), 3) == 5.0
    finally:
        lower_python.SINGLE, lower_python.CHUNK = old


def test_the_chunks_module_is_where_split_programs_are_made():
    assert autograd.trace.chunks.assemble.__module__ == "autograd.trace.chunks"


def test_a_user_ops_rule_runs_once_a_node_and_its_errors_still_come_out():
    from autograd import Op

    calls = []

    def derivative(x, y, out):
        calls.append((x, y))
        if x > 100.0:
            return math.inf, 1.0  # a bad rule: the error names the op
        return y, x

    mul2 = Op("mul2", lambda x, y: x * y, derivative, arity=2)
    fn = lambda x, y: mul2(x, y) + mul2(y, 3.0)
    program = trace(fn, 1.0, 2.0)
    calls.clear()
    value, grads = program.value_and_grad(1.5, -2.0)
    assert len(calls) == 2  # two nodes; each node's two partials from one call of the rule
    assert (value, tuple(grads)) == on_values(fn, 1.5, -2.0)
    with pytest.raises(ValueError, match="Op 'mul2': its derivative for input 0 is inf"):
        program.value_and_grad(200.0, 1.0)
