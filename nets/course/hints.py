"""Hints that name a learner's mistake: the kept wrong answers' failures, looked up.

Each kept wrong answer of an exercise carries a one-line hint.  When the teacher edition
runs, ``verify_exercise`` sees how each wrong answer fails its check; the table in
:mod:`nets.course.mistakes_table` files the hint under the check's name and a fingerprint
of that failure message.  A learner whose answer fails the check with the same message
(the same quantity, inputs and numbers) made, in all likelihood, the same mistake, and
the failure then carries the hint, in the notebook and in the grading feedback.

The fingerprint is a hash of the message with every number rounded to 6 significant
digits, so that an answer computed in another order (or on another platform's maths
library) still matches.  ``python -m nets.course mistakes`` rebuilds the table from the
teacher notebooks; the notebooks fail with a clear message when it is out of date.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from . import mistakes_table

__all__ = [
    "RECORD_ENV",
    "fingerprint",
    "hints_for",
    "record_mistake",
    "render_table",
    "table_problem",
]

RECORD_ENV = "VALUEGRAD_RECORD_MISTAKES"
TABLE_FILE = Path(mistakes_table.__file__)

_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")


def _rounded(match: re.Match[str]) -> str:
    try:
        return format(float(match.group()), ".6g")
    except (ValueError, OverflowError):
        return match.group()


_VOLATILE = re.compile(r"\S*\.py(?::\d+)?|0x[0-9a-fA-F]+")  # file names, addresses
# "ValueError: matmul: Input operand 1 has a mismatch ..." -> "ValueError"; "(from numpy)"
_ERROR_TEXT = re.compile(r"\b([A-Z]\w*(?:Error|Exception|Mismatch|Exit)): [^;\n]*")
_MODULE = re.compile(r" \(from [\w.]+\)")


def fingerprint(message: str) -> str:
    """16 hex digits that stand for a failure message, numbers rounded to 6 digits.

    Left out: file names and memory addresses (they differ from run to run), the text of
    an exception a library raised, and the module a function lives in (they change with
    the library's version), so that only the check's own words and numbers count.
    """
    text = _VOLATILE.sub("_", message)
    text = _MODULE.sub("", _ERROR_TEXT.sub(r"\1", text))
    text = " ".join(_NUMBER.sub(_rounded, text).split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def hints_for(check: str, message: str) -> list[str]:
    """The hints of the kept wrong answers of ``check`` that fail with ``message``."""
    found = mistakes_table.MISTAKES.get(check, {}).get(fingerprint(message))
    return [found] if isinstance(found, str) else list(found or [])


def table_problem(check: str, found: Mapping[str, list[str]]) -> str | None:
    """Why the table is out of date for ``check`` (its wrong answers now give ``found``)."""
    table = mistakes_table.MISTAKES.get(check)
    if table is None or os.environ.get(RECORD_ENV):  # recording: the table is being rebuilt
        return None  # not one of the course's checks: it just gets no hints
    normal = {fp: sorted([h] if isinstance(h, str) else h) for fp, h in table.items()}
    if normal == {fp: sorted(h) for fp, h in found.items()}:
        return None
    return (
        f"the table of known mistakes ({TABLE_FILE.name}) is out of date for {check}: "
        "its wrong answers or their hints changed; run `python -m nets.course mistakes`"
    )


def record_mistake(check: str, answer: str, hint: str, message: str) -> None:
    """Append one wrong answer's failure to the file named by $VALUEGRAD_RECORD_MISTAKES."""
    path = os.environ.get(RECORD_ENV)
    if not path:
        return
    line = {"check": check, "answer": answer, "hint": hint, "fingerprint": fingerprint(message)}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(line, ensure_ascii=False) + "\n")


def _literal(text: str) -> str:
    # The quotes ruff's formatter keeps: double, unless the text holds a double quote.
    if '"' in text and "'" not in text:
        return "'" + text.replace("\\", "\\\\") + "'"
    return json.dumps(text, ensure_ascii=False)


def render_table(records: list[dict[str, str]]) -> str:
    """The source of mistakes_table.py for recorded failures (check -> fingerprint -> hints)."""
    table: dict[str, dict[str, list[str]]] = {}
    for r in records:
        hints = table.setdefault(r["check"], {}).setdefault(r["fingerprint"], [])
        if r["hint"] not in hints:
            hints.append(r["hint"])
    lines = [
        '"""The known mistakes of the course\'s exercises: generated, do not edit.',
        "",
        "``python -m nets.course mistakes`` writes this file from the teacher notebooks: for",
        "each check, the fingerprint of each kept wrong answer's failure and its hints",
        "(see nets.course.hints).",
        '"""',
        "",
        "MISTAKES: dict[str, dict[str, list[str]]] = {",
    ]
    for check in sorted(table):
        lines.append(f"    {_literal(check)}: {{")
        for fp in sorted(table[check]):
            lines.append(f"        {_literal(fp)}: [")
            lines += [f"            {_literal(h)}," for h in table[check][fp]]
            lines.append("        ],")
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines) + "\n"
