"""The numpy backend's lowering: a program's IR as array code over a batch of samples.

Every slot that depends on an array argument holds one number per sample.  Beyond
that, the groups that :mod:`~autograd.trace.vectorize` finds (a layer's weighted sums,
its activations) are matrices, one row per member and one column per sample, computed
by one numpy call each, forward and backward (a group's backward runs from its template,
where backward() reaches its last member).  Every other equation is one numpy call on
the batch, with the op's numpy form from the rule table; an op without one (a user's)
runs sample by sample.

The generated ``run`` takes the number leaves as one vector P and the array leaves as the
rows of one matrix A: a layer's weights are gathered from P by one indexing (E, P with
the program's constants after it), and their gradients added back by one, never one by
one.  :mod:`~autograd.trace.run_numpy` converts and checks the arguments, runs it, and
falls back on the float replay where a number went wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from ..ops import ADD, MUL, SUB, Op
from .derive import derive
from .ir import IR, Block, Equation
from .vectorize import (
    Map,
    MatMul,
    Numbers,
    Operand,
    Plan,
    Rows,
    Shared,
    fused_operands,
    plan,
    weighted_sums,
)

# The backward pieces that stay finite wherever their inputs are (the slopes of kinks);
# a product with any other piece is taken as 0 where the gradient is 0, as the engine
# never evaluates a rule there (1 / x at x = 0 would give nan).
_BOUNDED = frozenset({"step", "sign"})


def array_form(op: Op, np: Any) -> Callable[..., Any]:
    """The op's forward on arrays: its numpy form, or its float forward sample by sample."""
    form = op.numpy
    if isinstance(form, str):
        return getattr(np, form)
    if form is not None:
        return form(np)
    return np.vectorize(op.forward, otypes=[float])


class Fallback(Exception):
    """Raised by the generated code where the float replay must decide (see run_numpy)."""


@dataclass
class Lowered:
    """A program lowered for one layout of array and number leaves.

    ``run(P, A, zero, one)`` returns ``(bad, outputs)``; with gradients,
    ``run(P, A, seed, zero, one, GP, GA)`` returns ``(bad, value, GP, GA)``: the
    gradients of the number leaves (a vector) and of the array leaves (the rows of a
    matrix; None unless asked for) added to the GP and GA given.  ``bad`` is nan where a
    number that could hide an inf or nan held one.  ``numbers`` and ``arrays`` are the
    argument leaves (their indices) that P and A hold, in order.
    """

    source: str
    run: Callable[..., Any]
    numbers: list[int]
    arrays: list[int]
    batched: frozenset[int]
    plan: Plan


