"""nets.course.hints: failures fingerprinted, hints filed under them, the table kept current."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nets.course import exercises, hints, mistakes_table

ROOT = Path(__file__).resolve().parent.parent


def test_a_fingerprint_ignores_the_last_digits_and_the_spacing():
    a = "b after a step: your function gives 0.30000000000000004, expected 0.2"
    b = "b after a step:  your function gives 0.3, expected 0.2000000001"
    assert hints.fingerprint(a) == hints.fingerprint(b)
    assert len(hints.fingerprint(a)) == 16


def test_a_fingerprint_tells_other_numbers_and_words_apart():
    base = hints.fingerprint("w after one epoch: your function gives 0.29, expected 0.045")
    assert base != hints.fingerprint("w after one epoch: your function gives 0.28, expected 0.045")
    assert base != hints.fingerprint("b after one epoch: your function gives 0.29, expected 0.045")
    assert hints.fingerprint("case 12") != hints.fingerprint("case 13")


def test_a_fingerprint_leaves_out_file_names_and_addresses():
    one = "trace failed (at /tmp/ipykernel_11342/2821511717.py:4, in f) <X object at 0x7f58>"
    two = "trace failed (at /tmp/ipykernel_99/123.py:7, in f) <X object at 0x7aa0>"
    assert hints.fingerprint(one) == hints.fingerprint(two)


def test_hints_for_a_message(monkeypatch):
    message = "y: your function gives 1.0, expected 2.0"
    table = {"check_y": {hints.fingerprint(message): ["one", "two"]}}
    monkeypatch.setattr(mistakes_table, "MISTAKES", table)
    assert hints.hints_for("check_y", message) == ["one", "two"]
    assert hints.hints_for("check_y", "y: your function gives 3.0, expected 2.0") == []
    assert hints.hints_for("check_other", message) == []


def test_the_table_is_out_of_date_when_the_failures_change(monkeypatch):
    monkeypatch.setattr(mistakes_table, "MISTAKES", {"check_y": {"aaaa": ["a hint"]}})
    monkeypatch.delenv(hints.RECORD_ENV, raising=False)
    assert hints.table_problem("check_y", {"aaaa": ["a hint"]}) is None
    assert hints.table_problem("check_unknown", {"bbbb": ["x"]}) is None  # no hints, no error
    problem = hints.table_problem("check_y", {"bbbb": ["a hint"]})
    assert problem is not None and "python -m nets.course mistakes" in problem
    monkeypatch.setenv(hints.RECORD_ENV, "/dev/null")  # being rebuilt: no complaint
    assert hints.table_problem("check_y", {"bbbb": ["a hint"]}) is None


def test_records_go_to_the_file_named_by_the_environment(tmp_path, monkeypatch):
    target = tmp_path / "records.jsonl"
    monkeypatch.setenv(hints.RECORD_ENV, str(target))
    hints.record_mistake("check_y", "y_wrong", "the hint", "y: 1.0, expected 2.0")
    (line,) = target.read_text().splitlines()
    assert json.loads(line) == {
        "check": "check_y",
        "answer": "y_wrong",
        "hint": "the hint",
        "fingerprint": hints.fingerprint("y: 1.0, expected 2.0"),
    }
    monkeypatch.delenv(hints.RECORD_ENV)
    hints.record_mistake("check_y", "y_wrong", "the hint", "y: 1.0, expected 2.0")
    assert len(target.read_text().splitlines()) == 1


def test_the_rendered_table_is_python_that_ruff_leaves_alone(tmp_path):
    records = [
        {"check": "check_b", "fingerprint": "00ff", "hint": 'say "why"', "answer": "b1"},
        {"check": "check_a", "fingerprint": "11aa", "hint": "one line, η ≠ 0", "answer": "a1"},
        {"check": "check_a", "fingerprint": "11aa", "hint": "a second hint", "answer": "a2"},
    ]
    text = hints.render_table(records)
    namespace: dict = {}
    exec(text, namespace)
    assert namespace["MISTAKES"] == {
        "check_a": {"11aa": ["one line, η ≠ 0", "a second hint"]},
        "check_b": {"00ff": ['say "why"']},
    }
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is in the dev extra")
    path = tmp_path / "mistakes_table.py"
    path.write_text(text)
    for args in (["format", "--check"], ["check"]):
        done = subprocess.run([ruff, *args, str(path)], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_committed_table_holds_the_hints_of_every_kept_wrong_answer():
    """Static half of the check (verify_exercise checks the fingerprints when notebooks run)."""
    found = exercises(ROOT / "notebooks")
    by_check: dict[str, set[str]] = {}
    for e in found:
        by_check.setdefault(e.check or "", set()).update(e.hints)
    table = {
        check: {h for hs in entries.values() for h in hs}
        for check, entries in mistakes_table.MISTAKES.items()
    }
    assert table == by_check, "run `python -m nets.course mistakes`"
    kept = sum(len(e.wrong) for e in found)
    filed = sum(len(hs) for entries in mistakes_table.MISTAKES.values() for hs in entries.values())
    assert filed == kept  # every kept wrong answer, each hint once per failure


def test_a_fingerprint_leaves_out_what_a_library_says_and_where_it_lives():
    one = "f(array 2x3) raised ValueError: matmul: mismatch in dimension 0 (size 2 is not 3)"
    two = "f(array 2x3) raised ValueError: shapes (2,3) and (2,) not aligned"
    assert hints.fingerprint(one) == hints.fingerprint(two)
    assert hints.fingerprint(one) != hints.fingerprint("f(array 2x3) raised TypeError: no")
    moved = "your f called Value.__init__ (from autograd.core), part of the engine; by hand"
    here = "your f called Value.__init__ (from autograd.value), part of the engine; by hand"
    assert hints.fingerprint(moved) == hints.fingerprint(here)
    # The check's own words after the library's text still count.
    a = "log-softmax at [1.0]: your function raises OverflowError: exp(1000); expected finite"
    b = "log-softmax at [1.0]: your function raises OverflowError: exp(1000); expected a list"
    assert hints.fingerprint(a) != hints.fingerprint(b)
