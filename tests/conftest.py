"""Shared test settings."""

import os
import pathlib
import shutil
import tempfile

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
