"""Many rows in one call: the float replay looped over a batch inside the generated code.

``nets.fit`` replays one sample's program on every row of a batch, last row first (as
backward() visits the batch's graph), each row adding into the same parameter gradients.
Called row by row, each call would check and unpack every parameter again and build the
gradient lists anew; here one generated function does it once a batch:

* *row* arguments (a row's features and target) come as sequences, one entry per row;
  their gradients are not returned (their shares are still checked, as backward() would
  raise on an overflowing one);
* *per-row* arguments (a scale, probes) are shared, their gradients returned per row;
* every other argument (the parameters) is shared, and its gradient adds up over the
  rows from ``start``, in the order backward() adds it.

The numbers are the row-by-row replay's, bit for bit (a test checks it); where any row's
numbers go wrong the function raises Replay, and the caller takes the slow path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .args import Shape, count
from .compiling import compiled
from .ir import IR
from .lower_python import (
    Checks,
    Lowering,
    backward_statements,
    container_tests,
    forward_statements,
    gradient_display,
    make_head,
    unpack_target,
)


class _Arguments:
    """The program's arguments by kind, and the leaves (slots) of each."""

    def __init__(self, ir: IR, rows: frozenset[int], per_row: frozenset[int]) -> None:
        self.shapes = ir.arguments.items
        self.rows, self.per_row = sorted(rows), sorted(per_row)
        self.summed = [i for i in range(len(self.shapes)) if i not in rows and i not in per_row]
        self.first = [sum(count(s) for s in self.shapes[:i]) for i in range(len(self.shapes))]

    def leaves(self, i: int) -> range:
        return range(self.first[i], self.first[i] + count(self.shapes[i]))

    def names(self, i: int, prefix: str) -> tuple[str, list[str]]:
        """An assignment target for argument i's leaves, and the names in it."""
        names: list[str] = []
        return unpack_target(self.shapes[i], iter(self.leaves(i)), prefix, names), names

    def display(self, i: int) -> tuple[str, list[str]]:
        """Argument i's gradients, shaped like it, and the names in the display."""
        names: list[str] = []
        return gradient_display(self.shapes[i], iter(self.leaves(i)), names), names


# Equations of a program that one function may hold.  Unlike lower_python's, this one
# function is not split: a row's program inlines into about a quarter as many lines
# (mnist's MLP(784, [24, 10]): 152,664 equations, 38,493 lines, 2.5 MB of source,
# compiled in about 1 s, a process of 260 MB at most); beyond, fit replays row by row.
MOST = 400_000


def lower_rows(
    ir: IR, rows: frozenset[int], per_row: frozenset[int]
) -> tuple[str, Callable[..., Any]]:
    """``run(*args, seed, start) -> (values, per_row_grads, grads)`` for ``ir`` (see the
    module's docstring): ``args`` as the program's, the ``rows`` ones as sequences;
    ``values`` one per row; ``per_row_grads`` a tuple with, for each argument in
    ``per_row``, the list of its gradients row by row; ``grads`` a tuple with the other
    shared arguments' gradients (None for the row and per-row arguments)."""
    assert ir.backward is not None
    if not rows:
        raise ValueError("lower_rows: at least one argument must come row by row")
    if len(ir.equations) + len(ir.backward.equations) > MOST:
        raise ValueError("lower_rows: the program is too long for one function")
    a = _Arguments(ir, rows, per_row)
    sink = frozenset(leaf for i in a.rows for leaf in a.leaves(i))
    p = Lowering(ir, True, sink=sink)
    body = _shared(a) + _loop(p, a)
    sums = [name for i in a.summed for name in a.names(i, "g")[1]]
    # A tuple, not one long sum: Python's compiler recurses on each + of an expression.
    body += [f"if not finite(({', '.join(['chk', 'bad', *sums])},)):", "    raise Replay"]
    grads = [a.display(i)[0] if i in a.summed else "None" for i in range(len(a.shapes))]
    per = "".join(f"per{i}, " for i in a.per_row)
    body.append(f"return values, ({per}), ({''.join(g + ', ' for g in grads)})")
    params = [f"a{i}" for i in range(len(a.shapes))] + ["seed", "start"]
    lines = [f"    def rows({', '.join(params)}):", *("        " + line for line in body)]
    source = "\n".join([*make_head(p), *lines, "    return rows", ""])
    return source, compiled(source, p.table, [p.constant(s) for s in p.used])


def _shared(a: _Arguments) -> list[str]:
    """Unpack and check the shared arguments once; the summed ones' gradients start from
    ``start`` (0.0 where it gives none)."""
    checks = Checks()
    for i, shape in enumerate(a.shapes):
        if i not in a.rows:
            _unpack(checks, shape, a.first[i], a.leaves(i), f"a{i}")
    lines = [*checks.lines(), "bad = chk = 0.0"]
    for i in a.summed:
        target, names = a.names(i, "g")
        lines.append(f"{' = '.join(names)} = 0.0")
        lines.append(f"if start is not None and start[{i}] is not None:")
        shape = a.shapes[i]
        if shape is not None:
            kinds = " and ".join(container_tests(shape, f"start[{i}]"))
            lines += [f"    if not ({kinds}):", "        raise Replay"]
        lines.append(f"    {target} = start[{i}]")
    return lines


def _unpack(checks: Checks, shape: Shape | None, first: int, leaves: range, source: str) -> None:
    if shape is None:
        checks.unpacking.append(f"v{first} = {source}")
        checks.scalars.append(f"v{first}")
    else:
        checks.unpack(shape, iter(leaves), source)


def _loop(p: Lowering, a: _Arguments) -> list[str]:
    """The loop over the rows, last first: unpack the row, zero the gradients that start
    at 0 for each row, the forward and backward programs, the row's results."""
    assert p.b is not None
    lines = [f"n = len(a{a.rows[0]})"]
    for i in a.rows[1:]:
        lines += [f"if len(a{i}) != n:", "    raise Replay"]
    lines += ["values = [0.0] * n", *(f"per{i} = [None] * n" for i in a.per_row)]
    body = [f"r{i} = a{i}[i]" for i in a.rows]
    checks = Checks()
    for i in a.rows:
        _unpack(checks, a.shapes[i], a.first[i], a.leaves(i), f"r{i}")
    body += checks.lines()
    written = {out for _, ins, out in p.b.equations if out != ins[0]}
    skip = written | p.ends | {p.b.gradient[leaf] for i in a.summed for leaf in a.leaves(i)}
    zero = [p.name(g) for g in p.b.gradient if g >= 0 and g not in p.alias and g not in skip]
    body += [" = ".join(zero[k : k + 20]) + " = 0.0" for k in range(0, len(zero), 20)]
    for statement in [*forward_statements(p), *backward_statements(p)]:
        body += statement.lines
    root = p.name(p.b.root)
    checked = [root]
    body.append(f"values[i] = {root}")
    for i in a.per_row:
        display, names = a.display(i)
        body.append(f"per{i}[i] = {display}")
        checked += names
    body.append(f"chk += {' + '.join(checked)}")
    return [*lines, "for i in range(n - 1, -1, -1):", *("    " + line for line in body)]
