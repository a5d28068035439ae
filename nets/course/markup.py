"""The exercise markup of a teacher notebook: cell tags and solution regions.

A code cell tagged ``solution`` holds regions, each between a line
``# BEGIN SOLUTION: <the task>`` and a line ``# END SOLUTION``; the student edition
replaces each region by ``raise NotImplementedError("exercise: <the task>")``.  A cell
tagged ``teacher`` is left out of the student edition.  Tags are matched ignoring case and
surrounding spaces (``Teacher``, ``"teacher "``), since a tag that slipped through would
hand the answers to the students.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SOLUTION_TAG",
    "TEACHER_TAG",
    "CourseMarkupError",
    "Region",
    "as_python",
    "cell_source",
    "cell_tags",
    "check_cell_markup",
    "describe_cell",
    "regions",
    "stub_source",
]

SOLUTION_TAG = "solution"
TEACHER_TAG = "teacher"

_BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION:[ \t]*(?P<task>\S.*?)[ \t]*$")
_END = re.compile(r"^(?P<indent>[ \t]*)# END SOLUTION[ \t]*$")
# Anything that looks like a marker but is not one exactly is refused, not ignored.
_LOOSE = re.compile(r"(BEGIN|END)[ _-]*SOLUTION", re.IGNORECASE)


class CourseMarkupError(ValueError):
    """Malformed exercise markup; the message names the notebook and the cell."""


@dataclass(frozen=True)
class Region:
    """One solution region of a cell: its marker lines (0-based) and its task."""

    begin: int
    end: int
    indent: str
    task: str


def regions(source: str, where: str) -> list[Region]:
    """The solution regions of one cell's source, in order; malformed markers raise."""
    found = []
    open_at: tuple[int, str, str] | None = None
    for i, line in enumerate(source.splitlines()):
        begin, end = _BEGIN.match(line), _END.match(line)
        if begin:
            if open_at is not None:
                raise CourseMarkupError(
                    f"{where}, line {i + 1}: a second '# BEGIN SOLUTION' before the "
                    f"'# END SOLUTION' of the region opened on line {open_at[0] + 1}"
                )
            open_at = (i, begin["indent"], begin["task"])
        elif end:
            if open_at is None:
                raise CourseMarkupError(
                    f"{where}, line {i + 1}: '# END SOLUTION' without a '# BEGIN SOLUTION' above it"
                )
            if end["indent"] != open_at[1]:
                raise CourseMarkupError(
                    f"{where}, line {i + 1}: '# END SOLUTION' is indented "
                    f"{len(end['indent'])} characters, its '# BEGIN SOLUTION' on line "
                    f"{open_at[0] + 1} {len(open_at[1])}; give them the same indentation"
                )
            found.append(Region(open_at[0], i, open_at[1], open_at[2]))
            open_at = None
        elif _LOOSE.search(line):
            raise CourseMarkupError(
                f"{where}, line {i + 1}: {line.strip()!r} looks like a solution marker but "
                "is not one; write '# BEGIN SOLUTION: <task>' or '# END SOLUTION' on a line "
                "of its own"
            )
    if open_at is not None:
        raise CourseMarkupError(
            f"{where}, line {open_at[0] + 1}: '# BEGIN SOLUTION: {open_at[2]}' has no "
            "'# END SOLUTION'"
        )
    return found


def _no_region(where: str) -> CourseMarkupError:
    return CourseMarkupError(
        f"{where}: tagged '{SOLUTION_TAG}' but holds no '# BEGIN SOLUTION: <task>' ... "
        "'# END SOLUTION' region"
    )


def stub_source(source: str, *, where: str = "cell") -> str:
    """The student's version of a solution cell: each region becomes a NotImplementedError.

    Lines outside the regions are kept as they are, the trailing newline included.
    ``where`` names the cell in error messages. A source without regions is refused:
    a ``solution`` cell that gives nothing away is a mistake in the markup.
    """
    found = regions(source, where)
    if not found:
        raise _no_region(where)
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    last = 0
    for region in found:
        out.extend(lines[last : region.begin])
        newline = "\n" if lines[region.end].endswith("\n") else ""
        message = json.dumps("exercise: " + region.task, ensure_ascii=False)
        out.append(f"{region.indent}raise NotImplementedError({message}){newline}")
        last = region.end + 1
    out.extend(lines[last:])
    return "".join(out)


def cell_source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (nbformat allows a string or a list of lines)."""
    src = cell.get("source", "")
    if isinstance(src, str):
        return src
    if isinstance(src, list) and all(isinstance(line, str) for line in src):
        return "".join(src)
    raise CourseMarkupError("a cell's source must be text or a list of lines")


def cell_tags(cell: Mapping[str, Any], where: str = "cell") -> set[str]:
    """The cell's tags, lower-cased and stripped; ``tags`` must be a list of strings."""
    metadata = cell.get("metadata", {})
    if not isinstance(metadata, Mapping):
        raise CourseMarkupError(f"{where}: its metadata is not a JSON object")
    tags = metadata.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise CourseMarkupError(
            f"{where}: 'tags' must be a list of strings, not {type(tags).__name__} {tags!r}"
        )
    return {t.strip().lower() for t in tags}


def describe_cell(notebook: str, index: int, cell: Mapping[str, Any]) -> str:
    """'NOTEBOOK, cell N (KIND, starting 'FIRST LINE')': how messages name a cell."""
    try:
        source = cell_source(cell)
    except CourseMarkupError:
        source = ""
    first = next((ln.strip() for ln in source.splitlines() if ln.strip()), "")
    if len(first) > 50:
        first = first[:47] + "..."
    return f"{notebook}, cell {index + 1} ({cell.get('cell_type', '?')}, starting {first!r})"


def as_python(source: str) -> str:
    """Cell source with IPython's magics and shell escapes blanked (line numbers kept)."""
    return "".join(
        "\n" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines(keepends=True)
    )


def check_cell_markup(notebook: str, index: int, cell: Mapping[str, Any]) -> list[Region]:
    """The cell's solution regions, after checking that its tags and markers agree."""
    where = describe_cell(notebook, index, cell)
    if not isinstance(cell, Mapping):
        raise CourseMarkupError(f"{notebook}, cell {index + 1}: not a JSON object")
    tags = cell_tags(cell, where)
    found = regions(cell_source(cell), where)
    if SOLUTION_TAG in tags and TEACHER_TAG in tags:
        raise CourseMarkupError(
            f"{where}: tagged both '{SOLUTION_TAG}' and '{TEACHER_TAG}'; a solution cell "
            "stays in the student edition (stubbed), a teacher cell is removed: choose one"
        )
    if SOLUTION_TAG in tags and cell.get("cell_type") != "code":
        raise CourseMarkupError(f"{where}: only code cells can be tagged '{SOLUTION_TAG}'")
    if SOLUTION_TAG in tags and not found:
        raise _no_region(where)
    if found and SOLUTION_TAG not in tags:
        raise CourseMarkupError(
            f"{where}: holds solution markers but is not tagged '{SOLUTION_TAG}', so the "
            "student edition would give the solution away; tag the cell (in JupyterLab: "
            "the gear icon of the right sidebar, Cell Tags)"
        )
    if found:
        try:
            ast.parse(as_python(stub_source(cell_source(cell), where=where)))
        except SyntaxError as err:
            raise CourseMarkupError(
                f"{where}: the stubbed cell is not valid Python (line {err.lineno}: "
                f"{err.msg}); check the markers' indentation"
            ) from err
    return found
