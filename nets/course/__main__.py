"""``python -m nets.course``: the course's command line (see nets.course.cli)."""

import sys

from .cli import main

sys.exit(main())
