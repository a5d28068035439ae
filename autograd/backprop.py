"""Reverse-mode differentiation: the topological order, ``backward`` and ``grad``.

Nothing here recurses, so graphs of any depth work at Python's default recursion limit,
and nothing iterates over a set, so every run visits the nodes in the same order and
gives bit-identical gradients.

A pass keeps each node's running gradient, and the depth-first search its visited mark,
in the node's scratch slot ``_g``.  One pass at a time may use those slots; a pass that
finds them taken (by another thread, or by a derivative rule that calls ``grad``) works on
a private copy of its graph, which has the same order.  So passes over graphs that share
nodes, in any threads, each get their own exact gradients; adding them into ``.grad``
is done under a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from .ops import ADD, MUL, RELU, SUB, Op
from .reference import backpropagate
from .value import MANY, Value, raw_node

_FINISHED = object()  # stack marker: the node below it has had all its inputs ordered
_scratch = threading.Lock()  # held by the pass that uses the nodes' _g slots
_adding = threading.Lock()  # held while a pass adds into .grad


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each listed after all of its inputs.

    Depth-first, iterative; inputs are visited in the order they were given.
    """
    with _scratch_for(root) as (work, original):
        order = _depth_first(work)
    return order if original is None else [original[n] for n in order]


def _depth_first(root: Value) -> list[Value]:
    """topological_order, marking visited nodes in ``_g`` (the caller holds the slots).

    The mark is a new float object equal to 0: numerically it is the zero that a pass
    starts every gradient from, and a mark left behind by an earlier pass (an aborted
    one, say) is another object, so it never passes for this one.
    """
    mark = float("0")
    order: list[Value] = []
    stack: list[Any] = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    while stack:
        node = pop()
        if node is _FINISHED:
            emit(pop())
            continue
        if node._g is mark:
            continue
        # Walk down from node: an input that would be pushed and popped at once is taken
        # directly, and a leaf input is listed at once (nothing could come before it).
        while True:
            node._g = mark
            a = node._a
            if a is None:
                emit(node)
                break
            b = node._b
            if b is MANY:
                push(node)
                push(_FINISHED)
                stack += reversed(a)
                break
            if a._g is not mark:
                if a._a is not None:  # order a's inputs first, then b, then node
                    push(node)
                    push(_FINISHED)
                    if b is not None:
                        push(b)
                    node = a
                    continue
                a._g = mark
                emit(a)
            if b is None or b._g is mark:
                emit(node)
                break
            if b._a is None:
                b._g = mark
                emit(b)
                emit(node)
                break
            push(node)
            push(_FINISHED)
            node = b
    return order


@contextmanager
def _scratch_for(root: Value) -> Iterator[tuple[Value, dict[Value, Value] | None]]:
    """``(root, None)`` while this pass holds the nodes' ``_g`` slots; when another pass
    holds them, ``(copy of root, {copy node: original node})``: a private graph."""
    if _scratch.acquire(blocking=False):
        try:
            yield root, None
        finally:
            _scratch.release()
        return
    twin = _copy(root)
    yield twin[root], {c: n for n, c in twin.items()}


def _copy(root: Value) -> dict[Value, Value]:
    """{node: fresh node with the same data, label, op and (copied) inputs} for root's graph."""
    twin: dict[Value, Value] = {}
    stack = [root]
    while stack:
        n = stack.pop()
        if n not in twin:
            twin[n] = raw_node(n._data, None, None, n._op)
            twin[n].label = n.label
            stack += n._prev
    for n, c in twin.items():
        if n._b is MANY:
            c._a, c._b = tuple(twin[x] for x in n._a), MANY
        else:
            c._a, c._b = twin.get(n._a), twin.get(n._b)  # type: ignore[arg-type]
    return twin


