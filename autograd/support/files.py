"""Writing files so that no reader, and no crash, ever sees half of one.

:func:`write_atomic` writes one file through a temporary file beside it and
``os.replace``; :func:`write_together` writes a set of files (the pictures of a backward
pass) so that the folder holds either all the new ones or the old ones untouched, with
signals held off between its renames; :func:`write_folder` switches a whole folder (a
training run) from one set to the next in one rename.  Temporary files and folders are
named ``.NAME.PID-XXXXXXXX.tmp``; a writer killed with SIGKILL leaves one behind, and the
next write to the same place removes it.  :func:`made_folders` makes missing folders and
removes them again if what follows fails.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import secrets
import stat
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .signals import held

__all__ = ["made_folders", "write_atomic", "write_folder", "write_together"]

# A temporary file older than this is garbage whoever made it (its writer would have
# finished long ago); younger ones are removed only when their process is gone.
STALE_AGE = 3600.0

_NAME_MAX = 255  # bytes in one file name on every common file system


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` (bytes, or text written as UTF-8) to ``path`` atomically.

    The data goes to a temporary file in the same folder, is flushed to disk, and only
    then renamed over ``path``: readers see the old file or the new one, never half of
    one, and a failure leaves the old file and no temporary file.  The file gets the
    permissions a plain ``open()`` would give it (or keeps those of the file it
    replaces).  Returns ``path``.
    """
    path = Path(path)
    try:
        tmp = _write_temporary(path, data)
    except OSError as e:
        raise _naming(e, path) from e
    try:
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _naming(e, path) from e
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(path.parent)
    remove_stale_temporaries(path)
    return path


def write_together(
    folder: str | os.PathLike[str],
    files: Mapping[str, bytes | str],
    stale: Iterable[str] = (),
) -> list[Path]:
    """Write every file of ``files`` (name -> data) into ``folder``, all or none.

    A name is a file name, or a path of file names below ``folder`` whose folders exist
    ("img/pic.svg"); never a way out of ``folder`` ("..", an absolute path).
    A name that is a folder there is refused (IsADirectoryError) before anything is
    written.  Every file is then written in full under a temporary name; only when all
    of them are on disk are they renamed into place, and the files named in ``stale``
    that this set does not replace (a previous set's leftovers; folders among them are
    left alone) are removed.  The renames and removals run with Ctrl-C and termination
    signals held off (:func:`autograd.support.signals.held`), so that a signal leaves the
    old set or the new one, never a mix.  A failure while writing (a full disk, a
    read-only folder) removes the temporary files and leaves the folder exactly as it
    was.  Returns the paths written, in the order given.
    """
    folder = Path(folder)
    _check_names(files, "write_together", nested=True)
    for name in files:
        if _is_folder(folder / name):
            raise IsADirectoryError(errno.EISDIR, "it is a folder", str(folder / name))
    written: list[tuple[Path, Path]] = []
    path = folder
    try:
        for name, data in files.items():
            path = folder / name
            written.append((_write_temporary(path, data), path))
    except BaseException as e:
        for tmp, _ in written:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(e, OSError):
            raise _naming(e, path) from e
        raise
    with held():
        for i, (tmp, path) in enumerate(written):
            try:
                os.replace(tmp, path)
            except BaseException as e:
                for later, _ in written[i:]:
                    with contextlib.suppress(OSError):
                        os.unlink(later)
                if isinstance(e, OSError):
                    raise _naming(e, path) from e
                raise
        for name in set(stale) - set(files):
            if not _is_folder(folder / name):
                with contextlib.suppress(FileNotFoundError):
                    (folder / name).unlink()
    _sync_folder(folder)
    for _, path in written:
        remove_stale_temporaries(path)
    return [path for _, path in written]


