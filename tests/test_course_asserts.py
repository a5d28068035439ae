"""nets.course.asserts: an assert a learner's code can trip must carry a message."""

from __future__ import annotations

import pytest
from coursekit import code

from nets.course.asserts import bare_learner_asserts

SOLUTION = code("def f(x):\n    # BEGIN SOLUTION: f\n    return x\n    # END SOLUTION", "solution")


def problems(*cells):
    return bare_learner_asserts([SOLUTION, *cells], "n.ipynb")


@pytest.mark.parametrize(
    "source",
    [
        "assert f(1) == 1",
        "y = f(2)\nassert y == 2",
        "y = [f(2)]\nz = y[0] + 1\nassert z == 3",
        "ys = []\nys.append(f(1))\nassert ys == [1]",
        "for k in range(3):\n    v = f(k)\n    assert v == k",
        "def g(x):\n    return f(x) + 1\nassert g(1) == 2",
    ],
)
def test_an_assert_that_depends_on_the_learners_code_needs_a_message(source):
    (problem,) = problems(code(source))
    assert "depends on the learner's code but has no message" in problem
    assert problem.startswith("n.ipynb, cell 2")


@pytest.mark.parametrize(
    "source",
    [
        'assert f(1) == 1, "f(1) should be 1"',
        "import math\nassert math.isclose(0.1 + 0.2, 0.3)",  # nothing of the learner's
        "def g(y):\n    return y + 1\nassert g(1) == 2",  # a local y, not a learner's
        "assert all(x > 0 for x in [1, 2])",  # x is the comprehension's own
        "h = lambda f: f * 2\nassert h(2) == 4",  # f is the lambda's argument
    ],
)
def test_other_asserts_are_fine(source):
    assert problems(code(source)) == []


def test_teacher_cells_are_not_the_learners_concern():
    assert problems(code("assert f(1) == 1", "teacher")) == []


def test_the_dependence_is_followed_across_cells():
    found = problems(code("y = f(3)"), code("z = y * 2"), code("assert z == 6"))
    assert len(found) == 1 and found[0].startswith("n.ipynb, cell 4")
