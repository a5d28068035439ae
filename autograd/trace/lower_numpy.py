"""The numpy backend: a program's IR lowered to array operations over a batch of samples.

``trace(fn, *args, backend="numpy")`` gives a program whose argument leaves may each be a
number or a 1-D array (all arrays of one length n, the batch; numbers are shared by every
sample).  ``program(*args)`` returns the outputs per sample; ``program.value_and_grad``
differentiates the sum over the batch of seed x output: an array leaf gets its gradient
per sample, a number leaf (a parameter, say) the gradient summed over the batch.

Every equation, forward and backward, becomes one numpy call on the whole batch, with
the op's numpy form from the rule table (an op without one, a user's, runs sample by
sample).  The weighted sums of a layer, b + w1 x1 + ... + wK xK for neurons that read the
same inputs, are found in the graph and become one matrix product, forward and backward.

Each sample gets the float replay's numbers to about 1e-12 relative, not bit for bit:
numpy's exp, log and tanh are not Python's math functions, and sums over the batch and
matrix products add in another order.  Where a sample would raise (an overflow, a log of
a negative number), the float replay of that sample raises the engine's error, naming
the sample.  Only this module imports numpy, and only when a numpy program runs.
"""

from __future__ import annotations

import math
import numbers
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..ops import ADD, MUL, SUB, Op
from .args import TraceError, build, count, flatten
from .ir import IR, Block

# The backward pieces that stay finite wherever their inputs are (the slopes of kinks);
# a product with any other piece is taken as 0 where the gradient is 0, as the engine
# never evaluates a rule there (1 / x at x = 0 would give nan).
_BOUNDED = frozenset({"step", "sign"})


def array_form(op: Op, np: Any) -> Callable[..., Any]:
    """The op's forward on arrays: its numpy form, or its float forward sample by sample."""
    form = op.numpy
    if isinstance(form, str):
        return getattr(np, form)
    if form is not None:
        return form(np)
    return np.vectorize(op.forward, otypes=[float])


# ---- weighted sums -----------------------------------------------------------------------


@dataclass
class _Sum:
    """b + w[0] x[0] + ... as equations: ``end`` the last add, ``inner`` the other slots."""

    end: int
    b: int
    w: list[int]
    x: list[int]
    inner: list[int]


_MIN_TERMS = 3


def weighted_sums(ir: IR, batched: frozenset[int], grads: bool) -> list[list[_Sum]]:
    """The weighted sums of batched inputs with number weights and bias (arguments or
    constants), grouped by their inputs; only groups worth a matrix product."""
    step = {out: (op, ins) for op, ins, out in ir.equations}
    uses = Counter(i for _, ins, _ in ir.equations for i in ins)
    uses.update(ir.slots_of_outputs())
    reached = {b.node for b in ir.backward.blocks} if grads and ir.backward else None

    def fixed(i: int) -> bool:  # a number for the whole batch, known before any step
        return i not in batched and (i < ir.num_inputs or i in ir.constants)

    def term(s: int) -> tuple[int, int] | None:
        """(w, x) if slot s is a product w * x used once, else None."""
        op, ins = step.get(s, (None, ()))
        if op is not MUL or uses[s] != 1:
            return None
        a, b = ins
        if fixed(a) and b in batched:
            return a, b
        if fixed(b) and a in batched:
            return b, a
        return None

    def link(s: int) -> bool:  # s = previous + w * x
        op, ins = step.get(s, (None, ()))
        return op is ADD and term(ins[1]) is not None

    continued = {ins[0] for _, ins, s in ir.equations if link(s) and uses[ins[0]] == 1}
    groups: dict[tuple[int, ...], list[_Sum]] = {}
    for *_, s in ir.equations:
        if not link(s) or s in continued:
            continue
        ws, xs, inner, cur = [], [], [], s
        while True:
            a, m = step[cur][1]
            w, x = term(m) or (0, 0)
            ws.append(w)
            xs.append(x)
            inner.append(m)
            if a in continued and link(a):
                inner.append(a)
                cur = a
                continue
            break
        if not fixed(a) or len(ws) < _MIN_TERMS or (reached is not None and s not in reached):
            continue
        ws.reverse()
        xs.reverse()
        groups.setdefault(tuple(xs), []).append(_Sum(s, a, ws, xs, inner))
    return [g for g in groups.values() if len(g) > 1 or len(g[0].w) >= 2 * _MIN_TERMS]


