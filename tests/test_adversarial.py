"""Hostile input, all in one place: every case ends in bounded time with a correct result or
a one-line error (``prog: message``; exit status 2 for a refused command line, 1 for a
failure), never a traceback, a hang or a half-written file.

The command-line cases run in a separate Python (one per table), each case under an alarm
and the whole table under a timeout, so that a regression shows up as a failed case
rather than a stuck test run.  Issue 11 lists where each class of case came from.
"""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd.cli.expr import MAX_LENGTH, evaluate

CASE_SECONDS = 30  # each case
TABLE_SECONDS = 120  # each table, all cases together


@dataclass(frozen=True)
class Case:
    """One command line: what it must give, and the files it must (not) leave."""

    name: str
    argv: tuple[str, ...]
    status: int
    message: str = ""  # in the one-line error (or in the output when status is 0)
    stdout_closed: bool = False
    setup: str = ""  # a file the case needs in its folder (see _SETUPS)


# The driver runs each case in-process (main() of the module) under SIGALRM, and prints
# one JSON line per case as it finishes.
_DRIVER = textwrap.dedent(
    """
    import contextlib, io, json, os, signal, sys
    module, seconds = sys.argv[1], int(sys.argv[2])
    cases = json.loads(sys.stdin.read())

    class Hung(Exception):
        pass

    def alarm(*_):
        raise Hung()

    signal.signal(signal.SIGALRM, alarm)
    if module == "autograd":
        from autograd.cli.draw import main
        def run(argv, out, err):
            return main(argv, stdout=out, stderr=err)
    else:
        from nets.cli import main
        def run(argv, out, err):
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                return main(argv)

    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    def model_doc(**model):
        doc = {"format": "valuegrad.nets", "version": 1,
               "model": {"type": "MLP", "nin": 2, "nouts": [1], "activation": "relu", **model},
               "parameters": {"layers.0.neurons.0.w.0": 1.0, "layers.0.neurons.0.w.1": 1.0,
                              "layers.0.neurons.0.b": 0.0}}
        return doc

    def setup(kind):
        import json, nets
        if kind == "model":
            model = nets.MLP(2, [1])
            for p in model.parameters():
                p.data = 1.0
            nets.save(model, "model.json")
        elif kind == "truncated_model":
            model = nets.MLP(2, [1])
            nets.save(model, "model.json")
            text = open("model.json").read()
            open("model.json", "w").write(text[: len(text) // 2])
        elif kind == "fifo":
            os.mkfifo("model.json")
        elif kind == "declares_a_million_inputs":
            doc = model_doc(nin=1000000, nouts=[8, 1])
            doc["parameters"] = {}
            open("model.json", "w").write(json.dumps(doc))
        elif kind == "repeated_key":
            text = json.dumps(model_doc()).replace('"version": 1', '"version": 1, "version": 1')
            open("model.json", "w").write(text)
        elif kind == "version_true":
            text = json.dumps(model_doc()).replace('"version": 1', '"version": true')
            open("model.json", "w").write(text)
        elif kind == "type_list":
            open("model.json", "w").write(json.dumps(model_doc(type=["MLP"])))
        elif kind == "integer_5000_digits":
            text = json.dumps(model_doc()).replace("0.0", "9" * 5000)
            open("model.json", "w").write(text)
        elif kind.startswith("standardizer:"):
            doc = model_doc()
            doc["metadata"] = {"standardizer": json.loads(kind.split(":", 1)[1])}
            open("model.json", "w").write(json.dumps(doc))
        elif kind == "file_as_out":
            open("taken", "w").write("a file")
        elif kind == "folder_as_model_json":
            os.makedirs("run/model.json")
        elif kind == "user_frames":
            os.makedirs("d")
            open("d/step_7.png", "w").write("a photo")
            open("d/step_123.pdf", "w").write("a paper")
        elif kind.startswith("folder_at:"):
            os.makedirs(kind.split(":", 1)[1])
        elif kind.startswith("symlink:"):  # symlink:NAME->TARGET
            name, target = kind.split(":", 1)[1].split("->")
            os.symlink(target, name)

    for case in cases:
        os.chdir(case["cwd"])
        if case["setup"]:
            setup(case["setup"])
        out, err = (Closed() if case["stdout_closed"] else io.StringIO()), io.StringIO()
        signal.alarm(seconds)
        try:
            status = run(case["argv"], out, err)
            crash = None
        except Hung:
            status, crash = None, "hung"
        except BaseException as e:
            status, crash = None, f"{type(e).__name__}: {e}"
        finally:
            signal.alarm(0)
        stdout = "" if case["stdout_closed"] else out.getvalue()
        print(json.dumps({"name": case["name"], "status": status, "crash": crash,
                          "stdout": stdout, "stderr": err.getvalue()}), flush=True)
    """
)


