"""mypy, with the project's settings (pyproject.toml), finds no error in autograd/ and nets/,
and sees what users import: draw_dot (loaded lazily) and both __version__ strings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

USER_CODE = """\
import autograd
import nets
from autograd import Value, draw_dot

reveal_type(draw_dot(Value(1.0)))
version: str = autograd.__version__ + nets.__version__
"""


def test_mypy_finds_no_error(tmp_path):
    pytest.importorskip("mypy", reason="mypy is in the dev extra")
    user = tmp_path / "user_code.py"
    user.write_text(USER_CODE)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "autograd", "nets", str(user)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'Revealed type is "autograd.viz.draw.Drawing"' in done.stdout, done.stdout
