"""The nets package: its exports, its docstring example, and a light import."""

import doctest
import subprocess
import sys

import nets


def test_public_names():
    for name in nets.__all__:
        assert hasattr(nets, name), name
    for name in ("Module", "Neuron", "Layer", "MLP", "softmax", "log_softmax", "save", "load"):
        assert name in nets.__all__
    for sub in ("losses", "optim", "data"):
        assert hasattr(nets, sub)


def test_docstring_example_runs():
    failures, attempted = doctest.testmod(nets, verbose=False)
    assert attempted > 0 and failures == 0


def test_import_nets_stays_light():
    # Plotting, data and progress-bar libraries load only when a function needs them.
    code = (
        "import sys, nets, nets.plots, nets.cli\n"
        "heavy = [m for m in ('matplotlib', 'sklearn', 'tqdm', 'numpy', 'graphviz')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
