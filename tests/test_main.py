"""The command line ``python -m autograd draw``, in-process through main() and as a program."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd.cli.draw import main
from autograd.viz.draw import Drawing
from autograd.viz.steps import RECORD

LECTURE = ["draw", "(x + y) * z", "x=-2", "y=5", "z=-4"]


def require_dot() -> None:
    if shutil.which("dot") is None:
        pytest.fail(
            "Graphviz's dot program is not installed; run 'make test' or apt-get install graphviz"
        )


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def program(
    *argv: str, cwd: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    """The command line as a user runs it, with this venv's python."""
    return subprocess.run(
        [sys.executable, "-m", "autograd", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def test_prints_the_value_and_every_gradient():
    status, out, err = run(*LECTURE)
    assert status == 0 and err == ""
    assert out.splitlines() == ["value: -12.0", "grad x: -4.0", "grad y: -4.0", "grad z: 3.0"]


def test_writes_the_picture_in_the_format_of_its_extension(tmp_path):
    require_dot()
    for name, magic in [
        ("g.svg", b"<?xml"),
        ("g.png", b"\x89PNG"),
        ("g.pdf", b"%PDF"),
        ("g.dot", b"digraph"),
    ]:
        status, out, err = run(*LECTURE, "-o", str(tmp_path / name))
        assert status == 0, err
        assert out.splitlines()[-1] == f"wrote {tmp_path / name}"
        assert (tmp_path / name).read_bytes().lstrip().startswith(magic)
    svg = ET.parse(tmp_path / "g.svg").getroot()
    texts = {"".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"x", "y", "z", "data -12", "grad -4", "grad 3"} <= texts
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot", "g.pdf", "g.png", "g.svg"]


def test_options_reach_the_picture(tmp_path):
    status, _, err = run(
        *LECTURE,
        "-o",
        str(tmp_path / "g.dot"),
        "--precision",
        "2",
        "--rankdir",
        "TB",
        "--legend",
        "--title",
        "f = (x + y) z",
    )
    assert status == 0, err
    source = (tmp_path / "g.dot").read_text()
    assert "rankdir=TB" in source and "legend" in source and "f = (x + y) z" in source


def test_variables_may_follow_the_options(tmp_path):
    status, out, _ = run("draw", "x * y", "x=3", "-o", str(tmp_path / "g.dot"), "y=2")
    assert status == 0 and "grad y: 3.0" in out


def test_steps_are_written_as_frames(tmp_path):
    require_dot()
    status, out, err = run(*LECTURE, "--steps", str(tmp_path / "frames"))
    assert status == 0, err
    assert out.splitlines()[-1] == f"wrote 3 steps to {tmp_path / 'frames'}"
    frames = sorted((tmp_path / "frames").iterdir())
    assert [p.name for p in frames] == [RECORD, "step_00.svg", "step_01.svg", "step_02.svg"]
    status, _, _ = run(*LECTURE, "--steps", str(tmp_path / "png"), "--steps-format", "png")
    assert status == 0 and all(
        p.read_bytes().startswith(b"\x89PNG") for p in (tmp_path / "png").glob("step_*")
    )


def test_an_unused_variable_is_reported_with_gradient_0():
    status, out, _ = run("draw", "x * 2", "x=1", "q=3")
    assert status == 0 and "grad q: 0.0  (not in the expression)" in out


HOSTILE = [
    "__import__('os').system('touch hacked')",
    "x.__class__.__bases__",
    "open('/etc/passwd')",
    "(lambda: 1)()",
    "[c for c in ().__class__.__subclasses__()]",
    "x[0]",
    "exec('1')",
    "import os",
    "x if y else z",
    "undefined_name * 2",
    "1 +",
    "'a' * 3",
]


@pytest.mark.parametrize("expression", HOSTILE)
def test_hostile_expressions_are_refused_in_one_line(expression, tmp_path):
    status, out, err = run("draw", expression, "x=1", "y=2", "z=3", "-o", str(tmp_path / "g.svg"))
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("python -m autograd: ")
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["draw", "x * 2", "x=abc"], 2, "value of x: 'abc' is not a number"),
        (["draw", "x * 2", "x=nan"], 2, "not a finite number"),
        (["draw", "x * 2", "x"], 2, "expected name=value"),
        (["draw", "x * 2", "x=1", "-o", "g.txt"], 2, "cannot tell the picture format"),
        (["draw", "x * 2", "x=1", "--precision", "0"], 2, "--precision"),
        (["draw", "log(x)", "x=-1"], 1, "log: needs a positive number, got log(-1.0)"),
        (["draw", "x / y", "x=1", "y=0"], 1, "division by zero"),
        (["draw", "sqrt(x)", "x=0"], 1, "backward: sqrt"),
        (["draw", "exp(x)", "x=1000"], 1, "exp"),
        (["draw", "x ** y", "x=-2", "y=3"], 1, "backward: pow"),
    ],
)
def test_bad_numbers_and_engine_errors_are_one_line(argv, status, message):
    got, _, err = run(*argv)
    assert got == status
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_unwritable_output_is_one_line_and_leaves_nothing(tmp_path):
    got, _, err = run(*LECTURE, "-o", str(tmp_path / "missing" / "g.dot"))
    assert got == 1 and err.count("\n") == 1
    assert f"cannot write {tmp_path / 'missing' / 'g.dot'}" in err
    assert list(tmp_path.iterdir()) == []


