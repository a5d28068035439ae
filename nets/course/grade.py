"""Grade a class: every student's notebooks, run, then checked by the teacher's own checks.

SUBMISSIONS holds one folder per student, each with that student's notebooks under their
student-edition names (any subset).  For each notebook of the course:

1. a fresh kernel runs the student's code cells in order, errors and all, within the
   notebook's time limit (the student's own calls of the checks are skipped: step 2 runs
   them); a cell still running at the limit is stopped and the later cells are not run;
2. for each exercise, the teacher's copy of its check (see
   :mod:`nets.course.teacher_checks`) is defined on top and called on the student's
   definition, each check with a time limit of its own.

An exercise is ``passed`` (its points), ``failed``, ``error``, ``timeout`` or ``missing``
(0).  One student's endless loop or crash stops only that notebook's kernel.

Grading runs the students' code with the teacher's rights: it is not a sandbox.  It
writes nothing itself but the grades and the feedback (see :mod:`nets.course.report`);
the kernels run in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .kernel import Kernel
from .markup import CourseMarkupError, cell_source
from .nbfile import notebook_paths, read_notebook
from .teacher_checks import TeacherCheck, strip_check_calls, teacher_checks

__all__ = [
    "DEFAULT_TIMEOUT",
    "STATUSES",
    "Grade",
    "NotebookResult",
    "grade_notebook",
    "grade_submissions",
    "student_folders",
]

STATUSES = ("passed", "failed", "error", "timeout", "missing")
# Seconds per notebook for the student's cells, and again for each check.  The slowest
# notebook of the course runs in about 12 s on a busy two-core machine.
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Grade:
    """One student's result on one exercise."""

    student: str
    notebook: str
    exercise: str
    points: float
    max_points: float
    status: str
    message: str = ""


@dataclass
class NotebookResult:
    """One student's notebook: the grades of its exercises, and what happened running it."""

    student: str
    notebook: str
    grades: list[Grade] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _grade(student: str, notebook: str, check: TeacherCheck, status: str, message: str) -> Grade:
    e = check.exercise
    points = e.points if status == "passed" else 0.0
    return Grade(student, notebook, e.id, points, e.points, status, message)


def _run_cells(
    kernel: Kernel, nb: dict, checks: set[str], timeout: float
) -> tuple[list[str], bool]:
    """Run the student's code cells within ``timeout``; (notes, whether the kernel lives)."""
    notes: list[str] = []
    deadline = time.monotonic() + timeout
    for number, cell in enumerate(nb["cells"], 1):
        if cell.get("cell_type") != "code":
            continue
        try:
            source = strip_check_calls(cell_source(cell), checks)
        except CourseMarkupError:
            notes.append(f"cell {number}: its source is not text; skipped")
            continue
        if not source.strip():
            continue
        outcome = kernel.run(source, deadline - time.monotonic())
        if outcome.status == "error":
            notes.append(f"cell {number} stopped with {outcome.error}")
        elif outcome.status == "timeout":
            notes.append(
                f"cell {number} was still running when the notebook's {timeout:g} s were up; "
                "it was stopped and the cells after it were not run"
            )
            return notes, not kernel.dead
        elif outcome.status == "dead":
            notes.append(f"Python stopped in cell {number} (a crash, or out of memory)")
            return notes, False
    return notes, True


def _run_check(kernel: Kernel, check: TeacherCheck, timeout: float) -> tuple[str, str]:
    marker = "@@valuegrad-" + secrets.token_hex(8)
    e = check.exercise
    code = (
        "from nets.course.runner import run_check as _valuegrad_run_check\n"
        f"_valuegrad_run_check({check.source!r}, {e.check!r}, {e.name!r}, {marker!r})\n"
    )
    outcome = kernel.run(code, timeout)
    if outcome.status == "timeout":
        return "timeout", f"the check was still running after {timeout:g} s (an endless loop?)"
    if outcome.status == "dead":
        return "error", "Python stopped while the check ran (a crash, or out of memory)"
    for line in reversed(outcome.text.splitlines()):
        if line.startswith(marker + " "):
            result = json.loads(line[len(marker) + 1 :])
            return str(result["status"]), str(result["message"])
    return "error", f"the check could not run: {outcome.error or 'no result'}"


def grade_notebook(
    student: str, path: Path, checks: list[TeacherCheck], timeout: float = DEFAULT_TIMEOUT
) -> NotebookResult:
    """Run one student's notebook and the teacher's checks of its exercises on it."""
    result = NotebookResult(student, path.name)
    start = time.monotonic()
    try:
        nb = read_notebook(path)
    except CourseMarkupError as err:
        message = f"cannot read the notebook: {err}"
        result.grades = [_grade(student, path.name, c, "error", message) for c in checks]
        return result
    names = {c.exercise.check for c in checks if c.exercise.check}
    with tempfile.TemporaryDirectory(prefix="valuegrad-grade-") as tmp, Kernel(Path(tmp)) as kernel:
        result.notes, alive = _run_cells(kernel, nb, names, timeout)
        for check in checks:
            if not alive or kernel.dead:
                status, message = "error", "not checked: Python had stopped (see above)"
                if result.notes and "still running" in result.notes[-1]:
                    status = "timeout"
            else:
                status, message = _run_check(kernel, check, timeout)
            result.grades.append(_grade(student, path.name, check, status, message))
    result.seconds = time.monotonic() - start
    return result


def student_folders(submissions: str | os.PathLike[str]) -> list[Path]:
    """The student folders of SUBMISSIONS (hidden ones left out), sorted by name."""
    root = Path(submissions)
    if not root.is_dir():
        raise CourseMarkupError(f"no submissions folder {root}")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise CourseMarkupError(f"{root} holds no student folder (one folder per student)")
    return folders


def grade_submissions(
    submissions: str | os.PathLike[str],
    source: str | os.PathLike[str] = "notebooks",
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[NotebookResult], None] | None = None,
) -> list[NotebookResult]:
    """Grade every student folder of ``submissions`` against the course in ``source``."""
    course = {p.name: teacher_checks(p) for p in notebook_paths(source)}
    if not course:
        raise CourseMarkupError(f"no .ipynb notebook in {source}")
    results = []
    for folder in student_folders(submissions):
        for name, checks in course.items():
            path = folder / name
            if not path.is_file():
                result = NotebookResult(folder.name, name)
                message = f"no {name} in {folder.name}'s folder"
                result.grades = [_grade(folder.name, name, c, "missing", message) for c in checks]
            elif not checks:
                continue
            else:
                result = grade_notebook(folder.name, path, checks, timeout)
            results.append(result)
            if progress is not None:
                progress(result)
    return results
