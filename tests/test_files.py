"""autograd.support.files: atomic writes, sets of files written together, leftovers cleaned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from autograd.support.files import remove_stale_temporaries, write_atomic, write_together


def names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_atomic_replaces_the_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "a.txt"
    write_atomic(target, "first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second" and names(tmp_path) == ["a.txt"]


@pytest.mark.parametrize("name", ["m" * 250 + ".json", "é" * 125 + ".json", "x" * 255])
def test_long_valid_names_get_temporary_names_within_name_max(tmp_path, name):
    # ".<250 bytes>.<random>.tmp" once exceeded NAME_MAX (255 bytes) and the save failed.
    assert len(os.fsencode(name)) <= 255
    write_atomic(tmp_path / name, "data")
    assert (tmp_path / name).read_text() == "data" and names(tmp_path) == [name]
    write_together(tmp_path, {name: "more"})
    assert (tmp_path / name).read_text() == "more" and names(tmp_path) == [name]


def test_a_writer_killed_mid_save_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    target = tmp_path / "model.json"
    write_atomic(target, "old")
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from autograd.support.files import _write_temporary
        _write_temporary(Path({str(target)!r}), "half")
        print("written", flush=True)
        time.sleep(60)
        """
    )
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "written\n"
        orphans = [n for n in names(tmp_path) if n.endswith(".tmp")]
        assert len(orphans) == 1 and orphans[0].startswith(".model.json.")
        remove_stale_temporaries(target)  # its writer is alive: left alone
        assert orphans[0] in names(tmp_path)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    finally:
        writer.kill()
        writer.stdout.close()
    write_atomic(target, "new")
    assert names(tmp_path) == ["model.json"] and target.read_text() == "new"


def test_old_temporaries_are_removed_whoever_made_them(tmp_path):
    target = tmp_path / "model.json"
    old_style = tmp_path / ".model.json.k2j3h4_x.tmp"  # tempfile.mkstemp's, before
    live = tmp_path / f".model.json.{os.getppid()}-0123abcd.tmp"  # a live process's
    other = tmp_path / ".other.json.1-0123abcd.tmp"
    for path in (old_style, live, other):
        path.write_text("half")
    write_atomic(target, "new")
    assert names(tmp_path) == sorted(p.name for p in (old_style, live, other, target))
    long_ago = time.time() - 2 * 3600
    for path in (old_style, live):
        os.utime(path, (long_ago, long_ago))
    write_atomic(target, "newer")
    assert names(tmp_path) == sorted([other.name, target.name])


def test_write_together_writes_all_or_nothing(tmp_path, monkeypatch):
    folder = tmp_path / "run"
    folder.mkdir()
    write_together(folder, {"model.json": "m1", "loss.png": b"p1", "boundary.png": b"b1"})
    (folder / "notes.txt").write_text("mine")
    real_fsync = os.fsync
    calls = []

    def full_disk(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_together(folder, {"model.json": "m2", "loss.png": b"p2", "digits.png": b"d2"})
    monkeypatch.undo()
    assert names(folder) == ["boundary.png", "loss.png", "model.json", "notes.txt"]
    assert (folder / "model.json").read_text() == "m1"
    # Success: the new set, minus the old run's files that it does not replace.
    stale = ["model.json", "loss.png", "boundary.png", "digits.png"]
    write_together(folder, {"model.json": "m2", "digits.png": b"d2"}, stale=stale)
    assert names(folder) == ["digits.png", "model.json", "notes.txt"]


def test_files_get_ordinary_permissions_or_keep_their_own(tmp_path):
    mask = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "new.txt", "x")
        assert path.stat().st_mode & 0o777 == 0o644
        path.chmod(0o600)
        write_together(tmp_path, {"new.txt": "y"})
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(mask)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_between_the_renames_leaves_the_new_set_whole(tmp_path, monkeypatch, signum):
    # Issue 19: a SIGINT or SIGTERM between two renames left model.json of the new run
    # beside history.json of the old one.  The signal now takes effect after the last.
    from autograd.support.signals import Terminated, terminations_raise

    folder = tmp_path / "run"
    folder.mkdir()
    write_together(folder, {"model.json": "m1", "history.json": "h1", "loss.png": b"p1"})
    real_replace = os.replace
    calls = []

    def interrupted_replace(src, dst):
        calls.append(dst)
        if len(calls) == 1:
            os.kill(os.getpid(), signum)
            time.sleep(0.05)  # the signal arrives while the renames go on
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", interrupted_replace)
    expected = KeyboardInterrupt if signum == signal.SIGINT else Terminated
    with pytest.raises(expected), terminations_raise():
        write_together(
            folder, {"model.json": "m2", "history.json": "h2"}, stale=["loss.png", "model.json"]
        )
    assert len(calls) == 2
    monkeypatch.undo()
    assert {p.name: p.read_text() for p in folder.iterdir()} == {
        "model.json": "m2",
        "history.json": "h2",
    }