def test_a_failing_render_leaves_no_file(tmp_path, monkeypatch):
    target = tmp_path / "g.svg"
    target.write_text("old picture")

    def broken(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Drawing, "pipe", broken)
    got, _, err = run(*LECTURE, "-o", str(target))
    assert got == 1 and "No space left on device" in err
    assert target.read_text() == "old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]


def test_without_dot_the_error_says_how_to_install(tmp_path, monkeypatch):
    real = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: None if name == "dot" else real(name, *a, **k)
    )
    got, _, err = run(*LECTURE, "-o", str(tmp_path / "g.svg"))
    assert got == 1 and err.count("\n") == 1
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    assert list(tmp_path.iterdir()) == []
    # nothing is written when any picture needs dot
    got, _, err = run(*LECTURE, "-o", str(tmp_path / "g.dot"), "--steps", str(tmp_path / "f"))
    assert got == 1 and "apt-get" in err and list(tmp_path.iterdir()) == []
    # the DOT text needs no Graphviz
    assert (
        run(
            *LECTURE,
            "-o",
            str(tmp_path / "g.dot"),
            "--steps",
            str(tmp_path / "f"),
            "--steps-format",
            "dot",
        )[0]
        == 0
    )
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == [
        RECORD,
        *(f"step_0{k}.dot" for k in range(3)),
    ]


def test_usage_errors_and_help():
    for argv in [
        (),
        ("paint",),
        ("draw",),
        ("draw", "x", "x=1", "--bogus"),
    ]:
        status, out, err = run(*argv)
        assert status == 2 and out == "" and err.count("\n") == 1, err
        assert err.startswith("python -m autograd: ") and "--help" in err
    assert run("draw", "x", "x=1", "oops")[0] == 2  # "expected name=value, got 'oops'"
    status, out, err = run("draw", "--help")
    assert status == 0 and "leaky_relu" in out and err == ""
    status, out, _ = run("--help")
    assert status == 0 and "draw" in out


# ---- as a program ---------------------------------------------------------------------


def test_the_program_draws_the_lecture_example(tmp_path):
    require_dot()
    done = program(*LECTURE, "-o", "graph.svg", "--steps", "frames", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:4] == [
        "value: -12.0",
        "grad x: -4.0",
        "grad y: -4.0",
        "grad z: 3.0",
    ]
    assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")
    assert len(list((tmp_path / "frames").glob("step_*.svg"))) == 3


@pytest.mark.parametrize(
    "expression", ["__import__('os').system('touch hacked')", "x.__class__", "log(x)"]
)
def test_the_program_refuses_without_a_traceback(expression, tmp_path):
    done = program("draw", expression, "x=-1", "-o", "g.svg", cwd=tmp_path)
    assert done.returncode in (1, 2)
    assert done.stdout == "" and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_program_without_dot_on_the_path(tmp_path):
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # python, but no dot
    done = program(*LECTURE, "-o", "g.svg", cwd=tmp_path, env=env)
    assert done.returncode == 1 and "apt-get install graphviz" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


# ---- hostile cases: bounds, leftovers, output ---------------------------------------


def test_too_many_step_pictures_are_refused_before_anything_is_written(tmp_path):
    # 2,001 steps: once 2,001 files and 563 MB in 216 s.
    expression = "+".join(["x"] * 2000)
    status, out, err = run("draw", expression, "x=1", "--steps", str(tmp_path / "frames"))
    assert status == 2 and out == ""
    assert err.count("\n") == 1
    assert "2,000 steps: more than --max-steps 100 pictures; pass --max-steps 2000" in err
    assert list(tmp_path.iterdir()) == []
    status, out, err = run(
        "draw", "x*y+x", "x=1", "y=2", "--steps", str(tmp_path / "f"), "--max-steps", "2"
    )
    assert status == 2 and "has 3 steps" in err and "pass --max-steps 3" in err
    status, out, err = run(
        "draw",
        "x*y",
        "x=1",
        "y=2",
        "--steps",
        str(tmp_path / "f"),
        "--steps-format",
        "dot",
        "--max-steps",
        "2",
    )
    assert status == 0, err
    assert run("draw", "x", "x=1", "--max-steps", "0")[0] == 2


