"""nets.course.cli: `python -m nets.course` and `valuegrad course` are the same commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from coursekit import good_notebook, write

from nets import cli, course

ROOT = Path(__file__).resolve().parent.parent


def test_valuegrad_course_runs_the_course_commands(tmp_path, capsys):
    src = tmp_path / "notebooks"
    write(src / "99_test.ipynb", good_notebook())
    assert cli.main(["course", "check", "--source", str(src)]) == 0
    assert capsys.readouterr().out == "ok: 1 exercise, markup and verification calls in order\n"
    assert cli.main(["course", "student", str(tmp_path / "st"), "--source", str(src)]) == 0
    assert (tmp_path / "st" / "99_test.ipynb").exists()
    assert cli.main(["course"]) == 2
    assert "choose a course command: student, solutions" in capsys.readouterr().err


def test_the_plan(capsys):
    assert course.main(["plan", "--source", str(ROOT / "notebooks")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| notebook | minutes | needs | exercises (points) |")
    assert "| 15_micrograd_compatibility | 60 | 03 |" in out


def test_failures_are_one_line_and_mistakes_in_arguments_exit_2(tmp_path, capsys):
    assert course.main(["solutions", str(tmp_path / "s"), "--source", str(tmp_path / "no")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no notebook folder" in err
    assert course.main(["grade"]) == 2
    assert course.main(["mistakes", "--source", str(tmp_path)]) == 1
    assert "no .ipynb notebook" in capsys.readouterr().err


def test_python_m_nets_course_help():
    done = subprocess.run(
        [sys.executable, "-m", "nets.course", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for name in ("student", "solutions", "list", "check", "plan", "grade", "mistakes"):
        assert name in done.stdout
