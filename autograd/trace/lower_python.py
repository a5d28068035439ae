"""The float replay: a program's IR lowered to straight-line Python, compiled once.

Each slot is a local variable: ``v<s>`` the value of slot s, ``g<s>`` the gradient of
slot s, ``d<s>`` a piece of a derivative; each equation is a line, or part of one: an op
with an inline form in the table (+ - * neg relu) whose result is used once by another
is written inside it, and Python evaluates ``a + b * c + d`` in the graph's order.  Other
ops are calls of their forward function (``t<k>``, an entry of the op table passed in).
Constants are read from closure cells (``c<s>``): no number, label or name of the
program is ever written into the code as text.  A backward block runs only where its
gradient is not 0, as backward() does.

The float operations are the engine's, in the engine's order, so results are the
Value path's bit for bit.  Inline operations do not raise on overflow, though: the code
checks that every number that could hold an inf or nan is finite (x - x == 0.0) and
raises :class:`Replay` otherwise; the caller then reruns the call on Values, which raises
the engine's own error.

Beyond ``SINGLE`` statements a program is split into functions of ``CHUNK`` statements,
each compiled on its own, so that compiling stays linear in time and small in memory;
values that cross from one function to a later one go through a list, ``R``.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from ..ops import ADD, SUB, Op, step
from ..value import as_float
from .args import Shape
from .chunks import assemble
from .compiling import Replay, Statement, compiled
from .ir import IR, Block

SINGLE = 150_000  # statements in one function at most; larger programs are split ...
CHUNK = 5_000  # ... into functions of this many statements (about 50 MB to compile)
MAX_DEPTH = 200  # operations nested in one expression (Python's parser recurses on them)

_RELU_SLOPE = step(1.0, 0.0)  # relu's derivative, whose backward is written as a branch
_ATOM = 9  # the precedence of a name


def _user_forward(op: Op) -> Callable[..., float]:
    """A user op's forward function as the engine's apply() runs it: a finite float."""
    forward, name = op.forward, str(op)

    def call(*xs: float) -> float:
        r = forward(*xs)
        if type(r) is not float:
            r = as_float(r, name)
        if not math.isfinite(r):
            raise Replay
        return r

    return call


def _user_derivative(op: Op) -> Callable[..., tuple[float, ...]]:
    """A user op's derivative rule (checked: finite real numbers, else an error naming
    the op), every partial as a float, in a tuple."""
    rule = op.derivative
    if op.arity == 1:
        return lambda *xs: (float(rule(*xs)),)
    return lambda *xs: tuple(map(float, rule(*xs)))


class _Constants:
    """The program's constants and its backward program's, looked up without a copy."""

    def __init__(self, forward: dict[int, float], backward: dict[int, float]) -> None:
        self.forward, self.backward = forward, backward

    def __contains__(self, slot: int) -> bool:
        return slot in self.forward or slot in self.backward

    def __getitem__(self, slot: int) -> float:
        found = self.forward.get(slot)
        return self.backward[slot] if found is None else found


class _Expression(NamedTuple):
    """An inline operation waiting to be written into the one equation that uses it."""

    text: str
    precedence: int
    depth: int


# ---- what each slot is called, and who reads it ------------------------------------------


class Lowering:
    """The IR with what lowering needs to know about it: names, uses, aliases."""

    def __init__(
        self,
        ir: IR,
        grads: bool,
        shared: Lowering | None = None,
        sink: frozenset[int] = frozenset(),
    ) -> None:
        """``sink``: argument leaves whose gradients nobody reads (their shares are only
        checked, in ``bad``)."""
        self.ir, self.grads = ir, grads
        b = ir.backward if grads else None
        self.b = b
        self.forward_slots = ir.forward_slots
        self.table: list[Callable[..., Any]] = []
        self._table_names: dict[int, str] = {}
        # accumulator slot -> the forward slot it is the gradient of (-1: not a gradient)
        self.gradient_of = array("q", [-1]) * (ir.num_slots + 1)
        self.alias: dict[int, str] = {}  # accumulators that are another gradient
        self.starts = frozenset(b.starts) if b is not None else frozenset()
        self.used: dict[int, None] = {}  # the constants the code reads, in order
        self.constants = _Constants(ir.constants, b.constants if b is not None else {})
        if shared is not None:  # one module with another function: one table, one set
            self.table, self._table_names = shared.table, shared._table_names
            self.used = shared.used
            shared.constants = self.constants
        if b is not None:
            for s, g in enumerate(b.gradient):
                if g >= 0:
                    self.gradient_of[g] = s
        self.end = len(ir.equations) + (len(b.equations) if b is not None else 0)
        self.bad = ir.num_slots  # a slot of its own for ``bad``, where checks add up
        self.ends: frozenset[int] = frozenset()
        same = b.aliases() if b is not None else {}
        if b is not None:
            ends = {g for g in self._ends() if g not in same}
            self.ends = frozenset(ends | {b.gradient[i] for i in sink})
        self._count_uses()
        for acc, g in same.items():
            self.alias[acc] = self.name(g)
            # reads of this gradient read the other: keep that one as long as both
            self.last[g] = max(self.last[g], self.last[acc])

    def name(self, slot: int) -> str:
        if slot in self.constants:
            self.used[slot] = None
            return f"c{slot}"
        if self.b is not None:
            if slot == self.b.seed:
                return "seed"
            if slot in self.ends:
                return "bad"  # a gradient nothing reads: only its finiteness counts
            if self.gradient_of[slot] >= 0:
                return self.alias.get(slot) or f"g{self.gradient_of[slot]}"
        return f"v{slot}" if slot < self.forward_slots else f"d{slot}"

    def constant(self, slot: int) -> float:
        """The number of a constant slot (the program's, or its backward program's)."""
        return self.constants[slot]

    def slot_of(self, name: str) -> int:
        """The slot behind a name (for a gradient, its accumulator)."""
        if name == "seed":
            assert self.b is not None
            return self.b.seed
        if name == "bad":
            return self.bad
        number = int(name[1:])
        if name[0] == "g":
            assert self.b is not None
            return self.b.gradient[number]
        return number

    def function(self, f: Callable[..., Any]) -> str:
        name = self._table_names.get(id(f))
        if name is None:
            name = self._table_names[id(f)] = f"t{len(self.table)}"
            self.table.append(f)
        return name

    def forward_of(self, op: Op) -> str:
        return self.function(op.forward if op.builtin else _user_forward(op))

    def derivative_of(self, op: Op) -> str:
        """The table's entry of a user op's whole derivative (see _user_derivative)."""
        name = self._table_names.get(id(op))  # the op lives as long as its entry
        if name is None:
            name = self._table_names[id(op)] = f"t{len(self.table)}"
            self.table.append(_user_derivative(op))
        return name

    def equations(self) -> Iterator[tuple[int, Op, tuple[int, ...], int]]:
        """(event, op, inputs, output): the forward equations, then the backward ones."""
        event = 0
        for op, ins, out in self.ir.equations:
            yield event, op, ins, out
            event += 1
        if self.b is not None:
            for op, ins, out in self.b.equations:
                yield event, op, ins, out
                event += 1

    def _count_uses(self) -> None:
        n = self.ir.num_slots + 1  # and bad
        self.uses = array("l", [0]) * n
        self.last = array("q", [-1]) * n  # the last event that reads (or adds into) a slot
        self.consumer = array("q", [-1]) * n  # the first event that reads a slot
        for event, _, ins, _ in self.equations():
            for i in ins:
                self.uses[i] += 1
                self.last[i] = event
                if self.consumer[i] < 0:
                    self.consumer[i] = event
        finals = self.ir.slots_of_outputs()
        if self.b is not None:
            finals += [*self.b.starts, self.bad]
        for s in finals:
            self.uses[s] += 1
            self.last[s] = self.end

    def _ends(self) -> list[int]:
        """Gradients that no block carries on (of leaves that are not arguments, of nodes
        without a rule): nothing reads them, but backward() raises where one is infinite or
        NaN, so their shares are added into ``bad``, whose finiteness is checked at the end."""
        assert self.b is not None
        passing = {block.node for block in self.b.blocks}
        return [
            g
            for s, g in enumerate(self.b.gradient)
            if g >= 0 and s >= self.ir.num_inputs and s not in passing
        ]


# ---- statements ----------------------------------------------------------------------


def _operand(p: Lowering, slot: int, pending: dict[int, _Expression], need: int) -> _Expression:
    """A slot as an operand: its pending expression (in parentheses if it binds less
    tightly than ``need``), or its name."""
    e = pending.pop(slot, None)
    if e is None:
        return _Expression(p.name(slot), _ATOM, 0)
    if e.precedence < need:
        return e._replace(text=f"({e.text})")
    return e


def _inline(
    p: Lowering, op: Op, ins: tuple[int, ...], pending: dict[int, _Expression]
) -> _Expression:
    """The op's inline form with its operands written in."""
    assert op.inline is not None
    precedence, template = op.inline
    operands = []
    for k, i in enumerate(ins):
        # a left operand binds at the op's own level; a right one must bind more tightly
        need = precedence if (k == 0 or len(ins) == 1) else precedence + 1
        operands.append(_operand(p, i, pending, need))
    text = template.format(*(e.text for e in operands))
    return _Expression(text, precedence, 1 + max(e.depth for e in operands))


