"""The rule table (autograd/ops.py OPS) and everything that reads it: each consumer knows
every op, so that adding an op is its entry, a one-line Value method, and nothing else
(README, "Adding an operation").  A consumer that misses an op fails here."""

from __future__ import annotations

import importlib.util
import inspect
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from autograd import Value, grad, trace
from autograd.cli.expr import FUNCTIONS, evaluate
from autograd.ops import OPS, Op
from autograd.testing import APPLY, FLOAT_APPLY, LEARNER_OPS, op_inputs
from autograd.trace.lower_numpy import array_form

NAMES = sorted(OPS)
DOCS = Path(__file__).resolve().parent.parent / "docs"
# How a learner writes each of Python's operators, by the Value method behind it.
OPERATORS = {"__add__": "a + b", "__sub__": "a - b", "__mul__": "a * b", "__truediv__": "a / b"}
OPERATORS.update({"__neg__": "-a", "__pow__": "a ** b"})


def bits(x: float) -> tuple[float, float]:
    return (x, math.copysign(1.0, x))


@pytest.mark.parametrize("name", NAMES)
def test_every_op_has_a_forward_a_rule_a_numpy_form_and_a_domain(name):
    op, domain, kinks = OPS[name]
    assert isinstance(op, Op) and op.builtin and len(domain) == len(kinks) == op.arity
    assert callable(op.forward) and callable(op.derivative) and op.numpy is not None
    assert op.family and isinstance(op.params, tuple)


@pytest.mark.parametrize("name", NAMES)
def test_the_inline_and_numpy_forms_agree_with_forward(name):
    op = OPS[name][0]
    form = array_form(op, np)

    @settings(max_examples=40, deadline=None)
    @given(op_inputs(name))
    def check(xs):
        want = op.forward(*xs)
        if op.inline is not None:  # what the float replay writes: the same bits
            text = op.inline[1].format(*(f"x{i}" for i in range(len(xs))))
            got = eval(text, {f"x{i}": x for i, x in enumerate(xs)})
            assert bits(got) == bits(want), text
        arrays = [np.array([x, x]) for x in xs]
        assert np.allclose(form(*arrays), [want, want], rtol=1e-12, atol=1e-300)

    check()


@pytest.mark.parametrize("name", NAMES)
def test_the_traced_backward_gives_the_rules_bits(name):
    """The float replay's backward is derived from the rule (on symbols): the same bits
    as the rule on floats, which the Value path uses."""
    apply = APPLY[name]
    arity = OPS[name][0].arity
    program = trace(lambda *xs: apply(*xs) * 1.5, *[0.5] * arity)

    @settings(max_examples=40, deadline=None)
    @given(op_inputs(name))
    def check(xs):
        vs = [Value(x) for x in xs]
        out = apply(*vs) * 1.5
        want = grad(out, vs)
        value, got = program.value_and_grad(*xs)
        assert bits(value) == bits(out.data) and [bits(g) for g in got] == [bits(g) for g in want]

    check()


@pytest.mark.parametrize("name", NAMES)
def test_the_strategies_know_every_op(name):
    op = OPS[name][0]
    assert name in APPLY and name in FLOAT_APPLY
    assert (name in LEARNER_OPS) == (op.method is not None)


@pytest.mark.parametrize("name", [n for n in NAMES if OPS[n][0].method is not None])
def test_every_op_a_learner_writes_is_a_value_method_and_in_the_expression_language(name):
    op = OPS[name][0]
    method = getattr(Value, op.method)
    xs = [Value(0.5, label="a"), Value(1.5, label="b")][: op.arity]
    node = method(*xs, *op.params)
    assert node._op is op or (node._op.family, node._op.params) == (op.family, op.params)
    if op.method in OPERATORS:
        text = OPERATORS[op.method]
        if op.params:  # x ** n for a constant n
            text = f"a ** {op.params[0]!r}"
    else:
        assert op.method in FUNCTIONS, f"{op.method} is not a function of the expression language"
        extra = [repr(p) for p in op.params if p != _default(op.method)]
        text = f"{op.method}({', '.join(['a', 'b'][: op.arity] + extra)})"
    out, _ = evaluate(text, {"a": 0.5, "b": 1.5})
    assert out._op is op or (out._op.family, out._op.params) == (op.family, op.params), text


def _default(method: str):
    parameters = list(inspect.signature(getattr(Value, method)).parameters.values())[1:]
    return parameters[0].default if parameters else None


def test_the_docs_list_every_op():
    pytest.importorskip("sphinx", reason="the docs are in the dev extra")
    spec = importlib.util.spec_from_file_location("docs_conf", DOCS / "conf.py")
    assert spec is not None and spec.loader is not None
    conf = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(conf)
    except Exception:  # the course pages need executed notebooks; the ops page does not
        pytest.skip("docs/conf.py needs the executed notebooks")
    page = conf.ops_page()
    for name, (op, _, _) in OPS.items():
        assert f"| `{name}` | {op.__doc__} |" in page
        if op.method and not op.method.startswith("__"):
            assert f"a.{op.method}(" in page or op.method == "abs"
