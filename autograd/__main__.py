"""``python -m autograd``: the ``draw`` command (see :mod:`autograd.cli.draw`)."""

import sys

from .cli.draw import main

if __name__ == "__main__":
    sys.exit(main())
