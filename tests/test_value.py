"""Value: construction, arithmetic, errors, identity, and micrograd's conventions."""

import copy
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Op, Value, grad, gradcheck, op, topological_order
from autograd.testing import reals


def test_micrograd_signature_and_attributes():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, (a, b), "+", label="c")
    assert (c.data, c.grad, c._op, c.label) == (10.0, 0.0, "+", "c")
    assert c._prev == (a, b)
    assert repr(a) == "Value(data=2.0, grad=0.0, label='a')"
    assert repr(Value(1)) == "Value(data=1.0, grad=0.0)"


@pytest.mark.parametrize(
    "x", [3, 3.0, True, np.float64(3.0), np.float32(3.0), np.int64(3), Fraction(3, 1)]
)
def test_accepts_any_real_number(x):
    v = Value(x)
    assert type(v.data) is float and v.data == float(x)


@pytest.mark.parametrize("bad", ["abc", None, 1 + 2j, [1.0], Value(1.0)])
def test_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="Value: expected a real number"):
        Value(bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_rejects_non_finite(bad):
    with pytest.raises(ValueError, match="finite"):
        Value(bad)


def test_identity_hashing_sets_and_dicts():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b, a}) == 2
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"


def test_prev_keeps_order_and_repeats():
    a, b = Value(1.0), Value(2.0)
    assert (b * a)._prev == (b, a)
    assert (a * a)._prev == (a, a)
    assert (2 - a)._prev[1] is a and (2 - a)._prev[0].data == 2.0


@given(reals(-50, 50), reals(-50, 50, avoid=(0.0,)))
def test_arithmetic_with_numbers_on_either_side(x, y):
    v, w = Value(x), Value(y)
    assert (v + y).data == x + y and (y + v).data == y + x
    assert (v - y).data == x - y and (y - v).data == y - x
    assert (v * y).data == x * y and (y * v).data == y * x
    assert (v / w).data == x / y and (x / w).data == x / y and (v / y).data == x / y
    assert (-v).data == -x
    assert (v**2).data == x**2 and (v**3).data == x**3
    assert (v + w).data == x + y


@given(reals(0.01, 5), reals(-3, 3))
def test_powers_with_values_and_numbers(a, b):
    assert (Value(a) ** Value(b)).data == pytest.approx(a**b)
    assert (a ** Value(b)).data == pytest.approx(a**b)
    assert (Value(a) ** b).data == pytest.approx(a**b)


def test_op_names_match_micrograd():
    x = Value(2.0)
    assert (x + 1)._op == "+" and (x * 2)._op == "*"
    assert (x**2)._op == "**2" and (x**-1)._op == "**-1" and (x**0.5)._op == "**0.5"
    assert x.relu()._op == "ReLU" and x.tanh()._op == "tanh" and x.exp()._op == "exp"


def test_functions_forward_values():
    x = Value(0.7)
    assert x.exp().data == math.exp(0.7)
    assert x.log().data == math.log(0.7)
    assert x.sqrt().data == math.sqrt(0.7)
    assert x.tanh().data == math.tanh(0.7)
    assert x.sigmoid().data == pytest.approx(1 / (1 + math.exp(-0.7)), rel=1e-15)
    assert x.softplus().data == pytest.approx(math.log1p(math.exp(0.7)), rel=1e-15)
    assert x.sin().data == math.sin(0.7) and x.cos().data == math.cos(0.7)
    assert Value(-0.7).relu().data == 0.0 and x.relu().data == 0.7
    assert Value(-2.0).leaky_relu().data == pytest.approx(-0.02)
    assert Value(-2.0).leaky_relu(0.2).data == pytest.approx(-0.4)
    assert abs(Value(-2.0)).data == 2.0 and Value(-2.0).abs().data == 2.0


