"""Trace once, replay many: record what a function does to Values, then run it on floats.

``trace(fn, *example_args)`` calls ``fn`` once on Values made from the example
arguments and records every operation that depends on them.  The result, a
:class:`Program`, replays those operations on new numbers without building a single
Value: ``program(*args)`` gives fn's outputs, ``program.value_and_grad(*args)`` the
output and d output / d argument for every argument, both bit for bit what the Value
graph and ``backward()`` give.  The replay is straight-line Python generated from the
recorded operations and compiled once (``program.source`` shows it): a small
just-in-time compiler.

What a trace cannot see is Python's own control flow: ``if x.data > 0:`` runs once,
during the trace, and the branch taken is baked into the program.  So reading ``.data``
of a traced Value inside ``fn`` raises :class:`TraceError`; wrap a read that does not
change the computation (a check, a print) in ``with allow_data():``.
``program.check(*args)`` compares a replay with a fresh run of ``fn`` on Values.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from types import FrameType
from typing import Any, NamedTuple, cast

from .. import ops as _ops
from .. import value as _value
from ..backprop import gradients, topological_order
from ..ops import Op
from ..value import Value

__all__ = ["Program", "Step", "TraceError", "TraceMismatch", "allow_data", "trace"]


class TraceError(Exception):
    """A function cannot be traced as asked, or a program was called with the wrong shape."""


class TraceMismatch(TraceError, AssertionError):
    """:meth:`Program.check` found a replay that differs from running the function on Values."""


class Step(NamedTuple):
    """One recorded operation: ``slots[output] = op(*slots[inputs])``."""

    op: Op
    inputs: tuple[int, ...]
    output: int


# --------------------------------------------------------------------------------------
# Recording.  While a trace runs (and only then), two hooks are swapped in: the engine's
# node constructor records every node it builds, and ``Value.data`` becomes a property
# that refuses reads of traced Values from outside the engine.  Outside a trace the class
# holds its plain slot, so the normal path pays nothing.

_DATA = Value.__dict__["data"]  # the slot descriptor that __slots__ created
_get_data, _set_data = _DATA.__get__, _DATA.__set__
_plain_node = _value._node
_local = threading.local()  # the trace running in this thread, if any
_hooks_lock = threading.Lock()
_hooks_users = 0


def _engine_code() -> frozenset:
    """Code objects of value.py that read ``.data`` only to apply a recorded op."""
    codes = set()
    functions = [f for f in vars(_value).values() if callable(f)] + list(vars(Value).values())
    stack = [getattr(f, "fget", f) for f in functions]
    while stack:
        f = stack.pop()
        code = getattr(f, "__code__", f)
        if type(code) is not type(_engine_code.__code__):
            continue
        if code.co_filename != _value.__file__ or code.co_name in ("_backward", "backward"):
            continue
        codes.add(code)
        stack += [c for c in code.co_consts if type(c) is type(code)]
    return frozenset(codes)


_ENGINE = _engine_code()


class _Recorder:
    """What one running trace collects."""

    def __init__(self, inputs: list[Value]) -> None:
        self.traced: set[Value] = set(inputs)  # the inputs and every node built from them
        self.created: list[Value] = []  # traced nodes, in the order fn built them
        self.allowed = 0  # depth of allow_data() blocks


def _note(v: Any) -> None:
    """Record ``v`` if the running trace depends on it (its inputs are traced)."""
    rec = getattr(_local, "recorder", None)
    if rec is not None and type(v) is Value and v._a is not None:
        traced = rec.traced
        if any(x in traced for x in v._prev):
            traced.add(v)
            rec.created.append(v)


def _recording_node(data: float, a: Any, b: Any, op: Any) -> Value:
    v = _plain_node(data, a, b, op)
    _note(v)
    return v


# value.py builds the nodes of + - * itself (without _node): wrap those methods too.
_INLINED = {name: vars(Value)[name] for name in ("__add__", "__sub__", "__mul__")}


def _recording(method: Callable[..., Any]) -> Callable[..., Any]:
    def record(self: Value, *other: Any) -> Any:
        v = method(self, *other)
        _note(v)
        return v

    return record


def _where_outside_engine(depth: int) -> str:
    frame: FrameType | None = sys._getframe(depth)
    package = os.path.dirname(_value.__file__)
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
    if frame is None:
        return ""
    return f" (at {frame.f_code.co_filename}:{frame.f_lineno}, in {frame.f_code.co_name})"


def _refuse(what: str) -> TraceError:
    return TraceError(
        f"trace: the function {what} .data of a Value that depends on the traced inputs"
        f"{_where_outside_engine(3)}.  A traced program replays the recorded operations on "
        "new numbers, so whatever Python decides from this number (an if, a max, a "
        "float(...)) would be baked in as it was for the example inputs.  Use Value "
        "operations instead (x.relu(), x.abs(), ...); or, if the read does not change the "
        "computation (a check, a print), put it inside `with autograd.trace.allow_data():`."
    )


def _guarded_get(v: Value) -> float:
    rec = getattr(_local, "recorder", None)
    if (
        rec is not None
        and not rec.allowed
        and v in rec.traced
        and sys._getframe(1).f_code not in _ENGINE
    ):
        raise _refuse("read")
    return _get_data(v, Value)


def _guarded_set(v: Value, x: float) -> None:
    rec = getattr(_local, "recorder", None)
    if rec is not None and not rec.allowed and v in rec.traced:
        raise _refuse("set")
    _set_data(v, x)


@contextmanager
def _hooks() -> Iterator[None]:
    global _hooks_users
    with _hooks_lock:
        if _hooks_users == 0:
            setattr(Value, "data", property(_guarded_get, _guarded_set))  # noqa: B010
            _value._node = _recording_node
            for name, method in _INLINED.items():
                setattr(Value, name, _recording(method))
        _hooks_users += 1
    try:
        yield
    finally:
        with _hooks_lock:
            _hooks_users -= 1
            if _hooks_users == 0:
                setattr(Value, "data", _DATA)  # noqa: B010
                _value._node = _plain_node
                for name, method in _INLINED.items():
                    setattr(Value, name, method)


@contextmanager
def allow_data() -> Iterator[None]:
    """Let the traced function read (or set) ``.data`` of traced Values inside the block.

    For reads that do not change which operations run: a check, a print, a log line.
    Anything else computed from the number is baked into the program as a constant.
    """
    rec = getattr(_local, "recorder", None)
    if rec is not None:
        rec.allowed += 1
    try:
        yield
    finally:
        if rec is not None:
            rec.allowed -= 1


# --------------------------------------------------------------------------------------
# Argument structures: a number is a leaf; a list or tuple holds sub-structures.
# A spec is None for a leaf, else (type, [child specs]).

Spec = Any  # None for a number, else (list or tuple, [specs of the items], all numbers?)


def _spec_of(x: Any, leaves: list[Any]) -> Spec:
    if isinstance(x, (list, tuple)):
        items = [_spec_of(y, leaves) for y in x]
        return (tuple if isinstance(x, tuple) else list, items, all(s is None for s in items))
    leaves.append(x)
    return None


def _shape(spec: Spec) -> str:
    """A short description: 'number', '[3 numbers]', '([2 numbers], number)'."""
    if spec is None:
        return "number"
    kind, items = spec[:2]
    if items and all(s is None for s in items):
        inner = f"{len(items)} number{'s' if len(items) != 1 else ''}"
    else:
        inner = ", ".join(_shape(s) for s in items)
    return f"[{inner}]" if kind is list else f"({inner})"


def _shape_of(x: Any) -> str:
    return _shape(_spec_of(x, []))


def _flatten(spec: Spec, x: Any, out: list[Any], path: str) -> None:
    """Append the leaves of ``x`` to ``out``, checking that ``x`` has the shape ``spec``."""
    if spec is None:
        if isinstance(x, (list, tuple)):
            raise TraceError(f"{path}: expected a number, got {_shape_of(x)}")
        out.append(x)
        return
    items = spec[1]
    if not isinstance(x, (list, tuple)):
        raise TraceError(f"{path}: expected {_shape(spec)}, got {_describe(x)}")
    if len(x) != len(items):
        raise TraceError(
            f"{path}: expected {_shape(spec)}, got {_shape_of(x)} "
            f"(length {len(x)} instead of {len(items)})"
        )
    if spec[2]:
        out.extend(x)  # a flat list of numbers, as traced: the common case, at C speed
        return
    for i, (s, y) in enumerate(zip(items, x)):
        _flatten(s, y, out, f"{path}[{i}]")


def _describe(x: Any) -> str:
    return f"{x!r:.40} (of type {type(x).__name__})"


def _build(spec: Spec, leaves: Iterator[Any]) -> Any:
    if spec is None:
        return next(leaves)
    kind, items, flat = spec
    if flat:
        return kind(islice(leaves, len(items)))
    return kind(_build(s, leaves) for s in items)


# --------------------------------------------------------------------------------------
# Tracing.


def trace(fn: Callable[..., Any], *example_args: Any, backend: str = "python") -> Program:
    """Record ``fn(*example_args)`` once and return the :class:`Program` that replays it.

    Each example argument is a number, a Value, or a list/tuple of them (nested).  Numbers
    become fresh Values; a Value is used as itself (pass ``model.parameters()`` to make a
    model's parameters inputs of the program), and must be a leaf.  Values that fn makes
    from numbers, or finds elsewhere (a model's parameters not passed in), are constants
    of the program, baked in with their current values.  ``fn`` returns a Value, a number,
    or a list/tuple of them (nested).

    ``backend="numpy"`` replays on a batch at once: each argument leaf a number or a 1-D
    array (see :mod:`autograd.trace.lower_numpy`), equal to the float replay to about 1e-12.
    """
    if backend not in ("python", "numpy"):
        raise ValueError(f"trace: backend must be 'python' or 'numpy', got {backend!r}")
    if not callable(fn):
        raise TypeError(f"trace: expected a function, got {_describe(fn)}")
    leaves: list[Any] = []
    spec = _spec_of(tuple(example_args), leaves)
    inputs: list[Value] = []
    seen: set[Value] = set()
    for i, x in enumerate(leaves):
        if type(x) is Value:
            if x._a is not None:
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
    args = _build(spec, iter(inputs))
    rec = _Recorder(inputs)
    previous = getattr(_local, "recorder", None)
    with _hooks():
        _local.recorder = rec
        try:
            out = fn(*args)
        finally:
            _local.recorder = previous
    given = [type(x) is Value for x in leaves]
    program = Program(fn, spec, inputs, given, rec.created, out)
    program.backend = backend
    return program


def _collect(roots: list[Value], extra: list[Value]) -> list[Value]:
    """Every node the roots and the extra nodes depend on, each after its inputs."""
    order: list[Value] = []
    seen: set[Value] = set()
    for r in roots + extra:
        if r in seen:
            continue
        for v in topological_order(r):
            if v not in seen:
                seen.add(v)
                order.append(v)
    return order


# --------------------------------------------------------------------------------------
# The program.


class Program:
    """The operations that a traced function applied to its inputs, replayable on floats.

    ``steps`` lists them as :class:`Step` (op, input slots, output slot) in the order the
    function ran them.  Slots ``0 .. num_inputs - 1`` hold the argument leaves, in the
    order they appear in the arguments; the other slots hold constants (``constants``,
    baked in) or the steps' results.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        spec: Spec,
        inputs: list[Value],
        given: list[bool],
        created: list[Value],
        out: Any,
    ) -> None:
        out_values: list[Value] = []
        out_spec = _output_spec(out, out_values)
        traced = set(inputs) | set(created)
        nodes = _collect(out_values, created)
        late = []  # applied by the engine but not seen (a method bound before the trace)
        for v in nodes:
            if v not in traced and v._a is not None and any(x in traced for x in v._prev):
                if type(v._op) is not Op:
                    raise TraceError(
                        f"trace: {v!r} was built by hand (Value(..., _children=...)) from "
                        "traced Values; a program can only replay the engine's operations"
                    )
                traced.add(v)
                late.append(v)
        if late:  # then the steps run in graph order rather than in the order fn ran them
            created = [v for v in nodes if v in traced and v._a is not None]
        slot: dict[Value, int] = {v: i for i, v in enumerate(inputs)}
        constants = [v for v in nodes if v not in traced]
        for v in constants + created:
            slot[v] = len(slot)
        n = len(slot)
        self._fn = fn
        self._spec = spec
        self._given = [v if g else None for v, g in zip(inputs, given)]
        self.num_inputs = len(inputs)
        # Every node as plain data: its op, its input slots, its data (the value of a
        # constant; the example value otherwise) and its label (kept only so that Values
        # rebuilt from the program print as the originals did).
        self._op: list[Any] = [""] * n
        self._in: list[tuple[int, ...]] = [()] * n
        self._data: list[float] = [0.0] * n
        self._label: list[str] = [""] * n
        for v, s in slot.items():
            if v._a is not None:
                self._op[s] = v._op
                self._in[s] = tuple(slot[x] for x in v._prev)
            self._data[s] = _get_data(v, Value)
            self._label[s] = v.label
        self.steps = [Step(cast(Op, v._op), self._in[slot[v]], slot[v]) for v in created]
        self.constants = {slot[v]: self._data[slot[v]] for v in constants}
        self._out = _map_output(out_spec, slot)
        self._num_ops = sum(1 for v in nodes if type(v._op) is Op and v._a is not None)
        # value_and_grad visits the output's graph in exactly backward()'s order.
        self._order = [slot[v] for v in topological_order(out)] if type(out) is Value else None
        self._forward: Callable[..., Any] | None = None
        self._value_and_grad: Callable[..., Any] | None = None
        self.backend = "python"
        self._batched: dict[tuple, tuple] = {}  # numpy code for each layout of arrays

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return (
            f"<Program: {len(self.steps)} operations, {self.num_inputs} inputs, "
            f"{len(self.constants)} constants; arguments {_shape(self._spec)[1:-1]}>"
        )

    # ---- running -------------------------------------------------------------------

    def __call__(self, *args: Any) -> Any:
        """fn's output for these arguments, as floats (same nesting as fn's output)."""
        if self.backend == "numpy":
            from .lower_numpy import run

            return run(self, args, grads=False)
        return self._float_replay(args, grads=False)

    def value_and_grad(
        self, *args: Any, seed: float = 1.0, start: Any = None
    ) -> tuple[float, tuple]:
        """fn's output and its gradient with respect to every argument leaf.

        Returns ``(value, grads)``, ``grads`` a tuple with one entry per argument, shaped
        like it: bit for bit what ``fn(*values).backward()`` puts into the ``.grad`` of
        fresh Values.  ``seed`` is d output / d output (1 by default).  ``start`` (shaped
        like the arguments, None for an argument whose gradients start at 0) holds
        gradients that this call adds to, term by term in backward()'s order, as if the
        program's graph were part of a larger graph processed after them.
        """
        if self._order is None:
            raise TraceError(
                "value_and_grad: needs a function that returns one Value; this one returned "
                f"{_describe_output(self._out)}"
            )
        if self.backend == "numpy":
            from .lower_numpy import run

            return run(self, args, grads=True, seed=seed, start=start)
        return self._float_replay(args, grads=True, seed=seed, start=start)

    def _float_replay(self, args: Any, grads: bool, seed: Any = 1.0, start: Any = None) -> Any:
        """The compiled replay on floats, or the Value path where it fails."""
        if grads:
            return self._float_value_and_grad(args, seed, start)
        fast = self._forward or self._compile(grads=False)
        try:
            return fast(*args)
        except NameError:
            raise  # a slip of the code generator: never hidden behind the Value path
        except Exception:
            pass
        leaves = self._leaves(args)
        try:
            return fast(*_build(self._spec, iter(leaves)))
        except Exception:
            return self._on_values(leaves)

    def _float_value_and_grad(self, args: Any, seed: Any, start: Any) -> tuple[float, tuple]:
        fast = self._value_and_grad or self._compile(grads=True)
        try:
            return fast(*args, seed, start)
        except NameError:
            raise  # a slip of the code generator: never hidden behind the Value path
        except Exception:
            pass
        leaves = self._leaves(args)
        seed, starts = self._check_seed_start(seed, start)
        try:
            return fast(*_build(self._spec, iter(leaves)), seed, self._nested(starts))
        except Exception:
            return self._on_values(leaves, grads=True, seed=seed, start=starts)

    def _leaves(self, args: tuple) -> list[float]:
        """The argument leaves as floats, or the error that Value() or the shape gives."""
        raw = self._flat(args, "program")
        out = []
        for i, x in enumerate(raw):
            try:
                out.append(x if type(x) is float and math.isfinite(x) else Value(x).data)
            except (TypeError, ValueError, OverflowError) as e:
                raise type(e)(f"program: argument leaf {i}: {e}") from None
        return out

    def _flat(self, args: Any, where: str) -> list[Any]:
        n = len(self._spec[1])
        expected = _shape(self._spec)[1:-1]
        if len(args) != n:
            raise TraceError(
                f"{where}: takes {n} argument{'s' if n != 1 else ''} ({expected}), got {len(args)}"
            )
        raw: list[Any] = []
        for i, (s, a) in enumerate(zip(self._spec[1], args)):
            try:
                _flatten(s, a, raw, f"args[{i}]")
            except TraceError as e:
                raise TraceError(
                    f"{where}: {e}; the program was traced with arguments {expected}"
                ) from None
        return raw

    def _check_seed_start(self, seed: Any, start: Any) -> tuple[float, list[float] | None]:
        try:
            seed = Value(seed).data
        except (TypeError, ValueError, OverflowError) as e:
            raise type(e)(f"value_and_grad: seed: {e}") from None
        if start is None:
            return seed, None
        if not isinstance(start, (list, tuple)) or len(start) != len(self._spec[1]):
            raise TraceError(
                "value_and_grad: start must be None or hold one entry per argument "
                f"({len(self._spec[1])}), got {_describe(start)}"
            )
        flat: list[float] = []
        for i, (s, a) in enumerate(zip(self._spec[1], start)):
            if a is None:
                flat += [0.0] * _count(s)
                continue
            raw: list[Any] = []
            try:
                _flatten(s, a, raw, f"start[{i}]")
                flat += [Value(x).data for x in raw]
            except (TraceError, TypeError, ValueError, OverflowError) as e:
                raise type(e)(f"value_and_grad: start[{i}]: {e}") from None
        return seed, flat

    def _nested(self, flat: list[float] | None) -> Any:
        return None if flat is None else _build(self._spec, iter(flat))

    def _rebuild(self, leaves: list[float]) -> list[Value]:
        """The program's graph as Values, built by the engine (it raises the engine's errors)."""
        nodes: list[Any] = [None] * len(self._op)
        for s in range(self.num_inputs):
            nodes[s] = Value(leaves[s])
        for s in sorted(self.constants):  # slot order puts a constant after its inputs
            ins = tuple(nodes[i] for i in self._in[s])
            a, b = _value._slots(ins)
            nodes[s] = _plain_node(self._data[s], a, b, self._op[s])
        for op, ins, s in self.steps:
            nodes[s] = _value.apply(op, tuple(nodes[i] for i in ins))
        for v, label in zip(nodes, self._label):
            v.label = label
        return nodes

    def _on_values(
        self,
        leaves: list[float],
        grads: bool = False,
        seed: float = 1.0,
        start: list[float] | None = None,
    ) -> Any:
        """The same computation on Values, where the float replay failed: it raises the
        engine's own error (an overflow, a domain error), or gives the result."""
        nodes = self._rebuild(leaves)
        if not grads:
            return _output(self._out, lambda s: nodes[s].data)
        assert self._order is not None
        root = nodes[self._order[-1]]
        g = gradients(root, nodes[: self.num_inputs], seed=seed, start=start)
        return root.data, _build(self._spec, iter(g))

    # ---- code generation -------------------------------------------------------------

    @property
    def source(self) -> str:
        """The generated Python code of the replay: slot numbers and op-table entries only."""
        return _Codegen(self).module(grads=self._order is not None)[0]

    def _compile(self, grads: bool) -> Callable[..., Any]:
        code, table = _Codegen(self).module(grads=grads, only=True)
        namespace: dict[str, Any] = dict(_RUNTIME)
        exec(compile(code, "<autograd.trace program>", "exec"), namespace)
        fast = namespace["make"](table)
        if grads:
            self._value_and_grad = fast
        else:
            self._forward = fast
        return fast

    # ---- checking ------------------------------------------------------------------

    def check(self, *args: Any) -> bool:
        """Compare a replay with running the traced function on Values at ``args``.

        Returns True when the outputs (and, for a function returning one Value, the
        gradients) agree bit for bit, or both raise the same error (the float replay is
        compared, whatever the program's backend); raises
        :class:`TraceMismatch` listing every difference otherwise.  Values that were
        passed to :func:`trace` as arguments get these numbers as ``.data`` during the
        run, and their old numbers back afterwards.
        """
        leaves = self._leaves(args)
        grads = self._order is not None
        replay = _attempt(lambda: self._float_replay(args, grads))  # numpy backend too
        fresh = _attempt(lambda: self._run_fn(leaves, grads))
        num_ops = None
        if fresh[0] == "ok":
            fresh, num_ops = ("ok", fresh[1][0]), fresh[1][1]
        problems = _differences(replay, fresh, grads, self._spec)
        if num_ops is not None and num_ops != self._num_ops:
            problems.append(f"operations: {self._num_ops} recorded, {num_ops} now")
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

    def _run_fn(self, leaves: list[float], grads: bool) -> tuple[Any, int]:
        given = [(v, _get_data(v, Value)) for v in self._given if v is not None]
        values = [v if v is not None else Value(x) for v, x in zip(self._given, leaves)]
        try:
            for v, x in zip(self._given, leaves):
                if v is not None:
                    v.data = x
            out = self._fn(*_build(self._spec, iter(values)))
            roots: list[Value] = []
            floats = _floats_of(out, roots)
            num_ops = sum(1 for v in _collect(roots, []) if type(v._op) is Op and v._a is not None)
            if grads:
                if type(out) is not Value:
                    raise TraceError(f"the function now returns {_describe(out)}")
                g = gradients(out, values)
                floats = (out.data, _build(self._spec, iter(g)))
            return floats, num_ops
        finally:
            for v, x in given:
                v.data = x


def _count(spec: Spec) -> int:
    return 1 if spec is None else sum(_count(s) for s in spec[1])


def _output_spec(out: Any, values: list[Value]) -> Any:
    if type(out) is Value:
        values.append(out)
        return ("value", out)
    if isinstance(out, (list, tuple)):
        kind = type(out) if type(out) in (list, tuple) else list
        return (kind, [_output_spec(o, values) for o in out])
    if isinstance(out, (int, float)) and not isinstance(out, bool) and math.isfinite(out):
        return ("number", float(out))
    raise TraceError(
        "trace: the function must return a Value, a number, or a list/tuple of them; "
        f"it returned {_describe(out)}"
    )


def _map_output(spec: Any, slot: dict[Value, int]) -> Any:
    tag, item = spec
    if tag == "value":
        return ("slot", slot[item])
    if tag == "number":
        return spec
    return (tag, [_map_output(s, slot) for s in item])


def _output(spec: Any, value_of: Callable[[int], float]) -> Any:
    tag, item = spec
    if tag == "slot":
        return value_of(item)
    if tag == "number":
        return item
    return tag(_output(s, value_of) for s in item)


def _describe_output(spec: Any) -> str:
    tag, item = spec
    return "a number" if tag in ("slot", "number") else f"a {tag.__name__} of {len(item)}"


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


def _same(a: Any, b: Any) -> bool:
    """Bit-for-bit equality of two results (nested), telling 0.0 from -0.0."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _differences(replay: tuple, fresh: tuple, grads: bool, spec: Spec) -> list[str]:
    if replay[0] == "error" or fresh[0] == "error":
        if replay[:2] == fresh[:2]:
            return []
        show = {"error": lambda r: f"raises {r[1]}", "ok": lambda r: "succeeds"}
        return [f"the replay {show[replay[0]](replay)}, the Values run {show[fresh[0]](fresh)}"]
    if not grads:
        if _same(replay[1], fresh[1]):
            return []
        return [f"output: replay {replay[1]!r}, Values {fresh[1]!r}"]
    (v1, g1), (v2, g2) = replay[1], fresh[1]
    problems = [] if _same(v1, v2) else [f"output: replay {v1!r}, Values {v2!r}"]
    names: list[str] = []
    _leaf_names(spec, "args", names)
    flat1: list[Any] = []
    flat2: list[Any] = []
    _flatten(spec, g1, flat1, "")
    _flatten(spec, g2, flat2, "")
    for name, a, b in zip(names, flat1, flat2):
        if not _same(a, b):
            problems.append(f"gradient of {name}: replay {a!r}, Values {b!r}")
    return problems


def _leaf_names(spec: Spec, path: str, out: list[str]) -> None:
    if spec is None:
        out.append(path)
    else:
        for i, s in enumerate(spec[1]):
            _leaf_names(s, f"{path}[{i}]", out)


# --------------------------------------------------------------------------------------
# Code generation: straight-line Python, one line per operation.  ``v<i>`` holds slot
# i's value and ``g<i>`` its gradient; ``t<k>`` is entry k of the op table (an op's
# forward or derivative function).  Constants appear as literals.


class Replay(Exception):
    """Raised by generated code where only the Value path can say what went wrong."""


_FLOATS = frozenset([float])
_isfinite = math.isfinite


def finite(xs: tuple) -> bool:
    """True if every item is a float and none is infinite or NaN."""
    return _FLOATS.issuperset(map(type, xs)) and _isfinite(sum(xs, 0.0))


_RUNTIME = {"Replay": Replay, "finite": finite, "isfinite": _isfinite}

# Inlined operations (found by identity: an Op is a str, and a user's op may be named "+").
_INFIX = {id(_ops.ADD): "+", id(_ops.SUB): "-", id(_ops.MUL): "*"}


def _literal(x: float) -> str:
    text = repr(x)
    return f"({text})" if text.startswith("-") else text


def _user_forward(op: Op) -> Callable[..., float]:
    """A user op's forward function as the engine's apply() runs it: a finite float."""
    forward, name = op.forward, str(op)

    def call(*xs: float) -> float:
        r = forward(*xs)
        if type(r) is not float:
            r = _value._to_float(r, name)
        if not _isfinite(r):
            raise Replay
        return r

    return call


class _Codegen:
    """Writes the replay of a program as Python source."""

    def __init__(self, program: Program) -> None:
        self.p = program
        self.table: list[Callable[..., Any]] = []
        self.names: dict[int, str] = {}
        self.lines: list[str] = []

    def ref(self, f: Callable[..., Any]) -> str:
        name = self.names.get(id(f))
        if name is None:
            name = self.names[id(f)] = f"t{len(self.table)}"
            self.table.append(f)
        return name

    def val(self, s: int) -> str:
        c = self.p.constants.get(s)
        return f"v{s}" if c is None else _literal(c)

    def emit(self, line: str, indent: int = 2) -> None:
        self.lines.append("    " * indent + line)

    def fail_unless(self, condition: str, indent: int = 2) -> None:
        self.emit(f"if not {condition}:", indent)
        self.emit("raise Replay", indent + 1)

    def module(self, grads: bool, only: bool = False) -> tuple[str, list[Callable[..., Any]]]:
        names = ([] if grads and only else ["forward"]) + (["value_and_grad"] if grads else [])
        body = [line for name in names for line in self.function(name == "value_and_grad")]
        head = [
            "# Generated by autograd.trace.  v<i> is the value in slot i, g<i> its gradient;",
            "# t<k> is entry k of the op table (an op's forward or derivative function).",
            "# Floats only: x - x is 0.0 for a finite x and nan otherwise, so an overflow is",
            "# never hidden; on Replay the caller reruns the program on Values, which raises",
            "# the engine's own error.",
            "def make(table):",
        ]
        if self.table:
            head.append(f"    {', '.join(f't{i}' for i in range(len(self.table)))}, = table")
        return "\n".join([*head, *body, f"    return {', '.join(names)}", ""]), self.table

    def arguments(self) -> list[str]:
        """Parameters of the generated function; emits the lines that unpack and check them."""
        params, sums, scalars = [], [], []
        counter = iter(range(self.p.num_inputs))
        for i, spec in enumerate(self.p._spec[1]):
            if spec is None:
                params.append(f"v{next(counter)}")
                scalars.append(params[-1])
                continue
            params.append(f"a{i}")
            if all(s is None for s in spec[1]):
                # A flat list: float() converts ints and fractions as Value() does, and
                # sum() refuses anything that is not a number.
                self.emit(f"{_target(spec, counter, 'v')} = map(float, a{i})")
                sums.append(f"sum(a{i}, 0.0)")
            else:
                names: list[str] = []
                self.emit(f"{_target(spec, counter, 'v', names)} = a{i}")
                scalars += names
        tests = []
        if sums:
            tests.append(f"isfinite({' + '.join(sums)})")
        if scalars:
            tests.append(f"finite(({', '.join(scalars)},))")
        if tests:
            self.fail_unless(" and ".join(tests) if len(tests) == 1 else f"({' and '.join(tests)})")
        return params

    def function(self, grads: bool) -> list[str]:
        p = self.p
        self.lines = []
        params = self.arguments()
        unpack, self.lines = self.lines, []
        name = "value_and_grad" if grads else "forward"
        extra = ["seed", "start"] if grads else []
        self.emit(f"def {name}({', '.join([*params, *extra])}):", 1)
        self.lines += unpack
        ends = self.forward_lines(grads)
        for s in sorted(ends):
            self.fail_unless(f"v{s} - v{s} == 0.0")
        if grads:
            self.backward_lines()
        else:
            self.emit(f"return {_render_output(p._out, self.val)}")
        return self.lines

    def forward_lines(self, grads: bool) -> set[int]:
        """One line per step, a + - * step used once written inside the one that uses it.

        Returns the slots that may hold an unchecked inf or nan and pass it to no other
        inlined operation (those are checked at the end).
        """
        p = self.p
        uses = Counter(i for _, ins, _ in p.steps for i in ins)
        # Values read later by name: inputs of relu and of called ops, outputs, and what
        # the backward pass reads (both factors of a product, a relu's input, a called
        # op's inputs and output).
        named = {i for op, ins, _ in p.steps if not _fusable(op) for i in ins}
        named |= set(_slots_of(p._out))
        if grads:
            for s in p._order or ():
                op, ins = p._op[s], p._in[s]
                if op is _ops.MUL or op is _ops.RELU:
                    named.update(ins)
                elif type(op) is Op and ins and not _fusable(op):
                    named.update([*ins, s])
        inline: dict[int, tuple[str, str]] = {}  # slot -> (expression, its kind)
        unchecked: set[int] = set()
        passing: set[int] = set()  # steps that pass an input's inf or nan on (+ - * neg relu)

        def operand(i: int, parens: tuple[str, ...]) -> str:
            if i not in inline:
                return self.val(i)
            text, kind = inline.pop(i)
            return f"({text})" if kind in parens else text

        for op, ins, s in p.steps:
            infix = _INFIX.get(id(op))
            if infix is not None:
                # Python evaluates a + b * c + d as (a + (b * c)) + d: the graph's order.
                left = operand(ins[0], ("add",) if infix == "*" else ())
                right = operand(ins[1], ("add", "mul") if infix == "*" else ("add",))
                text, kind = f"{left} {infix} {right}", "mul" if infix == "*" else "add"
                unchecked.add(s)
            elif op is _ops.NEG:
                text, kind = f"-{operand(ins[0], ('add', 'mul'))}", "neg"
                if ins[0] in unchecked:
                    unchecked.add(s)
            elif op is _ops.RELU:
                a = self.val(ins[0])
                zero = f"{a} - {a}" if ins[0] in unchecked else "0.0"
                self.emit(f"v{s} = {a} if {a} > 0.0 else {zero}")
                if ins[0] in unchecked:
                    unchecked.add(s)
                continue
            else:
                for i in ins:
                    if i in unchecked:
                        self.fail_unless(f"v{i} - v{i} == 0.0")
                        unchecked.discard(i)
                        passing.add(i)
                f = op.forward if op.builtin else _user_forward(op)
                args = ", ".join(self.val(i) for i in ins)
                self.emit(f"v{s} = {self.ref(f)}({args})")
                continue
            if uses[s] == 1 and s not in named:
                inline[s] = (text, kind)
            else:
                self.emit(f"v{s} = {text}")
        # A slot that feeds such a step passes its inf or nan on, to be checked there or
        # further on (also where that step was checked early, as the input of a called op;
        # the slot may then be inlined and have no name).
        passing.update(unchecked)
        consumed = {i for _, ins, s in p.steps if s in passing for i in ins}
        return unchecked - consumed

    def backward_lines(self) -> None:
        p = self.p
        order = p._order
        assert order is not None
        root = order[-1]
        # Who adds into which gradient, in backward()'s order.
        terms: dict[int, list[tuple[int, str]]] = {s: [] for s in order}
        for s in reversed(order):
            op, ins = p._op[s], p._in[s]
            if type(op) is not Op or not ins:
                continue
            kinds = {id(_ops.ADD): ("+", "+"), id(_ops.SUB): ("+", "-")}.get(id(op))
            for k, i in enumerate(ins):
                terms[i].append((s, kinds[k] if kinds else "other"))
        # A gradient whose only term is g[s] itself (an input of an add) is g[s]:
        # 0.0 + g is g, since no accumulated gradient is ever -0.0.
        alias: dict[int, str] = {}
        for s in reversed(order):
            t = terms[s]
            if s >= p.num_inputs and s != root and len(t) == 1 and t[0][1] == "+":
                alias[s] = alias.get(t[0][0], f"g{t[0][0]}")

        def g(s: int) -> str:
            return alias.get(s, f"g{s}")

        slots = set(order) | set(range(p.num_inputs))  # an unused input's gradient is 0
        accumulators = [s for s in sorted(slots) if s not in alias and s != root]
        if accumulators:
            self.emit(" = ".join(f"g{s}" for s in accumulators) + " = 0.0")
        self.emit("if start is not None:")
        self.emit(f"{', '.join(f's{i}' for i in range(len(p._spec[1])))}, = start", 3)
        counter = iter(range(p.num_inputs))
        for i, spec in enumerate(p._spec[1]):
            self.emit(f"if s{i} is not None:", 3)
            self.emit(f"{_target(spec, counter, 'g')} = s{i}", 4)
        if root < p.num_inputs:
            self.emit(f"g{root} = seed + 0.0 if start is None else g{root} + seed")
        else:
            self.emit(f"g{root} = seed + 0.0")  # never -0.0, see the aliases above
        watch = []  # where an inf or nan could stop spreading: checked at the end
        blocks: list[tuple[str, list[str]]] = []  # (g that the lines multiply, lines)

        def add(gs: str, *lines: str) -> None:
            if not blocks or blocks[-1][0] != gs:
                blocks.append((gs, []))
            blocks[-1][1].extend(lines)

        for s in reversed(order):
            op, ins = p._op[s], p._in[s]
            if type(op) is not Op or not ins:
                watch.append(g(s))
                continue
            gs = g(s)
            if op is _ops.ADD or op is _ops.SUB:
                signs = "+-" if op is _ops.SUB else "++"
                add(gs, *(f"g{i} {sign}= {gs}" for i, sign in zip(ins, signs) if i not in alias))
            elif op is _ops.MUL:
                add(gs, f"g{ins[0]} += {gs} * {self.val(ins[1])}")
                add(gs, f"g{ins[1]} += {gs} * {self.val(ins[0])}")
            elif op is _ops.NEG:
                add(gs, f"g{ins[0]} -= {gs}")
            elif op is _ops.RELU:
                a = ins[0]
                if a < p.num_inputs:  # its gradient may start at -0.0 (start=): add 0 too
                    add(gs, f"g{a} += {gs} if v{a} > 0.0 else {gs} * 0.0")
                else:  # adding 0 to a gradient, never -0.0, changes nothing: skip it
                    add(gs, f"if v{a} > 0.0:", f"    g{a} += {gs}")
                watch.append(gs)
            else:
                d = self.ref(op.derivative)
                args = ", ".join([*(self.val(i) for i in ins), self.val(s)])
                if len(ins) == 1:
                    add(gs, f"g{ins[0]} += {gs} * {d}({args})")
                else:
                    ds = [f"d{k}" for k in range(len(ins))]
                    add(gs, f"{', '.join(ds)}, = {d}({args})")
                    add(gs, *(f"g{i} += {gs} * {dn}" for i, dn in zip(ins, ds)))
        # The lines of a block add gs times something: where gs is exactly 0 they add
        # nothing (backward() skips such nodes), so the block runs only if gs is not 0.
        # That skips whole neurons behind an inactive relu.  A derivative function is
        # called only where backward() would call it.
        for gs, lines in blocks:
            if gs == f"g{root}":
                for line in lines:
                    self.emit(line)
                continue
            self.emit(f"if {gs}:")
            for line in lines:
                self.emit(line, 3)
        # The gradient lists of flat-list arguments are built first, then checked by sum.
        counter = iter(range(p.num_inputs))
        parts, listed, items = [], set(), []
        for i, spec in enumerate(p._spec[1]):
            names: list[str] = []
            rendered = _render_spec(spec, counter, "g", names)
            if spec is not None and spec[2]:
                self.emit(f"grads{i} = {rendered}")
                parts.append(f"sum(grads{i})")
                listed.update(names)
                rendered = f"grads{i}"
            items.append(rendered)
        rest = [w for w in dict.fromkeys(watch) if w not in listed]
        if rest:
            parts.append(f"sum(({', '.join(rest)},))")
        self.fail_unless(f"isfinite({' + '.join([*parts, self.val(root)])})")
        self.emit(f"return {self.val(root)}, ({', '.join(items)}{',' if len(items) == 1 else ''})")


def _fusable(op: Any) -> bool:
    """Steps written as an expression that another step may contain: + - * and neg."""
    return id(op) in _INFIX or op is _ops.NEG


def _slots_of(spec: Any) -> list[int]:
    tag, item = spec
    if tag == "slot":
        return [item]
    if tag == "number":
        return []
    return [s for sub in item for s in _slots_of(sub)]


def _target(spec: Spec, counter: Iterator[int], prefix: str, names: list | None = None) -> str:
    """An assignment target that unpacks a value of shape ``spec`` into numbered names."""
    if spec is None:
        name = f"{prefix}{next(counter)}"
        if names is not None:
            names.append(name)
        return name
    return "[" + ", ".join(_target(s, counter, prefix, names) for s in spec[1]) + "]"


def _render_spec(spec: Spec, counter: Iterator[int], prefix: str, names: list | None = None) -> str:
    """A list/tuple display of numbered names with the shape ``spec``."""
    if spec is None:
        name = f"{prefix}{next(counter)}"
        if names is not None:
            names.append(name)
        return name
    kind, items = spec[:2]
    inner = ", ".join(_render_spec(s, counter, prefix, names) for s in items)
    if kind is tuple:
        return f"({inner}{',' if len(items) == 1 else ''})"
    return f"[{inner}]"


def _render_output(spec: Any, val: Callable[[int], str]) -> str:
    tag, item = spec
    if tag == "slot":
        return val(item)
    if tag == "number":
        return _literal(item)
    inner = ", ".join(_render_output(s, val) for s in item)
    if tag is tuple:
        return f"({inner}{',' if len(item) == 1 else ''})"
    return f"[{inner}]"


# ``from autograd import trace`` gives the function; its attributes make the rest of this
# module reachable from it too (autograd.trace.allow_data(), autograd.trace.Program).
for _name in ("Program", "Step", "TraceError", "TraceMismatch", "allow_data"):
    setattr(trace, _name, globals()[_name])