def _rows(gs: tuple, like: Any) -> Any:
    """The gradients gs (arrays, or a number where no term came) as the rows of a matrix."""
    import numpy as np

    return np.stack([g if type(g) is not float else np.full_like(like, g) for g in gs])


# ---- the code ----------------------------------------------------------------------------


class _Writer:
    """Lines of the numpy code of one program and one layout of arrays and numbers."""

    def __init__(self, ir: IR, batched: frozenset[int], grads: bool) -> None:
        import numpy as np

        self.np, self.ir, self.grads = np, ir, grads
        self.batched = set(batched)
        self.lines: list[str] = []
        self.table: list[Any] = []
        self._names: dict[int, str] = {}
        self._forms: dict[int, str] = {}  # id(op) -> its function's name (ops live on)
        self.used: dict[int, None] = {}
        b = ir.backward if grads else None
        self.constants = {**ir.constants, **(b.constants if b is not None else {})}
        self.groups = weighted_sums(ir, batched, grads)
        self.fused = {x for group in self.groups for sm in group for x in (sm.end, *sm.inner)}
        self.pieces: set[int] = set()  # backward slots that hold one number per sample
        self.alias: dict[int, int] = {}  # gradients that are another's (see Backward.aliases)
        self.gradient_of: dict[int, int] = {}
        if grads and ir.backward is not None:
            for s, g in enumerate(ir.backward.gradient):
                if g >= 0:
                    self.gradient_of[g] = s

    def emit(self, line: str, indent: int = 1) -> None:
        self.lines.append("    " * indent + line)

    def apply(self, op: Op, ins: tuple[int, ...]) -> str:
        """op applied to the slots ``ins``: an arithmetic operator where the table's inline
        form is one (arrays and floats alike take it), else a call of its numpy form."""
        names = [self.name(i) for i in ins]
        if op.inline is not None and op.inline[0] > 0:
            return op.inline[1].format(*names)
        if op.family == "step" and op.params == (1.0, 0.0):  # relu's slope: 1 where x > 0
            return f"({names[0]} > 0.0)"  # True and False multiply as 1.0 and 0.0
        form = self._forms.get(id(op))
        if form is None:
            form = self._forms[id(op)] = self.ref(array_form(op, self.np))
        return f"{form}({', '.join(names)})"

    def ref(self, f: Any) -> str:
        if id(f) not in self._names:
            self._names[id(f)] = f"t{len(self.table)}"
            self.table.append(f)
        return self._names[id(f)]

    def is_batched(self, slot: int) -> bool:
        """Whether a slot holds one number per sample: a forward slot that depends on an
        array, a gradient of one, a piece of a derivative computed from one."""
        if slot < self.ir.forward_slots:
            return slot in self.batched
        if slot in self.gradient_of:
            return self.gradient_of[slot] in self.batched
        return slot in self.pieces

    def name(self, slot: int) -> str:
        if slot in self.constants:
            self.used[slot] = None
            return f"c{slot}"
        b = self.ir.backward
        if b is not None and slot == b.seed:
            return "seed"
        if slot in self.gradient_of:
            return f"g{self.gradient_of[self.alias.get(slot, slot)]}"
        return f"v{slot}" if slot < self.ir.forward_slots else f"d{slot}"

    def forward(self) -> list[int]:
        """The forward equations; returns the slots to check for inf and nan."""
        starts = {group[0].end: k for k, group in enumerate(self.groups)}  # in equation order
        absorbing: list[int] = []
        for op, ins, s in self.ir.equations:
            if s in starts:
                _forward_group(self, self.groups[starts[s]], starts[s])
            if s in self.fused:
                continue
            if any(i in self.batched for i in ins):
                self.batched.add(s)
            if op.inline is None or op.family == "relu":  # these may hide an inf or nan
                absorbing += [i for i in ins if i not in self.ir.constants]
            self.emit(f"{self.name(s)} = {self.apply(op, ins)}")
        return absorbing

    def check(self, slots: list[int]) -> None:
        for s in dict.fromkeys(slots):  # each adds 0 if finite, nan otherwise
            v = self.name(s)
            self.emit(f"bad += dot({v}, zero)" if s in self.batched else f"bad += {v} * 0.0")


