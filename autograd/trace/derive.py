"""The backward program of a traced function, derived from the rule table.

The reverse sweep (:func:`autograd.reference.backpropagate`) runs once over the program's
slots with symbols instead of numbers.  Each op's derivative rule, called on symbols,
writes the operations it would apply as equations (tanh's rule, 1 - out * out, writes a
product and a difference); the chain rule's products and sums become equations too.  So
a backward program is made of the table's ops, and a backend that runs the forward ops
runs it: no backend knows a derivative.

A user's op (not one of the engine's) keeps its rule as it is, which may use ``math`` or
branch on a number: its backward is one equation per input that calls the rule on floats
(the op's :func:`partial` derivative).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from ..ops import ADD, COS, DIV, EXP, LOG, MUL, NEG, POW, SIGMOID, SIN, SUB, Op, Symbol, power
from ..reference import backpropagate, topological_order
from .ir import IR, Backward, Block, Equations


class _Sym(Symbol):
    """A slot of the program under construction, in place of a number: arithmetic on it
    writes equations.  The forward slots' symbols are also the nodes of the sweep."""

    __slots__ = ("_op", "_prev", "builder", "slot")

    def __init__(self, builder: _Builder, slot: int, op: Any = "", prev: tuple = ()) -> None:
        self.builder, self.slot, self._op, self._prev = builder, slot, op, prev

    def apply(self, op: Op, *operands: Any) -> _Sym:
        return self.builder.emit(op, operands)

    def __add__(self, other: Any) -> _Sym:
        return self.apply(ADD, self, other)

    def __radd__(self, other: Any) -> _Sym:
        return self.apply(ADD, other, self)

    def __sub__(self, other: Any) -> _Sym:
        return self.apply(SUB, self, other)

    def __rsub__(self, other: Any) -> _Sym:
        return self.apply(SUB, other, self)

    def __mul__(self, other: Any) -> _Sym:
        return self.apply(MUL, self, other)

    def __rmul__(self, other: Any) -> _Sym:
        return self.apply(MUL, other, self)

    def __truediv__(self, other: Any) -> _Sym:
        return self.apply(DIV, self, other)

    def __rtruediv__(self, other: Any) -> _Sym:
        return self.apply(DIV, other, self)

    def __neg__(self) -> _Sym:
        return self.apply(NEG, self)

    def __pow__(self, other: Any) -> _Sym:
        if isinstance(other, _Sym):
            return self.apply(POW, self, other)
        return self.apply(power(float(other)), self)

    def __rpow__(self, other: Any) -> _Sym:
        return self.apply(POW, other, self)

    def exp(self) -> _Sym:
        return self.apply(EXP, self)

    def log(self) -> _Sym:
        return self.apply(LOG, self)

    def sin(self) -> _Sym:
        return self.apply(SIN, self)

    def cos(self) -> _Sym:
        return self.apply(COS, self)

    def sigmoid(self) -> _Sym:
        return self.apply(SIGMOID, self)


def partials(op: Op) -> tuple[Op, ...]:
    """The ops (x_1, ..., x_n, out) -> d out / d x_k of a user's op, k = 1..n, computed by
    its rule (on arrays by its ``numpy_derivative``, if it has one).  Each knows what it
    is, ``partial_of = (op, k)``, so that a backend can compute all of a node's at once."""
    rule, unary = op.derivative, op.arity == 1

    def second(*args: float) -> Any:
        raise NotImplementedError(f"{op}: a traced backward program is not differentiated")

    def one(k: int) -> Op:
        def forward(*args: float) -> float:
            d = rule(*args)  # a checked rule: a bad result is an error naming the op
            return float(d if unary else d[k])

        array = None if op.numpy_derivative is None else partial(_array_partial, op, k)
        d = Op(f"d{op}/dx{k + 1}", forward, second, arity=op.arity + 1, numpy=array)
        d.partial_of = (op, k)
        return d

    return tuple(one(k) for k in range(op.arity))


def _array_partial(op: Op, k: int, np: Any) -> Callable[..., Any]:
    rule = op.numpy_derivative(np)  # type: ignore[misc]
    if op.arity == 1:
        return rule
    return lambda *args: rule(*args)[k]


def _never(*args: float) -> float:
    raise AssertionError("a fused node is computed by its backend")


_FUSED = Op("fused", _never, _never)  # the op of a node that derive() is told is fused
_NOTHING = object()  # a fused node's slope: no equation