def _fusable(p: Lowering, slot: int, part: range) -> bool:
    """Whether a slot computed inline is written into its one reader instead of named: the
    reader is an inline op of the same part (the forward program, or one backward block:
    the events in ``part``) that uses the operand once, or an add into a gradient."""
    event = p.consumer[slot]
    if p.uses[slot] != 1 or event not in part:
        return False
    op, ins, out = _equation_at(p, event)
    if op.inline is None:
        return (op is ADD or op is SUB) and out == ins[0] and ins[1] == slot
    position = ins.index(slot)
    return op.inline[1].count(f"{{{position}}}") == 1 and ins.count(slot) == 1


def _equation_at(p: Lowering, event: int) -> tuple[Op, tuple[int, ...], int]:
    first = len(p.ir.equations)
    if event < first:
        return p.ir.equations[event]
    assert p.b is not None
    return p.b.equations[event - first]


def forward_statements(p: Lowering) -> Iterator[Statement]:
    """The forward equations, then checks of the numbers that may be inf or nan."""
    pending: dict[int, _Expression] = {}
    unchecked: set[int] = set()  # computed inline: may hold an inf or nan
    carried: set[int] = set()  # unchecked, but an inline op carries its inf or nan on
    first_backward = len(p.ir.equations)
    part = range(first_backward)
    for event, (op, ins, out) in enumerate(p.ir.equations):
        name = p.name(out)
        if op.inline is not None:
            e = _inline(p, op, ins, pending)
            carried.update(i for i in ins if i in unchecked)
            unchecked.add(out)
            if _fusable(p, out, part) and e.depth < MAX_DEPTH:
                pending[out] = e
            else:
                yield Statement([f"{name} = {e.text}"], event)
            continue
        for i in ins:  # a call may hide an inf or nan (tanh(inf) is 1): check it first
            if i in unchecked:
                yield _check(p.name(i), event)
                unchecked.discard(i)
        args = ", ".join(p.name(i) for i in ins)
        yield Statement([f"{name} = {p.forward_of(op)}({args})"], event)
    for s in sorted(unchecked - carried):
        yield _check(p.name(s), first_backward - 1)