def run_table(module: str, cases: list[Case], root: Path) -> dict[str, dict]:
    """Run every case (each in its own empty folder under ``root``); results by name."""
    payload = []
    for case in cases:
        folder = root / case.name
        folder.mkdir()
        payload.append(
            {
                "name": case.name,
                "argv": list(case.argv),
                "cwd": str(folder),
                "stdout_closed": case.stdout_closed,
                "setup": case.setup,
            }
        )
    try:
        done = subprocess.run(
            [sys.executable, "-c", _DRIVER, module, str(CASE_SECONDS)],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=TABLE_SECONDS,
        )
        lines = done.stdout.splitlines()
    except subprocess.TimeoutExpired as e:
        lines = (e.stdout or b"").decode().splitlines() if isinstance(e.stdout, bytes) else []
    results = {}
    for line in lines:
        result = json.loads(line)
        results[result["name"]] = result
    return results


def check(case: Case, result: dict | None, prog: str) -> None:
    assert result is not None, f"{case.name}: no result (the table timed out before it)"
    assert result["crash"] is None, f"{case.name}: {result['crash']}"
    err = result["stderr"]
    assert "Traceback" not in err and "internal error" not in err, err
    assert result["status"] == case.status, (result["status"], err, result["stdout"])
    if case.status != 0:
        assert err.count("\n") == 1 and err.startswith(f"{prog}: "), err
        assert case.message in err, err
        assert len(err) <= 400, f"{case.name}: a one-line error of {len(err)} characters"
    else:
        assert case.message in result["stdout"] + err


# ---- python -m autograd draw ------------------------------------------------------------


def _sum(n: int) -> str:
    return "+".join(["x"] * n)


def _horner(n: int) -> str:
    text = "1"
    for _ in range(n):
        text = f"({text})*x+1"
    return text


