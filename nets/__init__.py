"""nets: a small neural-network library on valuegrad's scalar autodiff engine.

>>> import random
>>> from nets import MLP
>>> random.seed(1337)
>>> model = MLP(2, [16, 16, 1])     # micrograd's demo model, with micrograd's weights
>>> model.num_parameters()
337
>>> score = model([0.5, -0.2])      # a Value; score.backward() fills every .grad

Submodules: ``losses``, ``optim``, ``data``, ``train`` (fit, predict, accuracy,
confusion_matrix), ``compiled`` (fit's traced per-sample program), ``persist``
(save/load), ``plots`` (matplotlib, imported on use), ``cli`` (the ``valuegrad``
command, also ``python -m nets``).
"""

from typing import TYPE_CHECKING, Any

from ._engine import command_name, engine_problem

if (_problem := engine_problem()) is not None:
    # Another package named autograd shadows valuegrad's: say so in one line (and
    # without a traceback when the command line is starting).
    if (_command := command_name()) is not None:
        raise SystemExit(f"{_command}: {_problem}")
    raise ImportError(_problem)

from . import data, losses, optim, persist, plots, train
from .activations import ACTIVATIONS, log_softmax, softmax
from .module import MLP, Layer, Module, Neuron
from .persist import load, load_state, read, save
from .train import accuracy, confusion_matrix, evaluate, fit, predict

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Layer",
    "Module",
    "Neuron",
    "accuracy",
    "confusion_matrix",
    "data",
    "evaluate",
    "fit",
    "load",
    "load_state",
    "log_softmax",
    "losses",
    "optim",
    "persist",
    "plots",
    "predict",
    "read",
    "save",
    "softmax",
    "train",
]

if TYPE_CHECKING:
    __version__: str


def __getattr__(name: str) -> Any:
    if name == "__version__":  # read from the installed metadata only when asked
        import autograd

        return autograd.__version__
    raise AttributeError(f"module 'nets' has no attribute {name!r}")
