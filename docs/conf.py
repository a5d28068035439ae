"""Sphinx configuration of valuegrad's documentation site (``make docs``).

The course pages are the notebooks of ``notebooks/`` as the test run executed them:
``pytest --nbmake --executed-notebooks=docs/course`` (what ``make test`` and ``make docs``
run) leaves a copy of each notebook with its outputs in ``docs/course/``, and the site
renders those copies without running anything again.  Every notebook that exists is on
the site, in the order of its file name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.errors import ConfigError

import autograd

DOCS = Path(__file__).resolve().parent
NOTEBOOKS = DOCS.parent / "notebooks"
EXECUTED = DOCS / "course"

project = "valuegrad"
author = "The valuegrad authors"
copyright = "2026, the valuegrad authors"
release = autograd.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinxarg.ext",
]

# The notebooks are rendered as the test run left them: never executed here.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # the README's links to its own sections (#speed)
suppress_warnings = ["myst.header"]  # notebooks open with "# NN · Title" after a level-0 page

autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "description"
autodoc_class_signature = "separated"

# MathJax 2 from the jupyter-server-mathjax package, copied into the site: the pages show
# their math without a network (a course may be read offline).
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
mathjax2_config = {
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "processEscapes": True,
        # MyST marks the pages to ignore and the math to process (its MathJax 3 options).
        "ignoreClass": "tex2jax_ignore|mathjax_ignore",
        "processClass": "tex2jax_process|mathjax_process|math|output_area",
    },
    # The package ships the STIX web fonts only (as Jupyter's classic notebook used them).
    "HTML-CSS": {"availableFonts": [], "webFont": "STIX-Web", "imageFont": None},
}

smartquotes = False  # "--help" stays two hyphens

html_theme = "furo"
html_title = f"valuegrad {release}"
html_static_path: list[str] = []
exclude_patterns = ["_build", "course/*.partial", "**/.ipynb_checkpoints"]


def _course_is_executed() -> None:
    """Every notebook of the course has an executed copy that is at least as new as it."""
    stale = []
    for source in sorted(NOTEBOOKS.glob("*.ipynb")):
        copy = EXECUTED / source.name
        if not copy.exists() or copy.stat().st_mtime < source.stat().st_mtime:
            stale.append(source.name)
    if stale:
        raise ConfigError(
            f"the course pages need the executed notebooks {', '.join(stale)} in {EXECUTED}: "
            "run `make docs` (it executes them) or `make test`"
        )
    # Copies of notebooks that were renamed or removed since are not part of the course.
    names = {p.name for p in NOTEBOOKS.glob("*.ipynb")}
    for copy in EXECUTED.glob("*.ipynb"):
        if copy.name not in names:
            exclude_patterns.append(f"course/{copy.name}")


_course_is_executed()

# How a learner writes each of Python's operators, by the Value method behind it.
_OPERATORS = {"__add__": "a + b", "__sub__": "a - b", "__mul__": "a * b", "__truediv__": "a / b"}
_OPERATORS.update({"__neg__": "-a", "__pow__": "a ** b", "abs": "abs(a), a.abs()"})


def ops_page() -> str:
    """The page of every operation, written from the rule table (autograd.ops.OPS): what
    it computes, how to write it, where its derivative is tested.  Never stale."""
    from autograd.ops import OPS

    rows = [
        "# Operations",
        "",
        "Every operation of the engine, from its rule table (`autograd/ops.py`, `OPS`): the",
        "function, how a learner writes it on Values, and the interval each input is tested",
        "in (the kinks kept away from in brackets).  Ops without a way to write them are the",
        "slopes of kinks, which derivative rules write into traced backward programs.",
        "",
        "| op | computes | written | tested on |",
        "|---|---|---|---|",
    ]
    for name, (op, domain, kinks) in OPS.items():
        written = _OPERATORS.get(op.method or "", f"a.{op.method}()" if op.method else "")
        if op.method == "__pow__" and op.params:
            written = f"a ** {op.params[0]:g}"
        elif op.params and op.method and not op.method.startswith("__"):
            written = f"a.{op.method}({', '.join(f'{p:g}' for p in op.params)})"
        where = ", ".join(
            f"({lo:g}, {hi:g})" + (f" [{', '.join(f'{k:g}' for k in ks)}]" if ks else "")
            for (lo, hi), ks in zip(domain, kinks)
        )
        rows.append(f"| `{name}` | {op.__doc__} | {f'`{written}`' if written else ''} | {where} |")
    return "\n".join(rows) + "\n"


(DOCS / "api" / "ops.md").write_text(ops_page(), encoding="utf-8")


def _copy_mathjax(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        import jupyter_server_mathjax

        static = Path(jupyter_server_mathjax.__file__).parent / "static"
        shutil.copytree(static, Path(app.outdir) / "_static" / "mathjax", dirs_exist_ok=True)


def setup(app):
    app.connect("build-finished", _copy_mathjax)
