"""The static audit of a teacher notebook: every exercise marked, checked and verified.

An exercise is a function, class or method the learner completes (a ``solution`` cell),
a ``check_<name>`` function decorated with ``@exercise_check`` in a cell the student
edition keeps, and a ``teacher`` cell after both that calls
``verify_exercise(check_<name>, "<name>", wrong={answer: "hint", ...})`` with at least one
kept wrong answer, each with a one-line hint.  The audit reads the notebook's JSON and
syntax only; ``verify_exercise`` proves the rest when the notebook runs.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .asserts import bare_learner_asserts
from .calls import VerifyCall, check_decorated, is_check_call, verify_calls
from .cellcode import bound_names, parse_cell
from .markup import (
    SOLUTION_TAG,
    TEACHER_TAG,
    CourseMarkupError,
    Region,
    cell_source,
    cell_tags,
    check_cell_markup,
    describe_cell,
)
from .meta import DEFAULT_POINTS, course_info
from .nbfile import notebook_paths, read_notebook

__all__ = ["MAX_HINT", "Exercise", "audit_notebook", "exercise_id", "exercises"]

MAX_HINT = 70  # characters: a hint is one short line, under the failure it explains


def exercise_id(check: str) -> str:
    """The name an exercise goes by in grades and points: its check's, without ``check_``."""
    return check.removeprefix("check_")


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook: a name the learner completes, and how it is verified."""

    notebook: str
    cell: int  # 1-based position of the solution cell in the teacher edition
    name: str  # the function or class the check receives
    tasks: tuple[str, ...]  # the tasks of its regions, as in the stubs' messages
    check: str | None = None  # the check_<name> function given to verify_exercise
    wrong: tuple[str, ...] = ()  # the kept wrong answers, as written in the call
    hints: tuple[str, ...] = ()  # one line per kept wrong answer
    points: float = DEFAULT_POINTS

    @property
    def id(self) -> str:
        """The exercise's name in grades: its check's name without ``check_``."""
        return exercise_id(self.check or self.name)


@dataclass
class _Scan:
    """What one pass over a notebook's cells found."""

    label: str
    cells: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)
    solutions: list[tuple[int, list[Region]]] = field(default_factory=list)
    kept_defs: dict[str, tuple[int, ast.stmt]] = field(default_factory=dict)
    calls: list[VerifyCall] = field(default_factory=list)


def _scan(label: str, cells: list[dict[str, Any]]) -> _Scan:
    scan = _Scan(label, cells)
    for index, cell in enumerate(cells):
        try:
            found = check_cell_markup(label, index, cell)
        except CourseMarkupError as err:
            scan.problems.append(str(err))
            continue
        if cell.get("cell_type") != "code":
            continue
        source, tags = cell_source(cell), cell_tags(cell)
        if found:
            scan.solutions.append((index, found))
        calls = verify_calls(source, index)
        if calls and TEACHER_TAG not in tags:
            scan.problems.append(
                f"{describe_cell(label, index, cell)}: calls verify_exercise but is not tagged "
                f"'{TEACHER_TAG}'; the student edition would run it on the learner's "
                "unfinished work"
            )
        scan.calls += calls
        tree = parse_cell(source)
        if TEACHER_TAG not in tags and SOLUTION_TAG not in tags and tree is not None:
            for stmt in tree.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    scan.kept_defs[stmt.name] = (index, stmt)
    return scan


