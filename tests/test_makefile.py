"""The Makefile's `venv` step: a Python older than 3.10 or a missing one is refused with
advice that works as printed, and a .venv without pip (Debian without python3-venv) or made
by another Python is made again.  Each case runs `make venv` on a copy of the Makefile."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(folder: Path, python: str) -> subprocess.CompletedProcess:
    shutil.copy(ROOT / "Makefile", folder / "Makefile")
    return subprocess.run(
        ["make", "--no-print-directory", "venv", f"PYTHON={python}"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def fake_python(folder: Path, body: str) -> str:
    """A shell script standing in for a Python interpreter."""
    script = folder / "fake-python"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


def test_an_old_python_is_refused_with_a_command_that_works(tmp_path):
    old = fake_python(tmp_path, '[ "$1" = "--version" ] && echo "Python 3.9.18" && exit 0\nexit 1')
    done = make(tmp_path, old)
    assert done.returncode != 0 and not (tmp_path / ".venv").exists()
    assert f"valuegrad needs Python 3.10 or newer; {old} is Python 3.9.18." in done.stdout
    advice = done.stdout.splitlines()[1]
    if "PYTHON=python3." in advice:  # the suggested interpreter exists and is new enough
        suggested = advice.rsplit("PYTHON=", 1)[1]
        check = "import sys; sys.exit(sys.version_info < (3, 10))"
        assert subprocess.run([suggested, "-c", check]).returncode == 0
    else:
        assert "Install Python 3.10 or newer" in advice


def test_a_missing_python_is_named(tmp_path):
    done = make(tmp_path, str(tmp_path / "no-such-python"))
    assert done.returncode != 0 and "is not found." in done.stdout


def test_a_venv_without_pip_is_made_again(tmp_path):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / ".venv")])
    done = make(tmp_path, sys.executable)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Making .venv again: it has no working pip." in done.stdout
    pip = subprocess.run([str(tmp_path / ".venv/bin/python"), "-m", "pip", "--version"])
    assert pip.returncode == 0
    # a healthy .venv made by the same Python is kept as it is
    again = make(tmp_path, sys.executable)
    assert again.returncode == 0 and again.stdout == ""


def test_a_venv_made_by_another_python_is_made_again(tmp_path):
    other = fake_python(
        tmp_path, 'if [ "$1" = "-c" ]; then echo "/elsewhere 3.99.0"; exit 0; fi\nexit 1'
    )
    (tmp_path / ".venv").mkdir()
    venv_python = tmp_path / ".venv/bin/python"
    venv_python.parent.mkdir()
    os.symlink(sys.executable, venv_python)  # pip works, but it is not `other`'s venv
    done = make(tmp_path, other)
    assert "Making .venv again: it was made by another Python than" in done.stdout


def test_without_the_venv_module_the_advice_names_the_package(tmp_path):
    # Debian's python3 without python3-venv: `-m venv` leaves a .venv without pip.
    debian = fake_python(
        tmp_path,
        f'if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then\n'
        f'  "{sys.executable}" -m venv --without-pip "$3"; exit 1\nfi\n'
        f'exec "{sys.executable}" "$@"',
    )
    done = make(tmp_path, debian)
    assert done.returncode != 0 and not (tmp_path / ".venv").exists()
    minor = sys.version_info[1]
    assert f"apt-get install -y python3.{minor}-venv" in done.stdout
