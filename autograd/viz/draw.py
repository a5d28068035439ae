"""Pictures of computation graphs, made with Graphviz.

:func:`draw_dot` turns the graph behind a :class:`~autograd.Value` into a
``graphviz.Digraph``: one record per Value (label, data, grad), one small node per
operation, and edges input -> operation -> result.  Nodes are named after their
position in :func:`~autograd.topological_order` (``n0``, ``n1``, ...), never after
``id()``, so a graph gives the same DOT text in every process.

The DOT text needs nothing but the ``graphviz`` Python package; turning it into a
picture needs Graphviz's ``dot`` program, and a missing ``dot`` gives a
:class:`GraphvizNotFoundError` that says how to install it.
"""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz

from ..backprop import topological_order
from ..ops import BY_NAME, Op
from ..support.files import write_atomic
from ..value import Value
from .layout import DEFAULT_TIMEOUT, GraphvizTimeoutError, edges_to_cut, run_graphviz

__all__ = [
    "DEFAULT_MAX_NODES",
    "Drawing",
    "GraphvizNotFoundError",
    "GraphvizTimeoutError",
    "draw_dot",
    "format_number",
    "format_of",
    "html_text",
    "require_graphviz",
    "save_graph",
    "write_atomic",
]

FONT = "Helvetica,Arial,sans-serif"

