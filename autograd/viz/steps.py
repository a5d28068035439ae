"""The backward pass, one step at a time, as a learner would do it by hand.

Step 0 seeds the output: d out / d out = 1.  Each later step takes one node, in
reverse topological order (the engine's order), and passes its gradient on: every
input x receives ``node.grad * d node / d x``, the chain rule, computed with the
engine's own derivative rules.  A gradient is *final* once every node that uses it
has passed its gradient on, and *partial* before that.

>>> from autograd import Value
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> steps = backward_steps((x + y) * z)
>>> len(steps)
3
>>> print(steps[1])
(x + y) * z passes its gradient 1 on: x + y gets 1 * -4 = -4 (final); z gets 1 * 3 = 3 (final)
>>> print(steps[2])
x + y passes its gradient -4 on: x gets -4 * 1 = -4 (final); y gets -4 * 1 = -4 (final)
>>> steps.grads()[x], steps.grads()[y], steps.grads()[z]
(-4.0, -4.0, 3.0)

Nothing here touches any ``.grad``: the steps are a replay, not the backward pass.
"""

from __future__ import annotations

import base64
import hashlib
import html
import inspect
import itertools
import json
import math
import os
import re
import stat
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from ..backprop import topological_order
from ..ops import BY_NAME, Op
from ..reference import backpropagate
from ..support.files import made_folders, write_atomic, write_together
from ..value import Value
from .draw import (
    FORMATS,
    Drawing,
    Overlay,
    draw_with_overlay,
    format_number,
    require_graphviz,
)

__all__ = [
    "DEFAULT_MAX_STEPS",
    "BackwardSteps",
    "Step",
    "StepPictures",
    "StepPlayer",
    "backward_steps",
    "draw_step",
    "name_of",
    "save_steps",
    "step_player",
    "step_slider",
]


@dataclass(frozen=True)
class Step:
    """One step: ``node`` passes its gradient ``upstream`` on to its inputs.

    ``local[i]`` is d node / d input i (None when the node has no derivative rule, or
    when its gradient is 0 and the engine skips it) and ``added[i] = upstream * local[i]``
    is what input i receives, ``totals[i]`` its gradient just after.  ``finished`` lists
    the Values whose gradient became final at this step.  Step 0 is the seed: the
    output's gradient is set to 1.
    """

    index: int
    node: Value
    upstream: float
    local: tuple[float, ...] | None
    added: tuple[float, ...]
    totals: tuple[float, ...]
    finished: tuple[Value, ...]

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The node's inputs, in order (the seed step has none)."""
        return self.node._prev if self.index else ()

    def describe(self, precision: int = 4) -> str:
        """The step in one line of words and numbers."""
        return _describe_step(self, precision)

    def __str__(self) -> str:
        return self.describe()


