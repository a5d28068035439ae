"""nets.course.teacher_checks: the teacher's copy of a check; a student's cells without calls."""

from __future__ import annotations

from pathlib import Path

from coursekit import code, notebook, write

from nets.course.teacher_checks import strip_check_calls, teacher_checks

ROOT = Path(__file__).resolve().parent.parent

HELPERS = """
import math
from nets.course import exercise_check, verify_exercise

TOLERANCE = 1e-9  # data: the student's run provides it

def close(a, b):
    return math.isclose(a, b, rel_tol=TOLERANCE)

def unused():
    return 1
"""

SOLUTION = """
def half(x):
    # BEGIN SOLUTION: half of x
    return x / 2
    # END SOLUTION
"""

CHECK = """
CASES = [1.0, 3.0]

@exercise_check
def check_half(fn):
    for x in CASES:
        assert close(fn(x), x / 2), f"half of {x}: your function gives {fn(x)}"

check_half(half)
"""

VERIFY = 'verify_exercise(check_half, "half", wrong={lambda x: x: "x itself"})'


def test_the_check_comes_with_what_it_uses_and_nothing_else(tmp_path):
    path = write(
        tmp_path / "n.ipynb",
        notebook(code(HELPERS), code(SOLUTION, "solution"), code(CHECK), code(VERIFY, "teacher")),
    )
    (check,) = teacher_checks(path)
    assert check.exercise.name == "half" and check.exercise.check == "check_half"
    source = check.source
    compile(source, "bundle", "exec")
    assert "def close(a, b):" in source and "import math" in source
    assert "from nets.course import exercise_check, verify_exercise" in source
    assert "CASES = [1.0, 3.0]" in source and "@exercise_check\ndef check_half(fn):" in source
    assert "def unused" not in source and "TOLERANCE = 1e-9" not in source
    assert "return x / 2" not in source  # the solution is the student's
    assert "check_half(half)" not in source  # no calls: the grader calls it


def test_a_student_cell_loses_only_its_calls_of_checks():
    source = "%matplotlib inline\nx = 1\ncheck_half(half)\ncheck_half(\n    half\n)\nprint(x)"
    out = strip_check_calls(source, {"check_half"})
    assert out == "%matplotlib inline\nx = 1\n\n\n\n\nprint(x)"
    guarded = "try:\n    check_half(half)\nexcept AssertionError:\n    pass\n"
    assert strip_check_calls(guarded, {"check_half"}) == guarded  # only plain top-level calls
    assert strip_check_calls("def broken(:\n", {"check_half"}) == "def broken(:\n"


def test_every_check_of_the_course_compiles_on_its_own():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for check in teacher_checks(path):
            compile(check.source, f"{path.name}: {check.exercise.check}", "exec")
            assert f"def {check.exercise.check}(" in check.source
