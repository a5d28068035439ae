"""Graphviz's layout work, kept bounded: estimated from the graph's shape, and timed out.

``dot`` lays a graph out in ranks (columns, left to right).  An edge that spans k ranks
becomes a chain of k - 1 invisible "virtual" nodes, and dot's later passes (crossing
reduction, then placing every node with network simplex) grow faster than linearly in
the number of nodes *including* these.  So a short expression can be very expensive:
in ``x + x + ... + x`` (200 terms) the one x feeds every rank, its edges span 1 to 400
ranks, and dot works on 80,000 virtual nodes for minutes.

:func:`edges_to_cut` estimates the ranks from the graph's shape and, when dot's work
would exceed :data:`LAYOUT_BUDGET`, picks the longest edges to draw differently
(``autograd.viz.draw`` repeats their input next to its use).  :func:`run_graphviz` runs the
program with a timeout, and on Linux makes the kernel kill it if Python dies first.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import groupby

__all__ = [
    "DEFAULT_TIMEOUT",
    "LAYOUT_BUDGET",
    "GraphvizTimeoutError",
    "edges_to_cut",
    "estimate_ranks",
    "layout_work",
    "run_graphviz",
    "virtual_nodes",
]

# dot's work (see layout_work) beyond which long edges are cut: a few tenths of a second
# here, so that even the 100 pictures of a backward pass (autograd.viz.steps) take under a
# minute.  Measured on 2 shared cores: a 100-term sum (200 nodes, 9,700 virtual) is 2.0 M
# and takes 0.5-0.9 s, cut to 1 M it takes 0.17 s; a 150-term sum is 6.7 M, 3.7 s; a
# 200-term sum 32 M, 12 s; a 400-term sum 128 M, 100 s.
LAYOUT_BUDGET = 1_000_000

# Seconds a Graphviz run may take before it is stopped (Drawing.timeout changes it).
DEFAULT_TIMEOUT = 60.0

Edge = tuple[Hashable, Hashable]


class GraphvizTimeoutError(RuntimeError):
    """Graphviz did not finish within the time allowed; the process has been stopped."""


def estimate_ranks(nodes: Iterable[Hashable], edges: Sequence[Edge]) -> dict[Hashable, int]:
    """The rank dot is likely to give each node.

    ``nodes`` must list every node that has inputs after those inputs.  A node with
    inputs goes one rank after its latest input (the longest path); a node without
    inputs goes just before its earliest use, where network simplex pulls it.
    """
    incoming: dict[Hashable, list[Hashable]] = {}
    outgoing: dict[Hashable, list[Hashable]] = {}
    for tail, head in edges:
        incoming.setdefault(head, []).append(tail)
        outgoing.setdefault(tail, []).append(head)
    rank: dict[Hashable, int] = {}
    for node in nodes:
        tails = incoming.get(node)
        rank[node] = max(rank.get(t, 0) for t in tails) + 1 if tails else 0
    for node, heads in outgoing.items():
        if node not in incoming:
            rank[node] = min(rank[h] for h in heads) - 1
    return rank


def virtual_nodes(rank: dict[Hashable, int], edges: Iterable[Edge]) -> int:
    """How many virtual nodes dot adds for ``edges`` at these ranks."""
    return sum(max(rank[head] - rank[tail] - 1, 0) for tail, head in edges)


def layout_work(nodes: int, virtual: int) -> int:
    """dot's work, in its own units: network simplex makes up to one pass per node, and
    each pass goes over the whole graph, virtual nodes included."""
    return nodes * (nodes + virtual)


def edges_to_cut(
    nodes: Sequence[Hashable],
    edges: Sequence[Edge],
    cuttable: Iterable[int],
    budget: int | None = None,
) -> set[int]:
    """The positions (in ``edges``) of the longest edges to leave out of the layout, each
    replaced by a copy of its tail beside its head, so that dot's work stays within
    ``budget`` (see :func:`layout_work`); empty when the graph fits as it is.

    Only the edges at the positions in ``cuttable`` may be chosen, and every one longer
    than some span is cut: the picture changes only where the cost comes from.  When no
    span fits the budget, the cheapest choice is returned.
    """
    budget = LAYOUT_BUDGET if budget is None else budget
    rank = estimate_ranks(nodes, edges)
    spans = [rank[head] - rank[tail] for tail, head in edges]
    virtual = sum(max(span - 1, 0) for span in spans)
    # Cut every cuttable edge of span >= limit, for each limit from the longest down.
    longest_first = sorted(((spans[i], i) for i in cuttable if spans[i] > 1), reverse=True)
    options = [(layout_work(len(nodes), virtual), 0)]  # (work, how many edges cut)
    copies = 0
    for limit, group in groupby(longest_first, key=lambda c: c[0]):
        n = len(list(group))
        copies += n
        virtual -= (limit - 1) * n
        options.append((layout_work(len(nodes) + copies, virtual), copies))
    fitting = [option for option in options if option[0] <= budget]
    _, count = fitting[0] if fitting else min(options)
    return {i for _, i in longest_first[:count]}


# ---- running Graphviz -----------------------------------------------------------------


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes Linux kill the child when this process dies (even by
    SIGKILL, which leaves no chance to clean up), or None where that is not possible."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        import signal

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError, ImportError):
        return None
    parent = os.getpid()
    set_death_signal = 1  # PR_SET_PDEATHSIG, from <linux/prctl.h>
    kill = int(signal.SIGKILL)

    def preexec() -> None:
        # Runs in the child between fork and exec: only calls that take no locks.
        prctl(set_death_signal, kill, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return preexec


def run_graphviz(
    command: Sequence[str], data: bytes, *, timeout: float | None, cwd: str | None = None
) -> tuple[bytes, bytes]:
    """Run a Graphviz program on ``data`` (stdin); return what it writes on stdout and stderr.

    Raises :class:`GraphvizTimeoutError` after ``timeout`` seconds (None: no limit) and
    ``subprocess.CalledProcessError`` (graphviz's subclass) when the program fails.  The
    program never outlives the call: it is killed on a timeout, on an exception such as
    KeyboardInterrupt, and (Linux) when Python itself is killed.
    """
    import graphviz

    process = subprocess.Popen(
        list(command),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        preexec_fn=_die_with_parent(),  # see _die_with_parent
    )
    try:
        out, err = process.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise GraphvizTimeoutError(
            f"Graphviz's {os.path.basename(command[0])} did not finish within {timeout:g} s and "
            "was stopped; draw fewer values (max_nodes=..., max_depth=...) or allow more time "
            "(the drawing's timeout attribute)"
        ) from None
    except BaseException:
        _stop(process)
        raise
    if process.returncode != 0:
        raise graphviz.CalledProcessError(process.returncode, list(command), out, err)
    return out, err


def _stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        process.kill()
    with contextlib.suppress(Exception):
        process.communicate(timeout=5)
