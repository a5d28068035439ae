"""``verify_exercise``: the proof, at run time, that a check separates right from wrong.

Called in a ``teacher`` cell after an exercise, it asserts that the check passes the
solution, fails the student stub (the solution cell as the student edition has it) and
fails every kept wrong answer; it also sees how each wrong answer fails, which is what
the hints of :mod:`nets.course.hints` are filed under.
"""

from __future__ import annotations

import contextlib
import functools
import io
import linecache
import random
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .cellcode import defines
from .checks import CheckFailed
from .hints import fingerprint as _fingerprint
from .hints import record_mistake, table_problem
from .markup import stub_source

__all__ = ["ExerciseVerificationError", "Verification", "verify_exercise"]


class ExerciseVerificationError(AssertionError):
    """An exercise's check does not separate its solution from the stub and wrong answers."""


@dataclass
class Verification:
    """What verify_exercise established for one exercise (also printed as one line)."""

    name: str
    stub: str  # how the stub failed
    wrong: list[tuple[str, str]] = field(default_factory=list)  # (answer, first line of message)

    def _ipython_display_(self) -> None:
        # verify_exercise has printed the summary already; as a cell's last expression the
        # report would otherwise show a second time as the cell's result.
        pass

    def __str__(self) -> str:
        wrongs = "; ".join(f"{w}: {msg}" for w, msg in self.wrong)
        return (
            f"exercise '{self.name}' verified: the check passes the solution, fails the "
            f"student stub ({self.stub}) and fails {len(self.wrong)} wrong "
            f"answer{'s' if len(self.wrong) != 1 else ''} ({wrongs})"
        )


def _label(obj: object) -> str:
    return getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    line = text[0] if text else "(no message)"
    return f"{type(err).__name__}: {line}"


def _run_quietly(fn: Callable[[], Any]) -> BaseException | None:
    """Run fn with stdout captured; return the exception it raised, or None."""
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            fn()
        except Exception as err:
            return err
    return None


def _history_sources(namespace: Mapping[str, Any]) -> list[str]:
    history = namespace.get("In") or namespace.get("_ih") or []
    return [s for s in history if isinstance(s, str)] if isinstance(history, list) else []


def _find_solution_source(name: str, namespace: Mapping[str, Any]) -> str | None:
    """The latest solution cell that defined `name`: IPython's history, then linecache."""
    for source in reversed(_history_sources(namespace)):
        if "# BEGIN SOLUTION:" in source and defines(source, name):
            return source
    obj = namespace.get(name)
    codes = []
    if obj is not None and hasattr(obj, "__code__"):
        codes.append(obj.__code__)
    for member in vars(obj).values() if isinstance(obj, type) else ():
        if hasattr(member, "__code__"):
            codes.append(member.__code__)
    for code in codes:
        source = "".join(linecache.getlines(code.co_filename))
        if "# BEGIN SOLUTION:" in source and defines(source, name):
            return source
    return None


def _ipython_transform(source: str) -> str:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell.transform_cell(source) if shell is not None else source


@contextlib.contextmanager
def _random_state_kept() -> Iterator[None]:
    """Keep random's and numpy's global generators as they were: the checks draw numbers,
    and the teacher edition must not drift from the student edition after a verify cell."""
    state = random.getstate()
    numpy = sys.modules.get("numpy")
    np_random = getattr(numpy, "random", None)
    np_state = np_random.get_state() if np_random is not None else None
    try:
        yield
    finally:
        random.setstate(state)
        if np_random is not None:
            np_random.set_state(np_state)


def _stub_failure(
    check: Callable[[Any], Any], name: str, source: str, namespace: Mapping[str, Any], tag: str
) -> str:
    """How the check fails on the student stub (run in a copy of the namespace)."""
    student = stub_source(source, where=f"the solution cell of {tag}")
    copy_ns = dict(namespace)
    failed_while_defining = None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            code = compile(_ipython_transform(student), f"<student stub of {name}>", "exec")
            exec(code, copy_ns)
    except NotImplementedError as stop:
        failed_while_defining = stop
    except Exception as exc:
        raise ExerciseVerificationError(
            f"{tag}: the student edition of the solution cell raises {_first_line(exc)} "
            "before the learner has written anything; only NotImplementedError is expected"
        ) from exc
    stub = copy_ns.get(name)
    rebound = stub is not namespace[name]
    if failed_while_defining is None and not rebound:
        raise ExerciseVerificationError(
            f"{tag}: the solution cell does not define {name!r}, so its stub cannot be "
            "checked; name the function or class the cell defines"
        )
    how = ""
    if rebound:
        err = _run_quietly(lambda: check(stub))
        if err is None:
            raise ExerciseVerificationError(
                f"{tag}: the check PASSED the student stub (the solution replaced by "
                "NotImplementedError); the check must call the learner's function"
            )
        if not isinstance(err, (AssertionError, NotImplementedError)):
            raise ExerciseVerificationError(
                f"{tag}: on the student stub the check raised {_first_line(err)}, not an "
                "AssertionError or the stub's NotImplementedError"
            ) from err
        how = _first_line(err)
    if failed_while_defining is not None:
        how = (
            "the cell raises "
            + _first_line(failed_while_defining)
            + (f"; the check: {how}" if how else "")
        )
    return how


