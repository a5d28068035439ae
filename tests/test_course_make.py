"""`make student` and `make solutions` need Python and pip only: no .venv, no dev tools."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.mark.parametrize("target", ["student", "solutions"])
def test_building_an_edition_installs_nothing(target):
    done = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", target, "PYTHON=python3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    commands = done.stdout.splitlines()
    assert f"PYTHONPATH=. python3 -m nets.course {target} {target}" in commands
    assert ".venv" not in done.stdout and "pip install" not in done.stdout
    if target == "student":  # the wheel the students install from, next to the notebooks
        assert "python3 -m pip wheel --quiet --no-deps --wheel-dir student ." in commands
