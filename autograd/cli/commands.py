"""The command-line machinery behind ``valuegrad``, ``python -m autograd`` and ``python -m nets``.

A command is a :class:`Command`: its name, a line of help, a function that adds its
options to an :mod:`argparse` parser and a function that runs it.  :func:`run` builds one
parser for a list of commands (with ``--version``) and gives every outcome one form:

- a mistake in the command line (:class:`UsageError`, or one argparse finds) prints
  ``PROG: message`` on stderr and exits with status 2;
- a run that fails (:class:`CommandError`; an optional package that is missing,
  :class:`~autograd.support.extras.MissingExtraError`) prints ``PROG: message`` and exits with 1;
- Ctrl-C exits with 130, SIGTERM with 143 and SIGHUP with 129 (each raised as an
  exception while a command runs, so that it removes its temporary files first), running
  out of memory exits with 1, and a bug still gives one line (``internal error: ...``),
  never a traceback.

A command prints its results on stdout.  Option help shows each default (``(default:
X)`` is added where the text does not mention one), and descriptions are wrapped to the
terminal, except indented lines, which are tables and examples and stay as written.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import NoReturn, TextIO, cast

from ..support.extras import MissingExtraError
from ..support.signals import Terminated, terminations_raise

__all__ = ["Command", "CommandError", "UsageError", "build_parser", "run", "version"]


class UsageError(Exception):
    """A mistake in the command line: one line on stderr, exit status 2."""


class CommandError(Exception):
    """A run that went wrong (bad numbers, a file that cannot be written): exit status 1."""


@dataclass(frozen=True)
class Command:
    """One subcommand: ``PROG name [options]``.

    ``add_arguments(parser)`` declares the options; ``run(args)`` does the work and
    returns the exit status (0), raising :class:`UsageError` or :class:`CommandError`
    for the rest.  ``extra_arguments(args, extra)``, when given, receives the words the
    parser did not recognise (``draw`` takes ``NAME=VALUE`` after its options); without
    it they are refused.  ``description`` and ``epilog`` may use ``%(prog)s``.  A module
    that defines a command imports its heavy dependencies inside ``run``, so that
    building the parser (for ``--help``) stays instant.
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: str | None = None
    epilog: str | None = None
    extra_arguments: Callable[[argparse.Namespace, list[str]], None] | None = None


def version() -> str:
    """The installed version of valuegrad (from the package metadata)."""
    try:
        return metadata.version("valuegrad")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "0+unknown"


class HelpFormatter(argparse.HelpFormatter):
    """Wraps paragraphs, keeps indented lines as written, and shows each default."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        blocks = []
        for block in re.split(r"\n\s*\n", text.strip("\n")):
            lines = block.splitlines()
            if any(line[:1].isspace() for line in lines[1:]):
                # A table or an example (its lines after the first are indented).
                blocks.append("\n".join(indent + line for line in lines))
            else:
                blocks.append(super()._fill_text(" ".join(lines), width, indent))
        return "\n\n".join(blocks)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        shows_default = "default" in text or action.default in (None, False, argparse.SUPPRESS)
        if action.option_strings and not shows_default and action.nargs != 0:
            text += " (default: %(default)s)"
        return text


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser(prog: str, commands: Sequence[Command]) -> argparse.ArgumentParser:
    """The argument parser for ``commands`` under the program name ``prog``."""
    names = ", ".join(c.name for c in commands)
    parser = _Parser(
        prog=prog,
        description=f"valuegrad {version()}: scalar autodiff and small neural networks. "
        f"Commands: {names}. '{prog} COMMAND --help' shows a command's options.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"valuegrad {version()}", help="print the version"
    )
    parser.set_defaults(_prog=prog)  # for a command's notes on stderr
    add_commands(parser, commands, "command", "_command")
    return parser


def add_commands(
    parser: argparse.ArgumentParser, commands: Sequence[Command], dest: str, key: str
) -> None:
    """A subparser per command under ``parser``; the chosen one's name goes to
    ``args.<dest>`` and the Command itself to ``args.<key>``."""
    sub = parser.add_subparsers(dest=dest, metavar="COMMAND", title="commands")
    for command in commands:
        p = sub.add_parser(
            command.name,
            help=command.help,
            description=command.description or command.help,
            epilog=command.epilog,
            formatter_class=parser.formatter_class,
        )
        command.add_arguments(p)
        p.set_defaults(**{key: command})


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def run(
    prog: str,
    commands: Sequence[Command],
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the chosen command, return its status."""
    err = stderr if stderr is not None else sys.stderr
    if err is None:  # fd 2 was closed: messages go nowhere (print would send them to stdout)
        err = io.StringIO()
    if stdout is None and sys.stdout is None:  # Python's stdout when fd 1 was closed
        stdout = cast(TextIO, _ClosedOutput())
    redirect_out = contextlib.redirect_stdout(stdout) if stdout is not None else None
    with redirect_out or contextlib.nullcontext(), contextlib.redirect_stderr(err):
        status, message = _run(prog, commands, list(sys.argv[1:] if argv is None else argv))
        if message is None:
            status, message = _flush_results(status)
    if message is not None:
        print(f"{prog}: {message}", file=err)
    return status


_CLOSED = "cannot print the results: stdout is closed"


class _ClosedOutput(io.TextIOBase):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "stdout is closed")


def _flush_results(status: int) -> tuple[int, str | None]:
    """Flush stdout (a pipe buffers it): a reader that went away is one line, exit 1."""
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        _silence_stdout()
        return 1, _CLOSED
    return status, None


def _silence_stdout() -> None:
    # Python flushes stdout again at exit and would complain in a traceback-like note.
    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _run(prog: str, commands: Sequence[Command], argv: list[str]) -> tuple[int, str | None]:
    parser = build_parser(prog, commands)
    try:
        args, extra = parser.parse_known_args(argv)
        command: Command | None = getattr(args, "_command", None)
        if command is None:
            names = ", ".join(c.name for c in commands)
            raise UsageError(f"choose a command: {names} (see '{prog} --help')")
        if extra:
            see = f"(see '{prog} {command.name} --help')"
            if command.extra_arguments is None:
                raise UsageError(f"unrecognized arguments: {' '.join(extra)} {see}")
            try:
                command.extra_arguments(args, extra)
            except UsageError as e:
                raise UsageError(f"{e} {see}") from None
        with terminations_raise():
            return command.run(args), None
    except SystemExit as e:  # --help and --version have printed their text
        return (e.code if isinstance(e.code, int) else 0), None
    except UsageError as e:
        return 2, _one_line(e)
    except (CommandError, MissingExtraError) as e:
        return 1, _one_line(e)
    except BrokenPipeError:  # stdout's reader went away (| head), or it was closed
        _silence_stdout()
        return 1, _CLOSED
    except KeyboardInterrupt:
        return 130, "interrupted"
    except Terminated as e:
        return 128 + e.signum, str(e)
    except MemoryError:
        return 1, "out of memory: the computation needs more memory than this process can get"
    except Exception as e:  # a bug: still one line, but say so
        return 1, f"internal error: {type(e).__name__}: {_one_line(e)}"
