"""The grader's side inside a student's kernel: define the teacher's check, run it, report.

:func:`run_check` is called in the kernel after the student's cells have run, in the
notebook's own namespace.  It defines the teacher's copy of a check on top of whatever the
student defined, calls it on the student's definition with the check's printing captured,
and prints one line, ``MARKER {json}``, that the grader reads back: the status
(``passed``, ``failed``, ``error`` or ``missing``) and the message.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from typing import Any

from .checks import CheckFailed

__all__ = ["run_check"]


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def _outcome(namespace: dict[str, Any], source: str, check: str, target: str) -> dict[str, str]:
    if target not in namespace:
        return {
            "status": "missing",
            "message": f"your notebook does not define {target} (a cell deleted, or one "
            "that stopped with an error before it?)",
        }
    try:
        exec(compile(source, f"<the teacher's {check}>", "exec"), namespace)
    except Exception as err:
        return {
            "status": "error",
            "message": f"the teacher's {check} could not be defined in your notebook: "
            f"{_first_line(err)} (does a cell the check needs stop with an error?)",
        }
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            namespace[check](namespace[target])
    except CheckFailed as err:
        return {"status": err.kind, "message": str(err)}
    except NotImplementedError as err:
        return {"status": "failed", "message": f"not done yet: {_first_line(err)}"}
    except AssertionError as err:
        return {"status": "failed", "message": str(err) or f"{check} failed"}
    except KeyboardInterrupt:
        raise  # the grader's time limit
    except BaseException as err:  # SystemExit from a learner's exit() counts too
        return {"status": "error", "message": f"{check} raised {_first_line(err)}"}
    return {"status": "passed", "message": ""}


def run_check(source: str, check: str, target: str, marker: str) -> None:
    """Define ``source`` in the caller's namespace, run ``check(target)``, print the result."""
    namespace = sys._getframe(1).f_globals
    result = _outcome(namespace, source, check, target)
    print(marker + " " + json.dumps(result), flush=True)
