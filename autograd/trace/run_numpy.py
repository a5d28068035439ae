"""Running the numpy backend: arguments in, results out, and the float replay where a
number went wrong.

``trace(fn, *args, backend="numpy")`` gives a program whose argument leaves may each be a
number or a 1-D array (all arrays of one length n, the batch; numbers are shared by every
sample).  ``program(*args)`` returns the outputs per sample; ``program.value_and_grad``
differentiates the sum over the batch of seed x output: an array leaf gets its gradient
per sample, a number leaf (a parameter, say) the gradient summed over the batch.

The arguments are checked as the float replay checks them (real and finite numbers,
also in an argument the output does not use; a list or a tuple where one was traced),
then passed to the lowered code (:mod:`~autograd.trace.lower_numpy`) as one vector of
the number leaves and one matrix of the array leaves.  Each sample gets the float
replay's numbers to about 1e-12 relative.  Where a sample's numbers go wrong (an
overflow, a log of a negative number), the float replay of that sample raises the
engine's error, naming the sample; where only the batch's order could be at fault, the
float replay of each sample gives the results.

:class:`Batch` is the same for a caller that keeps its numbers as arrays between calls
(``nets.fit``): the number leaves as one vector, the array leaves as one matrix.
"""

from __future__ import annotations

import math
import numbers
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from .args import TraceError, build, count, flatten
from .lower_numpy import Fallback, Lowered, lower

_CACHE: weakref.WeakKeyDictionary[Any, dict[tuple, Lowered]] = weakref.WeakKeyDictionary()


def lowered(
    program: Any, arrays: frozenset[int], grads: bool, input_grads: frozenset[int] | None = None
) -> Lowered:
    """The program lowered for this layout, compiled once."""
    layouts = _CACHE.setdefault(program, {})
    key = (arrays, grads, input_grads)
    if key not in layouts:
        layouts[key] = lower(program, arrays, grads, input_grads)
    return layouts[key]


class Batch:
    """A traced program on batches, for a caller that keeps its numbers as arrays.

    ``arrays`` are the argument leaves (indices) that hold the batch; the others, the
    number leaves (a model's parameters, say), come as one vector.  The results are the
    float replay's to about 1e-12, as :func:`run`'s, but nothing is converted per leaf.
    """

    def __init__(
        self, program: Any, arrays: frozenset[int], input_grads: frozenset[int] = frozenset()
    ) -> None:
        self.program, self.arrays = program, frozenset(arrays)
        self.input_grads = frozenset(input_grads)
        self.numbers = [i for i in range(program.num_inputs) if i not in self.arrays]

    def value_and_grad(self, P: Any, A: Any, seed: Any = 1.0) -> tuple[Any, Any, Any]:
        """Each sample's output, the gradient of the number leaves summed over the batch,
        and the gradients of the array leaves in ``input_grads`` per sample (the rows of
        a matrix like A; the other rows are 0).  P: the number leaves' values in order;
        A: the array leaves' values as rows."""
        import numpy as np

        low = lowered(self.program, self.arrays, True, self.input_grads)
        n = A.shape[1]
        GP = np.zeros(len(low.numbers))
        GA = np.zeros_like(A) if low.arrays and A.size else A
        result = _call(low, P, A, seed, GP, GA, n, np)
        if result is None:
            leaves = _leaves_from(self, P, A)
            value, g = fallback(self.program, leaves, n, True, seed)
            GA = np.zeros_like(A)
            for k, i in enumerate(sorted(self.arrays)):
                if i in self.input_grads:
                    GA[k] = g[i]
            return value, np.array([g[i] for i in self.numbers]), GA
        value, GP, GA = result
        return (np.broadcast_to(value, (n,)) if np.ndim(value) == 0 else value), GP, GA

    def __call__(self, P: Any, A: Any) -> Any:
        """The outputs per sample."""
        import numpy as np

        low = lowered(self.program, self.arrays, False)
        leaves = lambda: _leaves_from(self, P, A)  # only if the float replay must decide
        return _forward(self.program, low, P, A, leaves, A.shape[1], np)


def _leaves_from(batch: Batch, P: Any, A: Any) -> list[Any]:
    leaves: list[Any] = [None] * batch.program.num_inputs
    for k, i in enumerate(batch.numbers):
        leaves[i] = float(P[k])
    for k, i in enumerate(sorted(batch.arrays)):
        leaves[i] = A[k]
    return leaves


