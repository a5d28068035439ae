"""Modules: Neuron, Layer and MLP, built from Values, with micrograd's semantics.

A neuron computes act(b + sum_i w_i x_i).  A Layer is a list of neurons that see the
same input; an MLP is a stack of layers whose hidden layers are nonlinear and whose last
layer is linear.  Calling a one-output Layer or MLP returns a Value, otherwise a list.

With the default ``init='uniform'`` each weight is drawn with ``random.uniform(-1, 1)``
from the global ``random`` module, in the same order as micrograd, and biases start at
0: after ``random.seed(1337)``, ``MLP(2, [16, 16, 1])`` holds exactly micrograd's numbers.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import pairwise
from operator import mul
from typing import Any

from autograd import Value

from .activations import ACTIVATIONS, get_activation


def _uniform(fan_in: int, fan_out: int) -> float:
    return random.uniform(-1, 1)


def _xavier(fan_in: int, fan_out: int) -> float:
    # Glorot & Bengio (2010): U(-a, a) with a = sqrt(6 / (fan_in + fan_out)) keeps the
    # variance of activations and gradients roughly equal across layers.
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return random.uniform(-a, a)


def _he(fan_in: int, fan_out: int) -> float:
    # He et al. (2015): N(0, 2 / fan_in) compensates for relu zeroing half its inputs.
    return random.gauss(0.0, math.sqrt(2.0 / fan_in))


def _zeros(fan_in: int, fan_out: int) -> float:
    return 0.0


INITS: dict[str, Callable[[int, int], float]] = {
    "uniform": _uniform,
    "xavier": _xavier,
    "he": _he,
    "zeros": _zeros,
}
"""Weight initialisations by name: each draws one weight from (fan_in, fan_out).

