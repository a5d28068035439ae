"""Trace once, replay many: a function's operations on Values recorded as a program.

:func:`trace` records; :class:`Program` holds the operations and replays them on floats
(:mod:`autograd.trace.program`) or on numpy arrays over a batch
(:mod:`autograd.trace.lower_numpy`).
"""

from .program import Program, Step, TraceError, TraceMismatch, allow_data, trace

__all__ = ["Program", "Step", "TraceError", "TraceMismatch", "allow_data", "trace"]
