"""A teacher notebook's course metadata: minutes, prerequisites and points.

They live in the notebook's metadata under ``course`` (in JupyterLab: the right
sidebar's gear icon, Notebook metadata)::

    "course": {"minutes": 90, "requires": ["01_value_and_graph"], "points": {"add": 2}}

``points`` maps an exercise (its check's name without ``check_``) to what it is worth;
an exercise not listed is worth 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .markup import CourseMarkupError

__all__ = ["DEFAULT_POINTS", "CourseInfo", "course_info"]

DEFAULT_POINTS = 1.0


@dataclass(frozen=True)
class CourseInfo:
    """What a notebook's ``course`` metadata says (None where it says nothing)."""

    minutes: int | None = None
    requires: tuple[str, ...] = ()
    points: Mapping[str, float] = field(default_factory=dict)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def course_info(nb: Mapping[str, Any], label: str) -> CourseInfo:
    """The notebook's course metadata, checked; a malformed entry raises CourseMarkupError."""
    metadata = nb.get("metadata", {})
    raw = metadata.get("course", {}) if isinstance(metadata, Mapping) else {}
    where = f"{label}: metadata 'course'"
    if not isinstance(raw, Mapping):
        raise CourseMarkupError(f"{where} must be a JSON object")
    unknown = sorted(set(raw) - {"minutes", "requires", "points"})
    if unknown:
        raise CourseMarkupError(
            f"{where}: unknown key {unknown[0]!r} (known: minutes, requires, points)"
        )
    minutes = raw.get("minutes")
    if minutes is not None and not (_number(minutes) and minutes > 0 and minutes == int(minutes)):
        raise CourseMarkupError(
            f"{where}: 'minutes' must be a whole number above 0, not {minutes!r}"
        )
    requires = raw.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise CourseMarkupError(f"{where}: 'requires' must be a list of notebook names")
    points = raw.get("points", {})
    if not isinstance(points, Mapping):
        raise CourseMarkupError(f"{where}: 'points' must map exercise names to numbers")
    for key, value in points.items():
        if not (_number(value) and 0 <= value < float("inf")):
            raise CourseMarkupError(
                f"{where}: the points of {key!r} must be a number of 0 or more, not {value!r}"
            )
    return CourseInfo(
        int(minutes) if minutes is not None else None,
        tuple(requires),
        {k: float(v) for k, v in points.items()},
    )