@dataclass
class _Code:
    """The lines of one lowering, and the names and constants they use."""

    np: Any
    ir: IR
    grads: bool
    plan: Plan
    batched: set[int]
    numbers: dict[int, int]  # number leaf slot -> its place in P
    arrays: dict[int, int]  # array leaf slot -> its row of A
    input_grads: frozenset[int]  # the array leaves whose gradients are asked for
    lines: list[str] = field(default_factory=list)
    table: list[Any] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)  # c<k>: numbers and index arrays
    named: dict[int, str] = field(default_factory=dict)  # constant slot -> its c<k>
    forms: dict[int, str] = field(default_factory=dict)
    derivatives: dict[tuple, str] = field(default_factory=dict)  # a node's partials' D<k>
    tail: list[int] = field(default_factory=list)  # constants in E, after P
    gradient_of: dict[int, int] = field(default_factory=dict)
    alias: dict[int, int] = field(default_factory=dict)
    pieces: set[int] = field(default_factory=set)  # backward slots holding one number a sample

    def emit(self, line: str, indent: int = 1) -> None:
        self.lines.append("    " * indent + line)

    def value(self, x: Any) -> str:
        """A name for a constant of the code: a number of the program, an index array."""
        self.values.append(x)
        return f"c{len(self.values) - 1}"

    def apply(self, op: Op, names: Sequence[str]) -> str:
        """op on the named operands: an operator where the table's inline form is an
        arithmetic expression (arrays and floats alike take it), else its numpy form."""
        if op.inline is not None and op.inline[0] > 0:
            return op.inline[1].format(*names)
        if op.family == "step" and op.params == (1.0, 0.0):  # relu's slope: 1 where x > 0
            return f"({names[0]} > 0.0)"  # True and False multiply as 1.0 and 0.0
        if id(op) not in self.forms:  # ops live as long as the program: their ids stay
            self.table.append(array_form(op, self.np))
            self.forms[id(op)] = f"t{len(self.table) - 1}"
        return f"{self.forms[id(op)]}({', '.join(names)})"

    def derivative(self, op: Op, k: int, names: Sequence[str]) -> str:
        """The k-th partial of a user's op on the named operands, its ``numpy_derivative``
        called once for all of a node's partials (they come one after another)."""
        key = (id(op), *names)
        if key not in self.derivatives:
            self.table.append(op.numpy_derivative(self.np))  # type: ignore[misc]
            self.derivatives[key] = f"D{len(self.derivatives)}"
            self.emit(f"{self.derivatives[key]} = t{len(self.table) - 1}({', '.join(names)})")
        return self.derivatives[key] + ("" if op.arity == 1 else f"[{k}]")

    def name(self, slot: int) -> str:
        """The expression of a slot's value, or of the place its gradient adds up in."""
        ir, where, b = self.ir, self.plan.where, self.ir.backward
        constants = [ir.constants] + ([b.constants] if b is not None and self.grads else [])
        for table in constants:
            if slot in table:
                if slot not in self.named:
                    self.named[slot] = self.value(table[slot])
                return self.named[slot]
        if b is not None and self.grads:
            if slot == b.seed:
                return "seed"
            if slot in self.gradient_of:
                forward = self.gradient_of[self.alias.get(slot, slot)]
                if forward in where:
                    return "GH{}[{}]".format(*where[forward])
                if forward in self.numbers:
                    return f"GP[{self.numbers[forward]}]"
                if forward in self.arrays:
                    return f"GA[{self.arrays[forward]}]" if forward in self.input_grads else "_"
                return f"g{forward}"
        if slot in where:
            return "H{}[{}]".format(*where[slot])
        if slot in self.numbers:
            return f"P[{self.numbers[slot]}]"
        if slot in self.arrays:
            return f"A[{self.arrays[slot]}]"
        return f"v{slot}" if slot < ir.forward_slots else f"d{slot}"

    def e_index(self, slot: int) -> int:
        """The place of a number leaf or a constant in E, P with the constants after it."""
        if slot in self.numbers:
            return self.numbers[slot]
        if slot not in self.tail:
            self.tail.append(slot)
        return len(self.numbers) + self.tail.index(slot)

    def is_batched(self, slot: int) -> bool:
        """Whether a slot holds one number per sample."""
        if slot < self.ir.forward_slots:
            return slot in self.batched
        if slot in self.gradient_of:
            return self.gradient_of[self.alias.get(slot, slot)] in self.batched
        return slot in self.pieces

    def rows(self, rows: Rows) -> str:
        """A group's rows as a matrix: the whole group, or the rows asked for."""
        if rows.rows == list(range(len(self.plan.groups[rows.group].ends))):
            return f"H{rows.group}"
        return f"H{rows.group}[{self.value(self.np.array(rows.rows))}]"

    def operand(self, o: Operand) -> str:
        """A Map's operand: a group's rows, a shared slot, or a column of numbers."""
        if isinstance(o, Rows):
            return self.rows(o)
        if isinstance(o, Numbers):
            return f"E[{self.value(self.np.array([self.e_index(s) for s in o.slots])[:, None])}]"
        return self.name(o.slot)

    def add_rows(self, target: str, rows: list[int], size: int, term: str) -> None:
        """target (a matrix) += term, row by row as ``rows`` says (repeats add up)."""
        if rows == list(range(size)):
            self.emit(f"{target} += {term}")
        elif len(set(rows)) == len(rows):
            self.emit(f"{target}[{self.value(self.np.array(rows))}] += {term}")
        else:
            self.emit(f"add_at({target}, {self.value(self.np.array(rows))}, {term})")