@pytest.mark.parametrize("x", [-1e308, -1000.0, -745.2, -50.0, 0.0, 50.0, 745.2, 1000.0, 1e308])
def test_sigmoid_tanh_softplus_never_overflow(x):
    v = Value(x)
    s, t, sp = v.sigmoid(), v.tanh(), v.softplus()
    assert 0.0 <= s.data <= 1.0 and -1.0 <= t.data <= 1.0
    assert sp.data >= 0.0 and math.isfinite(sp.data)
    assert sp.data == pytest.approx(max(x, 0.0) + math.log1p(math.exp(-abs(x))))
    for out in (s, t, sp):
        out.backward()
    assert all(math.isfinite(g) for g in grad(v.sigmoid() + v.tanh() + v.softplus(), [v]))


def test_kink_conventions_follow_pytorch():
    z = Value(0.0)
    assert grad(z.relu(), [z]) == [0.0]
    assert grad(abs(z), [z]) == [0.0]
    assert grad(z.leaky_relu(0.1), [z]) == [0.1]


def test_string_operand_is_a_type_error():
    with pytest.raises(TypeError, match=r"\+: expected a real number, got 'x'"):
        Value(1) + "x"
    with pytest.raises(TypeError, match=r"\*: expected a real number, got None"):
        None * Value(1)
    with pytest.raises(TypeError, match=r"\*\*"):
        Value(2) ** "2"


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Value(0.0).log(), ValueError, r"log: needs a positive number, got log\(0.0\)"),
        (lambda: Value(-1.5).log(), ValueError, r"log\(-1.5\)"),
        (lambda: Value(-4.0).sqrt(), ValueError, r"sqrt\(-4.0\)"),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, r"pow: negative base to a fractional"),
        (lambda: Value(-8.0) ** Value(0.5), ValueError, r"-8.0 \*\* 0.5"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"div: division by zero in 1.0 / 0.0"),
        (lambda: 3 / Value(0.0), ZeroDivisionError, r"3.0 / 0.0"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"pow: division by zero in 0.0 \*\* -1"),
        (lambda: Value(1000.0).exp(), OverflowError, r"exp: exp\(1000.0\) is too large"),
        (lambda: Value(1e200) * 1e200, OverflowError, r"mul: 1e\+200 \* 1e\+200"),
        (lambda: Value(1e308) + 1e308, OverflowError, r"add"),
        (lambda: Value(10.0) ** 400, OverflowError, r"pow: 10.0 \*\* 400"),
        (lambda: Value(1.0) + math.nan, ValueError, r"\+: operand must be a finite"),
    ],
)
def test_bad_input_names_the_operation_and_value(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_no_silent_nan_anywhere_in_a_long_computation():
    x = Value(3.0)
    y = x
    with pytest.raises(OverflowError):
        for _ in range(20):
            y = y * y  # 3 ** (2 ** 20) overflows long before NaN could appear


def test_numpy_arrays_broadcast_over_values():
    a = np.array([1.0, 2.0])
    out = a * Value(3.0)
    assert [v.data for v in out] == [3.0, 6.0]
    out = Value(3.0) + a
    assert [v.data for v in out] == [4.0, 5.0]


def test_sum_of_values_starts_from_zero():
    xs = [Value(float(i)) for i in range(4)]
    s = sum(xs)
    s.backward()
    assert s.data == 6.0 and all(x.grad == 1.0 for x in xs)


def test_micrograd_lecture_manual_backward_steps():
    # The lecture sets o.grad by hand and calls _backward() node by node.
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    o.grad = 1.0
    for node in (o, n, x1w1x2w2, x2w2, x1w1):
        node._backward()
    assert o.data == pytest.approx(0.7071, abs=1e-4)
    assert n.grad == pytest.approx(0.5)
    assert (x1.grad, w1.grad) == pytest.approx((-1.5, 1.0))
    assert (x2.grad, w2.grad) == pytest.approx((0.5, 0.0))
    leaf = Value(1.0)
    leaf._backward()  # a leaf's step does nothing
    assert leaf.grad == 0.0


def test_deepcopy_copies_the_graph():
    x = Value(2.0)
    y = (x * x).tanh()
    y2 = copy.deepcopy(y)
    assert y2 is not y and y2.data == y.data and y2._op is y._op
    assert grad(y2, [y2._prev[0]._prev[0]]) == grad(y, [x])


# ---- user-defined operations ---------------------------------------------------------

cube = Op("cube", lambda x: x**3, lambda x, out: 3 * x**2)


@op("hypot", derivative=lambda a, b, out: (a / out, b / out))
def hypot(a: float, b: float) -> float:
    """sqrt(a^2 + b^2)."""
    return math.hypot(a, b)


@given(reals(-3, 3))
def test_user_op_works_with_backward_grad_and_gradcheck(x):
    v = Value(x)
    y = cube(v)
    assert y._op == "cube" and y._prev == (v,) and y.data == x**3
    y.backward()
    assert v.grad == pytest.approx(3 * x**2)
    assert gradcheck(lambda a: cube(a) * a.tanh(), [x])
    # Its rule is written with Value arithmetic, so higher orders work.
    (d1,) = grad(cube(v), [v], create_graph=True)
    (d2,) = grad(d1, [v], create_graph=True)
    assert d2.data == pytest.approx(6 * x) and grad(d2, [v]) == pytest.approx([6.0])


@given(reals(0.5, 3), reals(0.5, 3))
def test_user_op_decorator_with_two_inputs_and_numbers(a, b):
    h = hypot(Value(a), b)
    assert h.data == pytest.approx(math.hypot(a, b)) and hypot.__doc__ == "sqrt(a^2 + b^2)."
    assert gradcheck(lambda x, y: hypot(x, y), [a, b])


def test_user_op_errors_are_clear():
    with pytest.raises(TypeError, match="cube: takes 1 input"):
        cube(Value(1.0), Value(2.0))
    with pytest.raises(TypeError, match="must be callables"):
        Op("bad", 1, 2)
    nan_op = Op("nan", lambda x: math.nan, lambda x, out: 1.0)
    with pytest.raises(ValueError, match=r"nan: the result nan is not a finite number"):
        nan_op(1.0)
    floaty = Op("floaty", math.erf, lambda x, out: 2 / math.sqrt(math.pi) * math.exp(-x * x))
    v = Value(0.3)
    assert grad(floaty(v), [v]) == pytest.approx([2 / math.sqrt(math.pi) * math.exp(-0.09)])
    with pytest.raises(TypeError, match="derivative rule of 'floaty' does not work on Values"):
        grad(floaty(v), [v], create_graph=True)


@given(st.sampled_from([2, 3, -1, 0.5]))
def test_power_ops_are_cached(n):
    x = Value(2.0)
    assert (x**n)._op is (x**n)._op


fma = Op("fma", lambda a, b, c: a * b + c, lambda a, b, c, out: (b, a, 1.0), arity=3)


@given(reals(-3, 3), reals(-3, 3), reals(-3, 3))
def test_ops_with_more_than_two_inputs(x, y, z):
    a, b, c = Value(x), Value(y), Value(z)
    out = fma(a, b, c) * a
    assert out._prev[0]._prev == (a, b, c)
    out.backward()
    assert (a.grad, b.grad, c.grad) == pytest.approx((2 * x * y + z, x * x, x))
    ga, gb, gc = grad(out, [a, b, c], create_graph=True)
    assert grad(ga, [a, b, c]) == pytest.approx([2 * y, 2 * x, 1.0])
    assert grad(gb, [a, b, c]) == pytest.approx([2 * x, 0.0, 0.0])
    assert grad(gc, [a, b, c]) == pytest.approx([1.0, 0.0, 0.0])
    assert gradcheck(lambda p, q, r: fma(p, q, r).tanh(), [x, y, z])


def test_children_given_by_hand_keep_their_order():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    assert Value(0.0, (a, b, c), "f")._prev == (a, b, c)
    assert Value(0.0, [b], "g")._prev == (b,)
    assert Value(0.0)._prev == () and Value(0.0, (c, a))._prev == (c, a)


def test_unary_plus_is_the_value_itself():
    x = Value(2.0)
    assert +x is x


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Value(-1.0).leaky_relu(math.nan), ValueError, "negative_slope must be finite"),
        (lambda: Value(-1e10).leaky_relu(1e300), OverflowError, r"LeakyReLU\(1e\+300\)"),
        (lambda: Value(-1.0).leaky_relu("a"), TypeError, "leaky_relu: negative_slope"),
        (lambda: Value(2.0) ** math.nan, ValueError, r"\*\*: the exponent must be a finite"),
        (lambda: Value(2.0) ** math.inf, ValueError, r"\*\*: the exponent must be a finite"),
        (lambda: Value(10**400), OverflowError, r"Value: 100000000000\.\.\.\(401 digits\)"),
        (lambda: Value(1.0) + 10**400, OverflowError, r"\+: 1000"),
        (
            lambda: grad(Value(0.0) ** 0.5, [Value(0.0)]),
            ZeroDivisionError,
            r"pow: .* 0.0 \*\* -0.5",
        ),
    ],
)
def test_bad_parameters_of_ops(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_derivative_of_x_to_the_zero_is_zero_everywhere():
    x = Value(0.0)
    assert grad(x**0, [x]) == [0.0]
    (g,) = grad(x**0, [x], create_graph=True)
    assert g.data == 0.0
    a, b = Value(0.0), Value(1.0)
    assert grad(a**b, [a]) == [1.0]  # b * a ** (b - 1) = 1 * 0 ** 0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "use",
    [
        lambda v: v.tanh(),
        lambda v: v.relu(),
        lambda v: v.exp(),
        lambda v: -v,
        lambda v: v * 2,
        lambda v: v + 1,
        lambda v: v**2,
        lambda v: v.log(),
    ],
)
def test_data_set_to_a_non_finite_number_by_hand_is_refused(bad, use):
    v = Value(1.0)
    v.data = bad  # as a diverging `p.data -= lr * p.grad` can do
    with pytest.raises(ValueError, match="non-finite"):
        use(v)


