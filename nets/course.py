"""The course's exercises: one source, a teacher edition and a student edition.

The committed notebooks are the teacher edition. Three cell tags (``metadata.tags``) and
two marker lines make the student edition from them:

- a cell tagged ``solution`` holds one or more regions, each between a line
  ``# BEGIN SOLUTION: <the task in a few words>`` and a line ``# END SOLUTION``; the
  student edition replaces each region by ``raise NotImplementedError("exercise: <task>")``
  at the region's indentation and keeps the rest of the cell (``def`` line, docstring,
  hints);
- a cell tagged ``teacher`` (answers, kept wrong answers, ``verify_exercise`` calls) is
  removed from the student edition;
- every other cell is copied unchanged, outputs cleared.

``verify_exercise(check, name, wrong=[...])``, called in a ``teacher`` cell, proves at run
time that an exercise's check passes the solution, fails the student stub and fails every
plausible wrong answer kept next to it. ``write_student_edition(src, dest)`` (or
``python -m nets.course student DEST``, or ``make student``) writes the student edition;
``python -m nets.course list`` lists the exercises and ``python -m nets.course check``
audits the markup of every notebook.

Notebooks are read and written as plain JSON (nbformat 4), so this module needs no
Jupyter package; ``verify_exercise`` uses IPython's input history when it runs in a
kernel.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import functools
import io
import json
import linecache
import os
import random
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

__all__ = [
    "SOLUTION_TAG",
    "TEACHER_TAG",
    "CourseMarkupError",
    "Exercise",
    "ExerciseVerificationError",
    "Verification",
    "audit_notebook",
    "exercises",
    "main",
    "stub_source",
    "student_notebook",
    "verify_exercise",
    "write_student_edition",
]

SOLUTION_TAG = "solution"
TEACHER_TAG = "teacher"

_BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION:[ \t]*(?P<task>\S.*?)[ \t]*$")
_END = re.compile(r"^(?P<indent>[ \t]*)# END SOLUTION[ \t]*$")
# Anything that looks like a marker but is not one exactly is refused, not ignored.
_LOOSE = re.compile(r"(BEGIN|END)[ _-]*SOLUTION", re.IGNORECASE)
_SKIPPED_ASSETS = {".ipynb_checkpoints", "__pycache__"}


class CourseMarkupError(ValueError):
    """Malformed exercise markup; the message names the notebook and the cell."""


class ExerciseVerificationError(AssertionError):
    """An exercise's check does not separate its solution from the stub and wrong answers."""


# ---------------------------------------------------------------------------------------
# Solution regions and stubs


@dataclass(frozen=True)
class _Region:
    begin: int  # 0-based line index of the BEGIN marker
    end: int  # 0-based line index of the END marker
    indent: str
    task: str


def _regions(source: str, where: str) -> list[_Region]:
    """The solution regions of one cell's source, in order; malformed markers raise."""
    regions = []
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
            regions.append(_Region(open_at[0], i, open_at[1], open_at[2]))
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
    return regions


def _stub_line(region: _Region) -> str:
    message = "exercise: " + region.task
    return f"{region.indent}raise NotImplementedError({json.dumps(message, ensure_ascii=False)})"


def stub_source(source: str, *, where: str = "cell") -> str:
    """The student's version of a solution cell: each region becomes a NotImplementedError.

    Lines outside the regions are kept as they are, the trailing newline included.
    ``where`` names the cell in error messages. A source without regions is refused:
    a ``solution`` cell that gives nothing away is a mistake in the markup.
    """
    regions = _regions(source, where)
    if not regions:
        raise CourseMarkupError(
            f"{where}: tagged '{SOLUTION_TAG}' but holds no '# BEGIN SOLUTION: <task>' ... "
            "'# END SOLUTION' region"
        )
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    last = 0
    for region in regions:
        out.extend(lines[last : region.begin])
        newline = "\n" if lines[region.end].endswith("\n") else ""
        out.append(_stub_line(region) + newline)
        last = region.end + 1
    out.extend(lines[last:])
    return "".join(out)


