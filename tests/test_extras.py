"""autograd.support.extras: a missing optional package is one line naming the extra to install, and
the command line finds out before it trains, not after."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from autograd import extras
from autograd.support.extras import EXTRAS, MissingExtraError, check, missing, require
from nets.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def without(monkeypatch):
    """Make the given top-level modules look uninstalled."""

    def hide(*names: str) -> None:
        real = importlib.util.find_spec

        def find_spec(name, *args, **kwargs):
            return None if name in names else real(name, *args, **kwargs)

        monkeypatch.setattr(importlib.util, "find_spec", find_spec)
        for loaded in [m for m in sys.modules if m.partition(".")[0] in names]:
            monkeypatch.setitem(sys.modules, loaded, None)  # import now raises ImportError
        for name in names:
            monkeypatch.setitem(sys.modules, name, None)

    return hide


def test_check_names_the_package_and_the_extra(without):
    without("matplotlib", "sklearn")
    assert missing(["matplotlib.pyplot", "sklearn.datasets", "json"]) == ["matplotlib", "sklearn"]
    with pytest.raises(MissingExtraError) as caught:
        check(["matplotlib", "numpy", "sklearn"], "the demo", " (or skip it)")
    assert str(caught.value) == (
        "the demo needs matplotlib and scikit-learn, which are not installed: "
        "pip install 'valuegrad[datasets,plots]' (or skip it)"
    )
    assert isinstance(caught.value, ImportError)
    check(["json", "numpy"], "nothing missing")


def test_require_imports_or_names_the_extra(without):
    assert require("json", "x").dumps(1) == "1"
    without("hypothesis")
    with pytest.raises(MissingExtraError, match=r"^strategies needs hypothesis, which is not"):
        require("hypothesis.strategies", "strategies")
    with pytest.raises(ModuleNotFoundError) as caught:  # not an extra: a real error
        require("no_such_module_anywhere", "x")
    assert not isinstance(caught.value, MissingExtraError)


def test_the_table_agrees_with_pyproject():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["optional-dependencies"]
    for module, (package, extra) in EXTRAS.items():
        names = [r.split("=")[0].split(">")[0].split("[")[0].strip() for r in declared[extra]]
        assert package in names, f"{package} ({module}) is not in the {extra!r} extra"
    everything = " ".join(declared["all"])
    for extra in {extra for _, extra in EXTRAS.values()} - {"oracle"}:
        assert extra in everything, f"'all' does not include {extra!r}"


INSTALL = "which is not installed: pip install 'valuegrad"
MISSING = [
    ([], ("matplotlib",), f"train on moons with plots needs matplotlib, {INSTALL}[plots]' "
     "(or add --no-plots)"),
    (["--dataset", "iris", "--no-plots"], ("sklearn",), f"train on iris needs scikit-learn, "
     f"{INSTALL}[datasets]'"),
    (["--dataset", "digits"], ("sklearn", "numpy"), "train on digits with plots needs "
     "scikit-learn and numpy, which are not installed: pip install 'valuegrad[datasets,plots]' "
     "(or add --no-plots)"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "hidden", "message"), MISSING)
def test_train_says_what_to_install_before_training(
    argv, hidden, message, without, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    without(*hidden)
    assert main(["train", *argv]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == f"valuegrad: {message}\n"
    assert list(tmp_path.iterdir()) == []  # nothing trained, nothing written


def test_train_without_plots_needs_no_plotting_package(without, tmp_path, capsys):
    without("matplotlib", "numpy")
    argv = ["train", "--samples", "40", "--epochs", "1", "--no-progress", "--no-plots"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    assert (tmp_path / "model.json").exists()


def test_extras_module_is_light():
    assert {"matplotlib", "sklearn", "hypothesis"}.isdisjoint(vars(extras))
