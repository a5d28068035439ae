"""What a code cell's Python defines and uses, read from its syntax tree (never run)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .markup import as_python

__all__ = [
    "Statement",
    "bound_names",
    "defines",
    "loaded_names",
    "parse_cell",
    "statements",
]


def parse_cell(source: str) -> ast.Module | None:
    """The cell's syntax tree (magics blanked), or None if it is not valid Python."""
    try:
        return ast.parse(as_python(source))
    except SyntaxError:
        return None


def bound_names(stmt: ast.stmt) -> set[str]:
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
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in stmt.items if i.optional_vars is not None]
    for target in targets:
        names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    for body in ("body", "orelse", "finalbody", "handlers"):
        for child in getattr(stmt, body, []) or []:
            if isinstance(child, ast.ExceptHandler):
                if child.name:
                    names.add(child.name)
                for grandchild in child.body:
                    names |= bound_names(grandchild)
            elif isinstance(child, ast.stmt):
                names |= bound_names(child)
    return names


def defines(source: str, name: str) -> bool:
    """Whether a top-level statement of the cell binds ``name``."""
    tree = parse_cell(source)
    return tree is not None and any(name in bound_names(stmt) for stmt in tree.body)


def loaded_names(node: ast.AST) -> set[str]:
    """Every name the code under ``node`` reads (globals and locals alike)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@dataclass(frozen=True)
class Statement:
    """One top-level statement of a cell: its tree, its text (decorators included)."""

    node: ast.stmt
    text: str
    binds: frozenset[str]


def statements(source: str) -> list[Statement]:
    """The cell's top-level statements, each with its own text; [] if not valid Python."""
    python = as_python(source)
    tree = parse_cell(source)
    if tree is None:
        return []
    lines = python.splitlines(keepends=True)
    out = []
    for stmt in tree.body:
        first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
        last = stmt.end_lineno or stmt.lineno
        text = "".join(lines[first - 1 : last])
        if not text.endswith("\n"):
            text += "\n"  # the cell's last line: statements are joined one after another
        out.append(Statement(stmt, text, frozenset(bound_names(stmt))))
    return out