# ---------------------------------------------------------------------------------------
# Notebooks as JSON


def _read_notebook(path: Path) -> dict:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CourseMarkupError(f"{path}: cannot read the notebook: {err}") from err
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise CourseMarkupError(f"{path}: not a Jupyter notebook (no list of cells)")
    return nb


def _source(cell: Mapping) -> str:
    src = cell.get("source", "")
    return src if isinstance(src, str) else "".join(src)


def _tags(cell: Mapping) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return list(tags) if isinstance(tags, list) else []


def _where(notebook: str, index: int, cell: Mapping) -> str:
    first = next((ln.strip() for ln in _source(cell).splitlines() if ln.strip()), "")
    if len(first) > 50:
        first = first[:47] + "..."
    return f"{notebook}, cell {index + 1} ({cell.get('cell_type', '?')}, starting {first!r})"


def _check_cell_markup(notebook: str, index: int, cell: Mapping) -> list[_Region]:
    """The cell's regions, after checking that tags and markers agree."""
    where = _where(notebook, index, cell)
    tags = _tags(cell)
    source = _source(cell)
    if SOLUTION_TAG in tags and TEACHER_TAG in tags:
        raise CourseMarkupError(
            f"{where}: tagged both '{SOLUTION_TAG}' and '{TEACHER_TAG}'; a solution cell "
            "stays in the student edition (stubbed), a teacher cell is removed: choose one"
        )
    if SOLUTION_TAG in tags and cell.get("cell_type") != "code":
        raise CourseMarkupError(f"{where}: only code cells can be tagged '{SOLUTION_TAG}'")
    regions = _regions(source, where)
    if SOLUTION_TAG in tags and not regions:
        raise CourseMarkupError(
            f"{where}: tagged '{SOLUTION_TAG}' but holds no '# BEGIN SOLUTION: <task>' ... "
            "'# END SOLUTION' region"
        )
    if regions and SOLUTION_TAG not in tags:
        raise CourseMarkupError(
            f"{where}: holds solution markers but is not tagged '{SOLUTION_TAG}', so the "
            "student edition would give the solution away; tag the cell (in JupyterLab: "
            "the gear icon of the right sidebar, Cell Tags)"
        )
    return regions


def _student_cell(notebook: str, index: int, cell: Mapping) -> dict | None:
    """One cell as the student edition has it (None: removed), markup checked."""
    regions = _check_cell_markup(notebook, index, cell)
    if TEACHER_TAG in _tags(cell):
        return None
    out = copy.deepcopy(dict(cell))
    if regions:
        where = _where(notebook, index, cell)
        student = stub_source(_source(cell), where=where)
        try:
            ast.parse(_as_python(student))
        except SyntaxError as err:
            raise CourseMarkupError(
                f"{where}: the stubbed cell is not valid Python (line {err.lineno}: "
                f"{err.msg}); check the markers' indentation"
            ) from err
        out["source"] = student.splitlines(keepends=True)
    if out.get("cell_type") == "code":
        out["outputs"] = []
        out["execution_count"] = None
    return out


def student_notebook(nb: Mapping, *, name: str = "notebook") -> dict:
    """The student edition of one notebook (a JSON dict), the given one left untouched.

    ``teacher`` cells are removed, the regions of ``solution`` cells stubbed, every output
    and execution count cleared; everything else (metadata, tags, ids, attachments) stays.
    """
    out = {k: copy.deepcopy(v) for k, v in nb.items() if k != "cells"}
    cells = (_student_cell(name, i, c) for i, c in enumerate(nb.get("cells", [])))
    out["cells"] = [c for c in cells if c is not None]
    return out


def _notebooks(src: Path) -> list[Path]:
    return sorted(
        p
        for p in src.rglob("*.ipynb")
        if not _SKIPPED_ASSETS.intersection(p.relative_to(src).parts)
    )


