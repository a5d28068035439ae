"""The comparison behind notebooks 02 and 03's checks: a learner's Value node against autograd's.

Notebook 02 asks for the methods of a ``Value`` class that stores, for every node, its
inputs (``_prev``) and the local derivatives of its operation (``_local``).
:func:`compare_node` applies one operation to Values of the learner's class and compares
the new node with the node ``autograd`` builds: the result, the very input objects in
order, and each local derivative, against autograd's derivative rule and against central
finite differences of the learner's own ``data``.  Each mistake a learner can make gets a
message that says what was expected.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import autograd

from .forbid import ENGINE, UsedForbidden, forbidding

__all__ = ["autograd_node", "compare_node"]


def autograd_node(op: Callable[..., Any], xs: Sequence[float]) -> tuple[Any, list[Any], tuple]:
    """autograd's node for ``op`` at the numbers ``xs``, its inputs and its local derivatives."""
    inputs = [autograd.Value(x) for x in xs]
    node = op(*inputs)
    local = node._op.derivative(*[p.data for p in node._prev], node.data)
    return node, inputs, (local if isinstance(local, tuple) else (local,))


def _apply(op: Callable[..., Any], mine: list[Any], text: str) -> Any:
    """op on the learner's Values, the engine forbidden, crashes turned into messages."""
    before = [m.data for m in mine]
    why = "write each result and local derivative yourself, with your own class"
    try:
        with forbidding(ENGINE, f"{text}: your method", why):
            out = op(*mine)
    except (UsedForbidden, NotImplementedError):
        raise  # a rule broken, or a method still to write: their own messages say it
    except RecursionError:
        raise AssertionError(
            f"{text}: your method raised RecursionError: it calls itself without end. Is a "
            "Value combined with a number, as in self.data + other where other.data was meant?"
        ) from None
    except Exception as err:
        first = (str(err).strip().splitlines() or [""])[0]
        raise AssertionError(f"{text}: your method raised {type(err).__name__}: {first}") from None
    for k, (m, was) in enumerate(zip(mine, before)):
        if getattr(m, "data", None) != was:
            raise AssertionError(
                f"{text}: your method changed its input {k} (data {was} became "
                f"{getattr(m, 'data', None)}); leave the inputs alone and return a new Value"
            )
    return out


def _check_is_new_node(out: Any, mine: list[Any], text: str) -> None:
    if isinstance(out, autograd.Value):
        raise AssertionError(
            f"{text}: your method returns an autograd.Value; expected a Value of your own "
            "class, made with Value(...) as in this notebook"
        )
    if not all(hasattr(out, name) for name in ("data", "_prev", "_local")):
        raise AssertionError(
            f"{text}: your method returns {out!r}; expected a new Value (with data, _prev "
            "and _local)"
        )
    if any(out is m for m in mine):
        raise AssertionError(
            f"{text}: your method returns its input itself; expected a new Value, the "
            "inputs left as they were"
        )


def _check_prev(
    prev: tuple, want_prev: tuple, mine: list[Any], theirs: list[Any], text: str
) -> None:
    assert len(prev) == len(want_prev), (
        f"{text}: _prev: your Value gives {len(prev)} inputs {prev}, expected {len(want_prev)}"
    )
    for j, (p, q) in enumerate(zip(prev, want_prev)):
        if any(q is t for t in theirs):  # an input of the expression
            k = next(i for i, t in enumerate(theirs) if q is t)
            assert p is mine[k], (
                f"{text}: _prev[{j}]: your Value gives {p!r}, expected the input {mine[k]!r} "
                "itself, in the order the inputs were given"
            )
        else:  # a plain number, made into a constant Value
            assert getattr(p, "data", None) == q.data and all(p is not m for m in mine), (
                f"{text}: _prev[{j}]: your Value gives {p!r}, expected a constant Value({q.data:g})"
            )


def _check_local(local: tuple, prev: tuple, want_local: tuple, text: str) -> None:
    assert len(local) == len(prev), (
        f"{text}: _local: your Value gives {len(local)} local derivatives {local} for "
        f"{len(prev)} inputs, expected one per input"
    )
    for j, (got, exp) in enumerate(zip(local, want_local)):
        number = isinstance(got, numbers.Real) and not isinstance(got, bool)
        assert number, (
            f"{text}: _local[{j}] holds {got!r}, not a number; expected the derivative's "
            "value (other.data, not the Value other)"
        )
        assert math.isclose(got, exp, rel_tol=1e-9, abs_tol=1e-12), (
            f"{text}: _local[{j}], d out / d _prev[{j}]: your Value gives {got}, "
            f"expected {exp} (autograd)"
        )


def compare_node(
    cls: type,
    op: Callable[..., Any],
    xs: Sequence[float],
    text: str,
    kinks: Sequence[float] = (),
) -> None:
    """Apply ``op`` to Values of class ``cls`` at the numbers ``xs``; compare with autograd.

    ``text`` names the expression in messages (``"x + y at x = -2, y = 5"``); finite
    differences are skipped when an input sits at one of the ``kinks``.  Raises an
    AssertionError that says what was expected.
    """
    mine = [cls(x) for x in xs]
    out = _apply(op, mine, text)
    want, theirs, want_local = autograd_node(op, xs)
    _check_is_new_node(out, mine, text)
    assert isinstance(out.data, numbers.Real) and math.isclose(
        out.data, want.data, rel_tol=1e-12, abs_tol=1e-15
    ), f"{text}: data: your Value gives {out.data!r}, expected {want.data}"
    prev, local = tuple(out._prev), tuple(out._local)
    _check_prev(prev, tuple(want._prev), mine, theirs, text)
    _check_local(local, prev, want_local, text)
    if any(math.isclose(x, kink) for x in xs for kink in kinks):
        return
    numeric = autograd.numerical_grad(
        lambda *vs: autograd.Value(op(*[cls(v.data) for v in vs]).data), list(xs)
    )
    for k, (x, num) in enumerate(zip(mine, numeric)):
        got = sum(d for p, d in zip(prev, local) if p is x)
        assert abs(got - num) <= 1e-5 + 1e-3 * abs(num), (
            f"{text}: d out / d input {k}: your local derivatives add up to {got}, but "
            f"your data changes at the rate {num:.8g} (central finite differences)"
        )
