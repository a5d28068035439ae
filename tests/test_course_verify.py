"""nets.course.verify: wrong answers with hints, and the table of known mistakes kept current.

(The rest of verify_exercise is tested in test_course.py.)
PYTEST_DONT_REWRITE: the checks below must fail as in a notebook.
"""

from __future__ import annotations

import json

import pytest
from coursekit import SQUARE

from nets.course import ExerciseVerificationError, exercise_check, mistakes_table, verify_exercise
from nets.course import hints as hints_module


@exercise_check
def check_square(fn):
    for x in (1.5, -3.0):
        got = fn(x)
        assert got == x * x, f"square of {x}: your function gives {got}, expected {x * x}"


def doubled(x):
    return 2 * x


def plus_one(x):
    return x + 1


def namespace():
    ns: dict = {}
    exec(SQUARE, ns)
    return ns


WRONG = {doubled: "twice x, not x times x", plus_one: "x + 1, not x times x"}


def test_hints_are_filed_when_recording(tmp_path, monkeypatch, capsys):
    records = tmp_path / "records.jsonl"
    monkeypatch.setenv(hints_module.RECORD_ENV, str(records))
    verify_exercise(check_square, "square", wrong=WRONG, source=SQUARE, namespace=namespace())
    lines = [json.loads(line) for line in records.read_text().splitlines()]
    assert [(r["check"], r["answer"], r["hint"]) for r in lines] == [
        ("check_square", "doubled", "twice x, not x times x"),
        ("check_square", "plus_one", "x + 1, not x times x"),
    ]
    message = "square of 1.5: your function gives 3.0, expected 2.25"
    assert lines[0]["fingerprint"] == hints_module.fingerprint(message)


def table_for(wrong):
    messages = {
        doubled: "square of 1.5: your function gives 3.0, expected 2.25",
        plus_one: "square of 1.5: your function gives 2.5, expected 2.25",
    }
    return {"check_square": {hints_module.fingerprint(messages[a]): [h] for a, h in wrong.items()}}


def test_a_current_table_passes_and_a_stale_one_is_named(monkeypatch):
    monkeypatch.delenv(hints_module.RECORD_ENV, raising=False)
    monkeypatch.setattr(mistakes_table, "MISTAKES", table_for(WRONG))
    verify_exercise(check_square, "square", wrong=WRONG, source=SQUARE, namespace=namespace())
    changed = {doubled: "a new hint", plus_one: WRONG[plus_one]}
    with pytest.raises(ExerciseVerificationError, match=r"python -m nets\.course mistakes"):
        verify_exercise(check_square, "square", wrong=changed, source=SQUARE, namespace=namespace())
    with pytest.raises(ExerciseVerificationError, match="out of date for check_square"):
        verify_exercise(
            check_square,
            "square",
            wrong={doubled: WRONG[doubled]},
            source=SQUARE,
            namespace=namespace(),
        )


def test_a_hint_shows_on_the_failure_it_names(monkeypatch):
    monkeypatch.setattr(mistakes_table, "MISTAKES", table_for(WRONG))
    with pytest.raises(AssertionError) as info:
        check_square(lambda x: x + x)
    assert str(info.value).endswith(
        "A known mistake gives these very numbers: twice x, not x times x."
    )


def test_a_list_of_wrong_answers_without_hints_still_works():
    verify_exercise(check_square, "square", wrong=[doubled], source=SQUARE, namespace=namespace())
