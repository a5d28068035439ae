"""nets.course.grade and report: a class graded with the teacher's own checks.

A two-notebook course and six students: one right, one wrong, one who edited the check,
one with endless loops, one who handed in one notebook of two, one whose Python dies.
Each gets the points and statuses expected, in time, and grading writes nothing but the
CSV and the feedback.  Then a real notebook of the course, where a mistake is named.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import time
from pathlib import Path

import pytest
from coursekit import SQUARE, code, good_notebook, notebook, write

from nets import course
from nets.course.grade import grade_submissions
from nets.course.report import write_feedback, write_grades

pytest.importorskip("jupyter_client")

ROOT = Path(__file__).resolve().parent.parent

CUBE = """
def cube(x):
    # BEGIN SOLUTION: cube a number
    return x * x * x
    # END SOLUTION
"""

CHECK_CUBE = """
@exercise_check
def check_cube(fn):
    for x in (2.0, -1.5):
        assert fn(x) == x ** 3, f"cube of {x}: your function gives {fn(x)}, expected {x ** 3}"

check_cube(cube)
"""

VERIFY_CUBE = """
def cube_squared(x):
    return x * x

verify_exercise(check_cube, "cube", wrong={cube_squared: "x squared, not cubed"})
"""


def cube_notebook() -> dict:
    nb = notebook(
        code("from nets.course import exercise_check, verify_exercise"),
        code(CUBE, "solution"),
        code(CHECK_CUBE),
        code(VERIFY_CUBE, "teacher"),
    )
    nb["metadata"]["course"] = {"points": {"cube": 2}}
    return nb


def student_copy(nb: dict, replace: dict[str, str] | None = None, drop: str = "") -> dict:
    """The student edition of nb, each stub replaced by the student's lines."""
    student = course.student_notebook(nb)
    for cell in student["cells"]:
        source = "".join(cell["source"])
        for stub, answer in (replace or {}).items():
            source = source.replace(f'raise NotImplementedError("exercise: {stub}")', answer)
        cell["source"] = source.splitlines(keepends=True)
    if drop:
        student["cells"] = [c for c in student["cells"] if drop not in "".join(c["source"])]
    return student


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    teacher = root / "notebooks"
    write(teacher / "01_square.ipynb", good_notebook())
    write(teacher / "02_cube.ipynb", cube_notebook())
    subs = root / "submissions"
    square, cube = good_notebook(), cube_notebook()
    right_sq = {"square a number": "return x * x"}
    right_cu = {"cube a number": "return x * x * x"}
    students = {
        "ada": (student_copy(square, right_sq), student_copy(cube, right_cu)),
        "ben": (student_copy(square, {"square a number": "return 2 * x"}), None),
        "cy": (
            student_copy(square, {"square a number": "return 2 * x"}),
            student_copy(cube, {"cube a number": "return x * x"}, drop="def check_cube"),
        ),
        "dee": (
            student_copy(square, {"square a number": "while True:\n        pass"}),
            student_copy(cube, right_cu),
        ),
        "eve": (student_copy(square, right_sq), None),
        "fay": (student_copy(square, right_sq), student_copy(cube, right_cu)),
    }
    # cy also makes the check she kept pass anything; dee adds an endless cell after cube;
    # fay's Python dies in the cube notebook; ben's cube notebook is not JSON.
    cy_square = students["cy"][0]
    for cell in cy_square["cells"]:
        if "def check_square" in "".join(cell["source"]):
            cell["source"] = ["def check_square(fn):\n", "    print('square: correct')\n"]
    students["dee"][1]["cells"].append(code("while True:\n    pass"))
    students["fay"][1]["cells"].insert(2, code("import os\nos._exit(1)"))
    for name, (nb1, nb2) in students.items():
        write(subs / name / "01_square.ipynb", nb1)
        if nb2 is not None:
            write(subs / name / "02_cube.ipynb", nb2)
    (subs / "ben" / "02_cube.ipynb").write_text("{ not json")
    (subs / "eve" / "notes.txt").write_text("not a notebook")
    before = {str(p) for p in root.rglob("*")}
    temp_before = set(os.listdir(tempfile.gettempdir()))
    cwd = os.getcwd()
    os.chdir(root)
    try:
        start = time.monotonic()
        results = grade_submissions(subs, teacher, timeout=6.0)
        seconds = time.monotonic() - start
        write_grades(root / "grades.csv", results)
        write_feedback(root / "feedback", results)
    finally:
        os.chdir(cwd)
    after = {str(p) for p in root.rglob("*")}
    new_temp = set(os.listdir(tempfile.gettempdir())) - temp_before
    return root, results, seconds, after - before, new_temp


def rows(root: Path) -> dict[tuple[str, str], dict[str, str]]:
    with open(root / "grades.csv", newline="") as f:
        return {(r["student"], r["exercise"]): r for r in csv.DictReader(f)}


def test_points_and_statuses(graded):
    root, _, _, _, _ = graded
    got = {k: (r["status"], r["points"], r["max_points"]) for k, r in rows(root).items()}
    assert got == {
        ("ada", "square"): ("passed", "1", "1"),
        ("ada", "cube"): ("passed", "2", "2"),
        ("ben", "square"): ("failed", "0", "1"),
        ("ben", "cube"): ("error", "0", "2"),  # not a notebook
        ("cy", "square"): ("failed", "0", "1"),  # her own check passed anything
        ("cy", "cube"): ("failed", "0", "2"),  # her check cell deleted: the teacher's runs
        ("dee", "square"): ("timeout", "0", "1"),  # an endless loop in her function
        ("dee", "cube"): ("passed", "2", "2"),  # an endless cell after it, stopped
        ("eve", "square"): ("passed", "1", "1"),
        ("eve", "cube"): ("missing", "0", "2"),
        ("fay", "square"): ("passed", "1", "1"),
        ("fay", "cube"): ("error", "0", "2"),  # Python died in a cell
    }


