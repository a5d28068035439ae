"""nets.course: stubs, the student edition, verify_exercise, and an audit of every notebook."""

from __future__ import annotations

import json
import random
from pathlib import Path

import nbformat
import pytest
from coursekit import (
    CHECK_SQUARE,
    SQUARE,
    VERIFY_SQUARE,
    code,
    dedent,
    good_notebook,
    markdown,
    notebook,
    write,
)

from nets import course
from nets.course import (
    CourseMarkupError,
    ExerciseVerificationError,
    audit_notebook,
    stub_source,
    student_notebook,
    verify_exercise,
    write_student_edition,
)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
COMMITTED = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


# --- stubs ------------------------------------------------------------------------------


def test_stub_replaces_each_region_at_its_indentation_and_keeps_the_rest():
    assert stub_source(SQUARE) == dedent(
        '''
        def square(x):
            """x squared."""
            # hint: multiply
            raise NotImplementedError("exercise: square a number")
        print("defined")
        '''
    )


def test_stub_of_several_regions_top_level_and_nested():
    src = dedent(
        """
        class Pair:
            def add(self, a, b):
                # BEGIN SOLUTION: add
                return a + b
                # END SOLUTION

            def mul(self, a, b):
                if a:
                    # BEGIN SOLUTION: multiply
                    return a * b
                    # END SOLUTION
                return 0
        # BEGIN SOLUTION: the answer
        answer = Pair().add(1, 2)
        # END SOLUTION"""
    )
    out = stub_source(src)
    assert out.splitlines() == [
        "class Pair:",
        "    def add(self, a, b):",
        '        raise NotImplementedError("exercise: add")',
        "",
        "    def mul(self, a, b):",
        "        if a:",
        '            raise NotImplementedError("exercise: multiply")',
        "        return 0",
        'raise NotImplementedError("exercise: the answer")',
    ]
    assert not out.endswith("\n")  # no newline added where the cell had none
    compile(out, "stub", "exec")


def test_a_task_with_quotes_and_backslashes_gives_valid_python():
    src = 'def f():\n    # BEGIN SOLUTION: say "hi" \\ bye\n    return 1\n    # END SOLUTION\n'
    out = stub_source(src)
    namespace: dict = {}
    exec(out, namespace)
    with pytest.raises(NotImplementedError, match=r'exercise: say "hi" \\ bye'):
        namespace["f"]()


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("# BEGIN SOLUTION: a\nx = 1\n", "has no '# END SOLUTION'"),
        ("x = 1\n# END SOLUTION\n", "without a '# BEGIN SOLUTION'"),
        ("# BEGIN SOLUTION: a\n# BEGIN SOLUTION: b\n# END SOLUTION\n", "a second"),
        ("def f():\n    # BEGIN SOLUTION: a\n    pass\n# END SOLUTION\n", "indented"),
        ("#BEGIN SOLUTION a\nx = 1\n#END SOLUTION\n", "looks like a solution marker"),
        ("# BEGIN SOLUTION:\nx = 1\n# END SOLUTION\n", "looks like a solution marker"),
        ("x = 1\n", "holds no '# BEGIN SOLUTION"),
    ],
)
def test_malformed_markers_are_refused_with_the_line(src, message):
    with pytest.raises(CourseMarkupError, match=message) as info:
        stub_source(src, where="nb.ipynb, cell 3")
    assert "nb.ipynb, cell 3" in str(info.value)


# --- notebooks as JSON --------------------------------------------------------------------


