"""Long float replays as several functions, compiled one at a time.

Python compiles a function as a whole, and its time and memory grow faster than the
function's length (a million lines took 74 s and 5 KB a line).  So a program of more
than ``SINGLE`` statements (:mod:`~autograd.trace.lower_python`) is cut into functions
of ``CHUNK`` statements each, compiled as soon as it is written and its text dropped.
A value that one function computes and a later one reads crosses in a list ``R``: the
first stores it (``R[i] = v5``), the later loads it (``v5 = R[i]``); ``R`` starts at
0.0, which is where every gradient starts.  A driver function unpacks the arguments into
``R``, calls the functions in order and reads the results from ``R``.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from .args import Shape
from .compiling import Statement, compiled
from .ir import IR, Backward


class Lowering(Protocol):
    """What splitting reads of a lowering (:class:`autograd.trace.lower_python.Lowering`)."""

    ir: IR
    b: Backward | None
    grads: bool
    table: list[Callable[..., Any]]
    last: array[int]  # the last event that reads each slot

    def name(self, slot: int) -> str: ...

    def slot_of(self, name: str) -> int: ...

    def constant(self, slot: int) -> float: ...


class _Registers:
    """Where each crossing value lives in ``R``: arguments first, then their gradients'
    starts, the seed, ``bad``, and the others in the order they first cross."""

    def __init__(self, p: Lowering) -> None:
        self.p = p
        self.index = array("q", [-1]) * (p.ir.num_slots + 1)  # by slot: 8 bytes each
        n = p.ir.num_inputs
        self.size = 0
        for i in range(n):
            self[f"v{i}"]
        if p.grads:
            for i in range(n):
                self[f"g{i}"]
            self["seed"]
            self["bad"]

    def __getitem__(self, name: str) -> int:
        slot = self.p.slot_of(name)
        if self.index[slot] < 0:
            self.index[slot] = self.size
            self.size += 1
        return self.index[slot]


def _chunk(
    p: Lowering, statements: list[Statement], registers: _Registers, k: int
) -> tuple[str, Callable[..., Any]]:
    """One function of the program: loads, the statements, stores; compiled."""
    written: set[str] = set()
    loads: dict[str, None] = {}
    constants: dict[str, None] = {}
    end = max(s.time for s in statements)
    for s in statements:
        for line in s.lines:
            target, reads = _names(line)
            for name in reads:
                if name[0] == "c":
                    constants[name] = None
                elif name not in written:
                    loads[name] = None
            if target is not None:
                written.add(target)
    stores = [n for n in sorted(written) if p.last[p.slot_of(n)] > end]
    body = [f"{n} = R[{registers[n]}]" for n in loads]
    for s in statements:
        body += s.lines
    body += [f"R[{registers[n]}] = {n}" for n in stores]
    used = [int(c[1:]) for c in constants]
    head = ["def make(table, constants):"]
    if p.table:
        head.append(f"    {', '.join(f't{i}' for i in range(len(p.table)))}, = table")
    if used:
        head.append(f"    {', '.join(constants)}, = constants")
    source = "\n".join([*head, "    def chunk(R):", *("        " + x for x in body or ["pass"])])
    source += "\n    return chunk\n"
    values = [p.constant(s) for s in used]
    return source, compiled(source, p.table, values, f"<autograd.trace program, part {k}>")


_NAME = re.compile(r"\b(?:[vgdc]\d+|seed|bad)\b")
_ASSIGNED = re.compile(r"^\s*([vgd]\d+|bad) (=|\+=|-=) ")


def _names(line: str) -> tuple[str | None, list[str]]:
    """The name a generated line assigns (None for if, else, raise) and the names it reads
    first (an add into a gradient reads it as well)."""
    m = _ASSIGNED.match(line)
    if m is None:
        return None, _NAME.findall(line)
    rest = _NAME.findall(line[m.end() :])
    return m.group(1), ([m.group(1), *rest] if m.group(2) != "=" else rest)


def _parts(statements: Iterable[Statement], size: int) -> Iterator[list[Statement]]:
    part: list[Statement] = []
    for s in statements:
        part.append(s)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def assemble(
    p: Lowering, statements: Iterable[Statement], size: int, keep_source: bool = False
) -> tuple[str, Callable[..., Any]]:
    """The program's ``statements`` as functions of ``size`` statements and a driver: the
    driver's source (with every part's before it, if ``keep_source``) and the compiled
    driver."""
    registers = _Registers(p)
    chunks: list[Callable[..., Any]] = []
    texts: list[str] = []
    for k, part in enumerate(_parts(statements, size)):
        text, chunk = _chunk(p, part, registers, k)
        chunks.append(chunk)
        if keep_source:
            texts.append(text)
    driver, constants = _driver(p, registers, len(chunks))
    text = "\n".join(
        [
            "def make(chunks, constants):",
            f"    {', '.join(f'part{k}' for k in range(len(chunks)))}, = chunks",
            *([f"    {', '.join(f'c{s}' for s in constants)}, = constants"] if constants else []),
            *("    " + line for line in driver),
            f"    return {'value_and_grad' if p.grads else 'forward'}",
            "",
        ]
    )
    values = [p.constant(s) for s in constants]
    fast = compiled(text, chunks, values, "<autograd.trace program, driver>")
    return "\n".join([*texts, text]), fast


def _driver(p: Lowering, registers: _Registers, count: int) -> tuple[list[str], list[int]]:
    """The function that unpacks the arguments into R, runs the parts, returns results."""
    params, lines = _arguments(p, registers)
    if p.grads:
        params += ["seed", "start"]
    body = list(lines)
    if p.grads:
        body += _starts(p, registers)
        body.append(f"R[{registers['seed']}] = seed")
    body += [f"part{k}(R)" for k in range(count)]
    constants: list[int] = []

    def get(slot: int) -> str:
        name = p.name(slot)
        if name[0] == "c":
            constants.append(slot)
            return name
        return f"R[{registers[name]}]"

    body += _results(p, registers, get)
    body.insert(0, f"R = [0.0] * {registers.size}")  # every crossing value is known now
    name = "value_and_grad" if p.grads else "forward"
    return [f"def {name}({', '.join(params)}):", *("    " + x for x in body)], constants


def _arguments(p: Lowering, registers: _Registers) -> tuple[list[str], list[str]]:
    """Parameters, and lines that check the arguments and put their numbers into R."""
    params: list[str] = []
    lines: list[str] = []
    first = 0
    for i, shape in enumerate(p.ir.arguments.items):
        size = _count(shape)
        if shape is None:
            params.append(f"v{first}")
            lines += [f"if not finite((v{first},)):", "    raise Replay", f"R[{first}] = v{first}"]
        else:
            params.append(f"a{i}")
            lines += _unpack(f"a{i}", shape, first, size)
        first += size
    return params, lines


def _unpack(arg: str, shape: Shape, first: int, size: int) -> list[str]:
    """Check an argument of ``shape`` and copy its numbers into R[first:first + size]."""
    if shape.flat:  # float() converts as Value() does; sum() refuses what is not a number
        test = f"type({arg}) in LISTS and len({arg}) == {size} and isfinite(sum({arg}, 0.0))"
        return [
            f"if not ({test}):",
            "    raise Replay",
            f"R[{first}:{first + size}] = map(float, {arg})",
        ]
    names = [f"x{first + j}" for j in range(size)]
    counter = iter(names)
    target = _target(shape, counter)
    return [
        f"{target} = {arg}",
        f"if not finite(({', '.join(names)},)):",
        "    raise Replay",
        f"R[{first}:{first + size}] = ({', '.join(names)},)",
    ]


def _starts(p: Lowering, registers: _Registers) -> list[str]:
    """Lines that put the gradients' starts (where ``start`` gives them) into R."""
    n = p.ir.num_inputs
    shapes = p.ir.arguments.items
    if not shapes:
        return []
    lines = [
        "if start is not None:",
        "    if type(start) not in LISTS:",
        "        raise Replay",
        f"    {', '.join(f's{i}' for i in range(len(shapes)))}, = start",
    ]
    first = 0
    for i, shape in enumerate(shapes):
        size = _count(shape)
        lines.append(f"    if s{i} is not None:")
        if shape is None:
            lines.append(f"        R[{n + first}] = s{i}")
        elif shape.flat:
            lines += [
                f"        if not (type(s{i}) in LISTS and len(s{i}) == {size}):",
                "            raise Replay",
                f"        R[{n + first}:{n + first + size}] = s{i}",
            ]
        else:
            names = [f"x{j}" for j in range(size)]
            lines.append(f"        {_target(shape, iter(names))} = s{i}")
            lines.append(f"        R[{n + first}:{n + first + size}] = ({', '.join(names)},)")
        first += size
    return lines


