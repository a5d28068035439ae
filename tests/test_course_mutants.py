"""The mutation round, rerun: every wrong answer of tests/course_mutants.py fails its check,
every correct variant passes.  Each teacher notebook runs in a kernel, then each answer goes
through the notebook's own check.  About a minute: set VALUEGRAD_MUTANTS=1 to run it."""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest
from course_mutants import M

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

pytestmark = pytest.mark.skipif(
    not os.environ.get("VALUEGRAD_MUTANTS"), reason="the mutation round: VALUEGRAD_MUTANTS=1"
)

PROBE = r"""
import contextlib as _c, io as _io, json as _j
try:
    exec(compile(%(code)r, "<answer>", "exec"), globals())
    with _c.redirect_stdout(_io.StringIO()):
        %(check)s(answer)
    _r = {"result": "passed", "message": ""}
except AssertionError as _e:
    _r = {"result": "failed", "message": str(_e)}
except Exception as _e:
    _r = {"result": "crashed", "message": type(_e).__name__ + ": " + str(_e)}
print("@@result " + _j.dumps(_r))
"""


@pytest.fixture(scope="module")
def outcomes():
    from nets.course.kernel import Kernel

    by_notebook = defaultdict(list)
    for entry in M:
        by_notebook[entry[0]].append(entry)
    found = {}
    for name, entries in by_notebook.items():
        nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory() as tmp, Kernel(Path(tmp)) as kernel:
            for cell in nb["cells"]:
                if cell["cell_type"] == "code":
                    assert kernel.run("".join(cell["source"]), 300).status == "ok", name
            for _, check, _kind, answer, code in entries:
                out = kernel.run(PROBE % {"code": code, "check": check}, 120)
                lines = [line for line in out.text.splitlines() if line.startswith("@@result ")]
                found[name, answer] = json.loads(lines[-1][9:]) if lines else {"result": out.status}
    return found


@pytest.mark.parametrize(("notebook", "check", "kind", "answer", "code"), M)
def test_each_answer(outcomes, notebook, check, kind, answer, code):
    got = outcomes[notebook, answer]
    if kind == "wrong":
        assert got["result"] == "failed", got  # an AssertionError that says what went wrong
    else:
        assert got["result"] == "passed", got