def _propagate(order: list[Value]) -> None:
    """Fill ``node._g`` with d root / d node for the nodes of ``order`` (root last).

    The root's ``_g`` must hold the seed (1) and every other ``_g`` its start (0).  A
    node's ``_g`` is complete when it is reached, since everything that consumes it comes
    later in ``order`` and so earlier in this reversed walk.  A node whose gradient is 0
    passes nothing on.  The rules of * + - relu are written out: the same arithmetic as their
    derivative functions, without the calls.
    """
    for node in reversed(order):
        g = node._g
        if not g:
            continue
        if g - g != 0.0:  # inf or nan
            raise OverflowError(f"backward: the gradient at {node!r} overflowed to {g}")
        a = node._a
        op = node._op
        if op is MUL:
            b = node._b
            a._g += g * b._data
            b._g += g * a._data
        elif op is ADD:
            a._g += g
            node._b._g += g
        elif op is SUB:
            a._g += g
            node._b._g -= g
        elif op is RELU:
            a._g += g if a._data > 0.0 else g * 0.0
        elif a is None or type(op) is not Op:
            continue  # a leaf, or a node built by hand without a derivative rule
        elif (b := node._b) is None:
            a._g += g * op.derivative(a._data, node._data)
        elif b is not MANY:
            da, db = op.derivative(a._data, b._data, node._data)
            a._g += g * da
            b._g += g * db
        else:
            local = op.derivative(*[x._data for x in a], node._data)
            for x, d in zip(a, local):
                x._g += g * d


def _clear(nodes: Iterable[Value]) -> None:
    for node in nodes:
        node._g = 0.0


def backward(root: Value) -> None:
    """Add d root / d node into ``node.grad`` for every node of root's graph.

    The pass works in scratch space and only then adds to ``.grad``, so calling it
    twice gives exactly twice the gradients, and an error leaves ``.grad`` untouched.
    """
    if type(root) is not Value:
        raise TypeError(f"backward: expected a Value, got {type(root).__name__}")
    with _scratch_for(root) as (work, original):
        order = _depth_first(work)
        work._g = 1.0
        try:
            _propagate(order)
        except BaseException:
            _clear(order)
            raise
        with _adding:
            for node in order:
                g = node._g
                if g:  # adding 0 would change nothing: skip the zero-gradient nodes
                    node._g = 0.0
                    if original is None:
                        node.grad += g
                    else:
                        original[node].grad += g


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
    with _scratch_for(root) as (work, original):
        order = _depth_first(work)
        if original is None:
            mine = list(leaves)
        else:
            twin = {n: c for c, n in original.items()}
            mine = [twin.get(x) or raw_node(0.0, None, None, "") for x in leaves]
        try:
            if start is not None:
                for w, s in zip(mine, start):
                    w._g = s
            # seed + 0.0: a seed of -0.0 counts as 0.0 (no accumulated gradient is -0.0).
            work._g = seed + 0.0 if start is None or root not in leaves else work._g + seed
            _propagate(order)
            return [w._g for w in mine]
        finally:
            _clear(order)
            _clear(mine)


def _check_inputs(inputs: Iterable) -> Iterable[Value]:
    for i, x in enumerate(inputs):
        if type(x) is not Value:
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {type(x).__name__}")
        yield x


def _grad_graph(output: Value, inputs: list[Value], order: list[Value]) -> list[Value]:
    """``grad`` with Values: the same rules, run on the nodes themselves."""
    grads = backpropagate(order, {output: raw_node(1.0, None, None, "")}, _Values())
    return [grads[x] if x in grads else raw_node(0.0, None, None, "") for x in inputs]


class _Values:
    """Gradients as Values (:func:`~autograd.reference.backpropagate`'s rules for
    create_graph): every share is a node, so the result can be differentiated again."""

    def passes(self, node: Value, g: Value) -> bool:
        return True

    def slopes(self, node: Value) -> Sequence[Any]:
        prev = node._prev
        try:
            local = cast(Op, node._op).derivative(*prev, node)
        except TypeError as e:
            raise TypeError(
                f"grad(create_graph=True): the derivative rule of {str(node._op)!r} does not "
                f"work on Values ({e}); write it with Value operations"
            ) from e
        return (local,) if len(prev) == 1 else local

    def add(self, total: Value | None, g: Value, d: Any) -> Value | None:
        if type(d) is not Value:
            if d == 0:
                return total  # a constant zero contributes nothing, to any order
            term = g if d == 1 else g * d
        else:
            term = g * d
        return term if total is None else total + term

    def done(self, node: Value) -> None:
        pass