def _call_problems(scan: _Scan) -> None:
    """Each verify_exercise call: literal, with hinted wrong answers and a kept check."""
    for call in scan.calls:
        where = describe_cell(scan.label, call.cell, scan.cells[call.cell])
        if call.name is None or call.check is None or call.wrong is None:
            scan.problems.append(
                f'{where}: write the call as verify_exercise(check_<name>, "<name>", '
                "wrong={answer: \"hint\", ...}) with a check function's name, the exercise's "
                "name as a string and the wrong answers with their hints, so that it can be audited"
            )
            continue
        if not call.wrong:
            scan.problems.append(
                f"{where}: verify_exercise for '{call.name}' keeps no wrong answer; add at "
                "least one plausible mistake (a sign error, a missing term, a copied number)"
            )
        for answer, hint in zip(call.wrong, call.hints):
            if not hint or "\n" in hint or len(hint) > MAX_HINT:
                scan.problems.append(
                    f"{where}: the wrong answer {answer} needs a hint of one line of at most "
                    f'{MAX_HINT} characters (wrong={{{answer}: "what the mistake is"}})'
                )
        if not call.check.startswith("check_"):
            scan.problems.append(f"{where}: the check {call.check!r} should be named check_<name>")
        elif call.check not in scan.kept_defs:
            scan.problems.append(
                f"{where}: the check {call.check}() is not defined by a cell the student "
                "edition keeps (an untagged code cell)"
            )
        else:
            cell, node = scan.kept_defs[call.check]
            if cell > call.cell:
                scan.problems.append(
                    f"{where}: the check {call.check}() is defined after this call"
                )
            elif not check_decorated(node):  # type: ignore[arg-type]
                scan.problems.append(
                    f"{describe_cell(scan.label, cell, scan.cells[cell])}: decorate "
                    f"{call.check}() with @exercise_check, which turns its failures into "
                    "messages with hints"
                )


def _check_cell_problems(scan: _Scan) -> None:
    """A cell defining a check holds definitions and calls of checks only (grading reruns it)."""
    checks = {c.check for c in scan.calls if c.check}
    cells = {scan.kept_defs[c][0] for c in checks if c in scan.kept_defs}
    allowed = (
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.Import,
        ast.ImportFrom,
        ast.Assign,
        ast.AnnAssign,
    )
    for index in sorted(cells):
        tree = parse_cell(cell_source(scan.cells[index]))
        for stmt in tree.body if tree is not None else []:
            if isinstance(stmt, allowed) or is_check_call(stmt, checks) or _is_text(stmt):
                continue
            scan.problems.append(
                f"{describe_cell(scan.label, index, scan.cells[index])}, line {stmt.lineno}: a "
                "cell that defines a check may hold only definitions (def, class, import, "
                "assignments) and calls of its checks, since grading runs the teacher's copy "
                f"of it without the calls; move '{ast.unparse(stmt)[:40]}' to a cell of its own"
            )