class BackwardSteps(Sequence[Step]):
    """The steps of the backward pass from ``root``; ``steps[k]`` is step k.

    ``grads(k)`` and ``states(k)`` give where every gradient stands after step k;
    ``draw(k)`` pictures it, ``save(directory)`` writes every step as an image and
    ``slider()`` browses them in Jupyter.
    """

    def __init__(self, root: Value, *, strict: bool = True) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"backward_steps: expected a Value, got {type(root).__name__}")
        self.root = root
        self.order: list[Value] = topological_order(root)
        self._steps = _compute_steps(root, self.order, strict)
        self._grad_widths: dict[int, int] = {}

    # ---- the sequence ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._steps)

    @overload
    def __getitem__(self, k: int) -> Step: ...

    @overload
    def __getitem__(self, k: slice) -> list[Step]: ...

    def __getitem__(self, k: int | slice) -> Step | list[Step]:
        return self._steps[k]

    def __iter__(self) -> Iterator[Step]:
        return iter(self._steps)

    def __repr__(self) -> str:
        return f"<BackwardSteps: {len(self)} steps over {len(self.order)} values>"

    def __str__(self) -> str:
        return self.describe()

    def describe(self, precision: int = 4) -> str:
        """Every step, one per line."""
        return "\n".join(f"step {s.index}: {s.describe(precision)}" for s in self._steps)

    # ---- where the gradients stand ---------------------------------------------------

    def _index(self, k: int | None) -> int:
        n = len(self._steps)
        if k is None:
            return n - 1
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError(f"step number must be an int, got {k!r}")
        if not -n <= k < n:
            raise IndexError(f"step {k} does not exist: there are {n} steps (0 to {n - 1})")
        return k % n

    def grads(self, k: int | None = None) -> dict[Value, float]:
        """The gradients received by the end of step ``k`` (default: the last step).

        Values that have received nothing yet are absent.  After the last step these
        are exactly the numbers ``root.backward()`` adds to ``.grad``.
        """
        k = self._index(k)
        grads: dict[Value, float] = {self.root: 1.0}
        for step in self._steps[1 : k + 1]:
            _apply(step, grads)
        return grads

    def states(self, k: int | None = None) -> dict[Value, str]:
        """Each Value's state after step ``k``: 'current' (the node passing its gradient
        on), 'final', 'partial' (received some, more to come) or 'pending' (nothing yet)."""
        k = self._index(k)
        grads = self.grads(k)
        final = {v for step in self._steps[: k + 1] for v in step.finished}
        states = {}
        for v in self.order:
            if v in final:
                states[v] = "final"
            elif v in grads:
                states[v] = "partial"
            else:
                states[v] = "pending"
        if k:
            states[self._steps[k].node] = "current"
        return states

    # ---- pictures --------------------------------------------------------------------

    def draw(self, k: int, *, caption: bool = True, **options: Any) -> Drawing:
        """A picture of step ``k``: final, current, partial and pending Values in their
        own colours, the gradient flowing along the current node's input edges.

        ``options`` are those of :func:`~autograd.draw_dot` (``rankdir``, ``precision``,
        ``legend``, ``max_nodes``, ``cluster_by``, ``title``...).  Every step has the same
        layout, so that flipping through them shows only the gradients changing.
        ``caption=False`` leaves the step's words out of the picture (the player prints
        them under it, so that every frame has the same size).
        """
        k = self._index(k)
        precision = options.get("precision", 4)
        step = self._steps[k]
        flow = {(step.node, i) for i in range(len(step.inputs))}
        grads = self.grads(k)
        overlay = Overlay(
            states=self.states(k),
            grads=grads,
            current=step.node if k else None,
            flow=flow,
            caption=f"step {k} of {len(self) - 1}: {step.describe(precision)}" if caption else "",
            grad_width=self._grad_width(precision),
        )
        return draw_with_overlay(self.root, overlay=overlay, order=self.order, **options)

    def _grad_width(self, precision: int) -> int:
        # The widest grad field of any step, in points (Helvetica digits are about 7.8
        # points wide at 14 pt; a little more keeps the estimate on the safe side).
        if precision not in self._grad_widths:
            self._grad_widths[precision] = self._widest_grad(precision)
        return self._grad_widths[precision]

    def _widest_grad(self, precision: int) -> int:
        longest = len("?")
        grads: dict[Value, float] = {self.root: 1.0}
        for step in self._steps[1:]:
            _apply(step, grads)
            for x in step.inputs:
                longest = max(longest, len(format_number(grads[x], precision)))
        return math.ceil(8.5 * (len("grad ") + longest)) + 8

    def save(
        self, directory: str | os.PathLike[str], format: str = "svg", **options: Any
    ) -> list[Path]:
        """Write every step as ``step_00.svg``, ``step_01.svg``... into ``directory``.

        ``format`` is 'svg', 'png', 'pdf' or 'dot'; each file is written atomically.
        Returns the paths, in step order.
        """
        return save_steps(self, directory, format, **options)

    def slider(self, **options: Any) -> Any:
        """In Jupyter: a slider (and a play button) over the pictures of the steps."""
        return step_slider(self, **options)

    def player(self, **options: Any) -> StepPlayer:
        """The pictures of the steps as a self-contained HTML player that needs no kernel
        (see :func:`step_player`)."""
        return step_player(self, **options)


def _apply(step: Step, grads: dict[Value, float]) -> None:
    """Add a step's contributions to ``grads``, with the engine's arithmetic."""
    for x, added in zip(step.node._prev, step.added):
        if step.upstream != 0.0 and step.local is not None:
            grads[x] = grads.get(x, 0.0) + added
        else:
            grads.setdefault(x, 0.0)  # reached, with nothing (the engine skips it)
    for v in step.finished:
        grads.setdefault(v, 0.0)


