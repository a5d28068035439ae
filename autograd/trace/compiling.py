"""What the float replay's generated code runs with, and how it is compiled.

Generated code raises :class:`Replay` where only the Value path can say what went wrong
(an inf or a nan appeared, an op's forward raised); :func:`compiled` turns its text into
the function it defines, with a clear :class:`CompileError` if Python's compiler cannot.
A :class:`Statement` is a piece of that text, as the lowering writes it and the splitting
of long programs (:mod:`~autograd.trace.chunks`) reads it.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple


class Replay(Exception):
    """Raised by generated code where only the Value path can say what went wrong."""


def finite(xs: tuple) -> bool:
    """True if every item is a float and none is infinite or NaN."""
    return all(type(x) is float for x in xs) and math.isfinite(sum(xs, 0.0))


RUNTIME = {"Replay": Replay, "finite": finite, "isfinite": math.isfinite}


class Statement(NamedTuple):
    """Lines of generated code (indented relative to the function's body), and the last
    equation they come from (for splitting a program into parts)."""

    lines: list[str]
    time: int


def compiled(
    source: str, table: list[Any], constants: list[float], where: str = "<autograd.trace program>"
) -> Any:
    """What ``make(table, constants)`` in the generated ``source`` returns."""
    namespace: dict[str, Any] = {**RUNTIME, "LISTS": (list, tuple)}
    try:
        code = compile(source, where, "exec")
    except (RecursionError, MemoryError, SyntaxError) as e:
        raise CompileError(
            f"trace: the program could not be compiled ({type(e).__name__}: {e})"
        ) from None
    exec(code, namespace)
    return namespace["make"](table, constants)


class CompileError(RuntimeError):
    """The generated code of a program could not be compiled (a slip of the generator)."""
