"""Rebuild the table of known mistakes by running the teacher notebooks.

Every teacher notebook runs in a fresh kernel with ``$VALUEGRAD_RECORD_MISTAKES`` set:
each ``verify_exercise`` call then writes down how each kept wrong answer fails its check,
with its hint, and :func:`record_mistakes` turns those records into
``nets/course/mistakes_table.py``.  A notebook that fails stops the rebuild, and the
table is left as it was.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from autograd.support.files import write_atomic

from .hints import RECORD_ENV, TABLE_FILE, render_table
from .kernel import Kernel
from .markup import CourseMarkupError, cell_source
from .nbfile import notebook_paths, read_notebook

__all__ = ["record_mistakes"]

NOTEBOOK_TIMEOUT = 300.0


def _run_teacher_notebook(path: Path, records: Path, timeout: float) -> None:
    nb = read_notebook(path)
    env = dict(os.environ, **{RECORD_ENV: str(records)})
    with (
        tempfile.TemporaryDirectory(prefix="valuegrad-mistakes-") as tmp,
        Kernel(Path(tmp), env=env) as kernel,
    ):
        for number, cell in enumerate(nb["cells"], 1):
            if cell.get("cell_type") != "code" or not cell_source(cell).strip():
                continue
            outcome = kernel.run(cell_source(cell), timeout)
            if outcome.status != "ok":
                raise CourseMarkupError(
                    f"{path.name}, cell {number}: {outcome.status}: {outcome.error or 'no result'}"
                )


def record_mistakes(
    source: str | os.PathLike[str] = "notebooks",
    table: str | os.PathLike[str] = TABLE_FILE,
    progress: Callable[[str], None] | None = None,
    timeout: float = NOTEBOOK_TIMEOUT,
) -> int:
    """Run every teacher notebook under ``source`` and write the table; return its size."""
    paths = notebook_paths(source)
    if not paths:
        raise CourseMarkupError(f"no .ipynb notebook in {source}")
    with tempfile.TemporaryDirectory(prefix="valuegrad-records-") as tmp:
        records = Path(tmp) / "records.jsonl"
        records.touch()
        for path in paths:
            if progress is not None:
                progress(path.name)
            _run_teacher_notebook(path, records, timeout)
        lines = records.read_text(encoding="utf-8").splitlines()
    found = [json.loads(line) for line in lines if line.strip()]
    write_atomic(table, render_table(found))
    return len(found)