def _check(name: str, time: int) -> Statement:
    return Statement([f"if not {name} - {name} == 0.0:", "    raise Replay"], time)


def backward_statements(p: Lowering) -> Iterator[Statement]:
    """The backward program: equations that always run, and each block under its guard;
    blocks in a row under the same guard (the adds of a sum pass on one gradient) share
    one ``if``."""
    held: Statement | None = None
    for s in _blocks(p):
        if held is not None and s.lines[0] == held.lines[0] and s.lines[0].startswith("if "):
            held = Statement(held.lines + s.lines[1:], s.time)
            continue
        if held is not None:
            yield held
        held = s
    if held is not None:
        yield held


def _blocks(p: Lowering) -> Iterator[Statement]:
    assert p.b is not None
    first, cursor = len(p.ir.equations), 0
    for block in p.b.blocks:
        if cursor < block.start:
            yield from _block(p, None, cursor, block.start, first)
        yield from _block(p, block, block.start, block.stop, first)
        cursor = block.stop
    if cursor < len(p.b.equations):
        yield from _block(p, None, cursor, len(p.b.equations), first)


def _block(
    p: Lowering, block: Block | None, start: int, stop: int, first: int
) -> Iterator[Statement]:
    assert p.b is not None
    equations = p.b.equations[start:stop]
    part = range(first + start, first + stop)
    lines: list[str] = []
    pending: dict[int, _Expression] = {}
    derived: set[int] = set()
    skip = -1
    for k, equation in enumerate(equations):
        if k <= skip:
            continue
        relu = _relu_share(p, equations, k, block)
        if relu is not None:
            lines += relu
            skip = k + 2
            continue
        op, ins, out = equation
        if op.partial_of is not None:  # a user op's partials: its rule called once a node
            node = ins[-1]  # D<node> lives in this statement only
            if node not in derived:
                derived.add(node)
                rule = p.derivative_of(op.partial_of[0])
                lines.append(f"D{node} = {rule}({', '.join(p.name(i) for i in ins)})")
            lines.append(f"{p.name(out)} = D{node}[{op.partial_of[1]}]")
            continue
        line = _line(p, equation, pending, part)
        if line is not None:
            lines.append(line)
    if not lines:
        return
    if block is not None:
        lines = [f"if {p.name(block.gradient)}:", *("    " + line for line in lines)]
    yield Statement(lines, first + stop - 1)