'zeros' draws no random numbers; it is what :func:`nets.load` builds with before it
fills in the saved parameters.
"""


# The largest model nets trains (the command line) or loads (nets.load): a million Values
# take about 100 MB and an epoch of pure-Python training takes hours; beyond that, a typo
# such as --hidden 100000 100000 would exhaust memory before saying anything.
MAX_PARAMETERS = 1_000_000


def parameter_count(nin: int, nouts: Sequence[int]) -> int:
    """How many parameters ``MLP(nin, nouts)`` has (weights and biases), without building it."""
    sizes = [nin, *nouts]
    return sum((a + 1) * b for a, b in pairwise(sizes))


def _check_size(n: Any, what: str) -> int:
    if type(n) is bool or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")
    return int(n)


def _get_init(init: str) -> Callable[[int, int], float]:
    try:
        return INITS[init]
    except (KeyError, TypeError):
        choices = ", ".join(repr(k) for k in INITS)
        raise ValueError(f"unknown init {init!r}; choose one of {choices}") from None


class Module:
    """Base class: anything that holds parameters (Values) directly or in sub-modules.

    Parameters are found by walking the instance's attributes in the order they were
    set: a Value, a Module, or a list or tuple of them.  Subclass it, assign Values and
    Modules in ``__init__``, and ``parameters()``, ``named_parameters()`` and
    ``zero_grad()`` work unchanged.
    """

    def named_parameters(self, prefix: str = "") -> list[tuple[str, Value]]:
        """Every parameter with its dotted path, e.g. ``('layers.0.neurons.3.w.1', w)``."""
        return list(self._walk(prefix))

    def _walk(self, prefix: str) -> Iterator[tuple[str, Value]]:
        for key, item in vars(self).items():
            if key.startswith("_"):
                continue
            yield from _walk_item(item, prefix + key)

    def parameters(self) -> list[Value]:
        """Every parameter, in a fixed order (micrograd's: each neuron's w, then its b)."""
        return [p for _, p in self._walk("")]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0, before the next ``backward()``."""
        for p in self.parameters():
            p.grad = 0.0

    def num_parameters(self) -> int:
        """How many scalar parameters the module holds."""
        return sum(1 for _ in self._walk(""))

    def label_parameters(self, prefix: str = "") -> None:
        """Set each parameter's ``label`` to its name, so that drawn graphs are readable.

        The built-in modules do this when they are built; call it again after putting
        a module inside another one of your own.
        """
        for name, p in self._walk(prefix):
            p.label = name
        self._set_prefix(prefix)

    def _set_prefix(self, prefix: str) -> None:
        self._prefix = prefix
        for key, item in vars(self).items():
            if key.startswith("_"):
                continue
            if isinstance(item, Module):
                item._set_prefix(f"{prefix}{key}.")
            elif isinstance(item, (list, tuple)):
                for i, sub in enumerate(item):
                    if isinstance(sub, Module):
                        sub._set_prefix(f"{prefix}{key}.{i}.")

    def state_dict(self) -> dict[str, float]:
        """The parameters' values by name (plain floats: JSON-ready)."""
        return {name: p.data for name, p in self._walk("")}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set every parameter from ``state`` (as made by :meth:`state_dict`).

        Everything is checked first: names missing or unexpected, values that are not
        finite numbers raise ValueError, and then the module is left untouched.
        """
        named = self.named_parameters()
        values = check_state(state, [name for name, _ in named])
        for (_, p), x in zip(named, values):
            p.data = x

    def __call__(self, x: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __call__")

    def _name(self) -> str:
        """A one-line name for error messages."""
        return type(self).__name__


def _walk_item(item: Any, name: str) -> Iterator[tuple[str, Value]]:
    if type(item) is Value:
        yield name, item
    elif isinstance(item, Module):
        yield from item._walk(name + ".")
    elif isinstance(item, (list, tuple)):
        for i, sub in enumerate(item):
            yield from _walk_item(sub, f"{name}.{i}")


def check_state(state: Any, names: Sequence[str]) -> list[float]:
    """The values of ``state`` in the order of ``names``, or a ValueError naming the problem."""
    if not isinstance(state, dict):
        raise ValueError(f"parameters must be a mapping of names to numbers, got {state!r:.80}")
    missing = [n for n in names if n not in state]
    expected = set(names)
    unexpected = [n for n in state if n not in expected]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing ({_few(missing)})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected ({_few(unexpected)})")
        raise ValueError(
            f"parameters do not match the model ({len(names)} expected): " + "; ".join(parts)
        )
    values = []
    for n in names:
        x = state[n]
        if type(x) is bool or not isinstance(x, (int, float)):
            raise ValueError(f"parameter {n!r} must be a finite number, got {x!r:.80}")
        try:
            x = float(x)
        except OverflowError:
            # An integer such as 10**400 (valid JSON) has no float: name it, don't print it.
            raise ValueError(
                f"parameter {n!r} must be a finite number, got an integer of "
                f"{len(str(abs(x)))} digits, too large for a float"
            ) from None
        if not math.isfinite(x):
            raise ValueError(f"parameter {n!r} must be a finite number, got {x!r}")
        values.append(x)
    return values


def _few(names: Sequence[str], k: int = 3) -> str:
    shown = ", ".join(repr(n) for n in names[:k])
    return shown + (", ..." if len(names) > k else "")


def _check_length(x: Any, nin: int, owner: Module) -> Any:
    if type(x) is Value or isinstance(x, (int, float)):
        # A single number is a whole input only for a one-input model.
        if nin == 1:
            return [x]
        raise ValueError(
            f"{owner._name()}: expected an input of length {nin}, got a single number {x!r:.60}"
        )
    if isinstance(x, (Mapping, set, frozenset)):
        # Iterating a dict gives its keys, and a set has no order: neither is an input.
        raise TypeError(
            f"{owner._name()}: expected a list of {nin} numbers in order, "
            f"got a {type(x).__name__} {x!r:.60}"
        )
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        raise TypeError(f"{owner._name()}: expected a list of {nin} numbers, got {x!r:.60}")
    if len(x) != nin:
        raise ValueError(f"{owner._name()}: expected an input of length {nin}, got length {len(x)}")
    return x


def _bad_element(x: Any, owner: Module) -> Exception:
    """The error naming the first element of ``x`` that is not an input number: the one
    ``Value`` gives it, so that both forward passes say the same."""
    for i, xi in enumerate(x):
        try:
            Value(xi)
        except (TypeError, ValueError, OverflowError) as e:
            return type(e)(f"{owner._name()}: input {i}: {e}")
    return TypeError(f"{owner._name()}: the input {x!r:.60} is not a list of numbers")


def _inputs(x: Any, nin: int, owner: Module, labels: Sequence[str]) -> list[Value]:
    """``x`` as a list of ``nin`` Values: numbers become labelled constant leaves."""
    x = _check_length(x, nin, owner)
    try:
        return [xi if type(xi) is Value else Value(xi, label=lab) for xi, lab in zip(x, labels)]
    except (TypeError, ValueError, OverflowError):
        raise _bad_element(x, owner) from None


def row_floats(x: Any, nin: int, owner: Module) -> list[float]:
    """``x`` as a list of ``nin`` floats, for the graph-free forward pass.

    The rule is Value's: real numbers only (text such as "1.5" is refused, as the graph
    refuses it), finite, and within the float range.
    """
    x = _check_length(x, nin, owner)
    if set(map(type, x)) <= _PLAIN:  # the common case, without a check per number
        try:
            xs = list(map(float, x))
        except OverflowError:
            raise _bad_element(x, owner) from None
        if all(map(math.isfinite, xs)):
            return xs
    try:
        xs = [xi.data if type(xi) is Value else float(_real(xi)) for xi in x]
    except (TypeError, ValueError, OverflowError):
        raise _bad_element(x, owner) from None
    if not all(map(math.isfinite, xs)):
        raise _bad_element(x, owner)
    return xs


_PLAIN = frozenset({float, int})  # (not bool: type(True) is bool)


def _real(x: Any) -> Any:
    if not isinstance(x, numbers.Real):
        raise TypeError(x)
    return x


class Neuron(Module):
    """One unit: act(b + sum_i w_i x_i), with ``nin`` weights and a bias.

    ``nonlin=False`` makes it linear whatever ``activation`` says (micrograd's flag);
    ``activation`` is one of 'relu' (micrograd's), 'tanh', 'sigmoid', 'leaky_relu',
    'linear'; ``init`` one of 'uniform' (micrograd's), 'xavier', 'he'.  ``fan_out`` only
    matters to 'xavier' (a Layer passes its width).
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str = "relu",
        init: str = "uniform",
        fan_out: int = 1,
    ) -> None:
        self.nin = _check_size(nin, "Neuron: nin")
        draw = _get_init(init)
        get_activation(activation)
        self.w = [Value(draw(self.nin, fan_out)) for _ in range(self.nin)]
        self.b = Value(0.0)
        self.nonlin = bool(nonlin)
        self.activation = activation
        act = ACTIVATIONS[activation if self.nonlin else "linear"]
        self._act = act.on_value
        self._act_float = act.on_float
        self._labels = [f"x.{i}" for i in range(self.nin)]
        self.label_parameters()

    @property
    def kind(self) -> str:
        """The activation actually applied: ``activation``, or 'linear' if not nonlin."""
        return self.activation if self.nonlin else "linear"

    def __call__(self, x: Sequence[Any]) -> Value:
        return self._forward(_inputs(x, self.nin, self, self._labels))

    def _forward(self, x: list[Value]) -> Value:
        # One product and one sum node per input, summed from the bias in micrograd's
        # order (b + w0 x0) + w1 x1 + ..., so that the floats come out identical.
        out = self._act(sum(map(mul, self.w, x), self.b))
        out.label = self._prefix + "out"
        return out

    def forward_floats(self, x: Sequence[Any]) -> float:
        """The same output as a float, building no graph (for fast prediction)."""
        return self._forward_floats(row_floats(x, self.nin, self))

    def _forward_floats(self, x: list[float]) -> float:
        s = self.b.data
        for w, xi in zip(self.w, x):
            s += w.data * xi
        # Where the graph's add or mul raises, float arithmetic goes on with inf or nan;
        # once either appears the sum stays non-finite, so one check per neuron suffices.
        if not math.isfinite(s):
            raise OverflowError(
                f"{self._where()}: the weighted sum b + sum_i w_i x_i is {s!r}, "
                "beyond the float range (the inputs or the weights are too large)"
            )
        return self._act_float(s)

    def _where(self) -> str:
        """The neuron's name inside its model, e.g. 'neuron layers.0.neurons.3'."""
        return f"neuron {self._prefix[:-1]}" if self._prefix else self._name()

    def config(self) -> dict[str, Any]:
        """The architecture, as :func:`nets.save` stores it."""
        return {
            "type": "Neuron",
            "nin": self.nin,
            "nonlin": self.nonlin,
            "activation": self.activation,
        }

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, {self.kind})"

    def _name(self) -> str:
        return f"Neuron({self.nin})"


class Layer(Module):
    """``nout`` neurons that all see the same ``nin`` inputs.

    Keywords go to each :class:`Neuron`.  Calling it returns a Value when ``nout`` is 1,
    otherwise a list of ``nout`` Values.
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        *,
        nonlin: bool = True,
        activation: str = "relu",
        init: str = "uniform",
    ) -> None:
        self.nin = _check_size(nin, "Layer: nin")
        self.nout = _check_size(nout, "Layer: nout")
        self.neurons = [
            Neuron(self.nin, nonlin, activation=activation, init=init, fan_out=self.nout)
            for _ in range(self.nout)
        ]
        self.nonlin = bool(nonlin)
        self.activation = activation
        self._labels = self.neurons[0]._labels
        self.label_parameters()

    @property
    def kind(self) -> str:
        """The activation actually applied: ``activation``, or 'linear' if not nonlin."""
        return self.activation if self.nonlin else "linear"

    def __call__(self, x: Sequence[Any]) -> Value | list[Value]:
        out = self._forward(_inputs(x, self.nin, self, self._labels))
        return out[0] if len(out) == 1 else out

    def _forward(self, x: list[Value]) -> list[Value]:
        return [n._forward(x) for n in self.neurons]

    def forward_floats(self, x: Sequence[Any]) -> float | list[float]:
        """The same outputs as floats, building no graph (for fast prediction)."""
        out = self._forward_floats(row_floats(x, self.nin, self))
        return out[0] if len(out) == 1 else out

    def _forward_floats(self, x: list[float]) -> list[float]:
        return [n._forward_floats(x) for n in self.neurons]

    def config(self) -> dict[str, Any]:
        """The architecture, as :func:`nets.save` stores it."""
        return {
            "type": "Layer",
            "nin": self.nin,
            "nout": self.nout,
            "nonlin": self.nonlin,
            "activation": self.activation,
        }

    def __repr__(self) -> str:
        return f"Layer({self.nin} -> {self.nout}, {self.kind})"

    def _name(self) -> str:
        return f"Layer({self.nin}, {self.nout})"


class MLP(Module):
    """A multilayer perceptron: ``nin`` inputs, then one Layer per entry of ``nouts``.

    Hidden layers apply ``activation``; the last layer is linear (micrograd's rule).
    ``MLP(2, [16, 16, 1])`` maps 2 numbers to 1 score through two hidden layers of 16.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str = "relu",
        init: str = "uniform",
    ) -> None:
        self.nin = _check_size(nin, "MLP: nin")
        if isinstance(nouts, (int, str)) or not nouts:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r}")
        sizes = [self.nin] + [_check_size(n, "MLP: each layer size") for n in nouts]
        last = len(sizes) - 2
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != last, activation=activation, init=init)
            for i in range(len(sizes) - 1)
        ]
        self.nouts = sizes[1:]
        self.activation = activation
        self._labels = self.layers[0]._labels
        self.label_parameters()

    def __call__(self, x: Sequence[Any]) -> Value | list[Value]:
        h = _inputs(x, self.nin, self, self._labels)
        for layer in self.layers:
            h = layer._forward(h)
        return h[0] if len(h) == 1 else h

    def forward_floats(self, x: Sequence[Any]) -> float | list[float]:
        """The same outputs as floats, building no graph (for fast prediction)."""
        h = row_floats(x, self.nin, self)
        for layer in self.layers:
            h = layer._forward_floats(h)
        return h[0] if len(h) == 1 else h

    def config(self) -> dict[str, Any]:
        """The architecture, as :func:`nets.save` stores it."""
        return {
            "type": "MLP",
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
        }

    def _name(self) -> str:
        return f"MLP({self.nin}, {self.nouts})"

    def __repr__(self) -> str:
        head = f"MLP({self.nin}, {self.nouts}, activation={self.activation!r})"
        lines = [f"{head}  # {self.num_parameters()} parameters"]
        lines += [f"  (layers.{i}): {layer!r}" for i, layer in enumerate(self.layers)]
        return "\n".join(lines)


