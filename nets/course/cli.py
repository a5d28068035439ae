"""The course's command line: ``python -m nets.course COMMAND`` and ``valuegrad course COMMAND``.

``student DEST`` and ``solutions DEST`` write an edition, ``list`` lists the exercises,
``check`` audits the markup, ``plan`` prints the term plan, ``grade SUBMISSIONS`` grades a
class and ``mistakes`` rebuilds the table of known mistakes.  Every failure is one line
on stderr (exit status 1), every mistake in the arguments one line (exit status 2).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from autograd.cli.commands import Command, CommandError, UsageError, add_commands, run

from .audit import exercises
from .markup import CourseMarkupError
from .plan import course_plan, plan_table

if TYPE_CHECKING:
    from .grade import NotebookResult

__all__ = ["COURSE", "SUBCOMMANDS", "main"]

PROG = "python -m nets.course"


def _source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", default="notebooks", help="the teacher notebooks' folder (default: %(default)s)"
    )


def _failing(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run a command's work with the course's errors turned into one-line failures."""

    def run_it(args: argparse.Namespace) -> int:
        try:
            return int(fn(args))
        except (CourseMarkupError, OSError, ValueError) as err:
            raise CommandError(str(err)) from err

    return run_it


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _edition_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dest", help="the folder to write (outside the notebooks' folder)")
    _source(parser)


@_failing
def _student(args: argparse.Namespace) -> int:
    from .builder import write_student_edition

    written = write_student_edition(args.source, args.dest)
    found = exercises(args.source)
    print(
        f"wrote the student edition of {_plural(len(written), 'notebook')} "
        f"({_plural(len(found), 'exercise')}) and its README to {args.dest}"
    )
    return 0


@_failing
def _solutions(args: argparse.Namespace) -> int:
    from .builder import write_solutions_edition

    written = write_solutions_edition(args.source, args.dest)
    print(f"wrote the solutions edition of {_plural(len(written), 'notebook')} to {args.dest}")
    return 0


@_failing
def _list(args: argparse.Namespace) -> int:
    found = exercises(args.source)
    for e in found:
        print(
            f"{e.notebook}  cell {e.cell}  {e.name}: {'; '.join(e.tasks)}  "
            f"[{e.check}, {e.points:g} points, {len(e.wrong)} wrong: {', '.join(e.wrong)}]"
        )
    notebooks = len({e.notebook for e in found})
    print(
        f"{_plural(len(found), 'exercise')} in {_plural(notebooks, 'notebook')}, "
        f"{_plural(sum(len(e.wrong) for e in found), 'wrong answer')} kept"
    )
    return 0


@_failing
def _check(args: argparse.Namespace) -> int:
    found = exercises(args.source)
    print(f"ok: {_plural(len(found), 'exercise')}, markup and verification calls in order")
    return 0


@_failing
def _plan(args: argparse.Namespace) -> int:
    print(plan_table(course_plan(args.source)), end="")
    return 0


def _grade_arguments(parser: argparse.ArgumentParser) -> None:
    from .grade import DEFAULT_TIMEOUT

    parser.add_argument("submissions", help="a folder with one folder of notebooks per student")
    parser.add_argument("--out", default="grades.csv", help="the CSV of grades to write")
    parser.add_argument(
        "--feedback",
        metavar="DIR",
        help="write one feedback file per student into DIR (default: no feedback)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="seconds for one notebook's cells, and again for each of its checks",
    )
    _source(parser)


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def _check_grade_paths(args: argparse.Namespace) -> None:
    """Refuse outputs that cannot be written, before grading takes its minutes."""
    if not args.timeout > 0:
        raise UsageError(f"--timeout must be a number of seconds above 0, not {args.timeout:g}")
    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder; give the CSV file to write")
    if not out.resolve().parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
    if args.feedback:
        feedback = Path(args.feedback)
        if feedback.exists() and not feedback.is_dir():
            raise UsageError(f"--feedback {feedback} exists and is not a folder")
        if _inside(feedback, Path(args.submissions)):
            raise UsageError(
                f"--feedback {feedback} lies inside the submissions folder, where it would "
                "count as a student; choose a folder outside it"
            )


@_failing
def _grade(args: argparse.Namespace) -> int:
    from .grade import grade_submissions
    from .report import write_feedback, write_grades

    _check_grade_paths(args)

    def progress(result: NotebookResult) -> None:
        passed = sum(g.status == "passed" for g in result.grades)
        got = sum(g.points for g in result.grades)
        worth = sum(g.max_points for g in result.grades)
        print(
            f"{result.student}  {result.notebook}  {passed}/{len(result.grades)} passed, "
            f"{got:g}/{worth:g} points  ({result.seconds:.1f} s)",
            flush=True,
        )

    results = grade_submissions(args.submissions, args.source, args.timeout, progress)
    write_grades(args.out, results)
    students = len({r.student for r in results})
    where = f"grades in {args.out}"
    if args.feedback:
        write_feedback(args.feedback, results)
        where += f", feedback in {args.feedback}"
    print(f"graded {_plural(students, 'student')}: {where}")
    return 0


@_failing
def _mistakes(args: argparse.Namespace) -> int:
    from .record import record_mistakes

    count = record_mistakes(args.source, progress=lambda name: print("running", name, flush=True))
    print(f"the table of known mistakes now holds {_plural(count, 'wrong answer')}")
    return 0


SUBCOMMANDS: list[Command] = [
    Command("student", "write the student edition into DEST", _edition_arguments, _student),
    Command(
        "solutions",
        "write the solutions edition (solutions, no verification) into DEST",
        _edition_arguments,
        _solutions,
    ),
    Command("list", "list the exercises of every notebook", _source, _list),
    Command("check", "audit the exercise markup of every notebook", _source, _check),
    Command("plan", "print the term plan: minutes, prerequisites, points", _source, _plan),
    Command(
        "grade",
        "grade a folder of student submissions with the teacher's checks",
        _grade_arguments,
        _grade,
        description="Run every student's notebooks in fresh kernels, then the teacher's own "
        "checks on their definitions; write one CSV row per student and exercise. Grading "
        "runs the students' code with your rights: it is not a sandbox.",
    ),
    Command(
        "mistakes",
        "rebuild the table of known mistakes from the teacher notebooks",
        _source,
        _mistakes,
    ),
]


def _course_arguments(parser: argparse.ArgumentParser) -> None:
    add_commands(parser, SUBCOMMANDS, "course_command", "_course")


def _course(args: argparse.Namespace) -> int:
    command = getattr(args, "_course", None)
    if command is None:
        names = ", ".join(c.name for c in SUBCOMMANDS)
        raise UsageError(f"choose a course command: {names}")
    return int(command.run(args))


COURSE = Command(
    "course",
    "the course: student and solutions editions, the exercises, grading",
    _course_arguments,
    _course,
)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nets.course COMMAND ...``: run one course command, return the status."""
    return run(PROG, SUBCOMMANDS, argv)