def test_a_set_with_a_name_taken_by_a_folder_is_refused_before_writing(tmp_path):
    (tmp_path / "b.txt").mkdir()
    with pytest.raises(IsADirectoryError) as caught:
        write_together(tmp_path, {"a.txt": "a", "b.txt": "b"})
    assert caught.value.filename == str(tmp_path / "b.txt")
    assert names(tmp_path) == ["b.txt"]  # a.txt was not written either


# ---- write_folder: a run folder switched in one step ------------------------------------


def inode(path) -> int:
    return os.stat(path).st_ino


def test_write_folder_makes_a_new_folder_with_its_parents(tmp_path):
    from autograd.support.files import write_folder

    out = tmp_path / "runs" / "deep" / "run"
    paths = write_folder(out, {"model.json": "m1", "history.json": b"h1"}, owned=["loss.png"])
    assert paths == [out / "model.json", out / "history.json"]
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "model.json": "m1",
        "history.json": "h1",
    }
    assert names(tmp_path) == ["runs"] and names(tmp_path / "runs") == ["deep"]


def test_write_folder_replaces_a_run_folder_as_a_whole(tmp_path):
    from autograd.support.files import write_folder

    owned = ["model.json", "history.json", "loss.png"]
    out = tmp_path / "run"
    write_folder(out, {"model.json": "m1", "history.json": "h1", "loss.png": b"p1"}, owned)
    out.chmod(0o750)
    before = inode(out)
    write_folder(out, {"model.json": "m2", "history.json": "h2"}, owned)
    # Another folder took its place (one rename), with the old one's permissions.
    assert inode(out) != before and out.stat().st_mode & 0o777 == 0o750
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "model.json": "m2",
        "history.json": "h2",
    }
    assert names(tmp_path) == ["run"]  # the old folder is gone, no temporary is left


def test_without_an_exchange_the_old_folder_goes_aside_first(tmp_path, monkeypatch):
    import autograd.support.files as files

    monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    out = tmp_path / "run"
    files.write_folder(out, {"model.json": "m1", "loss.png": b"p1"}, ["model.json", "loss.png"])
    files.write_folder(out, {"model.json": "m2"}, ["model.json", "loss.png"])
    assert {p.name: p.read_text() for p in out.iterdir()} == {"model.json": "m2"}
    assert names(tmp_path) == ["run"]


@pytest.mark.parametrize("other", ["notes.txt", "model.json.d", ".model.json.1-0000000a.tmp"])
def test_a_folder_holding_other_things_gets_the_files_one_by_one(tmp_path, other):
    from autograd.support.files import write_folder

    out = tmp_path / "run"
    write_folder(out, {"model.json": "m1", "loss.png": b"p1"}, ["model.json", "loss.png"])
    (out / other).mkdir() if other.endswith(".d") else (out / other).write_text("theirs")
    before = inode(out)
    write_folder(out, {"model.json": "m2"}, ["model.json", "loss.png"])
    assert inode(out) == before and (out / other).exists()
    assert (out / "model.json").read_text() == "m2" and not (out / "loss.png").exists()