# ---- forward -----------------------------------------------------------------------------


def _forward(c: _Code) -> None:
    """The forward equations: each group where its earliest member is, the rest alone."""
    starts = {first: k for k, first in enumerate(c.plan.first)}
    checked: list[str] = []
    for k, (op, ins, s) in enumerate(c.ir.equations):
        if k in starts:
            _forward_group(c, starts[k], checked)
        if s in c.plan.where or s in c.plan.fused:
            continue
        if any(c.is_batched(i) for i in ins):
            c.batched.add(s)
        names = [c.name(i) for i in ins]
        if op.inline is None or op.family == "relu":  # these may hide an inf or nan
            checked += [n for n, i in zip(names, ins) if not _finite(c, i)]
        c.emit(f"v{s} = {c.apply(op, names)}")
    for name in dict.fromkeys(checked):
        c.emit(f"bad += total({name}) * 0.0")  # 0 if finite, nan otherwise


def _finite(c: _Code, operand: int | Operand) -> bool:
    """Whether an operand is known finite: a constant, or what a matrix product made
    (its bound was checked before it)."""
    if isinstance(operand, Shared):
        operand = operand.slot
    if isinstance(operand, int):
        if operand in c.ir.constants:
            return True
        if operand not in c.plan.where:
            return False
        operand = Rows(c.plan.where[operand][0], [])
    return isinstance(operand, Rows) and isinstance(c.plan.groups[operand.group], MatMul)


def _forward_group(c: _Code, k: int, checked: list[str]) -> None:
    g = c.plan.groups[k]
    if isinstance(g, MatMul):
        x = c.rows(g.x) if g.x is not None else _stack(c, g.xs)
        w = c.value(c.np.array([[c.e_index(s) for s in row] for row in g.w]))
        b = c.value(c.np.array([c.e_index(s) for s in g.b])[:, None])
        c.emit(f"X{k} = {x}")
        c.emit(f"W{k} = E[{w}]")
        c.emit(f"B{k} = E[{b}]")
        # A partial sum that overflows in the float replay's order could stay finite in
        # the product's: where this bound is not finite, the float replay decides.
        bound = f"top(W{k}) * top(X{k}) * {len(g.xs)} + top(B{k})"
        c.emit(f"if not isfinite({bound}):")
        c.emit("raise Fallback", 2)
        c.emit(f"H{k} = W{k} @ X{k} + B{k}")
    else:
        operands = [c.operand(o) for o in g.operands]
        if g.op.inline is None or g.op.family == "relu":
            checked += [n for n, o in zip(operands, g.operands) if not _finite(c, o)]
        c.emit(f"H{k} = {c.apply(g.op, operands)}")
    c.batched.update(g.ends)


def _stack(c: _Code, slots: list[int]) -> str:
    """Slots as the rows of a matrix: a slice or a gather of A's rows if they are
    argument leaves, else a stack of their values."""
    rows = [c.arrays.get(s, -1) for s in slots]
    if -1 not in rows:
        first = rows[0]
        if rows == list(range(first, first + len(rows))):
            return f"A[{first}:{first + len(rows)}]"
        return f"A[{c.value(c.np.array(rows))}]"
    return f"stack(({', '.join(c.name(s) for s in slots)},))"


# ---- backward ----------------------------------------------------------------------------


