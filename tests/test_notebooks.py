"""The notebooks are committed clean: valid nbformat, the python3 kernel, no outputs.

Executing them is nbmake's job (``pytest --nbmake notebooks``); these checks are static
and fast, and they fail when someone commits a notebook after running it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

# The learning path, in order.
EXPECTED = [
    "01_value_and_graph.ipynb",
    "02_build_a_value.ipynb",
    "03_build_backward.ipynb",
    "04_gradient_descent.ipynb",
    "05_neurons_and_activations.ipynb",
    "06_backprop_by_hand.ipynb",
    "07_classification.ipynb",
    "08_softmax_cross_entropy.ipynb",
    "09_gradient_checking.ipynb",
    "10_higher_order.ipynb",
    "11_matrices_and_pytorch.ipynb",
    "12_training_practice.ipynb",
    "13_digits.ipynb",
    "14_tracing.ipynb",
    "15_micrograd_compatibility.ipynb",
]


def test_the_learning_path_is_complete_and_in_order():
    found = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert found == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_is_committed_clean(name):
    path = NOTEBOOKS / name
    if not path.exists():
        pytest.fail(f"{name} is missing from notebooks/")
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert nb.nbformat == 4
    nbformat.validate(nb)

    spec = nb.metadata.get("kernelspec", {})
    assert spec.get("name") == "python3", f"{name}: kernel {spec.get('name')!r}, not python3"
    assert spec.get("language") == "python"

    assert nb.cells and nb.cells[0].cell_type == "markdown", f"{name}: should open with its aim"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{name}: no code cells"
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{name}: cells {dirty} hold outputs or execution counts; clear them before committing "
        "(in Jupyter: Edit > Clear Outputs of All Cells, then save)"
    )
    # Every notebook checks its own results: at least one assert or gradcheck.
    assert any("assert" in c.source or "gradcheck(" in c.source for c in code), (
        f"{name}: no exercise check (assert or gradcheck)"
    )
