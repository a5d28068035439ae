"""autograd.cli.expr: expressions as text, parsed with an allow-list and never eval'd."""

from __future__ import annotations

import inspect
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.cli.expr
from autograd import Value, grad, topological_order
from autograd.cli.expr import FUNCTIONS, ExpressionError, evaluate, parse_number, parse_variables

X, Y, Z = -2.0, 5.0, -4.0


def at(source: str, **values: float) -> tuple[Value, dict[str, Value]]:
    return evaluate(source, values or {"x": X, "y": Y, "z": Z})


@pytest.mark.parametrize(
    ("source", "function"),
    [
        ("(x + y) * z", lambda x, y, z: (x + y) * z),
        ("x - y / z", lambda x, y, z: x - y / z),
        ("x ** 2 + y ** -1", lambda x, y, z: x**2 + y**-1),
        ("2 ** y * x", lambda x, y, z: 2**y * x),
        ("y ** (x + 3)", lambda x, y, z: y ** (x + 3)),
        ("-x + +y - -z", lambda x, y, z: -x + y - -z),  # Value has no unary +
        (
            "tanh(x) * exp(z) + log(y) + sqrt(y)",
            lambda x, y, z: x.tanh() * z.exp() + y.log() + y.sqrt(),
        ),
        (
            "relu(x) + sigmoid(y) + softplus(z)",
            lambda x, y, z: x.relu() + y.sigmoid() + z.softplus(),
        ),
        ("leaky_relu(x) + leaky_relu(z, 0.2)", lambda x, y, z: x.leaky_relu() + z.leaky_relu(0.2)),
        ("leaky_relu(x, negative_slope=0.3)", lambda x, y, z: x.leaky_relu(0.3)),
        ("abs(x) * sin(y) + cos(z)", lambda x, y, z: abs(x) * y.sin() + z.cos()),
        ("x * x * y", lambda x, y, z: x * x * y),
        ("((x))", lambda x, y, z: x),
        ("1e-3 * x + 2.5e1", lambda x, y, z: 1e-3 * x + 25.0),
    ],
)
def test_expressions_match_the_same_code_on_values(source, function):
    out, leaves = at(source)
    x, y, z = Value(X), Value(Y), Value(Z)
    expected = function(x, y, z)
    assert out.data == expected.data
    assert grad(out, [leaves[n] for n in "xyz"]) == grad(expected, [x, y, z])


def test_variables_are_labelled_leaves_shared_by_every_use():
    out, leaves = at("x * x + y")
    assert list(leaves) == ["x", "y", "z"]
    assert all(v.label == n and not v._prev for n, v in leaves.items())
    assert out._prev[0]._prev == (leaves["x"], leaves["x"])
    out.backward()
    assert leaves["x"].grad == 2 * X and leaves["z"].grad == 0.0