def _backward(c: _Code) -> None:
    """The backward program: a group's blocks at once, where backward() reaches the last
    of them (every member's gradient is complete there, and no input's is used yet);
    every other block equation by equation."""
    b = c.ir.backward
    assert b is not None
    # A group member's gradient is never another by name: it lives in its group's
    # matrix GH, where the group's backward reads it.
    grouped = c.plan.where
    c.alias = {
        a: g
        for a, g in b.aliases().items()
        if c.is_batched(a) == c.is_batched(g) and c.gradient_of.get(a) not in grouped
    }
    blocks = {block.node: i for i, block in enumerate(b.blocks)}
    at: dict[int, int] = {}  # the member whose block a group's backward replaces
    for k, g in enumerate(c.plan.groups):
        reached = [s for s in g.ends if s in blocks]
        if reached:
            at[max(reached, key=blocks.__getitem__)] = k
        c.emit(f"GH{k} = zeros_like(H{k})")
    written = {out for _, ins, out in b.equations if out != ins[0]}
    scalar = [
        n
        for acc in c.gradient_of
        if acc not in c.alias and acc not in written and (n := c.name(acc)).startswith("g")
    ]
    if scalar:
        c.emit(" = ".join(dict.fromkeys(scalar)) + " = 0.0")
    cursor = 0
    for block in b.blocks:
        _equations(c, b.equations[cursor : block.start], None)
        cursor = block.stop
        if block.node in at:
            k = at[block.node]
            g = c.plan.groups[k]
            if isinstance(g, MatMul):
                _backward_matmul(c, k, g)
            else:
                _backward_map(c, k, g)
        if block.node not in c.plan.where and block.node not in c.plan.fused:
            _equations(c, b.equations[block.start : block.stop], block)
    _equations(c, b.equations[cursor:], None)


def _equations(c: _Code, equations: list[Equation], block: Block | None) -> None:
    """Backward equations one numpy call each; a product of the gradient with a piece of a
    derivative that may be inf or nan (1 / x at 0) is 0 where the gradient is 0."""
    risky: set[int] = set()
    for op, ins, out in equations:
        name = c.name(out)
        if out == ins[0] and (op is ADD or op is SUB):  # a gradient += a share
            if out in c.alias or name == "_":
                continue  # it is the other gradient, by name; or one nobody reads
            term = c.name(ins[1])
            if c.is_batched(ins[1]) and not c.is_batched(out):
                term = f"dot({term}, one)"  # the sum over the batch
            c.emit(f"{name} {'+' if op is ADD else '-'}= {term}")
            continue
        names = [c.name(i) for i in ins]
        if block is None:  # the output's gradient, seed + 0.0: one per sample if batched
            c.emit(f"{name} = ({c.apply(op, names)}){' * one' if c.is_batched(out) else ''}")
            continue
        if any(c.is_batched(i) for i in ins):
            c.pieces.add(out)
        if op is MUL and ins[0] == block.gradient and ins[1] in risky:
            c.emit(f"{name} = where({names[0]} != 0.0, {names[0]} * {names[1]}, 0.0)")
            continue
        if op.family not in _BOUNDED:
            risky.add(out)
        whole = op.partial_of
        if whole is not None and whole[0].numpy_derivative is not None:
            c.emit(f"{name} = {c.derivative(whole[0], whole[1], names)}")
        else:
            c.emit(f"{name} = {c.apply(op, names)}")


def _backward_matmul(c: _Code, k: int, g: MatMul) -> None:
    """d/dW = G X^T and d/db = G 1 (summed over the batch), d/dX = W^T G."""
    grad = f"GH{k}"
    for rows, part in (
        (g.w, f"{grad} @ X{k}.T"),
        ([[s] for s in g.b], f"{grad}.sum(axis=1)[:, None]"),
    ):
        flat = [
            (r, i, c.numbers[s])
            for r, row in enumerate(rows)
            for i, s in enumerate(row)
            if s in c.numbers
        ]
        if not flat:
            continue  # constants: nobody reads their gradients
        places = [p for _, _, p in flat]
        index = c.value(c.np.array(places))
        if len(flat) == sum(len(row) for row in rows):  # every weight a number leaf
            term = f"({part}).ravel()"
        else:
            cells = c.value(c.np.array([r * len(rows[0]) + i for r, i, _ in flat]))
            term = f"({part}).ravel()[{cells}]"
        if len(set(places)) == len(places):
            c.emit(f"GP[{index}] += {term}")
        else:  # a weight used twice in the layer: its shares add up
            c.emit(f"add_at(GP, {index}, {term})")
    if g.x is not None:
        size = len(c.plan.groups[g.x.group].ends)
        c.add_rows(f"GH{g.x.group}", g.x.rows, size, f"W{k}.T @ {grad}")
        return
    gradient = c.ir.backward.gradient if c.ir.backward is not None else []
    targets = [c.name(gradient[x]) if gradient[x] >= 0 else "_" for x in g.xs]
    if all(t == "_" for t in targets):
        return  # the inputs' gradients: nobody reads them
    c.emit(f"GX{k} = W{k}.T @ {grad}")
    for i, target in enumerate(targets):
        if target != "_":
            c.emit(f"{target} += GX{k}[{i}]")


