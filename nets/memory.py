"""How much memory a training run will take, estimated before it starts, and how much
the process can still get, so that ``valuegrad train`` refuses a run that cannot fit
instead of dying with a MemoryError (or being killed) minutes into it.

The estimate is a sum of measured costs, each per parameter, per row or per number of
the data (:data:`COSTS`); ``benchmarks/train_memory.py`` measures them again and compares
the estimate with the peak memory of real runs.  When the engine or the tracer changes
what a parameter costs, run it and update the numbers here.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .module import parameter_count

__all__ = ["COSTS", "Costs", "available_memory", "describe_bytes", "training_memory"]


@dataclass(frozen=True)
class Costs:
    """What training holds at its peak: bytes per unit of what it trains."""

    base: int
    """What a run loads after the check: numpy, the tracer, the backend's code."""
    per_parameter: int
    """The model's Values, the optimizer's state and fit's lists of numbers."""
    program: dict[str, tuple[int, int]]
    """fit's traced program and its lowering, per backend: bytes per parameter and per
    neuron (a neuron's sum, bias and activation are equations of their own)."""
    graph_per_parameter_and_row: int
    """A step on Values (the "values" backend): the graph of every row of the batch,
    forward and backward."""
    per_number: int
    """Each number of the data set, for the copies train makes (split, standardised)."""
    pictures: int
    """matplotlib and the pictures of a run, unless --no-plots."""


# Measured with benchmarks/train_memory.py on Python 3.11, Linux x86-64, on the code of
# issue 17 (the peak resident size of real runs less what was held at the check, which
# came to 0.32-0.93 of the estimate over 23 runs of the three backends):
# - what a run loads after the check: 11-14 MB (numpy, the tracer);
# - model + Adam: 346-436 B per parameter;
# - the "python" backend's program (the trace, and the generated function that replays
#   a batch): 12-13 kB per parameter and about 26 kB more per neuron (moons with
#   MLP(2, [5000, 1]), 348 MB; MLP(2, [200, 200, 1]), 557 MB);
# - the "numpy" backend's program (the trace and its lowering, whose weighted sums are
#   matrix products): 1.7-2 kB per parameter and about 9 kB more per neuron
#   (MLP(2, [100000, 1]), 1.2 GB; MLP(2, [200, 200, 1]), 92 MB);
# - a step on Values: 190-345 B per parameter and row (the most for the widest layers);
# - digits split and standardised: 33-41 B per number of the data set;
# - the pictures: about 55 MB (matplotlib, numpy, the decision boundary's grid), 90 MB
#   counted for the other data sets' pictures.
# A replay that fails (a diverging run) redoes its step on Values, holding a batch's
# graph as well: that rare case is left out, or the bound would be several times too
# high for every large full-batch run.
COSTS = Costs(
    base=16_000_000,
    per_parameter=450,
    program={"python": (13_500, 30_000), "numpy": (2_000, 10_000), "values": (0, 0)},
    graph_per_parameter_and_row=380,
    per_number=41,
    pictures=90_000_000,
)


def training_memory(
    nin: int,
    nouts: list[int],
    rows_per_step: int,
    numbers: int,
    pictures: bool = True,
    backend: str = "python",
) -> int:
    """Bytes that training ``MLP(nin, nouts)`` with fit's ``backend`` on ``rows_per_step``
    rows a step, on a data set of ``numbers`` numbers, will take at its peak (see
    :data:`COSTS`)."""
    c = COSTS
    per_program_parameter, per_neuron = c.program[backend]
    per_parameter = c.per_parameter + per_program_parameter
    if backend == "values":
        per_parameter += c.graph_per_parameter_and_row * rows_per_step
    total = c.base + parameter_count(nin, nouts) * per_parameter + sum(nouts) * per_neuron
    return total + numbers * c.per_number + (c.pictures if pictures else 0)


def available_memory() -> tuple[int, str] | None:
    """The memory this process can still take, and where that bound comes from (words
    that follow the number: "of free memory"): the least of the memory free (Linux's
    MemAvailable), a cgroup's limit less its use, and the address-space and data-size
    limits (ulimit -v, -d) less what the process holds.  Without any of these, the
    physical memory; None where not even that is known."""
    bounds: list[tuple[int, str]] = []
    page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
    free = _meminfo("MemAvailable")
    if free is not None:
        bounds.append((free, "of free memory"))
    cgroup = _cgroup_room()
    if cgroup is not None:
        bounds.append((cgroup, "left under the cgroup's memory limit"))
    bounds += _rlimit_room(page)
    if bounds:
        return min(bounds)
    with contextlib.suppress(ValueError, OSError, AttributeError):
        return os.sysconf("SC_PHYS_PAGES") * page, "of physical memory"
    return None


def _rlimit_room(page: int) -> list[tuple[int, str]]:
    """What the address-space and data-size limits leave, where they are set."""
    try:
        import resource
    except ImportError:  # not on Windows
        return []
    statm = _read_ints("/proc/self/statm")  # sizes in pages: total, ..., data (6th)
    room = []
    for limit, index, name in (
        (resource.RLIMIT_AS, 0, "left under the address-space limit (ulimit -v)"),
        (resource.RLIMIT_DATA, 5, "left under the data-size limit (ulimit -d)"),
    ):
        soft = resource.getrlimit(limit)[0]
        if soft != resource.RLIM_INFINITY:
            used = statm[index] * page if len(statm) > index else 0
            room.append((max(soft - used, 0), name))
    return room


def _read_ints(path: str) -> list[int]:
    try:
        return [int(x) for x in Path(path).read_text().split()]
    except (OSError, ValueError):
        return []


def _meminfo(key: str) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return None


def _cgroup_room() -> int | None:
    """A cgroup (v2) memory limit less the cgroup's use; None without a limit."""
    if not sys.platform.startswith("linux"):
        return None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            if line.startswith("0::"):
                folder = Path("/sys/fs/cgroup") / line[3:].lstrip("/")
                limit = (folder / "memory.max").read_text().strip()
                if limit == "max":
                    return None
                return max(int(limit) - int((folder / "memory.current").read_text()), 0)
    return None


def describe_bytes(n: int) -> str:
    """``n`` bytes in words: 1.2 GB, 350 MB."""
    if n >= 10**9:
        return f"{n / 10**9:.1f} GB"
    return f"{math.ceil(n / 10**6):,} MB"
