"""The program IR: what a traced function does, as plain data (in the spirit of a jaxpr).

Every number a program handles lives in a numbered *slot*.  Slots ``0 .. num_inputs - 1``
hold the argument leaves, in the order they appear in the arguments; ``constants`` maps
the slots whose numbers were fixed at trace time to those numbers; every other slot is
the output of one :class:`Equation`, ``slots[output] = op(*slots[inputs])``, where ``op``
is an entry of the rule table (:mod:`autograd.ops`: its forward function, its numpy
form, its parameters as data).  ``equations`` run in order; ``outputs`` is the function's
result, lists and tuples of slots nested as the function returned them.

For a function that returns one Value, ``backward`` is the backward program in the same
form (:class:`Backward`), derived from the rules of the table
(:mod:`autograd.trace.derive`).  A backend is a *lowering* of this data: the float
replay writes it out as Python (:mod:`~autograd.trace.lower_python`), the numpy backend
as array operations over a batch (:mod:`~autograd.trace.lower_numpy`).

Equations are stored compactly (:class:`Equations`, about 40 bytes each), so that a
program of a million operations stays small; indexing one gives an :class:`Equation`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, overload

from ..ops import Op
from .args import Shape


class Equation(NamedTuple):
    """One operation: ``slots[output] = op(*slots[inputs])``."""

    op: Op
    inputs: tuple[int, ...]
    output: int

    @property
    def params(self) -> tuple[float, ...]:
        """The op's own constants, as data (the n of x ** n, a leaky relu's slope)."""
        return self.op.params


class Equations(Sequence[Equation]):
    """A list of equations in a compact form: arrays of slot numbers and a list of ops."""

    __slots__ = ("_ends", "_ins", "_ops", "_outs")

    def __init__(self, items: Iterable[Equation] = ()) -> None:
        self._ops: list[Op] = []
        self._ins = array("q")  # every equation's inputs, one after the other
        self._ends = array("q")  # where each equation's inputs end in _ins
        self._outs = array("q")
        for e in items:
            self.append(*e)

    def append(self, op: Op, inputs: Iterable[int], output: int) -> None:
        """Add ``slots[output] = op(*slots[inputs])``."""
        self._ops.append(op)
        self._ins.extend(inputs)
        self._ends.append(len(self._ins))
        self._outs.append(output)

    def __len__(self) -> int:
        return len(self._ops)

    @overload
    def __getitem__(self, k: int) -> Equation: ...

    @overload
    def __getitem__(self, k: slice) -> list[Equation]: ...

    def __getitem__(self, k: int | slice) -> Equation | list[Equation]:
        if isinstance(k, slice):
            start, stop, stride = k.indices(len(self))
            if stride != 1:
                return [self[i] for i in range(start, stop, stride)]
            part = Equations()  # (a copy of the arrays' part: one call each)
            first = self._ends[start - 1] if start else 0
            part._ops = self._ops[start:stop]
            part._ins = self._ins[first : self._ends[stop - 1] if stop > start else first]
            part._ends = array("q", (e - first for e in self._ends[start:stop]))
            part._outs = self._outs[start:stop]
            return list(part)
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError("equation index out of range")
        begin = self._ends[k - 1] if k else 0
        return Equation(self._ops[k], tuple(self._ins[begin : self._ends[k]]), self._outs[k])

    def __iter__(self) -> Iterator[Equation]:
        # The inputs as one list, and tuple.__new__: lowerings walk 10^5 equations a few
        # times, and these make it take half as long as Equation(...) on array slices.
        ins, begin, new = self._ins.tolist(), 0, tuple.__new__
        for op, end, out in zip(self._ops, self._ends, self._outs):
            yield new(Equation, (op, tuple(ins[begin:end]), out))
            begin = end

    def __repr__(self) -> str:
        return f"<{len(self)} equations>"


class Block(NamedTuple):
    """Where forward slot ``node`` passes its gradient on: equations ``start`` to
    ``stop`` (not included) of a backward program, which add only zeros when the slot
    ``gradient`` holds 0 (so a lowering may skip them then, as backward() does)."""

    node: int
    gradient: int
    start: int
    stop: int


@dataclass(eq=False)
class Backward:
    """The backward program of a function that returns one Value.

    Its inputs are ``seed``, the slot of d out / d out, and ``starts``, one slot per
    argument leaf where that leaf's gradient starts (0.0, unless a caller gives start
    values) and ends.  ``gradient[s]`` is the slot of d out / d (forward slot s), or -1
    for a slot that receives nothing; every such slot starts at 0.0.  The ``equations``
    run in order, after the forward program (they read its slots); one whose output is
    also its first input adds into that slot in place (``g += term``); ``constants`` are
    the numbers the rules use, in slots of their own.  ``blocks`` group
    them by the node that passes its gradient on, in backward()'s order.  A node whose
    gradient is infinite or NaN when its block runs is an overflow: backward() raises
    there, and a lowering must not hide it.
    """

    root: int  # the forward slot of the output
    seed: int
    starts: tuple[int, ...]
    gradient: Sequence[int]
    equations: Equations
    blocks: Sequence[Block]
    constants: dict[int, float]  # the numbers the rules use (1 in 1 - out * out)

    def aliases(self) -> dict[int, int]:
        """Gradient slots whose one share is another gradient, which they then equal bit
        for bit (0.0 + g is g: no gradient that is passed on is ever -0.0), each mapped to
        the slot it equals (the end of a chain): a lowering may use one name for both."""
        is_gradient = set(self.gradient) - {-1}
        starts = set(self.starts)
        shares: dict[int, int] = {}
        candidate: dict[int, int] = {}
        for op, ins, out in self.equations:
            if out == ins[0] and op.family in ("add", "sub"):  # an add into a gradient
                shares[out] = shares.get(out, 0) + 1
                if op.family == "add" and ins[1] in is_gradient:
                    candidate[out] = ins[1]
        same: dict[int, int] = {}
        for acc, g in candidate.items():  # in equation order: g's own is known by now
            if shares[acc] == 1 and acc not in starts:
                same[acc] = same.get(g, g)
        return same

    def gradient_of(self, slot: int) -> int | None:
        """The slot of d out / d ``slot``, or None if it receives nothing."""
        g = self.gradient[slot]
        return None if g < 0 else g


@dataclass(eq=False)  # a program is equal to itself only, and hashable
class IR:
    """A traced function as data (see the module's docstring)."""

    arguments: Shape  # the shape of the arguments: a tuple shape, one item per argument
    num_inputs: int  # slots 0 .. num_inputs - 1 hold the argument leaves
    num_slots: int
    forward_slots: int  # slots 0 .. forward_slots - 1 are the forward program's
    constants: dict[int, float]
    # How the constants that were computed from others came about: not run forward (their
    # numbers are in constants), but backward passes gradients through them, as
    # backward() does, so that its errors (an overflow on the way) are the same.
    constant_equations: Equations
    equations: Equations
    outputs: Any  # a slot, or lists and tuples of slots, nested as fn returned them
    backward: Backward | None = None
    labels: dict[int, str] = field(default_factory=dict)  # of the traced Values, for messages

    @property
    def differentiable(self) -> bool:
        """Whether there is a backward program (see :class:`~autograd.trace.Program`,
        which derives it when first asked for)."""
        return self.backward is not None

    def slots_of_outputs(self) -> list[int]:
        """The output slots, in order."""
        found: list[int] = []
        stack = [self.outputs]
        while stack:
            item = stack.pop()
            if isinstance(item, int):
                found.append(item)
            else:
                stack.extend(reversed(item))
        return found