def _backward_map(c: _Code, k: int, g: Map) -> None:
    """The template, run on whole matrices: the member's value H, its inputs' rows, its
    gradient GH; adds into an input's gradient go to that group's rows (or are summed over
    the rows, for an operand every member shares)."""
    assert g.template is not None
    risky: set[int] = set()

    def role(r: tuple) -> str:
        if r[0] == "self":
            return f"H{k}"
        if r[0] == "g":
            return f"GH{k}"
        if r[0] == "t":
            return f"T{k}_{r[1]}"
        if r[0] == "c":
            return c.name(r[1])
        return c.operand(g.operands[r[1]])

    for _, op, result, operands in g.template:
        names = [role(r) for r in operands]
        if result[0] == "acc":
            _add_into(c, g.operands[result[1]], op, names[0])
            continue
        target = role(result)
        if (
            op is MUL
            and operands[0] == ("g",)
            and operands[1][0] == "t"
            and operands[1][1] in risky
        ):
            c.emit(f"{target} = where({names[0]} != 0.0, {names[0]} * {names[1]}, 0.0)")
            continue
        if op.family not in _BOUNDED:
            risky.add(result[1])
        c.emit(f"{target} = {c.apply(op, names)}")


def _add_into(c: _Code, operand: Any, op: Op, term: str) -> None:
    sign = "+" if op is ADD else "-"
    if isinstance(operand, Rows):
        size = len(c.plan.groups[operand.group].ends)
        if sign == "-":
            term = f"-({term})"
        c.add_rows(f"GH{operand.group}", operand.rows, size, term)
        return
    b = c.ir.backward
    assert b is not None
    if isinstance(operand, Numbers):  # each member's number: its row summed over the batch
        places = [c.numbers[s] for s in operand.slots if s in c.numbers and b.gradient[s] >= 0]
        if places:
            column = f"({sign}({term})).sum(axis=1)"
            if len(places) < len(operand.slots):
                kept = [r for r, s in enumerate(operand.slots) if s in c.numbers]
                column += f"[{c.value(c.np.array(kept))}]"
            index = c.value(c.np.array(places))
            if len(set(places)) == len(places):
                c.emit(f"GP[{index}] += {column}")
            else:  # a number that two members share: its shares add up
                c.emit(f"add_at(GP, {index}, {column})")
        return
    if b.gradient[operand.slot] < 0:
        return  # a constant nobody differentiates
    target = c.name(b.gradient[operand.slot])
    if target != "_":
        c.emit(f"{target} {sign}= total({term})")  # every member's share, every sample's


# ---- assembling --------------------------------------------------------------------------


def batched_slots(ir: IR, arrays: frozenset[int]) -> frozenset[int]:
    """The slots that depend on the array leaves ``arrays``."""
    batched = set(arrays)
    for _, ins, s in ir.equations:
        if not batched.isdisjoint(ins):
            batched.add(s)
    return frozenset(batched)


def _render(c: _Code, out: Any) -> str:
    if isinstance(out, int):
        return c.name(out)
    inner = ", ".join(_render(c, o) for o in out)
    return f"({inner}{',' if len(out) == 1 else ''})" if type(out) is tuple else f"[{inner}]"


