"""The package index shows README.md without the pictures that live in the repository.

Everything else is in pyproject.toml; this file only provides the long description.  A
picture given by a relative path would show as a broken image on the index.
"""

import re
from pathlib import Path

from setuptools import setup

readme = (Path(__file__).parent / "README.md").read_text(encoding="utf-8")
relative_picture = re.compile(r"^!\[[^\]]*\]\((?!https?://)[^)]*\)[ \t]*\n\n?", re.MULTILINE)
setup(
    long_description=relative_picture.sub("", readme),
    long_description_content_type="text/markdown",
)