DRAW = "python -m autograd"
DRAW_CASES = [
    # runaway dot: each once took 41 s to minutes; now drawn with copies of x
    Case("sum200_svg", ("draw", _sum(200), "x=1", "-o", "g.svg"), 0, "wrote g.svg"),
    Case("sum400_svg", ("draw", _sum(400), "x=1", "-o", "g.svg"), 0, "wrote g.svg"),
    Case("horner150_svg", ("draw", _horner(150), "x=0.5", "-o", "g.svg"), 0, "wrote g.svg"),
    Case("horner60_png", ("draw", _horner(60), "x=0.5", "-o", "g.png"), 0, "wrote g.png"),
    # --steps without a bound: 2,001 files once
    Case("steps_2001", ("draw", _sum(2000), "x=1", "--steps", "f"), 2, "--max-steps 2000"),
    Case("steps_4001_chars", ("draw", "x*" * 2000 + "x", "x=1", "--steps", "f"), 2, "--max-steps"),
    Case("steps_cap_0", ("draw", "x", "x=1", "--max-steps", "0"), 2, "--max-steps"),
    Case("steps_cap_text", ("draw", "x", "x=1", "--max-steps", "many"), 2, "invalid int"),
    Case(
        "steps_cap_raised",
        ("draw", _sum(120), "x=1", "--steps", "f", "--steps-format", "dot", "--max-steps", "200"),
        0,
        "wrote 120 steps",
    ),
    Case(
        "o_among_frames",
        ("draw", "x*y", "x=1", "y=2", "-o", "f/step_01.svg", "--steps", "f"),
        2,
        "inside --steps",
    ),
    Case("o_empty", ("draw", "x*y", "x=1", "y=2", "-o", ""), 2, "-o"),
    Case("steps_empty", ("draw", "x*y", "x=1", "y=2", "--steps", ""), 2, "--steps"),
    Case("o_unwritable", ("draw", "x", "x=1", "-o", "/proc/self/x.dot"), 1, "cannot write"),
    Case("o_missing_folder", ("draw", "x", "x=1", "-o", "no/such/g.dot"), 1, "cannot write"),
    Case("o_name_too_long", ("draw", "x", "x=1", "-o", "g" * 256 + ".svg"), 1, "too long"),
    Case("steps_name_too_long", ("draw", "x", "x=1", "--steps", "d" * 256), 1, "too long"),
    # issue 19: the user's files named like pictures stay; a folder among the names
    Case(
        "steps_keep_user_frames",
        ("draw", "x*y", "x=1", "y=2", "--steps", "d", "--steps-format", "dot"),
        0,
        "wrote 2 steps",
        setup="user_frames",
    ),
    Case(
        "steps_old_name_is_a_folder",
        ("draw", "x*y", "x=1", "y=2", "--steps", "d"),
        0,
        "wrote 2 steps",
        setup="folder_at:d/step_09.svg",
    ),
    Case(
        "steps_new_name_is_a_folder",
        ("draw", _sum(12), "x=1", "--steps", "d", "--steps-format", "dot"),
        1,
        "cannot write d/step_09.dot: it is a folder",
        setup="folder_at:d/step_09.dot",
    ),
    # refusals before arithmetic, huge numbers
    Case("forbidden_after_overflow", ("draw", "exp(1000) + x[0]", "x=1"), 2, "subscripts"),
    Case("undefined_after_division", ("draw", "1/0 + q", "x=1"), 2, "undefined variable"),
    Case("int_5000_digits", ("draw", "9" * 5000 + "*x", "x=1"), 2, "5,000 digits"),
    Case("int_400_digits", ("draw", "9" * 400 + "*x", "x=1"), 2, "400 digits"),
    Case("hex_huge", ("draw", "0x" + "f" * 3000 + "*x", "x=1"), 2, "digits"),
    Case("float_literal_inf", ("draw", "1e999*x", "x=1"), 2, "too large"),
    Case("value_inf", ("draw", "x", "x=1e999"), 2, "not a finite number"),
    Case("value_nan", ("draw", "x", "x=nan"), 2, "not a finite number"),
    Case("value_words", ("draw", "x", "x=one"), 2, "not a number"),
    Case("value_negative_sci", ("draw", "x*2", "x=-1e305"), 0, "grad x: 2.0"),
    Case("value_twice", ("draw", "x", "x=1", "x=2"), 2, "given twice"),
    Case("value_5000_chars", ("draw", "x", "x=" + "9" * 5000), 2, "value of x"),
    Case("name_5000_chars", ("draw", "x", "x" * 5000 + "=1"), 2, "undefined variable"),
    Case("unknown_function_long", ("draw", "f" * 3000 + "(x)", "x=1"), 2, "unknown function"),
    Case("nul", ("draw", "x\0", "x=1"), 2, "error"),
    Case("too_long", ("draw", "x+" * (MAX_LENGTH // 2) + "x", "x=1"), 2, "too long"),
    Case("too_deep", ("draw", "--", "-" * 9000 + "x", "x=1"), 2, "nested"),
    Case("parens_300", ("draw", "(" * 300 + "x" + ")" * 300, "x=1"), 2, "syntax error"),
    Case("dunder", ("draw", "x.__class__", "x=1"), 2, "attribute"),
    Case("import_call", ("draw", "__import__('os')", "x=1"), 2, "unknown function"),
    Case("lambda", ("draw", "(lambda: x)()", "x=1"), 2, "lambda"),
    Case("call_of_call", ("draw", "exp(x)(1)", "x=1"), 2, "calling the result"),
    Case("pow_function", ("draw", "pow(x, 2) + pow(2, x)", "x=3"), 0, "value: 17.0"),
    Case("pow_missing", ("draw", "pow(x)", "x=3"), 2, "pow() takes 2"),
    # engine failures: exit 1, one line, the prefix once
    Case("log_negative", ("draw", "log(x)", "x=-1"), 1, "log"),
    Case("div_zero", ("draw", "x/y", "x=1", "y=0"), 1, "division by zero"),
    Case("grad_overflow_var", ("draw", "x*1e300*y*1e300", "x=1", "y=1e-300"), 1, "backward: "),
    Case(
        "grad_overflow_constant",
        ("draw", "x * 1e300 * 1e-300 * 1e300", "x=1", "-o", "g.dot"),
        0,
        "overflowed (shown as inf)",
    ),
    Case("sqrt_zero_backward", ("draw", "sqrt(x)", "x=0"), 1, "backward: sqrt"),
    # the command line itself
    Case("precision_0", ("draw", "x", "x=1", "--precision", "0"), 2, "--precision"),
    Case("precision_99", ("draw", "x", "x=1", "--precision", "99"), 2, "--precision"),
    Case("bad_extension", ("draw", "x", "x=1", "-o", "g.txt"), 2, "picture format"),
    Case("stdout_closed", ("draw", "x*y", "x=1", "y=2", "-o", "g.dot"), 1, "stdout", True),
]


@pytest.fixture(scope="module")
def draw_results(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    root = tmp_path_factory.mktemp("draw")
    return root, run_table("autograd", DRAW_CASES, root)


@pytest.mark.parametrize("case", DRAW_CASES, ids=lambda c: c.name)
def test_draw_command_line(case, draw_results):
    check(case, draw_results[1].get(case.name), DRAW)


def test_draw_leaves_nothing_behind_when_it_refuses(draw_results):
    # Every refused or failed case left its folder as its setup made it (empty without
    # one): no frames, no picture, no temporary file.
    root, _ = draw_results
    for case in DRAW_CASES:
        if case.status != 0:
            made = sorted(
                str(p.relative_to(root / case.name)) for p in (root / case.name).rglob("*")
            )
            expected = {"": [], "folder_at:d/step_09.dot": ["d", "d/step_09.dot"]}[case.setup]
            assert made == expected, case.name


def test_draw_removes_no_file_of_the_user(draw_results):
    root, _ = draw_results
    d = root / "steps_keep_user_frames" / "d"
    assert (d / "step_7.png").read_text() == "a photo"
    assert (d / "step_123.pdf").read_text() == "a paper"
    assert (d / "step_01.dot").is_file()
    d = root / "steps_old_name_is_a_folder" / "d"
    assert (d / "step_09.svg").is_dir() and (d / "step_01.svg").is_file()


# ---- python -m nets train / predict ---------------------------------------------------------

NETS = "valuegrad"
QUICK = ("--samples", "40", "--epochs", "1", "--no-progress", "--no-plots")
_TRAIN = ("train", *QUICK, "--out", "run")
NETS_CASES = [
    # sizes refused before anything is allocated
    Case("hidden_huge", ("train", *QUICK, "--hidden", "100000", "100000"), 2, "parameters"),
    Case("samples_huge", ("train", *QUICK, "--samples", "100000000"), 2, "--samples"),
    Case("digits_wide", ("train", "--dataset", "digits", "--hidden", "20000"), 2, "1,000,000"),
    # arguments
    Case("hidden_superscript", ("train", *QUICK, "--hidden", "²"), 2, "--hidden"),
    Case("hidden_arabic_digits", ("train", *QUICK, "--hidden", "١٦"), 2, "--hidden"),
    Case("hidden_negative", ("train", *QUICK, "--hidden", "-3"), 2, "--hidden"),
    Case("epochs_zero", ("train", *QUICK, "--epochs", "0"), 2, "--epochs"),
    Case("epochs_5000_digits", ("train", "--epochs", "9" * 5000), 2, "--epochs"),
    Case("epochs_huge", ("train", *QUICK, "--epochs", "9" * 23), 2, "from 1 to 100,000"),
    Case("seed_5000_digits", ("train", *QUICK, "--seed", "9" * 5000), 2, "--seed"),
    Case("lr_nan", ("train", *QUICK, "--lr", "nan"), 2, "--lr"),
    Case("lr_inf", ("train", *QUICK, "--lr", "inf"), 2, "--lr"),
    Case("noise_infinite_data", ("train", *QUICK, "--noise", "1e308"), 2, "--noise"),
    Case("test_size_empty_train", ("train", *QUICK, "--test-size", "0.999"), 2, "--test-size"),
    Case("test_size_zero", ("train", *QUICK, "--test-size", "0"), 2, "--test-size"),
    Case("name_escapes_up", ("train", *QUICK, "--name", "../../x"), 2, "--name"),
    Case("name_absolute", ("train", *QUICK, "--name", "/tmp/x"), 2, "--name"),
    Case("name_dotdot", ("train", *QUICK, "--name", ".."), 2, "--name"),
    Case("out_empty", ("train", *QUICK, "--out", ""), 2, "--out"),
    # issue 19, round three: names that cannot be made are found before training
    Case("name_too_long", ("train", *QUICK, "--name", "n" * 256), 1, "File name too long"),
    Case("out_too_long", ("train", *QUICK, "--out", "a/" + "n" * 256), 1, "File name too long"),
    Case("name_newline", ("train", *QUICK, "--name", "a\nb"), 2, "--name"),
    Case(
        "out_symlink_loop",
        ("train", *QUICK, "--out", "loop/run"),
        1,
        "'loop' is not a folder",
        setup="symlink:loop->loop",
    ),
    Case(
        "out_dangling_symlink",
        ("train", *QUICK, "--out", "dangle"),
        1,
        "it is not a folder",
        setup="symlink:dangle->nowhere/at/all",
    ),
    Case("out_dev_null", ("train", *QUICK, "--out", "/dev/null"), 1, "it is not a folder"),
    # writing
    Case("out_in_proc", ("train", *QUICK, "--out", "/proc/valuegrad"), 1, "cannot create"),
    Case(
        "out_is_a_file",
        ("train", *QUICK, "--out", "taken"),
        1,
        "cannot create",
        setup="file_as_out",
    ),
    Case("model_json_is_a_folder", _TRAIN, 1, "it is a folder", setup="folder_as_model_json"),
    Case("train_ok", _TRAIN, 0, "wrote run/"),
    Case("train_stdout_closed", _TRAIN, 1, "stdout is closed", stdout_closed=True),
    # model files
    Case("predict_fifo", ("predict", "model.json", "1", "2"), 2, "FIFO", setup="fifo"),
    Case("predict_dev_zero", ("predict", "/dev/zero", "1", "2"), 2, "character device"),
    Case("predict_folder", ("predict", ".", "1", "2"), 2, "directory"),
    Case("predict_missing", ("predict", "none.json", "1", "2"), 2, "no such model file"),
    Case(
        "predict_symlink_loop",
        ("predict", "model.json", "1", "2"),
        2,
        "no such model file: 'model.json' (Too many levels of symbolic links)",
        setup="symlink:model.json->model.json",
    ),
    Case("predict_name_too_long", ("predict", "m" * 256, "1", "2"), 2, "(File name too long)"),
    Case("predict_through_a_file", ("predict", "/dev/null/m.json", "1", "2"), 2, "Not a directory"),
    Case(
        "predict_declares_a_million_inputs",
        ("predict", "model.json", "1", "2"),
        1,
        "more than the 1,000,000",
        setup="declares_a_million_inputs",
    ),
    Case(
        "predict_repeated_key",
        ("predict", "model.json", "1", "2"),
        1,
        "appears twice",
        setup="repeated_key",
    ),
    Case(
        "predict_version_true",
        ("predict", "model.json", "1", "2"),
        1,
        "version True",
        setup="version_true",
    ),
    Case(
        "predict_type_list",
        ("predict", "model.json", "1", "2"),
        1,
        "unknown model type",
        setup="type_list",
    ),
    Case(
        "predict_integer_5000_digits",
        ("predict", "model.json", "1", "2"),
        1,
        "5,000 digits",
        setup="integer_5000_digits",
    ),
    Case(
        "predict_standardizer_text",
        ("predict", "model.json", "1", "2"),
        1,
        "bad standardizer",
        setup='standardizer:"mean"',
    ),
    Case(
        "predict_standardizer_huge",
        ("predict", "model.json", "1", "2"),
        1,
        "bad standardizer",
        setup='standardizer:{"mean": [1e999999, 0], "std": [1, 1]}'.replace("1e999999", "9" * 400),
    ),
    # inputs
    Case(
        "predict_negative_sci",
        ("predict", "model.json", "-1e305", "0.5"),
        0,
        "score -1.0000e+305",
        setup="model",
    ),
    Case(
        "predict_negative_inf", ("predict", "model.json", "-inf", "0.5"), 2, "finite", setup="model"
    ),
    Case(
        "predict_overflow",
        ("predict", "model.json", "1e308", "1e308"),
        1,
        "cannot score",
        setup="model",
    ),
    Case(
        "predict_truncated_model",
        ("predict", "model.json", "1", "2"),
        1,
        "model.json",
        setup="truncated_model",
    ),
    Case(
        "predict_input_beyond_the_standardizer",
        ("predict", "model.json", "1.7e308", "0"),
        1,
        "cannot score this input: Standardizer.transform: row 0, column 0",
        setup='standardizer:{"mean": [-1.7e308, 0], "std": [1, 1]}',
    ),
    Case("predict_too_few", ("predict", "model.json", "1"), 2, "expects 2", setup="model"),
    Case(
        "predict_words", ("predict", "model.json", "one", "two"), 2, "finite number", setup="model"
    ),
    Case("predict_stdout_closed", ("predict", "model.json", "1", "2"), 1, "stdout", True, "model"),
]


@pytest.fixture(scope="module")
def nets_results(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    root = tmp_path_factory.mktemp("nets")
    return root, run_table("nets", NETS_CASES, root)


@pytest.mark.parametrize("case", NETS_CASES, ids=lambda c: c.name)
def test_nets_command_line(case, nets_results):
    check(case, nets_results[1].get(case.name), NETS)


def test_nets_writes_nothing_when_it_refuses(nets_results):
    root, _ = nets_results
    for case in NETS_CASES:
        if case.status != 0:  # refused or failed: nothing made, runs/ included
            made = {p.name for p in (root / case.name).iterdir()}
            assert made <= {"model.json", "taken", "run", "loop", "dangle"}, (case.name, made)
            assert not (root / case.name / "runs").exists()


# ---- fuzzed expressions ------------------------------------------------------------------

_TOKENS = st.sampled_from(
    [
        "x", "y", "1", "0", "-", "+", "*", "/", "**", "(", ")", ",", ".", "[", "]", "e",
        "1e308", "9" * 320, "exp(", "log(", "pow(", "leaky_relu(", "tanh(", "sqrt(", "'a'",
        "lambda", ":", "=", "==", "if", "else", "__class__", "\0", " ", "0x", "_", "j",
    ]
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(_TOKENS, max_size=25).map("".join))
def test_fuzzed_expressions_give_a_value_or_a_one_line_error(source):
    try:
        out, _ = evaluate(source, {"x": 0.5, "y": -2.0})
        assert math.isfinite(out.data)
        out.backward()  # may refuse too: pow's derivative of (-2) ** y, say
    except (ArithmeticError, ValueError, TypeError) as e:  # ExpressionError or the engine's
        assert "\n" not in str(e) and str(e) and len(str(e)) <= 400


# ---- mutated model files -----------------------------------------------------------------


def _saved_model_text() -> str:
    import random

    import nets

    random.seed(5)
    model = nets.MLP(2, [3, 2], activation="tanh")
    return nets.persist.dumps(
        model, {"classes": 2, "standardizer": {"mean": [0.0, 1.0], "std": [1.0, 2.0]}}
    )


_SAVED = _saved_model_text()
_PIECES = st.sampled_from(
    [
        "true", "null", "1e999", "NaN", "-", '"', "{", "}", "[", "]", ",", ":", "9" * 5000,
        '"version": 1, "version": 1', '"type": ["MLP"]', '"nin": 1000000', "\\u0000", "\xff",
        '"nouts": []', '"activation": "gelu"', "0.5", '"b": 1', "-1e-400",
    ]
)  # fmt: skip


@st.composite
def mutated(draw) -> bytes:
    text = _SAVED
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "cut"]))
        if kind == "insert":
            text = text[:where] + draw(_PIECES) + text[where:]
        elif kind == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 40)) :]
        elif kind == "replace":
            text = text[:where] + draw(_PIECES) + text[where + draw(st.integers(1, 10)) :]
        else:
            text = text[:where]
    return text.encode("utf-8", "surrogatepass")


