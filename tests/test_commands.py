"""autograd.cli.commands: the one form of valuegrad's command lines (errors, help, --version),
checked on a made-up command and on every option of the real ``valuegrad``."""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest

from autograd.cli.commands import (
    Command,
    CommandError,
    HelpFormatter,
    UsageError,
    build_parser,
    run,
    version,
)
from autograd.support.extras import MissingExtraError
from nets.cli import COMMANDS


def _add(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", help="what happens")
    parser.add_argument("--times", type=int, default=1, help="how often")


def _happen(args: argparse.Namespace) -> int:
    outcomes: dict[str, BaseException] = {
        "refused": UsageError("refused\nover two lines"),
        "failed": CommandError("it failed"),
        "missing": MissingExtraError("needs x: pip install 'valuegrad[plots]'"),
        "bug": ZeroDivisionError("division by zero"),
        "ctrl-c": KeyboardInterrupt(),
        "no-memory": MemoryError(),
    }
    if args.what == "sigterm":
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # the handler raises at once
    if args.what in outcomes:
        raise outcomes[args.what]
    print(f"{args.what} x{args.times}")
    return 0


TRY = Command("try", help="a made-up command", add_arguments=_add, run=_happen)


def call(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run("prog", [TRY], list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_a_registered_command_runs():
    assert call("try", "ok", "--times", "3") == (0, "ok x3\n", "")


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["try", "refused"], 2, "prog: refused over two lines"),
        (["try", "failed"], 1, "prog: it failed"),
        (["try", "missing"], 1, "prog: needs x: pip install 'valuegrad[plots]'"),
        (["try", "bug"], 1, "prog: internal error: ZeroDivisionError: division by zero"),
        (["try", "ctrl-c"], 130, "prog: interrupted"),
        (["try", "sigterm"], 143, "prog: terminated by SIGTERM"),
        (["try", "no-memory"], 1, "prog: out of memory: the computation needs more memory"),
        ([], 2, "prog: choose a command: try (see 'prog --help')"),
        (["fly"], 2, "prog: argument COMMAND: invalid choice: 'fly'"),
        (["try"], 2, "prog: the following arguments are required: what (see 'prog try --help')"),
        (["try", "ok", "--times", "x"], 2, "prog: argument --times: invalid int value: 'x'"),
        (["try", "ok", "--bogus"], 2, "prog: unrecognized arguments: --bogus (see 'prog try"),
    ],
)
def test_every_outcome_is_one_line_with_its_status(argv, status, message):
    got, out, err = call(*argv)
    assert got == status and out == ""
    assert err.count("\n") == 1 and err.startswith(message), err


def test_help_and_version_exit_zero():
    status, out, err = call("--help")
    assert status == 0 and err == "" and "try" in out and "--version" in out
    status, out, _ = call("try", "--help")
    assert status == 0 and "how often (default: 1)" in out
    assert call("--version") == (0, f"valuegrad {version()}\n", "")


def test_version_comes_from_the_installed_metadata():
    import autograd
    import nets

    assert version() == metadata.version("valuegrad") == autograd.__version__ == nets.__version__


def test_descriptions_are_wrapped_and_tables_kept():
    long = " ".join(["word"] * 60)
    table = "a table:\n  left    right\n  l       r"
    command = Command("t", help="h", add_arguments=lambda p: None, run=lambda a: 0)
    command = Command("t", "h", command.add_arguments, command.run, long, table)
    text = build_parser("prog", [command])._subparsers._group_actions[0].choices["t"].format_help()
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "a table:\n  left    right\n  l       r" in text


def _options(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for *names, option, act in _options(sub):  # nested: "course grade"
                    yield (" ".join([name, *names]), option, act)
        elif action.option_strings and action.dest not in ("help", "version"):
            yield (action.option_strings[-1], action)


def test_every_option_of_valuegrad_has_help_that_shows_its_default():
    parser = build_parser("valuegrad", COMMANDS)
    seen = 0
    for command, option, action in _options(parser):
        assert action.help, f"valuegrad {command} {option} has no help"
        if action.nargs != 0:  # flags are off unless given
            shown = HelpFormatter(f"valuegrad {command}")._expand_help(action)
            assert "default" in shown, f"valuegrad {command} {option}: {shown!r}"
        seen += 1
    assert seen >= 20


def test_the_console_script_is_installed_and_runs(tmp_path):
    script = Path(sys.executable).parent / "valuegrad"
    if not script.exists():
        script = Path(shutil.which("valuegrad") or "")
    if not script.is_file():
        pytest.skip("the valuegrad script is not installed next to this python")
    done = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0 and done.stdout == f"valuegrad {version()}\n"
    done = subprocess.run(
        [str(script), "draw", "x * y", "x=3", "y=2"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.splitlines()[1:] == ["grad x: 2.0", "grad y: 3.0"]
    done = subprocess.run(
        [str(script), "train", "--epochs", "0"], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 2 and done.stderr.startswith("valuegrad: argument --epochs")
    assert done.stderr.count("\n") == 1 and list(tmp_path.iterdir()) == []


def test_with_stderr_closed_no_message_goes_to_stdout():
    # print(file=None) writes to stdout: with fd 2 closed (2>&-), Python's sys.stderr is
    # None, and an error once landed in the output a pipe reads.
    done = subprocess.run(
        [sys.executable, "-m", "nets", "train", "--epochs", "0"],
        capture_output=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(2),
    )
    assert done.returncode == 2 and done.stdout == ""