def test_student_notebook_removes_teacher_cells_stubs_and_clears_outputs():
    nb = good_notebook()
    before = json.dumps(nb, sort_keys=True)
    student = student_notebook(nb, name="99.ipynb")
    assert json.dumps(nb, sort_keys=True) == before  # the teacher edition is untouched
    assert [c["cell_type"] for c in student["cells"]] == ["markdown"] * 2 + ["code"] * 3
    assert all(course.TEACHER_TAG not in c["metadata"].get("tags", []) for c in student["cells"])
    solution = student["cells"][2]
    assert "".join(solution["source"]) == stub_source(SQUARE)
    assert solution["metadata"]["tags"] == ["solution"]  # tags and ids stay
    assert solution["id"] == nb["cells"][2]["id"]
    for cell in student["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert student["metadata"] == nb["metadata"]
    nbformat.validate(nbformat.from_dict(student))


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (code(SQUARE), "not tagged 'solution'"),
        (code("x = 1", "solution"), "holds no '# BEGIN SOLUTION"),
        (code(SQUARE, "solution", "teacher"), "choose one"),
        (markdown("# BEGIN SOLUTION: a\n# END SOLUTION", "solution"), "only code cells"),
        (
            code("def f():\n  # BEGIN SOLUTION: a\n  return 1\n# END SOLUTION", "solution"),
            "indented",
        ),
    ],
)
def test_malformed_cells_name_the_notebook_and_the_cell(cell, message):
    nb = notebook(markdown("intro"), cell)
    with pytest.raises(CourseMarkupError, match=message) as info:
        student_notebook(nb, name="07_x.ipynb")
    assert "07_x.ipynb, cell 3" in str(info.value)


def test_a_stub_that_breaks_the_syntax_is_reported():
    src = "if True:\n    # BEGIN SOLUTION: a\n    x = 1\n    # END SOLUTION\nelse:\n    x = 2\n"
    assert "raise" in stub_source(src)  # a raise is a valid body: fine
    bad = "x = [\n# BEGIN SOLUTION: a\n1,\n# END SOLUTION\n]\n"
    with pytest.raises(CourseMarkupError, match="not valid Python"):
        student_notebook(notebook(code(bad, "solution")), name="n.ipynb")


def test_write_student_edition_writes_notebooks_and_copies_assets(tmp_path):
    src = tmp_path / "notebooks"
    write(src / "99_test.ipynb", good_notebook())
    (src / "img").mkdir()
    (src / "img" / "pic.svg").write_text("<svg/>")
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "99_test-checkpoint.ipynb").write_text("{}")
    written = write_student_edition(src, tmp_path / "student")
    assert written == [tmp_path / "student" / "99_test.ipynb"]
    assert (tmp_path / "student" / "img" / "pic.svg").read_text() == "<svg/>"
    assert not (tmp_path / "student" / ".ipynb_checkpoints").exists()
    assert "99_test.ipynb" in (tmp_path / "student" / "README.md").read_text()
    nb = nbformat.read(written[0], as_version=4)
    nbformat.validate(nb)
    assert "BEGIN SOLUTION" not in written[0].read_text()
    assert "y = x * x" not in written[0].read_text()
    # Writing again over an existing edition works.
    assert write_student_edition(src, tmp_path / "student") == written


def test_write_student_edition_writes_nothing_when_any_notebook_is_malformed(tmp_path):
    src = tmp_path / "notebooks"
    write(src / "01_good.ipynb", good_notebook())
    write(src / "02_bad.ipynb", notebook(code(SQUARE)))
    with pytest.raises(CourseMarkupError, match=r"02_bad.ipynb, cell 2"):
        write_student_edition(src, tmp_path / "student")
    assert not (tmp_path / "student").exists()


def test_write_student_edition_refuses_to_write_into_the_teacher_edition(tmp_path):
    src = tmp_path / "notebooks"
    write(src / "99_test.ipynb", good_notebook())
    for dest in (src, src / "student"):
        with pytest.raises(ValueError, match="is the notebook folder"):
            write_student_edition(src, dest)
    with pytest.raises(ValueError, match="no notebook folder"):
        write_student_edition(tmp_path / "nowhere", tmp_path / "student")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks"]


def test_command_line_student_list_and_check(tmp_path, capsys):
    src = tmp_path / "notebooks"
    write(src / "99_test.ipynb", good_notebook())
    assert course.main(["student", str(tmp_path / "out"), "--source", str(src)]) == 0
    assert "1 notebook (1 exercise)" in capsys.readouterr().out
    assert (tmp_path / "out" / "99_test.ipynb").exists()
    assert course.main(["list", "--source", str(src)]) == 0
    out = capsys.readouterr().out
    assert "99_test.ipynb  cell 3  square: square a number" in out
    assert "1 exercise in 1 notebook, 1 wrong answer kept" in out
    write(src / "98_bad.ipynb", notebook(code(SQUARE)))
    assert course.main(["check", "--source", str(src)]) == 1
    assert "98_bad.ipynb, cell 2" in capsys.readouterr().err


