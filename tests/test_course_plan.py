"""nets.course.plan: the term plan (the teacher's guide) and the student edition's README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from coursekit import good_notebook, write

from nets.course import CourseMarkupError, exercises
from nets.course.plan import course_plan, plan_table, student_readme

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(scope="module")
def plans():
    return course_plan(NOTEBOOKS)


def test_every_notebook_has_its_minutes_and_earlier_prerequisites(plans):
    assert [p.file for p in plans] == sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    for p in plans:
        assert p.minutes and 30 <= p.minutes <= 180, p.file
        assert p.exercises, p.file
    assert plans[0].requires == () and all(p.requires for p in plans[1:])
    assert [p.title for p in plans[:2]] == ["A Value and its graph", "Build a Value"]


def test_points_add_up(plans):
    found = exercises(NOTEBOOKS)
    assert sum(p.points for p in plans) == sum(e.points for e in found)
    assert {e.points for e in found} <= {1.0, 2.0}


def test_the_table(plans):
    table = plan_table(plans)
    lines = table.splitlines()
    assert lines[0] == "| notebook | minutes | needs | exercises (points) |"
    assert (
        lines[3] == "| 02_build_a_value | 75 | 01 | `add` (1), `mul` (1), `tanh` (1), `relu` (1) |"
    )
    total = sum(p.minutes or 0 for p in plans)
    assert lines[-1].startswith(f"| all 15 | {total} (about {total / 60:.0f} h) |")


def test_the_teachers_guide_shows_the_current_table(plans):
    guide = (ROOT / "docs" / "teachers.md").read_text(encoding="utf-8")
    assert plan_table(plans) in guide, "paste `python -m nets.course plan` into the guide"


def test_the_readme_of_the_student_edition(plans):
    text = student_readme(plans)
    assert "pip install 'valuegrad[notebook,plots,datasets,testing]' micrograd==0.1.0" in text
    assert re.search(r"pip install '\./valuegrad-.*\.whl\[notebook,plots,datasets,testing\]'", text)
    order = [line for line in text.splitlines() if re.match(r"\d+\. `", line)]
    assert len(order) == 15 and order[0].startswith("1. `01_value_and_graph.ipynb`: A Value")
    assert "(about 45 min; 1 exercise)" in order[0]


def test_a_prerequisite_must_come_earlier(tmp_path):
    nb = good_notebook()
    nb["metadata"]["course"] = {"requires": ["02_later"]}
    write(tmp_path / "01_first.ipynb", nb)
    write(tmp_path / "02_later.ipynb", good_notebook())
    with pytest.raises(CourseMarkupError, match="requires '02_later', which is not a notebook"):
        course_plan(tmp_path)
