"""Shared test settings."""

import contextlib
import os
import pathlib
import shutil
import signal
import tempfile
import time

import pytest
from hypothesis import HealthCheck, settings

# Timing deadlines only make tests flaky on a busy two-core machine.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_configure(config):
    # Notebook kernels inherit this: plain tracebacks instead of colour codes.
    ipython_dir = pathlib.Path(tempfile.mkdtemp(prefix="valuegrad-ipython-"))
    profile = ipython_dir / "profile_default"
    profile.mkdir()
    (profile / "ipython_kernel_config.py").write_text('c.InteractiveShell.colors = "nocolor"\n')
    os.environ["IPYTHONDIR"] = str(ipython_dir)
    config.add_cleanup(lambda: shutil.rmtree(ipython_dir, ignore_errors=True))
    _keep_executed_notebooks(config)


def pytest_addoption(parser):
    parser.addoption(
        "--executed-notebooks",
        metavar="DIR",
        help="write each notebook that nbmake runs without error, with its outputs, into DIR "
        "(the docs site renders these copies instead of running the course again)",
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # The docs site is built from the notebooks this same run executes: its tests go last.
    items.sort(key=lambda item: item.get_closest_marker("docs") is not None)


def _keep_executed_notebooks(config) -> None:
    folder = config.getoption("--executed-notebooks", default=None)
    if not folder:
        return
    import nbformat
    from nbmake.nb_run import NotebookRun

    folder = pathlib.Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    execute = NotebookRun.execute

    def execute_and_keep(self):
        result = execute(self)
        if result.error is None:
            target = folder / pathlib.Path(self.filename).name
            partial = target.with_suffix(".partial")
            nbformat.write(result.nb, partial)
            partial.replace(target)
        return result

    NotebookRun.execute = execute_and_keep
    config.add_cleanup(lambda: setattr(NotebookRun, "execute", execute))


class FakeDot:
    """A stand-in for Graphviz's ``dot``, first on PATH, that records its pid and sleeps."""

    def __init__(self, folder: pathlib.Path, seconds: int) -> None:
        self.pidfile = folder / "dot.pid"
        program = folder / "bin" / "dot"
        program.parent.mkdir()
        # exec: the sleep keeps the pid that Python started, as a real dot would.
        program.write_text(f'#!/bin/sh\necho $$ > "{self.pidfile}"\nexec sleep {seconds}\n')
        program.chmod(0o755)
        self.folder = program.parent

    def pid(self, wait: float = 10.0) -> int:
        """The pid of the running fake dot (waits for it to start)."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            text = self.pidfile.read_text() if self.pidfile.exists() else ""
            if text.strip():
                return int(text)
            time.sleep(0.02)
        raise AssertionError("the fake dot never started")

    @staticmethod
    def running(pid: int) -> bool:
        """Whether ``pid`` is a live process (a zombie waiting to be reaped is not)."""
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False
        except OSError:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            return True

    def gone(self, pid: int, within: float = 10.0) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not self.running(pid):
                return True
            time.sleep(0.05)
        return False


@pytest.fixture
def slow_dot(tmp_path, monkeypatch):
    """A fake ``dot`` that never finishes in time (it sleeps 30 s): for timeouts and kills."""
    fake = FakeDot(tmp_path, 30)
    monkeypatch.setenv("PATH", f"{fake.folder}{os.pathsep}{os.environ.get('PATH', '')}")
    yield fake
    if fake.pidfile.exists() and fake.pidfile.read_text().strip():
        with contextlib.suppress(OSError):
            os.kill(int(fake.pidfile.read_text()), signal.SIGKILL)