def _compute_steps(root: Value, order: list[Value], strict: bool = True) -> list[Step]:
    """The steps, by the engine's rules and in the engine's order: the reference sweep
    (:func:`~autograd.reference.backpropagate`) with a recorder for its rules.

    Like the engine, a gradient that overflows raises OverflowError; with ``strict``
    False, a leaf's may (nothing else depends on it) and is recorded as it is.
    """
    grads: dict[Value, float] = dict.fromkeys(order, 0.0)
    grads[root] = 1.0
    recorder = _Recorder(root, order, grads, strict)
    backpropagate(order, grads, recorder)
    return recorder.steps


class _Recorder:
    """Float rules that write down each step: every node with inputs gets one, also one
    whose gradient is 0 (the engine skips it: it passes nothing on)."""

    def __init__(self, root: Value, order: list[Value], grads: dict, strict: bool) -> None:
        self.grads, self.strict = grads, strict
        # How many distinct nodes still have to pass a gradient to each Value.
        self.waiting = dict.fromkeys(order, 0)
        for v in order:
            for x in dict.fromkeys(v._prev):
                self.waiting[x] += 1
        self.steps = [Step(0, root, 1.0, (), (), (), (root,))]  # nothing uses the root
        self.g = 0.0
        self.local: tuple[float, ...] | None = None
        self.before: dict[Value, float] = {}

    def passes(self, node: Value, g: float) -> bool:
        if not math.isfinite(g) and (self.strict or node._prev):  # at leaves too, as the engine
            raise OverflowError(f"backward: the gradient at {node!r} overflowed to {g}")
        if not node._prev:
            return False
        self.g, self.local = g, None
        self.before = {x: self.grads.get(x, 0.0) for x in node._prev}
        if type(node._op) is Op:
            try:
                d = node._op.derivative(*[x.data for x in node._prev], node.data)
                self.local = (d,) if len(node._prev) == 1 else tuple(d)
            except Exception:
                if g != 0.0:
                    raise  # the engine raises too
                # the engine never evaluates the rule of a node whose gradient is 0
        if g != 0.0 and self.local is not None:
            return True
        self.done(node)  # a step that passes nothing on
        return False

    def slopes(self, node: Value) -> tuple[float, ...]:
        assert self.local is not None
        return self.local

    def add(self, total: float | None, g: float, d: float) -> float:
        return (0.0 if total is None else total) + g * d

    def done(self, node: Value) -> None:
        g, local = self.g, self.local
        added = tuple(g * d for d in local) if local is not None else (0.0,) * len(node._prev)
        running, totals = self.before, []  # each input's gradient after each share
        for x, a in zip(node._prev, added):
            if g != 0.0 and local is not None:
                running[x] = running[x] + a
            totals.append(running[x])
        finished = []
        for x in dict.fromkeys(node._prev):
            self.waiting[x] -= 1
            if self.waiting[x] == 0:
                finished.append(x)
        index = len(self.steps)
        self.steps.append(Step(index, node, g, local, added, tuple(totals), tuple(finished)))


# ---- words ----------------------------------------------------------------------------


def name_of(v: Value, precision: int = 4, depth: int = 3) -> str:
    """A short name for a Value: its label, its number (a constant), or the expression
    that made it, written out ``depth`` operations deep ("x + y", "tanh(... + ...)")."""
    return _name(v, precision, depth)[0]


# Python's operators, by the Value method that implements them, with their precedence:
# a name needs parentheses inside a tighter operator.
_OPERATORS = {"__add__": ("+", 1), "__sub__": ("-", 1), "__mul__": ("*", 2)}
_OPERATORS.update({"__truediv__": ("/", 2), "__pow__": ("**", 4)})
_NEG, _ATOM = 3, 5


def _name(v: Value, precision: int, depth: int) -> tuple[str, int]:
    if v.label:
        return str(v.label), _ATOM
    if not v._prev:
        text = format_number(v.data, precision)
        return text, (_NEG if text.startswith("-") else _ATOM)
    if depth <= 0:
        return "...", _ATOM
    args = [_name(x, precision, depth - 1) for x in v._prev]
    op = _op_of(v)
    if op is None or op.method is None:
        return f"{v._op or '?'}({', '.join(a for a, _ in args)})", _ATOM
    return _written(op, args)


