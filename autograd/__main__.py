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
import errno
import math
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .backprop import topological_order
from .draw import FORMATS, GraphvizNotFoundError, draw_dot, format_of, require_graphviz, save_graph
from .expr import FUNCTIONS, ExpressionError, evaluate, parse_variables
from .layout import GraphvizTimeoutError
from .steps import DEFAULT_MAX_STEPS, FRAME, BackwardSteps, backward_steps, save_steps
from .value import Value

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
        "--max-steps",
        type=int,
        default=DEFAULT_MAX_STEPS,
        metavar="N",
        help=f"write at most N step pictures, else refuse (default {DEFAULT_MAX_STEPS})",
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


class _Printer:
    """Prints the results; a closed stdout (a reader that went away) loses the text, not
    the run: the pictures are still written, and main() reports it at the end."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.lost = stream is None  # Python sets sys.stdout to None when fd 1 is closed

    def __call__(self, text: str) -> None:
        if self.lost:
            return
        try:
            print(text, file=self.stream, flush=True)
        except (BrokenPipeError, ValueError):  # ValueError: the stream was closed
            self.lost = True
        except OSError as e:
            if e.errno not in (errno.EPIPE, errno.EBADF):
                raise
            self.lost = True


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    out = _Printer(stdout if stdout is not None else sys.stdout)
    err = stderr if stderr is not None else sys.stderr
    args = list(sys.argv[1:] if argv is None else argv)
    top, draw = _parsers()
    try:
        with contextlib.redirect_stdout(out.stream), contextlib.redirect_stderr(err):
            options = _parse(top, draw, args)
    except SystemExit as e:  # argparse has printed the usage and the error, or the help
        return e.code if isinstance(e.code, int) else 2
    if options is None:
        return 2
    try:
        status = _draw(options, out, err)
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
    if out.lost:
        print(f"{PROG} draw: error: cannot print the results: stdout is closed", file=err)
        return 1
    return status


def _check_paths(options: argparse.Namespace) -> str | None:
    """The picture format of -o (None without -o), once the paths are known not to clash."""
    if options.max_steps < 1:
        raise _Refused(f"--max-steps must be at least 1, got {options.max_steps}")
    for flag, path in (("-o", options.output), ("--steps", options.steps)):
        if path is not None and not path.strip():
            raise _Refused(f"{flag} needs a name, got an empty one")
    if not options.output:
        return None
    try:
        picture_format = format_of(options.output)
    except ValueError as e:
        raise _Refused(e) from None
    output = Path(options.output)
    inside = options.steps and output.parent.resolve() == Path(options.steps).resolve()
    if inside and FRAME.fullmatch(output.name):
        raise _Refused(
            f"-o {options.output} is a step picture's name inside --steps {options.steps}, "
            "where it would be replaced; choose another name or folder"
        )
    if output.is_dir():
        raise _Refused(f"-o {options.output} is a folder; give a file name such as graph.svg")
    return picture_format


def _gradients(output: Value, leaves: dict[str, Value]) -> tuple[BackwardSteps | None, list[str]]:
    """Run backward; returns the tolerant replay that was needed (if any) and notes.

    A constant's gradient may overflow while every variable's is finite (in
    ``x * 1e300 * 1e-300 * 1e300`` the 1e-300 gets 1e600): the engine refuses to store
    inf, so the gradients are then taken from the step-by-step replay, which allows it
    at leaves, and the constants' are reported.
    """
    try:
        output.backward()
        return None, []
    except OverflowError:
        pass
    try:
        replay = backward_steps(output, strict=False)
    except (ArithmeticError, ValueError, TypeError) as e:
        raise _Failed(_with_prefix("backward", e)) from None
    grads = replay.grads()
    for name, leaf in leaves.items():
        g = grads.get(leaf, 0.0)
        if not math.isfinite(g):
            raise _Failed(f"backward: the gradient of {name} overflowed to {g}")
    for v in replay.order:
        v.grad = grads.get(v, 0.0)
    variables = set(leaves.values())
    overflowed = [v for v in replay.order if not math.isfinite(v.grad) and v not in variables]
    shown = ", ".join(repr(v.data) for v in overflowed[:3]) + (
        ", ..." if len(overflowed) > 3 else ""
    )
    note = f"note: the gradient of the constant(s) {shown} overflowed (shown as inf)"
    return replay, [note]


def _with_prefix(prefix: str, error: BaseException) -> str:
    text = _one_line(error)
    return text if text.startswith(f"{prefix}:") else f"{prefix}: {text}"


def _draw(options: argparse.Namespace, out: _Printer, err: TextIO) -> int:
    if not 1 <= options.precision <= 17:
        raise _Refused(f"--precision must be from 1 to 17, got {options.precision}")
    picture_format = _check_paths(options)
    try:
        values = parse_variables(options.variables)
        output, leaves = evaluate(options.expression, values)
    except ExpressionError as e:
        raise _Refused(e) from None
    except (ArithmeticError, ValueError, TypeError) as e:  # the engine's errors
        raise _Failed(e) from None

    try:
        replay, notes = _gradients(output, leaves)
        steps = None
        if options.steps:
            steps = replay or backward_steps(output)
    except (ArithmeticError, ValueError, TypeError) as e:
        raise _Failed(_with_prefix("backward", e)) from None
    if steps is not None and len(steps) > options.max_steps:
        raise _Refused(
            f"the backward pass has {len(steps):,} steps: more than --max-steps "
            f"{options.max_steps} pictures; pass --max-steps {len(steps)} to write them all"
        )

    used = set(topological_order(output))
    out(f"value: {output.data!r}")
    for name, leaf in leaves.items():
        note = "" if leaf in used else "  (not in the expression)"
        out(f"grad {name}: {leaf.grad!r}{note}")
    for note in notes:
        print(f"{PROG} draw: {note}", file=err)

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
        if steps is not None:
            writing_steps = options.steps
            paths = save_steps(steps, options.steps, options.steps_format, max_steps=None, **look)
            writing_steps = None
        if options.output:
            save_graph(draw_dot(output, **look), options.output, picture_format)
            out(f"wrote {options.output}")
        if steps is not None:
            count = f"{len(paths)} step" + ("s" if len(paths) != 1 else "")
            out(f"wrote {count} to {options.steps}")
    except (GraphvizNotFoundError, GraphvizTimeoutError) as e:
        raise _Failed(e) from None
    except subprocess.CalledProcessError as e:  # dot itself failed
        detail = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        raise _Failed(f"Graphviz's dot failed: {detail or e}") from None
    except OSError as e:
        where = options.output if writing_steps is None else writing_steps
        raise _Failed(f"cannot write {where}: {e.strerror or e}") from None
    return 0


if __name__ == "__main__":
    status = main()
    # Nothing more reaches a closed stdout: spare Python's own complaint at exit.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stdout.flush()
    sys.exit(status)
