"""nets.course.forbid: a learner's function run with some library functions made to fail."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import autograd
import nets
from nets.course import ENGINE, Forbidden, UsedForbidden
from nets.course.forbid import forbidding


def run(rule, fn, *args):
    with forbidding(rule, "your f", "do it yourself"):
        return fn(*args)


@pytest.mark.parametrize(
    "use",
    [
        lambda: autograd.Value(2.0) * 3.0,  # the constructor, then an operator
        lambda: autograd.grad(autograd.Value(1.0), []),
        lambda: autograd.numerical_grad(lambda v: v, [1.0]),
        lambda: autograd.topological_order(None),
        lambda: autograd.trace(lambda x: x, 1.0),
    ],
)
def test_every_entry_point_of_the_engine_fails(use):
    with pytest.raises(UsedForbidden, match=r"your f called .* part of the engine"):
        run(ENGINE, use)


def test_values_made_before_still_refuse_their_methods():
    v = autograd.Value(2.0)
    with pytest.raises(UsedForbidden, match=r"Value\.backward"):
        run(ENGINE, v.backward)


def test_plain_numbers_and_other_libraries_are_fine():
    assert run(ENGINE, lambda: float(np.tanh(0.5)) + sum([1.0, 2.0])) == pytest.approx(3.4621171)


def test_named_functions_however_they_were_imported():
    from nets import log_softmax as renamed

    rule = Forbidden((nets.log_softmax,), name="the library")
    with pytest.raises(UsedForbidden, match=r"called log_softmax .* part of the library"):
        run(rule, renamed, [1.0, 2.0])
    assert run(rule, nets.softmax, [1.0, 2.0])  # the rest of nets is allowed


def test_a_class_forbids_all_its_methods():
    rule = Forbidden((nets.optim.Adam,), name="nets.optim")
    with pytest.raises(UsedForbidden, match=r"Adam\.__init__"):
        run(rule, nets.optim.Adam, [autograd.Value(1.0)])


def test_numpys_dispatched_functions_and_builtins():
    with pytest.raises(UsedForbidden, match="eigvalsh"):
        run(Forbidden((np.linalg.eigvalsh,)), np.linalg.eigvalsh, np.eye(2))
    with pytest.raises(UsedForbidden, match=r"exec\(\)"):
        run(Forbidden((exec,)), exec, "x = 1", {})


def test_catching_the_error_does_not_get_around_the_rule():
    def sneaky():
        try:  # noqa: SIM105 (written as a learner would)
            autograd.Value(1.0)
        except AssertionError:
            pass
        return 42  # as if the work had been done without the engine

    with pytest.raises(UsedForbidden):
        run(ENGINE, sneaky)


def test_the_profiler_is_restored():
    def hook(*args):
        return None

    sys.setprofile(hook)
    try:
        with pytest.raises(UsedForbidden):
            run(ENGINE, lambda: autograd.Value(1.0))
        assert sys.getprofile() is hook
    finally:
        sys.setprofile(None)