def float_forward(
    model: Neuron | Layer | MLP, data: Sequence[float] | None = None
) -> Callable[[list[float]], Any]:
    """The model's forward pass on floats, its weights copied once: ``forward_floats`` of
    checked rows (see :func:`row_floats`) without reading a Value per row.  ``data`` gives
    the weights instead, in ``parameters()`` order (as ``nets.fit`` keeps them)."""
    layers = model.layers if isinstance(model, MLP) else [model]
    numbers = iter(data if data is not None else [p.data for p in model.parameters()])
    plan = []
    for layer in layers:
        neurons = [layer] if isinstance(layer, Neuron) else layer.neurons
        plan.append(
            [
                ([next(numbers) for _ in n.w], next(numbers), n._act_float, n._where())
                for n in neurons
            ]
        )
    one = not isinstance(model, Neuron) and len(plan[-1]) == 1
    single = isinstance(model, Neuron) or one

    def forward(x: list[float]) -> Any:
        h = x
        for layer_plan in plan:
            out = []
            for ws, s, act, where in layer_plan:
                for w, xi in zip(ws, h):
                    s += w * xi
                if not math.isfinite(s):  # as Neuron._forward_floats says it
                    raise OverflowError(
                        f"{where}: the weighted sum b + sum_i w_i x_i is {s!r}, beyond the "
                        "float range (the inputs or the weights are too large)"
                    )
                out.append(act(s))
            h = out
        return h[0] if single else h

    return forward
