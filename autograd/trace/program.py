"""Trace once, replay many: record what a function does to Values, then run it on floats.

``trace(fn, *example_args)`` calls ``fn`` once on Values made from the example
arguments and returns a :class:`Program`: the operations that the output depends on, as
data (:mod:`autograd.trace.ir`), which replays them on new numbers without building a
single Value.  ``program(*args)`` gives fn's outputs, ``program.value_and_grad(*args)``
the output and d output / d argument for every argument, both bit for bit what the
Value graph and ``backward()`` give.  The replay is straight-line Python generated from
the program and compiled once (``program.source`` shows it): a small just-in-time
compiler.

What a trace cannot see is Python's own control flow: ``if x.data > 0:`` runs once,
during the trace, and the branch taken is baked into the program.  So reading ``.data``
of a traced Value inside ``fn`` raises :class:`TraceError`; wrap a read that does not
change the computation (a check, a print) in ``with allow_data():``.
``program.check(*args)`` compares a replay with a fresh run of ``fn`` on Values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from ..backprop import gradients
from ..value import Value, apply
from . import lower_python, record, run_numpy
from .args import TraceError, build, count, describe, flatten
from .derive import derive
from .ir import IR, Backward, Equations
from .rows import lower_rows

__all__ = ["Program", "TraceError", "trace"]


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
        raise TypeError(f"trace: expected a function, got {fn!r:.40} (of type {type(fn).__name__})")
    shape, inputs, given = record.inputs_of(example_args)
    out, made = record.run(fn, build(shape, iter(inputs)), inputs)
    ir = record.to_ir(shape, inputs, out, made)
    del made  # the nodes fn made: free them before compiling
    given_values = [v if g else None for v, g in zip(inputs, given)]
    return Program(fn, ir, given_values, backend, differentiable=type(out) is Value)


class Program(IR):
    """A traced function: its IR (see :mod:`autograd.trace.ir`: ``equations``,
    ``constants``, ``outputs``, ``backward`` ...), replayable on floats.

    ``steps`` is ``equations``: :class:`~autograd.trace.ir.Equation` (op, input slots,
    output slot) in the order the output's graph computes them.  Slots
    ``0 .. num_inputs - 1`` hold the argument leaves, in the order they appear in the
    arguments; the other slots hold constants (``constants``, baked in) or the results.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        ir: IR,
        given: list[Value | None],
        backend: str,
        differentiable: bool = False,
    ):
        self._backward: Backward | None = None
        self._lock = threading.Lock()
        super().__init__(**{f.name: getattr(ir, f.name) for f in fields(IR)})
        # The backward program is derived when first asked for: the numpy backend derives
        # its own, without the weighted sums it does as matrix products.
        self._pending = differentiable and self._backward is None
        self._fn = fn
        self._given = given  # the Values passed in as arguments (check() sets their data)
        self.backend = backend
        self._compiled: dict[bool, Callable[..., Any]] = {}
        self._rows: dict[tuple, Callable[..., Any]] = {}

    @property  # type: ignore[override]
    def backward(self) -> Backward | None:
        """The backward program (see :mod:`autograd.trace.ir`), derived on first use;
        None unless fn returned one Value."""
        if self._pending:
            with self._lock:
                if self._pending:
                    self._backward = derive(self)
                    self._pending = False
        return self._backward

    @backward.setter
    def backward(self, b: Backward | None) -> None:
        self._backward = b

    @property
    def differentiable(self) -> bool:
        """Whether the program has a backward program (fn returned one Value)."""
        return self._pending or self._backward is not None

    @property
    def steps(self) -> Equations:
        """The forward equations (an older name)."""
        return self.equations

    def __len__(self) -> int:
        return len(self.equations)

    def __repr__(self) -> str:
        return (
            f"<Program: {len(self.equations)} operations, {self.num_inputs} inputs, "
            f"{len(self.constants)} constants; arguments {describe(self.arguments)[1:-1]}>"
        )

    # ---- running -------------------------------------------------------------------

    def __call__(self, *args: Any) -> Any:
        """fn's output for these arguments, as floats (same nesting as fn's output)."""
        if self.backend == "numpy":
            return run_numpy.run(self, args, grads=False)
        return self.replay(args, grads=False)

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
        if not self.differentiable:
            raise TraceError(
                "value_and_grad: needs a function that returns one Value; this one returned "
                f"{_describe_output(self.outputs)}"
            )
        if self.backend == "numpy":
            return run_numpy.run(self, args, grads=True, seed=seed, start=start)
        return self.replay(args, grads=True, seed=seed, start=start)

    def compiled(self, grads: bool) -> Callable[..., Any]:
        """The float replay's compiled function: ``forward(*args)``, or with ``grads``
        ``value_and_grad(*args, seed, start)``; it raises ``Replay`` where only the
        Value path can tell what went wrong."""
        fast = self._compiled.get(grads)
        if fast is None:
            fast = self._compiled[grads] = lower_python.lower(self, grads)[1]
        return fast

    def rows(self, rows: Any, per_row: Any = ()) -> Callable[..., Any]:
        """The float replay of many rows in one call (see :mod:`autograd.trace.rows`):
        ``run(*args, seed, start) -> (values, per_row_grads, grads)``, the arguments at
        the indices ``rows`` given as sequences (one entry per row, replayed last row
        first).  It raises ``Replay`` where a row's numbers go wrong: replay those rows
        with :meth:`value_and_grad` to get the engine's own error."""
        key = (frozenset(rows), frozenset(per_row))
        fast = self._rows.get(key)
        if fast is None:
            fast = self._rows[key] = lower_rows(self, *key)[1]
        return fast

    @property
    def source(self) -> str:
        """The generated Python code of the replay: slot numbers and op-table entries only."""
        return lower_python.source(self)

    def replay(self, args: Any, grads: bool, seed: Any = 1.0, start: Any = None) -> Any:
        """The float replay (whatever the backend): the compiled code, or the Value path
        where it fails, which raises the engine's own error (or gives the result)."""
        fast = self.compiled(grads)
        extra = (seed, start) if grads else ()
        try:
            return fast(*args, *extra)
        except NameError:
            raise  # a slip of the code generator: never hidden behind the Value path
        except Exception:
            pass
        leaves = self.leaves(args)
        starts = None
        if grads:
            seed, starts = self._check_seed_start(seed, start)
            extra = (seed, None if starts is None else build(self.arguments, iter(starts)))
        try:
            return fast(*build(self.arguments, iter(leaves)), *extra)
        except NameError:
            raise
        except Exception:
            return self.on_values(leaves, grads, seed, starts)

    def leaves(self, args: tuple) -> list[float]:
        """The argument leaves as floats, or the error that Value() or the shape gives."""
        out = []
        for i, x in enumerate(self.flat(args, "program")):
            try:
                out.append(Value(x).data)
            except (TypeError, ValueError, OverflowError) as e:
                raise type(e)(f"program: argument leaf {i}: {e}") from None
        return out

    def flat(self, args: tuple, where: str, arrays: bool = False) -> list[Any]:
        """The argument leaves as given, after checking the arguments' shapes (with
        ``arrays``, a leaf may be a numpy array, a batch)."""
        items = self.arguments.items
        expected = describe(self.arguments)[1:-1]
        if len(args) != len(items):
            n = len(items)
            raise TraceError(
                f"{where}: takes {n} argument{'s' if n != 1 else ''} ({expected}), got {len(args)}"
            )
        raw: list[Any] = []
        for i, (shape, a) in enumerate(zip(items, args)):
            try:
                flatten(shape, a, raw, f"args[{i}]", arrays)
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
        items = self.arguments.items
        if not isinstance(start, (list, tuple)) or len(start) != len(items):
            raise TraceError(
                "value_and_grad: start must be None or hold one entry per argument "
                f"({len(items)}), got {start!r:.40} (of type {type(start).__name__})"
            )
        flat: list[float] = []
        for i, (shape, a) in enumerate(zip(items, start)):
            if a is None:
                flat += [0.0] * count(shape)
                continue
            raw: list[Any] = []
            try:
                flatten(shape, a, raw, f"start[{i}]")
                flat += [Value(x).data for x in raw]
            except (TraceError, TypeError, ValueError, OverflowError) as e:
                raise type(e)(f"value_and_grad: start[{i}]: {e}") from None
        return seed, flat

    def on_values(
        self, leaves: list[float], grads: bool, seed: float = 1.0, start: Any = None
    ) -> Any:
        """The same computation on Values, where the float replay failed: it raises the
        engine's own error (an overflow, a domain error), or gives the result."""
        nodes = self._rebuild(leaves)
        if not grads:
            return _output(self.outputs, nodes)
        assert self.backward is not None
        root = nodes[self.backward.root]
        g = gradients(root, nodes[: self.num_inputs], seed=seed, start=start)
        return root.data, build(self.arguments, iter(g))

    def _rebuild(self, leaves: list[float]) -> list[Value]:
        """The program's graph as Values, built by the engine (it raises the engine's errors)."""
        nodes: list[Any] = [None] * self.forward_slots
        for s in range(self.num_inputs):
            nodes[s] = Value(leaves[s])
        made = {s: (op, ins) for op, ins, s in self.constant_equations}
        for s in sorted(self.constants):  # slot order: a constant's inputs come first
            if s < self.forward_slots:
                op, ins = made.get(s, ("", ()))
                nodes[s] = Value(self.constants[s], tuple(nodes[i] for i in ins), op)
        for op, ins, s in self.equations:
            nodes[s] = apply(op, tuple(nodes[i] for i in ins))
        for s, label in self.labels.items():
            nodes[s].label = label
        return nodes

    def check(self, *args: Any) -> bool:
        """Compare a replay with running the traced function on Values at ``args``.

        Returns True when the outputs (and, for a function returning one Value, the
        gradients) agree bit for bit, or both raise the same error (the float replay is
        compared, whatever the program's backend); raises
        :class:`TraceMismatch` listing every difference otherwise.  Values that were
        passed to :func:`trace` as arguments get these numbers as ``.data`` during the
        run, and their old numbers back afterwards.
        """
        from .check import check

        return check(self, self._fn, self._given, args)


def _output(out: Any, nodes: list[Value]) -> Any:
    if isinstance(out, int):
        return nodes[out].data
    return type(out)(_output(o, nodes) for o in out)


def _describe_output(out: Any) -> str:
    return "a number" if isinstance(out, int) else f"a {type(out).__name__} of {len(out)}"