def _op_of(v: Value) -> Op | None:
    """The op of v: its own, or the engine's op of that name for a node built by hand."""
    return v._op if type(v._op) is Op else BY_NAME.get(v._op)


def _written(op: Op, args: list[tuple[str, int]]) -> tuple[str, int]:
    """The application of op to args as a learner writes it (with its precedence)."""
    if op.method in _OPERATORS and len(args) == 2:
        symbol, p = _OPERATORS[op.method]
        (a, pa), (b, pb) = args
        right_assoc = symbol == "**"
        a = f"({a})" if pa < p or (right_assoc and pa == p) else a
        b = f"({b})" if pb < p or (not right_assoc and pb == p and symbol in "-/") else b
        return f"{a} {symbol} {b}", p
    if op.method == "__neg__" and len(args) == 1:
        a, pa = args[0]
        return (f"-({a})" if pa < _NEG else f"-{a}"), _NEG
    if op.method == "__pow__" and len(args) == 1:  # x ** n for a constant n
        (a, pa), (n,) = args[0], op.params
        shown = int(n) if n == int(n) else n
        return (f"({a})**{shown}" if pa <= 4 else f"{a}**{shown}"), 4
    method = str(op.method)
    extra = [f"{p:g}" for p in op.params if p != _default(method)]
    return f"{method}({', '.join([*(a for a, _ in args), *extra])})", _ATOM


def _default(method: str) -> Any:
    """The default of the one number a Value method takes besides self (leaky_relu's slope)."""
    parameters = list(inspect.signature(getattr(Value, method)).parameters.values())[1:]
    return parameters[0].default if parameters else None


def _describe_step(step: Step, precision: int) -> str:
    fmt = lambda x: format_number(x, precision)
    node = step.node
    if step.index == 0:
        return f"the output {name_of(node, precision)} starts with gradient 1 (d out / d out)"
    head = f"{name_of(node, precision)} passes its gradient {fmt(step.upstream)} on"
    if step.local is None:
        why = "it has no derivative rule" if type(node._op) is not Op else "it is 0"
        return f"{head}: nothing to pass, {why}"
    finished = set(step.finished)
    last = {x: i for i, x in enumerate(node._prev)}  # a * a: a's second share comes last
    parts = []
    for i, (x, d, a, total) in enumerate(zip(node._prev, step.local, step.added, step.totals)):
        tail = ", final" if x in finished and last[x] == i else ""
        sum_ = f" (total {fmt(total)}{tail})" if total != a else f" ({tail[2:]})" if tail else ""
        name = name_of(x, precision, 2)
        parts.append(f"{name} gets {fmt(step.upstream)} * {fmt(d)} = {fmt(a)}{sum_}")
    return f"{head}: " + "; ".join(parts)


# ---- functions over a root or its steps -----------------------------------------------


def backward_steps(root: Value, *, strict: bool = True) -> BackwardSteps:
    """The steps of the backward pass from ``root`` (nothing's ``.grad`` changes).

    A gradient that overflows raises OverflowError, as in ``backward()``; with
    ``strict=False`` the gradient of a leaf (a constant, say) may overflow to inf, since
    no other gradient depends on it.
    """
    return BackwardSteps(root, strict=strict)


def _steps_of(root_or_steps: Value | BackwardSteps) -> BackwardSteps:
    if isinstance(root_or_steps, BackwardSteps):
        return root_or_steps
    return BackwardSteps(root_or_steps)


def draw_step(root_or_steps: Value | BackwardSteps, k: int, **options: Any) -> Drawing:
    """The picture of step ``k`` of the backward pass (see :meth:`BackwardSteps.draw`)."""
    return _steps_of(root_or_steps).draw(k, **options)


# More step pictures than this are refused unless asked for: each one is a Graphviz run,
# and a long expression has thousands of steps (a 4,000-character one wrote 2,001 files).
DEFAULT_MAX_STEPS = 100