# --- the audit of a notebook's exercises --------------------------------------------------


def audit(tmp_path, *cells):
    return audit_notebook(write(tmp_path / "n.ipynb", notebook(*cells)))


def test_points_for_an_exercise_that_does_not_exist_are_refused(tmp_path):
    nb = good_notebook()
    nb["metadata"]["course"] = {"points": {"cube": 2}}
    with pytest.raises(CourseMarkupError, match="gives points to 'cube', which is not an exercise"):
        audit_notebook(write(tmp_path / "n.ipynb", nb))
    nb["metadata"]["course"] = {"points": {"square": 3}}
    (exercise,) = audit_notebook(write(tmp_path / "n.ipynb", nb))
    assert exercise.points == 3


def test_two_notebooks_may_not_share_a_check_name(tmp_path):
    write(tmp_path / "01_a.ipynb", good_notebook())
    write(tmp_path / "02_b.ipynb", good_notebook())
    with pytest.raises(CourseMarkupError, match="the check check_square has the name of a check"):
        course.exercises(tmp_path)


def test_audit_lists_a_complete_exercise(tmp_path):
    (exercise,) = audit_notebook(write(tmp_path / "n.ipynb", good_notebook()))
    assert exercise == course.Exercise(
        "n.ipynb",
        3,
        "square",
        ("square a number",),
        "check_square",
        ("square_doubled",),
        ("twice x, not x times x",),
    )
    assert exercise.id == "square" and exercise.points == 1


def test_checks_sharing_a_class_are_listed_as_one_exercise_each(tmp_path):
    found = audit(
        tmp_path,
        code(
            """
            class Num:
                def __init__(self, x):
                    self.x = x

                def __add__(self, other):
                    # BEGIN SOLUTION: the sum
                    return Num(self.x + other.x)
                    # END SOLUTION

                def __mul__(self, other):
                    # BEGIN SOLUTION: the product
                    return Num(self.x * other.x)
                    # END SOLUTION
            """,
            "solution",
        ),
        code(
            """
            @exercise_check
            def check_add(cls):
                assert (cls(2) + cls(3)).x == 5, "2 + 3"

            @exercise_check
            def check_mul(cls):
                assert (cls(2) * cls(3)).x == 6, "2 * 3"
            """
        ),
        code('verify_exercise(check_add, "Num", wrong={NumSubtracts: "minus"})', "teacher"),
        code(
            'verify_exercise(check_mul, "Num", wrong={NumAdds: "plus", NumDivides: "over"})',
            "teacher",
        ),
    )
    assert [(e.check, e.tasks, e.wrong) for e in found] == [
        ("check_add", ("the sum",), ("NumSubtracts",)),
        ("check_mul", ("the product",), ("NumAdds", "NumDivides")),
    ]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ((code(SQUARE, "solution"), code(CHECK_SQUARE)), "'square a number' is not verified"),
        (
            (code(SQUARE, "solution"), code(CHECK_SQUARE), code(VERIFY_SQUARE)),
            "not tagged 'teacher'",
        ),
        (
            (
                code(SQUARE, "solution"),
                code(CHECK_SQUARE),
                code('verify_exercise(check_square, "square", wrong={})', "teacher"),
            ),
            "keeps no wrong answer",
        ),
        (
            (
                code(SQUARE, "solution"),
                code(CHECK_SQUARE, "teacher"),
                code(VERIFY_SQUARE, "teacher"),
            ),
            "not defined by a cell the student edition keeps",
        ),
        (
            (code(VERIFY_SQUARE, "teacher"), code(SQUARE, "solution"), code(CHECK_SQUARE)),
            "defined after this call",
        ),
        (
            (
                code(SQUARE, "solution"),
                code(CHECK_SQUARE),
                code("verify_exercise(check_square, NAME, wrong=W)", "teacher"),
            ),
            "so that it can be audited",
        ),
        (
            (code("# BEGIN SOLUTION: a\nprint(1)\n# END SOLUTION", "solution"),),
            "make every exercise a function",
        ),
        (
            (
                code(SQUARE, "solution"),
                code(CHECK_SQUARE),
                code('verify_exercise(check_square, "square", wrong=[doubled])', "teacher"),
            ),
            "needs a hint of one line",
        ),
        (
            (
                code(SQUARE, "solution"),
                code(CHECK_SQUARE.replace("    @exercise_check\n", "")),
                code(VERIFY_SQUARE, "teacher"),
            ),
            r"decorate check_square\(\) with @exercise_check",
        ),
        (
            (
                code(SQUARE, "solution"),
                code(CHECK_SQUARE + 'print("checked")\n'),
                code(VERIFY_SQUARE, "teacher"),
            ),
            "a cell that defines a check may hold only definitions",
        ),
        (
            (
                code(SQUARE, "solution"),
                code(CHECK_SQUARE),
                code(VERIFY_SQUARE, "teacher"),
                code("assert square(2.0) == 4.0"),
            ),
            "depends on the learner's code but has no message",
        ),
    ],
)
def test_audit_reports_what_is_missing(tmp_path, cells, message):
    with pytest.raises(CourseMarkupError, match=message):
        audit(tmp_path, *cells)


