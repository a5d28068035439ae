"""The README's Python examples run, and `import autograd` stays light."""

import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_examples_run_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace = {"__name__": "readme"}  # later examples use names from earlier ones
    assert len(BLOCKS) >= 4
    for code in BLOCKS:
        exec(compile(code, str(README), "exec"), namespace)
    assert (tmp_path / "graph.png").exists() and (tmp_path / "moons.json").exists()


def test_import_autograd_loads_no_heavy_module():
    code = (
        "import sys, autograd; "
        "heavy = {'graphviz', 'hypothesis', 'numpy', 'matplotlib', 'nets'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
