"""nets.course.value_checks: notebook 02's node comparison says what a learner got wrong.

PYTEST_DONT_REWRITE: the asserts inside compare_node must read as in a notebook.
"""

from __future__ import annotations

import math

import pytest

import autograd
from nets.course.value_checks import compare_node


class Value:
    """A learner's Value, right (notebook 02's solution)."""

    def __init__(self, data, _prev=(), _local=(), _op=""):
        self.data, self.grad = float(data), 0.0
        self._prev, self._local, self._op = tuple(_prev), tuple(_local), _op

    @staticmethod
    def lift(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other):
        other = Value.lift(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __radd__(self, number):
        return self + number

    def __mul__(self, other):
        other = Value.lift(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t * t,), "tanh")

    def __repr__(self):
        return f"Value({self.data:g})"


def variant(**methods):
    return type("Variant", (Value,), methods)


def add(x, y):
    return x + y


def mul(x, y):
    return x * y


def test_right_answers_pass():
    compare_node(Value, add, [-2.0, 5.0], "x + y")
    compare_node(Value, mul, [3.0, -4.0], "x * y")
    compare_node(Value, lambda x: x * x, [1.5], "x * x")
    compare_node(Value, lambda x: x + 2, [-0.5], "x + 2")
    compare_node(Value, lambda x: x.tanh(), [0.8], "tanh(x)")


def in_place(self, other):
    other = Value.lift(other)
    self.data += other.data
    self._prev, self._local = (self, other), (1.0, 1.0)
    return self


def returns_self(self, other):
    other = Value.lift(other)
    self._prev, self._local = (self, other), (1.0, 1.0)
    return self


@pytest.mark.parametrize(
    ("methods", "op", "message"),
    [
        (
            {"__add__": in_place},
            add,
            "x + y: your method changed its input 0 (data -2.0 became 3.0)",
        ),
        ({"__add__": lambda s, o: Value(s.data + o.data)}, add, "x + y: _prev: your Value gives 0"),
        ({"__add__": returns_self}, add, "x + y: your method returns its input itself"),
        (
            {"__add__": lambda s, o: autograd.Value(s.data + o.data)},
            add,
            "x + y: your method called Value.__init__ (from autograd.value)",
        ),
        (
            {"__mul__": lambda s, o: Value(s.data * o.data, (s, o), (o, s), "*")},
            mul,
            "x * y: _local[0] holds Value(-4), not a number; expected the derivative's value",
        ),
        (
            {"__add__": lambda s, o: Value(s.data + o, (s, o), (1.0, 1.0))},
            add,
            "x + y: your method raised TypeError",
        ),
        ({"__add__": lambda s, o: s + o}, add, "x + y: your method raised RecursionError"),
        ({"__add__": lambda s, o: 3}, add, "x + y: your method returns 3; expected a new Value"),
    ],
)
def test_each_mistake_gets_its_message(methods, op, message):
    xs, text = ([-2.0, 5.0], "x + y") if op is add else ([3.0, -4.0], "x * y")
    with pytest.raises(AssertionError) as info:
        compare_node(variant(**methods), op, xs, text)
    assert str(info.value).startswith(message), str(info.value)


def test_a_stub_stays_a_not_implemented_error():
    def stub(self, other):
        raise NotImplementedError("exercise: the sum")

    with pytest.raises(NotImplementedError, match="exercise: the sum"):
        compare_node(variant(__add__=stub), add, [1.0, 2.0], "x + y")