def _forward_group(w: _Writer, group: list[_Sum], k: int) -> None:
    """The group's sums as one matrix product, or one by one where a partial sum could
    overflow (then the float replay's order decides, as it does for the Value path)."""
    w.emit(f"X{k} = stack(({', '.join(w.name(x) for x in group[0].x)},))")
    weights = ", ".join(f"({', '.join(w.name(x) for x in sm.w)},)" for sm in group)
    w.emit(f"W{k} = array(({weights},))")
    w.emit(f"B{k} = array(({', '.join(w.name(sm.b) for sm in group)},))")
    w.emit(f"if isfinite((absolute(W{k}) @ absolute(X{k})).max() + absolute(B{k}).max()):")
    w.emit(f"Z{k} = W{k} @ X{k}", 2)
    for j, sm in enumerate(group):
        w.emit(f"{w.name(sm.end)} = {w.name(sm.b)} + Z{k}[{j}]", 2)
    w.emit("else:")
    for sm in group:
        terms = " + ".join(f"{w.name(a)} * {w.name(x)}" for a, x in zip(sm.w, sm.x))
        w.emit(f"{w.name(sm.end)} = {w.name(sm.b)} + {terms}", 2)
    for sm in group:
        w.batched.add(sm.end)


def _backward(w: _Writer) -> None:
    """The backward program: each equation a numpy call, a group's blocks as products.

    A group's backward runs where backward() reaches the last of its sums: their
    gradients are all complete there, and none of their inputs' has been used yet.
    """
    b = w.ir.backward
    assert b is not None
    w.alias = {a: g for a, g in b.aliases().items() if w.is_batched(a) == w.is_batched(g)}
    rank = {block.node: i for i, block in enumerate(b.blocks)}
    last = {max((sm.end for sm in g), key=rank.__getitem__): k for k, g in enumerate(w.groups)}
    cursor = 0
    for block in b.blocks:
        _equations(w, b.equations[cursor : block.start], None)
        cursor = block.stop
        if block.node in last:
            _backward_group(w, w.groups[last[block.node]], last[block.node])
        if block.node not in w.fused:
            _equations(w, b.equations[block.start : block.stop], block)
    _equations(w, b.equations[cursor:], None)


def _equations(w: _Writer, equations: list, block: Block | None) -> None:
    risky: set[int] = set()  # pieces of a derivative that may be inf or nan where g is 0
    for op, ins, out in equations:
        name = w.name(out)
        if out == ins[0] and (op is ADD or op is SUB):  # a gradient += a share
            if out in w.alias:
                continue  # it is the other gradient, by name
            term = w.name(ins[1])
            if w.is_batched(ins[1]) and not w.is_batched(out):
                term = f"dot({term}, one)"  # the sum over the batch
            w.emit(f"{name} {'+' if op is ADD else '-'}= {term}")
            continue
        if block is None:  # the output's gradient, seed + 0.0: one per sample if batched
            times = " * one" if w.is_batched(out) else ""
            w.emit(f"{name} = ({w.apply(op, ins)}){times}")
            continue
        if any(w.is_batched(i) for i in ins):
            w.pieces.add(out)
        if op is MUL and ins[0] == block.gradient and ins[1] in risky:
            g, d = w.name(ins[0]), w.name(ins[1])
            w.emit(f"{name} = where({g} != 0.0, {g} * {d}, 0.0)")
            continue
        if op.family not in _BOUNDED:
            risky.add(out)
        w.emit(f"{name} = {w.apply(op, ins)}")


