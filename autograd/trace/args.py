"""The shapes of a traced function's arguments: numbers, and lists or tuples of them, nested.

A :class:`Shape` is ``None`` for a number, else ``Shape(kind, items)`` with ``kind`` list
or tuple and ``items`` the shapes inside.  A program takes arguments of the shapes it was
traced with; a list and a tuple are taken for one another (Python unpacks both alike),
any other container is refused by name (an iterator could be read only once, a set in
any order, and neither can be checked before it is used).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any, NamedTuple


class TraceError(Exception):
    """A function cannot be traced as asked, or a program was called with the wrong shape."""


class Shape(NamedTuple):
    """A list or tuple of numbers or shapes (a number's shape is None)."""

    kind: type  # list or tuple
    items: tuple[Shape | None, ...]
    flat: bool  # every item is a number


def shape_of(x: Any, leaves: list[Any]) -> Shape | None:
    """The shape of an example argument; its numbers (or Values) go to ``leaves``."""
    if isinstance(x, (list, tuple)):
        items = tuple(shape_of(y, leaves) for y in x)
        kind = tuple if isinstance(x, tuple) else list
        return Shape(kind, items, all(s is None for s in items))
    leaves.append(x)
    return None


def describe(shape: Shape | None) -> str:
    """A short description: 'number', '[3 numbers]', '([2 numbers], number)'."""
    if shape is None:
        return "number"
    if shape.items and shape.flat:
        n = len(shape.items)
        inner = f"{n} number{'s' if n != 1 else ''}"
    else:
        inner = ", ".join(describe(s) for s in shape.items)
    return f"[{inner}]" if shape.kind is list else f"({inner})"


def count(shape: Shape | None) -> int:
    """How many numbers an argument of this shape holds."""
    return 1 if shape is None else sum(count(s) for s in shape.items)


def _what(x: Any) -> str:
    if isinstance(x, (list, tuple)):
        return describe(shape_of(x, []))
    kind = type(x).__name__
    return f"a {kind}" if _is_container(x) else f"{x!r:.40} (of type {kind})"


def _is_container(x: Any) -> bool:
    return not isinstance(x, (str, bytes)) and (hasattr(x, "__iter__") or hasattr(x, "__next__"))


def flatten(shape: Shape | None, x: Any, out: list[Any], path: str, arrays: bool = False) -> None:
    """Append the numbers of ``x`` to ``out``, checking that ``x`` has the given shape
    (with ``arrays``, a number may also be a numpy array: a batch of numbers)."""
    if shape is None:
        if not _number(x, arrays):
            raise TraceError(f"{path}: expected a number, got {_what(x)}")
        out.append(x)
        return
    if not isinstance(x, (list, tuple)):
        raise TraceError(
            f"{path}: expected {describe(shape)}, got {_what(x)}"
            + (" (a list or a tuple, as traced)" if _is_container(x) else "")
        )
    if len(x) != len(shape.items):
        raise TraceError(
            f"{path}: expected {describe(shape)}, got {_what(x)} "
            f"(length {len(x)} instead of {len(shape.items)})"
        )
    if shape.flat:
        for i, y in enumerate(x):
            if type(y) is not float and not _number(y, arrays):
                raise TraceError(f"{path}[{i}]: expected a number, got {_what(y)}")
        out.extend(x)
        return
    for i, (s, y) in enumerate(zip(shape.items, x)):
        flatten(s, y, out, f"{path}[{i}]", arrays)


def _number(x: Any, arrays: bool) -> bool:
    """Whether x may stand where a number is expected (Value() judges it later)."""
    if isinstance(x, (list, tuple)):
        return False
    return not _is_container(x) or (arrays and type(x).__name__ == "ndarray")


def build(shape: Shape | None, leaves: Iterator[Any]) -> Any:
    """An argument of this shape made from the next numbers of ``leaves``."""
    if shape is None:
        return next(leaves)
    if shape.flat:
        return shape.kind(islice(leaves, len(shape.items)))
    return shape.kind(build(s, leaves) for s in shape.items)


def leaf_names(shape: Shape | None, path: str, out: list[str]) -> None:
    """``args[0][1]``-style names of every number of an argument, in order."""
    if shape is None:
        out.append(path)
    else:
        for i, s in enumerate(shape.items):
            leaf_names(s, f"{path}[{i}]", out)
