"""The engine's command line: ``python -m autograd draw "(x + y) * z" x=-2 y=5 z=-4 -o g.svg``.

Evaluates the expression (parsed, never eval'd: see :mod:`autograd.cli.expr`), runs the
backward pass, prints the value and each variable's gradient, and writes the picture
(and with ``--steps DIR``, one picture per step of the backward pass).  The same command
is ``valuegrad draw`` (see :mod:`nets.cli`); :mod:`autograd.cli.commands` gives both their form.

Exit status: 0 on success, 2 for a refused command line or expression, 1 when the
mathematics fails (log of a negative number, division by zero...) or a file cannot be
written.  Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..backprop import topological_order
from ..value import Value
from .commands import Command, CommandError, UsageError, run
from .expr import FUNCTIONS, ExpressionError, evaluate, parse_variables

if TYPE_CHECKING:
    from ..viz.steps import BackwardSteps

# Drawing (graphviz) is imported when the command runs, so that importing this module,
# as nets.cli does, stays light.

PROG = "python -m autograd"

_MAX_STEPS = 100  # autograd.viz.steps.DEFAULT_MAX_STEPS, without importing graphviz here

_EPILOG = f"""\
An expression may use numbers, variables, the operators + - * / ** and unary minus,
parentheses and the functions {", ".join(sorted(FUNCTIONS))} (leaky_relu takes an optional slope:
leaky_relu(x, 0.2)).

examples:
  %(prog)s "(x + y) * z" x=-2 y=5 z=-4 -o graph.svg --steps frames/
  %(prog)s -- "-x * y" x=1 y=2     (-- before an expression that starts with -)