def write_folder(
    folder: str | os.PathLike[str],
    files: Mapping[str, bytes | str],
    owned: Iterable[str] = (),
) -> list[Path]:
    """Make ``folder`` hold ``files`` (name -> data) instead of its previous set, in one step.

    ``owned`` names the files a previous set may hold (a run's outputs): those that the
    new set lacks are removed, and every other entry stays.  When ``folder`` is new, or
    holds nothing but owned files, the new set is written into a fresh folder beside it,
    which then takes its place in one rename (an exchange of the two folders where the
    system offers one, as Linux does): a reader, a signal or a crash finds the old set or
    the new one.  A folder that holds other files as well (notes, say), the current
    folder, or one that is not the user's own gets the set through
    :func:`write_together`, with signals held off for its renames.  A failure leaves the
    folder as it was, no temporary file, and no folder made on the way.  Returns the
    paths written, in the order given.
    """
    folder = Path(folder)
    _check_names(files, "write_folder")
    target = Path(os.path.realpath(folder))
    names = {*owned, *files}
    if not _replaceable(target, names):
        return write_together(folder, files, stale=owned)
    with made_folders(target.parent):
        try:
            staging = _new_folder(target)
        except OSError as e:
            if isinstance(e, PermissionError) and target.exists():
                return write_together(folder, files, stale=owned)  # the parent is read-only
            raise _naming(e, target) from None
        old = staging  # the new set until the switch, then the folder holding the old one
        try:
            for name, data in files.items():
                try:
                    _write_new(staging / name, data)
                except OSError as e:
                    raise _naming(e, folder / name) from e
            with contextlib.suppress(OSError):
                os.chmod(staging, target.stat().st_mode & 0o7777)  # keep the folder's mode
            _sync_folder(staging)
            with held():
                old = _switch(staging, target)
        finally:
            _remove_set(old, names)
    _sync_folder(target.parent)
    remove_stale_temporaries(target)
    return [folder / name for name in files]


