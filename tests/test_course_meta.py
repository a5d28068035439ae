"""nets.course.meta: the course metadata of a notebook (minutes, prerequisites, points)."""

from __future__ import annotations

import pytest

from nets.course.markup import CourseMarkupError
from nets.course.meta import CourseInfo, course_info


def nb(course):
    return {"metadata": {"course": course}, "cells": []}


def test_read_and_defaults():
    info = course_info(nb({"minutes": 90, "requires": ["01_x"], "points": {"add": 2}}), "n")
    assert info == CourseInfo(90, ("01_x",), {"add": 2.0})
    assert course_info({"metadata": {}, "cells": []}, "n") == CourseInfo()


@pytest.mark.parametrize(
    ("course", "message"),
    [
        ([], "must be a JSON object"),
        ({"minute": 5}, "unknown key 'minute'"),
        ({"minutes": 0}, "'minutes' must be a whole number above 0"),
        ({"minutes": 1.5}, "'minutes' must be a whole number above 0"),
        ({"minutes": True}, "'minutes' must be a whole number above 0"),
        ({"requires": "01_x"}, "'requires' must be a list of notebook names"),
        ({"points": [1]}, "'points' must map exercise names to numbers"),
        ({"points": {"add": -1}}, "the points of 'add' must be a number of 0 or more"),
        ({"points": {"add": "2"}}, "the points of 'add' must be a number of 0 or more"),
        ({"points": {"add": float("inf")}}, "the points of 'add'"),
    ],
)
def test_malformed_metadata_is_named(course, message):
    with pytest.raises(CourseMarkupError, match=message) as info:
        course_info(nb(course), "07_x.ipynb")
    assert str(info.value).startswith("07_x.ipynb: metadata 'course'")
