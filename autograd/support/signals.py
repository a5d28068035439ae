"""Signals that end a program, handled so that no file is left half-switched or behind.

Python turns SIGINT into :class:`KeyboardInterrupt`, so ``finally`` blocks run, but a
SIGTERM or SIGHUP kills it on the spot, leaving temporary files.
:func:`terminations_raise` makes those two raise :class:`Terminated` as well.
:func:`held` keeps all three off for a short critical section (the renames that switch a
folder from one set of files to the next) and delivers them when it ends.  Both act in
the main thread only, where Python runs signal handlers; elsewhere they do nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["Terminated", "held", "terminations_raise"]

_TERMINATING = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
_HELD = [signal.SIGINT, *_TERMINATING]


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived (a BaseException, like KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"terminated by {signal.Signals(self.signum).name}"


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextmanager
def terminations_raise() -> Iterator[None]:
    """Inside the block, SIGTERM and SIGHUP raise :class:`Terminated` where they would
    otherwise kill the process (a handler someone else installed is left alone)."""
    installed: dict[int, Any] = {}
    if _main_thread():
        for sig in _TERMINATING:
            if signal.getsignal(sig) is signal.SIG_DFL:
                installed[sig] = signal.signal(sig, _raise)
    try:
        yield
    finally:
        for sig, old in installed.items():
            signal.signal(sig, old)


@contextmanager
def held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP off inside the block; deliver them after it.

    For a few system calls that must all happen or none (renames): a Ctrl-C pressed
    meanwhile takes effect once they are done.  A signal ignored, or handled outside
    Python, is left as it is.
    """
    caught: list[int] = []
    saved: dict[int, Any] = {}
    if _main_thread():
        for sig in _HELD:
            old = signal.getsignal(sig)
            if old is not None and old is not signal.SIG_IGN:
                saved[sig] = signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)
        for sig in dict.fromkeys(caught):
            signal.raise_signal(sig)  # to the handler restored above