def test_numbers_alone_are_computed_at_once_as_python_would():
    out, _ = at("x * (2 + 3)")
    constant = out._prev[1]
    assert constant.data == 5.0 and not constant._prev and not constant.label
    assert len(topological_order(out)) == 3
    out, _ = evaluate("2 ** 3 - 1", {})
    assert out.data == 7.0 and not out._prev
    assert at("x ** 2")[0]._op == "**2"  # a constant power, as x ** 2 on a Value
    assert at("x ** y")[0]._op == "**"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x.__class__", "attribute access"),
        ("x.data", "attribute access"),
        ("__import__('os').system('true')", "attribute access"),
        ("__import__('os')", "unknown function '__import__'"),
        ("eval('1')", "unknown function 'eval'"),
        ("open('f')", "unknown function 'open'"),
        ("print(x)", "unknown function 'print'"),
        ("lambda: x", "lambda"),
        ("[v for v in (x, y)]", "comprehensions"),
        ("(v for v in (x,))", "comprehensions"),
        ("{v: v for v in (x,)}", "comprehensions"),
        ("x[0]", "subscripts"),
        ("import os", "syntax error"),
        ("x = 1", "syntax error"),
        ("x; y", "syntax error"),
        ("(x + y", "syntax error"),
        ("x if y else z", "'if ... else'"),
        ("x < y", "comparisons"),
        ("x and y", "'and' / 'or'"),
        ("not x", "'not'"),
        ("x // y", "'//'"),
        ("x % y", "'%'"),
        ("x @ y", "'@'"),
        ("~x", "'~'"),
        ("x, y", "tuples"),
        ("[x]", "lists"),
        ("{x}", "sets"),
        ("{'a': x}", "dicts"),
        ("f'{x}'", "f-strings"),
        ("'text'", "text constant"),
        ("b'bytes'", "text constant"),
        ("True + x", "bool constant"),
        ("None", "NoneType constant"),
        ("1j * x", "complex constant"),
        ("...", "ellipsis constant"),
        ("(w := x)", "':='"),
        ("w + 1", "undefined variable 'w'"),
        ("tanh", "'tanh' is a function"),
        ("x(y)", "'x' is a variable, not a function"),
        ("tanh(x)(y)", "calling the result of a call"),
        ("x.tanh()", "attribute access"),
        ("tanh(x, y)", "tanh() takes 1 argument(s), got 2"),
        ("tanh()", "tanh() takes 1 argument(s), got 0"),
        ("leaky_relu(x, 0.1, 0.2)", "takes 1 to 2 argument(s)"),
        ("leaky_relu(x, y)", "negative_slope must be a number"),
        ("leaky_relu(x, slope=1)", "no argument named 'slope'"),
        ("tanh(*x)", "unpacking"),
        ("tanh(**x)", "unpacking"),
        ("1e999 * x", "too large"),
        ("9" * 5000, "the number at column 1 has 5,000 digits"),
        ("", "empty"),
        ("   ", "empty"),
        ("x\0", "syntax error"),
        ("-" * 9000 + "x", "too deeply nested"),  # refused by 3.10 to 3.13 alike
        ("(" * 300 + "x" + ")" * 300, "syntax error"),
        ("x" * 10_001, "too long"),
    ],
)
def test_everything_else_is_refused_in_one_line(source, message):
    with pytest.raises(ExpressionError) as caught:
        at(source)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text and len(text) < 300


@pytest.mark.parametrize(
    ("source", "error", "message"),
    [
        ("log(x)", ValueError, "log: needs a positive number"),
        ("sqrt(x)", ValueError, "sqrt"),
        ("y / (x + 2)", ZeroDivisionError, "division by zero"),
        ("1 / 0", ZeroDivisionError, "division by zero"),
        ("(-8) ** 0.5", ValueError, "negative base"),
        ("10.0 ** 400", OverflowError, "too large"),
        ("exp(y * 1000)", OverflowError, "exp"),
    ],
)
def test_engine_errors_pass_through_with_their_own_message(source, error, message):
    with pytest.raises(error, match=message):
        at(source)


def test_long_sums_are_evaluated_without_recursion():
    out, _ = evaluate("+".join(["x"] * 1500), {"x": 1})
    assert out.data == 1500.0


def test_parse_variables_and_numbers():
    assert parse_variables(["x=-2", "y = 5", "z=1e-3", "w=1_000"]) == {
        "x": -2.0,
        "y": 5.0,
        "z": 0.001,
        "w": 1000.0,
    }
    for bad, message in [
        (["x"], "expected name=value"),
        (["x=abc"], "'abc' is not a number"),
        (["x="], "is not a number"),
        (["x=nan"], "not a finite number"),
        (["x=inf"], "not a finite number"),
        (["x=1", "x=2"], "given twice"),
        (["1x=2"], "not a valid variable name"),
        (["lambda=2"], "not a valid variable name"),
        (["tanh=2"], "name of a function"),
    ]:
        with pytest.raises(ExpressionError, match=message):
            parse_variables(bad)
    assert parse_number(" 2.5 ") == 2.5
    with pytest.raises(ExpressionError, match="not a number"):
        parse_number("1/3")
    with pytest.raises(ExpressionError, match="value of x"):
        evaluate("x", {"x": "abc"})
    with pytest.raises(ExpressionError, match="value of x"):
        evaluate("x", {"x": float("nan")})