def _backward_group(w: _Writer, group: list[_Sum], k: int) -> None:
    """d/dW = G X^T and d/db = G 1 (summed over the batch), d/dX = W^T G."""
    b = w.ir.backward
    assert b is not None
    grad = b.gradient
    w.emit(f"G{k} = rows(({', '.join(w.name(grad[sm.end]) for sm in group)},), one)")
    w.emit(f"GW = (G{k} @ X{k}.T).tolist()")
    w.emit(f"GB = (G{k} @ one).tolist()")
    for j, sm in enumerate(group):
        for i, x in enumerate(sm.w):
            if x not in w.ir.constants:  # nobody reads a constant's gradient
                w.emit(f"{w.name(grad[x])} += GW[{j}][{i}]")
        if sm.b not in w.ir.constants:
            w.emit(f"{w.name(grad[sm.b])} += GB[{j}]")
    w.emit(f"GX = W{k}.T @ G{k}")
    for i, x in enumerate(group[0].x):
        w.emit(f"{w.name(grad[x])} += GX[{i}]")


def _watched(w: _Writer) -> list[int]:
    """Gradients that no other carries on (leaves that are not arguments): checked."""
    b = w.ir.backward
    assert b is not None
    passing = {block.node for block in b.blocks}
    return [
        g
        for s, g in enumerate(b.gradient)
        if g >= 0 and s >= w.ir.num_inputs and s not in passing and s not in w.fused
    ]


def _render(w: _Writer, out: Any) -> str:
    if isinstance(out, int):
        return w.name(out)
    inner = ", ".join(_render(w, o) for o in out)
    return f"({inner}{',' if len(out) == 1 else ''})" if type(out) is tuple else f"[{inner}]"


def lower(ir: IR, batched: frozenset[int], grads: bool) -> tuple[str, Callable[..., Any]]:
    """The numpy code of ``ir`` for a layout of arrays (``batched``: the argument leaves
    that are arrays), and the compiled function ``run(*leaves, seed, zero, one)``, which
    returns ``(bad, outputs)`` or ``(bad, value, grads)``; ``bad`` is nan if a number
    that could hide an inf or nan held one."""
    w = _Writer(ir, batched, grads)
    params = ", ".join(f"v{s}" for s in range(ir.num_inputs))
    w.emit("bad = 0.0")
    w.check(w.forward())
    if not grads:
        w.emit(f"return bad, {_render(w, ir.outputs)}")
    else:
        b = ir.backward
        assert b is not None
        accumulators = [g for g in w.gradient_of if g not in b.starts]
        alias = {a for a, g in b.aliases().items() if w.is_batched(a) == w.is_batched(g)}
        accumulators = [g for g in accumulators if g not in alias]
        if accumulators:
            w.emit(" = ".join(w.name(g) for g in accumulators) + " = 0.0")
        _backward(w)
        for g in _watched(w):
            v = w.name(g)
            w.emit(f"bad += dot({v}, zero)" if w.is_batched(g) else f"bad += {v} * 0.0")
        starts = ", ".join(w.name(s) for s in b.starts)
        comma = "," if len(b.starts) == 1 else ""
        w.emit(f"return bad, {w.name(b.root)}, ({starts}{comma})")
    head = ["def make(table, constants):"]
    if w.table:
        head.append(f"    {', '.join(f't{i}' for i in range(len(w.table)))}, = table")
    if w.used:
        head.append(f"    {', '.join(f'c{s}' for s in w.used)}, = constants")
    starts_params = "".join(f", g{i}" for i in range(ir.num_inputs)) if grads else ""
    head.append(f"    def run({params}{starts_params}, seed, zero, one):")
    source = "\n".join([*head, *("    " + line for line in w.lines), "    return run", ""])
    np = w.np
    namespace: dict[str, Any] = {
        "stack": np.stack,
        "array": np.array,
        "absolute": np.abs,
        "isfinite": math.isfinite,
        "rows": _rows,
        "where": np.where,
        "dot": np.dot,
    }
    exec(compile(source, "<autograd.trace numpy program>", "exec"), namespace)
    return source, namespace["make"](w.table, [w.constants[s] for s in w.used])


