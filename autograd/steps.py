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

import math
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from .backprop import topological_order
from .draw import (
    FORMATS,
    Drawing,
    Overlay,
    _draw,
    format_number,
    require_graphviz,
    save_graph,
)
from .ops import Op
from .value import Value

__all__ = [
    "BackwardSteps",
    "Step",
    "StepPictures",
    "backward_steps",
    "draw_step",
    "name_of",
    "save_steps",
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

    def __init__(self, root: Value) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"backward_steps: expected a Value, got {type(root).__name__}")
        self.root = root
        self.order: list[Value] = topological_order(root)
        self._steps = _compute_steps(root, self.order)
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

    def draw(self, k: int, **options: Any) -> Drawing:
        """A picture of step ``k``: final, current, partial and pending Values in their
        own colours, the gradient flowing along the current node's input edges.

        ``options`` are those of :func:`~autograd.draw_dot` (``rankdir``, ``precision``,
        ``legend``, ``max_nodes``, ``cluster_by``, ``title``...).  Every step has the same
        layout, so that flipping through them shows only the gradients changing.
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
            caption=f"step {k} of {len(self) - 1}: {step.describe(precision)}",
            grad_width=self._grad_width(precision),
        )
        return _draw(self.root, overlay=overlay, order=self.order, **options)

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


def _apply(step: Step, grads: dict[Value, float]) -> None:
    """Add a step's contributions to ``grads``, with the engine's arithmetic."""
    for x, added in zip(step.node._prev, step.added):
        if step.upstream != 0.0 and step.local is not None:
            grads[x] = grads.get(x, 0.0) + added
        else:
            grads.setdefault(x, 0.0)  # reached, with nothing (the engine skips it)
    for v in step.finished:
        grads.setdefault(v, 0.0)


def _compute_steps(root: Value, order: list[Value]) -> list[Step]:
    """The steps, by the engine's rules and in the engine's order (see autograd.backprop)."""
    # How many distinct nodes still have to pass a gradient to each Value.
    waiting = dict.fromkeys(order, 0)
    for v in order:
        for x in dict.fromkeys(v._prev):
            waiting[x] += 1
    grads: dict[Value, float] = {root: 1.0}
    steps = [Step(0, root, 1.0, (), (), (), (root,))]  # nothing in its graph uses the root
    for node in reversed(order):
        g = grads.get(node, 0.0)
        if not math.isfinite(g):  # checked at leaves too, as the engine does
            raise OverflowError(f"backward: the gradient at {node!r} overflowed to {g}")
        prev = node._prev
        if not prev:
            continue
        local: tuple[float, ...] | None = None
        if type(node._op) is Op:
            try:
                d = node._op.derivative(*[x.data for x in prev], node.data)
                local = (d,) if len(prev) == 1 else tuple(d)
            except Exception:
                if g != 0.0:
                    raise  # the engine raises too
                # the engine never evaluates the rule of a node whose gradient is 0
        added = tuple(g * d for d in local) if local is not None else (0.0,) * len(prev)
        totals = []
        for x, a in zip(prev, added):
            if g != 0.0 and local is not None:  # the engine skips a zero gradient
                grads[x] = grads.get(x, 0.0) + a
            totals.append(grads.get(x, 0.0))
        finished = []
        for x in dict.fromkeys(prev):
            waiting[x] -= 1
            if waiting[x] == 0:
                finished.append(x)
        steps.append(Step(len(steps), node, g, local, added, tuple(totals), tuple(finished)))
    return steps


# ---- words ----------------------------------------------------------------------------

_INFIX = ("+", "-", "*", "/", "**")
_FUNCTION_NAMES = {"ReLU": "relu", "LeakyReLU": "leaky_relu"}


def name_of(v: Value, precision: int = 4, depth: int = 3) -> str:
    """A short name for a Value: its label, its number (a constant), or the expression
    that made it, written out ``depth`` operations deep ("x + y", "tanh(... + ...)")."""
    return _name(v, precision, depth)[0]


# Operator precedence, as in Python: a name needs parentheses inside a tighter operator.
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}
_ATOM = 5


def _name(v: Value, precision: int, depth: int) -> tuple[str, int]:
    if v.label:
        return str(v.label), _ATOM
    if not v._prev:
        text = format_number(v.data, precision)
        return text, (_PRECEDENCE["neg"] if text.startswith("-") else _ATOM)
    if depth <= 0:
        return "...", _ATOM
    op = str(v._op)
    args = [_name(x, precision, depth - 1) for x in v._prev]
    if op in _INFIX and len(args) == 2:
        p = _PRECEDENCE[op]
        (a, pa), (b, pb) = args
        right_assoc = op == "**"
        a = f"({a})" if pa < p or (right_assoc and pa == p) else a
        b = f"({b})" if pb < p or (not right_assoc and pb == p and op in "-/") else b
        return f"{a} {op} {b}", p
    if op == "neg" and len(args) == 1:
        a, pa = args[0]
        return (f"-({a})" if pa < _PRECEDENCE["neg"] else f"-{a}"), _PRECEDENCE["neg"]
    if op.startswith("**") and len(args) == 1:
        a, pa = args[0]
        return (f"({a}){op}" if pa <= _PRECEDENCE["**"] else f"{a}{op}"), _PRECEDENCE["**"]
    texts = [a for a, _ in args]
    if op.startswith("LeakyReLU(") and len(args) == 1:
        return f"leaky_relu({texts[0]}, {op[len('LeakyReLU(') : -1]})", _ATOM
    return f"{_FUNCTION_NAMES.get(op, op or '?')}({', '.join(texts)})", _ATOM


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


def backward_steps(root: Value) -> BackwardSteps:
    """The steps of the backward pass from ``root`` (nothing's ``.grad`` changes)."""
    return BackwardSteps(root)


def _steps_of(root_or_steps: Value | BackwardSteps) -> BackwardSteps:
    if isinstance(root_or_steps, BackwardSteps):
        return root_or_steps
    return BackwardSteps(root_or_steps)


def draw_step(root_or_steps: Value | BackwardSteps, k: int, **options: Any) -> Drawing:
    """The picture of step ``k`` of the backward pass (see :meth:`BackwardSteps.draw`)."""
    return _steps_of(root_or_steps).draw(k, **options)


def save_steps(
    root_or_steps: Value | BackwardSteps,
    directory: str | os.PathLike[str],
    format: str = "svg",
    **options: Any,
) -> list[Path]:
    """Write the picture of every step to ``directory`` as step_00.svg, step_01.svg, ...

    The directory is created if needed; each file is written atomically.
    """
    steps = _steps_of(root_or_steps)
    if format not in FORMATS:
        raise ValueError(f"save_steps: format must be one of {', '.join(FORMATS)}, got {format!r}")
    if FORMATS[format] != "dot":
        require_graphviz()  # before anything is written
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    width = max(2, len(str(len(steps) - 1)))
    paths = []
    for k in range(len(steps)):
        path = folder / f"step_{k:0{width}d}.{format}"
        paths.append(save_graph(steps.draw(k, **options), path, FORMATS[format]))
    return paths


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
