"""Notebooks as plain JSON (nbformat 4): read them safely, write them as Jupyter does.

The course tools need no Jupyter package to read or write a notebook; a file that is not
a notebook, or one nested deeper than any real notebook, is one clear error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .markup import CourseMarkupError

__all__ = ["MAX_DEPTH", "dump_notebook", "notebook_paths", "read_notebook", "skipped"]

# A real notebook's JSON is about 6 levels deep; far deeper is damage or an attack, and
# would overflow the stack of the code that walks it.
MAX_DEPTH = 64
SKIPPED = {".ipynb_checkpoints", "__pycache__"}


def _depth_exceeds(obj: Any, limit: int) -> bool:
    stack = [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def read_notebook(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The notebook at ``path`` as a dict; anything else raises ``CourseMarkupError``."""
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise CourseMarkupError(f"{path}: not a notebook (its JSON is nested too deeply)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CourseMarkupError(f"{path}: cannot read the notebook: {err}") from err
    if _depth_exceeds(nb, MAX_DEPTH):
        raise CourseMarkupError(
            f"{path}: not a notebook (its JSON is nested more than {MAX_DEPTH} levels deep)"
        )
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise CourseMarkupError(f"{path}: not a Jupyter notebook (no list of cells)")
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict):
            raise CourseMarkupError(f"{path}, cell {i + 1}: not a JSON object")
    return nb


def dump_notebook(nb: Mapping[str, Any]) -> str:
    """The text Jupyter writes for ``nb``: one-space indent, sorted keys, final newline."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def skipped(relative: Path) -> bool:
    """Whether a path under a notebook folder is left out: hidden, checkpoints, caches."""
    return any(part.startswith(".") or part in SKIPPED for part in relative.parts)


def notebook_paths(folder: str | os.PathLike[str]) -> list[Path]:
    """The ``.ipynb`` files under ``folder`` (hidden ones and checkpoints left out), sorted."""
    root = Path(folder)
    return sorted(
        p for p in root.rglob("*.ipynb") if p.is_file() and not skipped(p.relative_to(root))
    )
