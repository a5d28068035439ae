"""Reverse-mode differentiation: the topological order, ``backward`` and ``grad``.

Nothing here recurses, so graphs of any depth work at Python's default recursion limit,
and nothing iterates over a set, so every run visits the nodes in the same order and
gives bit-identical gradients.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .ops import Op, _isfinite
from .value import _MANY, Value, _node

_FINISHED = object()  # stack marker: the node below it has had all its inputs ordered


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each listed after all of its inputs.

    Depth-first, iterative; inputs are visited in the order they were given.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Any] = [root]
    push, pop, see, emit = stack.append, stack.pop, seen.add, order.append
    while stack:
        node = pop()
        if node is _FINISHED:
            emit(pop())
            continue
        if node in seen:
            continue
        see(node)
        a = node._a
        if a is None:
            emit(node)
            continue
        push(node)
        push(_FINISHED)
        b = node._b
        if b is None:
            push(a)
        elif b is _MANY:
            stack += reversed(a)
        else:
            push(b)
            push(a)  # popped first: inputs are ordered first to last
    return order


def _propagate(order: list[Value]) -> None:
    """Fill ``node._g`` with d root / d node for the nodes of ``order`` (root last).

    The root's ``_g`` must be set (to 1) and every other ``_g`` be 0 on entry.
    A node's ``_g`` is complete when it is reached, since everything that consumes
    it comes later in ``order`` and so earlier in this reversed walk.
    """
    for node in reversed(order):
        g = node._g
        if g == 0.0:
            continue
        if not _isfinite(g):
            raise OverflowError(f"backward: the gradient at {node!r} overflowed to {g}")
        a = node._a
        op = node._op
        if a is None or type(op) is not Op:
            continue  # a leaf, or a node built by hand without a derivative rule
        b = node._b
        if b is None:
            a._g += g * op.derivative(a.data, node.data)
        elif b is not _MANY:
            da, db = op.derivative(a.data, b.data, node.data)
            a._g += g * da
            b._g += g * db
        else:
            local = op.derivative(*[x.data for x in a], node.data)
            for x, d in zip(a, local):
                x._g += g * d


def _clear(order: list[Value]) -> None:
    for node in order:
        node._g = 0.0


def backward(root: Value) -> None:
    """Add d root / d node into ``node.grad`` for every node of root's graph.

    The pass works in scratch space and only then adds to ``.grad``, so calling it
    twice gives exactly twice the gradients, and an error leaves ``.grad`` untouched.
    """
    if type(root) is not Value:
        raise TypeError(f"backward: expected a Value, got {type(root).__name__}")
    order = topological_order(root)
    root._g = 1.0
    try:
        _propagate(order)
    except BaseException:
        _clear(order)
        raise
    for node in order:
        node.grad += node._g
        node._g = 0.0


def grad(output: Value, inputs: Any, create_graph: bool = False) -> list:
    """The derivatives d output / d x for each x in ``inputs``, leaving every ``.grad`` alone.

    Floats by default.  With ``create_graph=True`` the results are Values built from the
    derivative rules, so they can be differentiated again (second and higher orders).
    An input that ``output`` does not depend on gets 0.  With ``create_graph=True`` two
    inputs may share one gradient Value (x and y in x + y both get the seed 1): treat
    the results as read-only.
    """
    if type(output) is not Value:
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    inputs = [inputs] if type(inputs) is Value else list(_check_inputs(inputs))
    if create_graph:
        return _grad_graph(output, inputs, topological_order(output))
    return gradients(output, inputs)


def gradients(
    root: Value, leaves: list[Value], seed: float = 1.0, start: list[float] | None = None
) -> list[float]:
    """d root / d leaf for each leaf, as floats, touching no ``.grad``.

    ``seed`` is d root / d root.  ``start`` holds one number per leaf that its gradient
    starts from, terms being added in backward()'s order (as if root's graph were part of
    a larger one whose other terms came first).  The reference for traced programs.
    """
    order = topological_order(root)
    if start is not None:
        for x, s in zip(leaves, start):
            x._g = s
    # seed + 0.0: the seed -0.0 counts as 0.0, as an accumulated gradient never is -0.0.
    root._g = seed + 0.0 if start is None or root not in leaves else root._g + seed
    try:
        _propagate(order)
        return [x._g for x in leaves]
    finally:
        _clear(order)
        _clear(leaves)


def _check_inputs(inputs: Iterable) -> Iterable[Value]:
    for i, x in enumerate(inputs):
        if type(x) is not Value:
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {type(x).__name__}")
        yield x


def _grad_graph(output: Value, inputs: list[Value], order: list[Value]) -> list[Value]:
    """``grad`` with Values: the same rules, run on the nodes themselves."""
    grads: dict[Value, Value] = {output: _node(1.0, None, None, "")}
    for node in reversed(order):
        g = grads.get(node)
        prev = node._prev
        op = node._op
        if g is None or not prev or type(op) is not Op:
            continue
        try:
            local = op.derivative(*prev, node)
        except TypeError as e:
            raise TypeError(
                f"grad(create_graph=True): the derivative rule of {str(op)!r} does not "
                f"work on Values ({e}); write it with Value operations"
            ) from e
        if len(prev) == 1:
            local = (local,)
        for x, d in zip(prev, local):
            if type(d) is not Value:
                if d == 0:
                    continue  # a constant zero contributes nothing, to any order
                term = g if d == 1 else g * d
            else:
                term = g * d
            old = grads.get(x)
            grads[x] = term if old is None else old + term
    return [grads[x] if x in grads else _node(0.0, None, None, "") for x in inputs]
