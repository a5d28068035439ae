"""Saving and loading models as JSON: the architecture and every parameter, never pickle.

The file::

    {"format": "valuegrad.nets", "version": 1,
     "model": {"type": "MLP", "nin": 2, "nouts": [16, 16, 1], "activation": "relu"},
     "parameters": {"layers.0.neurons.0.w.0": 0.2355..., ...},
     "metadata": {...}}

Floats are written with ``repr``, so they load back bit for bit.  Saving is atomic: the
text goes to a temporary file in the same directory, is flushed to disk, and only then
renamed over the target, so an interrupted save leaves the previous file whole.

Loading trusts nothing: only a regular file of at most :data:`MAX_FILE_BYTES` is read
(a FIFO, a device or a directory is refused before any read), the JSON may not repeat a
key or hold an integer too large for a float, and the declared architecture is checked
against :data:`~nets.module.MAX_PARAMETERS` and against the names of the parameters
present before anything is built.  Saving checks what loading checks, so that a saved
file always loads.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import stat
from itertools import pairwise
from pathlib import Path
from typing import Any

from autograd.support.files import write_atomic

from .activations import ACTIVATIONS
from .module import MAX_PARAMETERS, MLP, Layer, Module, Neuron, check_state

FORMAT = "valuegrad.nets"
VERSION = 1

# The largest model file read: the largest model (MAX_PARAMETERS) as save writes it, about
# 60 bytes a parameter, and room for metadata.
MAX_FILE_BYTES = 100 * MAX_PARAMETERS + (1 << 20)

PathLike = str | os.PathLike


def to_dict(model: Module, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON-ready description of ``model`` that :func:`save` writes."""
    config = getattr(model, "config", None)
    if type(model) not in _SAVEABLE or config is None:
        raise TypeError(
            f"save: can only describe Neuron, Layer and MLP models, got {type(model).__name__}; "
            "for other modules store model.state_dict() and rebuild the module yourself"
        )
    state = {name: _saved_number(name, x) for name, x in model.state_dict().items()}
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(
            f"save: metadata must be a dict (a JSON object), got {type(metadata).__name__}"
        )
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "model": config(),
        "parameters": state,
    }
    if metadata:
        doc["metadata"] = metadata
    return doc


def _saved_number(name: str, x: Any) -> float:
    """A parameter as a float that loads back (a numpy float32 or a Fraction is converted);
    True, text, inf or nan are refused, as load would refuse them."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"save: parameter {name!r} must be a finite number, got {x!r:.80}")
    try:
        f = float(x)
    except OverflowError:
        raise ValueError(f"save: parameter {name!r} is too large for a float") from None
    # JSON has no inf or nan, and a file holding them could not be loaded back.
    if not math.isfinite(f):
        raise ValueError(f"save: parameter {name!r} is {x!r}; only finite numbers are saved")
    return f


def save(model: Module, path: PathLike, metadata: dict[str, Any] | None = None) -> None:
    """Write ``model`` (and optional JSON-ready ``metadata``) to ``path``, atomically.

    The text is checked as :func:`read` would check it before anything is written.
    """
    atomic_write(path, dumps(model, metadata))


def dumps(model: Module, metadata: dict[str, Any] | None = None) -> str:
    """The text :func:`save` writes, checked as :func:`read` checks a file."""
    doc = to_dict(model, metadata)
    try:
        text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
    except (TypeError, ValueError) as e:
        raise ValueError(f"save: the metadata cannot be written as JSON: {e}") from None
    try:
        _check_names(_check_document(_parse(text.encode("utf-8"))))
    except ValueError as e:  # metadata that JSON changes on the way (a key that is not text)
        raise ValueError(f"save: the file would not load back: {e}") from None
    return text


def atomic_write(path: PathLike, text: str) -> None:
    """Replace ``path``'s contents by ``text`` so that no reader ever sees a partial file
    (see :func:`autograd.support.files.write_atomic`)."""
    write_atomic(path, text.encode("utf-8"))


def read(path: PathLike) -> tuple[Module, dict[str, Any]]:
    """The model saved at ``path`` and its metadata (``{}`` if none).

    Raises ValueError naming the problem for an empty, truncated, non-JSON, foreign or
    inconsistent file (wrong architecture fields, missing, extra or non-finite
    parameters); FileNotFoundError if there is no file.
    """
    path = Path(path)
    try:
        return from_dict(_parse(read_model_bytes(path)))
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


def read_model_bytes(path: PathLike) -> bytes:
    """The bytes of ``path``, if it is a regular file of at most :data:`MAX_FILE_BYTES`.

    The file is opened without blocking (a FIFO would wait for a writer forever) and
    checked through the open descriptor, so that nothing can swap it in between; a
    FIFO, a device (/dev/zero would be read until memory runs out), a socket or a
    directory raises ValueError.  FileNotFoundError and PermissionError pass through.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        raise ValueError("not a model file: it is a directory") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _kind_of(info.st_mode)
            raise ValueError(f"not a model file: it is {kind}, not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise ValueError(
                f"the file is too large for a model file ({info.st_size:,} bytes; "
                f"at most {MAX_FILE_BYTES:,})"
            )
        chunks = []
        left = MAX_FILE_BYTES + 1  # a file that grows while read is still bounded
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise ValueError(
                f"the file is too large for a model file (over {MAX_FILE_BYTES:,} bytes)"
            )
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind_of(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


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
        doc = _check_document(_parse(read_model_bytes(path)))
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
    _check_names(doc)  # before building: a damaged file must not cost a large model
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
        # Python's json accepts NaN and Infinity; a model file never holds them.  It also
        # lets a repeated key win silently, and turns digits into ints of any size.
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=_int,
            object_pairs_hook=_object,
        )
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