# The files save_steps writes, and the record it keeps beside them of what it wrote (name
# and SHA-256 of each): a new run removes the previous run's pictures, and only those.
FRAME = re.compile(r"step_\d+\.(?:svg|png|pdf|dot|gv)")
RECORD = ".valuegrad-steps.json"
_RECORD_FORMAT = "valuegrad.steps"
_MAX_RECORD = 1 << 20  # bytes: a record of 100 names is about 10 kB


def save_steps(
    root_or_steps: Value | BackwardSteps,
    directory: str | os.PathLike[str],
    format: str = "svg",
    *,
    max_steps: int | None = DEFAULT_MAX_STEPS,
    **options: Any,
) -> list[Path]:
    """Write the picture of every step to ``directory`` as step_00.svg, step_01.svg, ...

    The directory is created if needed.  Every picture is made before any file is
    written, and the files are put in place together (see
    :func:`autograd.support.files.write_together`): the folder ends up holding the new
    pictures, or, after a failure, exactly what it held before.  The pictures an earlier
    call wrote there are removed, if unchanged since (they are listed, with a digest of
    each, in the hidden file ``.valuegrad-steps.json``); every other file stays, even
    one named like a picture.  More than ``max_steps`` pictures (None: no limit) raise
    ValueError before anything is drawn.
    """
    steps = _steps_of(root_or_steps)
    if format not in FORMATS:
        raise ValueError(f"save_steps: format must be one of {', '.join(FORMATS)}, got {format!r}")
    if max_steps is not None and len(steps) > max_steps:
        raise ValueError(
            f"save_steps: the backward pass has {len(steps):,} steps, more than max_steps="
            f"{max_steps:,} pictures; pass max_steps={len(steps)} (or None) to write them all"
        )
    if FORMATS[format] != "dot":
        require_graphviz()  # before anything is written
    folder = Path(directory)
    width = max(2, len(str(len(steps) - 1)))
    pictures = {}
    for k in range(len(steps)):
        drawing = steps.draw(k, **options)
        if FORMATS[format] == "dot":
            pictures[f"step_{k:0{width}d}.{format}"] = drawing.source.encode("utf-8")
        else:
            pictures[f"step_{k:0{width}d}.{format}"] = drawing.pipe(format=FORMATS[format])
    record = {
        "format": _RECORD_FORMAT,
        "frames": {name: hashlib.sha256(data).hexdigest() for name, data in pictures.items()},
    }
    files = {**pictures, RECORD: json.dumps(record, indent=1) + "\n"}
    with made_folders(folder):
        old = _recorded_frames(folder)
        return write_together(folder, files, stale=old)[: len(pictures)]