def _wrong_failures(
    check: Callable[[Any], Any], wrong: Mapping[Any, str], report: Verification, tag: str
) -> None:
    """Every wrong answer fails with an AssertionError; their hints are checked or recorded."""
    check_name = getattr(check, "__name__", "check")
    found: dict[str, list[str]] = {}
    for answer, hint in wrong.items():
        err = _run_quietly(functools.partial(check, answer))
        if err is None:
            raise ExerciseVerificationError(
                f"{tag}: the check PASSED the wrong answer {_label(answer)}"
            )
        if not isinstance(err, AssertionError):
            raise ExerciseVerificationError(
                f"{tag}: on the wrong answer {_label(answer)} the check raised "
                f"{_first_line(err)} instead of failing an assert that names the quantity"
            ) from err
        report.wrong.append((_label(answer), _first_line(err)))
        if hint:
            raw = err.raw if isinstance(err, CheckFailed) else str(err)
            record_mistake(check_name, _label(answer), hint, raw)
            found.setdefault(_fingerprint(raw), []).append(hint)
    problem = table_problem(check_name, found)
    if problem is not None:
        raise ExerciseVerificationError(f"{tag}: {problem}")


def verify_exercise(
    check: Callable[[Any], Any],
    name: str,
    wrong: Mapping[Any, str] | Iterable[Any] = (),
    *,
    source: str | None = None,
    namespace: Mapping[str, Any] | None = None,
) -> Verification:
    """Prove that ``check`` separates the solution of exercise ``name`` from mistakes.

    Asserts three things, and raises ``ExerciseVerificationError`` (an AssertionError)
    naming the exercise and the case otherwise:

    1. ``check(namespace[name])`` passes: the solution now bound to ``name``;
    2. the check fails (AssertionError or NotImplementedError) on the student stub: the
       solution cell that defined ``name``, stubbed as the student edition stubs it, run
       in a copy of the namespace (a stub cell that raises NotImplementedError as it runs
       also counts as failing);
    3. the check fails with an AssertionError on every kept wrong answer: ``wrong`` maps
       each to its one-line hint (a plain list of answers, without hints, works too).

    ``namespace`` defaults to the caller's globals (the notebook's namespace in Jupyter).
    The solution cell is ``source`` if given, else the latest cell of IPython's input
    history that holds solution markers and defines ``name``, else the file the function's
    code came from. The checks' printing is captured; the generators of ``random`` and
    ``numpy.random`` are restored afterwards. Prints and returns a ``Verification``.
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    hints = dict(wrong) if isinstance(wrong, Mapping) else dict.fromkeys(wrong, "")
    tag = f"exercise {name!r}"
    if not hints:
        raise ValueError(
            f"verify_exercise: {tag}: give at least one plausible wrong answer "
            '(wrong={answer: "hint"}): a sign error, a missing term, a copied number'
        )
    if name not in namespace:
        raise NameError(f"verify_exercise: {tag}: nothing is bound to {name!r} in the namespace")
    with _random_state_kept():
        err = _run_quietly(lambda: check(namespace[name]))
        if err is not None:
            raise ExerciseVerificationError(
                f"{tag}: the check FAILED on the solution bound to {name!r}: {_first_line(err)}"
            ) from err
        if source is None:
            source = _find_solution_source(name, namespace)
            if source is None:
                raise ExerciseVerificationError(
                    f"{tag}: cannot find the solution cell that defines {name!r} (no cell of "
                    "the input history holds '# BEGIN SOLUTION:' and defines it); run that "
                    "cell first, or pass its text as source=..."
                )
        report = Verification(name, _stub_failure(check, name, source, namespace, tag))
        _wrong_failures(check, hints, report, tag)
    print(report)
    return report
