"""The teacher's own copy of each check, as grading runs it on a student's definitions.

For an exercise, that copy is the teacher notebook's cell that defines its check, without
the calls of checks (the audit makes sure such a cell holds only definitions and those
calls), together with every function, class and import of the teacher's earlier kept cells
that it uses, directly or through each other.  Data (names bound by assignments in other
cells) comes from the student's run, and so does the solution.  A check the student
edited or deleted therefore does not count: the teacher's is defined again on top.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

from .audit import Exercise, audit_notebook
from .calls import is_check_call
from .cellcode import Statement, loaded_names, statements
from .markup import SOLUTION_TAG, TEACHER_TAG, cell_source, cell_tags
from .nbfile import read_notebook

__all__ = ["TeacherCheck", "strip_check_calls", "teacher_checks"]

_DEFINITIONS = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Import,
    ast.ImportFrom,
)


@dataclass(frozen=True)
class TeacherCheck:
    """One exercise and the source that defines its check (and what the check uses)."""

    exercise: Exercise
    source: str


def _bundle(
    kept: list[tuple[int, int, Statement]], cell: int, checks: set[str]
) -> list[tuple[int, int, Statement]]:
    """The check cell's definitions, and the teacher's definitions they need, in order."""
    chosen = [
        (c, i, s)
        for c, i, s in kept
        if c == cell and not is_check_call(s.node, checks) and not isinstance(s.node, ast.Expr)
    ]
    bound = {name for _, _, s in chosen for name in s.binds}
    needed = set().union(*(loaded_names(s.node) for _, _, s in chosen)) - bound
    while needed:
        name = needed.pop()
        earlier = [
            (c, i, s)
            for c, i, s in kept
            if name in s.binds and isinstance(s.node, _DEFINITIONS) and c <= cell
        ]
        if not earlier:
            continue  # data, a builtin, or the student's: taken from the student's run
        picked = max(earlier, key=lambda t: (t[0], t[1]))
        if picked not in chosen:
            chosen.append(picked)
            bound |= picked[2].binds
            needed |= loaded_names(picked[2].node) - bound
    return sorted(chosen, key=lambda t: (t[0], t[1]))


def teacher_checks(path: str | os.PathLike[str]) -> list[TeacherCheck]:
    """For each exercise of the teacher notebook at ``path``, the source of its check."""
    path = Path(path)
    found = audit_notebook(path, name=path.name)
    cells = read_notebook(path)["cells"]
    kept: list[tuple[int, int, Statement]] = []
    for c, cell in enumerate(cells):
        tags = cell_tags(cell)
        if cell.get("cell_type") != "code" or TEACHER_TAG in tags or SOLUTION_TAG in tags:
            continue
        kept += [(c, i, s) for i, s in enumerate(statements(cell_source(cell)))]
    checks = {e.check for e in found if e.check}
    out = []
    for exercise in found:
        defining = [c for c, _, s in kept if exercise.check in s.binds]
        cell = max(defining)  # the audit made sure there is one
        parts = _bundle(kept, cell, checks)
        out.append(TeacherCheck(exercise, "".join(s.text for _, _, s in parts)))
    return out


def strip_check_calls(source: str, checks: set[str]) -> str:
    """A student's cell without its top-level calls of the course's checks.

    Grading runs the teacher's checks afterwards, so the student's own calls would only
    cost time (and an endless loop in a learner's function would stop the cells after
    them).  The lines of each call become blank lines; everything else stays.
    """
    lines = source.splitlines(keepends=True)
    for s in statements(source):
        if is_check_call(s.node, checks):
            end = s.node.end_lineno or s.node.lineno
            for k in range(s.node.lineno - 1, end):
                lines[k] = "\n"
    return "".join(lines)
