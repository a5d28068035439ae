"""autograd/__init__.py: the public names, and the old module names after the move into
subpackages (each gives the module at its new place, itself, not a copy)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import autograd

OLD_NAMES = {
    "autograd.batched": "autograd.trace.lower_numpy",
    "autograd.commands": "autograd.cli.commands",
    "autograd.draw": "autograd.viz.draw",
    "autograd.expr": "autograd.cli.expr",
    "autograd.extras": "autograd.support.extras",
    "autograd.files": "autograd.support.files",
    "autograd.layout": "autograd.viz.layout",
    "autograd.steps": "autograd.viz.steps",
}


@pytest.mark.parametrize(("old", "new"), sorted(OLD_NAMES.items()))
def test_an_old_module_name_is_the_module_at_its_new_place(old, new):
    module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    assert module.__name__ == new and module.__spec__.name == new  # its own spec, kept


def test_old_names_work_in_a_fresh_process_with_from_imports():
    code = (
        "from autograd.steps import backward_steps\n"
        "from autograd.expr import evaluate\n"
        "import autograd.files, autograd.viz.steps as s\n"
        "assert backward_steps is s.backward_steps\n"
        "assert autograd.files.write_atomic.__module__ == 'autograd.support.files'\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_public_names():
    for name in autograd.__all__:
        assert getattr(autograd, name) is not None
    assert callable(autograd.trace) and autograd.trace.allow_data is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        autograd.nothing  # noqa: B018


def test_an_unknown_submodule_is_still_an_import_error():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("autograd.no_such_module")