_HOSTILE_VALUES = st.sampled_from(
    [
        True, None, "x", "", [], {}, -0.0, 2**53 + 1, 10**300, -1, 0, 1000001, 2.5,
        "__HUGE__", "__NAN__", "__INF__", [[[[[]]]]], {"type": "MLP"}, ["MLP"], "relu",
    ]
)  # fmt: skip
_SPECIAL = {'"__HUGE__"': "9" * 5000, '"__NAN__"': "NaN", '"__INF__"': "-Infinity"}


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _paths(value, (*prefix, i))


@st.composite
def damaged_documents(draw) -> bytes:
    """The saved document with values at random places replaced by hostile ones, keys
    removed or repeated: well-formed JSON, wrong content."""
    doc = json.loads(_SAVED)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        *parents, last = path
        holder = doc
        for key in parents:
            holder = holder[key]
        if draw(st.booleans()) and isinstance(holder, dict):
            del holder[last]
        else:
            holder[last] = copy.deepcopy(draw(_HOSTILE_VALUES))  # the samples are shared
    text = json.dumps(doc)
    for placeholder, raw in _SPECIAL.items():
        text = text.replace(placeholder, raw)
    if draw(st.integers(0, 4)) == 0:  # a key repeated
        text = text.replace('"activation": ', '"activation": "relu", "activation": ', 1)
    return text.encode()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(mutated(), damaged_documents()))