def test_op_decorator_accepts_builtins():
    erf = op("erf", derivative=lambda x, out: 2 / math.sqrt(math.pi) * math.exp(-x * x))(math.erf)
    assert erf.arity == 1 and erf(Value(0.5)).data == math.erf(0.5)


@given(reals(0.01, 5), reals(-3, 3))
def test_pow_method_is_the_power_operator(a, b):
    x, y = Value(a), Value(b)
    for method, operator in [(x.pow(b), x**b), (x.pow(y), x**y), (x.pow(2), x**2)]:
        assert method.data == operator.data and method._op == operator._op
        assert grad(method, [x]) == grad(operator, [x])
    assert x.pow(np.float64(b)).data == (x**b).data


def test_pow_method_refuses_what_the_operator_refuses():
    with pytest.raises(TypeError, match="pow: the exponent must be a real number or a Value"):
        Value(2.0).pow("2")
    with pytest.raises(TypeError, match="pow:"):
        Value(2.0).pow(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="finite"):
        Value(2.0).pow(math.inf)
    with pytest.raises(ValueError):
        Value(-2.0).pow(0.5)


@pytest.mark.parametrize(
    "children, message",
    [
        ((1, 2), "got 1 (of type int) at position 0"),
        ((Value(1.0), "x"), "got 'x' (of type str) at position 1"),
        ((Value(1.0), None), "got None (of type NoneType) at position 1"),
        (5, "must be a tuple of Values, got 5"),
    ],
    ids=repr,
)
def test_children_given_by_hand_must_be_values(children, message):
    with pytest.raises(TypeError, match=r"^Value: _children must be") as caught:
        Value(1.0, _children=children)
    assert message in str(caught.value)


def test_children_given_by_hand_work_as_in_micrograd():
    a, b = Value(2.0), Value(3.0)
    out = Value(6.0, _children=(a, b), _op="*")  # micrograd's lectures build nodes so
    assert out._prev == (a, b) and Value(1.0, _children={a})._prev == (a,)
    assert [v for v in topological_order(out)] == [a, b, out]
