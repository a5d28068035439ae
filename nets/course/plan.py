"""The course as a plan for a term: per notebook its title, minutes, prerequisites, exercises.

One source, the notebooks' ``course`` metadata (see :mod:`nets.course.meta`) and their
exercises, gives the table of the teacher's guide and the student edition's README.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .audit import Exercise, audit_notebook
from .markup import CourseMarkupError, cell_source
from .meta import course_info
from .nbfile import notebook_paths, read_notebook

__all__ = ["NotebookPlan", "course_plan", "plan_table", "student_readme"]

INSTALL_EXTRAS = "notebook,plots,datasets,testing"
# Notebook 15 compares the engine with micrograd itself, live.
EXTRA_PACKAGES = "micrograd==0.1.0"


@dataclass(frozen=True)
class NotebookPlan:
    """One notebook of the course, as a term plan lists it."""

    file: str
    title: str
    minutes: int | None
    requires: tuple[str, ...]
    exercises: tuple[Exercise, ...]

    @property
    def points(self) -> float:
        return sum(e.points for e in self.exercises)


def _title(nb: dict, fallback: str) -> str:
    for cell in nb["cells"]:
        if cell.get("cell_type") == "markdown":
            heading = re.search(r"^#\s+(.+)$", cell_source(cell), re.MULTILINE)
            if heading:
                # "02 · Build a Value" -> "Build a Value"
                return re.sub(r"^\d+\s*[·.:-]\s*", "", heading.group(1)).strip()
    return fallback


def course_plan(src: str | os.PathLike[str] = "notebooks") -> list[NotebookPlan]:
    """The plan of the notebooks under ``src``, audited; prerequisites must come earlier."""
    src_dir = Path(src)
    if not src_dir.is_dir():
        raise CourseMarkupError(f"no notebook folder {src_dir}")
    plans: list[NotebookPlan] = []
    for path in notebook_paths(src_dir):
        nb = read_notebook(path)
        info = course_info(nb, path.name)
        earlier = {p.file.removesuffix(".ipynb") for p in plans}
        for need in info.requires:
            if need not in earlier:
                raise CourseMarkupError(
                    f"{path.name}: metadata 'course' requires {need!r}, which is not a "
                    "notebook that comes before it (give the file name without .ipynb)"
                )
        exercises = tuple(audit_notebook(path, name=path.name))
        plans.append(
            NotebookPlan(path.name, _title(nb, path.stem), info.minutes, info.requires, exercises)
        )
    return plans


def _points(value: float) -> str:
    return f"{value:g}"


def _minutes(value: int | None) -> str:
    return f"{value}" if value is not None else "?"


def plan_table(plans: list[NotebookPlan]) -> str:
    """The term plan as a Markdown table: notebook, minutes, prerequisites, exercises."""
    rows = [
        "| notebook | minutes | needs | exercises (points) |",
        "|---|---|---|---|",
    ]
    for p in plans:
        needs = ", ".join(r.split("_")[0] for r in p.requires) or "none"
        work = ", ".join(f"`{e.id}` ({_points(e.points)})" for e in p.exercises) or "none"
        rows.append(
            f"| {p.file.removesuffix('.ipynb')} | {_minutes(p.minutes)} | {needs} | {work} |"
        )
    total_minutes = sum(p.minutes or 0 for p in plans)
    total_points = sum(p.points for p in plans)
    count = sum(len(p.exercises) for p in plans)
    rows.append(
        f"| all {len(plans)} | {total_minutes} (about {total_minutes / 60:.0f} h) | | "
        f"{count} exercises, {_points(total_points)} points |"
    )
    return "\n".join(rows) + "\n"


def student_readme(plans: list[NotebookPlan], wheel: str | None = None) -> str:
    """The README of the student edition: the course, its order, the time, how to install."""
    wheel_file = wheel or "valuegrad-<version>-py3-none-any.whl"
    wheel_line = f"pip install './{wheel_file}[{INSTALL_EXTRAS}]' {EXTRA_PACKAGES}"
    order = "\n".join(
        f"{i}. `{p.file}`: {p.title} (about {_minutes(p.minutes)} min; "
        f"{len(p.exercises)} exercise{'s' if len(p.exercises) != 1 else ''})"
        for i, p in enumerate(plans, 1)
    )
    total = sum(p.minutes or 0 for p in plans)
    return f"""\
# Backpropagation, built and checked: the notebooks

A course in {len(plans)} Jupyter notebooks on how neural networks learn: a number that
remembers how it was computed, the chain rule run backwards through a graph
(backpropagation), gradient descent, neurons and their activations, classification,
softmax and cross-entropy, gradient checking, second derivatives, matrices, training
practice, and tracing. It runs on `valuegrad`, a small automatic-differentiation engine
written in plain Python so that every step can be read.

## Install

Python 3.10 or newer, then, in a virtual environment:

    python -m venv .venv && . .venv/bin/activate
    pip install 'valuegrad[{INSTALL_EXTRAS}]' {EXTRA_PACKAGES}

or, with the wheel your teacher handed out (a file `valuegrad-...whl` in this folder):

    {wheel_line}

The pictures of graphs need Graphviz's `dot` program as well (Debian/Ubuntu:
`sudo apt-get install graphviz`; macOS: `brew install graphviz`; conda:
`conda install -c conda-forge graphviz`). Then open the notebooks in JupyterLab, VS Code
or any Jupyter front end (`pip install jupyterlab`, then `jupyter lab`).

## The order

Work through the notebooks in this order (about {total} minutes, {total / 60:.0f} hours,
in all); each one assumes the ones before it:

{order}

## Exercises

Each exercise is a function (or a method) with `raise NotImplementedError("exercise:
...")` where your code goes. Replace that line with your code and run the cell, then
run the check in the cell after it. A check calls your function on inputs of its own
and says what it expected when something is off, often with a hint that names the
mistake. Notebook 03 starts from the `Value` class you write in notebook 02: paste your
methods where it asks for them.

Hand in the notebooks as they are, under their names here: your teacher's grading runs
your cells and then the course's own checks on your functions.
"""