def _dump(nb: Mapping) -> str:
    # The layout Jupyter and nbformat write: one-space indent, sorted keys, final newline.
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_student_edition(
    src: str | os.PathLike = "notebooks", dest: str | os.PathLike = "student"
) -> list[Path]:
    """Write the student edition of every notebook under ``src`` into ``dest``.

    Every notebook is converted in memory first, so malformed markup raises
    ``CourseMarkupError`` before anything is written. Then each notebook is written
    atomically, and every other file under ``src`` (pictures, data) is copied alongside.
    ``dest`` may exist; it must not be ``src`` or lie inside it. Returns the notebooks
    written.
    """
    src_dir, dest_dir = Path(src).resolve(), Path(dest).resolve()
    if not src_dir.is_dir():
        raise FileNotFoundError(f"student edition: no notebook folder {src_dir}")
    if dest_dir == src_dir or src_dir in dest_dir.parents:
        raise ValueError(
            f"student edition: the destination {dest_dir} is the teacher edition's folder "
            f"{src_dir} or lies inside it; choose a folder outside it"
        )
    if dest_dir.exists() and not dest_dir.is_dir():
        raise NotADirectoryError(f"student edition: {dest_dir} exists and is not a folder")
    paths = _notebooks(src_dir)
    if not paths:
        raise FileNotFoundError(f"student edition: no .ipynb notebook in {src_dir}")
    editions = {
        p: _dump(student_notebook(_read_notebook(p), name=str(p.relative_to(src_dir.parent))))
        for p in paths
    }
    written = []
    for path, text in editions.items():
        target = dest_dir / path.relative_to(src_dir)
        _write_atomically(target, text)
        written.append(target)
    for path in sorted(src_dir.rglob("*")):
        rel = path.relative_to(src_dir)
        if path.suffix == ".ipynb" or _SKIPPED_ASSETS.intersection(rel.parts) or not path.is_file():
            continue
        target = dest_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return written


# ---------------------------------------------------------------------------------------
# What a cell defines, and the static audit of a notebook


def _as_python(source: str) -> str:
    """Cell source with IPython's magics and shell escapes blanked (line numbers kept)."""
    return "".join(
        "\n" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines(keepends=True)
    )


def _bound_names(stmt: ast.stmt) -> set[str]:
    """Names a top-level statement binds (looking into if/try/with/for, not into defs)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    names: set[str] = set()
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        targets = [stmt.target]
    for target in targets:
        names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    for body in ("body", "orelse", "finalbody", "handlers"):
        for child in getattr(stmt, body, []) or []:
            if isinstance(child, ast.ExceptHandler):
                for grandchild in child.body:
                    names |= _bound_names(grandchild)
            elif isinstance(child, ast.stmt):
                names |= _bound_names(child)
    return names


def _defines(source: str, name: str) -> bool:
    try:
        tree = ast.parse(_as_python(source))
    except SyntaxError:
        return False
    return any(name in _bound_names(stmt) for stmt in tree.body)


def _region_names(source: str, regions: Sequence[_Region], where: str) -> list[tuple[str, ...]]:
    """For each region, the top-level names a check can reach it through.

    A region inside a def or class belongs to that def or class; a region at the top
    level of the cell belongs to the names its statements bind.
    """
    try:
        tree = ast.parse(_as_python(source))
    except SyntaxError as err:
        raise CourseMarkupError(
            f"{where}: not valid Python (line {err.lineno}: {err.msg})"
        ) from err
    result = []
    for region in regions:
        if region.indent:
            enclosing = [s for s in tree.body if s.lineno - 1 < region.begin]
            names = _bound_names(enclosing[-1]) if enclosing else set()
        else:
            names = set()
            for s in tree.body:
                if region.begin < s.lineno - 1 < region.end:
                    names |= _bound_names(s)
        result.append(tuple(sorted(names)))
    return result


def _enclosing_functions(source: str, regions: Sequence[_Region]) -> list[str | None]:
    """For each region, the name of the innermost def around it (None at the top level)."""
    tree = ast.parse(_as_python(source))
    funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    result: list[str | None] = []
    for region in regions:
        around = [f for f in funcs if f.lineno - 1 < region.begin <= (f.end_lineno or f.lineno) - 1]
        result.append(max(around, key=lambda f: f.lineno).name if around else None)
    return result


def _method_key(name: str | None) -> str:
    """'__add__' and 'check_add' both give 'add'."""
    name = name or ""
    return name.removeprefix("check_").strip("_")


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook: a name the learner completes, and how it is verified."""

    notebook: str
    cell: int  # 1-based position of the solution cell in the teacher edition
    name: str  # the function or class the check receives
    tasks: tuple[str, ...]  # the tasks of its regions, as in the stubs' messages
    check: str | None = None  # the check_<name> function given to verify_exercise
    wrong: tuple[str, ...] = ()  # the kept wrong answers, as written in the call


