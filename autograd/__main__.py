"""The engine's command line: ``python -m autograd draw "(x + y) * z" x=-2 y=5 z=-4 -o g.svg``.

Evaluates the expression (parsed, never eval'd: see :mod:`autograd.expr`), runs the
backward pass, prints the value and each variable's gradient, and writes the picture
(and with ``--steps DIR``, one picture per step of the backward pass).  The same command
is ``valuegrad draw`` (see :mod:`nets.cli`); :mod:`autograd.commands` gives both their form.

Exit status: 0 on success, 2 for a refused command line or expression, 1 when the
mathematics fails (log of a negative number, division by zero...) or a file cannot be
written.  Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from typing import TextIO

from .backprop import topological_order
from .commands import Command, CommandError, UsageError, run
from .expr import FUNCTIONS, ExpressionError, evaluate, parse_variables

# Drawing (graphviz) is imported when the command runs, so that importing this module,
# as nets.cli does, stays light.

PROG = "python -m autograd"

_EPILOG = f"""\
An expression may use numbers, variables, + - * / **, unary minus, parentheses and the
functions {", ".join(sorted(FUNCTIONS))} (leaky_relu takes an optional slope:
leaky_relu(x, 0.2)).

examples:
  %(prog)s "(x + y) * z" x=-2 y=5 z=-4 -o graph.svg --steps frames/
  %(prog)s -- "-x * y" x=1 y=2     (-- before an expression that starts with -)
"""


def add_arguments(draw: argparse.ArgumentParser) -> None:
    """The options of ``draw``."""
    from .draw import FORMATS

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


def _draw(options: argparse.Namespace, out: TextIO) -> int:
    from .draw import GraphvizNotFoundError, draw_dot, format_of, require_graphviz, save_graph
    from .steps import backward_steps, save_steps

    if not 1 <= options.precision <= 17:
        raise UsageError(f"--precision must be from 1 to 17, got {options.precision}")
    picture_format = None
    if options.output:
        try:
            picture_format = format_of(options.output)
        except ValueError as e:
            raise UsageError(e) from None
    try:
        values = parse_variables(options.variables)
        output, leaves = evaluate(options.expression, values)
    except ExpressionError as e:
        raise UsageError(e) from None
    except (ArithmeticError, ValueError, TypeError) as e:  # the engine's errors
        raise CommandError(e) from None

    try:
        output.backward()
        steps = backward_steps(output) if options.steps else None
    except (ArithmeticError, ValueError, TypeError) as e:
        raise CommandError(f"backward: {e}") from None

    used = set(topological_order(output))
    print(f"value: {output.data!r}", file=out)
    for name, leaf in leaves.items():
        note = "" if leaf in used else "  (not in the expression)"
        print(f"grad {name}: {leaf.grad!r}{note}", file=out)

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
        if options.output:
            save_graph(draw_dot(output, **look), options.output, picture_format)
            print(f"wrote {options.output}", file=out)
        if steps is not None:
            writing_steps = options.steps
            paths = save_steps(steps, options.steps, options.steps_format, **look)
            count = f"{len(paths)} step" + ("s" if len(paths) != 1 else "")
            print(f"wrote {count} to {options.steps}", file=out)
    except GraphvizNotFoundError as e:
        raise CommandError(e) from None
    except subprocess.CalledProcessError as e:  # dot itself failed
        detail = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        raise CommandError(f"Graphviz's dot failed: {detail or e}") from None
    except OSError as e:
        where = options.output if writing_steps is None else writing_steps
        raise CommandError(f"cannot write {where}: {e.strerror or e}") from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
