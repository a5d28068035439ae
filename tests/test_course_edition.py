"""nets.course.edition: the solutions edition of the course hands out what it should.

(The student edition is tested in test_course.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nets.course import solutions_notebook, student_notebook
from nets.course.calls import verify_calls
from nets.course.cellcode import bound_names, loaded_names, parse_cell
from nets.course.markup import cell_source, cell_tags

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
COMMITTED = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("name", COMMITTED)
def test_the_solutions_edition_keeps_solutions_and_answers_not_the_verification(name):
    teacher = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    edition = solutions_notebook(teacher, name=name)
    text = json.dumps(edition)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "verify_exercise(" not in text
    assert all(not c.get("outputs") for c in edition["cells"])
    kept = [c for c in teacher["cells"] if not verify_calls(cell_source(c), 0)]
    assert len(edition["cells"]) == len(kept)
    answers = [
        c for c in teacher["cells"] if "teacher" in cell_tags(c) and c["cell_type"] == "markdown"
    ]
    for answer in answers:  # the answers to the questions are part of the solutions
        assert cell_source(answer) in [cell_source(c) for c in edition["cells"]]
    # The student edition's stubs are the solutions edition's code: one region each.
    student = student_notebook(teacher, name=name)
    assert len(student["cells"]) <= len(edition["cells"])


@pytest.mark.parametrize("name", COMMITTED)
def test_nothing_the_solutions_edition_leaves_out_is_used_later(name):
    """The removed cells define kept wrong answers only: the edition runs without them."""
    teacher = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    removed: set[str] = set()
    for cell in teacher["cells"]:
        tree = parse_cell(cell_source(cell)) if cell["cell_type"] == "code" else None
        if tree is None:
            continue
        if verify_calls(cell_source(cell), 0):
            removed |= {n for stmt in tree.body for n in bound_names(stmt)}
            continue
        used = loaded_names(tree) & removed
        rebound = {n for stmt in tree.body for n in bound_names(stmt)}
        assert not used - rebound, f"{name}: a kept cell uses {sorted(used)}"
        removed -= rebound