def _results(p: Lowering, registers: _Registers, get: Callable[[int], str]) -> list[str]:
    """The check that every gradient is finite and the return line, reading from R."""
    if p.b is None:
        return [f"return {_render(p.ir.outputs, get)}"]
    n = p.ir.num_inputs
    lines, parts, items = [], [], []
    first = 0
    for i, shape in enumerate(p.ir.arguments.items):
        size = _count(shape)
        if shape is None:
            items.append(f"R[{n + first}]")
            parts.append(items[-1])
        else:
            kind = "tuple" if shape.kind is tuple else ""
            lines.append(f"grads{i} = {kind}(R[{n + first}:{n + first + size}])")
            parts.append(f"sum(grads{i})")
            items.append(
                f"grads{i}" if shape.flat else _nest(shape, f"grads{i}", iter(range(size)))
            )
        first += size
    root = get(p.b.root)
    parts.append(f"R[{registers['bad']}]")
    lines += [f"if not isfinite({' + '.join([*parts, root])}):", "    raise Replay"]
    lines.append(f"return {root}, ({', '.join(items)}{',' if len(items) == 1 else ''})")
    return lines


def _count(shape: Shape | None) -> int:
    return 1 if shape is None else sum(_count(s) for s in shape.items)


def _target(shape: Shape | None, names: Iterator[str]) -> str:
    if shape is None:
        return next(names)
    return "[" + ", ".join(_target(s, names) for s in shape.items) + "]"


def _nest(shape: Shape | None, flat: str, counter: Iterator[int]) -> str:
    """A nested display of the items of the list ``flat``, shaped like ``shape``."""
    if shape is None:
        return f"{flat}[{next(counter)}]"
    inner = ", ".join(_nest(s, flat, counter) for s in shape.items)
    if shape.kind is tuple:
        return f"({inner}{',' if len(shape.items) == 1 else ''})"
    return f"[{inner}]"


def _render(out: Any, get: Callable[[int], str]) -> str:
    if isinstance(out, int):
        return get(out)
    inner = ", ".join(_render(o, get) for o in out)
    return f"({inner}{',' if len(out) == 1 else ''})" if type(out) is tuple else f"[{inner}]"