# --- verify_exercise, in plain Python ------------------------------------------------------


def namespace_for(source: str) -> dict:
    namespace: dict = {"__name__": "exercise"}
    exec(source, namespace)
    return namespace


def check_square(fn):
    for x in (0.0, 1.5, -3.0, 7.0):
        got = fn(x)
        assert got == x * x, f"square of {x}: your function gives {got}, expected {x * x}"
    print("square: correct")


def square_doubled(x):
    return 2 * x


def square_abs(x):
    return abs(x) * x


def test_verify_passes_a_good_check_and_reports_what_it_caught(capsys):
    ns = namespace_for(SQUARE)
    capsys.readouterr()
    report = verify_exercise(
        check_square, "square", wrong=[square_doubled], source=SQUARE, namespace=ns
    )
    assert report.name == "square"
    assert report.stub == "NotImplementedError: exercise: square a number"
    assert report.wrong == [
        ("square_doubled", "AssertionError: square of 1.5: your function gives 3.0, expected 2.25")
    ]
    out = capsys.readouterr().out
    assert out == str(report) + "\n"  # the checks' own printing is captured
    assert "fails 1 wrong answer (square_doubled" in out


def test_verify_fails_when_the_check_passes_a_wrong_answer():
    def weak_check(fn):
        assert fn(0.0) == 0.0, "square of 0"

    ns = namespace_for(SQUARE)
    with pytest.raises(ExerciseVerificationError) as info:
        verify_exercise(weak_check, "square", wrong=[square_doubled], source=SQUARE, namespace=ns)
    assert str(info.value) == "exercise 'square': the check PASSED the wrong answer square_doubled"


def test_verify_fails_when_only_a_later_wrong_answer_passes():
    def check_positive_only(fn):
        for x in (1.0, 2.0):
            assert fn(x) == x * x, f"square of {x}"

    ns = namespace_for(SQUARE)
    with pytest.raises(ExerciseVerificationError, match="PASSED the wrong answer square_abs"):
        verify_exercise(
            check_positive_only,
            "square",
            wrong=[square_doubled, square_abs],
            source=SQUARE,
            namespace=ns,
        )


def test_verify_fails_when_the_check_passes_the_stub():
    def check_ignores_fn(fn):
        assert 3.0 * 3.0 == 9.0, "square of 3"  # never calls the learner's function

    ns = namespace_for(SQUARE)
    with pytest.raises(ExerciseVerificationError, match="PASSED the student stub"):
        verify_exercise(
            check_ignores_fn, "square", wrong=[square_doubled], source=SQUARE, namespace=ns
        )