def test_a_reused_steps_folder_holds_only_the_new_frames(tmp_path):
    frames = tmp_path / "frames"
    assert (
        run(
            "draw", "x*y*z+x", "x=1", "y=2", "z=3", "--steps", str(frames), "--steps-format", "dot"
        )[0]
        == 0
    )
    assert len(list(frames.glob("step_*.dot"))) == 4
    assert run("draw", "x*y", "x=1", "y=2", "--steps", str(frames), "--steps-format", "dot")[0] == 0
    assert sorted(p.name for p in frames.iterdir()) == [RECORD, "step_00.dot", "step_01.dot"]


def test_an_output_among_the_step_pictures_is_refused(tmp_path):
    frames = tmp_path / "frames"
    status, out, err = run(
        *LECTURE, "-o", str(frames / "step_00.dot"), "--steps", str(frames), "--steps-format", "dot"
    )
    assert status == 2 and out == "" and err.count("\n") == 1
    assert "inside --steps" in err and not frames.exists()
    # Another name in that folder is fine, and survives.
    status, _, err = run(
        *LECTURE, "-o", str(frames / "graph.dot"), "--steps", str(frames), "--steps-format", "dot"
    )
    assert status == 0, err
    assert sorted(p.name for p in frames.iterdir()) == [
        RECORD,
        "graph.dot",
        "step_00.dot",
        "step_01.dot",
        "step_02.dot",
    ]
    (tmp_path / "pic.svg").mkdir()
    status, _, err = run(*LECTURE, "-o", str(tmp_path / "pic.svg"))
    assert status == 2 and "is a folder" in err


def test_a_constants_overflowing_gradient_does_not_abort_the_drawing(tmp_path):
    # d/d(1e-300) = 1e600 overflows, but the only variable's gradient, 1e300, is finite.
    status, out, err = run(
        "draw", "x * 1e300 * 1e-300 * 1e300", "x=1", "-o", str(tmp_path / "g.dot")
    )
    assert status == 0, err
    assert out.splitlines()[:2] == ["value: 1e+300", "grad x: 1e+300"]
    assert err.count("\n") == 1 and "the constant(s) 1e-300 overflowed" in err
    assert "grad inf" in (tmp_path / "g.dot").read_text()
    # A variable's overflowing gradient is still an error, named once.
    status, _, err = run("draw", "x * 1e300 * y * 1e300", "x=1", "y=1e-300")
    assert status == 1 and err.count("\n") == 1
    assert "backward: backward" not in err and "backward:" in err


def test_forbidden_syntax_is_reported_before_any_arithmetic():
    status, _, err = run("draw", "exp(1000) + x[0]", "x=1")
    assert status == 2 and "subscripts" in err
    status, _, err = run("draw", "1 / 0 + q", "x=1")
    assert status == 2 and "undefined variable 'q'" in err


def test_huge_integers_are_named_by_their_size():
    status, _, err = run("draw", "x * " + "9" * 5000, "x=1")
    assert status == 2 and "has 5,000 digits" in err
    assert "set_int_max_str_digits" not in err and "4300" not in err


def test_a_closed_stdout_is_one_line(tmp_path):
    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    err = io.StringIO()
    status = main([*LECTURE, "-o", str(tmp_path / "g.dot")], stdout=Closed(), stderr=err)
    assert status == 1 and err.getvalue().count("\n") == 1
    assert "stdout is closed" in err.getvalue() and "Traceback" not in err.getvalue()
    assert list(tmp_path.iterdir()) == []  # it stops at the first line: nothing half-written


def test_the_program_with_a_broken_pipe(tmp_path):
    reader = subprocess.Popen(
        [sys.executable, "-m", "autograd", *LECTURE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    reader.stdout.close()  # the reader has gone before anything was printed
    _, err = reader.communicate(timeout=60)
    text = err.decode()
    assert reader.returncode == 1 and text.count("\n") == 1, text
    assert "stdout is closed" in text and "Traceback" not in text


def test_a_dot_that_never_finishes_is_stopped(slow_dot, tmp_path, monkeypatch):
    monkeypatch.setattr(Drawing, "timeout", 0.5)
    status, _, err = run(*LECTURE, "-o", str(tmp_path / "g.svg"))
    assert status == 1 and err.count("\n") == 1 and "did not finish within 0.5 s" in err
    assert (
        list(tmp_path.iterdir()) == [tmp_path / "bin", tmp_path / "dot.pid"]
        or not (tmp_path / "g.svg").exists()
    )
    assert slow_dot.gone(slow_dot.pid(), within=5)