def _line(
    p: Lowering,
    equation: tuple[Op, tuple[int, ...], int],
    pending: dict[int, _Expression],
    part: range,
) -> str | None:
    """One backward equation: an add into a gradient, a piece of a derivative, or a call;
    None where it is written into another, or where a gradient is another by name."""
    op, ins, out = equation
    name = p.name(out)
    if out == ins[0] and (op is ADD or op is SUB):  # g += term, in place
        if out in p.alias:
            return None  # the gradient is its one share, by name
        e = _operand(p, ins[1], pending, 0)
        return f"{name} {'+' if op is ADD else '-'}= {e.text}"
    if op.inline is not None:
        e = _inline(p, op, ins, pending)
        if _fusable(p, out, part) and e.depth < MAX_DEPTH:
            pending[out] = e
            return None
        return f"{name} = {e.text}"
    return f"{name} = {p.forward_of(op)}({', '.join(p.name(i) for i in ins)})"


def _relu_share(p: Lowering, equations: Sequence, k: int, block: Block | None) -> Any:
    """relu's share, d = step(x); t = g * d; acc += t, in one line as backward() writes
    it: acc += g if x > 0.0 else g * 0.0 (the same bits as g * d)."""
    if block is None or k + 2 >= len(equations):
        return None
    (op1, ins1, d), (op2, ins2, t), (op3, ins3, acc) = equations[k : k + 3]
    if op1 is not _RELU_SLOPE or op2.family != "mul" or op3 is not ADD:
        return None
    (x,) = ins1
    if ins2 != (block.gradient, d) or ins3 != (acc, t) or p.uses[d] != 1 or p.uses[t] != 1:
        return None
    g, xn, an = p.name(block.gradient), p.name(x), p.name(acc)
    # as backward() adds it: g * 0.0 changes no gradient but one that is -0.0 (where 0.0
    # + -0.0 is 0.0), and carries an inf or nan on as nan
    return [f"{an} += {g} if {xn} > 0.0 else {g} * 0.0"]


# ---- arguments, gradients' start, results ----------------------------------------------

_HEADER = [
    "# Generated by autograd.trace.  v<i> is the value in slot i, g<i> its gradient, d<i> a",
    "# piece of a derivative; t<k> is entry k of the op table, c<i> a constant.  Floats",
    "# only: x - x is 0.0 for a finite x and nan otherwise, so an overflow is never hidden;",
    "# on Replay the caller reruns the call on Values, which raises the engine's own error.",
]