def _int(digits: str) -> int:
    # Python refuses to read more than 4,300 digits, with advice about
    # sys.set_int_max_str_digits; say instead how long the number is.  Shorter ones are
    # read, and the check of the value names the parameter holding it.
    size = len(digits.lstrip("-"))
    if size > 4300:
        raise ValueError(
            f"not a valid model file: it holds an integer of {size:,} digits, too large for a float"
        )
    return int(digits)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for key, value in pairs:
        if key in doc:
            raise ValueError(f"not a valid model file: the key {key!r:.80} appears twice")
        doc[key] = value
    return doc


def _check_document(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ValueError(f"not a model file: expected a JSON object, got {type(doc).__name__}")
    if doc.get("format") != FORMAT:
        raise ValueError(f"not a model file: 'format' is {doc.get('format')!r:.60}, not {FORMAT!r}")
    version = doc.get("version")
    if type(version) is not int or version != VERSION:  # true == 1 in Python, not here
        raise ValueError(
            f"unsupported model file version {version!r:.40} (this library reads {VERSION})"
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
    if not isinstance(kind, str) or kind not in _FIELDS:
        raise ValueError(f"unknown model type {kind!r:.60}; expected one of {', '.join(_FIELDS)}")
    fields = _FIELDS[kind]
    extra = sorted(set(config) - set(fields) - {"type"})
    if extra:
        raise ValueError(f"{kind} has unexpected field(s): {', '.join(extra)}")
    for name, rule in fields.items():
        if name not in config:
            raise ValueError(f"{kind} is missing the field {name!r}")
        x = config[name]
        if not _valid(rule, x):
            raise ValueError(f"{kind} field {name!r} is invalid: {x!r:.60}")
    # Building a model with millions of parameters from a damaged file would take ages.
    if _count(config) > MAX_PARAMETERS:
        raise ValueError(
            f"{_describe(config)} has {_count(config):,} parameters, more than the "
            f"{MAX_PARAMETERS:,} that nets trains or loads"
        )


def _names(config: dict[str, Any]) -> list[str]:
    """The parameter names of the model ``config`` describes, in order, without building it."""
    kind = config["type"]
    if kind == "Neuron":
        return [*(f"w.{i}" for i in range(config["nin"])), "b"]
    if kind == "Layer":
        sizes = [config["nin"], config["nout"]]
    else:
        sizes = [config["nin"], *config["nouts"]]
    names = []
    for k, (nin, nout) in enumerate(pairwise(sizes)):
        layer = "" if kind == "Layer" else f"layers.{k}."
        for n in range(nout):
            names += [f"{layer}neurons.{n}.w.{i}" for i in range(nin)]
            names.append(f"{layer}neurons.{n}.b")
    return names


def _check_names(doc: dict[str, Any]) -> None:
    """The parameters present are exactly those the architecture declares, as numbers."""
    config, params = doc["model"], doc["parameters"]
    expected = _count(config)
    counts = f"{_describe(config)} has {expected:,} parameters, but the file holds {len(params):,}"
    if len(params) != expected and expected > 100_000:
        raise ValueError(counts)  # listing the names would cost more than it tells
    try:
        check_state(params, _names(config))
    except ValueError as e:
        raise ValueError(f"{counts}: {e}" if len(params) != expected else str(e)) from None


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
