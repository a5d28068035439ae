"""Write an edition of the course into a folder, safely.

The builder reads and audits every teacher notebook before it writes anything.  It then
writes the converted notebooks, the other files of the source folder (pictures) and a
README into the destination, all at once, and refuses (one line, nothing written):

- a destination that is the source folder, lies inside it, or is the same folder under
  another name (a symbolic link, a bind mount);
- a symbolic link anywhere below the destination, on the way to a file or as the file:
  writing through it would change a file elsewhere (the teacher's notebooks, say);
- a file of the destination that changed since the builder last wrote it (a learner's
  answers): the builder keeps a record of what it wrote (``.valuegrad-edition.json``) and
  never overwrites anything else.  Move such a file away, then build again.

Files get the permissions of the user's umask, like any file the user creates.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from autograd.support.files import write_together

from .audit import exercises
from .edition import solutions_notebook, student_notebook
from .nbfile import dump_notebook, notebook_paths, read_notebook, skipped
from .plan import course_plan, student_readme

__all__ = ["MANIFEST", "EditionError", "write_solutions_edition", "write_student_edition"]

MANIFEST = ".valuegrad-edition.json"


class EditionError(ValueError):
    """The destination cannot take the edition; nothing was written."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_folders(src: Path, dest: Path) -> Path:
    """The resolved destination; refuses a source that is missing or aliased by it."""
    if not src.is_dir():
        raise EditionError(f"no notebook folder {src}")
    dest = dest.resolve()  # the destination itself may be a link; nothing below it
    src_real = src.resolve()
    for folder in (dest, *dest.parents):
        if folder == src_real or _same_folder(folder, src_real):
            raise EditionError(
                f"the destination {dest} is the notebook folder {src} or lies inside it; "
                "choose a folder outside it"
            )
    if dest.exists() and not dest.is_dir():
        raise EditionError(f"{dest} exists and is not a folder")
    return dest


def _source_files(src: Path) -> dict[str, bytes]:
    """Every file under ``src`` that is not a notebook (pictures, data), by relative path."""
    files = {}
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if skipped(rel) or path.suffix == ".ipynb" or not path.is_file():
            continue
        files[rel.as_posix()] = path.read_bytes()
    return files


def _recorded(dest: Path) -> dict[str, str]:
    """What the builder last wrote into ``dest`` (relative path -> digest); {} if unknown."""
    try:
        record = json.loads((dest / MANIFEST).read_text(encoding="utf-8"))
        files = record["files"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return {}
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _check_targets(dest: Path, files: Mapping[str, bytes]) -> list[str]:
    """The files to write (those that differ); refuses links and a learner's changes."""
    recorded = _recorded(dest)
    changed, todo = [], []
    for rel, data in files.items():
        target = dest / rel
        folders = [*reversed(target.relative_to(dest).parents)][1:]  # without "." itself
        for part in [*folders, Path(rel)]:
            here = dest / part
            if here.is_symlink():
                raise EditionError(
                    f"{here} is a symbolic link; the builder never writes through one "
                    "(it could change a file elsewhere): remove it and build again"
                )
        if target.is_dir():
            raise EditionError(f"{target} is a folder, where the edition has a file")
        if not target.exists():
            todo.append(rel)
            continue
        current = _digest(target.read_bytes())
        if current == _digest(data):
            continue
        if recorded.get(rel) != current:
            changed.append(rel)
        todo.append(rel)
    if changed:
        more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
        raise EditionError(
            f"{dest / changed[0]}{more} changed since the builder last wrote it (a learner's "
            "work?); move it away, then build again: nothing was written"
        )
    return todo


def _write(dest: Path, files: Mapping[str, bytes], todo: list[str], edition: str) -> None:
    for rel in todo:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
    record = {"edition": edition, "files": {rel: _digest(data) for rel, data in files.items()}}
    out = {rel: files[rel] for rel in todo}
    out[MANIFEST] = (json.dumps(record, indent=1, sort_keys=True) + "\n").encode()
    write_together(dest, out)


def _build(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    edition: str,
    convert: Callable[..., dict[str, Any]],
) -> list[Path]:
    src_dir = Path(src)
    dest_dir = _check_folders(src_dir, Path(dest))
    paths = notebook_paths(src_dir)
    if not paths:
        raise EditionError(f"no .ipynb notebook in {src_dir}")
    exercises(src_dir)  # the whole audit, before anything is written
    files: dict[str, bytes] = {}
    for path in paths:
        nb = convert(read_notebook(path), name=str(path.relative_to(src_dir)))
        files[path.relative_to(src_dir).as_posix()] = dump_notebook(nb).encode("utf-8")
    assets = _source_files(src_dir)
    if edition == "student" and "README.md" not in assets:
        # A wheel put there for the students (make student builds one) is named in it.
        wheels = sorted(dest_dir.glob("valuegrad-*.whl")) if dest_dir.is_dir() else []
        wheel = wheels[-1].name if wheels else None
        files["README.md"] = student_readme(course_plan(src_dir), wheel).encode("utf-8")
    files.update(assets)
    if MANIFEST in files:
        raise EditionError(f"the notebook folder {src_dir} holds a file named {MANIFEST}")
    todo = _check_targets(dest_dir, files)
    dest_dir.mkdir(parents=True, exist_ok=True)
    _write(dest_dir, files, todo, edition)
    return [dest_dir / p.relative_to(src_dir) for p in paths]


def write_student_edition(
    src: str | os.PathLike[str] = "notebooks", dest: str | os.PathLike[str] = "student"
) -> list[Path]:
    """Write the student edition of every notebook under ``src`` into ``dest``.

    Every notebook is audited and converted in memory first, so malformed markup raises
    ``CourseMarkupError`` before anything is written; then the notebooks, every other
    file under ``src`` (pictures) and a README are written all at once.  See the module's
    description for what the builder refuses (``EditionError``).  Returns the notebooks
    written.
    """
    return _build(src, dest, "student", student_notebook)


def write_solutions_edition(
    src: str | os.PathLike[str] = "notebooks", dest: str | os.PathLike[str] = "solutions"
) -> list[Path]:
    """Write the solutions edition (solutions and answers, no verification) into ``dest``."""
    return _build(src, dest, "solutions", solutions_notebook)