def test_the_csv_has_the_columns_and_one_row_per_student_and_exercise(graded):
    root, _, _, _, _ = graded
    with open(root / "grades.csv", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        body = list(reader)
    assert header[:6] == ["student", "notebook", "exercise", "points", "max_points", "status"]
    assert len(body) == 12 and all(len(r) == len(header) for r in body)


def test_messages_say_what_happened(graded):
    root, _, _, _, _ = graded
    r = rows(root)
    assert "square of 1.5: your function gives 3.0, expected 2.25" in r["ben", "square"]["message"]
    assert "cannot read the notebook" in r["ben", "cube"]["message"]
    assert "cube of 2.0: your function gives 4.0, expected 8.0" in r["cy", "cube"]["message"]
    assert "still running after 6 s" in r["dee", "square"]["message"]
    assert "no 02_cube.ipynb in eve's folder" in r["eve", "cube"]["message"]
    assert "Python had stopped" in r["fay", "cube"]["message"]


def test_one_file_of_feedback_per_student(graded):
    root, _, _, _, _ = graded
    files = sorted(p.name for p in (root / "feedback").iterdir())
    assert files == [f"{s}.md" for s in ("ada", "ben", "cy", "dee", "eve", "fay")]
    ada = (root / "feedback" / "ada.md").read_text()
    assert ada.startswith("# Feedback for ada\n\n3 of 3 points: 2 of 2 exercises passed.")
    dee = (root / "feedback" / "dee.md").read_text()
    assert "1 of 3 points" not in dee and "2 of 3 points: 1 of 2 exercises passed." in dee
    assert "was still running when the notebook's 6 s were up" in dee
    fay = (root / "feedback" / "fay.md").read_text()
    assert "Python stopped in cell" in fay


def test_within_the_time_limits(graded):
    _, results, seconds, _, _ = graded
    # Each notebook takes at most its limit for the cells plus one per check, plus a kernel
    # start; a busy two-core machine gets a generous margin.
    for r in results:
        assert r.seconds < 6.0 * 2 + 10, (r.student, r.notebook, r.seconds)
    assert seconds < 120


def test_grading_writes_nothing_else(graded):
    root, _, _, new, new_temp = graded
    expected = {str(root / "grades.csv"), str(root / "feedback")}
    expected |= {
        str(root / "feedback" / f"{s}.md") for s in ("ada", "ben", "cy", "dee", "eve", "fay")
    }
    assert new == expected
    assert not [name for name in new_temp if name.startswith("valuegrad-grade-")]  # removed


def test_the_feedback_names_a_known_mistake(tmp_path):
    """Notebook 01 of the course, answered with y's second share forgotten."""
    teacher = ROOT / "notebooks" / "01_value_and_graph.ipynb"
    src = tmp_path / "course"
    src.mkdir()
    (src / teacher.name).write_bytes(teacher.read_bytes())
    nb = json.loads(teacher.read_text(encoding="utf-8"))
    answer = (
        "h = x * y + y * z\n    return h, 1.0 * y, x, y  # dh/dy: the share through y * z forgotten"
    )
    student = student_copy(nb, {"h and its three partial derivatives, by hand": answer})
    write(tmp_path / "subs" / "kim" / teacher.name, student)
    results = grade_submissions(tmp_path / "subs", src, timeout=60)
    (grade,) = results[0].grades
    assert grade.status == "failed"
    assert "A known mistake gives these very numbers: y is used twice" in grade.message
    text = course.report.feedback_text("kim", results)
    assert "y is used twice: its two shares add up" in text


def test_the_command_line(tmp_path, capsys):
    teacher = tmp_path / "notebooks"
    write(teacher / "01_square.ipynb", good_notebook())
    write(
        tmp_path / "subs" / "ada" / "01_square.ipynb",
        student_copy(good_notebook(), {"square a number": "return x * x"}),
    )
    argv = [
        "grade",
        str(tmp_path / "subs"),
        "--out",
        str(tmp_path / "g.csv"),
        "--source",
        str(teacher),
        "--feedback",
        str(tmp_path / "fb"),
        "--timeout",
        "30",
    ]
    assert course.main(argv) == 0
    out = capsys.readouterr().out
    assert "ada  01_square.ipynb  1/1 passed, 1/1 points" in out
    assert "graded 1 student: grades in" in out
    assert (tmp_path / "fb" / "ada.md").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--timeout", "0"], "--timeout must be a number of seconds above 0"),
        (["--out", "nowhere/g.csv"], "does not exist"),
        (["--feedback", "subs/fb"], "inside the submissions folder"),
    ],
)
def test_the_command_line_refuses_outputs_before_grading(
    tmp_path, capsys, monkeypatch, extra, message
):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "notebooks" / "01_square.ipynb", good_notebook())
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    assert course.main(["grade", "subs", *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "grades.csv").exists()


def test_no_student_folder_is_one_line(tmp_path, capsys):
    write(tmp_path / "notebooks" / "01_square.ipynb", good_notebook())
    (tmp_path / "subs").mkdir()
    argv = [
        "grade",
        str(tmp_path / "subs"),
        "--source",
        str(tmp_path / "notebooks"),
        "--out",
        str(tmp_path / "g.csv"),
    ]
    assert course.main(argv) == 1
    assert "holds no student folder" in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()


# SQUARE is the solution the small course's first notebook holds.
assert "return y" in SQUARE