def unpack_target(
    shape: Shape | None, counter: Iterator[int], prefix: str, names: list[str]
) -> str:
    """An assignment target that unpacks a value of ``shape`` into numbered names."""
    if shape is None:
        names.append(f"{prefix}{next(counter)}")
        return names[-1]
    return "[" + ", ".join(unpack_target(s, counter, prefix, names) for s in shape.items) + "]"


def container_tests(shape: Shape, path: str) -> list[str]:
    """Tests that every container of an argument is a list or a tuple, as traced."""
    tests = [f"type({path}) in LISTS"]
    for i, s in enumerate(shape.items):
        if s is not None:
            tests += container_tests(s, f"{path}[{i}]")
    return tests


def _arguments(p: Lowering) -> tuple[list[str], list[str]]:
    """The function's parameters, and lines that unpack and check them."""
    params: list[str] = []
    checks = Checks()
    counter = iter(range(p.ir.num_inputs))
    for i, shape in enumerate(p.ir.arguments.items):
        params.append(f"v{next(counter)}" if shape is None else f"a{i}")
        if shape is None:
            checks.scalars.append(params[-1])
        else:
            checks.unpack(shape, counter, f"a{i}")
    return params, checks.lines()


class Checks:
    """Lines that unpack arguments into numbered names, and the test that they are all
    of the kinds traced and finite (else Replay: the slow path says what is wrong)."""

    def __init__(self) -> None:
        self.unpacking: list[str] = []
        self.tests: list[str] = []
        self.sums: list[str] = []
        self.scalars: list[str] = []

    def unpack(self, shape: Shape, counter: Iterator[int], source: str) -> None:
        self.tests += container_tests(shape, source)
        names: list[str] = []
        if shape.flat:  # float() converts ints and fractions as Value() does; sum() refuses
            self.unpacking.append(
                f"{unpack_target(shape, counter, 'v', names)} = map(float, {source})"
            )
            self.sums.append(f"sum({source}, 0.0)")
        else:
            self.unpacking.append(f"{unpack_target(shape, counter, 'v', names)} = {source}")
            self.scalars += names

    def lines(self) -> list[str]:
        tests = list(self.tests)
        if self.sums:
            tests.append(f"isfinite({' + '.join(self.sums)})")
        if self.scalars:
            tests.append(f"finite(({', '.join(self.scalars)},))")
        if not tests:
            return list(self.unpacking)
        return [*self.unpacking, f"if not ({' and '.join(tests)}):", "    raise Replay"]


def _starts(p: Lowering) -> list[str]:
    """Gradients at 0.0, then the arguments' from ``start`` where it gives them."""
    assert p.b is not None
    written = {out for _, ins, out in p.b.equations if out != ins[0]}
    zero = [
        p.name(g)
        for g in p.b.gradient
        if g >= 0 and g not in p.alias and g not in written and g not in p.ends
    ]
    zero.append("bad")
    lines = [" = ".join(zero[k : k + 20]) + " = 0.0" for k in range(0, len(zero), 20)]
    shapes = p.ir.arguments.items
    if not shapes:
        return lines
    lines += [
        "if start is not None:",
        "    if type(start) not in LISTS:",
        "        raise Replay",
        f"    {', '.join(f's{i}' for i in range(len(shapes)))}, = start",
    ]
    counter = iter(range(p.ir.num_inputs))
    for i, shape in enumerate(shapes):
        names: list[str] = []
        target = unpack_target(shape, counter, "g", names)
        lines.append(f"    if s{i} is not None:")
        if shape is not None:
            lines += [f"        if not ({' and '.join(container_tests(shape, f's{i}'))}):"]
            lines += ["            raise Replay"]
        lines.append(f"        {target} = s{i}")
    return lines


def _render(p: Lowering, out: Any) -> str:
    if isinstance(out, int):
        return p.name(out)
    inner = ", ".join(_render(p, o) for o in out)
    if type(out) is tuple:
        return f"({inner}{',' if len(out) == 1 else ''})"
    return f"[{inner}]"