class _Builder:
    """Writes the backward program: equations, blocks, and the slots they use."""

    def __init__(self, ir: IR) -> None:
        self.ir = ir
        self.equations = Equations()
        self.blocks: list[Block] = []
        self.next_slot = ir.num_slots
        self.constant_slots: dict[tuple[float, float], int] = {}
        self.constants: dict[int, float] = {}
        self.partials: dict[int, tuple[Op, ...]] = {}
        self.block: tuple[int, int, int] | None = None

    def new_slot(self) -> int:
        self.next_slot += 1
        return self.next_slot - 1

    def slot_of(self, x: Any) -> int:
        if isinstance(x, _Sym):
            return x.slot
        x = float(x)
        key = (x, math.copysign(1.0, x))  # 0.0 and -0.0 are different constants
        if key not in self.constant_slots:
            self.constant_slots[key] = s = self.new_slot()
            self.constants[s] = x
        return self.constant_slots[key]

    def emit(self, op: Op, operands: Sequence[Any], into: _Sym | None = None) -> _Sym:
        out = into if into is not None else _Sym(self, self.new_slot())
        self.equations.append(op, [self.slot_of(x) for x in operands], out.slot)
        return out

    def partial(self, op: Op, k: int) -> Op:
        if id(op) not in self.partials:
            self.partials[id(op)] = partials(op)
        return self.partials[id(op)][k]

    # ---- the rules of the sweep (see autograd.reference.Rules) ------------------------

    def passes(self, node: _Sym, g: _Sym) -> bool:
        if node._prev and type(node._op) is Op:
            self.block = (node.slot, g.slot, len(self.equations))
        return True

    def slopes(self, node: _Sym) -> Sequence[Any]:
        op: Op = node._op
        if op is _FUSED:
            return [_NOTHING] * len(node._prev)
        if not op.builtin:
            args = (*node._prev, node)
            return [self.emit(self.partial(op, k), args) for k in range(op.arity)]
        local = op.derivative(*node._prev, node)
        return (local,) if op.arity == 1 else local

    def add(self, total: _Sym | None, g: _Sym, d: Any) -> _Sym:
        acc = total if total is not None else _Sym(self, self.new_slot())  # starts at 0.0
        if d is _NOTHING:  # a fused node's share: the backend adds it
            return acc
        if isinstance(d, _Sym) or d not in (1.0, -1.0):
            self.emit(ADD, (acc, self.emit(MUL, (g, d))), into=acc)
        else:  # g * 1 is g and g * -1 is -g, bit for bit
            self.emit(ADD if d == 1.0 else SUB, (acc, g), into=acc)
        return acc

    def done(self, node: _Sym) -> None:
        if self.block is not None:
            slot, gradient, start = self.block
            self.blocks.append(Block(slot, gradient, start, len(self.equations)))
            self.block = None


def derive(ir: IR, fused: dict[int, tuple[int, ...]] | None = None) -> Backward:
    """The backward program of ``ir``, whose outputs must be one slot.

    ``fused`` maps slots that a backend computes as a whole (a weighted sum done by a
    matrix product) to their operands: such a slot gets a block with no equations, its
    operands a gradient slot each (which the backend adds into), and the equations that
    made it are not derived at all."""
    root = ir.outputs
    assert isinstance(root, int), "a backward program needs one output slot"
    b = _Builder(ir)
    nodes = _forward_symbols(ir, b, fused or {})
    seed = b.new_slot()
    starts = [_Sym(b, b.new_slot()) for _ in range(ir.num_inputs)]
    grads: dict[Any, Any] = dict(zip(nodes[: ir.num_inputs], starts))
    if root < ir.num_inputs:  # the output is an argument: its start, plus the seed
        b.emit(ADD, (starts[root], _Sym(b, seed)), into=starts[root])
    else:  # seed + 0.0: a seed of -0.0 counts as 0.0, as in backward()
        grads[nodes[root]] = b.emit(ADD, (_Sym(b, seed), 0.0))
    order = topological_order(nodes[root])
    backpropagate(order, grads, b)
    gradient = array("q", [-1]) * ir.forward_slots
    for node, g in grads.items():
        gradient[node.slot] = g.slot
    ir.num_slots = b.next_slot
    starts_ = tuple(s.slot for s in starts)
    return Backward(root, seed, starts_, gradient, b.equations, b.blocks, b.constants)


def _forward_symbols(ir: IR, b: _Builder, fused: dict[int, tuple[int, ...]]) -> list[Any]:
    """A symbol for each argument leaf and each slot the output depends on (None for the
    others), with the op and the inputs of the equation that made it; a fused slot's
    inputs are its operands, and what made it is never looked at."""
    made: dict[int, tuple[Op, Sequence[int]]] = {}
    for equations in (ir.constant_equations, ir.equations):
        for op, inputs, output in equations:
            made[output] = (op, inputs)
    for slot, operands in fused.items():
        made[slot] = (_FUSED, operands)
    nodes: list[Any] = [None] * ir.num_slots
    for s in range(ir.num_inputs):
        nodes[s] = _Sym(b, s)
    root = ir.outputs
    if nodes[root] is None:
        nodes[root] = _Sym(b, root)
    stack = [root]
    while stack:
        s = stack.pop()
        if s not in made:
            continue  # an argument leaf or a constant
        op, ins = made[s]
        for i in ins:
            if nodes[i] is None:
                nodes[i] = _Sym(b, i)
                stack.append(i)
        nodes[s]._op, nodes[s]._prev = op, tuple(nodes[i] for i in ins)
    return nodes