INSTALL_HINT = (
    "Graphviz's 'dot' program was not found on PATH; it is needed to render the picture "
    "(the DOT text is still available as .source). Install it with "
    "'sudo apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS), "
    "'conda install -c conda-forge graphviz' (conda) or from https://graphviz.org/download/ "
    "(Windows), then restart Python or the Jupyter kernel."
)


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` program is missing: rendering is impossible, ``.source`` works.

    A subclass of ``graphviz.ExecutableNotFound`` (itself a ``RuntimeError``), so code
    written against the graphviz package catches it too.
    """

    def __init__(self, engine: str = "dot") -> None:
        message = INSTALL_HINT if engine == "dot" else INSTALL_HINT.replace("'dot'", repr(engine))
        RuntimeError.__init__(self, message)


def require_graphviz(engine: str = "dot") -> str:
    """The path of Graphviz's layout program ``engine``, or :class:`GraphvizNotFoundError`."""
    path = shutil.which(engine)
    if path is None:
        raise GraphvizNotFoundError(engine)
    return path


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering is bounded and explains itself.

    ``pipe``, ``render``, ``view`` and the Jupyter display hooks look for Graphviz first
    and raise :class:`GraphvizNotFoundError` when it is missing (``.source`` never needs
    it); they stop Graphviz after ``timeout`` seconds (an attribute, default
    :data:`~autograd.viz.layout.DEFAULT_TIMEOUT`; None for no limit) with a
    :class:`~autograd.viz.layout.GraphvizTimeoutError`, never leave a Graphviz process
    running after Python has gone, and write files atomically.
    """

    timeout: float | None = DEFAULT_TIMEOUT

    def _check(self, engine: str | None = None) -> None:
        require_graphviz(engine or self.engine)

    def _run(
        self,
        format: str | None,
        renderer: str | None,
        formatter: str | None,
        neato_no_op: bool | int | None,
        quiet: bool,
        engine: str | None,
        timeout: float | None,
        cwd: str | None = None,
    ) -> bytes:
        engine = engine or self.engine
        self._check(engine)
        kind = ":".join(p for p in (format or self.format, renderer, formatter) if p)
        command = [require_graphviz("dot"), f"-K{engine}", f"-T{kind}"]
        if neato_no_op:
            command.append(f"-n{int(neato_no_op)}")
        data = self.source.encode(self.encoding or "utf-8")
        limit = self.timeout if timeout is None else timeout
        try:
            out, err = run_graphviz(command, data, timeout=limit, cwd=cwd)
        except FileNotFoundError as e:  # removed between the check and the run
            raise GraphvizNotFoundError(engine) from e
        if err and not quiet:
            sys.stderr.write(err.decode(errors="replace"))
        return out

    def pipe(  # type: ignore[override]
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        """The picture as bytes (or text, with ``encoding``), as ``graphviz``'s ``pipe``;
        ``timeout`` overrides the drawing's."""
        out = self._run(format, renderer, formatter, neato_no_op, quiet, engine, timeout)
        return out if encoding is None else out.decode(encoding)

    def save(
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        *,
        skip_existing: bool | None = False,
    ) -> str:
        """Write the DOT text to ``filename`` (atomically), as ``graphviz``'s ``save``."""
        if filename is not None:
            self.filename = filename
        if directory is not None:
            self.directory = directory
        path = Path(self.filepath)
        if not (skip_existing and path.exists()):
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, self.source.encode(self.encoding or "utf-8"))
        return self.filepath

    def render(  # type: ignore[override]
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        quiet_view: bool = False,
        *,
        outfile: str | os.PathLike[str] | None = None,
        engine: str | None = None,
        raise_if_result_exists: bool = False,
        overwrite_source: bool = False,
        timeout: float | None = None,
    ) -> str:
        """Save the DOT text and write the picture beside it, as ``graphviz``'s ``render``
        (``name.gv`` and ``name.gv.svg``, or ``outfile``); the picture is written
        atomically, and ``timeout`` overrides the drawing's."""
        self._check(engine)
        if outfile is not None:
            outfile = Path(outfile)
            format = format or outfile.suffix.lstrip(".").lower() or None
            if directory is None:
                outfile = Path(self.directory, outfile)
            if filename is None:
                filename = outfile.with_suffix(".gv")
        source = Path(self.save(filename, directory))
        format = format or self.format
        if outfile is None:
            kind = ".".join(p for p in (formatter, renderer, format) if p)
            outfile = source.with_name(f"{source.name}.{kind}")
        elif not overwrite_source and outfile.resolve() == source.resolve():
            raise ValueError(
                f"outfile {outfile.name!r} must be different from the source file {source.name!r}"
            )
        if raise_if_result_exists and outfile.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(outfile)!r}")
        cwd = os.fspath(source.parent) if source.parent.parts else None
        data = self._run(format, renderer, formatter, neato_no_op, quiet, engine, timeout, cwd)
        write_atomic(outfile, data)
        if cleanup:
            os.remove(source)
        if view or quiet_view:
            self._view(os.fspath(outfile), format=format, quiet=quiet_view)
        return os.fspath(outfile)

    # view() goes through render(); Jupyter goes through the hooks below, which pipe().
    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> Any:
        self._check()
        return super()._repr_mimebundle_(include, exclude, **kwargs)

    def _repr_svg_(self) -> str:
        self._check()
        return self.pipe(format="svg", encoding="utf-8")

    def _repr_image_svg_xml(self) -> str:
        return self._repr_svg_()

    def _repr_image_png(self) -> bytes:
        self._check()
        return self.pipe(format="png")

    def _repr_image_jpeg(self) -> bytes:
        self._check()
        return self.pipe(format="jpeg")


# ---- what the nodes look like ---------------------------------------------------------


@dataclass(frozen=True)
class _Look:
    fill: str
    border: str
    legend: str
    dashed: bool = False
    thick: bool = False


# What a Value is, seen from the picture.  Colours are from ColorBrewer palettes, which
# stay distinct for most colour-blind readers and in greyscale print.
KINDS: dict[str, _Look] = {
    "output": _Look("#b8e186", "#1b7837", "output", thick=True),
    "parameter": _Look("#fdd49e", "#d7301f", "parameter (trainable)"),
    "input": _Look("#c6dbef", "#2171b5", "input (labelled leaf)"),
    "constant": _Look("#f0f0f0", "#969696", "constant", dashed=True),
    "intermediate": _Look("#ffffff", "#525252", "intermediate result"),
}

# Where a Value's gradient stands during a backward pass (see autograd.viz.steps).
STATES: dict[str, _Look] = {
    "final": _Look("#b8e186", "#1b7837", "gradient final"),
    "current": _Look("#fd8d3c", "#a63603", "passing its gradient on", thick=True),
    "partial": _Look("#ffffb2", "#cc9900", "gradient partial (more to come)"),
    "pending": _Look("#ffffff", "#bdbdbd", "gradient not reached yet"),
}

# Beyond this many Values a picture is no longer readable, and dot's layout of a wide
# graph (a model's) grows from seconds to minutes: draw_dot stops here unless told.
DEFAULT_MAX_NODES = 1000
# Beyond this many, dot is told to stop refining the layout early (same picture, less
# tidy): a 6,800-Value graph of a model otherwise takes over ten minutes.
_LARGE = 1000

_OP_FILL = "#eeeeee"
_FLOW_COLOR = "#e6550d"
_RANKDIRS = ("LR", "RL", "TB", "BT")
# Inputs whose order matters get small "a"/"b" tags at the operation, as in "a / b".


def format_number(x: float, precision: int = 4) -> str:
    """``x`` rounded to ``precision`` significant digits, as short as possible ("-4", "0.8808")."""
    if x == 0:
        return "0"  # no "-0"
    return f"{x:.{precision}g}"


def _is_unprintable(ch: str) -> bool:
    # Control characters and lone surrogates are not allowed in the XML of an SVG (nor in
    # Graphviz's HTML labels), so they are shown as escapes instead.
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff"


# "]" too: Graphviz 2.43 rejects a cell whose whole text is "]" or "]]" (a syntax error).
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "]": "&#93;"}


def html_text(text: Any) -> str:
    """Any text as the body of a Graphviz HTML-like label, shown exactly as written.

    Markup characters become entities; backslashes are doubled because Graphviz reads
    ``\\N``, ``\\G``... as escapes even in HTML labels; newlines become line breaks;
    control characters and lone surrogates are shown as Python escapes (``\\x00``).
    """
    out = []
    for ch in str(text).replace("\r\n", "\n"):
        if ch == "\n":
            out.append("<BR/>")
        elif ch == "\\":
            out.append("&#92;&#92;")
        elif ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif _is_unprintable(ch):
            escape = ch.encode("unicode_escape", "backslashreplace").decode("ascii")
            out.append(escape.replace("\\", "&#92;&#92;"))
        else:
            out.append(ch)
    return "".join(out)


# ---- the overlay a backward-pass step puts on the picture -----------------------------


@dataclass
class Overlay:
    """What a picture of one step of the backward pass adds (built by ``autograd.viz.steps``).

    ``states`` maps each Value to 'final', 'current', 'partial' or 'pending';
    ``grads`` holds the gradients received so far; ``flow`` holds the edges the gradient
    is flowing along, as (consumer, input position); ``grad_width`` (points) keeps the grad
    field the same size in every step, so that the layout does not move between steps.
    """

    states: Mapping[Value, str]
    grads: Mapping[Value, float]
    current: Value | None = None
    flow: Collection[tuple[Value, int]] = ()
    caption: str = ""
    grad_width: int = 0


# ---- the graph ------------------------------------------------------------------------


ClusterBy = int | Callable[[Value], Any] | None


def _parameters(params: Any) -> set[Value]:
    if params is None:
        return set()
    if callable(getattr(params, "parameters", None)):  # a model from nets, or alike
        params = params.parameters()
    if isinstance(params, Value):
        return {params}
    return {p for p in params if isinstance(p, Value)}


def _kind(v: Value, root: Value, params: set[Value]) -> str:
    if v is root:
        return "output"
    if v._prev:
        return "intermediate"
    if v in params:
        return "parameter"
    return "input" if v.label else "constant"


def _prefix_key(depth: int) -> Callable[[Value], Any]:
    def key(v: Value) -> Any:
        parts = str(v.label).split(".") if v.label else []
        return ".".join(parts[:depth]) if len(parts) >= depth else None

    return key


def _clusters(order: list[Value], cluster_by: ClusterBy) -> dict[Value, Any]:
    """The cluster key of every Value (None: no cluster).

    A Value gets its own key first (``cluster_by(v)``, or the first ``depth`` dotted
    parts of its label).  An unkeyed result joins the cluster of its keyed leaf inputs
    when they agree (w * x goes with w), or else of all its inputs when they agree
    (a sum of a neuron's products, its tanh), so that one neuron's arithmetic lands in
    that neuron's cluster.
    """
    if cluster_by is None:
        return {}
    if isinstance(cluster_by, bool) or not (isinstance(cluster_by, int) or callable(cluster_by)):
        raise TypeError(
            "draw_dot: cluster_by must be a number of label parts or a function of a Value, "
            f"got {cluster_by!r}"
        )
    if isinstance(cluster_by, int):
        if cluster_by < 1:
            raise ValueError(f"draw_dot: cluster_by must be at least 1, got {cluster_by}")
        cluster_by = _prefix_key(cluster_by)
    keys: dict[Value, Any] = {}
    for v in order:  # inputs first, so every input's key is known
        key = cluster_by(v)
        if key is None and v._prev:
            from_leaves = {keys[x] for x in v._prev if not x._prev and keys[x] is not None}
            if len(from_leaves) == 1:
                key = from_leaves.pop()
            elif not from_leaves:
                from_all = {keys[x] for x in v._prev}
                if len(from_all) == 1:
                    key = from_all.pop()
        keys[v] = key
    return keys


def _select(root: Value, max_nodes: int | None, max_depth: int | None) -> set[Value] | None:
    """The Values nearest the output (breadth first), or None for all of them."""
    if max_nodes is None and max_depth is None:
        return None
    for name, limit in (("max_nodes", max_nodes), ("max_depth", max_depth)):
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise TypeError(f"draw_dot: {name} must be an int or None, got {limit!r}")
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"draw_dot: max_nodes must be at least 1, got {max_nodes}")
    if max_depth is not None and max_depth < 0:
        raise ValueError(f"draw_dot: max_depth must be at least 0, got {max_depth}")
    chosen = {root: 0}
    queue = deque([root])
    while queue:
        v = queue.popleft()
        depth = chosen[v] + 1
        if max_depth is not None and depth > max_depth:
            continue
        for x in v._prev:
            if x not in chosen:
                if max_nodes is not None and len(chosen) >= max_nodes:
                    return set(chosen)
                chosen[x] = depth
                queue.append(x)
    return set(chosen)


def _first_input_first(root: Value) -> list[Value]:
    """Every node after its inputs, visiting each node's inputs in their own order."""
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((x, False) for x in reversed(node._prev) if x not in seen)
    return order


def _table(cells: list[str], look: _Look, kind_look: _Look) -> str:
    # The border width and dash come from the kind, which never changes between the
    # steps of a backward pass, so that every step has the same layout.
    border = "2" if kind_look.thick else "1"
    style = ' STYLE="dashed"' if kind_look.dashed else ""
    return (
        f'<<TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4"'
        f' COLOR="{look.border}" BGCOLOR="{look.fill}"{style}><TR>{"<VR/>".join(cells)}</TR>'
        "</TABLE>>"
    )


def _legend(entries: list[_Look], title: str) -> str:
    rows = [f'<TR><TD COLSPAN="2"><B>{html_text(title)}</B></TD></TR>']
    for look in entries:
        style = ' STYLE="dashed"' if look.dashed else ""
        rows.append(
            f'<TR><TD BORDER="1" COLOR="{look.border}" BGCOLOR="{look.fill}" WIDTH="24"{style}>'
            f'</TD><TD ALIGN="LEFT">{html_text(look.legend)}</TD></TR>'
        )
    return (
        '<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3" COLOR="#bdbdbd">'
        + "".join(rows)
        + "</TABLE>>"
    )


def _op_name(v: Value) -> str:
    return str(v._op)


def _input_tags(v: Value) -> list[str]:
    """Tags on the wires into an op whose inputs' order matters: a, b for the engine's
    binary operators (- / **), x1, x2, ... for an op of several inputs."""
    op = v._op
    n = len(v._prev)
    known = op if type(op) is Op and op.builtin else BY_NAME.get(str(op))
    if n < 2 or (known is not None and known.commutative):
        return [""] * n
    if n == 2 and known is not None and known.method is not None:
        return ["a", "b"]
    return [f"x{i + 1}" for i in range(n)] if type(op) is Op else [""] * n


Wire = tuple[Value, Value, int, str]  # (input, consumer, input position, tag)


def _wires(
    drawn: list[Value], in_drawing: set[Value] | None
) -> tuple[list[Wire], dict[Value, int]]:
    """The input edges to draw, and how many inputs of each Value are hidden."""
    wires: list[Wire] = []
    hidden: dict[Value, int] = {}
    for v in drawn:
        for position, (x, tag) in enumerate(zip(v._prev, _input_tags(v))):
            if in_drawing is not None and x not in in_drawing:
                hidden[v] = hidden.get(v, 0) + 1
            else:
                wires.append((x, v, position, tag))
    return wires, hidden


def _target(v: Value, index: Mapping[Value, int]) -> str:
    """Where v's inputs point: its operation node, or v itself when it has no op."""
    return f"o{index[v]}" if v._op else f"n{index[v]}"


def _long_wires(
    drawn: list[Value],
    index: Mapping[Value, int],
    wires: list[Wire],
    hidden: Mapping[Value, int],
) -> set[int]:
    """The wires (positions in ``wires``) whose input is drawn again beside its use, so
    that dot's layout stays within :data:`~autograd.viz.layout.LAYOUT_BUDGET`."""
    nodes: list[str] = []
    edges: list[tuple[str, str]] = []
    for v in drawn:
        i = index[v]
        if v in hidden:
            nodes.append(f"h{i}")
            edges.append((f"h{i}", _target(v, index)))
        if v._prev and v._op:
            nodes.append(f"o{i}")
            edges.append((f"o{i}", f"n{i}"))
        nodes.append(f"n{i}")
    first = len(edges)
    edges += [(f"n{index[x]}", _target(v, index)) for x, v, _, _ in wires]
    cut = edges_to_cut(nodes, edges, range(first, len(edges)))
    return {k - first for k in cut}


def draw_dot(
    root: Value,
    format: str = "svg",
    rankdir: str = "LR",
    *,
    params: Any = None,
    precision: int = 4,
    legend: bool = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    max_depth: int | None = None,
    cluster_by: ClusterBy = None,
    show_grad: bool = True,
    title: str | None = None,
) -> Drawing:
    """The graph of ``root`` as a ``graphviz.Digraph`` (a :class:`Drawing`).

    One record per Value (label when it has one, data, grad), one small node per
    operation, edges input -> operation -> result.  Kinds of Values have their own
    colours: the output, trainable ``params`` (Values, or anything with a
    ``parameters()`` method such as a model), labelled leaves (inputs), unlabelled leaves
    (constants) and intermediate results; ``legend=True`` explains them.

    ``precision`` is the number of significant digits shown.  ``max_nodes`` (1000 by
    default; None for no limit) and ``max_depth`` keep the Values nearest the output,
    breadth first; hidden inputs show as "...".  ``cluster_by`` groups Values into
    boxes: an int n groups by the first n dotted parts of the labels (``cluster_by=4``
    puts ``layers.0.neurons.3.w.1`` in ``layers.0.neurons.3``, with that neuron's
    arithmetic), a function maps a Value to its group (None for none).  ``title`` goes
    above the picture.  ``format`` is the format of ``.render()`` and ``.pipe()``;
    Jupyter shows SVG.
    """
    return draw_with_overlay(
        root,
        format=format,
        rankdir=rankdir,
        params=params,
        precision=precision,
        legend=legend,
        max_nodes=max_nodes,
        max_depth=max_depth,
        cluster_by=cluster_by,
        show_grad=show_grad,
        title=title,
    )


def draw_with_overlay(
    root: Value,
    *,
    format: str = "svg",
    rankdir: str = "LR",
    params: Any = None,
    precision: int = 4,
    legend: bool = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    max_depth: int | None = None,
    cluster_by: ClusterBy = None,
    show_grad: bool = True,
    title: str | None = None,
    overlay: Overlay | None = None,
    order: list[Value] | None = None,
) -> Drawing:
    """:func:`draw_dot`, plus the ``overlay`` of a backward-pass step (see ``viz.steps``)."""
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: expected a Value, got {type(root).__name__}")
    if rankdir not in _RANKDIRS:
        raise ValueError(
            f"draw_dot: rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}"
        )
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"draw_dot: precision must be an int from 1 to 17, got {precision!r}")
    scene = _Scene(root, order, params, precision, show_grad, overlay)
    chosen = _select(root, max_nodes, max_depth)
    if chosen is not None and overlay is not None and overlay.current is not None:
        # A step's picture always shows the node passing its gradient on, and its inputs.
        chosen.add(overlay.current)
        chosen.update(overlay.current._prev)
    # Nodes are emitted first input first, which is the order dot tends to keep on the
    # page (x above y in x + y); their names still come from the topological order.
    layout = _first_input_first(root)
    drawn = layout if chosen is None else [v for v in layout if v in chosen]
    graph = _graph(format, rankdir, len(drawn))
    wires, hidden = _wires(drawn, set(drawn) if chosen is not None else None)
    cut = _long_wires(drawn, scene.index, wires, hidden)
    captions = [title or "", overlay.caption if overlay else ""]
    if chosen is not None and len(drawn) < len(scene.order):
        limits = [
            f"{n}={v}"
            for n, v in (("max_nodes", max_nodes), ("max_depth", max_depth))
            if v is not None
        ]
        captions.append(
            f"showing {len(drawn):,} of {len(scene.order):,} values ({', '.join(limits)})"
        )
    if cut:
        again = len({wires[k][0] for k in cut})
        captions.append(
            f"{again:,} value{'s' if again > 1 else ''} used far apart drawn again beside "
            "each use (marked 'again'): lines across the whole graph would take Graphviz "
            "too long to lay out"
        )
    caption = "\n".join(c for c in captions if c)
    if caption:
        graph.attr(label=f"<{html_text(caption)}>", labelloc="t", labeljust="l", fontsize="13")
    scene.nodes(graph, drawn, layout, _clusters(scene.order, cluster_by))
    scene.edges(graph, drawn, wires, cut, hidden)
    if legend:
        if overlay is not None:
            entries = list(STATES.values())
            heading = "backward pass"
        else:
            present = {scene.kind(v) for v in drawn}
            entries = [look for kind, look in KINDS.items() if kind in present]
            heading = "legend"
        graph.node("legend", label=_legend(entries, heading), shape="plain")
    return graph


def _graph(format: str, rankdir: str, size: int) -> Drawing:
    """An empty picture with the house style."""
    graph = Drawing(
        name="valuegrad",  # the SVG's title (else dot writes "%3"), and the file name of render()
        format=format,
        graph_attr={
            "rankdir": rankdir,
            # newrank: dot's default ranking is quadratic in the length of a chain
            # (20 s for a 5,000-Value chain); newrank lays it out in about 1 s.
            "newrank": "true",
            "bgcolor": "white",
            "fontname": FONT,
            "nodesep": "0.25",
            "ranksep": "0.35",
        },
        node_attr={"fontname": FONT, "fontsize": "12"},
        edge_attr={"fontname": FONT, "fontsize": "10", "color": "#525252", "arrowsize": "0.7"},
    )
    # Bound dot's network-simplex passes: a Value reused at many depths (x in a Horner
    # polynomial) otherwise makes dot run for minutes on a few hundred nodes.
    if size > _LARGE:
        graph.attr(nslimit="0.2", nslimit1="0.2", mclimit="0.2")
    else:
        graph.attr(nslimit="1", nslimit1="1")
    return graph


class _Scene:
    """What the nodes and edges of one picture are drawn from."""

    def __init__(
        self,
        root: Value,
        order: list[Value] | None,
        params: Any,
        precision: int,
        show_grad: bool,
        overlay: Overlay | None,
    ) -> None:
        self.root = root
        self.order = order if order is not None else topological_order(root)
        self.index = {v: i for i, v in enumerate(self.order)}
        self.params = _parameters(params)
        self.precision, self.show_grad, self.overlay = precision, show_grad, overlay

    def kind(self, v: Value) -> str:
        return _kind(v, self.root, self.params)

    def value_node(self, v: Value, again: bool = False) -> tuple[str, dict[str, str]]:
        kind_look = KINDS[self.kind(v)]
        look = kind_look
        cells = ["<TD><I>again</I></TD>"] if again else []
        if v.label:
            cells.append(f"<TD><B>{html_text(v.label)}</B></TD>")
        cells.append(f"<TD>data {html_text(format_number(v.data, self.precision))}</TD>")
        overlay = self.overlay
        if overlay is not None:
            look = STATES[overlay.states.get(v, "pending")]
            g = overlay.grads.get(v)
            text = "?" if g is None else format_number(g, self.precision)
            width = f' WIDTH="{overlay.grad_width}"' if overlay.grad_width else ""
            cells.append(f"<TD{width}>grad {html_text(text)}</TD>")
        elif self.show_grad:
            cells.append(f"<TD>grad {html_text(format_number(v.grad, self.precision))}</TD>")
        return f"n{self.index[v]}", {"label": _table(cells, look, kind_look), "shape": "plain"}

    def op_node(self, v: Value) -> tuple[str, dict[str, str]]:
        attrs = {
            "label": f"<{html_text(_op_name(v))}>",
            "shape": "ellipse",
            "style": "filled",
            "fillcolor": _OP_FILL,
            "color": "#737373",
            "fontsize": "11",
            "margin": "0.04,0.02",
            "height": "0.3",
            "width": "0.3",
        }
        if self.overlay is not None and v is self.overlay.current:
            look = STATES["current"]
            attrs.update(fillcolor=look.fill, color=look.border, penwidth="2")
        return f"o{self.index[v]}", attrs

    def nodes(
        self, graph: Drawing, drawn: list[Value], layout: list[Value], keys: dict[Value, Any]
    ) -> None:
        """Nodes, cluster by cluster (clusters ordered by their first Value, so the text is
        the same every run); a cluster of a single Value is not worth a box."""
        groups: dict[Any, list[Value]] = {}
        for v in drawn:
            groups.setdefault(keys.get(v), []).append(v)
        loose = groups.pop(None, [])
        for key, members in list(groups.items()):
            if len(members) < 2:
                loose.extend(members)
                del groups[key]
        place = {v: i for i, v in enumerate(layout)}
        loose.sort(key=place.__getitem__)
        for number, (key, members) in enumerate(groups.items()):
            with graph.subgraph(name=f"cluster_{number}") as sub:
                sub.attr(
                    label=f"<{html_text(key)}>",
                    style="rounded,dashed",
                    color="#969696",
                    fontcolor="#525252",
                    fontsize="11",
                    labeljust="l",
                )
                self._emit(sub, members)
        self._emit(graph, loose)

    def _emit(self, target: graphviz.Digraph, values: list[Value]) -> None:
        for v in values:
            name, attrs = self.value_node(v)
            target.node(name, **attrs)
            if v._prev and v._op:
                name, attrs = self.op_node(v)
                target.node(name, **attrs)

    def edges(
        self,
        graph: Drawing,
        drawn: list[Value],
        wires: list[Wire],
        cut: Collection[int],
        hidden: Mapping[Value, int],
    ) -> None:
        """Edges input -> operation -> result, one per input position (a * a has two)."""
        index = self.index
        for v in drawn:
            if v._prev and v._op:
                graph.edge(f"o{index[v]}", f"n{index[v]}")
        for number, (x, v, position, tag) in enumerate(wires):
            attrs: dict[str, str] = {}
            if tag:
                attrs.update(headlabel=tag, fontcolor="#737373", fontsize="9", labeldistance="1.6")
            if self.overlay is not None and (v, position) in self.overlay.flow:
                attrs.update(color=_FLOW_COLOR, penwidth="2.5")
            tail = f"n{index[x]}"
            if number in cut:  # drawn again beside this use (see layout.edges_to_cut)
                tail = f"c{index[v]}_{position}"
                _, node_attrs = self.value_node(x, again=True)
                graph.node(tail, **node_attrs)
            graph.edge(tail, _target(v, index), **attrs)
        for v, count in hidden.items():
            more = f"h{index[v]}"
            graph.node(
                more,
                label=f"<... {count} more>" if count > 1 else "<...>",
                shape="plaintext",
                fontcolor="#737373",
            )
            graph.edge(more, _target(v, index), style="dashed", color="#969696")


# ---- files ----------------------------------------------------------------------------

FORMATS = {"svg": "svg", "png": "png", "pdf": "pdf", "dot": "dot", "gv": "dot"}


def format_of(path: str | os.PathLike[str]) -> str:
    """The picture format for a file name, from its extension (svg, png, pdf, dot or gv)."""
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        known = ", ".join(f".{e}" for e in FORMATS)
        shown = f"'.{ext}'" if ext else "no extension"
        raise ValueError(f"cannot tell the picture format of {str(path)!r} ({shown}); use {known}")
    return FORMATS[ext]


def save_graph(
    graph: graphviz.Digraph, path: str | os.PathLike[str], format: str | None = None
) -> Path:
    """Write ``graph`` to ``path`` atomically; the format comes from the extension.

    ``.dot``/``.gv`` files get the DOT text (no Graphviz program needed); ``.svg``,
    ``.png`` and ``.pdf`` are rendered by ``dot``.
    """
    fmt = format or format_of(path)
    if fmt == "dot":
        data = graph.source.encode("utf-8")
    else:
        require_graphviz(getattr(graph, "engine", "dot"))
        data = graph.pipe(format=fmt)
    return write_atomic(path, data)