@dataclass
class _VerifyCall:
    cell: int
    check: str | None
    name: str | None
    wrong: list[str] | None


def _verify_calls(source: str) -> list[_VerifyCall]:
    try:
        tree = ast.parse(_as_python(source))
    except SyntaxError:
        return []
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        fname = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if fname != "verify_exercise":
            continue
        args = list(node.args)
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        check = args[0] if args else kw.get("check")
        name = args[1] if len(args) > 1 else kw.get("name")
        wrong = args[2] if len(args) > 2 else kw.get("wrong")
        calls.append(
            _VerifyCall(
                cell=-1,
                check=check.id if isinstance(check, ast.Name) else None,
                name=name.value
                if isinstance(name, ast.Constant) and isinstance(name.value, str)
                else None,
                wrong=[ast.unparse(e) for e in wrong.elts]
                if isinstance(wrong, (ast.List, ast.Tuple))
                else None,
            )
        )
    return calls


def audit_notebook(path: str | os.PathLike, *, name: str | None = None) -> list[Exercise]:
    """Check a teacher notebook's exercise markup; return its exercises.

    Raises ``CourseMarkupError`` listing every problem: malformed or untagged markers,
    a region no check can reach, an exercise without a ``teacher`` cell calling
    ``verify_exercise(check_..., "<name>", wrong=[...])`` after it with at least one wrong
    answer, a check not defined in a cell the student edition keeps, or a
    ``verify_exercise`` call outside a ``teacher`` cell. Also builds the student edition
    in memory, so a cell that would not survive stubbing is reported.
    """
    path = Path(path)
    label = name or path.name
    nb = _read_notebook(path)
    cells = nb["cells"]
    problems: list[str] = []
    solutions: list[tuple[int, str, list[tuple[str, ...]], list[_Region]]] = []
    kept_defs: dict[str, int] = {}  # top-level defs of untagged code cells, by cell index
    calls: list[_VerifyCall] = []
    for index, cell in enumerate(cells):
        where = _where(label, index, cell)
        try:
            regions = _check_cell_markup(label, index, cell)
        except CourseMarkupError as err:
            problems.append(str(err))
            continue
        if cell.get("cell_type") != "code":
            continue
        source, tags = _source(cell), _tags(cell)
        if regions:
            try:
                names = _region_names(source, regions, where)
                _student_cell(label, index, cell)
            except CourseMarkupError as err:
                problems.append(str(err))
                continue
            for region, region_names in zip(regions, names):
                if not region_names:
                    problems.append(
                        f"{where}: the region '{region.task}' (line {region.begin + 1}) is "
                        "neither inside a def or class nor defines a name, so no check can "
                        "call it; make every exercise a function"
                    )
            solutions.append((index, where, names, regions))
        found = _verify_calls(source)
        if found and TEACHER_TAG not in tags:
            problems.append(
                f"{where}: calls verify_exercise but is not tagged '{TEACHER_TAG}'; the "
                "student edition would run it on the learner's unfinished work"
            )
        for call in found:
            call.cell = index
            calls.append(call)
        if TEACHER_TAG not in tags and SOLUTION_TAG not in tags:
            try:
                tree = ast.parse(_as_python(source))
            except SyntaxError:
                continue
            for stmt in tree.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    kept_defs.setdefault(stmt.name, index)

    for call in calls:
        where = _where(label, call.cell, cells[call.cell])
        if call.name is None or call.check is None or call.wrong is None:
            problems.append(
                f'{where}: write the call as verify_exercise(check_<name>, "<name>", '
                "wrong=[...]) with a check function's name, the exercise's name as a "
                "string and a list of wrong answers, so that it can be audited"
            )
            continue
        if not call.wrong:
            problems.append(
                f"{where}: verify_exercise for '{call.name}' keeps no wrong answer; add at "
                "least one plausible mistake (a sign error, a missing term, a copied number)"
            )
        if not call.check.startswith("check_"):
            problems.append(f"{where}: the check {call.check!r} should be named check_<name>")
        elif call.check not in kept_defs:
            problems.append(
                f"{where}: the check {call.check}() is not defined by a cell the student "
                "edition keeps (an untagged code cell)"
            )
        elif kept_defs[call.check] > call.cell:
            problems.append(f"{where}: the check {call.check}() is defined after this call")

    exercises_found = []
    for index, where, names, regions in solutions:
        later = [c for c in calls if c.cell > index and c.name is not None]
        # One exercise per verify_exercise call: several checks may share a class
        # (check_add and check_mul both receive Value), each verifying its own methods.
        covered: dict[int, tuple[Any, list[str]]] = {}
        enclosing = _enclosing_functions(_source(cells[index]), regions)
        for region, region_names, func in zip(regions, names, enclosing):
            if not region_names:
                continue
            hits = [c for c in later if c.name in region_names]
            if not hits:
                problems.append(
                    f"{where}: the region '{region.task}' is not verified: no teacher cell "
                    f"after it calls verify_exercise(check_..., {region_names[0]!r}, wrong=[...])"
                    + (
                        f" (or one of {', '.join(region_names[1:])})"
                        if len(region_names) > 1
                        else ""
                    )
                )
                continue
            # A check named after the method it tests (check_add for __add__) claims it.
            own = [h for h in hits if func and _method_key(func) == _method_key(h.check)]
            for hit in own or hits:
                covered.setdefault(id(hit), (hit, []))[1].append(region.task)
        for hit, tasks in covered.values():
            exercises_found.append(
                Exercise(
                    label,
                    index + 1,
                    cast(str, hit.name),  # `later` holds named calls only
                    tuple(dict.fromkeys(tasks)),
                    hit.check,
                    tuple(hit.wrong or ()),
                )
            )
    if problems:
        raise CourseMarkupError("\n".join(problems))
    return exercises_found