def _replaceable(target: Path, names: set[str]) -> bool:
    """Whether ``target`` may be replaced as a whole by a folder holding ``names``: it is
    new, or a folder of the user's own, not a mount point, not the current folder or
    one above it, holding only files (not folders) named in ``names``."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or os.path.ismount(target):
        return False
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return False
    with contextlib.suppress(OSError):
        here = Path(os.path.realpath(os.getcwd()))
        if target == here or target in here.parents:
            return False
    try:
        entries = list(os.scandir(target))
    except OSError:
        return False
    return all(e.name in names and not e.is_dir(follow_symlinks=False) for e in entries)


def _new_folder(target: Path) -> Path:
    """A fresh, empty folder beside ``target``, named like its temporary files."""
    for _ in range(100):
        staging = target.with_name(_temporary_name(target))
        try:
            staging.mkdir()
            return staging
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary folder beside {target}")


def _write_new(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _switch(staging: Path, target: Path) -> Path:
    """Put the folder ``staging`` in the place of ``target``; returns where the old
    folder now is (a name that no longer exists, if there was none)."""
    if not os.path.lexists(target):
        os.rename(staging, target)
        return staging
    if _exchange(staging, target):
        return staging
    # No exchange on this system: the old folder goes aside, then the new one in.  A crash
    # between the two leaves no folder (the old one lies aside), never a mix.
    aside = target.with_name(_temporary_name(target))
    os.rename(target, aside)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(aside, target)
        raise
    return aside


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux's renameat2 with RENAME_EXCHANGE); False where
    the system or the file system has no such call."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    import ctypes

    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2  # from Linux's <fcntl.h> and <linux/fs.h>


@functools.cache
def _renameat2() -> Any:
    # Python's os module has no renameat2 (glibc 2.28 and later has): called through ctypes.
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, ImportError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    call.restype = ctypes.c_int
    return call


def _remove_set(folder: Path, names: Iterable[str]) -> None:
    """Remove the files named ``names`` from ``folder``, then ``folder`` if it is empty."""
    for name in names:
        if not _is_folder(folder / name):
            with contextlib.suppress(OSError):
                (folder / name).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()


def _check_names(names: Iterable[str], where: str, nested: bool = False) -> None:
    """ValueError unless every name is a plain file name, or with ``nested`` a path of
    plain names below the folder ("img/pic.svg"): never a way out of the folder."""
    for name in names:
        separators = ("/", os.sep, os.altsep or "/")
        parts = name.split("/") if nested and isinstance(name, str) else [name]
        if (
            not isinstance(name, str)
            or "\0" in name
            or (nested and os.sep != "/" and os.sep in name)
        ):
            raise ValueError(f"{where}: {name!r:.80} is not a plain file name")
        for part in parts:
            if part in ("", ".", "..") or any(p in part for p in separators):
                raise ValueError(f"{where}: {name!r:.80} is not a plain file name")


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder itself (not a link to one, which a rename replaces)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


@contextlib.contextmanager
def made_folders(folder: str | os.PathLike[str]) -> Iterator[list[Path]]:
    """Create ``folder`` and its missing parents; if the block then fails, remove the
    ones created here again (those still empty), so that a failure leaves no trace.

    Yields the folders created, outermost first.
    """
    folder = Path(folder)
    missing = [p for p in (folder, *folder.parents) if not os.path.lexists(p)][::-1]
    created: list[Path] = []
    try:
        for path in missing:
            try:
                path.mkdir()
            except FileExistsError:  # made meanwhile by someone else: theirs
                continue
            created.append(path)
        yield created
    except BaseException:
        for path in reversed(created):
            with contextlib.suppress(OSError):
                path.rmdir()
        raise


def _naming(error: OSError, path: Path) -> OSError:
    """The error with the file the caller asked for, not the temporary one, as its name."""
    if error.errno is None:
        return error
    return OSError(error.errno, error.strerror, str(path))  # the same subclass, by errno


def _write_temporary(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, path.stat().st_mode & 0o7777)  # keep the replaced file's mode
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _stem(name: str, room: int) -> str:
    """``name`` cut to at most ``room`` bytes in the file system's encoding (whole
    characters only), so that a temporary name never exceeds NAME_MAX."""
    if len(os.fsencode(name)) <= room:
        return name
    out = []
    for ch in name:
        room -= len(os.fsencode(ch))
        if room < 0:
            break
        out.append(ch)
    return "".join(out)


def _temporary_name(path: Path) -> str:
    tail = f".{os.getpid()}-{secrets.token_hex(4)}.tmp"
    return "." + _stem(path.name, _NAME_MAX - 1 - len(tail)) + tail


def _create_temporary(path: Path) -> tuple[int, Path]:
    # Not tempfile.mkstemp: its files are private (0600) whatever the umask, while
    # os.open with mode 0o666 lets the umask decide, as for any new file.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.with_name(_temporary_name(path))
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file beside {path}")


def _temporaries_pattern(path: Path) -> re.Pattern[str]:
    # The stem a writer with the longest possible pid would use; a shorter pid leaves
    # room for more of the name, which [^/]*? takes.
    room = _NAME_MAX - 1 - len(".4294967295-00000000.tmp")
    stem = _stem(path.name, room)
    rest = "" if stem == path.name else "[^/]*?"
    # Also the names of earlier versions (tempfile.mkstemp: 8 random characters).
    return re.compile(rf"\.{re.escape(stem)}{rest}\.(?:(\d+)-[0-9a-f]{{8}}|[a-z0-9_]{{8}})\.tmp")


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files (and folders) that writes to ``path`` left behind when
    their process was killed; returns those removed.  Another process's write in progress
    is left alone."""
    path = Path(path)
    pattern = _temporaries_pattern(path)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        pid = match.group(1)
        if age < STALE_AGE and (pid is None or _alive(int(pid))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):  # a folder write_folder was filling
                _remove_set(Path(entry.path), os.listdir(entry.path))
            else:
                os.unlink(entry.path)
        if not os.path.lexists(entry.path):
            removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be writing it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # someone else's process, or a pid we cannot ask about
    return True


def _sync_folder(folder: Path) -> None:
    # Makes the rename itself durable after a power cut; not possible on every platform.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
