"""The ``verify_exercise`` calls and check functions of a notebook, read from its source.

A teacher cell proves an exercise with
``verify_exercise(check_<name>, "<name>", wrong={answer: "hint", ...})``; these calls are
read statically so that the markup can be audited (and the hints listed) without
running the notebook.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .cellcode import parse_cell

__all__ = ["VerifyCall", "check_decorated", "is_check_call", "verify_calls"]


@dataclass
class VerifyCall:
    """One ``verify_exercise(...)`` call as written: None where it is not a literal."""

    cell: int
    check: str | None
    name: str | None
    wrong: list[str] | None
    hints: list[str | None] = field(default_factory=list)  # one per wrong answer


def _wrong_answers(node: ast.expr | None) -> tuple[list[str] | None, list[str | None]]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return [ast.unparse(e) for e in node.elts], [None] * len(node.elts)
    if isinstance(node, ast.Dict) and all(k is not None for k in node.keys):
        hints = [
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else None
            for v in node.values
        ]
        return [ast.unparse(k) for k in node.keys if k is not None], hints
    return None, []


def verify_calls(source: str, cell: int) -> list[VerifyCall]:
    """Every call of ``verify_exercise`` in the cell's source."""
    tree = parse_cell(source)
    if tree is None:
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
        wrong, hints = _wrong_answers(args[2] if len(args) > 2 else kw.get("wrong"))
        calls.append(
            VerifyCall(
                cell=cell,
                check=check.id if isinstance(check, ast.Name) else None,
                name=name.value
                if isinstance(name, ast.Constant) and isinstance(name.value, str)
                else None,
                wrong=wrong,
                hints=hints,
            )
        )
    return calls


def check_decorated(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the def carries ``@exercise_check`` (bare, called, or as an attribute)."""
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
        if name == "exercise_check":
            return True
    return False


def is_check_call(stmt: ast.stmt, checks: set[str]) -> bool:
    """Whether a statement is a plain call of one of the checks: ``check_add(Value)``."""
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in checks
