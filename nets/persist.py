"""Saving and loading models as JSON: the architecture and every parameter, never pickle.

The file::

    {"format": "valuegrad.nets", "version": 1,
     "model": {"type": "MLP", "nin": 2, "nouts": [16, 16, 1], "activation": "relu"},
     "parameters": {"layers.0.neurons.0.w.0": 0.2355..., ...},
     "metadata": {...}}

Floats are written with ``repr``, so they load back bit for bit.  Saving is atomic: the
text goes to a temporary file in the same directory, is flushed to disk, and only then
renamed over the target, so an interrupted save leaves the previous file whole.
Loading checks everything before it builds anything.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import Any

from .activations import ACTIVATIONS
from .module import MLP, Layer, Module, Neuron

FORMAT = "valuegrad.nets"
VERSION = 1

PathLike = str | os.PathLike


def to_dict(model: Module, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON-ready description of ``model`` that :func:`save` writes."""
    config = getattr(model, "config", None)
    if type(model) not in _SAVEABLE or config is None:
        raise TypeError(
            f"save: can only describe Neuron, Layer and MLP models, got {type(model).__name__}; "
            "for other modules store model.state_dict() and rebuild the module yourself"
        )
    state = model.state_dict()
    for name, x in state.items():
        # JSON has no inf or nan, and a file holding them could not be loaded back.
        if not math.isfinite(x):
            raise ValueError(f"save: parameter {name!r} is {x!r}; only finite numbers are saved")
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "model": config(),
        "parameters": state,
    }
    if metadata:
        doc["metadata"] = metadata
    return doc


def save(model: Module, path: PathLike, metadata: dict[str, Any] | None = None) -> None:
    """Write ``model`` (and optional JSON-ready ``metadata``) to ``path``, atomically."""
    doc = to_dict(model, metadata)
    try:
        text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
    except (TypeError, ValueError) as e:
        raise ValueError(f"save: the metadata cannot be written as JSON: {e}") from None
    atomic_write(path, text)


def atomic_write(path: PathLike, text: str) -> None:
    """Replace ``path``'s contents by ``text`` so that no reader ever sees a partial file.

    Write a temporary file next to it, fsync it, then ``os.replace`` it over the target
    (atomic on POSIX and Windows when both are on one file system).  On any failure the
    temporary file is removed and the old file is untouched.
    """
    path = Path(path)
    directory = path.parent
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable after a power cut; not possible on every platform.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read(path: PathLike) -> tuple[Module, dict[str, Any]]:
    """The model saved at ``path`` and its metadata (``{}`` if none).

    Raises ValueError naming the problem for an empty, truncated, non-JSON, foreign or
    inconsistent file (wrong architecture fields, missing, extra or non-finite
    parameters); FileNotFoundError if there is no file.
    """
    path = Path(path)
    raw = path.read_bytes()
    try:
        return from_dict(_parse(raw))
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


def load(path: PathLike) -> Module:
    """The model saved at ``path`` by :func:`save` (see :func:`read` for the errors)."""
    return read(path)[0]


def load_state(model: Module, path: PathLike) -> None:
    """Load the parameters saved at ``path`` into an existing ``model`` of the same shape.

    The file's architecture must equal ``model.config()``.  On any error ``model`` is
    left exactly as it was.
    """
    path = Path(path)
    try:
        doc = _check_document(_parse(path.read_bytes()))
        config = getattr(model, "config", None)
        if config is not None and config() != doc["model"]:
            raise ValueError(
                f"the file holds {_describe(doc['model'])} but the model is {_describe(config())}"
            )
        model.load_state_dict(doc["parameters"])
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


def from_dict(doc: Any) -> tuple[Module, dict[str, Any]]:
    """Build the model a :func:`to_dict` document describes, after checking all of it."""
    doc = _check_document(doc)
    config = doc["model"]
    model = _BUILDERS[config["type"]](config)
    model.load_state_dict(doc["parameters"])  # checks every value before assigning any
    return model, doc.get("metadata", {})