def _results(p: Lowering) -> list[str]:
    """The check that every gradient is finite, and the return line."""
    if p.b is None:
        return [f"return {_render(p, p.ir.outputs)}"]
    lines, parts, items = [], [], []
    counter = iter(range(p.ir.num_inputs))
    for i, shape in enumerate(p.ir.arguments.items):
        names: list[str] = []
        rendered = gradient_display(shape, counter, names)
        if shape is not None and shape.flat:
            lines.append(f"grads{i} = {rendered}")
            parts.append(f"sum(grads{i})")
            rendered = f"grads{i}"
        else:
            parts += names
        items.append(rendered)
    root = p.name(p.b.root)
    parts.append("bad")
    lines += [f"if not isfinite({' + '.join([*parts, root])}):", "    raise Replay"]
    lines.append(f"return {root}, ({', '.join(items)}{',' if len(items) == 1 else ''})")
    return lines


def gradient_display(shape: Shape | None, counter: Iterator[int], names: list[str]) -> str:
    """The gradients of an argument, shaped like it: a list or tuple display of g<i>."""
    if shape is None:
        names.append(f"g{next(counter)}")
        return names[-1]
    inner = ", ".join(gradient_display(s, counter, names) for s in shape.items)
    if shape.kind is tuple:
        return f"({inner}{',' if len(shape.items) == 1 else ''})"
    return f"[{inner}]"


# ---- assembling and compiling ------------------------------------------------------------


def lower(ir: IR, grads: bool) -> tuple[str, Callable[..., Any]]:
    """The source of the replay (``value_and_grad`` with ``grads``, else ``forward``) and
    the compiled function."""
    p = Lowering(ir, grads)
    size = len(ir.equations) + (len(p.b.equations) if p.b is not None else 0)
    if size > SINGLE:
        return assemble(p, _statements(p), CHUNK)
    source = _module(p, [_function(p)])
    return source, compiled(source, p.table, [p.constant(s) for s in p.used])


def source(ir: IR) -> str:
    """The generated code of both functions, ``forward`` and (for a program whose output
    is one Value) ``value_and_grad``, as one module to read (a long program: its parts,
    then the driver, for each function)."""
    if len(ir.equations) + (len(ir.backward.equations) if ir.backward else 0) > SINGLE:
        grads = [False, True] if ir.backward is not None else [False]
        parts = [Lowering(ir, g) for g in grads]
        return "\n".join(assemble(p, _statements(p), CHUNK, keep_source=True)[0] for p in parts)
    p = Lowering(ir, False)
    functions = [_function(p)]
    if ir.backward is not None:
        q = Lowering(ir, True, shared=p)
        functions.append(_function(q))
    return _module(p, functions)


def _statements(p: Lowering) -> Iterator[Statement]:
    yield from forward_statements(p)
    if p.grads:
        yield from backward_statements(p)


def _function(p: Lowering) -> list[str]:
    """The lines of one generated function, indented for its place inside ``make``."""
    name = "value_and_grad" if p.grads else "forward"
    params, body = _arguments(p)
    if p.grads:
        params += ["seed", "start"]
        body += _starts(p)
    for statement in forward_statements(p):
        body += statement.lines
    if p.grads:
        for statement in backward_statements(p):
            body += statement.lines
    body += _results(p)
    return [f"    def {name}({', '.join(params)}):", *("        " + line for line in body)]


def _module(p: Lowering, functions: list[list[str]]) -> str:
    names = [f[0].split("(")[0][len("    def ") :] for f in functions]
    returned = ", ".join(names)
    lines = [*_HEADER, *make_head(p)]
    for f in functions:
        lines += f
    return "\n".join([*lines, f"    return {returned}", ""])


def make_head(p: Lowering) -> list[str]:
    lines = ["def make(table, constants):"]
    if p.table:
        lines.append(f"    {', '.join(f't{i}' for i in range(len(p.table)))}, = table")
    if p.used:
        lines.append(f"    {', '.join(f'c{s}' for s in p.used)}, = constants")
    return lines
