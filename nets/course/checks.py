"""``@exercise_check``: what turns a check's failure into a message a learner can act on.

A check is a function of the learner's answer that asserts, naming the quantity, the
inputs and both numbers.  Decorated with ``@exercise_check``, a failing check raises
:class:`CheckFailed` (an AssertionError) whose message

- is the check's own message, plus the hint of a kept wrong answer that fails the same
  way (the same numbers at the same inputs), when there is one;
- names the call when the learner's function itself raised (``layer_backward(W: array
  2x3, ...) raised ValueError: ...``), instead of a traceback into the check;
- says what was expected when the check could not even read the answer (a Value where a
  number belongs, say).

``@exercise_check(without=ENGINE, why="...")`` also runs the learner's function with the
engine made to fail (see :mod:`nets.course.forbid`), for exercises done by hand.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

from .forbid import Forbidden, UsedForbidden, forbidding
from .hints import hints_for

__all__ = ["CheckFailed", "describe_value", "exercise_check"]

F = TypeVar("F", bound=Callable[..., Any])


class CheckFailed(AssertionError):
    """A check failed on a learner's answer; the message says what was expected.

    ``raw`` is the check's own message (what hints are looked up by), ``kind`` is
    ``"failed"`` (a wrong result) or ``"error"`` (the answer raised, or returned something
    the check could not use).
    """

    def __init__(self, message: str, raw: str = "", kind: str = "failed") -> None:
        super().__init__(message)
        self.raw = raw or message
        self.kind = kind


def describe_value(value: Any) -> str:
    """A short description of an argument for a message: shapes, lengths, small numbers."""
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple):
        return f"array {'x'.join(map(str, shape)) or 'scalar'}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        return f"{kind} of {len(value)}"
    if isinstance(value, dict):
        return f"dict of {len(value)}"
    text = repr(value)
    return text if len(text) <= 40 else type(value).__name__


class _Answer:
    """The learner's function as the check calls it: watched, and maybe with rules."""

    def __init__(self, fn: Callable[..., Any], name: str, rule: Forbidden | None, why: str) -> None:
        # Messages name the exercise, not the function given: a kept wrong answer and a
        # learner's answer that fail alike then give the same message (and the same hint).
        self.fn, self.name, self.rule, self.why = fn, name, rule, why
        self.crash: tuple[BaseException, str] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            if self.rule is None:
                return self.fn(*args, **kwargs)
            with forbidding(self.rule, f"your {self.name}", self.why):
                return self.fn(*args, **kwargs)
        except (UsedForbidden, NotImplementedError):
            raise
        except Exception as err:
            shown = [describe_value(a) for a in args]
            shown += [f"{k}={describe_value(v)}" for k, v in kwargs.items()]
            self.crash = (err, f"{self.name}({', '.join(shown)})")
            raise


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0] if lines else ""


def _with_hints(check: str, message: str) -> str:
    hints = hints_for(check, message)
    if not hints:
        return message
    said = "; or: ".join(hints)
    return f"{message}\nA known mistake gives these very numbers: {said}."


def _run(check: Callable[[Any], Any], answer: Any, rule: Forbidden | None, why: str) -> Any:
    name = getattr(check, "__name__", "check")
    function = callable(answer) and not isinstance(answer, type)
    watched = _Answer(answer, name.removeprefix("check_"), rule, why) if function else None
    if watched is not None:
        # The check still sees the learner's name, docstring and signature.
        functools.update_wrapper(watched, answer)  # type: ignore[arg-type]
    try:
        return check(watched if watched is not None else answer)
    except (CheckFailed, NotImplementedError):
        raise  # a check within a check has said it; a stub says "exercise: <task>"
    except AssertionError as err:
        raw = str(err) or f"{name} failed (its assert has no message)"
        raise CheckFailed(_with_hints(name, raw), raw) from None
    except Exception as err:
        if watched is not None and watched.crash is not None and watched.crash[0] is err:
            raw = f"{watched.crash[1]} raised {type(err).__name__}: {_first_line(err)}"
        else:
            raw = (
                f"{name} could not use your answer: {type(err).__name__}: {_first_line(err)} "
                "(check what your code returns against the exercise's text)"
            )
        raise CheckFailed(_with_hints(name, raw), raw, kind="error") from err


@overload
def exercise_check(check: F) -> F: ...


@overload
def exercise_check(
    check: None = None, *, without: Forbidden | None = None, why: str = ""
) -> Callable[[F], F]: ...


def exercise_check(
    check: F | None = None, *, without: Forbidden | None = None, why: str = ""
) -> F | Callable[[F], F]:
    """Decorate a check: failures become :class:`CheckFailed` messages with hints.

    ``without`` forbids what the learner's function may not use while the check calls it
    (``nets.course.ENGINE``: the engine), ``why`` is the sentence the failure adds ("this
    exercise is the chain rule by hand, with plain numbers").  Classes given to the check
    are passed as they are (their methods are not watched).
    """
    if without is not None and not why:
        raise ValueError("exercise_check: say why= the exercise forbids it")

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def checked(answer: Any) -> Any:
            return _run(fn, answer, without, why)

        return checked  # type: ignore[return-value]

    return decorate(check) if check is not None else decorate
