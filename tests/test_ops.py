"""Every op of the table: forward value, first and second derivatives, against closed
forms and against central finite differences, at hypothesis-chosen points."""

import math

import pytest
from hypothesis import given, settings

from autograd import Value, grad, gradcheck, numerical_grad
from autograd.ops import OPS
from autograd.testing import APPLY, op_inputs


def _sig(x):
    return 1 / (1 + math.exp(-x))


# name: (f, gradient, Hessian rows) written independently of the engine.
CLOSED = {
    "add": (lambda a, b: a + b, lambda a, b: (1, 1), lambda a, b: ((0, 0), (0, 0))),
    "sub": (lambda a, b: a - b, lambda a, b: (1, -1), lambda a, b: ((0, 0), (0, 0))),
    "mul": (lambda a, b: a * b, lambda a, b: (b, a), lambda a, b: ((0, 1), (1, 0))),
    "div": (
        lambda a, b: a / b,
        lambda a, b: (1 / b, -a / b**2),
        lambda a, b: ((0, -1 / b**2), (-1 / b**2, 2 * a / b**3)),
    ),
    "neg": (lambda x: -x, lambda x: (-1,), lambda x: ((0,),)),
    "pow2": (lambda x: x * x, lambda x: (2 * x,), lambda x: ((2,),)),
    "pow3": (lambda x: x**3, lambda x: (3 * x * x,), lambda x: ((6 * x,),)),
    "pow-1": (lambda x: 1 / x, lambda x: (-1 / x**2,), lambda x: ((2 / x**3,),)),
    "pow0.5": (
        math.sqrt,
        lambda x: (0.5 / math.sqrt(x),),
        lambda x: ((-0.25 * x**-1.5,),),
    ),
    "pow-2.5": (
        lambda x: x**-2.5,
        lambda x: (-2.5 * x**-3.5,),
        lambda x: ((8.75 * x**-4.5,),),
    ),
    "powv": (
        lambda a, b: a**b,
        lambda a, b: (b * a ** (b - 1), a**b * math.log(a)),
        lambda a, b: (
            (b * (b - 1) * a ** (b - 2), a ** (b - 1) * (1 + b * math.log(a))),
            (a ** (b - 1) * (1 + b * math.log(a)), a**b * math.log(a) ** 2),
        ),
    ),
    "exp": (math.exp, lambda x: (math.exp(x),), lambda x: ((math.exp(x),),)),
    "log": (math.log, lambda x: (1 / x,), lambda x: ((-1 / x**2,),)),
    "sqrt": (math.sqrt, lambda x: (0.5 / math.sqrt(x),), lambda x: ((-0.25 * x**-1.5,),)),
    "tanh": (
        math.tanh,
        lambda x: (1 / math.cosh(x) ** 2,),
        lambda x: ((-2 * math.tanh(x) / math.cosh(x) ** 2,),),
    ),
    "sigmoid": (
        _sig,
        lambda x: (_sig(x) * (1 - _sig(x)),),
        lambda x: ((_sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)),),),
    ),
    "softplus": (
        lambda x: math.log1p(math.exp(x)),
        lambda x: (_sig(x),),
        lambda x: ((_sig(x) * (1 - _sig(x)),),),
    ),
    "sin": (math.sin, lambda x: (math.cos(x),), lambda x: ((-math.sin(x),),)),
    "cos": (math.cos, lambda x: (-math.sin(x),), lambda x: ((-math.cos(x),),)),
    "atan": (math.atan, lambda x: (1 / (1 + x * x),), lambda x: ((-2 * x / (1 + x * x) ** 2,),)),
    "relu": (lambda x: max(x, 0), lambda x: (float(x > 0),), lambda x: ((0,),)),
    "leaky_relu": (
        lambda x: x if x > 0 else 0.01 * x,
        lambda x: (1 if x > 0 else 0.01,),
        lambda x: ((0,),),
    ),
    "leaky_relu0.2": (
        lambda x: x if x > 0 else 0.2 * x,
        lambda x: (1 if x > 0 else 0.2,),
        lambda x: ((0,),),
    ),
    "abs": (abs, lambda x: (math.copysign(1, x),), lambda x: ((0,),)),
    "step": (lambda x: 1.0 if x > 0 else 0.25, lambda x: (0,), lambda x: ((0,),)),
    "sign": (lambda x: math.copysign(1, x), lambda x: (0,), lambda x: ((0,),)),
    "xlogy": (
        lambda y, a: y * math.log(a),
        lambda y, a: (math.log(a), y / a),
        lambda y, a: ((0, 1 / a), (1 / a, -y / a**2)),
    ),
}

NAMES = sorted(OPS)


def test_every_op_has_a_closed_form_and_an_application():
    assert set(CLOSED) == set(OPS) == set(APPLY)


def _close(actual, expected, rel=1e-9, abs_=1e-12):
    return actual == pytest.approx(expected, rel=rel, abs=abs_)


def _points(name):
    return op_inputs(name)


@pytest.mark.parametrize("name", NAMES)
def test_forward_and_first_derivative_match_closed_forms(name):
    f, df, _ = CLOSED[name]
    apply = APPLY[name]

    @settings(max_examples=60)
    @given(_points(name))
    def check(xs):
        vs = [Value(x) for x in xs]
        out = apply(*vs)
        assert _close(out.data, f(*xs), rel=1e-12)
        assert _close(grad(out, vs), list(df(*xs)), rel=1e-9)

    check()