def test_the_current_folder_is_never_replaced(tmp_path, monkeypatch):
    from autograd.support.files import write_folder

    monkeypatch.chdir(tmp_path)
    before = inode(tmp_path)
    write_folder(".", {"model.json": "m1"}, ["model.json"])
    write_folder(tmp_path, {"model.json": "m2"}, ["model.json"])
    assert inode(tmp_path) == before and (tmp_path / "model.json").read_text() == "m2"


def test_a_failed_write_leaves_the_folder_and_no_trace(tmp_path, monkeypatch):
    import errno

    import autograd.support.files as files

    owned = ["model.json", "loss.png"]
    out = tmp_path / "run"
    files.write_folder(out, {"model.json": "m1", "loss.png": b"p1"}, owned)
    real = files._write_new

    def disk_full(path, data):
        if path.name == "loss.png":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(files, "_write_new", disk_full)
    with pytest.raises(OSError) as caught:
        files.write_folder(out, {"model.json": "m2", "loss.png": b"p2"}, owned)
    assert caught.value.filename == str(out / "loss.png")
    assert names(tmp_path) == ["run"] and (out / "model.json").read_text() == "m1"
    with pytest.raises(OSError):  # a new folder: neither it nor its parents stay
        files.write_folder(tmp_path / "new" / "deep" / "run", {"loss.png": b"p"}, owned)
    assert names(tmp_path) == ["run"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_at_the_switch_leaves_one_whole_run(tmp_path, monkeypatch, signum):
    import autograd.support.files as files
    from autograd.support.signals import Terminated, terminations_raise

    owned = ["model.json", "history.json"]
    out = tmp_path / "run"
    files.write_folder(out, {"model.json": "m1", "history.json": "h1"}, owned)
    real = files._switch

    def interrupted_switch(staging, target):
        os.kill(os.getpid(), signum)
        time.sleep(0.05)
        return real(staging, target)

    monkeypatch.setattr(files, "_switch", interrupted_switch)
    expected = KeyboardInterrupt if signum == signal.SIGINT else Terminated
    with pytest.raises(expected), terminations_raise():
        files.write_folder(out, {"model.json": "m2", "history.json": "h2"}, owned)
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "model.json": "m2",
        "history.json": "h2",
    }
    assert names(tmp_path) == ["run"]


def test_a_killed_writers_folder_is_removed_by_the_next_write(tmp_path):
    from autograd.support.files import write_folder

    out = tmp_path / "run"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    left = tmp_path / f".run.{dead}-0123abcd.tmp"
    left.mkdir()
    (left / "model.json").write_text("half")
    write_folder(out, {"model.json": "m"}, ["model.json"])
    assert names(tmp_path) == ["run"]


@pytest.mark.parametrize(
    "name",
    ["../escape.txt", "a/../../escape.txt", "/abs.txt", "a//b.txt", "", ".", "..", "nul\0.txt"],
)
def test_only_plain_file_names_are_written(tmp_path, name):
    from autograd.support.files import write_folder

    folder = tmp_path / "run"
    for write in (write_together, write_folder):
        with pytest.raises(ValueError, match="is not a plain file name"):
            write(folder, {"ok.txt": "1", name: "2"})
    assert names(tmp_path) == []


def test_a_set_may_reach_into_the_folders_below_but_a_run_folder_may_not(tmp_path):
    from autograd.support.files import write_folder

    folder = tmp_path / "edition"
    (folder / "img").mkdir(parents=True)
    write_together(folder, {"a.txt": "1", "img/pic.svg": "<svg/>"})
    assert (folder / "img" / "pic.svg").read_text() == "<svg/>"
    with pytest.raises(ValueError, match="is not a plain file name"):
        write_folder(tmp_path / "run", {"img/pic.svg": "<svg/>"})