def exercises(src: str | os.PathLike = "notebooks") -> list[Exercise]:
    """Every exercise of the notebooks under ``src`` (audited), in course order."""
    src_dir = Path(src)
    return [e for p in _notebooks(src_dir) for e in audit_notebook(p, name=p.name)]


# ---------------------------------------------------------------------------------------
# Run-time verification of one exercise


@dataclass
class Verification:
    """What verify_exercise established for one exercise (also printed as one line)."""

    name: str
    stub: str  # how the stub failed
    wrong: list[tuple[str, str]] = field(default_factory=list)  # (answer, first line of message)

    def _ipython_display_(self) -> None:
        # verify_exercise has printed the summary already; as a cell's last expression the
        # report would otherwise show a second time as the cell's result.
        pass

    def __str__(self) -> str:
        wrongs = "; ".join(f"{w}: {msg}" for w, msg in self.wrong)
        return (
            f"exercise '{self.name}' verified: the check passes the solution, fails the "
            f"student stub ({self.stub}) and fails {len(self.wrong)} wrong "
            f"answer{'s' if len(self.wrong) != 1 else ''} ({wrongs})"
        )


def _label(obj: object) -> str:
    return getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    line = text[0] if text else "(no message)"
    return f"{type(err).__name__}: {line}"


def _run_quietly(fn: Callable[[], Any]) -> BaseException | None:
    """Run fn with stdout captured; return the exception it raised, or None."""
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            fn()
        except Exception as err:
            return err
    return None