def _is_text(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _region_names(source: str, found: Sequence[Region]) -> list[tuple[str, ...]]:
    """For each region, the top-level names a check can reach it through.

    A region inside a def or class belongs to that def or class; a region at the top
    level of the cell belongs to the names its statements bind.
    """
    tree = parse_cell(source)
    assert tree is not None  # check_cell_markup parsed the stubbed cell
    result = []
    for region in found:
        if region.indent:
            enclosing = [s for s in tree.body if s.lineno - 1 < region.begin]
            names = bound_names(enclosing[-1]) if enclosing else set()
        else:
            names = set()
            for s in tree.body:
                if region.begin < s.lineno - 1 < region.end:
                    names |= bound_names(s)
        result.append(tuple(sorted(names)))
    return result


def _enclosing_functions(source: str, found: Sequence[Region]) -> list[str | None]:
    """For each region, the name of the innermost def around it (None at the top level)."""
    tree = parse_cell(source)
    assert tree is not None
    funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    result: list[str | None] = []
    for region in found:
        around = [f for f in funcs if f.lineno - 1 < region.begin <= (f.end_lineno or f.lineno) - 1]
        result.append(max(around, key=lambda f: f.lineno).name if around else None)
    return result


def _method_key(name: str | None) -> str:
    """'__add__' and 'check_add' both give 'add'."""
    return (name or "").removeprefix("check_").strip("_")


def _exercises(scan: _Scan, points: Mapping[str, float]) -> list[Exercise]:
    """One exercise per verify_exercise call that reaches a solution region after it."""
    found = []
    for index, regions in scan.solutions:
        cell = scan.cells[index]
        where = describe_cell(scan.label, index, cell)
        source = cell_source(cell)
        later = [c for c in scan.calls if c.cell > index and c.name is not None]
        # One exercise per call: several checks may share a class (check_add and check_mul
        # both receive Value), each verifying its own methods.
        covered: dict[int, tuple[VerifyCall, list[str]]] = {}
        names = _region_names(source, regions)
        enclosing = _enclosing_functions(source, regions)
        for region, region_names, func in zip(regions, names, enclosing):
            if not region_names:
                scan.problems.append(
                    f"{where}: the region '{region.task}' (line {region.begin + 1}) is "
                    "neither inside a def or class nor defines a name, so no check can "
                    "call it; make every exercise a function"
                )
                continue
            hits = [c for c in later if c.name in region_names]
            if not hits:
                others = f" (or one of {', '.join(region_names[1:])})" if region_names[1:] else ""
                scan.problems.append(
                    f"{where}: the region '{region.task}' is not verified: no teacher cell "
                    f"after it calls verify_exercise(check_..., {region_names[0]!r}, "
                    f"wrong={{...}}){others}"
                )
                continue
            # A check named after the method it tests (check_add for __add__) claims it.
            own = [h for h in hits if func and _method_key(func) == _method_key(h.check)]
            for hit in own or hits:
                covered.setdefault(id(hit), (hit, []))[1].append(region.task)
        for hit, tasks in covered.values():
            check = hit.check or ""
            found.append(
                Exercise(
                    scan.label,
                    index + 1,
                    hit.name or "",
                    tuple(dict.fromkeys(tasks)),
                    hit.check,
                    tuple(hit.wrong or ()),
                    tuple(h or "" for h in hit.hints),
                    points.get(exercise_id(check), DEFAULT_POINTS),
                )
            )
    return found


def audit_notebook(path: str | os.PathLike[str], *, name: str | None = None) -> list[Exercise]:
    """Check a teacher notebook's exercise markup; return its exercises.

    Raises ``CourseMarkupError`` listing every problem: malformed or untagged markers,
    a region no check can reach, an exercise without a ``teacher`` cell calling
    ``verify_exercise`` after it with hinted wrong answers, a check that is not defined in
    a cell the student edition keeps or not decorated with ``@exercise_check``, a check's
    cell holding more than definitions, points for an exercise that does not exist, and
    an assert that depends on the learner's code without a message.
    """
    path = Path(path)
    label = name or path.name
    nb = read_notebook(path)
    scan = _scan(label, nb["cells"])
    _call_problems(scan)
    _check_cell_problems(scan)
    try:
        info = course_info(nb, label)
    except CourseMarkupError as err:
        scan.problems.append(str(err))
        info = course_info({}, label)
    found = _exercises(scan, info.points)
    unknown = sorted(set(info.points) - {e.id for e in found})
    if unknown:
        scan.problems.append(
            f"{label}: metadata 'course' gives points to {unknown[0]!r}, which is not an "
            f"exercise of this notebook (they are: {', '.join(e.id for e in found) or 'none'})"
        )
    if not scan.problems:
        scan.problems += bare_learner_asserts(scan.cells, label)
    if scan.problems:
        raise CourseMarkupError("\n".join(scan.problems))
    return found


def exercises(src: str | os.PathLike[str] = "notebooks") -> list[Exercise]:
    """Every exercise of the notebooks under ``src`` (audited), in course order.

    A missing folder, a folder without notebooks and a check name used by two notebooks
    (hints are filed under the check's name) raise.
    """
    src_dir = Path(src)
    if not src_dir.is_dir():
        raise CourseMarkupError(f"no notebook folder {src_dir}")
    paths = notebook_paths(src_dir)
    if not paths:
        raise CourseMarkupError(f"no .ipynb notebook in {src_dir}")
    found = [e for p in paths for e in audit_notebook(p, name=p.name)]
    owner: dict[str, str] = {}
    for e in found:
        if e.check and owner.setdefault(e.check, e.notebook) != e.notebook:
            raise CourseMarkupError(
                f"{e.notebook}: the check {e.check} has the name of a check of "
                f"{owner[e.check]}; give each check of the course its own name"
            )
    return found
