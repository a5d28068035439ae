"""The command line: ``python -m autograd draw "(x + y) * z" x=-2 y=5 z=-4 -o graph.svg``.

Evaluates the expression (parsed, never eval'd: see :mod:`autograd.expr`), runs the
backward pass, prints the value and each variable's gradient, and writes the picture
(and with ``--steps DIR``, one picture per step of the backward pass).

Exit status: 0 on success, 2 for a refused command line or expression, 1 when the
mathematics fails (log of a negative number, division by zero...) or a file cannot be
written.  Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
from collections.abc import Sequence
from typing import TextIO

from .backprop import topological_order
from .draw import FORMATS, GraphvizNotFoundError, draw_dot, format_of, require_graphviz, save_graph
from .expr import FUNCTIONS, ExpressionError, evaluate, parse_variables
from .steps import backward_steps, save_steps

PROG = "python -m autograd"

_EPILOG = f"""\
An expression may use numbers, variables, + - * / **, unary minus, parentheses and
the functions {", ".join(sorted(FUNCTIONS))}
(leaky_relu takes an optional slope: leaky_relu(x, 0.2)).
Put -- before an expression that starts with '-': draw -- "-x * y" x=1 y=2.

example:
  {PROG} draw "(x + y) * z" x=-2 y=5 z=-4 -o graph.svg --steps frames/
"""


class _Refused(Exception):
    """A command line that cannot be run (exit status 2)."""


class _Failed(Exception):
    """A run that went wrong (exit status 1)."""


def _parsers() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    top = argparse.ArgumentParser(
        prog=PROG, description="valuegrad's engine from the command line."
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    draw = commands.add_parser(
        "draw",
        help="evaluate an expression, print its gradients and draw its graph",
        description="Evaluate an expression, run backward, print the value and every "
        "variable's gradient, and draw the graph.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    draw.prog = f"{PROG} draw"
    draw.add_argument("expression", help='the expression, e.g. "(x + y) * z"')
    draw.add_argument("variables", nargs="*", metavar="NAME=VALUE", help="e.g. x=-2 y=5")
    draw.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the picture; the format comes from the extension: "
        + ", ".join(f".{e}" for e in FORMATS),
    )
    draw.add_argument(
        "--steps",
        metavar="DIR",
        help="write one picture per step of the backward pass into DIR (step_00.svg, ...)",
    )
    draw.add_argument(
        "--steps-format",
        choices=sorted(set(FORMATS) - {"gv"}),
        default="svg",
        help="format of the step pictures (default: svg)",
    )
    draw.add_argument(
        "--precision", type=int, default=4, metavar="N", help="significant digits shown (default 4)"
    )
    draw.add_argument(
        "--rankdir",
        choices=("LR", "TB", "RL", "BT"),
        default="LR",
        help="direction of the graph (default LR: left to right)",
    )
    draw.add_argument("--legend", action="store_true", help="add a legend of the colours")
    draw.add_argument("--title", help="a title above the picture")
    return top, draw


def _parse(
    top: argparse.ArgumentParser, draw: argparse.ArgumentParser, args: list[str]
) -> argparse.Namespace | None:
    """The options of ``draw``; None (after a message) when no command is given."""
    if not args or args[0] != "draw":
        # Help, or an unknown command: argparse explains (and exits).
        top.parse_args(args)
        top.print_usage(sys.stderr)
        print(f"{PROG}: error: choose a command: draw", file=sys.stderr)
        return None
    options, extra = draw.parse_known_args(args[1:])
    # Variables may also come after the options ("-o g.svg y=2"); anything else is an
    # unknown option, which argparse reports.
    unknown = [a for a in extra if a.startswith("-") or "=" not in a]
    if unknown:
        draw.error(f"unrecognized arguments: {' '.join(unknown)}")
    options.variables += extra
    return options


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    args = list(sys.argv[1:] if argv is None else argv)
    top, draw = _parsers()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            options = _parse(top, draw, args)
    except SystemExit as e:  # argparse has printed the usage and the error, or the help
        return e.code if isinstance(e.code, int) else 2
    if options is None:
        return 2
    try:
        return _draw(options, out)
    except _Refused as e:
        print(f"{PROG} draw: error: {_one_line(e)}", file=err)
        return 2
    except _Failed as e:
        print(f"{PROG} draw: error: {_one_line(e)}", file=err)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG} draw: interrupted", file=err)
        return 130
    except Exception as e:  # a bug: still one line, but say so
        print(f"{PROG} draw: internal error: {type(e).__name__}: {_one_line(e)}", file=err)
        return 1


def _draw(options: argparse.Namespace, out: TextIO) -> int:
    if not 1 <= options.precision <= 17:
        raise _Refused(f"--precision must be from 1 to 17, got {options.precision}")
    picture_format = None
    if options.output:
        try:
            picture_format = format_of(options.output)
        except ValueError as e:
            raise _Refused(e) from None
    try:
        values = parse_variables(options.variables)
        output, leaves = evaluate(options.expression, values)
    except ExpressionError as e:
        raise _Refused(e) from None
    except (ArithmeticError, ValueError, TypeError) as e:  # the engine's errors
        raise _Failed(e) from None

    try:
        output.backward()
        steps = backward_steps(output) if options.steps else None
    except (ArithmeticError, ValueError, TypeError) as e:
        raise _Failed(f"backward: {_one_line(e)}") from None

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
        raise _Failed(e) from None
    except subprocess.CalledProcessError as e:  # dot itself failed
        detail = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        raise _Failed(f"Graphviz's dot failed: {detail or e}") from None
    except OSError as e:
        where = options.output if writing_steps is None else writing_steps
        raise _Failed(f"cannot write {where}: {e.strerror or e}") from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
