"""Recording: run a function once on Values, then read its graph as a program.

Nothing of :class:`~autograd.Value` is patched: the function runs on ordinary Values, and
afterwards the graph from its outputs back to its inputs *is* the record (operations
whose results the output does not use are not part of it).  While the function runs,
reading or setting ``.data`` of a Value that depends on the inputs, or printing one
(``str``, ``repr``, an f-string read the number too), raises :class:`TraceError` saying
where: a decision taken from the number would be baked into the program.  Inside
``with allow_data():`` such reads are let through.
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from ..backprop import topological_order
from ..ops import Op
from ..value import DATA_WATCH, Value, tape
from .args import Shape, TraceError, shape_of
from .ir import IR, Equations

_local = threading.local()  # the recording running in this thread, if any
_lock = threading.Lock()


class _Recording:
    """What one running trace knows: its inputs, and which Values depend on them."""

    def __init__(self, inputs: list[Value]) -> None:
        self.depends: dict[Value, bool] = dict.fromkeys(inputs, True)
        self.allowed = 0  # depth of allow_data() blocks

    def depends_on_inputs(self, v: Value) -> bool:
        """Whether v was computed from the inputs (remembered for every node looked at)."""
        known = self.depends
        if v in known:
            return known[v]
        for node in topological_order(v):  # inputs first, so each answer is ready in time
            if node not in known:
                known[node] = any(known[x] for x in node._prev)
        return known[v]


def _check(v: Value, what: str) -> None:
    recording = getattr(_local, "recording", None)
    if recording is not None and not recording.allowed and recording.depends_on_inputs(v):
        raise _refuse(what)


def _where_outside_engine() -> str:
    frame: FrameType | None = sys._getframe(1)
    package = os.path.dirname(os.path.dirname(__file__))  # autograd/
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
    if frame is None:
        return ""
    return f" (at {frame.f_code.co_filename}:{frame.f_lineno}, in {frame.f_code.co_name})"


def _refuse(what: str) -> TraceError:
    return TraceError(
        f"trace: the function {what} .data of a Value that depends on the traced inputs"
        f"{_where_outside_engine()}.  A traced program replays the recorded operations on "
        "new numbers, so whatever Python decides from this number (an if, a max, a "
        "float(...), a printed or formatted value) would be baked in as it was for the "
        "example inputs.  Use Value operations instead (x.relu(), x.abs(), ...); or, if "
        "the read does not change the computation (a check, a print), put it inside "
        "`with autograd.trace.allow_data():`."
    )


@contextmanager
def _recording(inputs: list[Value]) -> Iterator[None]:
    previous = getattr(_local, "recording", None)
    with _lock:
        DATA_WATCH.check = _check
        DATA_WATCH.active += 1
    _local.recording = _Recording(inputs)
    try:
        yield
    finally:
        _local.recording = previous
        with _lock:
            DATA_WATCH.active -= 1


@contextmanager
def allow_data() -> Iterator[None]:
    """Let the traced function read (or set) ``.data`` of traced Values inside the block.

    For reads that do not change which operations run: a check, a print, a log line.
    Anything else computed from the number is baked into the program as a constant.
    """
    recording = getattr(_local, "recording", None)
    if recording is not None:
        recording.allowed += 1
    try:
        yield
    finally:
        if recording is not None:
            recording.allowed -= 1


def inputs_of(example_args: tuple) -> tuple[Shape, list[Value], list[bool]]:
    """The shape of the arguments, one input Value per leaf (a fresh one for a number,
    the Value itself for a Value, which must be a leaf, given once), and which leaves were
    Values."""
    leaves: list[Any] = []
    shape = shape_of(example_args, leaves)
    assert shape is not None
    inputs: list[Value] = []
    seen: set[Value] = set()
    for i, x in enumerate(leaves):
        if type(x) is Value:
            if x._prev:
                raise TraceError(
                    f"trace: argument leaf {i} is a Value computed from others ({x!r}); "
                    "only leaves (made from numbers, such as parameters) can be inputs"
                )
            if x in seen:
                raise TraceError(f"trace: the Value {x!r} appears twice among the arguments")
            seen.add(x)
            inputs.append(x)
        else:
            try:
                inputs.append(Value(x))
            except (TypeError, ValueError, OverflowError) as e:
                raise type(e)(f"trace: argument leaf {i}: {e}") from None
    return shape, inputs, [type(x) is Value for x in leaves]


def run(fn: Callable[..., Any], args: tuple, inputs: list[Value]) -> tuple[Any, list[Value]]:
    """fn(*args) with reads of the inputs' numbers (and their results') refused, and
    every node made meanwhile in this thread, in the order made."""
    with _recording(inputs), tape() as made:
        return fn(*args), made


def to_ir(shape: Shape, inputs: list[Value], out: Any, made: list[Value]) -> IR:
    """The program of what fn did: the operations on the ``inputs`` (in the order they
    were ``made``, including those whose results fn's output ``out`` does not use, so
    that their errors stay the Value path's), and the constants they use."""
    roots: list[Value] = []
    _output_values(out, roots)
    traced = dict.fromkeys(inputs, True)
    created = []
    for v in made:  # made before the nodes made from them: the order is topological
        if v not in traced and v._prev and any(traced.get(x, False) for x in v._prev):
            traced[v] = True
            created.append(v)
    nodes = nodes_of(roots + created)
    late = []  # traced, but not made by the engine in this thread (another thread, by hand)
    for v in nodes:
        if v not in traced:
            traced[v] = bool(v._prev) and any(traced[x] for x in v._prev)
            if traced[v]:
                if type(v._op) is not Op:
                    raise TraceError(
                        f"trace: {v!r} was built by hand (Value(..., _children=...)) from "
                        "traced Values; a program can only replay the engine's operations"
                    )
                late.append(v)
    slot: dict[Value, int] = {v: i for i, v in enumerate(inputs)}
    constants = [v for v in nodes if not traced[v]]
    # the operations in the order fn made them (in graph order if some were not seen)
    steps = [v for v in nodes if traced[v] and v not in slot] if late else created
    for v in constants + steps:
        slot[v] = len(slot)
    ir = IR(
        arguments=shape,
        num_inputs=len(inputs),
        num_slots=len(slot),
        forward_slots=len(slot),
        constants={slot[v]: v.data for v in constants},  # the recording is over: no watch
        constant_equations=_equations(constants, slot),
        equations=_equations(steps, slot),
        outputs=None,
        labels={slot[v]: v.label for v in slot if v.label},
    )
    ir.outputs = _map_outputs(out, slot, ir)
    return ir


def nodes_of(roots: list[Value]) -> list[Value]:
    """Every node the roots depend on, each after its inputs."""
    order: list[Value] = []
    seen: set[Value] = set()
    for r in roots:
        if r not in seen:
            for v in topological_order(r):
                if v not in seen:
                    seen.add(v)
                    order.append(v)
    return order


def _equations(nodes: list[Value], slot: dict[Value, int]) -> Equations:
    out = Equations()
    for v in nodes:
        if v._prev and type(v._op) is Op:
            out.append(v._op, [slot[x] for x in v._prev], slot[v])
    return out


def _output_values(out: Any, values: list[Value]) -> None:
    if type(out) is Value:
        values.append(out)
    elif isinstance(out, (list, tuple)):
        for o in out:
            _output_values(o, values)
    elif not isinstance(out, numbers.Real) or isinstance(out, bool):
        raise TraceError(
            "trace: the function must return a Value, a number, or a list/tuple of them; "
            f"it returned {out!r:.40} (of type {type(out).__name__})"
        )


def _map_outputs(out: Any, slot: dict[Value, int], ir: IR) -> Any:
    """The outputs as slots; a number becomes a constant slot of its own."""
    if type(out) is Value:
        return slot[out]
    if isinstance(out, (list, tuple)):
        kind = type(out) if type(out) in (list, tuple) else list
        return kind(_map_outputs(o, slot, ir) for o in out)
    try:
        number = float(out)
    except OverflowError:
        digits = int(out.bit_length() * math.log10(2)) + 1 if isinstance(out, int) else 0
        size = f" of about {digits:,} digits" if digits else ""
        raise TraceError(
            f"trace: the function returned a number{size}, too large for a float (at most "
            "about 1.8e308)"
        ) from None
    if not math.isfinite(number):
        raise TraceError(f"trace: the function returned {number!r}, not a finite number")
    s = ir.num_slots
    ir.num_slots += 1
    ir.forward_slots += 1
    ir.constants[s] = number
    return s
