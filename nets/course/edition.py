"""The editions of a teacher notebook: for students, and solutions to hand out later.

- The **student edition** leaves out ``teacher`` cells, replaces each solution region by a
  ``NotImplementedError`` stub and clears every output.
- The **solutions edition** keeps the solutions (their marker lines removed) and the
  teacher's answers, and leaves out the teacher cells that verify the checks: the kept
  wrong answers and their proof, which are for the teacher.

Both keep everything else (metadata, tags, ids, attachments) and leave the given notebook
untouched.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .calls import verify_calls
from .markup import (
    SOLUTION_TAG,
    TEACHER_TAG,
    cell_source,
    cell_tags,
    check_cell_markup,
    describe_cell,
    stub_source,
)

__all__ = ["solutions_notebook", "student_notebook"]


def _cleared(cell: Mapping[str, Any], source: str | None = None) -> dict[str, Any]:
    out = copy.deepcopy(dict(cell))
    if source is not None:
        out["source"] = source.splitlines(keepends=True)
    if out.get("cell_type") == "code":
        out["outputs"] = []
        out["execution_count"] = None
    return out


def _student_cell(notebook: str, index: int, cell: Mapping[str, Any]) -> dict[str, Any] | None:
    """One cell as the student edition has it (None: left out), markup checked."""
    regions = check_cell_markup(notebook, index, cell)
    if TEACHER_TAG in cell_tags(cell):
        return None
    if not regions:
        return _cleared(cell)
    where = describe_cell(notebook, index, cell)
    return _cleared(cell, stub_source(cell_source(cell), where=where))


def _without_markers(source: str) -> str:
    lines = source.splitlines(keepends=True)
    kept = [
        ln for ln in lines if not ln.lstrip().startswith(("# BEGIN SOLUTION", "# END SOLUTION"))
    ]
    return "".join(kept)


def _solutions_cell(notebook: str, index: int, cell: Mapping[str, Any]) -> dict[str, Any] | None:
    regions = check_cell_markup(notebook, index, cell)
    tags = cell_tags(cell)
    verifies = cell.get("cell_type") == "code" and verify_calls(cell_source(cell), index)
    if TEACHER_TAG in tags and verifies:
        return None
    if regions and SOLUTION_TAG in tags:
        return _cleared(cell, _without_markers(cell_source(cell)))
    return _cleared(cell)


def _edition(nb: Mapping[str, Any], name: str, convert: Any) -> dict[str, Any]:
    out = {k: copy.deepcopy(v) for k, v in nb.items() if k != "cells"}
    cells = (convert(name, i, c) for i, c in enumerate(nb.get("cells", [])))
    out["cells"] = [c for c in cells if c is not None]
    return out


def student_notebook(nb: Mapping[str, Any], *, name: str = "notebook") -> dict[str, Any]:
    """The student edition of one notebook (a JSON dict), the given one left untouched.

    ``teacher`` cells are removed, the regions of ``solution`` cells stubbed, every output
    and execution count cleared; everything else (metadata, tags, ids, attachments) stays.
    """
    return _edition(nb, name, _student_cell)


def solutions_notebook(nb: Mapping[str, Any], *, name: str = "notebook") -> dict[str, Any]:
    """The solutions edition of one notebook: solutions and answers, no verification.

    The teacher cells that call ``verify_exercise`` (the kept wrong answers and the proof
    that the checks catch them) are removed and the solution markers dropped; outputs
    are cleared.
    """
    return _edition(nb, name, _solutions_cell)