def test_mutated_model_files_load_correctly_or_raise_one_value_error(tmp_path_factory, raw):
    import nets

    path = tmp_path_factory.mktemp("mutant") / "model.json"
    path.write_bytes(raw)
    try:
        model, metadata = nets.read(path)
    except ValueError as e:
        text = str(e)
        assert text.startswith(str(path)) and "\n" not in text
        assert "set_int_max_str_digits" not in text
        return
    # What loads is a model whose parameters are all finite floats, and that runs.
    assert all(type(p.data) is float for p in model.parameters())
    assert isinstance(metadata, dict)
    model.forward_floats([0.5] * model.nin)


# ---- the library, called with nonsense ---------------------------------------------------


def _api_cases():
    import nets
    from autograd import Value, draw_dot, gradcheck, numerical_grad
    from autograd.viz.steps import save_steps

    x = Value(2.0, label="x")
    square = lambda v: v * v
    model = nets.MLP(2, [2, 1])
    chain = x
    for _ in range(150):
        chain = chain + x
    return [
        ("gradcheck_eps_0", lambda: gradcheck(square, [1.0], eps=0), ValueError, "eps"),
        ("gradcheck_eps_tiny", lambda: gradcheck(square, [1.0], eps=1e-300), ValueError, "eps"),
        ("gradcheck_atol_nan", lambda: gradcheck(square, [1.0], atol=math.nan), ValueError, "atol"),
        ("gradcheck_rtol_nan", lambda: gradcheck(square, [1.0], rtol=math.nan), ValueError, "rtol"),
        (
            "numerical_grad_eps_nan",
            lambda: numerical_grad(square, [1.0], eps=math.nan),
            ValueError,
            "eps",
        ),
        ("children_numbers", lambda: Value(1, _children=(1, 2)), TypeError, "_children"),
        ("children_not_iterable", lambda: Value(1, _children=5), TypeError, "_children"),
        ("value_text", lambda: Value("1.5"), TypeError, "Value"),
        ("value_nan", lambda: Value(math.nan), ValueError, "finite"),
        ("value_huge_int", lambda: Value(10**400), OverflowError, "401 digits"),
        ("pow_text", lambda: x.pow("2"), TypeError, "pow"),
        ("pow_nan", lambda: x.pow(math.nan), ValueError, "finite"),
        ("pow_negative_base_fraction", lambda: Value(-2.0).pow(0.5), ValueError, "pow"),
        ("draw_not_a_value", lambda: draw_dot(5), TypeError, "draw_dot"),
        ("draw_max_nodes_0", lambda: draw_dot(x, max_nodes=0), ValueError, "max_nodes"),
        (
            "steps_over_cap",
            lambda: save_steps(chain, "never-written", "dot"),
            ValueError,
            "max_steps",
        ),
        ("model_input_dict", lambda: model({0: 1.0, 1: 2.0}), TypeError, "dict"),
        ("model_floats_text", lambda: model.forward_floats(["1.5", 2.0]), TypeError, "input 0"),
        ("model_input_set", lambda: model.forward_floats({1.0, 2.0}), TypeError, "set"),
        (
            "save_metadata_list",
            lambda: nets.save(model, "never.json", metadata=[1]),
            TypeError,
            "metadata",
        ),
        ("mlp_nouts_text", lambda: nets.MLP(2, "16"), ValueError, "nouts"),
        ("load_dev_zero", lambda: nets.load("/dev/zero"), ValueError, "not a regular file"),
    ]


_API = _api_cases()


@pytest.mark.parametrize(("name", "call", "error", "message"), _API, ids=[c[0] for c in _API])
def test_library_misuse_is_one_clear_error(name, call, error, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error) as caught:
        call()
    text = str(caught.value)
    assert message in text and "\n" not in text and len(text) <= 400, text
    assert list(tmp_path.iterdir()) == []  # nothing written on the way
