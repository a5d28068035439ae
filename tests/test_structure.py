"""The house (issue 16): the engine at autograd's top, short functions, modules that use
each other's public names only, and every module listed in the README's layout."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODULES = sorted(p for package in ("autograd", "nets") for p in (ROOT / package).rglob("*.py"))


def _tree(path: pathlib.Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def test_autograd_keeps_at_most_8_files_at_its_top():
    assert len(list((ROOT / "autograd").glob("*.py"))) <= 8


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_is_longer_than_100_lines(path):
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > 100
    ]
    assert not long


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_another_ones_private_names(path):
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert not private


def test_the_readme_lists_every_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [
        str(p.relative_to(ROOT))
        for p in MODULES
        if p.name not in ("__init__.py", "__main__.py")
        and f"`{p.relative_to(ROOT)}`" not in readme
        and f"`{p.relative_to(ROOT).parent}/`" not in readme  # a package listed whole
    ]
    assert not missing