# ---- running -----------------------------------------------------------------------------

_CACHE: weakref.WeakKeyDictionary[Any, dict[tuple, Any]] = weakref.WeakKeyDictionary()


def run(program: Any, args: tuple, grads: bool, seed: Any = 1.0, start: Any = None) -> Any:
    """The numpy replay of ``program`` on a batch (see the module's docstring)."""
    import numpy as np

    leaves, n = _leaves(program.flat(args, "program", arrays=True), np)
    if grads:
        seed = _numbers(seed, n, np, "seed")
        starts = _starts(program, start, n, np)
    if n == 0:
        return _empty(program, leaves, grads, starts if grads else None, np)
    arrays = frozenset(i for i, x in enumerate(leaves) if type(x) is not float)
    layouts = _CACHE.setdefault(program, {})
    if (arrays, grads) not in layouts:  # compiled once for each layout of arrays and numbers
        batched = _batched_slots(program, arrays)
        shared = grads and program.backward.root not in batched
        layouts[arrays, grads] = lower(program, batched, grads)[1], shared
    fast, shared = layouts[arrays, grads]
    zero, one = (0.0, 1.0) if n is None else (np.zeros(n), np.ones(n))
    if shared and n is not None:
        seed = float(np.sum(np.broadcast_to(seed, (n,))))  # a shared output: n seeds
    with np.errstate(all="ignore"):
        if grads:
            bad, value, raw = fast(*leaves, *starts, seed, zero, one)
        else:
            bad, out = fast(*leaves, seed, zero, one)
    if not grads:
        out = _per_sample(out, n, np)
        if not (math.isfinite(bad) and all(np.isfinite(x).all() for x in _leaves_of(out))):
            _explain(program, leaves, n, grads)
        return out
    value = _shaped(value, n is not None, n, np)
    g = [_shaped(x, i in arrays, n, np) for i, x in enumerate(raw)]
    numbers_ = [bad, *(x for x in g if type(x) is float)]
    checks = [value, *(x for x in g if type(x) is not float)]
    if not (math.isfinite(sum(numbers_)) and all(np.isfinite(c).all() for c in checks)):
        _explain(program, leaves, n, grads)
    return value, build(program.arguments, iter(g))


def _leaves(raw: list[Any], np: Any) -> tuple[list[Any], int | None]:
    """Each argument leaf as a float (shared by the batch) or a float array, and n; the
    same numbers as Value() takes (real, finite), also in an argument the output does
    not use."""
    leaves: list[Any] = []
    n = None
    for i, x in enumerate(raw):
        if type(x) is float and x - x == 0.0:  # the common case, quickly
            leaves.append(x)
            continue
        a = _array(x, np, f"program (numpy): argument leaf {i}")
        if a.ndim == 1:
            if n is not None and len(a) != n:
                raise TraceError(
                    f"program (numpy): argument leaf {i} holds {len(a)} samples, an earlier "
                    f"one {n}; every array must hold the same batch"
                )
            n = len(a)
        leaves.append(a if a.ndim else float(a))
    return leaves, n


def _array(x: Any, np: Any, what: str) -> Any:
    """``x`` (a real number, or a 1-D array or list of them) as floats; finite."""
    if type(x) is float:
        a = np.asarray(x)
    elif isinstance(x, np.ndarray) and x.dtype.kind in "biuf":
        a = x.astype(float)
    elif isinstance(x, (list, tuple, np.ndarray)):
        items = np.asarray(x, dtype=object)
        if not all(_real(y) for y in items.flat):
            bad = next(y for y in items.flat if not _real(y))
            raise TypeError(f"{what} must hold real numbers, got {bad!r:.60}")
        a = np.asarray([float(y) for y in items.flat]).reshape(items.shape)
    elif _real(x):
        a = np.asarray(float(x))
    else:
        raise TypeError(f"{what} must be a real number or a 1-D array of them, got {x!r:.60}")
    if a.ndim > 1:
        raise TraceError(f"{what} must be a number or a 1-D array of numbers, not {a.ndim}-D")
    if not np.isfinite(a).all():
        raise ValueError(f"{what} must be finite, got {x!r:.60}")
    return a


