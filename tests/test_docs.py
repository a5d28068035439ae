"""The documentation site: Sphinx builds it with warnings as errors from the notebooks this
same test run executed (tests/conftest.py puts these tests last and ``--executed-notebooks``
keeps the executed copies), and a reader's browser finds its title, its pictures of graphs,
its math and no broken local link.  Screenshots go to docs/_build/screenshots/."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SITE = DOCS / "_build" / "html"
SHOTS = DOCS / "_build" / "screenshots"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.docs


def _unavailable(reason: str) -> None:
    # CI must check the site: there a missing piece is a failure, not a skip.
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site() -> Path:
    for module in ("sphinx", "myst_nb", "furo", "sphinxarg", "jupyter_server_mathjax"):
        if importlib.util.find_spec(module) is None:
            _unavailable(f"the docs need {module}: pip install -e '.[docs]'")
    executed = DOCS / "course"
    stale = [
        nb.name
        for nb in NOTEBOOKS
        if not (executed / nb.name).exists()
        or (executed / nb.name).stat().st_mtime < nb.stat().st_mtime
    ]
    if stale:
        _unavailable(
            f"no fresh executed copy of {', '.join(stale)}: run the notebooks in the same "
            "run (make test) or make docs"
        )
    sphinx = [sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-q", "-b", "html"]
    done = subprocess.run(
        [*sphinx, str(DOCS), str(SITE)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    return SITE


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value:
                self.links.append(value)
                if tag == "img":
                    self.images.append(value)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_every_notebook_is_a_course_page_in_order(site):
    names = [nb.stem for nb in NOTEBOOKS]
    assert names, "no notebooks"
    for name in names:
        assert (site / "course" / f"{name}.html").exists(), name
    index = (site / "course" / "index.html").read_text(encoding="utf-8")
    positions = [index.find(f'href="{name}.html"') for name in names]
    assert -1 not in positions and positions == sorted(positions)


def test_no_broken_local_link(site):
    pages = {path: _parse(path) for path in site.rglob("*.html")}
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "#", "data:")):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.exists():
                broken.append(f"{path.relative_to(site)}: {link}")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{path.relative_to(site)}: {link} (no such anchor)")
    assert not broken, "\n".join(broken[:30])


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    _unavailable("headless Chromium is needed to look at the pages: apt-get install chromium")
    return ""


def _look(page: Path, shot: Path) -> str:
    """The page's DOM after its scripts ran (MathJax included); a screenshot on the side."""
    browser = _chromium()
    common = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--virtual-time-budget=15000",
        "--window-size=1200,900",
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = page.as_uri()
    subprocess.run(
        [*common, f"--screenshot={shot}", url], capture_output=True, timeout=120, check=True
    )
    assert shot.stat().st_size > 10_000, f"{shot} looks empty"
    done = subprocess.run(
        [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def _graph_pictures(page_path: Path, dom: str) -> list[str]:
    """The pictures on the page that are Graphviz drawings of a graph."""
    page = _Page()
    page.feed(dom)
    graphs = []
    for src in page.images:
        if src.startswith("data:") or not src.endswith(".svg"):
            continue
        picture = (page_path.parent / unquote(src)).resolve()
        if picture.exists() and 'class="graph"' in picture.read_text(encoding="utf-8"):
            graphs.append(src)
    return graphs


def test_the_index_page_as_a_reader_sees_it(site):
    page = site / "index.html"
    dom = _look(page, SHOTS / "index.png")
    assert "<title>valuegrad" in dom and "<h1>valuegrad" in dom
    assert _graph_pictures(page, dom), "no picture of a graph on the index page"


def test_a_course_page_as_a_reader_sees_it(site):
    first = NOTEBOOKS[0].stem
    page = site / "course" / f"{first}.html"
    dom = _look(page, SHOTS / f"{first}.png")
    title = first.split("_", 1)[0]
    assert f"<title>{title} ·" in dom, "the page's title is its notebook's heading"
    assert _graph_pictures(page, dom), f"no picture of a graph on {first}"
    assert 'class="MathJax' in dom and "File failed to load" not in dom, "math not rendered"
