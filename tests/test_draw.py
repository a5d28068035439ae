"""autograd.viz.draw: the DOT text, real renders through Graphviz, hostile labels, big graphs."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import unicodedata
import xml.etree.ElementTree as ET

import graphviz
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, topological_order
from autograd.viz.draw import (
    DEFAULT_MAX_NODES,
    Drawing,
    GraphvizNotFoundError,
    GraphvizTimeoutError,
    draw_dot,
    format_number,
    format_of,
    html_text,
    save_graph,
)

SVG = "{http://www.w3.org/2000/svg}"


def require_dot() -> None:
    # Graphviz is part of the set-up (make test installs it): a missing dot is a
    # failure to see, not a test to skip.
    if shutil.which("dot") is None:
        pytest.fail(
            "Graphviz's dot program is not installed; run 'make test' or apt-get install graphviz"
        )


def example() -> tuple[Value, Value, Value, Value]:
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    f = (x + y) * z
    f.backward()
    return f, x, y, z


def records(source: str) -> dict[str, str]:
    """Node name -> label text, for the Value records of a DOT text."""
    return dict(re.findall(r"^\s*(n\d+) \[label=<(.*)> shape=plain\]$", source, re.M))


def edges(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+)", source, re.M)


def svg_texts(svg: str) -> dict[str, list[str]]:
    """Node name -> the lines of text drawn in that node, from a rendered SVG."""
    root = ET.fromstring(svg)
    found = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        name = group.find(f"{SVG}title").text
        found[name] = ["".join(t.itertext()).replace("\xa0", " ") for t in group.iter(f"{SVG}text")]
    return found


# ---- the DOT text ---------------------------------------------------------------------


def test_records_show_label_data_and_grad():
    f, *_ = example()
    source = draw_dot(f).source
    recs = records(source)
    assert len(recs) == 5  # x, y, z, x + y, the output
    texts = {re.sub(r"<[^>]+>", " ", label) for label in recs.values()}
    flat = [" ".join(t.split()) for t in texts]
    assert "x data -2 grad -4" in flat
    assert "y data 5 grad -4" in flat
    assert "z data -4 grad 3" in flat
    assert "data 3 grad -4" in flat  # x + y
    assert "data -12 grad 1" in flat  # the output


def test_one_operation_node_per_result_and_edges_through_it():
    f, x, y, z = example()
    graph = draw_dot(f)
    order = topological_order(f)
    source = graph.source
    ops = dict(re.findall(r"^\s*(o\d+) \[label=<([^>]*)>", source, re.M))
    assert sorted(ops.values()) == ["*", "+"]
    name = {v: f"n{i}" for i, v in enumerate(order)}
    e = edges(source)
    plus, times = f"o{order.index(f._prev[0])}", f"o{order.index(f)}"
    assert (name[x], plus) in e and (name[y], plus) in e and (plus, name[f._prev[0]]) in e
    assert (name[f._prev[0]], times) in e and (name[z], times) in e and (times, name[f]) in e
    assert len(e) == 6


def test_names_follow_the_topological_order_not_ids():
    f, *_ = example()
    source = draw_dot(f).source
    order = topological_order(f)
    names = set(re.findall(r"^\s*([no]\d+) \[", source, re.M))
    expected = {f"n{i}" for i in range(5)} | {f"o{i}" for i, v in enumerate(order) if v._prev}
    assert names == expected and len(names) == 7
    assert str(id(f)) not in source


def test_repeated_input_gives_one_edge_per_use():
    a = Value(3.0, label="a")
    graph = draw_dot(a * a)
    assert edges(graph.source).count(("n0", "o1")) == 2


def test_operation_names_and_ordered_inputs():
    a, b = Value(3.0, label="a"), Value(2.0, label="b")
    out = (a / b - a**b).exp() + (-a).tanh().relu().leaky_relu(0.2) + a**2
    source = draw_dot(out).source
    for op in ("/", "-", "**", "exp", "neg", "tanh", "ReLU", "LeakyReLU(0.2)", "**2", "+"):
        assert f"[label=<{html_text(op)}>" in source, op
    # inputs of - / ** are tagged a and b; those of + are not
    assert source.count("headlabel=a") == 3 and source.count("headlabel=b") == 3


def test_precision_is_configurable():
    v = Value(1 / 3, label="third")
    assert "data 0.3333" in draw_dot(v).source
    assert "data 0.33<" in draw_dot(v, precision=2).source
    assert "data 0.333333333333<" in draw_dot(v, precision=12).source
    with pytest.raises(ValueError, match="precision"):
        draw_dot(v, precision=0)


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (-4.0, "-4"),
        (0.88079707797788, "0.8808"),
        (1234567.0, "1.235e+06"),
        (1e-7, "1e-07"),
        (-2.5, "-2.5"),
    ],
)
def test_format_number(x, text):
    assert format_number(x) == text


def test_kinds_are_visually_distinct_with_a_legend():
    w = Value(0.5, label="w")  # a trainable parameter
    x = Value(2.0, label="x")  # an input
    out = (w * x + 1.0).tanh()  # 1.0 is a constant
    recs = records(draw_dot(out, params=[w]).source)
    order = topological_order(out)
    look = {v: recs[f"n{i}"].split("><TR>")[0] for i, v in enumerate(order)}
    const = next(v for v in order if not v._prev and not v.label)
    middle = out._prev[0]
    styles = {look[w], look[x], look[const], look[middle], look[out]}
    assert len(styles) == 5
    assert 'STYLE="dashed"' in look[const]
    assert 'BORDER="2"' in look[out]
    legend = draw_dot(out, params=[w], legend=True).source
    for entry in ("output", "parameter (trainable)", "input (labelled leaf)", "constant"):
        assert entry in legend
    assert "legend" not in draw_dot(out).source


def test_params_may_be_a_model_with_parameters():
    class Model:
        def __init__(self):
            self.w = Value(0.5, label="w")

        def parameters(self):
            return [self.w]

    model = Model()
    out = model.w * Value(2.0, label="x")
    with_model = draw_dot(out, params=model).source
    assert with_model == draw_dot(out, params=[model.w]).source
    assert with_model != draw_dot(out).source


def test_argument_errors_are_clear():
    f, *_ = example()
    with pytest.raises(TypeError, match="expected a Value"):
        draw_dot(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(f, rankdir="XY")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(f, max_nodes=0)
    with pytest.raises(TypeError, match="cluster_by"):
        draw_dot(f, cluster_by="layers")


def test_import_autograd_does_not_import_graphviz():
    code = (
        "import sys, autograd; print('graphviz' in sys.modules); "
        "autograd.draw_dot; print('graphviz' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
    assert autograd.draw_dot is draw_dot


# ---- determinism ----------------------------------------------------------------------

_SCRIPT = textwrap.dedent(
    """
    from autograd import Value, draw_dot
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    h = [a * b, a + b, (a - b).tanh()]
    out = sum((u * v for u in h for v in h), a) / (b * b + 1.0)
    out.backward()
    print(draw_dot(out, legend=True, cluster_by=lambda v: v.label or None).source)
    """
)


def test_same_graph_same_dot_text_in_every_process():
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, check=True
        )
        runs.append(out.stdout)
    assert runs[0] == runs[1]
    assert runs[0].count("shape=plain") > 10


# ---- real renders ---------------------------------------------------------------------


def test_renders_to_svg_and_png_through_dot():
    require_dot()
    f, *_ = example()
    graph = draw_dot(f, legend=True)
    svg = graph.pipe(format="svg", encoding="utf-8")
    texts = svg_texts(svg)
    assert texts["n0"] == ["x", "data -2", "grad -4"] or "data -2" in texts["n0"]
    assert any("data -12" in t for t in texts.values() for t in t)
    png = graph.pipe(format="png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert graph.format == "svg" and draw_dot(f, format="png").format == "png"


def test_jupyter_display_is_svg():
    require_dot()
    from IPython.core.formatters import DisplayFormatter

    f, *_ = example()
    data, _ = DisplayFormatter().format(draw_dot(f))
    assert "<svg" in data["image/svg+xml"]
    bundle = draw_dot(f)._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert "<svg" in bundle["image/svg+xml"]
    assert "<svg" in draw_dot(f)._repr_svg_()


HOSTILE = [
    "|",
    "{",
    "}",
    "<",
    ">",
    "<b>bold</b>",
    "{a|b}",
    '"',
    "'",
    "\\",
    "\\N",
    "\\G",
    "\\l",
    "\\\\",
    "a\\",
    '\\"',
    "&amp;",
    "&",
    "&#92;",
    "]]>",
    "<!--",
    "-->",
    "é",
    "日本語",
    "😀",
    "\u200b",
    "\u202eevil",
    "x\ty",
    "nul\x00",
    "bell\x07",
    "\x7f",
    "\x85",
    "\ufffe",
    "\uffff",
    "\ud800",
    "x.y.z",
    "  spaced  ",
    "label=<x>",
    "];",
    "]",
    "]]",
    "digraph { a -> b }",
    "n0",
    "%s %d",
    "$x$",
]


def shown(label: str) -> str:
    """What a label should look like in the picture."""
    out = []
    for ch in label:
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff":
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def render_labels(labels: list[str]) -> dict[str, list[str]]:
    leaves = [Value(float(i), label=label) for i, label in enumerate(labels)]
    out = leaves[0]
    for leaf in leaves[1:]:
        out = out + leaf
    graph = draw_dot(out, max_nodes=None)
    svg = graph.pipe(format="svg", encoding="utf-8")  # dot reads it without complaint
    order = topological_order(out)
    texts = svg_texts(svg)
    return {
        leaf.label: [" ".join(t.split()) for t in texts[f"n{order.index(leaf)}"]] for leaf in leaves
    }


def test_hostile_labels_render_exactly():
    require_dot()
    texts = render_labels(HOSTILE)
    for label in HOSTILE:
        assert texts[label][0] == shown(label), label


def test_multiline_labels_become_lines():
    require_dot()
    texts = render_labels(["first\nsecond", "a\r\nb"])
    assert texts["first\nsecond"][:2] == ["first", "second"]
    assert texts["a\r\nb"][:2] == ["a", "b"]


@settings(max_examples=15)
@given(
    st.lists(
        st.text(min_size=1, max_size=12).filter(
            lambda s: s.strip() and "\n" not in s and "\r" not in s
        ),
        min_size=1,
        max_size=12,
        unique=True,
    )
)
def test_random_labels_render_exactly(labels):
    require_dot()
    texts = render_labels(labels)
    for label in labels:
        assert texts[label][0] == shown(label)


# ---- Graphviz missing -----------------------------------------------------------------


@pytest.fixture
def no_dot(monkeypatch):
    real = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: None if name == "dot" else real(name, *a, **k)
    )


def test_without_dot_drawing_says_how_to_install(no_dot, tmp_path):
    f, *_ = example()
    graph = draw_dot(f)
    assert isinstance(graph, graphviz.Digraph) and isinstance(graph, Drawing)
    assert "data -12" in graph.source  # the text needs no Graphviz
    for render in (
        graph.pipe,
        graph._repr_mimebundle_,
        graph._repr_svg_,
        lambda: graph.render(directory=tmp_path),
        graph.view,
    ):
        with pytest.raises(GraphvizNotFoundError) as caught:
            render()
        message = str(caught.value)
        for hint in (
            "apt-get install graphviz",
            "brew install graphviz",
            "conda install",
            ".source",
        ):
            assert hint in message
    assert issubclass(GraphvizNotFoundError, RuntimeError)
    assert issubclass(GraphvizNotFoundError, graphviz.ExecutableNotFound)
    assert list(tmp_path.iterdir()) == []


def test_without_dot_saving_dot_text_still_works(no_dot, tmp_path):
    f, *_ = example()
    save_graph(draw_dot(f), tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text(encoding="utf-8") == draw_dot(f).source
    with pytest.raises(GraphvizNotFoundError):
        save_graph(draw_dot(f), tmp_path / "g.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot"]


# ---- files ----------------------------------------------------------------------------


def test_save_graph_takes_the_format_from_the_extension(tmp_path):
    require_dot()
    f, *_ = example()
    graph = draw_dot(f)
    assert save_graph(graph, tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")
    assert (save_graph(graph, tmp_path / "g.PNG")).read_bytes().startswith(b"\x89PNG")
    assert (save_graph(graph, tmp_path / "g.pdf")).read_bytes().startswith(b"%PDF")
    assert format_of("a/b.gv") == "dot"
    with pytest.raises(ValueError, match=r"\.txt"):
        format_of("graph.txt")
    with pytest.raises(ValueError, match="no extension"):
        format_of("graph")


def test_saved_files_get_ordinary_permissions(tmp_path):
    f, *_ = example()
    mask = os.umask(0o022)
    try:
        path = save_graph(draw_dot(f), tmp_path / "new.dot")
        assert path.stat().st_mode & 0o777 == 0o644
        path.chmod(0o600)
        save_graph(draw_dot(f), path)  # replacing a file keeps its permissions
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(mask)


def test_a_failed_render_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    f, *_ = example()
    target = tmp_path / "g.dot"
    target.write_text("old")

    class Broken(Drawing):
        @property
        def source(self):
            raise RuntimeError("half way")

    with pytest.raises(RuntimeError, match="half way"):
        save_graph(Broken(), target)

    def fail_replace(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail_replace)
    with pytest.raises(OSError, match="disk full"):
        save_graph(draw_dot(f), target)
    assert [p.name for p in tmp_path.iterdir()] == ["g.dot"]
    assert target.read_text() == "old"


# ---- big graphs -----------------------------------------------------------------------


def chain(n: int) -> Value:
    v = Value(0.1, label="x")
    for _ in range(n - 1):
        v = v.tanh()
    return v


def test_a_5000_value_chain_is_drawn_without_recursion_and_in_seconds():
    require_dot()
    out = chain(5000)
    start = time.perf_counter()
    graph = draw_dot(out, max_nodes=None)
    source = graph.source
    built = time.perf_counter() - start
    assert len(records(source)) == 5000
    assert built < 5, built
    svg = graph.pipe(format="svg", encoding="utf-8")
    assert svg.count('class="node"') == 2 * 5000 - 1
    assert time.perf_counter() - start < 30


def test_big_graphs_are_cut_to_the_values_nearest_the_output():
    out = chain(3000)
    source = draw_dot(out).source
    assert len(records(source)) == DEFAULT_MAX_NODES
    assert f"showing {DEFAULT_MAX_NODES:,} of 3,000 values" in source
    assert "..." in source  # the hidden input
    small = draw_dot(out, max_nodes=3).source
    assert len(records(small)) == 3 and "n2999" in small and "n2997" in small
    deep = draw_dot(out, max_depth=2, max_nodes=None).source
    assert len(records(deep)) == 3


def mlp_loss(sizes: list[int], samples: int = 2) -> tuple[Value, list[Value]]:
    """A small network labelled the way nets labels its parameters."""
    layers = []
    for k, (nin, nout) in enumerate(itertools.pairwise(sizes)):
        layer = []
        for n in range(nout):
            w = [
                Value(0.1 * (i + n + 1), label=f"layers.{k}.neurons.{n}.w.{i}") for i in range(nin)
            ]
            layer.append((w, Value(0.0, label=f"layers.{k}.neurons.{n}.b")))
        layers.append(layer)
    loss = Value(0.0)
    for s in range(samples):
        x = [Value(0.5 * s - i) for i in range(sizes[0])]
        for k, layer in enumerate(layers):
            outs = []
            for w, b in layer:
                act = b
                for wi, xi in zip(w, x):
                    act = act + wi * xi
                outs.append(act.tanh() if k < len(layers) - 1 else act)
            x = outs
        loss = loss + (x[0] - 1.0) ** 2
    params = [p for layer in layers for w, b in layer for p in [*w, b]]
    return loss, params


def cluster_bodies(source: str) -> dict[str, str]:
    """Cluster label -> the DOT text inside that cluster."""
    bodies = re.findall(r"subgraph cluster_\d+ \{\n(.*?)\n\t\}", source, re.S)
    return {re.search(r"label=<([^>]*)>", body).group(1): body for body in bodies}


def test_clusters_group_each_neuron_with_its_arithmetic():
    loss, params = mlp_loss([2, 3, 1])
    source = draw_dot(loss, params=params, cluster_by=4).source
    bodies = cluster_bodies(source)
    assert sorted(bodies) == [*(f"layers.0.neurons.{n}" for n in range(3)), "layers.1.neurons.0"]
    # Inside the first neuron's cluster: its 3 parameters, its products w * x, its sums,
    # its tanh (for both samples), and nothing of another neuron.
    body = bodies["layers.0.neurons.0"]
    labels = re.findall(r"<B>([^<]*)</B>", body)
    assert sorted(labels) == [
        "layers.0.neurons.0.b",
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
    ]
    assert body.count("[label=<tanh>") == 2 and body.count("[label=<*>") == 4
    assert body.count("[label=<+>") == 4
    # the loss arithmetic stays outside every neuron
    assert all("**2" not in b for b in bodies.values())
    assert source.count("[label=<**2>") == 2
    by_function = draw_dot(
        loss, cluster_by=lambda v: re.split(r"\.[wb]\b", v.label)[0] or None
    ).source
    assert sorted(cluster_bodies(by_function)) == sorted(bodies)
    # the same text every time
    assert draw_dot(loss, params=params, cluster_by=4).source == source


def test_a_model_graph_of_thousands_of_values_is_drawn_in_seconds():
    require_dot()
    loss, params = mlp_loss([2, 8, 8, 1], samples=8)
    assert len(topological_order(loss)) > 1500
    start = time.perf_counter()
    graph = draw_dot(loss, params=params, cluster_by=4, max_nodes=400)
    svg = graph.pipe(format="svg", encoding="utf-8")
    assert "showing 400 of" in graph.source and "<svg" in svg
    assert time.perf_counter() - start < 20


def test_a_value_reused_at_every_depth_renders():
    # A 60-term Horner polynomial: x feeds every level, which once kept dot busy for minutes.
    x = Value(0.5, label="x")
    p = x
    for i in range(60):
        p = p * x + (i % 7 + 1)
    assert draw_dot(p).pipe(format="svg").startswith(b"<?xml")


# ---- bounded rendering ------------------------------------------------------------------


def test_render_is_bounded_too(slow_dot, tmp_path):
    f, *_ = example()
    graph = draw_dot(f)
    graph.timeout = 0.3
    with pytest.raises(GraphvizTimeoutError):
        graph.render(directory=tmp_path, format="svg")
    assert not (tmp_path / "valuegrad.gv.svg").exists()
    assert slow_dot.gone(slow_dot.pid(), within=5)


def test_render_writes_source_and_picture_like_graphviz_atomically(tmp_path):
    require_dot()
    f, *_ = example()
    graph = draw_dot(f)
    path = graph.render(directory=tmp_path, format="svg")
    assert path == str(tmp_path / "valuegrad.gv.svg")
    assert (tmp_path / "valuegrad.gv").read_text(encoding="utf-8") == graph.source
    assert (tmp_path / "valuegrad.gv.svg").read_text().lstrip().startswith("<?xml")
    out = graph.render(outfile=tmp_path / "picture.png", cleanup=True)
    assert out == str(tmp_path / "picture.png")
    assert (tmp_path / "picture.png").read_bytes().startswith(b"\x89PNG")
    assert not (tmp_path / "picture.gv").exists()
    with pytest.raises(graphviz.FileExistsError):
        graph.render(outfile=tmp_path / "picture.png", raise_if_result_exists=True)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_400_term_sum_renders_with_copies_of_x():
    require_dot()
    x = Value(1.0, label="x")
    out = x
    for _ in range(399):
        out = out + x
    out.backward()
    svg = draw_dot(out).pipe(format="svg", encoding="utf-8")
    texts = svg_texts(svg)
    again = [t for t in texts.values() if t[:2] == ["again", "x"]]
    assert again and all(t[2:] == ["data 1", "grad 400"] for t in again)
