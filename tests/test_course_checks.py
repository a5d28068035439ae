"""nets.course.checks: @exercise_check turns a check's failures into messages to act on.

PYTEST_DONT_REWRITE: the checks below are defined here, and their asserts must fail as in
a notebook (pytest would add its own explanation to their messages).
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from nets.course import ENGINE, CheckFailed, exercise_check, mistakes_table
from nets.course import hints as hints_module


@exercise_check
def check_double(fn):
    for x in (1.0, 2.5):
        got = fn(x)
        assert got == 2 * x, f"double of {x}: your function gives {got}, expected {2 * x}"


def test_a_passing_check_passes_and_returns_what_the_check_returns():
    assert check_double(lambda x: x + x) is None


def test_a_failure_is_a_check_failed_with_the_checks_message():
    with pytest.raises(CheckFailed) as info:
        check_double(lambda x: x + 1)
    assert str(info.value) == "double of 2.5: your function gives 3.5, expected 5.0"
    assert info.value.kind == "failed" and isinstance(info.value, AssertionError)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_a_known_mistake_is_named(monkeypatch):
    message = "double of 1.0: your function gives 1.0, expected 2.0"
    table = {"check_double": {hints_module.fingerprint(message): ["x itself: multiply by 2"]}}
    monkeypatch.setattr(mistakes_table, "MISTAKES", table)
    with pytest.raises(CheckFailed) as info:
        check_double(lambda x: 1.0 * x)
    assert str(info.value) == (
        message + "\nA known mistake gives these very numbers: x itself: multiply by 2."
    )
    assert info.value.raw == message  # what hints are looked up by


def test_an_answer_that_raises_is_named_with_its_arguments():
    @exercise_check
    def check_layer(fn):
        fn(np.zeros((2, 3)), np.zeros(3), 1.5, [1, 2])

    def layer(W, x, scale, sizes):
        return W @ np.zeros(2)

    with pytest.raises(CheckFailed) as info:
        check_layer(layer)
    assert str(info.value).startswith(
        "layer(array 2x3, array 3, 1.5, list of 2) raised ValueError: matmul:"
    )
    assert info.value.kind == "error"
    assert isinstance(info.value.__cause__, ValueError)  # the learner's traceback stays


def test_an_answer_the_check_cannot_use_says_so():
    @exercise_check
    def check_number(fn):
        assert abs(fn() - 1.0) < 1e-9, "one"

    with pytest.raises(CheckFailed, match="check_number could not use your answer: TypeError"):
        check_number(lambda: "1.0")


def test_a_check_that_catches_the_answers_error_keeps_its_own_message():
    @exercise_check
    def check_safe(fn):
        try:
            fn()
        except ZeroDivisionError:
            raise AssertionError("your function divides by zero at 0") from None

    with pytest.raises(CheckFailed, match=r"^your function divides by zero at 0$"):
        check_safe(lambda: 1 / 0)


def test_a_stub_stays_a_not_implemented_error():
    def stub(x):
        raise NotImplementedError("exercise: double it")

    with pytest.raises(NotImplementedError, match="exercise: double it"):
        check_double(stub)


def test_an_assert_without_a_message_still_says_which_check():
    @exercise_check
    def check_bare(fn):
        assert fn() == 1

    with pytest.raises(CheckFailed, match=r"check_bare failed \(its assert has no message\)"):
        check_bare(lambda: 2)


def test_classes_are_given_to_the_check_as_they_are():
    seen = []

    @exercise_check
    def check_class(cls):
        seen.append(cls)

    class Thing:
        pass

    check_class(Thing)
    assert seen == [Thing]


def test_the_check_sees_the_learners_function_name_and_doc():
    @exercise_check
    def check_meta(fn):
        assert fn.__name__ == "double" and fn.__doc__ == "Twice x.", (fn.__name__, fn.__doc__)

    def double(x):
        """Twice x."""
        return 2 * x

    check_meta(double)


def test_without_the_engine():
    @exercise_check(without=ENGINE, why="compute it with plain numbers")
    def check_square(fn):
        assert fn(3.0) == 9.0, "square of 3"

    check_square(lambda x: x * x)
    with pytest.raises(CheckFailed) as info:
        check_square(lambda x: (autograd.Value(x) * x).data)
    message = str(info.value)
    assert message.startswith("your square called Value.")
    assert message.endswith("part of the engine (autograd); compute it with plain numbers")


def test_a_rule_needs_its_reason():
    with pytest.raises(ValueError, match="say why="):
        exercise_check(without=ENGINE)