def _history_sources(namespace: Mapping[str, Any]) -> list[str]:
    history = namespace.get("In") or namespace.get("_ih") or []
    return [s for s in history if isinstance(s, str)] if isinstance(history, list) else []


def _find_solution_source(name: str, namespace: Mapping[str, Any]) -> str | None:
    """The latest solution cell that defined `name`: IPython's history, then linecache."""
    for source in reversed(_history_sources(namespace)):
        if "# BEGIN SOLUTION:" in source and _defines(source, name):
            return source
    obj = namespace.get(name)
    codes = []
    if obj is not None and hasattr(obj, "__code__"):
        codes.append(obj.__code__)
    for member in vars(obj).values() if isinstance(obj, type) else ():
        if hasattr(member, "__code__"):
            codes.append(member.__code__)
    for code in codes:
        lines = linecache.getlines(code.co_filename)
        source = "".join(lines)
        if "# BEGIN SOLUTION:" in source and _defines(source, name):
            return source
    return None


def _ipython_transform(source: str) -> str:
    shell = None
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        shell = ipython.get_ipython()
    return shell.transform_cell(source) if shell is not None else source


@contextlib.contextmanager
def _random_state_kept():
    """Keep random's and numpy's global generators as they were: the checks draw numbers,
    and the teacher edition must not drift from the student edition after a verify cell."""
    state = random.getstate()
    numpy = sys.modules.get("numpy")
    np_state = numpy.random.get_state() if numpy is not None else None
    try:
        yield
    finally:
        random.setstate(state)
        if np_state is not None:
            numpy.random.set_state(np_state)


