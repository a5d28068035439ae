"""nets._engine: when another package named autograd shadows valuegrad's, `import nets`,
`python -m nets` and `valuegrad` say so in one line (what was found, where, what to do)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nets
from nets._engine import engine_problem

PACKAGE_ROOT = Path(nets.__file__).resolve().parent.parent


def _shadow(folder: Path, init: str | None) -> dict[str, str]:
    """A copy of nets next to an 'autograd' that is not valuegrad's; returns the env."""
    shutil.copytree(PACKAGE_ROOT / "nets", folder / "nets")
    fake = folder / "autograd"
    fake.mkdir()
    if init is None:  # valuegrad's files without their __init__.py: a namespace package
        for module in (PACKAGE_ROOT / "autograd").glob("*.py"):
            if module.name != "__init__.py":
                shutil.copy(module, fake)
    else:
        (fake / "__init__.py").write_text(init)
    return {**os.environ, "PYTHONPATH": str(folder)}


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=env, timeout=60)


def test_the_real_engine_is_no_problem():
    assert engine_problem() is None


def test_import_nets_names_the_other_package_and_where(tmp_path):
    env = _shadow(tmp_path, "'''Another library called autograd.'''\ndef grad(f): return f\n")
    # -S: no site-packages, so that only the copies in tmp_path can be found
    done = _run([sys.executable, "-S", "-c", "import nets"], tmp_path, env)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: nets needs valuegrad's autograd, but 'import autograd'")
    assert str(tmp_path / "autograd") in last and "separate virtual environment" in last


@pytest.mark.parametrize(
    "init",
    [
        "def grad(f): return f\n",  # another package
        "import numpy_that_is_not_here\n",  # another package that does not even import
        None,  # valuegrad's files without their __init__.py (a namespace package)
    ],
)
def test_the_command_says_it_in_one_line(tmp_path, init):
    env = _shadow(tmp_path, init)
    done = _run([sys.executable, "-S", "-m", "nets", "--version"], tmp_path, env)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("python -m nets: nets needs valuegrad's autograd")
    assert "separate virtual environment" in done.stderr
    script = Path(sys.executable).parent / "valuegrad"
    if script.exists() and init is not None:  # the copies on PYTHONPATH come first
        done = _run([str(script), "train"], tmp_path, env)
        assert done.returncode == 1 and done.stderr.count("\n") == 1
        assert done.stderr.startswith("valuegrad: nets needs valuegrad's autograd")
        assert not (tmp_path / "runs").exists()
