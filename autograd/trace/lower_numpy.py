"""The numpy backend of traced programs: every slot an array over a batch of samples.

``trace(fn, *args, backend="numpy")`` gives a program whose argument leaves may each be a
number or a 1-D array (all arrays of one length n, the batch; numbers are shared by every
sample).  ``program(*args)`` returns the outputs per sample; ``program.value_and_grad``
differentiates the sum over the batch of seed x output: an array leaf gets its gradient
per sample, a number leaf (a parameter, say) the gradient summed over the batch.

Each sample gets the float replay's numbers to about 1e-12 relative, not bit for bit:
numpy's exp, log and tanh are not Python's math functions, and sums over the batch, like
the weighted sums of a layer (one matrix product), add in another order.  Where a sample
would raise (an overflow, a log of a negative number), the float replay of that sample
raises the engine's error, naming the sample.

Only this module imports numpy, and only when a numpy program runs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import ops as _ops
from ..ops import Op
from .program import _count, _flatten, _slots_of

if TYPE_CHECKING:
    from .program import Program


def _rules(np: Any) -> dict[int, tuple[Callable[..., Any], Callable[..., Any], bool]]:
    """id(op) -> (forward on arrays, derivative on arrays, derivative may be inf or nan)."""
    where, exp, log = np.where, np.exp, np.log

    def sigmoid(x: Any) -> Any:
        e = exp(-np.abs(x))  # never overflows: the two forms of ops._sigmoid at once
        return where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))

    table: dict[Op, tuple[Callable[..., Any], Callable[..., Any], bool]] = {
        _ops.DIV: (np.divide, lambda a, b, out: (1.0 / b, -out / b), True),
        _ops.NEG: (np.negative, lambda a, out: -1.0, False),
        _ops.POW: (np.power, _powv, True),
        _ops.EXP: (exp, lambda x, out: out, False),
        _ops.LOG: (log, lambda x, out: 1.0 / x, True),
        _ops.SQRT: (np.sqrt, lambda x, out: 0.5 / out, True),
        _ops.TANH: (np.tanh, lambda x, out: 1.0 - out * out, False),
        _ops.SIGMOID: (sigmoid, lambda x, out: out * (1.0 - out), False),
        _ops.SOFTPLUS: (
            lambda x: np.maximum(x, 0.0) + np.log1p(exp(-np.abs(x))),
            lambda x, out: sigmoid(x),
            False,
        ),
        _ops.SIN: (np.sin, lambda x, out: np.cos(x), False),
        _ops.COS: (np.cos, lambda x, out: -np.sin(x), False),
        _ops.ABS: (np.abs, lambda x, out: np.sign(x), False),
    }
    return {id(op): rule for op, rule in table.items()}


def _powv(a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    import numpy as np

    # d/db a^b = a^b ln a, taken as 0 at a = 0 (the engine's rule); a < 0 gives nan.
    with np.errstate(all="ignore"):
        return b * a ** (b - 1.0), np.where(a == 0.0, 0.0, out * np.log(a))


def _rule(op: Op, np: Any, table: dict) -> tuple[Callable[..., Any], Callable[..., Any], bool]:
    rule = table.get(id(op))
    if rule is not None:
        return rule
    if op.builtin and op.family == "pow":  # x ** n for a constant n
        (n,) = op.params
        return (
            lambda x: np.power(x, n),
            (lambda x, out: 0.0) if n == 0 else (lambda x, out: n * np.power(x, n - 1.0)),
            True,
        )
    if op.builtin and op.family == "leaky_relu":
        (s,) = op.params
        return (
            lambda x: np.where(x > 0.0, x, s * x),
            lambda x, out: np.where(x > 0.0, 1.0, s),
            False,
        )
    # A user's op: its float functions, sample by sample.
    forward = np.vectorize(op.forward, otypes=[float])
    derivative = np.vectorize(op.derivative, otypes=[float] * op.arity)
    return forward, (derivative if op.arity > 1 else lambda *xs: derivative(*xs)), True


# --------------------------------------------------------------------------------------
# Weighted sums.  A neuron's b + w1 x1 + ... + wK xK is 2K steps, each a numpy call on
# the batch; the sums of neurons that read the same inputs (a layer) are one matrix
# product instead, forward and backward.  A matrix product adds in another order, so the
# results move in their last bits, as sums over the batch already do.


@dataclass
class _Sum:
    """b + w[0] x[0] + ... as steps: ``end`` the last add, ``inner`` the other slots."""

    end: int
    b: int
    w: list[int]
    x: list[int]
    inner: list[int]


_MIN_TERMS = 3


def _weighted_sums(
    program: Program, batched: frozenset[int], within: set[int] | None = None
) -> list[list[_Sum]]:
    """The weighted sums of batched inputs with number weights and bias (arguments or
    constants), grouped by their inputs; only groups worth a matrix product, and only
    sums that end in ``within`` (the slots the backward pass visits) when given."""
    p = program

    def fixed(i: int) -> bool:  # a number for the whole batch, known before any step
        return i not in batched and (i < p.num_inputs or i in p.constants)

    uses = Counter(i for _, ins, _ in p.steps for i in ins)
    uses.update(_slots_of(p._out))
    step = {s: (op, ins) for op, ins, s in p.steps}

    def term(s: int) -> tuple[int, int] | None:
        """(w, x) if slot s is a product w * x used once, else None."""
        op, ins = step.get(s, (None, ()))
        if op is not _ops.MUL or uses[s] != 1:
            return None
        a, b = ins
        if fixed(a) and b in batched:
            return a, b
        if fixed(b) and a in batched:
            return b, a
        return None

    def link(s: int) -> bool:  # s = previous + w * x
        op, ins = step.get(s, (None, ()))
        return op is _ops.ADD and term(ins[1]) is not None

    continued = {ins[0] for _, ins, s in p.steps if link(s) and uses[ins[0]] == 1}
    groups: dict[tuple[int, ...], list[_Sum]] = {}
    for *_, s in p.steps:
        if not link(s) or s in continued:
            continue
        ws, xs, inner, cur = [], [], [], s
        while True:
            a, m = step[cur][1]
            wx = term(m)
            assert wx is not None  # link(cur) holds
            ws.append(wx[0])
            xs.append(wx[1])
            inner.append(m)
            if a in continued and link(a):
                inner.append(a)
                cur = a
                continue
            break
        if not fixed(a) or len(ws) < _MIN_TERMS or (within is not None and s not in within):
            continue
        ws.reverse()
        xs.reverse()
        groups.setdefault(tuple(xs), []).append(_Sum(s, a, ws, xs, inner))
    return [g for g in groups.values() if len(g) > 1 or len(g[0].w) >= 2 * _MIN_TERMS]


def _rows(gs: tuple, like: Any) -> Any:
    """The gradients gs (arrays, or a number where no term came) as the rows of a matrix."""
    import numpy as np

    return np.stack([g if type(g) is not float else np.full_like(like, g) for g in gs])


# --------------------------------------------------------------------------------------
# Code generation, as for the float replay, with arrays: v<i> and g<i> are arrays for the
# slots that depend on an array argument ("batched"), numbers for the others.


def source(program: Program, batched: frozenset[int], grads: bool) -> tuple[str, list[Any]]:
    import numpy as np

    table = _rules(np)
    refs: list[Any] = []
    names: dict[int, str] = {}

    def ref(f: Any) -> str:
        if id(f) not in names:
            names[id(f)] = f"t{len(refs)}"
            refs.append(f)
        return names[id(f)]

    p = program
    params = ", ".join(f"v{s}" for s in range(p.num_inputs))
    # zero and one: arrays of the batch's length (or numbers), for checks and sums as dots.
    lines = [f"def run({params}, seed, zero, one):"]

    def emit(line: str, indent: int = 1) -> None:
        lines.append("    " * indent + line)

    def val(s: int) -> str:
        c = p.constants.get(s)
        return f"v{s}" if c is None else repr(c)

    # Slots whose every non-finite value could be hidden by the next op: checked.
    absorbing: list[int] = []
    emit("bad = 0.0")
    groups = _weighted_sums(p, batched, set(p._order) if grads and p._order else None)
    fused = {x for group in groups for sm in group for x in (sm.end, *sm.inner)}
    starts = {group[0].end: k for k, group in enumerate(groups)}  # sums are in step order
    for op, ins, s in p.steps:
        if s in starts:
            _forward_group(groups[starts[s]], starts[s], val, emit)
        if s in fused:
            continue
        a = [val(i) for i in ins]
        infix = {id(_ops.ADD): "+", id(_ops.SUB): "-", id(_ops.MUL): "*"}.get(id(op))
        if infix is not None:
            emit(f"v{s} = {a[0]} {infix} {a[1]}")
        elif op is _ops.RELU:
            absorbing.append(ins[0])
            emit(f"v{s} = maximum({a[0]}, 0.0)")
        else:
            forward, _, _ = _rule(op, np, table)
            absorbing += [i for i in ins if i not in p.constants]
            emit(f"v{s} = {ref(forward)}({', '.join(a)})")
    for s in dict.fromkeys(absorbing):
        # 0 if finite, nan otherwise
        emit(f"bad += dot(v{s}, zero)" if s in batched else f"bad += v{s} * 0.0")
    out = p._order[-1] if grads and p._order else None
    if not grads:
        emit(f"return bad, {_render(p._out, val)}")
        return "\n".join(lines) + "\n", refs
    assert p._order is not None and out is not None
    # Backward: the root's gradient is seed per sample; a contribution from a batched
    # slot into a number slot is summed over the batch.
    order = p._order
    # As in the float replay: a gradient whose only term is an add's gradient is that one.
    consumers: dict[int, list[int]] = {s: [] for s in order}
    for s in order:
        if type(p._op[s]) is Op:
            for i in p._in[s]:
                consumers[i].append(s)
    alias: dict[int, str] = {}
    for s in reversed(order):
        c = consumers[s]
        if (
            s >= p.num_inputs
            and s != out
            and len(c) == 1
            and p._op[c[0]] is _ops.ADD
            and p._in[c[0]][0] != p._in[c[0]][1]
            and (s in batched) == (c[0] in batched)
        ):
            alias[s] = alias.get(c[0], f"g{c[0]}")
    slots = sorted((set(order) | set(range(p.num_inputs))) - set(alias) - {out})
    if slots:
        emit(" = ".join(f"g{s}" for s in slots) + " = 0.0")
    emit(f"g{out} = seed * ones_like(v{out})" if out in batched else f"g{out} = seed")

    def add(target: int, term: str, source_slot: int, sign: str = "+") -> None:
        if target in alias:
            return
        if source_slot in batched and target not in batched:
            term = f"dot({term}, one)"  # the sum over the batch
        emit(f"g{target} {sign}= {term}")

    def g(s: int) -> str:
        return alias.get(s, f"g{s}")

    # A group's backward pass runs where backward() would reach its earliest sum: the
    # gradients of all its sums are complete there, and none of their inputs' is used yet.
    rank = {s: i for i, s in enumerate(order)}
    at = {min((sm.end for sm in gr), key=rank.__getitem__): k for k, gr in enumerate(groups)}
    for s in reversed(order):
        if s in at:
            _backward_group(groups[at[s]], at[s], g, emit, p.constants)
        if s in fused:
            continue
        op, ins = p._op[s], p._in[s]
        if type(op) is not Op or not ins:
            continue
        gs = g(s)
        if op is _ops.ADD:
            add(ins[0], gs, s)
            add(ins[1], gs, s)
        elif op is _ops.SUB:
            add(ins[0], gs, s)
            add(ins[1], gs, s, "-")
        elif op is _ops.MUL:
            for x, other in ((ins[0], ins[1]), (ins[1], ins[0])):
                if x in p.constants:
                    continue  # nobody reads a constant's gradient
                if s in batched and x not in batched:
                    emit(f"g{x} += dot({gs}, {val(other)})")  # other is batched here
                else:
                    emit(f"g{x} += {gs} * {val(other)}")
        elif op is _ops.RELU:
            add(ins[0], f"{gs} * sign(v{s})", s)  # relu(x) >= 0: its sign is 1 or 0
        else:
            _, derivative, risky = _rule(op, np, table)
            args = ", ".join([*(val(i) for i in ins), val(s)])
            emit(f"d = {ref(derivative)}({args})")
            local = ["d"] if len(ins) == 1 else [f"d[{k}]" for k in range(len(ins))]
            for x, d in zip(ins, local):
                # Where the gradient is 0 the engine never asks for the derivative.
                term = f"where({gs} != 0.0, {gs} * {d}, 0.0)" if risky else f"{gs} * {d}"
                add(x, term, s)
    grads_out = ", ".join(f"g{s}" for s in range(p.num_inputs))
    emit(f"return bad, {val(out)}, ({grads_out}{',' if p.num_inputs == 1 else ''})")
    return "\n".join(lines) + "\n", refs


def _forward_group(
    group: list[_Sum], k: int, val: Callable[[int], str], emit: Callable[[str, int], None]
) -> None:
    """The group's sums as one matrix product, or one by one where a partial sum could
    overflow (then the float replay's order decides, as it does for the Value path)."""
    emit(f"X{k} = stack(({', '.join(val(x) for x in group[0].x)},))", 1)
    weights = ", ".join(f"({', '.join(val(w) for w in sm.w)},)" for sm in group)
    emit(f"W{k} = array(({weights},))", 1)
    emit(f"B{k} = array(({', '.join(val(sm.b) for sm in group)},))", 1)
    emit(f"if isfinite((absolute(W{k}) @ absolute(X{k})).max() + absolute(B{k}).max()):", 1)
    emit(f"Z{k} = W{k} @ X{k}", 2)
    for j, sm in enumerate(group):
        emit(f"v{sm.end} = {val(sm.b)} + Z{k}[{j}]", 2)
    emit("else:", 1)
    for sm in group:
        terms = " + ".join(f"{val(w)} * {val(x)}" for w, x in zip(sm.w, sm.x))
        emit(f"v{sm.end} = {val(sm.b)} + {terms}", 2)


def _backward_group(
    group: list[_Sum],
    k: int,
    g: Callable[[int], str],
    emit: Callable[[str, int], None],
    constants: dict[int, float],
) -> None:
    """d/dW = G X^T and d/db = G 1 (summed over the batch), d/dX = W^T G."""
    emit(f"G{k} = rows(({', '.join(g(sm.end) for sm in group)},), one)", 1)
    emit(f"GW = (G{k} @ X{k}.T).tolist()", 1)
    emit(f"GB = (G{k} @ one).tolist()", 1)
    for j, sm in enumerate(group):
        for i, w in enumerate(sm.w):
            if w not in constants:  # nobody reads a constant's gradient
                emit(f"g{w} += GW[{j}][{i}]", 1)
        if sm.b not in constants:
            emit(f"g{sm.b} += GB[{j}]", 1)
    emit(f"GX = W{k}.T @ G{k}", 1)
    for i, x in enumerate(group[0].x):
        emit(f"g{x} += GX[{i}]", 1)


def _render(spec: Any, val: Callable[[int], str]) -> str:
    tag, item = spec
    if tag == "slot":
        return val(item)
    if tag == "number":
        return repr(item)
    inner = ", ".join(_render(s, val) for s in item)
    return f"({inner}{',' if len(item) == 1 else ''})" if tag is tuple else f"[{inner}]"


def compile_batched(program: Program, batched: frozenset[int], grads: bool) -> Callable[..., Any]:
    import numpy as np

    code, refs = source(program, batched, grads)
    names = ", ".join(f"t{i}" for i in range(len(refs)))
    text = "def make(table):\n" + (f"    {names}, = table\n" if refs else "")
    text += "".join("    " + line + "\n" for line in code.splitlines())
    text += "    return run\n"
    namespace: dict[str, Any] = {
        "stack": np.stack,
        "array": np.array,
        "absolute": np.abs,
        "isfinite": math.isfinite,
        "rows": _rows,
        "where": np.where,
        "dot": np.dot,
        "maximum": np.maximum,
        "sign": np.sign,
        "ones_like": np.ones_like,
    }
    exec(compile(text, "<autograd.trace numpy program>", "exec"), namespace)
    return namespace["make"](refs)


# --------------------------------------------------------------------------------------
# Running.


def run(program: Program, args: tuple, grads: bool, seed: Any = 1.0, start: Any = None) -> Any:
    """The numpy replay of ``program`` on a batch (see the module's docstring)."""
    import numpy as np

    from .program import _build

    leaves, n = _leaves(program, program._flat(args, "program"), np)
    arrays = frozenset(i for i, x in enumerate(leaves) if type(x) is not float)
    compiled = program._batched.get((arrays, grads))
    if compiled is None:  # compiled once for each layout of arrays and numbers
        batched = _batched_slots(program, arrays)
        shared = grads and program._order is not None and program._order[-1] not in batched
        compiled = (compile_batched(program, batched, grads), shared)
        program._batched[arrays, grads] = compiled
    fast, shared = compiled
    if grads:
        seed = _numbers(seed, n, np, "seed")
        if shared and n is not None:
            # The output is the same for every sample: its gradient sums n seeds.
            seed = float(np.sum(np.broadcast_to(seed, (n,))))
    zero, one = (0.0, 1.0) if n is None else (np.zeros(n), np.ones(n))
    with np.errstate(all="ignore"):
        bad, *result = fast(*leaves, seed, zero, one)
    if grads:
        value, raw = result
        value = _shaped(value, n is not None, n, np)
        g = [_shaped(x, i in arrays, n, np) for i, x in enumerate(raw)]
        if start is not None:
            flat: list[Any] = []
            for i, (spec, s) in enumerate(zip(program._spec[1], start)):
                if s is None:
                    flat += [0.0] * _count(spec)
                else:
                    _flatten(spec, s, flat, f"start[{i}]")
            g = [x + _numbers(s, n, np, "start") for x, s in zip(g, flat)]
        numbers = [bad, *(x for x in g if type(x) is float)]
        checks = [value, *(x for x in g if type(x) is not float)]
    else:
        result[0] = _per_sample(result[0], n, np)
        numbers, checks = [bad], _leaves_of(result[0])
    if not (math.isfinite(sum(numbers)) and all(np.isfinite(c).all() for c in checks)):
        _explain(program, leaves, n, grads)
    if not grads:
        return result[0]
    return value, _build(program._spec, iter(g))


def _leaves(program: Program, raw: list[Any], np: Any) -> tuple[list[Any], int | None]:
    """Each argument leaf as a float (shared by the batch) or a float array, and n."""
    from .program import TraceError

    leaves: list[Any] = []
    n = None
    for i, x in enumerate(raw):
        if type(x) is float and x - x == 0.0:
            leaves.append(x)
            continue
        try:
            a = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            a = None
        if a is None or a.ndim > 1 or isinstance(x, (str, bytes)):
            raise TraceError(
                f"program (numpy): argument leaf {i} must be a number or a 1-D array of "
                f"numbers, got {x!r:.60}"
            )
        if a.ndim == 1:
            if n is not None and len(a) != n:
                raise TraceError(
                    f"program (numpy): argument leaf {i} holds {len(a)} samples, an earlier "
                    f"one {n}; every array must hold the same batch"
                )
            n = len(a)
        leaves.append(a if a.ndim else float(a))
    return leaves, n


def _numbers(x: Any, n: int | None, np: Any, what: str) -> Any:
    from .program import TraceError

    a = np.asarray(x, dtype=float)
    if a.ndim > 1 or (a.ndim == 1 and len(a) != n):
        raise TraceError(f"value_and_grad (numpy): {what} must be a number or one per sample")
    return a if a.ndim else float(a)


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


def _leaves_of(out: Any) -> list[Any]:
    if isinstance(out, (list, tuple)):
        return [x for o in out for x in _leaves_of(o)]
    return [out]


def _batched_slots(program: Program, arrays: frozenset[int]) -> frozenset[int]:
    batched = set(arrays)
    for _, ins, s in program.steps:
        if any(i in batched for i in ins):
            batched.add(s)
    return frozenset(batched)


def _explain(program: Program, leaves: list[Any], n: int | None, grads: bool) -> None:
    """Raise the engine's error for the first sample whose float replay fails."""
    from .program import _build

    for i in range(n or 1):
        sample = [x if type(x) is float else float(x[i]) for x in leaves]
        try:
            program._float_replay(_build(program._spec, iter(sample)), grads)
        except (ArithmeticError, ValueError) as e:
            raise type(e)(f"sample {i}: {e}") from e
    raise OverflowError(
        "program (numpy): a result over the batch is not a finite number, though the float "
        "replay of each sample is (did a sum over the batch overflow?)"
    )
