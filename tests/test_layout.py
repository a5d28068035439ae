"""autograd.viz.layout: dot's work estimated from the graph's shape, and Graphviz runs bounded."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap

import graphviz
import pytest

from autograd import Value, draw_dot
from autograd.cli.expr import evaluate
from autograd.viz.layout import (
    LAYOUT_BUDGET,
    GraphvizTimeoutError,
    edges_to_cut,
    estimate_ranks,
    layout_work,
    run_graphviz,
    virtual_nodes,
)


def sum_of_x(n: int) -> Value:
    return evaluate("+".join(["x"] * n), {"x": 1.0})[0]


def horner(n: int) -> Value:
    text = "1"
    for _ in range(n):
        text = f"({text}) * x + 1"
    return evaluate(text, {"x": 0.5})[0]


def dot_graph(source: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The nodes (in order) and edges of a DOT text made by draw_dot."""
    nodes = re.findall(r"^\s*(\w+) \[", source, re.M)
    edges = re.findall(r"^\s*(\w+) -> (\w+)", source, re.M)
    return [n for n in nodes if n not in ("graph", "node", "edge", "legend")], edges


def work_of(source: str) -> int:
    nodes, edges = dot_graph(source)
    order = _topological(nodes, edges)
    return layout_work(len(nodes), virtual_nodes(estimate_ranks(order, edges), edges))


def _topological(nodes: list[str], edges: list[tuple[str, str]]) -> list[str]:
    inputs: dict[str, list[str]] = {n: [] for n in nodes}
    for tail, head in edges:
        inputs[head].append(tail)
    order, seen = [], set()
    for start in nodes:
        stack = [(start, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((t, False) for t in inputs[node] if t not in seen)
    return order


def test_ranks_follow_the_longest_path_and_pull_sources_to_their_first_use():
    # a -> c, b -> c, c -> d, a -> d: a feeds ranks 1 and 2, b only rank 1.
    edges = [("a", "c"), ("b", "c"), ("c", "d"), ("a", "d")]
    rank = estimate_ranks(["a", "b", "c", "d"], edges)
    assert rank == {"a": 0, "b": 0, "c": 1, "d": 2}
    assert virtual_nodes(rank, edges) == 1  # a -> d spans two ranks
    # A source used late only sits just before that use.
    rank = estimate_ranks(
        ["a", "b", "c", "d", "e"], [("a", "b"), ("b", "c"), ("c", "d"), ("e", "d")]
    )
    assert rank["e"] == 2


def test_nothing_is_cut_when_the_graph_fits():
    edges = [("a", "c"), ("b", "c"), ("c", "d"), ("a", "d")]
    assert edges_to_cut(["a", "b", "c", "d"], edges, range(4)) == set()
    small = draw_dot(evaluate("(x + y) * z + x", {"x": 1, "y": 2, "z": 3})[0]).source
    assert "again" not in small


def test_the_longest_edges_are_cut_first_and_only_those_allowed():
    # A chain c0 -> c1 -> ... -> c9 and a source s feeding every link.
    nodes = ["s"] + [f"c{i}" for i in range(10)]
    chain = [(f"c{i}", f"c{i + 1}") for i in range(9)]
    feeds = [("s", f"c{i}") for i in range(10)]
    edges = chain + feeds
    allowed = range(len(chain), len(edges))
    full = layout_work(len(nodes), virtual_nodes(estimate_ranks(nodes, edges), edges))
    cut = edges_to_cut(nodes, edges, allowed, budget=full - 1)
    assert cut and cut <= set(allowed)
    spans = {i: int(edges[i][1][1:]) for i in allowed}  # s sits at rank -1 + ... : span = i+1
    assert min(spans[i] for i in cut) > max(spans[i] for i in set(allowed) - cut)
    assert edges_to_cut(nodes, edges, [], budget=1) == set()  # nothing allowed: nothing cut


@pytest.mark.parametrize("root", [sum_of_x(200), sum_of_x(400), horner(150)], ids=str)
def test_short_expressions_that_kept_dot_busy_for_minutes_now_fit_the_budget(root):
    # Before: 41 s, over 200 s and 41 s of dot (the 400-term sum needed 320,000 virtual
    # nodes).  The estimate of the DOT text that is actually rendered stays in budget.
    source = draw_dot(root).source
    assert "again" in source and "drawn again beside each use" in source
    # Within budget, or (a graph of 1,000 nodes is over it by its nodes alone) with no
    # long edge left: its cost is then that of its nodes, which max_nodes bounds.
    nodes, _ = dot_graph(source)
    assert work_of(source) <= max(LAYOUT_BUDGET, layout_work(len(nodes), len(nodes)))


def test_every_use_is_still_drawn_with_its_numbers():
    root = sum_of_x(200)
    root.backward()
    source = draw_dot(root).source
    nodes, edges = dot_graph(source)
    # Every + has its two inputs: x itself or a copy of it, marked "again".
    into = {}
    for tail, head in edges:
        into.setdefault(head, []).append(tail)
    ops = [n for n in nodes if n.startswith("o")]
    assert len(ops) == 199 and all(len(into[o]) == 2 for o in ops)
    copies = [n for n in nodes if n.startswith("c")]
    assert copies and all(
        re.search(rf"{c} \[label=<.*<I>again</I>.*<B>x</B>.*data 1.*grad 200", source)
        for c in copies
    )


def test_a_timeout_stops_dot_and_says_what_to_do(slow_dot):
    graph = draw_dot(Value(1.0, label="x"))
    graph.timeout = 0.5
    with pytest.raises(GraphvizTimeoutError) as caught:
        graph.pipe(format="svg")
    assert "did not finish within 0.5 s" in str(caught.value)
    assert "max_nodes" in str(caught.value) and "timeout" in str(caught.value)
    assert slow_dot.gone(slow_dot.pid(), within=5)
    with pytest.raises(GraphvizTimeoutError):
        graph.pipe(format="svg", timeout=0.2)  # per call


def test_an_interrupt_stops_dot(slow_dot, monkeypatch):
    def interrupt(self, *args, **kwargs):
        slow_dot.pid()
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess.Popen, "communicate", interrupt, raising=True)
    with pytest.raises(KeyboardInterrupt):
        run_graphviz(["dot", "-Tsvg"], b"digraph {}", timeout=None)
    monkeypatch.undo()
    assert slow_dot.gone(slow_dot.pid(), within=5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_killing_python_with_sigkill_leaves_no_dot_running(slow_dot, tmp_path):
    script = textwrap.dedent(
        """
        from autograd import Value, draw_dot
        graph = draw_dot(Value(1.0, label="x"))
        graph.timeout = None
        graph.pipe(format="svg")
        """
    )
    python = subprocess.Popen([sys.executable, "-c", script])
    try:
        pid = slow_dot.pid()
        python.send_signal(signal.SIGKILL)
        python.wait(timeout=10)
        assert slow_dot.gone(pid, within=5), "dot outlived the Python that started it"
    finally:
        python.kill()


def test_a_failing_dot_raises_graphviz_error():
    with pytest.raises(graphviz.CalledProcessError) as caught:
        run_graphviz(["dot", "-Tsvg"], b"digraph { a -> }", timeout=30)
    assert b"syntax error" in caught.value.stderr