def test_verify_fails_when_the_check_swallows_the_stub_error():
    def check_swallows(fn):
        try:
            got = fn(2.0)
        except Exception:
            got = 4.0  # a check that hides the learner's error
        assert got == 4.0, "square of 2"
        assert fn(3.0) == 9.0, "square of 3"

    ns = namespace_for(SQUARE)
    # The stub still fails (fn(3.0) raises), so this check is acceptable: verify passes.
    verify_exercise(check_swallows, "square", wrong=[square_doubled], source=SQUARE, namespace=ns)


def test_verify_fails_when_the_check_fails_the_solution():
    ns = namespace_for(SQUARE.replace("y = x * x", "y = x + x"))
    with pytest.raises(ExerciseVerificationError, match="the check FAILED on the solution"):
        verify_exercise(check_square, "square", wrong=[square_doubled], source=SQUARE, namespace=ns)


def test_verify_wants_an_assertion_on_wrong_answers_and_the_stub():
    def crashes(x):
        raise ZeroDivisionError("oops")

    ns = namespace_for(SQUARE)
    with pytest.raises(ExerciseVerificationError, match="raised ZeroDivisionError: oops instead"):
        verify_exercise(check_square, "square", wrong=[crashes], source=SQUARE, namespace=ns)

    def check_typeerror_on_stub(fn):
        try:
            got = fn(2.0)
        except NotImplementedError:
            raise TypeError("bad") from None
        assert got == 4.0, "square of 2"
        assert fn(1.5) == 2.25, "square of 1.5"

    with pytest.raises(ExerciseVerificationError, match="on the student stub the check raised"):
        verify_exercise(
            check_typeerror_on_stub, "square", wrong=[square_doubled], source=SQUARE, namespace=ns
        )


def test_verify_needs_a_wrong_answer_and_the_name():
    ns = namespace_for(SQUARE)
    with pytest.raises(ValueError, match="at least one plausible wrong answer"):
        verify_exercise(check_square, "square", source=SQUARE, namespace=ns)
    with pytest.raises(NameError, match="nothing is bound to 'cube'"):
        verify_exercise(check_square, "cube", wrong=[square_doubled], namespace=ns)


def test_verify_finds_the_solution_cell_in_ipython_history():
    ns = namespace_for(SQUARE)
    # IPython keeps every cell's source in In; the latest solution cell defining the name wins.
    ns["In"] = ["", SQUARE.replace("x * x", "x ** 3"), SQUARE, "check_square(square)"]
    report = verify_exercise(check_square, "square", wrong=[square_doubled], namespace=ns)
    assert report.stub.startswith("NotImplementedError")
    ns["In"] = ["", "square = lambda x: x * x"]
    with pytest.raises(ExerciseVerificationError, match="cannot find the solution cell"):
        verify_exercise(check_square, "square", wrong=[square_doubled], namespace=ns)


def test_verify_leaves_the_teachers_namespace_and_random_state_alone():
    src = SQUARE + "calls = 0\n"
    ns = namespace_for(src)
    solution = ns["square"]
    random.seed(5)
    expected = random.random()
    random.seed(5)

    def check_random(fn):
        x = random.random()  # checks may draw inputs
        assert abs(fn(x) - x * x) < 1e-12, f"square of {x}"

    verify_exercise(check_random, "square", wrong=[square_doubled], source=src, namespace=ns)
    assert ns["square"] is solution and ns["calls"] == 0
    assert random.random() == expected


def test_a_stub_cell_that_raises_while_it_runs_counts_as_failing():
    src = dedent(
        """
        # BEGIN SOLUTION: write square
        def square(x):
            return x * x
        # END SOLUTION
        """
    )
    ns = namespace_for(src)
    report = verify_exercise(
        check_square, "square", wrong=[square_doubled], source=src, namespace=ns
    )
    assert report.stub == "the cell raises NotImplementedError: exercise: write square"

    later = dedent(
        """
        def square(x):
            # BEGIN SOLUTION: write square
            return x * x
            # END SOLUTION
        table = [square(x) for x in range(3)]
        """
    )
    ns = namespace_for(later)
    report = verify_exercise(
        check_square, "square", wrong=[square_doubled], source=later, namespace=ns
    )
    assert report.stub.startswith("the cell raises NotImplementedError: exercise: write square")
    assert "; the check: NotImplementedError" in report.stub


