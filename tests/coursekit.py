"""Small teacher notebooks for the course tests: cells, a complete exercise, files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import nbformat


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


SQUARE = dedent(
    '''
    def square(x):
        """x squared."""
        # hint: multiply
        # BEGIN SOLUTION: square a number
        y = x * x
        return y
        # END SOLUTION
    print("defined")
    '''
)


def code(source: str, *tags: str, outputs: bool = False) -> dict:
    cell = nbformat.v4.new_code_cell(dedent(source))
    if tags:
        cell.metadata["tags"] = list(tags)
    if outputs:
        cell.execution_count = 3
        cell.outputs = [nbformat.v4.new_output("stream", text="hello\n")]
    return cell


def markdown(source: str, *tags: str) -> dict:
    cell = nbformat.v4.new_markdown_cell(dedent(source))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


CHECK_SQUARE = """
    from nets.course import exercise_check

    @exercise_check
    def check_square(fn):
        for x in (0.0, 1.5, -3.0, 7.0):
            got = fn(x)
            assert got == x * x, f"square of {x}: your function gives {got}, expected {x * x}"
        print("square: correct")

    check_square(square)
    """


VERIFY_SQUARE = """
    from nets.course import verify_exercise

    def square_doubled(x):
        return 2 * x

    verify_exercise(check_square, "square", wrong={square_doubled: "twice x, not x times x"})
    """


def notebook(*cells: dict) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    nb.cells = [markdown("# 99 · Test\n\nAim."), *cells]
    return json.loads(nbformat.writes(nb))


def good_notebook() -> dict:
    return notebook(
        markdown("Write `square`."),
        code(SQUARE, "solution", outputs=True),
        code(CHECK_SQUARE, outputs=True),
        code(VERIFY_SQUARE, "teacher"),
        markdown("The answer is x * x.", "teacher"),
        code("print(square(3.0))", outputs=True),
    )


def write(path: Path, nb: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path
