"""Trace once, replay many: a function's operations on Values recorded as a program.

* :mod:`~autograd.trace.record`: running the function once, with reads of traced
  numbers refused, and reading its graph as a program;
* :mod:`~autograd.trace.args`: the shapes of the arguments;
* :mod:`~autograd.trace.ir`: the program as data (slots, constants, equations, outputs,
  the backward program);
* :mod:`~autograd.trace.derive`: the backward program, from the rule table;
* :mod:`~autograd.trace.lower_python` and :mod:`~autograd.trace.lower_numpy`: the two
  backends, lowerings of the IR to Python on floats and to numpy on a batch
  (:mod:`~autograd.trace.chunks` splits long Python, :mod:`~autograd.trace.compiling`
  compiles it);
* :mod:`~autograd.trace.program`: :func:`trace` and :class:`Program` (running, with the
  Value path where a replay fails); :mod:`~autograd.trace.check`: replay against Values.
"""

from . import (  # noqa: F401
    args,
    check,
    chunks,
    compiling,
    derive,
    ir,
    lower_numpy,
    lower_python,
    program,
    record,
    rows,
    run_numpy,
    vectorize,
)
from .args import Shape, TraceError
from .check import TraceMismatch
from .compiling import CompileError
from .ir import IR, Backward, Block, Equation, Equations
from .program import Program, trace
from .record import allow_data

Step = Equation  # the name of an equation before the IR had one

__all__ = [
    "IR",
    "Backward",
    "Block",
    "CompileError",
    "Equation",
    "Equations",
    "Program",
    "Shape",
    "Step",
    "TraceError",
    "TraceMismatch",
    "allow_data",
    "trace",
]

# ``from autograd import trace`` gives the function, which hides this package behind the
# name autograd.trace; its attributes make the package reachable from it too
# (autograd.trace.allow_data(), autograd.trace.Program, import autograd.trace.ir as ir).
_MODULES = ["args", "check", "chunks", "compiling", "derive", "ir", "lower_numpy", "lower_python"]
_MODULES += ["rows", "run_numpy", "vectorize"]
for _name in [*__all__, *_MODULES, "program", "record"]:
    if _name != "trace":
        setattr(trace, _name, globals()[_name])