def test_every_listed_function_is_a_value_method():
    for name in FUNCTIONS:
        call = f"{name}(x, 2)" if name == "pow" else f"{name}(x)"
        out, _ = evaluate(call, {"x": 0.5})
        assert isinstance(out, Value) and out._prev


def test_no_eval_exec_or_compile_anywhere():
    source = inspect.getsource(autograd.cli.expr)
    for forbidden in ("eval(", "exec(", "compile(", "__import__", "pickle"):
        assert forbidden not in source


_PIECES = st.sampled_from(
    [
        "x",
        "y",
        "1",
        "2.5",
        "0",
        "+",
        "-",
        "*",
        "/",
        "**",
        "(",
        ")",
        ",",
        "tanh",
        "log",
        "sqrt",
        "leaky_relu",
        ".",
        "[",
        "]",
        "lambda",
        ":",
        "if",
        "else",
        "=",
        "'",
        " ",
        "__import__",
        "e3",
        "_",
    ]
)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=30), st.lists(_PIECES, max_size=12).map("".join)))
def test_any_text_gives_a_value_or_a_clear_error(source):
    try:
        out, _ = evaluate(source, {"x": 0.5, "y": -1.5})
    except ExpressionError as e:
        assert "\n" not in str(e)
    except (ArithmeticError, ValueError) as e:  # the engine's own errors
        assert str(e)
    else:
        assert isinstance(out, Value) and math.isfinite(out.data)


def test_variable_names_are_read_as_python_reads_them():
    # Python's parser folds identifiers to NFKC: a full-width x and the ligature fi.
    wide_x, fi = "\uff58", "\ufb01"
    out, leaves = evaluate(f"{wide_x} * 2 + {fi}", parse_variables([f"{wide_x}=2", f"{fi}=3"]))
    assert out.data == 7.0 and set(leaves) == {"x", "fi"}
    with pytest.raises(ExpressionError, match="given twice"):
        parse_variables(["x=1", f"{wide_x}=5"])


# ---- refusals come first; pow ---------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("exp(1000) + x[0]", "subscripts"),  # not exp's overflow, computed first before
        ("1 / 0 + x.y", "attribute access"),
        ("log(-1) + q", "undefined variable 'q'"),
        ("exp(1000) + 'a'", "text constant"),
        ("1 / 0 + " + "9" * 400, "has 400 digits"),
        ("exp(1000) + leaky_relu(x, x)", "negative_slope must be a number"),
        ("exp(1000) + tanh(x, 1)", "tanh() takes 1 argument(s)"),
    ],
)
def test_refusals_are_reported_before_any_arithmetic(source, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        at(source)


def test_integers_beyond_pythons_digit_limit_are_named_by_size():
    for source, digits in [("9" * 5000, "5,000"), ("x + 0x" + "f" * 5000, "6,021")]:
        with pytest.raises(ExpressionError) as caught:
            at(source)
        text = str(caught.value)
        assert f"has {digits} digits" in text and "set_int_max_str_digits" not in text


@given(st.floats(0.1, 5), st.floats(-3, 3))
def test_pow_is_a_function_with_the_rule_of_the_operator(x, y):
    out, leaves = at("pow(x, y) + pow(x, 2) + pow(2, y)", x=x, y=y)
    ref, ref_leaves = at("x ** y + x ** 2 + 2 ** y", x=x, y=y)
    assert out.data == ref.data
    assert grad(out, list(leaves.values())) == grad(ref, list(ref_leaves.values()))
    assert at("pow(x, exponent=3)", x=x)[0].data == at("x ** 3", x=x)[0].data
    assert at("pow(2, 3)")[0].data == 8.0 and not at("pow(2, 3)")[0]._prev


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("pow(x)", "pow() takes 2 argument(s), got 1"),
        ("pow(x, 2, 3)", "pow() takes 2 argument(s), got 3"),
        ("pow(x, power=2)", "no argument named 'power'"),
    ],
)
def test_pow_needs_its_exponent(source, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        at(source)
    with pytest.raises(ValueError, match="pow"):
        at("pow(x, 0.5)", x=-2.0)
