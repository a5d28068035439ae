"""Checking a program: a replay against a fresh run of the traced function on Values.

A program replays what the function did for the example inputs; if the function takes
another path for other numbers (Python decided something from a number during the
trace), the two differ.  :func:`check` runs both and names every difference, bit for
bit (0.0 and -0.0 differ).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..backprop import gradients
from ..ops import Op
from ..value import Value
from .args import TraceError, build, flatten, leaf_names
from .record import nodes_of

if TYPE_CHECKING:
    from .program import Program


class TraceMismatch(TraceError, AssertionError):
    """:meth:`Program.check` found a replay that differs from running the function on Values."""


def check(program: Program, fn: Callable[..., Any], given: list[Value | None], args: tuple) -> bool:
    """True if the float replay and ``fn`` on Values agree at ``args``; else TraceMismatch."""
    leaves = program.leaves(args)
    grads = program.differentiable
    replay = _attempt(lambda: program.replay(args, grads))  # numpy backend too
    fresh = _attempt(lambda: _run(program, fn, given, leaves, grads))
    num_ops = None
    if fresh[0] == "ok":
        fresh, num_ops = ("ok", fresh[1][0]), fresh[1][1]
    problems = _differences(replay, fresh, grads, program)
    recorded = len(program.equations) + len(program.constant_equations)
    if num_ops is not None and num_ops != recorded:
        problems.append(f"operations: {recorded} recorded, {num_ops} now")
    if not problems:
        return True
    raise TraceMismatch(
        "check: the replay differs from running the function on Values:\n  - "
        + "\n  - ".join(problems)
        + "\nA program replays the operations recorded at trace time; the function "
        "probably takes another path for these numbers (Python decided something from "
        "a number during the trace: an if, a max, a clamp).  Write that part with "
        "Value operations, or keep it outside the traced function."
    )


def _run(
    program: Program, fn: Callable[..., Any], given: list[Value | None], leaves: list, grads: bool
) -> tuple[Any, int]:
    """fn on fresh Values (and on the given ones, set to these numbers for the run)."""
    saved = [(v, v.data) for v in given if v is not None]
    values = [v if v is not None else Value(x) for v, x in zip(given, leaves)]
    try:
        for v, x in zip(given, leaves):
            if v is not None:
                v.data = x
        out = fn(*build(program.arguments, iter(values)))
        roots: list[Value] = []
        floats = _floats_of(out, roots)
        num_ops = sum(1 for v in nodes_of(roots) if v._prev and type(v._op) is Op)
        if grads:
            if type(out) is not Value:
                raise TraceError(f"the function now returns {out!r:.40}")
            g = gradients(out, values)
            floats = (out.data, build(program.arguments, iter(g)))
        return floats, num_ops
    finally:
        for v, x in saved:
            v.data = x


def _floats_of(out: Any, roots: list[Value]) -> Any:
    if type(out) is Value:
        roots.append(out)
        return out.data
    if isinstance(out, (list, tuple)):
        return type(out)(_floats_of(o, roots) for o in out)
    return out


def _attempt(run: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return ("ok", run())
    except Exception as e:
        return ("error", f"{type(e).__name__}: {e}")


def same(a: Any, b: Any) -> bool:
    """Bit-for-bit equality of two results (nested), telling 0.0 from -0.0."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _differences(replay: tuple, fresh: tuple, grads: bool, program: Program) -> list[str]:
    if replay[0] == "error" or fresh[0] == "error":
        if replay[:2] == fresh[:2]:
            return []
        show = {"error": lambda r: f"raises {r[1]}", "ok": lambda r: "succeeds"}
        return [f"the replay {show[replay[0]](replay)}, the Values run {show[fresh[0]](fresh)}"]
    if not grads:
        if same(replay[1], fresh[1]):
            return []
        return [f"output: replay {replay[1]!r}, Values {fresh[1]!r}"]
    (v1, g1), (v2, g2) = replay[1], fresh[1]
    problems = [] if same(v1, v2) else [f"output: replay {v1!r}, Values {v2!r}"]
    names: list[str] = []
    leaf_names(program.arguments, "args", names)
    flat1: list[Any] = []
    flat2: list[Any] = []
    flatten(program.arguments, g1, flat1, "")
    flatten(program.arguments, g2, flat2, "")
    for name, a, b in zip(names, flat1, flat2):
        if not same(a, b):
            problems.append(f"gradient of {name}: replay {a!r}, Values {b!r}")
    return problems
