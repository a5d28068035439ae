"""nets.memory: the memory a training run will take, and how much the process can get."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nets import memory
from nets.cli import main
from nets.memory import COSTS, available_memory, describe_bytes, training_memory
from nets.module import parameter_count


def test_the_estimate_is_the_sum_of_the_measured_costs():
    p = parameter_count(64, [24, 10])
    per_parameter = COSTS.per_parameter + COSTS.program_per_parameter
    assert training_memory(64, [24, 10], 32, 1000, pictures=False) == (
        p * per_parameter + 1000 * COSTS.per_number
    )
    assert training_memory(64, [24, 10], 32, 1000) - COSTS.pictures == training_memory(
        64, [24, 10], 32, 1000, pictures=False
    )


def test_rows_count_only_where_every_step_runs_on_values():
    narrow = [COSTS.compiled_fan_in, 1]
    wide = [COSTS.compiled_fan_in + 1, 1]
    assert training_memory(2, narrow, 150, 0) == training_memory(2, narrow, 1, 0)
    p = parameter_count(2, wide)
    grown = training_memory(2, wide, 150, 0) - training_memory(2, wide, 1, 0)
    assert grown == p * 149 * COSTS.graph_per_parameter_and_row
    wide_input = training_memory(COSTS.compiled_fan_in + 1, [1], 10, 0, pictures=False)
    assert wide_input > parameter_count(COSTS.compiled_fan_in + 1, [1]) * 10 * 300


def test_the_issue_19_network_needs_more_than_4_gb():
    # MLP(2, [100000, 1]): 400,001 parameters, under the 1,000,000 limit, which died with
    # a MemoryError after 2 minutes at 4 GB.
    assert training_memory(2, [100_000, 1], 150, 400) > 4 * 10**9


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


def test_train_refuses_a_run_that_cannot_fit_before_training():
    # Issue 19: `valuegrad train --hidden 100000` ran 2 minutes into a MemoryError at 4 GB.
    done = subprocess.run(
        [sys.executable, "-m", "nets", "train", "--hidden", "100000", "--out", "/nonexistent/x"],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limited(4),
    )
    assert done.returncode == 2 and done.stdout == ""
    line = done.stderr
    assert line.count("\n") == 1 and line.startswith("python -m nets: training MLP(2, [100000, 1])")
    assert "400,001 parameters" in line and "would take about" in line
    assert "left under the address-space limit (ulimit -v)" in line and "--hidden" in line


def test_the_refusal_names_the_estimate_and_the_limit(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(memory, "available_memory", lambda: (10**9, "of free memory"))
    monkeypatch.setattr("nets.cli.available_memory", memory.available_memory)
    argv = ["train", "--hidden", "40000", "--no-progress", "--out", str(tmp_path / "r")]
    assert main(argv) == 2
    need = describe_bytes(training_memory(2, [40000, 1], 150, 400, pictures=True))
    err = capsys.readouterr().err
    assert f"would take about {need} of memory, more than the 1.0 GB of free memory" in err
    assert "or a smaller --batch-size" in err and list(tmp_path.iterdir()) == []


def test_the_estimate_bounds_a_real_run_of_the_default_path(tmp_path):
    # The traced program's cost per parameter is the one that matters here; if the
    # tracer needs more, this fails and benchmarks/train_memory.py says by how much.
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
    argv = ["train", "--hidden", "1000", "--epochs", "1", "--no-plots", "--no-progress"]
    done = subprocess.run(
        [sys.executable, "-c", child, *argv, "--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["status"] == 0
    grown = seen["peak"] - seen["held"]
    assert 0.5 * seen["estimate"] < grown <= seen["estimate"], (grown, seen["estimate"])
