"""autograd/trace/args.py: a program takes the kinds of containers it was traced with
(a list or a tuple, either for the other), never an iterator, a set, a dict, a range or
an array, and every number in them is checked."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Value, trace
from autograd.trace import TraceError


@pytest.fixture
def program():
    return trace(lambda xs: xs[0].relu() * 2 + xs[1], [1.0, 2.0])


@pytest.mark.parametrize(
    ("given", "kind"),
    [
        (lambda: iter([math.nan, 1.0]), "list_iterator"),
        (lambda: {3.0, 1.0}, "set"),
        (lambda: {1.0: 0, 2.0: 0}, "dict"),
        (lambda: range(2), "range"),
        (lambda: np.array([1.0, 2.0]), "ndarray"),
        (lambda: (x for x in [1.0, 2.0]), "generator"),
        (lambda: "12", "'12'"),
    ],
)
def test_only_the_traced_kinds_of_containers_are_taken(program, given, kind):
    for call in (lambda a: program(a), lambda a: program.value_and_grad(a)):
        with pytest.raises(TraceError, match=rf"args\[0\]: expected \[2 numbers\], got .*{kind}"):
            call(given())


def test_a_list_and_a_tuple_stand_for_each_other_and_every_number_is_checked(program):
    assert program((3.0, 1.0)) == program([3.0, 1.0]) == 7.0
    with pytest.raises(ValueError, match="finite number, got nan"):
        program([math.nan, 1.0])
    with pytest.raises(ValueError, match="finite number, got -inf"):
        program.value_and_grad([-math.inf, 1.0])


def test_nested_containers_are_checked_at_every_level():
    nested = trace(lambda a: a[0][0] * a[1], [[1.0, 2.0], 3.0])
    assert nested([(2.0, 0.0), 4.0]) == 8.0
    with pytest.raises(TraceError, match=r"args\[0\]\[0\]: expected \[2 numbers\], got a set"):
        nested([{2.0, 0.0}, 4.0])
    with pytest.raises(
        TraceError, match=r"args\[0\]\[0\]\[1\]: expected a number, got \[1 number\]"
    ):
        nested([[2.0, [0.0]], 4.0])


def test_start_takes_the_same_kinds(program):
    with pytest.raises(
        TraceError, match=r"start\[0\]: expected \[2 numbers\], got a list_iterator"
    ):
        program.value_and_grad([1.0, 2.0], start=[iter([0.0, 0.0])])
    with pytest.raises(TraceError, match="start must be None or hold one entry per argument"):
        program.value_and_grad([1.0, 2.0], start={0: None})
    assert program.value_and_grad([1.0, 2.0], start=[(0.5, 0.25)]) == (4.0, ([2.5, 1.25],))


def test_the_value_path_agrees(program):
    xs = [Value(3.0), Value(1.0)]
    out = xs[0].relu() * 2 + xs[1]
    out.backward()
    assert program.value_and_grad([3.0, 1.0]) == (out.data, ([x.grad for x in xs],))
