"""The engine as a textbook writes it: start reading here.

A :class:`Value` holds a number, the inputs it was computed from and the operation that
computed it, so every result remembers its computation, a graph.  ``backward()`` does two
things:

1. :func:`topological_order` lists the graph's nodes so that each comes after all of its
   inputs (a depth-first search: a node is listed once its inputs are);
2. :func:`backpropagate` walks that list from the output back and applies the chain rule:
   each node passes its gradient on, and an input x receives d out / d node times
   d node / d x, the local derivative that the operation's rule gives (autograd.ops
   holds every rule).  Shares add up when x is used more than once.

That is all of reverse-mode differentiation.  The engine that valuegrad runs
(:mod:`autograd.value`, :mod:`autograd.backprop`) gives the same numbers, bit for bit
(``tests/test_reference.py`` checks it on random graphs), only faster: its nodes are
built by hand without ``__init__``, its search keeps the visited mark inside the node
instead of a set, and its loop writes out the rules of + - * relu.

:func:`backpropagate` is written once for every kind of gradient: numbers here, Values
for second derivatives (``grad(..., create_graph=True)``), the pictures of each step
(:mod:`autograd.viz.steps`) and the symbols of a traced backward program
(:mod:`autograd.trace.derive`).  :class:`Floats` says how numbers combine.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any, Protocol

from . import ops
from .ops import Op


class Value:
    """A number, and the record of how it was computed: ``Value(2.0) * Value(3.0)``."""

    def __init__(self, data: float, _children: tuple = (), _op: str = "", label: str = ""):
        self.data = float(data)
        self.grad = 0.0  # d output / d self, filled in by backward()
        self._prev = tuple(_children)  # the inputs, in order
        self._op = _op  # the operation that made it (an Op of autograd.ops)
        self.label = label

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    def apply(self, op: Op, *others: Any) -> Value:
        """The op applied to self and others: the new node records its inputs and op."""
        new = type(self)  # so that a subclass's methods carry on to results
        inputs = (self, *(x if isinstance(x, Value) else new(x) for x in others))
        return new(op.forward(*(x.data for x in inputs)), inputs, op)

    def __add__(self, other: Any) -> Value:
        return self.apply(ops.ADD, other)

    def __radd__(self, other: Any) -> Value:
        return type(self)(other).apply(ops.ADD, self)

    def __sub__(self, other: Any) -> Value:
        return self.apply(ops.SUB, other)

    def __rsub__(self, other: Any) -> Value:
        return type(self)(other).apply(ops.SUB, self)

    def __mul__(self, other: Any) -> Value:
        return self.apply(ops.MUL, other)

    def __rmul__(self, other: Any) -> Value:
        return type(self)(other).apply(ops.MUL, self)

    def __truediv__(self, other: Any) -> Value:
        return self.apply(ops.DIV, other)

    def __rtruediv__(self, other: Any) -> Value:
        return type(self)(other).apply(ops.DIV, self)

    def __pow__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return self.apply(ops.POW, other)
        return self.apply(ops.power(float(other)))

    def __neg__(self) -> Value:
        return self.apply(ops.NEG)

    def exp(self) -> Value:
        return self.apply(ops.EXP)

    def log(self) -> Value:
        return self.apply(ops.LOG)

    def tanh(self) -> Value:
        return self.apply(ops.TANH)

    def relu(self) -> Value:
        return self.apply(ops.RELU)

    def backward(self) -> None:
        """Add d self / d node to ``node.grad`` for every node of the graph."""
        order = topological_order(self)
        grads = backpropagate(order, {self: 1.0}, Floats())
        for node in order:
            if grads.get(node, 0.0) != 0.0:
                node.grad += grads[node]


class Node(Protocol):
    """What the two functions below need of a node: its inputs and its operation."""

    @property
    def _prev(self) -> Sequence[Any]: ...

    @property
    def _op(self) -> Any: ...


def topological_order(root: Node) -> list[Any]:
    """Every node that ``root`` depends on, each after all of its inputs (root last).

    Depth first, inputs in the order they were given; a stack instead of recursion, so
    that a chain of a million nodes needs no deep Python recursion.
    """
    order: list[Any] = []
    visited: set[Any] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, inputs_listed = stack.pop()
        if inputs_listed:
            order.append(node)  # all of its inputs are listed: now it can be
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend((x, False) for x in reversed(node._prev) if x not in visited)
    return order


class Rules(Protocol):
    """How gradients of one kind combine in :func:`backpropagate`."""

    def passes(self, node: Any, g: Any) -> bool:
        """Whether ``node`` passes its gradient ``g`` on (not if it is zero, say)."""

    def slopes(self, node: Any) -> Sequence[Any]:
        """d node / d x for each input x of node, in order (the op's derivative rule)."""

    def add(self, total: Any, g: Any, d: Any) -> Any:
        """The gradient ``total`` of an input (None before its first share) plus g * d."""

    def done(self, node: Any) -> None:
        """Called once ``node`` has passed its gradient on."""


def backpropagate(order: Sequence[Node], grads: dict[Any, Any], rules: Rules) -> dict[Any, Any]:
    """The chain rule, from the output back: d out / d node for every node of ``order``.

    ``order`` lists the nodes inputs first (:func:`topological_order`), the output last;
    ``grads`` holds where gradients start: the output's seed (1 for d out / d out), and
    any other starting values.  Each node, last to first, passes its gradient g on: every
    input x gets g * d node / d x added to its own.  A node's gradient is complete when
    its turn comes, since every node that uses it comes later in ``order``.
    """
    for node in reversed(order):
        g = grads.get(node)
        if g is None or not rules.passes(node, g):
            continue
        if node._prev and type(node._op) is Op:  # a leaf, or a node without a rule, stops
            for x, d in zip(node._prev, rules.slopes(node)):
                total = rules.add(grads.get(x), g, d)
                if total is not None:
                    grads[x] = total
        rules.done(node)
    return grads


class Floats:
    """Gradients as numbers.  A zero gradient passes nothing on; one that is infinite or
    NaN stops the pass with an error (a float overflowed somewhere)."""

    def passes(self, node: Any, g: float) -> bool:
        if g == 0.0:
            return False
        if not math.isfinite(g):
            raise OverflowError(f"backward: the gradient at {node!r} overflowed to {g}")
        return True

    def slopes(self, node: Any) -> Sequence[float]:
        local = node._op.derivative(*[x.data for x in node._prev], node.data)
        return (local,) if len(node._prev) == 1 else local

    def add(self, total: float | None, g: float, d: float) -> float:
        return (0.0 if total is None else total) + g * d

    def done(self, node: Hashable) -> None:
        pass
