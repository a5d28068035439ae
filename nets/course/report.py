"""The results of grading, written down: a CSV for the teacher, a page per student.

``grades.csv`` has one row per student and exercise: ``student, notebook, exercise,
points, max_points, status, message``.  The feedback folder gets one Markdown file per
student, ``<student>.md``: the total, then per notebook each exercise's status and what
its check said (with the hint that names a known mistake), and what went wrong while
the notebook ran.  Both are written atomically; nothing else is written.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

from autograd.support.files import write_atomic

from .grade import Grade, NotebookResult

__all__ = ["COLUMNS", "feedback_text", "write_feedback", "write_grades"]

COLUMNS = ("student", "notebook", "exercise", "points", "max_points", "status", "message")


def _number(x: float) -> str:
    return f"{x:g}"


def write_grades(path: str | os.PathLike[str], results: Iterable[NotebookResult]) -> Path:
    """Write the CSV of every grade to ``path`` (atomically); return the path."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for result in results:
        for g in result.grades:
            message = " ".join(g.message.split())  # one line per row, for any spreadsheet
            writer.writerow(
                [
                    g.student,
                    g.notebook,
                    g.exercise,
                    _number(g.points),
                    _number(g.max_points),
                    g.status,
                    message,
                ]
            )
    return write_atomic(path, out.getvalue())


def _quoted(message: str) -> list[str]:
    return ["", *("    " + line for line in message.splitlines()), ""]


def _exercise_lines(g: Grade) -> list[str]:
    lines = [f"- `{g.exercise}`: **{g.status}**, {_number(g.points)} of {_number(g.max_points)}"]
    if g.message:
        lines += _quoted(g.message)
    return lines


def feedback_text(student: str, results: list[NotebookResult]) -> str:
    """One student's feedback as Markdown."""
    grades = [g for r in results for g in r.grades]
    got = sum(g.points for g in grades)
    out = sum(g.max_points for g in grades)
    passed = sum(g.status == "passed" for g in grades)
    lines = [
        f"# Feedback for {student}",
        "",
        f"{_number(got)} of {_number(out)} points: {passed} of {len(grades)} exercises passed.",
        "",
    ]
    for r in results:
        mine = sum(g.points for g in r.grades)
        worth = sum(g.max_points for g in r.grades)
        lines += [f"## {r.notebook}: {_number(mine)} of {_number(worth)}", ""]
        for g in r.grades:
            lines += _exercise_lines(g)
        if r.notes:
            lines += ["", "While your notebook ran:", ""]
            lines += [f"- {note}" for note in r.notes]
        lines.append("")
    return "\n".join(lines)


def write_feedback(folder: str | os.PathLike[str], results: list[NotebookResult]) -> list[Path]:
    """Write ``<student>.md`` into ``folder`` for every student; return the files."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    by_student: dict[str, list[NotebookResult]] = {}
    for r in results:
        by_student.setdefault(r.student, []).append(r)
    written = []
    for student, mine in by_student.items():
        target = root / f"{student}.md"
        if target.parent.resolve() != root.resolve():  # a folder name such as "a/b"
            raise ValueError(f"the student name {student!r} cannot be a file name")
        written.append(write_atomic(target, feedback_text(student, mine)))
    return written