def test_a_stub_cell_that_raises_something_else_is_reported():
    src = SQUARE + "value = undefined_name + square(2.0)\n"
    ns = namespace_for(SQUARE)
    ns["value"] = 4.0
    with pytest.raises(ExerciseVerificationError, match="before the learner has written anything"):
        verify_exercise(check_square, "square", wrong=[square_doubled], source=src, namespace=ns)


def test_verify_a_class_exercise():
    src = dedent(
        """
        class Counter:
            def __init__(self):
                self.n = 0

            def tick(self):
                # BEGIN SOLUTION: count one more
                self.n += 1
                return self
                # END SOLUTION
        """
    )
    ns = namespace_for(src)

    def check_counter(cls):
        c = cls()
        for k in range(1, 4):
            got = c.tick().n
            assert got == k, f"count after {k} ticks: your class gives {got}, expected {k}"

    class CounterByTwo:
        def __init__(self):
            self.n = 0

        def tick(self):
            self.n += 2
            return self

    report = verify_exercise(
        check_counter, "Counter", wrong=[CounterByTwo], source=src, namespace=ns
    )
    assert report.wrong[0][0].endswith("CounterByTwo")


def test_verify_in_a_jupyter_kernel(tmp_path):
    """In a kernel, verify_exercise reads the cell from the input history, and says which case
    a weak check lets through."""
    nbclient = pytest.importorskip("nbclient")
    weak = """
        def check_lazy(fn):
            assert fn(0.0) == 0.0, "square of 0"

        try:
            verify_exercise(check_lazy, "square", wrong=[square_doubled])
        except AssertionError as err:
            message = str(err)
        expected = "exercise 'square': the check PASSED the wrong answer square_doubled"
        assert message == expected, message
        assert square(3.0) == 9.0          # the teacher's solution is still in place
        """
    nb = nbformat.reads(
        json.dumps(
            notebook(
                code(SQUARE, "solution"),
                code(CHECK_SQUARE),
                code(VERIFY_SQUARE, "teacher"),
                code(weak, "teacher"),
            )
        ),
        as_version=4,
    )
    client = nbclient.NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    out = "".join(o.get("text", "") for o in nb.cells[3].outputs)
    assert "exercise 'square' verified" in out and "square_doubled" in out


# --- every committed notebook ---------------------------------------------------------------


@pytest.mark.parametrize("name", COMMITTED)
def test_committed_notebook_exercises_are_marked_checked_and_verified(name):
    # Balanced regions in tagged cells only; every exercise a function with a check_<name>
    # kept in the student edition and a teacher cell calling verify_exercise after it with
    # at least one wrong answer. (nbmake then runs those calls: the proof at run time.)
    audit_notebook(NOTEBOOKS / name, name=name)


def test_the_student_edition_of_the_course_builds(tmp_path):
    written = write_student_edition(NOTEBOOKS, tmp_path / "student")
    assert sorted(p.name for p in written) == COMMITTED
    for path in written:
        teacher = json.loads((NOTEBOOKS / path.name).read_text(encoding="utf-8"))
        student = nbformat.read(path, as_version=4)
        nbformat.validate(student)
        text = path.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path.name
        assert all(course.TEACHER_TAG not in c.metadata.get("tags", []) for c in student.cells)
        kept = [
            c for c in teacher["cells"] if course.TEACHER_TAG not in c["metadata"].get("tags", [])
        ]
        assert len(kept) == len(student.cells), path.name
        for mine, theirs in zip(student.cells, kept):
            src = "".join(theirs["source"])
            if course.SOLUTION_TAG in theirs["metadata"].get("tags", []):
                assert mine.source == stub_source(src), path.name  # no solution line survives
            else:
                assert mine.source == src, path.name  # nothing else changed
    assert (tmp_path / "student" / "img").is_dir()