def _real(y: Any) -> bool:
    return isinstance(y, numbers.Real) and not isinstance(y, (str, bytes))


def _numbers(x: Any, n: int | None, np: Any, what: str) -> Any:
    a = _array(x, np, f"value_and_grad (numpy): {what}")
    if a.ndim == 1 and len(a) != n:
        raise TraceError(f"value_and_grad (numpy): {what} must be a number or one per sample")
    return a if a.ndim else float(a)


def _starts(program: Any, start: Any, n: int | None, np: Any) -> list[Any]:
    """Where each argument leaf's gradient starts: 0.0, or the number(s) start gives."""
    shapes = program.arguments.items
    if start is None:
        return [0.0] * program.num_inputs
    if not isinstance(start, (list, tuple)) or len(start) != len(shapes):
        raise TraceError(
            "value_and_grad (numpy): start must be None or hold one entry per argument "
            f"({len(shapes)}), got {start!r:.40}"
        )
    flat: list[Any] = []
    for i, (shape, s) in enumerate(zip(shapes, start)):
        if s is None:
            flat += [0.0] * count(shape)
        else:
            raw: list[Any] = []
            flatten(shape, s, raw, f"start[{i}]", arrays=True)
            flat += [_numbers(x, n, np, f"start[{i}]") for x in raw]
    return flat


def _empty(program: Any, leaves: list[Any], grads: bool, starts: Any, np: Any) -> Any:
    """The results for a batch of no samples: empty arrays, and gradients of the number
    leaves that sum over no samples (their start)."""
    none = np.zeros(0)
    if not grads:
        return _per_sample(_zeros_like(program.outputs, none), 0, np)
    g = [none if type(x) is not float else float(np.sum(s)) for x, s in zip(leaves, starts)]
    return none, build(program.arguments, iter(g))


def _zeros_like(out: Any, none: Any) -> Any:
    if isinstance(out, int):
        return none
    return type(out)(_zeros_like(o, none) for o in out)


def _shaped(g: Any, batched: bool, n: int | None, np: Any) -> Any:
    """A gradient as returned: per sample for an array leaf, a float for a number leaf."""
    if not batched:
        return float(g)
    return g if isinstance(g, np.ndarray) and g.ndim == 1 else np.full(n, float(g))


def _per_sample(out: Any, n: int | None, np: Any) -> Any:
    """Outputs as arrays over the batch, also those that depend on no array argument."""
    if isinstance(out, (list, tuple)):
        return type(out)(_per_sample(o, n, np) for o in out)
    return _shaped(out, n is not None, n, np)


def _leaves_of(out: Any) -> Iterator[Any]:
    if isinstance(out, (list, tuple)):
        for o in out:
            yield from _leaves_of(o)
    else:
        yield out


def _batched_slots(ir: IR, arrays: frozenset[int]) -> frozenset[int]:
    batched = set(arrays)
    for _, ins, s in ir.equations:
        if any(i in batched for i in ins):
            batched.add(s)
    return frozenset(batched)


def _explain(program: Any, leaves: list[Any], n: int | None, grads: bool) -> None:
    """Raise the engine's error for the first sample whose float replay fails."""
    for i in range(n or 1):
        sample = [x if type(x) is float else float(x[i]) for x in leaves]
        try:
            program.replay(build(program.arguments, iter(sample)), grads)
        except (ArithmeticError, ValueError) as e:
            raise type(e)(f"sample {i}: {e}") from e
    raise OverflowError(
        "program (numpy): a result over the batch is not a finite number, though the float "
        "replay of each sample is (did a sum over the batch overflow?)"
    )