@pytest.mark.parametrize("name", NAMES)
def test_first_derivative_matches_central_differences(name):
    apply = APPLY[name]

    @settings(max_examples=60)
    @given(_points(name))
    def check(xs):
        assert gradcheck(apply, list(xs), atol=1e-6, rtol=1e-5)

    check()


@pytest.mark.parametrize("name", NAMES)
def test_second_derivatives_match_closed_forms_and_differences(name):
    _, _, d2f = CLOSED[name]
    apply = APPLY[name]

    @settings(max_examples=40)
    @given(_points(name))
    def check(xs):
        vs = [Value(x) for x in xs]
        first = grad(apply(*vs), vs, create_graph=True)
        hessian = [grad(g, vs) for g in first]
        for row, expected in zip(hessian, d2f(*xs)):
            assert _close(row, list(expected), rel=1e-8, abs_=1e-10)
        # Row i of the Hessian is the gradient of the i-th first derivative.
        for i, row in enumerate(hessian):
            numeric = numerical_grad(
                lambda *a, i=i: grad(apply(*a), list(a), create_graph=True)[i] * 1.0, xs
            )
            assert _close(row, numeric, rel=1e-4, abs_=1e-5)

    check()


@pytest.mark.parametrize(
    "name, f3",
    [
        ("exp", math.exp),
        ("sin", lambda x: -math.cos(x)),
        ("log", lambda x: 2 / x**3),
        ("pow3", lambda x: 6.0),
        ("tanh", lambda x: -2 * (1 - math.tanh(x) ** 2) * (1 - 3 * math.tanh(x) ** 2)),
    ],
)
def test_third_derivatives(name, f3):
    apply = APPLY[name]

    @settings(max_examples=25)
    @given(_points(name))
    def check(xs):
        v = Value(xs[0])
        (d1,) = grad(apply(v), [v], create_graph=True)
        (d2,) = grad(d1, [v], create_graph=True)
        assert _close(grad(d2, [v]), [f3(xs[0])], rel=1e-8, abs_=1e-10)

    check()


def test_pow_by_value_at_zero_base():
    a, b = Value(0.0), Value(2.0)
    assert grad(a**b, [a, b]) == [0.0, 0.0]
    with pytest.raises(ValueError, match=r"needs a > 0, got a = -2\.0"):
        grad(Value(-2.0) ** Value(2.0), [b])


def test_sqrt_derivative_at_zero_is_an_error():
    x = Value(0.0)
    with pytest.raises(ZeroDivisionError, match="sqrt"):
        x.sqrt().backward()
    assert x.grad == 0.0


# ---- what a user's derivative rule returns is checked, wherever it is used -------------

_BAD_RULES = [
    # (rule for an op of two inputs, error type, message)
    (lambda a, b, out: (1.0,), TypeError, r"must return 2 numbers.*got 1: \(1.0,\)"),
    (lambda a, b, out: (1.0, 2.0, 3.0), TypeError, r"must return 2 numbers.*got 3"),
    (lambda a, b, out: 1.0, TypeError, r"must return 2 numbers.*got 1.0"),
    (lambda a, b, out: (1.0, None), TypeError, r"for input 1 must be a real.*None"),
    (lambda a, b, out: (1j, 1.0), TypeError, r"for input 0 must be a real.*1j"),
    (lambda a, b, out: (1.0, math.nan), ValueError, r"for input 1 is nan at"),
    (lambda a, b, out: (math.inf, 1.0), ValueError, r"for input 0 is inf at"),
]


def _every_path(op):
    """Run op's rule through backward, grad (both modes), _backward and a traced program."""
    from autograd import trace

    def backward():
        a, b = Value(0.5), Value(2.0)
        out = op(a, b) * 3.0
        out.backward()

    def first():
        a, b = Value(0.5), Value(2.0)
        grad(op(a, b), [a, b])

    def create_graph():
        a, b = Value(0.5), Value(2.0)
        grad(op(a, b), [a, b], create_graph=True)

    def by_hand():
        out = op(Value(0.5), Value(2.0))
        out.grad = 1.0
        out._backward()

    def replay():
        trace(lambda a, b: op(a, b) * 3.0, 0.5, 2.0).value_and_grad(0.5, 2.0)

    return [backward, first, create_graph, by_hand, replay]


@pytest.mark.parametrize(("rule", "error", "message"), _BAD_RULES)
def test_a_bad_derivative_is_an_error_naming_the_op(rule, error, message):
    from autograd import Op

    op = Op("wobble", lambda a, b: a * b, rule, arity=2)
    for run in _every_path(op):
        with pytest.raises(error, match=r"Op 'wobble': its derivative " + message):
            run()


def test_a_failed_rule_leaves_grads_untouched_and_good_rules_pass():
    from autograd import Op

    a, b = Value(0.5), Value(2.0)
    bad = Op("bad", lambda x: 2 * x, lambda x, out: None)
    out = bad(a) * b
    with pytest.raises(TypeError, match="Op 'bad'"):
        out.backward()
    assert a.grad == b.grad == out.grad == 0.0
    # ints, numpy numbers and lists are fine: they are converted to floats.
    np = pytest.importorskip("numpy")
    ok = Op("ok", lambda x, y: x * y, lambda x, y, out: [np.float64(y), 1], arity=2)
    g = grad(ok(a, b), [a, b])
    assert g == [2.0, 1.0] and all(type(x) is float for x in g)
    one = Op("one", lambda x: 3 * x, lambda x, out: 3)
    assert grad(one(a), [a]) == [3.0]
    with pytest.raises(TypeError, match=r"Op 'one': its derivative must return one number"):
        grad(Op("one", lambda x: x, lambda x, out: (1.0,))(a), [a])
