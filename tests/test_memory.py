"""nets.memory: the memory a training run will take, and how much the process can get."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nets import memory
from nets.backends import numpy_available
from nets.cli import main
from nets.memory import COSTS, available_memory, describe_bytes, training_memory
from nets.module import parameter_count


def test_the_estimate_is_the_sum_of_the_measured_costs():
    p, neurons = parameter_count(64, [24, 10]), 34
    for backend in ("python", "numpy"):
        per_parameter, per_neuron = COSTS.program[backend]
        program = p * (COSTS.per_parameter + per_parameter) + neurons * per_neuron
        assert training_memory(64, [24, 10], 32, 1000, False, backend) == (
            COSTS.base + program + 1000 * COSTS.per_number
        )
        assert training_memory(64, [24, 10], 32, 1000, True, backend) - COSTS.pictures == (
            training_memory(64, [24, 10], 32, 1000, False, backend)
        )


def test_rows_count_only_on_values():
    for backend in ("python", "numpy"):
        assert training_memory(2, [50, 1], 150, 0, False, backend) == training_memory(
            2, [50, 1], 1, 0, False, backend
        )
    grown = training_memory(2, [50, 1], 150, 0, False, "values") - training_memory(
        2, [50, 1], 1, 0, False, "values"
    )
    assert grown == parameter_count(2, [50, 1]) * 149 * COSTS.graph_per_parameter_and_row


def test_the_numpy_program_costs_less_than_the_python_one():
    assert training_memory(784, [24, 10], 32, 0, False, "numpy") < 0.25 * training_memory(
        784, [24, 10], 32, 0, False, "python"
    )


def test_the_issue_19_network_needs_more_than_4_gb_on_python():
    # MLP(2, [100000, 1]): 400,001 parameters, under the 1,000,000 limit, which died with
    # a MemoryError after 2 minutes at 4 GB (on the traced program of that time); the
    # numpy backend trains it in about 1.2 GB.
    assert training_memory(2, [100_000, 1], 150, 400, True, "python") > 4 * 10**9
    assert training_memory(2, [100_000, 1], 150, 400, True, "numpy") < 3 * 10**9


def test_describe_bytes():
    assert describe_bytes(25_123_456_789) == "25.1 GB"
    assert describe_bytes(349_000_001) == "350 MB"
    assert describe_bytes(1) == "1 MB"


def test_available_memory_is_a_positive_bound_with_its_source():
    room = available_memory()
    assert room is not None  # Linux: MemAvailable at least
    assert room[0] > 0 and room[1].startswith(("of ", "left under "))


def _limited(gigabytes: float):
    resource = pytest.importorskip("resource")
    size = int(gigabytes * 2**30)
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (size, size))


def test_an_address_space_limit_is_seen():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, nets.memory as m; print(json.dumps(m.available_memory()))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limited(2),
    )
    room, source = json.loads(done.stdout)
    assert source == "left under the address-space limit (ulimit -v)" and 0 < room < 2 * 2**30


@pytest.mark.parametrize(
    ("hidden", "backend", "parameters"),
    [("100000", "python", "400,001"), ("240000", "numpy", "960,001")],
)
def test_train_refuses_a_run_that_cannot_fit_before_training(hidden, backend, parameters):
    # Issue 19: `valuegrad train --hidden 100000` ran 2 minutes into a MemoryError at 4 GB.
    # The numpy backend (the command line's default) fits that one, not the largest.
    argv = ["train", "--hidden", hidden, "--backend", backend, "--out", "/nonexistent/x"]
    done = subprocess.run(
        [sys.executable, "-m", "nets", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limited(4),
    )
    assert done.returncode == 2 and done.stdout == ""
    line = done.stderr
    assert line.count("\n") == 1
    assert line.startswith(f"python -m nets: training MLP(2, [{hidden}, 1])")
    assert f"{parameters} parameters" in line and "would take about" in line
    assert "left under the address-space limit (ulimit -v)" in line and "--hidden" in line


def test_the_refusal_names_the_estimate_and_the_limit(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(memory, "available_memory", lambda: (10**9, "of free memory"))
    monkeypatch.setattr("nets.cli.available_memory", memory.available_memory)
    argv = ["train", "--hidden", "100000", "--no-progress", "--out", str(tmp_path / "r")]
    assert main(argv) == 2
    backend = "numpy" if numpy_available() else "python"  # the command line's default
    need = describe_bytes(training_memory(2, [100000, 1], 150, 400, True, backend))
    err = capsys.readouterr().err
    assert f"would take about {need} of memory, more than the 1.0 GB of free memory" in err
    assert "or a smaller --batch-size" in err and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("backend", "hidden"), [("python", ["1000"]), ("numpy", ["200", "200"])])
def test_the_estimate_bounds_a_real_run(tmp_path, backend, hidden):
    # The program's cost is the one that matters here; if a backend needs more, this
    # fails and benchmarks/train_memory.py says by how much.
    if backend == "numpy":
        pytest.importorskip("numpy")
    child = """
import json, os, sys
import nets.cli as cli
seen = {}
real = cli.training_memory
def spy(*args):
    seen["estimate"] = real(*args)
    seen["held"] = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return seen["estimate"]
cli.training_memory = spy
seen["status"] = cli.main(sys.argv[1:])
status = open("/proc/self/status").read()
seen["peak"] = int(status.split("VmHWM:")[1].split()[0]) * 1024
print(json.dumps(seen))
"""
    argv = ["train", "--hidden", *hidden, "--epochs", "1", "--no-plots", "--no-progress"]
    done = subprocess.run(
        [sys.executable, "-c", child, *argv, "--backend", backend, "--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["status"] == 0
    grown = seen["peak"] - seen["held"]
    assert 0.5 * seen["estimate"] < grown <= seen["estimate"], (grown, seen["estimate"])
