"""Is ``import autograd`` valuegrad's engine?  Another, older package on PyPI is also
imported as ``autograd``; installed into the same environment, it shadows valuegrad's (or
overwrites its ``__init__.py``), and nets would fail with a bare ImportError deep inside.
:func:`engine_problem` says instead, in one line, what was found where.
"""

from __future__ import annotations

import importlib
import itertools
import os
import sys

ADVICE = (
    "install valuegrad in a separate virtual environment "
    "(python -m venv .venv && .venv/bin/pip install valuegrad)"
)


def _other_distribution() -> str:
    from importlib import metadata  # only now: it takes longer to import than nets

    try:
        return f"the 'autograd' package {metadata.version('autograd')}"
    except metadata.PackageNotFoundError:
        return "another package named autograd"


def engine_problem() -> str | None:
    """None when ``import autograd`` gives valuegrad's engine, else what went wrong (one line)."""
    try:
        autograd = importlib.import_module("autograd")
    except Exception as e:  # the other package may not even import
        detail = " ".join(f"{type(e).__name__}: {e}".split())
        return (
            f"nets needs valuegrad's autograd, but 'import autograd' fails ({detail}); "
            f"{_other_distribution()} may have replaced it: {ADVICE}"
        )
    if hasattr(autograd, "Value") and hasattr(autograd, "topological_order"):
        return None
    where = getattr(autograd, "__file__", None)
    if where is None:  # a namespace package: valuegrad's files without their __init__.py
        paths = os.pathsep.join(dict.fromkeys(os.path.abspath(p) for p in autograd.__path__))
        found = (
            "an incomplete copy of it, without its __init__.py (another package named "
            f"autograd was installed over it and removed), at {paths}"
        )
    else:
        found = f"{_other_distribution()} at {os.path.dirname(where)}"
    return f"nets needs valuegrad's autograd, but 'import autograd' found {found}: {ADVICE}"


def command_name() -> str | None:
    """``valuegrad`` or ``python -m nets`` while that command starts up, else None."""
    name = os.path.basename(sys.argv[0]) if sys.argv else ""
    if name.startswith("valuegrad"):  # valuegrad, valuegrad.exe, valuegrad-script.py
        return "valuegrad"
    orig = list(getattr(sys, "orig_argv", []))
    if any(a == "-m" and b == "nets" for a, b in itertools.pairwise(orig)):
        return "python -m nets"
    return None
