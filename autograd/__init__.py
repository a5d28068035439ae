"""valuegrad's engine: scalar reverse-mode automatic differentiation.

>>> from autograd import Value
>>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
>>> f = (x + y) * z
>>> f.backward()
>>> f.data, x.grad, y.grad, z.grad
(-12.0, -4.0, -4.0, 3.0)
"""

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
    from .draw import draw_dot

    __version__: str


def __getattr__(name: str) -> Any:
    # Drawing needs the graphviz package, and the version importlib.metadata: load them
    # only when asked, so that `import autograd` stays instant.
    if name == "draw_dot":
        from .draw import draw_dot

        return draw_dot
    if name == "__version__":
        from .commands import version

        return version()
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