def _parse(raw: bytes) -> Any:
    if not raw.strip():
        raise ValueError("the file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"not a model file: not UTF-8 text ({e.reason} at byte {e.start})"
        ) from None
    try:
        # Python's json accepts NaN and Infinity; a model file never holds them.
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("not a model file: the JSON is nested too deeply") from None
    except json.JSONDecodeError as e:
        # An error at the very end, or a string that never closes, means the text stops
        # early: the usual sign of a save that was cut off.
        cut = e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string")
        hint = " (the file looks truncated)" if cut else ""
        raise ValueError(
            f"not valid JSON{hint}: {e.msg} (line {e.lineno}, column {e.colno})"
        ) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not a valid model file: it holds {name}, which is not a finite number")


def _check_document(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ValueError(f"not a model file: expected a JSON object, got {type(doc).__name__}")
    if doc.get("format") != FORMAT:
        raise ValueError(f"not a model file: 'format' is {doc.get('format')!r}, not {FORMAT!r}")
    if doc.get("version") != VERSION:
        raise ValueError(
            f"unsupported model file version {doc.get('version')!r} (this library reads {VERSION})"
        )
    for key in ("model", "parameters"):
        if key not in doc:
            raise ValueError(f"the file has no {key!r} entry")
    if not isinstance(doc.get("metadata", {}), dict):
        raise ValueError("'metadata' must be a JSON object")
    _check_config(doc["model"])
    if not isinstance(doc["parameters"], dict):
        raise ValueError("'parameters' must be a JSON object mapping names to numbers")
    return doc


_FIELDS: dict[str, dict[str, str]] = {
    "Neuron": {"nin": "size", "nonlin": "bool", "activation": "activation"},
    "Layer": {"nin": "size", "nout": "size", "nonlin": "bool", "activation": "activation"},
    "MLP": {"nin": "size", "nouts": "sizes", "activation": "activation"},
}


def _check_config(config: Any) -> None:
    if not isinstance(config, dict):
        raise ValueError("'model' must be a JSON object describing the architecture")
    kind = config.get("type")
    if kind not in _FIELDS:
        raise ValueError(f"unknown model type {kind!r}; expected one of {', '.join(_FIELDS)}")
    fields = _FIELDS[kind]
    extra = sorted(set(config) - set(fields) - {"type"})
    if extra:
        raise ValueError(f"{kind} has unexpected field(s): {', '.join(extra)}")
    for name, rule in fields.items():
        if name not in config:
            raise ValueError(f"{kind} is missing the field {name!r}")
        x = config[name]
        if not _valid(rule, x):
            raise ValueError(f"{kind} field {name!r} is invalid: {x!r}")
    # Building a model with millions of parameters from a damaged file would take ages.
    if _count(config) > 10_000_000:
        raise ValueError(f"{_describe(config)} is implausibly large ({_count(config)} parameters)")


def _is_size(v: Any) -> bool:
    return type(v) is int and 1 <= v <= 1_000_000


def _valid(rule: str, x: Any) -> bool:
    if rule == "size":
        return _is_size(x)
    if rule == "sizes":
        return isinstance(x, list) and len(x) > 0 and all(_is_size(n) for n in x)
    if rule == "bool":
        return isinstance(x, bool)
    return isinstance(x, str) and x in ACTIVATIONS  # "activation"


def _count(config: dict[str, Any]) -> int:
    kind = config["type"]
    if kind == "Neuron":
        return config["nin"] + 1
    if kind == "Layer":
        return (config["nin"] + 1) * config["nout"]
    sizes = [config["nin"], *config["nouts"]]
    return sum((a + 1) * b for a, b in pairwise(sizes))


def _describe(config: dict[str, Any]) -> str:
    kind = config.get("type")
    if kind == "MLP":
        act = config.get("activation")
        return f"MLP({config.get('nin')}, {config.get('nouts')}, activation={act!r})"
    if kind == "Layer":
        return f"Layer({config.get('nin')} -> {config.get('nout')})"
    return f"{kind}({config.get('nin')})"


_SAVEABLE = (Neuron, Layer, MLP)

# Built with init="zeros", which draws no random numbers: loading a model must not move
# the global random state that a later MLP(...) would draw its weights from.
_BUILDERS = {
    "Neuron": lambda c: Neuron(c["nin"], c["nonlin"], activation=c["activation"], init="zeros"),
    "Layer": lambda c: Layer(
        c["nin"], c["nout"], nonlin=c["nonlin"], activation=c["activation"], init="zeros"
    ),
    "MLP": lambda c: MLP(c["nin"], c["nouts"], activation=c["activation"], init="zeros"),
}
