"""``python -m nets``: see :mod:`nets.cli`."""

from .cli import main

raise SystemExit(main())
