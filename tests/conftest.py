"""Shared test settings."""

import os
import pathlib
import shutil
import tempfile

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
