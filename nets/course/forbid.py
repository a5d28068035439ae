"""Run a learner's function with some library functions made to fail, with a reason.

An exercise that says "by hand" or "with plain floats" is escaped by calling the engine
that does the work.  :func:`forbidding` runs a function with a profiling hook that stops
it at the first call of a forbidden function (by its code object, so however it was
imported), with an :class:`UsedForbidden` error that names what was called and why it is
not allowed.  The hook is Python's own (:func:`sys.setprofile`), active only while the
learner's function runs.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ENGINE", "Forbidden", "UsedForbidden", "forbidding"]


class UsedForbidden(AssertionError):
    """The learner's function called something the exercise asks it to do without."""


@dataclass(frozen=True)
class Forbidden:
    """What an exercise forbids: functions (or classes, whose methods count), and packages.

    ``things`` are functions, methods, classes or builtins; ``packages`` are importable
    package names whose every function counts (``"autograd"``: the whole engine; a
    package that is not installed is skipped).
    ``name`` says it in a message ("the engine").
    """

    things: tuple[Any, ...] = ()
    packages: tuple[str, ...] = ()
    name: str = ""

    def __add__(self, other: Forbidden) -> Forbidden:
        return Forbidden(
            self.things + other.things,
            self.packages + other.packages,
            " and ".join(n for n in (self.name, other.name) if n),
        )


ENGINE = Forbidden(packages=("autograd",), name="the engine (autograd)")


def _label(thing: Any) -> str:
    module = getattr(thing, "__module__", None) or ""
    name = getattr(thing, "__qualname__", None) or getattr(thing, "__name__", repr(thing))
    return f"{name} (from {module})" if module and module != "builtins" else f"{name}()"


def _codes(thing: Any) -> Iterator[tuple[types.CodeType, str]]:
    """The code objects behind a function, method, property or class, with their names."""
    thing = getattr(thing, "__func__", thing)  # bound and static methods
    if isinstance(thing, types.FunctionType):
        yield thing.__code__, _label(thing)
    elif not isinstance(thing, (type, property)):
        # A wrapper around a Python function (numpy's dispatchers keep it here).
        inner = getattr(thing, "_implementation", None) or getattr(thing, "__wrapped__", None)
        if isinstance(inner, types.FunctionType):
            yield inner.__code__, _label(thing)
    elif isinstance(thing, property):
        for part in (thing.fget, thing.fset, thing.fdel):
            if part is not None:
                yield from _codes(part)
    elif isinstance(thing, type):
        for klass in thing.__mro__[:-1]:
            for member in vars(klass).values():
                if not isinstance(member, type):
                    yield from _codes(member)


def _folders(packages: Iterable[str]) -> tuple[str, ...]:
    folders = []
    for name in packages:
        try:
            module = sys.modules.get(name) or importlib.import_module(name)
        except ImportError:
            continue  # not installed here, so it cannot be called either
        for path in getattr(module, "__path__", []) or [Path(module.__file__ or "").parent]:
            folders.append(str(Path(path).resolve()) + "/")
    return tuple(folders)


@dataclass
class _Watch:
    codes: dict[types.CodeType, str]
    builtins: dict[int, str]
    folders: tuple[str, ...]
    seen: list[str] = field(default_factory=list)

    def hit(self, frame: types.FrameType, event: str, arg: Any) -> str | None:
        if event == "call":
            code = frame.f_code
            if code in self.codes:
                return self.codes[code]
            if self.folders and code.co_filename.startswith(self.folders):
                module = frame.f_globals.get("__name__", "?")
                name = getattr(code, "co_qualname", code.co_name)  # Python 3.11+
                return f"{name} (from {module})"
        elif event == "c_call" and id(arg) in self.builtins:
            return self.builtins[id(arg)]
        return None


@contextlib.contextmanager
def forbidding(rule: Forbidden, who: str, why: str) -> Iterator[_Watch]:
    """While the block runs, a call of anything ``rule`` forbids raises UsedForbidden.

    ``who`` names the learner's function in the message, ``why`` says what the exercise
    asks instead.  The error also stays recorded (``watch.seen``) when the learner's code
    catches it, so that catching it does not get around the rule.
    """
    codes = {}
    builtins = {}
    for thing in rule.things:
        if not isinstance(thing, (types.FunctionType, type, property)):
            builtins[id(thing)] = _label(thing)  # called from C: seen as a "c_call"
        for code, label in _codes(thing):
            codes[code] = label
    watch = _Watch(codes, builtins, _folders(rule.packages))

    def hook(frame: types.FrameType, event: str, arg: Any) -> None:
        what = watch.hit(frame, event, arg)
        if what is not None:
            watch.seen.append(what)
            sys.setprofile(None)  # Python drops a hook that raises; say so plainly
            raise UsedForbidden(_message(who, what, rule, why))

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        yield watch
    finally:
        sys.setprofile(previous)
    if watch.seen:
        raise UsedForbidden(_message(who, watch.seen[0], rule, why))


def _message(who: str, what: str, rule: Forbidden, why: str) -> str:
    about = f", part of {rule.name}" if rule.name else ""
    return f"{who} called {what}{about}; {why}"


def call_forbidding(
    fn: Callable[..., Any], rule: Forbidden, who: str, why: str, *args: Any, **kwargs: Any
) -> Any:
    """``fn(*args, **kwargs)`` with what ``rule`` forbids made to fail (see forbidding)."""
    with forbidding(rule, who, why):
        return fn(*args, **kwargs)