def _working_copy(ir: IR) -> IR:
    """A copy of ``ir`` for the lowering, its equations as lists (walked a dozen times,
    which the compact form would rebuild each time), without a backward program."""
    parts = {f.name: getattr(ir, f.name) for f in fields(IR) if f.name != "backward"}
    copy = IR(**parts)
    copy.equations = list(ir.equations)  # type: ignore[assignment]
    copy.constant_equations = list(ir.constant_equations)  # type: ignore[assignment]
    return copy


def lower(
    ir: IR, arrays: frozenset[int], grads: bool, input_grads: frozenset[int] | None = None
) -> Lowered:
    """``ir`` as numpy code for the layout where the argument leaves ``arrays`` hold a
    batch and the others a number each (see :class:`Lowered`); ``input_grads``: the
    array leaves whose gradients are computed (all of them by default; the others' rows
    of GA stay as given)."""
    input_grads = arrays if input_grads is None else input_grads
    import numpy as np

    numbers = [i for i in range(ir.num_inputs) if i not in arrays]
    differentiable = ir.differentiable
    ir = _working_copy(ir)
    batched = batched_slots(ir, arrays)
    sums = weighted_sums(ir, batched, grads)
    if grads and differentiable:
        # Its own backward program, in which the weighted sums done as matrix products
        # are fused nodes: their many scalar equations are never derived.
        ir.backward = derive(ir, fused_operands(sums))
    c = _Code(
        np, ir, grads, plan(ir, batched, grads, sums), set(batched),
        {s: k for k, s in enumerate(numbers)}, {s: k for k, s in enumerate(sorted(arrays))},
        frozenset(input_grads),
    )  # fmt: skip
    if grads and ir.backward is not None:
        c.gradient_of = {g: s for s, g in enumerate(ir.backward.gradient) if g >= 0}
    c.emit("bad = 0.0")
    _forward(c)
    if grads and ir.backward is not None:
        _backward(c)
        for acc in _ends(c):
            c.emit(f"bad += total({c.name(acc)}) * 0.0")
        c.emit(f"return bad, {c.name(ir.backward.root)}, GP, GA")
        head = "    def run(P, A, seed, zero, one, GP, GA):"
    else:
        c.emit(f"return bad, {_render(c, ir.outputs)}")
        head = "    def run(P, A, zero, one):"
    tail = [ir.constants.get(s, 0.0) for s in c.tail]
    e = f"concatenate((P, {c.value(np.array(tail, dtype=float))}))" if tail else "P"
    lines = [f"        E = {e}", *("    " + line for line in c.lines)]
    source = "\n".join(
        [
            "def make(table, constants):",
            *(
                [f"    {', '.join(f't{i}' for i in range(len(c.table)))}, = table"]
                if c.table
                else []
            ),
            *(
                [f"    {', '.join(f'c{i}' for i in range(len(c.values)))}, = constants"]
                if c.values
                else []
            ),
            head,
            *lines,
            "    return run",
            "",
        ]
    )
    namespace: dict[str, Any] = {
        "Fallback": Fallback,
        "stack": np.stack,
        "isfinite": np.isfinite,
        "top": lambda m: float(np.max(np.abs(m))) if np.size(m) else 0.0,
        "total": np.sum,
        "add_at": np.add.at,
        "dot": np.dot,
        "where": np.where,
        "concatenate": np.concatenate,
        "zeros_like": np.zeros_like,
    }
    exec(compile(source, "<autograd.trace numpy program>", "exec"), namespace)
    run = namespace["make"](c.table, c.values)
    return Lowered(source, run, numbers, sorted(arrays), frozenset(c.batched), c.plan)


def _ends(c: _Code) -> list[int]:
    """Gradients that no block carries on (of leaves that are not arguments)."""
    b = c.ir.backward
    assert b is not None
    passing = {block.node for block in b.blocks}
    return [
        g
        for s, g in enumerate(b.gradient)
        if g >= 0
        and s >= c.ir.num_inputs
        and s not in passing
        and s not in c.plan.fused
        and s not in c.plan.where
        and g not in c.alias
    ]
