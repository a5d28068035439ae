"""The course's machinery: one source, a teacher edition, a student edition, and grading.

The committed notebooks are the teacher edition.  Two cell tags and two marker lines make
the student edition from them (:mod:`~nets.course.markup`, :mod:`~nets.course.edition`):

- a cell tagged ``solution`` holds regions between ``# BEGIN SOLUTION: <task>`` and
  ``# END SOLUTION``; the student edition replaces each by
  ``raise NotImplementedError("exercise: <task>")`` and keeps the rest of the cell;
- a cell tagged ``teacher`` (answers, kept wrong answers, ``verify_exercise`` calls) is
  left out of the student edition.

A check is a function decorated with ``@exercise_check`` (:mod:`~nets.course.checks`):
its failures say what was expected, and name a known mistake when the answer fails like a
kept wrong answer (:mod:`~nets.course.hints`).  ``verify_exercise(check, name,
wrong={answer: "hint"})`` (:mod:`~nets.course.verify`), in a teacher cell, proves that the
check passes the solution and fails the stub and every kept wrong answer.

``write_student_edition`` and ``write_solutions_edition`` (:mod:`~nets.course.builder`)
write an edition safely; :mod:`~nets.course.grade` grades a folder of submissions with
the teacher's own checks and :mod:`~nets.course.report` writes the grades and feedback.
The command line is ``python -m nets.course`` or ``valuegrad course``
(:mod:`~nets.course.cli`).  Notebooks are read as plain JSON, so building needs no Jupyter
package; grading needs ``valuegrad[notebook]``.
"""

from __future__ import annotations

from .audit import Exercise, audit_notebook, exercises
from .builder import EditionError, write_solutions_edition, write_student_edition
from .checks import CheckFailed, exercise_check
from .cli import main
from .edition import solutions_notebook, student_notebook
from .forbid import ENGINE, Forbidden, UsedForbidden
from .markup import SOLUTION_TAG, TEACHER_TAG, CourseMarkupError, stub_source
from .verify import ExerciseVerificationError, Verification, verify_exercise

__all__ = [
    "ENGINE",
    "SOLUTION_TAG",
    "TEACHER_TAG",
    "CheckFailed",
    "CourseMarkupError",
    "EditionError",
    "Exercise",
    "ExerciseVerificationError",
    "Forbidden",
    "UsedForbidden",
    "Verification",
    "audit_notebook",
    "exercise_check",
    "exercises",
    "main",
    "solutions_notebook",
    "stub_source",
    "student_notebook",
    "verify_exercise",
    "write_solutions_edition",
    "write_student_edition",
]
