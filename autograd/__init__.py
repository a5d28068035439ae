"""valuegrad's engine: scalar reverse-mode automatic differentiation.

>>> from autograd import Value
>>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
>>> f = (x + y) * z
>>> f.backward()
>>> f.data, x.grad, y.grad, z.grad
(-12.0, -4.0, -4.0, 3.0)
"""

import importlib
import sys
from importlib.machinery import ModuleSpec
from typing import TYPE_CHECKING, Any

from .backprop import grad, topological_order
from .checking import GradcheckError, gradcheck, numerical_grad
from .ops import Op, op
from .trace import Program, TraceError, trace
from .value import Value

__all__ = [
    "GradcheckError",
    "Op",
    "Program",
    "TraceError",
    "Value",
    "draw_dot",
    "grad",
    "gradcheck",
    "numerical_grad",
    "op",
    "topological_order",
    "trace",
]


if TYPE_CHECKING:  # loaded on first use by __getattr__ below; visible to type checkers
    from .viz.draw import draw_dot

    __version__: str


def __getattr__(name: str) -> Any:
    # Drawing needs the graphviz package, and the version importlib.metadata: load them
    # only when asked, so that `import autograd` stays instant.
    if name == "draw_dot":
        from .viz.draw import draw_dot

        return draw_dot
    if name == "__version__":
        from .cli.commands import version

        return version()
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


# Modules that moved into the subpackages keep their old names: ``import autograd.steps``
# gives autograd.viz.steps itself (the same module object, not a copy).
_MOVED = {
    "autograd.batched": "autograd.trace.lower_numpy",
    "autograd.commands": "autograd.cli.commands",
    "autograd.draw": "autograd.viz.draw",
    "autograd.expr": "autograd.cli.expr",
    "autograd.extras": "autograd.support.extras",
    "autograd.files": "autograd.support.files",
    "autograd.layout": "autograd.viz.layout",
    "autograd.steps": "autograd.viz.steps",
}


class _OldNames:
    """An import hook that answers an old module name with the module at its new place."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        loader: Any = _OldNames  # a loader by its two methods below
        return ModuleSpec(name, loader) if name in _MOVED else None

    @staticmethod
    def create_module(spec: ModuleSpec) -> Any:
        module = importlib.import_module(_MOVED[spec.name])
        module.__dict__.setdefault("_real_spec", module.__spec__)
        return module

    @staticmethod
    def exec_module(module: Any) -> None:
        # Already executed at its new place; the import system has just set __spec__ to
        # the old name's: give the module its own back.
        module.__spec__ = module.__dict__.pop("_real_spec")


if not any(finder is _OldNames for finder in sys.meta_path):
    sys.meta_path.append(_OldNames)
