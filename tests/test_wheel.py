"""The package as a pip user gets it: build the sdist and the wheel, install the wheel into
a fresh virtual environment WITHOUT extras, and run every documented entry point from an
empty folder.  Each one works, or says in one line which extra to install and exits
non-zero.  (About a minute: marked ``wheel``, deselect with ``-m "not wheel"``.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.wheel

QUICK = ["--samples", "40", "--epochs", "2"]
MOONS_MODEL = ["runs/moons/model.json", "0.5", "-0.2"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and the wheel, the wheel built from the sdist (so the sdist is complete)."""
    pytest.importorskip("build", reason="the build package is in the dev extra")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def bare(dist, tmp_path_factory) -> dict[str, str]:
    """A fresh venv with the wheel and its required dependencies only; returns its env."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    (wheel,) = dist.glob("*.whl")
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["NO_COLOR"] = "1"
    return env


def test_the_wheel_holds_the_license_types_and_the_command(dist):
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        metadata = z.read("valuegrad-0.1.0.dist-info/METADATA").decode()
        entry_points = z.read("valuegrad-0.1.0.dist-info/entry_points.txt").decode()
    assert "valuegrad-0.1.0.dist-info/licenses/LICENSE" in names
    assert {"autograd/py.typed", "nets/py.typed"} <= names
    assert not any(n.startswith(("tests/", "notebooks/", "docs/")) for n in names)
    assert "valuegrad = nets.cli:main" in entry_points
    for field in ("License-Expression: MIT", "Classifier: Typing :: Typed", "Keywords: "):
        assert field in metadata
    for extra in ("plots", "datasets", "testing", "notebook", "all", "oracle", "dev"):
        assert f"Provides-Extra: {extra}" in metadata
    description = metadata.split("\n\n", 1)[1]
    assert description.startswith("# valuegrad")
    # The index cannot show pictures by relative path: none is left in its description.
    assert "](notebooks/" not in description and "<img" not in description


def test_the_sdist_carries_what_its_tests_read(dist):
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    tracked = subprocess.run(
        ["git", "ls-files", "tests", "notebooks"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    missing = [p for p in tracked if p not in names]
    assert not missing, f"the sdist lacks {missing}"
    assert {"README.md", "LICENSE", "Makefile", "pyproject.toml"} <= names
    assert not any(".hypothesis" in n or "__pycache__" in n for n in names)


def run(env: dict[str, str], cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def one_line(done: subprocess.CompletedProcess) -> str:
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    return done.stderr.strip()


def test_every_entry_point_works_or_names_its_extra(bare, tmp_path):
    cwd = tmp_path / "empty"
    cwd.mkdir()
    has_dot = shutil.which("dot", path=bare["PATH"]) is not None

    done = run(bare, cwd, "valuegrad", "--version")
    assert done.returncode == 0 and done.stdout == "valuegrad 0.1.0\n"
    done = run(bare, cwd, "valuegrad", "--help")
    assert done.returncode == 0 and "draw" in done.stdout and "train" in done.stdout

    done = run(bare, cwd, "valuegrad", "draw", "(x + y) * z", "x=-2", "y=5", "z=-4", "-o", "g.svg")
    assert done.stdout.splitlines()[:4] == [
        "value: -12.0",
        "grad x: -4.0",
        "grad y: -4.0",
        "grad z: 3.0",
    ]
    if has_dot:
        assert done.returncode == 0 and (cwd / "g.svg").exists()
    else:
        assert done.returncode == 1 and "install graphviz" in one_line(done)
    done = run(bare, cwd, "python", "-m", "autograd", "draw", "x * y", "x=3", "y=2")
    assert done.returncode == 0 and done.stdout.splitlines()[1:] == ["grad x: 2.0", "grad y: 3.0"]

    # train: its pictures need the plots extra, said before training
    done = run(bare, cwd, "valuegrad", "train", *QUICK)
    assert done.returncode == 1 and done.stdout == ""
    assert one_line(done) == (
        "valuegrad: train on moons with plots needs matplotlib and numpy, which are not "
        "installed: pip install 'valuegrad[plots]' (or add --no-plots)"
    )
    assert not (cwd / "runs").exists()
    done = run(bare, cwd, "valuegrad", "train", "--dataset", "iris", "--no-plots")
    assert done.returncode == 1
    assert one_line(done).endswith("pip install 'valuegrad[datasets]'")
    done = run(bare, cwd, "valuegrad", "train", *QUICK, "--no-plots")
    assert done.returncode == 0, done.stderr
    assert "held-out accuracy" in done.stdout and (cwd / "runs/moons/model.json").exists()
    done = run(bare, cwd, "valuegrad", "predict", *MOONS_MODEL)
    assert done.returncode == 0 and done.stdout.split("\t")[0] in ("0", "1")
    done = run(bare, cwd, "python", "-m", "nets", "predict", *MOONS_MODEL)
    assert done.returncode == 0 and done.stdout.split("\t")[0] in ("0", "1")

    # the libraries: the engine and the networks work; the optional parts name their extra
    code = "import autograd, nets; print(autograd.__version__, nets.__version__)"
    assert run(bare, cwd, "python", "-c", code).stdout == "0.1.0 0.1.0\n"
    for code, extra in [
        ("import autograd.testing", "testing"),
        ("import nets; nets.data.load_digits()", "datasets"),
        ("import nets; nets.plots.plot_history({'loss': [1.0], 'accuracy': [0.5]})", "plots"),
    ]:
        done = run(bare, cwd, "python", "-c", code)
        last = done.stderr.strip().splitlines()[-1]
        assert done.returncode == 1 and last.startswith(
            "autograd.support.extras.MissingExtraError: "
        )
        assert last.endswith(f"pip install 'valuegrad[{extra}]'"), last


def test_the_readme_examples_run_without_extras(bare, tmp_path):
    """README.md's Python examples need nothing beyond `pip install valuegrad` (and dot)."""
    if shutil.which("dot", path=bare["PATH"]) is None:
        pytest.skip("Graphviz's dot is not installed")
    script = tmp_path / "readme_examples.py"
    script.write_text(
        "import pathlib, re\n"
        f"text = pathlib.Path({str(ROOT / 'README.md')!r}).read_text(encoding='utf-8')\n"
        "namespace = {'__name__': 'readme'}\n"
        "for block in re.findall(r'```python\\n(.*?)```', text, re.S):\n"
        "    exec(compile(block, 'README.md', 'exec'), namespace)\n"
    )
    done = run(bare, tmp_path, "python", str(script))
    assert done.returncode == 0, done.stderr[-3000:]
