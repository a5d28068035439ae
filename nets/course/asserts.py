"""Asserts that a learner's mistake can trip must say what they expected.

A bare ``assert x == y`` fails with ``AssertionError:`` and nothing else.  In a cell the
student edition keeps, an assert whose condition depends on what a solution cell defines
(directly, or through names computed from it in earlier statements) needs a message.
The dependence is followed statement by statement through the notebook, from the syntax
alone: a name bound by a statement that reads a dependent name becomes dependent, and so
does an object changed in place by such a statement (``x.grad = ...``, ``f(x)``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .cellcode import parse_cell
from .markup import SOLUTION_TAG, TEACHER_TAG, cell_source, cell_tags, describe_cell

__all__ = ["bare_learner_asserts"]


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def _free(node: ast.AST) -> set[str]:
    """The names ``node`` reads from outside: a def's, lambda's or comprehension's own
    variables (arguments, locals, loop targets) do not count."""
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Load) else set()
    inner = set().union(*(_free(child) for child in ast.iter_child_nodes(node)))
    if isinstance(node, _SCOPES):
        own = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        body = node.body if isinstance(node.body, list) else [node.body]
        own |= {n for stmt in body for n in _stored(stmt)}
        return inner - own
    if isinstance(node, _COMPREHENSIONS):
        return inner - {n for gen in node.generators for n in _stored(gen.target)}
    return inner


def _stored(node: ast.AST) -> set[str]:
    return {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _changed_in_place(stmt: ast.stmt) -> set[str]:
    """Objects a statement may change: targets of attribute and item stores, call arguments."""
    names = set()
    for n in ast.walk(stmt):
        if isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.ctx, ast.Store):
            if isinstance(n.value, ast.Name):
                names.add(n.value.id)
        elif isinstance(n, ast.Call):
            names |= {a.id for a in n.args if isinstance(a, ast.Name)}
            if isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name):
                names.add(n.func.value.id)  # x.backward(), xs.append(...)
    return names


def _follow(
    body: Iterable[ast.stmt], dependent: set[str], functions: set[str], found: list[ast.Assert]
) -> None:
    for stmt in body:
        if isinstance(stmt, ast.Assert):
            if stmt.msg is None and _free(stmt.test) & dependent:
                found.append(stmt)
            continue
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            functions.add(stmt.name)
            if _free(stmt) & dependent:
                dependent.add(stmt.name)
            continue
        compound = isinstance(stmt, (ast.For, ast.While, ast.If, ast.With, ast.Try))
        heads: list[ast.AST] = [stmt] if not compound else []
        for name in ("iter", "test"):
            if compound and hasattr(stmt, name):
                heads.append(getattr(stmt, name))
        if isinstance(stmt, ast.With):
            heads += [item.context_expr for item in stmt.items]
        if any(_free(h) & dependent for h in heads):
            dependent |= _stored(stmt if not compound else getattr(stmt, "target", ast.Pass()))
            # A function handed to the learner's code is not changed by it.
            changed = _changed_in_place(stmt) if not compound else set()
            dependent |= changed - functions
            if isinstance(stmt, ast.With):
                dependent |= {
                    n for i in stmt.items if i.optional_vars for n in _stored(i.optional_vars)
                }
        for name in ("body", "orelse", "finalbody"):
            _follow(getattr(stmt, name, []), dependent, functions, found)
        for handler in getattr(stmt, "handlers", []):
            _follow(handler.body, dependent, functions, found)


def bare_learner_asserts(cells: Sequence[Mapping[str, Any]], label: str) -> list[str]:
    """One problem per assert without a message that a learner's code can make fail."""
    dependent: set[str] = set()
    functions: set[str] = set()
    problems = []
    for index, cell in enumerate(cells):
        tags = cell_tags(cell)
        if cell.get("cell_type") != "code" or TEACHER_TAG in tags:
            continue
        tree = parse_cell(cell_source(cell))
        if tree is None:
            continue
        if SOLUTION_TAG in tags:
            for stmt in tree.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    dependent.add(stmt.name)
                else:
                    dependent |= _stored(stmt)
            continue
        found: list[ast.Assert] = []
        _follow(tree.body, dependent, functions, found)
        for stmt in found:
            problems.append(
                f"{describe_cell(label, index, cell)}, line {stmt.lineno}: "
                f"'{ast.unparse(stmt)[:60]}' depends on the learner's code but has no "
                "message; add one that names the quantity and what was expected"
            )
    return problems
