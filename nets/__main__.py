"""``python -m nets``: the ``valuegrad`` command (see :mod:`nets.cli`)."""

from .cli import main

raise SystemExit(main(prog="python -m nets"))