def _call(low: Lowered, P: Any, A: Any, seed: Any, GP: Any, GA: Any, n: int, np: Any) -> Any:
    """(value, GP, GA) from the lowered code, or None if the float replay must decide."""
    with np.errstate(all="ignore"):
        try:
            bad, value, GP, GA = low.run(P, A, seed, np.zeros(n), np.ones(n), GP, GA)
        except Fallback:
            return None
    checks = [np.asarray(value), GP, GA]
    if not (math.isfinite(bad) and all(np.isfinite(x).all() for x in checks)):
        return None
    return value, GP, GA


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
    low = lowered(program, arrays, grads)
    P = np.array([leaves[i] for i in low.numbers], dtype=float)
    A = np.array([leaves[i] for i in low.arrays], dtype=float).reshape(len(low.arrays), n or 1)
    size = n or 1
    if not grads:
        return _forward(program, low, P, A, lambda: leaves, n, np)
    if program.outputs not in low.batched and n is not None:
        seed = float(np.sum(np.broadcast_to(seed, (n,))))  # a shared output: n seeds
    GP = np.array([starts[i] for i in low.numbers], dtype=float)
    GA = np.array([np.broadcast_to(starts[i], (size,)) for i in low.arrays], dtype=float)
    result = _call(low, P, A, seed, GP, GA.reshape(len(low.arrays), size), size, np)
    if result is None:
        value, g = fallback(program, leaves, n, True, seed, starts)
    else:
        value, GP, GA = result
        g = [0.0] * program.num_inputs
        for k, i in enumerate(low.numbers):
            g[i] = float(GP[k])
        for k, i in enumerate(low.arrays):
            g[i] = GA[k]
    value = _shaped(value, n is not None, n, np)
    g = [_shaped(x, i in arrays, n, np) for i, x in enumerate(g)]
    return value, build(program.arguments, iter(g))


def _forward(
    program: Any, low: Lowered, P: Any, A: Any, leaves: Callable[[], list], n: Any, np: Any
) -> Any:
    """The outputs per sample, or the float replay's of ``leaves()`` where a number went
    wrong."""
    size = 1 if n is None else n
    with np.errstate(all="ignore"):
        try:
            bad, out = low.run(P, A, np.zeros(size), np.ones(size))
        except Fallback:
            bad, out = math.nan, None
    if out is not None and math.isfinite(bad):
        out = _per_sample(out, n, np)
        if all(np.isfinite(x).all() for x in _leaves_of(out)):
            return out
    return fallback(program, leaves(), n, False)


# ---- the arguments -----------------------------------------------------------------------


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


# ---- results -----------------------------------------------------------------------------


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


def fallback(
    program: Any,
    leaves: list[Any],
    n: int | None,
    grads: bool,
    seed: Any = 1.0,
    starts: list[Any] | None = None,
) -> Any:
    """The float replay of every sample: the engine's error for the first that fails,
    naming it; else the results assembled over the batch (numbers' gradients summed in
    sample order, from their start)."""
    import numpy as np

    size = n or 1
    rows = []
    for i in range(size):
        sample = [x if type(x) is float else float(x[i]) for x in leaves]
        s = seed if type(seed) is float else float(np.broadcast_to(seed, (size,))[i])
        try:
            rows.append(program.replay(build(program.arguments, iter(sample)), grads, s))
        except (ArithmeticError, ValueError) as e:
            raise type(e)(f"sample {i}: {e}") from e
    if not grads:
        return _per_sample(_columns(rows), n, np)
    values = np.array([v for v, _ in rows])
    grads_by_sample = [_flat_grads(program, g) for _, g in rows]
    out: list[Any] = []
    for j, x in enumerate(leaves):
        start = 0.0 if starts is None else starts[j]
        column = [g[j] for g in grads_by_sample]
        if type(x) is float:  # a number leaf: summed over the batch, in sample order
            total = float(np.sum(start)) if np.ndim(start) else float(start)
            for term in column:
                total += term
            if not math.isfinite(total):
                raise OverflowError(
                    f"program (numpy): the gradient of argument leaf {j}, summed over the "
                    f"batch, overflows to {total} (each sample's is finite)"
                )
            out.append(total)
        else:
            out.append(np.array(column) + start)
    return values, out


def _flat_grads(program: Any, g: tuple) -> list[float]:
    flat: list[Any] = []
    flatten(program.arguments, g, flat, "")
    return flat


def _columns(rows: list[Any]) -> Any:
    """Per-sample outputs (nested alike) as one nest of per-sample lists."""
    import numpy as np

    first = rows[0]
    if isinstance(first, (list, tuple)):
        return type(first)(_columns([r[k] for r in rows]) for k in range(len(first)))
    return np.array(rows, dtype=float)
