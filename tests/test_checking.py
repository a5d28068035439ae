"""numerical_grad and gradcheck."""

import math

import pytest
from hypothesis import given

from autograd import GradcheckError, Value, gradcheck, numerical_grad
from autograd.checking import Mismatch
from autograd.testing import reals


@given(reals(-3, 3), reals(-3, 3))
def test_numerical_grad_is_accurate_for_smooth_functions(x, y):
    g = numerical_grad(lambda a, b: (a * b).sin() + a.exp(), [x, y])
    assert g == pytest.approx(
        [y * math.cos(x * y) + math.exp(x), x * math.cos(x * y)], rel=1e-7, abs=1e-8
    )


def test_step_scales_with_the_input():
    # With a fixed absolute step of 1e-6, x = 1e8 would lose all precision.
    (g,) = numerical_grad(lambda a: a * a, [1e8])
    assert g == pytest.approx(2e8, rel=1e-6)


def test_gradcheck_passes_on_correct_gradients():
    assert gradcheck(lambda a, b: (a / b).tanh() * b.log(), [0.3, 2.0]) is True
    assert gradcheck(lambda a, b: (a / b).tanh() * b.log(), [Value(0.3), 2]) is True


def test_a_graph_cut_by_data_is_caught():
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a: a * a.data, [3.0])
    message = str(info.value)
    assert "analytic 3," in message and "numeric 6 " in message and "x[0] = 3" in message
    assert isinstance(info.value, AssertionError)
    (m,) = info.value.mismatches
    assert m.index == 0 and m.x == 3.0 and m.analytic == 3.0
    assert m.numeric == pytest.approx(6.0)


def test_every_failing_input_is_named():
    wrong = lambda a, b, c: a * a.data + b * b.data + c * c
    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong, [1.0, 2.0, 3.0])
    assert [m.index for m in info.value.mismatches] == [0, 1]
    assert "2 of 3 derivatives disagree" in str(info.value)
    assert "d f / d x[0]" in str(info.value) and "d f / d x[1]" in str(info.value)
    assert "x[2]" not in str(info.value).split("\n", 1)[1]


def test_tolerances_are_respected():
    f = lambda a: a * a + 1e-4 * a.data
    assert gradcheck(f, [1.0], atol=1e-3)
    with pytest.raises(GradcheckError):
        gradcheck(f, [1.0], atol=1e-6, rtol=1e-6)


def test_bad_arguments():
    with pytest.raises(TypeError, match="f must return a Value, got float"):
        gradcheck(lambda a: a.data * 2, [1.0])
    with pytest.raises(TypeError, match="xs must be a list"):
        gradcheck(lambda a: a, 1.0)
    with pytest.raises(TypeError, match="expected a real number, got 'a'"):
        numerical_grad(lambda a: a, ["a"])


def test_mismatch_is_a_named_tuple():
    assert Mismatch(0, 1.0, 2.0, 3.0)._asdict() == {
        "index": 0,
        "x": 1.0,
        "analytic": 2.0,
        "numeric": 3.0,
    }


@pytest.mark.parametrize(
    "settings, error, message",
    [
        ({"eps": 0}, ValueError, "eps must be a positive finite number, got 0"),
        ({"eps": -1e-6}, ValueError, "eps must be a positive finite number"),
        ({"eps": float("nan")}, ValueError, "eps must be a positive finite number, got nan"),
        ({"eps": float("inf")}, ValueError, "eps must be a positive finite number"),
        ({"eps": 1e-300}, ValueError, "eps=1e-300 is no usable step at x[0] = 1"),
        ({"eps": True}, TypeError, "eps must be a number, got True"),
        ({"eps": "1e-6"}, TypeError, "eps"),
        ({"atol": float("nan")}, ValueError, "atol must be a finite number >= 0, got nan"),
        ({"rtol": float("nan")}, ValueError, "rtol must be a finite number >= 0, got nan"),
        ({"atol": -1.0}, ValueError, "atol must be a finite number >= 0"),
        ({"rtol": float("inf")}, ValueError, "rtol must be a finite number >= 0, got inf"),
    ],
    ids=repr,
)
def test_steps_and_tolerances_that_make_no_sense_are_named(settings, error, message):
    with pytest.raises(error) as caught:
        gradcheck(lambda x: x * x, [1.0], **settings)
    assert message in str(caught.value) and str(caught.value).startswith("gradcheck: ")
    if "eps" in settings:
        with pytest.raises(error, match=r"^numerical_grad: "):
            numerical_grad(lambda x: x * x, [1.0], eps=settings["eps"])