def verify_exercise(
    check: Callable[[Any], Any],
    name: str,
    wrong: Iterable[Any] = (),
    *,
    source: str | None = None,
    namespace: Mapping[str, Any] | None = None,
) -> Verification:
    """Prove that ``check`` separates the solution of exercise ``name`` from mistakes.

    Asserts three things, and raises ``ExerciseVerificationError`` (an AssertionError)
    naming the exercise and the case otherwise:

    1. ``check(namespace[name])`` passes: the solution now bound to ``name``;
    2. the check fails (AssertionError or NotImplementedError) on the student stub: the
       solution cell that defined ``name``, stubbed as the student edition stubs it, run
       in a copy of the namespace (a stub cell that raises NotImplementedError as it runs
       also counts as failing);
    3. the check fails with an AssertionError on every answer in ``wrong`` (at least one).

    ``namespace`` defaults to the caller's globals (the notebook's namespace in Jupyter).
    The solution cell is ``source`` if given, else the latest cell of IPython's input
    history that holds solution markers and defines ``name``, else the file the function's
    code came from. The checks' printing is captured; the generators of ``random`` and
    ``numpy.random`` are restored afterwards. Prints and returns a ``Verification``.
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    wrong = list(wrong)
    tag = f"exercise {name!r}"
    if not wrong:
        raise ValueError(
            f"verify_exercise: {tag}: give at least one plausible wrong answer "
            "(wrong=[...]): a sign error, a missing term, a copied number"
        )
    if name not in namespace:
        raise NameError(f"verify_exercise: {tag}: nothing is bound to {name!r} in the namespace")
    solution = namespace[name]

    with _random_state_kept():
        err = _run_quietly(lambda: check(solution))
        if err is not None:
            raise ExerciseVerificationError(
                f"{tag}: the check FAILED on the solution bound to {name!r}: {_first_line(err)}"
            ) from err

        if source is None:
            source = _find_solution_source(name, namespace)
            if source is None:
                raise ExerciseVerificationError(
                    f"{tag}: cannot find the solution cell that defines {name!r} (no cell of "
                    "the input history holds '# BEGIN SOLUTION:' and defines it); run that "
                    "cell first, or pass its text as source=..."
                )
        student = stub_source(source, where=f"the solution cell of {tag}")
        copy_ns = dict(namespace)
        failed_while_defining = None
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(
                    compile(_ipython_transform(student), f"<student stub of {name}>", "exec"),
                    copy_ns,
                )
        except NotImplementedError as stop:
            failed_while_defining = stop
        except Exception as exc:
            raise ExerciseVerificationError(
                f"{tag}: the student edition of the solution cell raises {_first_line(exc)} "
                "before the learner has written anything; only NotImplementedError is expected"
            ) from exc
        stub = copy_ns.get(name)
        rebound = stub is not solution
        if failed_while_defining is None and not rebound:
            raise ExerciseVerificationError(
                f"{tag}: the solution cell does not define {name!r}, so its stub cannot be "
                "checked; name the function or class the cell defines"
            )
        how = ""
        if rebound:
            err = _run_quietly(lambda: check(stub))
            if err is None:
                raise ExerciseVerificationError(
                    f"{tag}: the check PASSED the student stub (the solution replaced by "
                    "NotImplementedError); the check must call the learner's function"
                )
            if not isinstance(err, (AssertionError, NotImplementedError)):
                raise ExerciseVerificationError(
                    f"{tag}: on the student stub the check raised {_first_line(err)}, not an "
                    "AssertionError or the stub's NotImplementedError"
                ) from err
            how = _first_line(err)
        if failed_while_defining is not None:
            how = (
                "the cell raises "
                + _first_line(failed_while_defining)
                + (f"; the check: {how}" if how else "")
            )

        report = Verification(name, how)
        for answer in wrong:
            err = _run_quietly(functools.partial(check, answer))
            if err is None:
                raise ExerciseVerificationError(
                    f"{tag}: the check PASSED the wrong answer {_label(answer)}"
                )
            if not isinstance(err, AssertionError):
                raise ExerciseVerificationError(
                    f"{tag}: on the wrong answer {_label(answer)} the check raised "
                    f"{_first_line(err)} instead of failing an assert that names the quantity"
                ) from err
            report.wrong.append((_label(answer), _first_line(err)))
    print(report)
    return report


# ---------------------------------------------------------------------------------------
# Command line: python -m nets.course student DEST | list | check


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nets.course",
        description="The course's student edition and exercise audit.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    student = sub.add_parser("student", help="write the student edition into DEST")
    student.add_argument("dest", help="folder to write (outside the notebooks folder)")
    for p in (
        student,
        sub.add_parser("list", help="list the exercises of every notebook"),
        sub.add_parser("check", help="audit the exercise markup of every notebook"),
    ):
        p.add_argument(
            "--source", default="notebooks", help="teacher notebooks (default: %(default)s)"
        )
    args = parser.parse_args(argv)
    try:
        if args.command == "student":
            written = write_student_edition(args.source, args.dest)
            found = exercises(args.source)
            print(
                f"wrote the student edition of {len(written)} notebooks "
                f"({len(found)} exercises) to {args.dest}"
            )
        elif args.command == "list":
            found = exercises(args.source)
            for e in found:
                print(
                    f"{e.notebook}  cell {e.cell}  {e.name}: {'; '.join(e.tasks)}  "
                    f"[{e.check}, {len(e.wrong)} wrong: {', '.join(e.wrong)}]"
                )
            per: dict[str, int] = {}
            for e in found:
                per[e.notebook] = per.get(e.notebook, 0) + 1
            print(
                f"{len(found)} exercises in {len(per)} notebooks, "
                f"{sum(len(e.wrong) for e in found)} wrong answers kept"
            )
        else:
            found = exercises(args.source)
            print(f"ok: {len(found)} exercises, markup and verification calls in order")
    except (CourseMarkupError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