"""


def add_arguments(draw: argparse.ArgumentParser) -> None:
    """The options of ``draw``."""
    from ..viz.draw import FORMATS

    draw.add_argument("expression", help='the expression, e.g. "(x + y) * z"')
    draw.add_argument("variables", nargs="*", metavar="NAME=VALUE", help="e.g. x=-2 y=5")
    draw.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the picture; the format comes from the extension: "
        + ", ".join(f".{e}" for e in FORMATS)
        + " (default: no picture)",
    )
    draw.add_argument(
        "--steps",
        metavar="DIR",
        help="write one picture per step of the backward pass into DIR (step_00.svg, ...) "
        "(default: none)",
    )
    draw.add_argument(
        "--max-steps",
        type=int,
        default=_MAX_STEPS,
        metavar="N",
        help="write at most N step pictures; more are refused",
    )
    draw.add_argument(
        "--steps-format",
        choices=sorted(set(FORMATS) - {"gv"}),
        default="svg",
        help="format of the step pictures",
    )
    draw.add_argument("--precision", type=int, default=4, metavar="N", help="significant digits")
    draw.add_argument(
        "--rankdir",
        choices=("LR", "TB", "RL", "BT"),
        default="LR",
        help="direction of the graph (LR: left to right)",
    )
    draw.add_argument("--legend", action="store_true", help="add a legend of the colours")
    draw.add_argument("--title", help="a title above the picture (default: none)")


def _more_variables(options: argparse.Namespace, extra: list[str]) -> None:
    # Variables may also come after the options ("-o g.svg y=2"); anything else is an
    # unknown option or a stray word.
    unknown = [a for a in extra if a.startswith("-") or "=" not in a]
    if unknown:
        raise UsageError(f"unrecognized arguments: {' '.join(unknown)}")
    options.variables += extra


def _run_draw(options: argparse.Namespace) -> int:
    return _draw(options, sys.stdout)


DRAW = Command(
    "draw",
    help="evaluate an expression, print its gradients and draw its graph",
    description="Evaluate an expression, run backward, print the value and every "
    "variable's gradient, and draw the graph.",
    epilog=_EPILOG,
    add_arguments=add_arguments,
    run=_run_draw,
    extra_arguments=_more_variables,
)


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    return run(PROG, [DRAW], argv, stdout=stdout, stderr=stderr)


def _check_paths(options: argparse.Namespace) -> str | None:
    """The picture format of -o (None without -o), once the paths are known not to clash."""
    from ..viz.draw import format_of
    from ..viz.steps import FRAME

    if options.max_steps < 1:
        raise UsageError(f"--max-steps must be at least 1, got {options.max_steps}")
    for flag, path in (("-o", options.output), ("--steps", options.steps)):
        if path is not None and not path.strip():
            raise UsageError(f"{flag} needs a name, got an empty one")
    if not options.output:
        return None
    try:
        picture_format = format_of(options.output)
    except ValueError as e:
        raise UsageError(e) from None
    output = Path(options.output)
    inside = options.steps and output.parent.resolve() == Path(options.steps).resolve()
    if inside and FRAME.fullmatch(output.name):
        raise UsageError(
            f"-o {options.output} is a step picture's name inside --steps {options.steps}, "
            "where it would be replaced; choose another name or folder"
        )
    if os.path.isdir(output):  # not Path.is_dir, which raises for a name too long
        raise UsageError(f"-o {options.output} is a folder; give a file name such as graph.svg")
    return picture_format


def _gradients(output: Value, leaves: dict[str, Value]) -> tuple[BackwardSteps | None, list[str]]:
    """Run backward; returns the tolerant replay that was needed (if any) and notes.

    A constant's gradient may overflow while every variable's is finite (in
    ``x * 1e300 * 1e-300 * 1e300`` the 1e-300 gets 1e600): the engine refuses to store
    inf, so the gradients are then taken from the step-by-step replay, which allows it
    at leaves, and the constants' are reported.
    """
    from ..viz.steps import backward_steps

    try:
        output.backward()
        return None, []
    except OverflowError:
        pass
    try:
        replay = backward_steps(output, strict=False)
    except (ArithmeticError, ValueError, TypeError) as e:
        raise CommandError(_with_prefix("backward", e)) from None
    grads = replay.grads()
    for name, leaf in leaves.items():
        g = grads.get(leaf, 0.0)
        if not math.isfinite(g):
            raise CommandError(f"backward: the gradient of {name} overflowed to {g}")
    for v in replay.order:
        v.grad = grads.get(v, 0.0)
    variables = set(leaves.values())
    overflowed = [v for v in replay.order if not math.isfinite(v.grad) and v not in variables]
    shown = ", ".join(repr(v.data) for v in overflowed[:3])
    more = ", ..." if len(overflowed) > 3 else ""
    note = f"note: the gradient of the constant(s) {shown}{more} overflowed (shown as inf)"
    return replay, [note]


def _with_prefix(prefix: str, error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text if text.startswith(f"{prefix}:") else f"{prefix}: {text}"


def _draw(options: argparse.Namespace, out: TextIO) -> int:
    from ..viz.draw import GraphvizNotFoundError, draw_dot, require_graphviz, save_graph
    from ..viz.layout import GraphvizTimeoutError
    from ..viz.steps import backward_steps, save_steps

    if not 1 <= options.precision <= 17:
        raise UsageError(f"--precision must be from 1 to 17, got {options.precision}")
    picture_format = _check_paths(options)
    try:
        values = parse_variables(options.variables)
        output, leaves = evaluate(options.expression, values)
    except ExpressionError as e:
        raise UsageError(e) from None
    except (ArithmeticError, ValueError, TypeError) as e:  # the engine's errors
        raise CommandError(e) from None

    try:
        replay, notes = _gradients(output, leaves)
        steps = None
        if options.steps:
            steps = replay or backward_steps(output)
    except (ArithmeticError, ValueError, TypeError) as e:
        raise CommandError(_with_prefix("backward", e)) from None
    if steps is not None and len(steps) > options.max_steps:
        raise UsageError(
            f"the backward pass has {len(steps):,} steps: more than --max-steps "
            f"{options.max_steps} pictures; pass --max-steps {len(steps)} to write them all"
        )

    used = set(topological_order(output))
    print(f"value: {output.data!r}", file=out)
    for name, leaf in leaves.items():
        note = "" if leaf in used else "  (not in the expression)"
        print(f"grad {name}: {leaf.grad!r}{note}", file=out)
    for note in notes:
        print(f"{options._prog}: {note}", file=sys.stderr)

    look = {
        "precision": options.precision,
        "rankdir": options.rankdir,
        "legend": options.legend,
        "title": options.title,
    }
    writing_steps = None
    try:
        # Graphviz is looked for before anything is written, so that a missing dot
        # leaves no picture at all rather than some of them.
        if (options.output and picture_format != "dot") or (
            options.steps and options.steps_format != "dot"
        ):
            require_graphviz()
        # The steps first: -o may name a file in their folder, which they create.
        paths = []
        if steps is not None:
            writing_steps = options.steps
            paths = save_steps(steps, options.steps, options.steps_format, max_steps=None, **look)
            writing_steps = None
        if options.output:
            save_graph(draw_dot(output, **look), options.output, picture_format)
            print(f"wrote {options.output}", file=out)
        if steps is not None:
            count = f"{len(paths)} step" + ("s" if len(paths) != 1 else "")
            print(f"wrote {count} to {options.steps}", file=out)
    except (GraphvizNotFoundError, GraphvizTimeoutError) as e:
        raise CommandError(e) from None
    except BrokenPipeError:  # stdout, not a file: autograd.cli.commands reports it
        raise
    except subprocess.CalledProcessError as e:  # dot itself failed
        detail = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        raise CommandError(f"Graphviz's dot failed: {detail or e}") from None
    except OSError as e:
        # A step picture's error names the picture (step_09.svg is a folder, say).
        where = options.output if writing_steps is None else (e.filename or writing_steps)
        raise CommandError(f"cannot write {where}: {e.strerror or e}") from None
    return 0