def _recorded_frames(folder: Path) -> list[str]:
    """The pictures that the last save into ``folder`` wrote and that nobody has changed
    since; a missing or damaged record names none."""
    try:
        record = json.loads(_read_regular(folder / RECORD, _MAX_RECORD))
        frames = record["frames"] if record["format"] == _RECORD_FORMAT else {}
        named = list(frames.items())
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return []
    mine = []
    for name, digest in named:
        if isinstance(name, str) and FRAME.fullmatch(name) and isinstance(digest, str):
            try:
                data = _read_regular(folder / name, 1 << 30)
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() == digest:
                mine.append(name)
    return mine


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (OSError for anything else)."""
    with open(path, "rb", opener=_open_without_waiting) as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"{path} is larger than {limit} bytes")
    return data


def _open_without_waiting(path: str, flags: int) -> int:
    # O_NONBLOCK: a FIFO put in place of the record must not make save_steps wait.
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


class StepPictures(list):
    """The pictures of every step, shown one after another in Jupyter (the fallback of
    :func:`step_slider` when ipywidgets is missing)."""

    def _repr_html_(self) -> str:
        return "".join(f"<div>{d._repr_svg_()}</div>" for d in self)


def step_slider(root_or_steps: Value | BackwardSteps, **options: Any) -> Any:
    """In Jupyter: a slider and a play button over the pictures of the steps.

    Needs ipywidgets; without it, warns and returns every picture in a
    :class:`StepPictures` list, which Jupyter shows one after another.
    """
    steps = _steps_of(root_or_steps)
    try:
        import ipywidgets as widgets
    except ImportError:
        warnings.warn(
            "step_slider: ipywidgets is not installed (pip install 'valuegrad[notebook]'); "
            "showing every step one after another instead",
            stacklevel=2,
        )
        return StepPictures(steps.draw(k, **options) for k in range(len(steps)))

    cache: dict[int, str] = {}

    def svg(k: int) -> str:
        if k not in cache:
            cache[k] = steps.draw(k, **options)._repr_svg_()
        return cache[k]

    last = len(steps) - 1
    picture = widgets.HTML(value=svg(0))
    slider = widgets.IntSlider(value=0, min=0, max=last, step=1, description="step")
    play = widgets.Play(value=0, min=0, max=last, step=1, interval=1500, description="play")
    widgets.jslink((play, "value"), (slider, "value"))

    def show(change: dict[str, Any]) -> None:
        picture.value = svg(change["new"])

    slider.observe(show, names="value")
    return widgets.VBox([widgets.HBox([play, slider]), picture])


# ---- the player: the steps as HTML that reads without a kernel --------------------------

# Every frame is embedded in the page, so the page grows with the number of steps: past
# this many, the caller picks the steps to show.
MAX_PLAYER_FRAMES = 100

_player_ids = itertools.count()


class StepPlayer:
    """The pictures of the steps as one self-contained piece of HTML.

    Where JavaScript runs (Jupyter, an HTML export, nbviewer, a saved page) it is a
    player: first / previous / play / next / last buttons, a slider, the arrow keys, and
    the step's words under the picture.  Where it does not (GitHub, a sanitised page) the
    same HTML shows every frame one under another, each with its words.  The pictures are
    SVG inside the page, so it needs no kernel, no files and no network.
    ``_repr_html_`` is what Jupyter displays; ``save(path)`` writes a page of its own.
    """

    def __init__(
        self, steps: BackwardSteps, frames: list[int], interval: float, options: dict[str, Any]
    ) -> None:
        self.steps = steps
        self.frames = frames
        self.interval = interval
        self._options = options
        self._pictures: list[str] | None = None

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<StepPlayer: {len(self)} frames of {len(self.steps)} steps>"

    def __str__(self) -> str:
        return "\n".join(self.captions())

    def captions(self) -> list[str]:
        """The words under each frame ("step k of n: ...")."""
        precision = self._options.get("precision", 4)
        last = len(self.steps) - 1
        return [f"step {k} of {last}: {self.steps[k].describe(precision)}" for k in self.frames]

    def pictures(self) -> list[str]:
        """Each frame's SVG (drawn once, on first use, without the caption)."""
        if self._pictures is None:
            self._pictures = [
                self.steps.draw(k, caption=False, **self._options)._repr_svg_() for k in self.frames
            ]
        return self._pictures

    def html(self) -> str:
        """The player as an HTML fragment: frames, their words, and the script."""
        pictures = self.pictures()
        captions = self.captions()
        digest = hashlib.sha1("".join(pictures + captions).encode("utf-8")).hexdigest()[:10]
        uid = f"valuegrad-player-{digest}-{next(_player_ids)}"
        figures = []
        for k, svg, words in zip(self.frames, pictures, captions):
            data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
            text = html.escape(words)
            figures.append(
                f'<figure class="vg-frame" data-step="{k}" style="margin:0 0 1.2em 0">'
                f'<img src="data:image/svg+xml;base64,{data}" alt="{text}" '
                'style="display:block;max-width:100%;height:auto">'
                '<figcaption style="margin-top:0.4em;font-size:0.95em;line-height:1.35">'
                f"{text}</figcaption></figure>"
            )
        script = (
            _PLAYER_SCRIPT.replace("__ID__", uid)
            .replace("__INTERVAL__", str(round(self.interval * 1000)))
            .replace("__LAST__", str(len(self.steps) - 1))
        )
        return (
            f'<div class="valuegrad-player" id="{uid}" tabindex="0" '
            'style="max-width:900px;font-family:Helvetica,Arial,sans-serif;outline:none">'
            + "".join(figures)
            + f"<script>{script}</script></div>"
        )

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the player as a page of its own (UTF-8 HTML), atomically."""
        title = html.escape(f"The backward pass of {name_of(self.steps.root)}")
        page = (
            '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
            f"<title>{title}</title></head>\n<body>\n{self.html()}\n</body>\n</html>\n"
        )
        return write_atomic(path, page.encode("utf-8"))


# Hides every frame but one and adds the controls; without it every frame stays visible.
_PLAYER_SCRIPT = """(function () {
  var root = document.getElementById("__ID__");
  if (!root || root.getAttribute("data-ready")) return;
  root.setAttribute("data-ready", "1");
  var frames = root.querySelectorAll(".vg-frame"), n = frames.length, k = 0, timer = null;
  var bar = document.createElement("div");
  bar.className = "vg-controls";
  bar.style.cssText = "display:flex;align-items:center;gap:0.4em;margin:0 0 0.6em 0";
  function button(text, title, action) {
    var b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.title = title;
    b.onclick = function () { action(); root.focus({preventScroll: true}); };
    bar.appendChild(b);
    return b;
  }
  function show(i) {
    k = Math.max(0, Math.min(n - 1, i));
    for (var j = 0; j < n; j++) frames[j].style.display = j === k ? "" : "none";
    range.value = k;
    where.textContent = "step " + frames[k].getAttribute("data-step") + " of __LAST__";
  }
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null; play.textContent = "\\u25B6 play";
  }
  function go(i) { stop(); show(i); }
  button("|\\u25C0", "first step", function () { go(0); });
  button("\\u25C0", "previous step (left arrow)", function () { go(k - 1); });
  var play = button("\\u25B6 play", "play / pause (space)", function () {
    if (timer !== null) { stop(); return; }
    if (k === n - 1) show(0);
    play.textContent = "pause";
    timer = setInterval(function () { if (k >= n - 1) stop(); else show(k + 1); }, __INTERVAL__);
  });
  button("\\u25B6", "next step (right arrow)", function () { go(k + 1); });
  button("\\u25B6|", "last step", function () { go(n - 1); });
  var range = document.createElement("input");
  range.type = "range"; range.min = 0; range.max = n - 1; range.step = 1;
  range.style.flex = "1"; range.setAttribute("aria-label", "step");
  range.oninput = function () { go(parseInt(range.value, 10)); };
  bar.appendChild(range);
  var where = document.createElement("span");
  where.style.cssText = "min-width:7em;text-align:right;font-size:0.9em";
  bar.appendChild(where);
  root.insertBefore(bar, root.firstChild);
  root.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { go(k + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { go(k - 1); e.preventDefault(); }
    else if (e.key === " ") { play.onclick(); e.preventDefault(); }
  });
  show(0);
})();"""


def step_player(
    root_or_steps: Value | BackwardSteps,
    *,
    frames: Iterable[int] | None = None,
    interval: float = 1.5,
    **options: Any,
) -> StepPlayer:
    """The pictures of the backward pass as a player that reads without a kernel.

    Unlike :func:`step_slider` (ipywidgets, blank once the kernel is gone), the result is
    plain HTML with the pictures inside: it plays in Jupyter, in an HTML export and on
    nbviewer, and shows every frame one under another where scripts are stripped.
    ``frames`` picks the steps to show (default all; at most ``MAX_PLAYER_FRAMES``),
    ``interval`` is the time per frame when playing, in seconds, and ``options`` go to
    :meth:`BackwardSteps.draw`.
    """
    steps = _steps_of(root_or_steps)
    chosen = list(range(len(steps))) if frames is None else [steps._index(k) for k in frames]
    if not chosen:
        raise ValueError("step_player: frames is empty; give at least one step number")
    if len(chosen) > MAX_PLAYER_FRAMES:
        n = len(chosen)
        raise ValueError(
            f"step_player: {n:,} frames are too many to embed in one page (at most "
            f"{MAX_PLAYER_FRAMES}); pick some with frames=, e.g. "
            f"frames=range(0, {n}, {math.ceil(n / MAX_PLAYER_FRAMES)})"
        )
    if isinstance(interval, bool) or not isinstance(interval, (int, float)):
        raise TypeError(f"step_player: interval must be a number of seconds, got {interval!r}")
    if not (math.isfinite(interval) and interval > 0):
        raise ValueError(
            f"step_player: interval must be a positive number of seconds, got {interval!r}"
        )
    require_graphviz()  # before any drawing
    return StepPlayer(steps, chosen, float(interval), options)
