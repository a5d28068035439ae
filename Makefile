# The README's two commands: `make demo` and `make test`.  Each one sets up what it needs:
# a virtual environment in .venv with the project and its extras, and Graphviz's `dot`.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
EXTRAS ?= dev
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: demo test docs bench lab lint format setup venv graphviz clean

demo: setup
	$(VENV)/bin/valuegrad train

# The notebooks' executed copies land in docs/course/, where the docs tests (run last)
# build the site from them.
test: setup
	$(PY) -m pytest --nbmake --nbmake-kernel=python3 --executed-notebooks=docs/course tests notebooks

# The documentation site in docs/_build/html/: notebooks without a fresh executed copy in
# docs/course/ are run first (make test leaves fresh copies of all of them).
docs: setup
	@stale=$$(for nb in notebooks/*.ipynb; do \
	  [ docs/course/$${nb#notebooks/} -nt $$nb ] || echo $$nb; done); \
	if [ -n "$$stale" ]; then \
	  echo "Running the notebooks for the course pages:" $$stale; \
	  $(PY) -m pytest -q --nbmake --nbmake-kernel=python3 --executed-notebooks=docs/course \
	    tests/test_notebooks.py $$stale || exit 1; \
	fi
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "The site: docs/_build/html/index.html"

bench: setup
	$(PY) benchmarks/bench.py

# The student edition of the course in student/: the notebooks (solutions stubbed, teacher
# cells left out), their pictures, a README, and the wheel students install from.  Building
# needs Python and pip only (no .venv): nets.course reads notebooks as plain JSON.
# `make solutions` writes the solutions edition (solutions, no verification) in solutions/.
.PHONY: student solutions
student:
	$(PYTHON) -m pip wheel --quiet --no-deps --wheel-dir student .
	PYTHONPATH=. $(PYTHON) -m nets.course student student

solutions:
	PYTHONPATH=. $(PYTHON) -m nets.course solutions solutions

# JupyterLab is installed into .venv on first use; the .venv kernel is registered for
# the user as "valuegrad", so that any Jupyter front end (VS Code, a system-wide Jupyter)
# can pick it as well.
lab: setup $(VENV)/.jupyterlab
	$(VENV)/bin/jupyter lab notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

$(VENV)/.jupyterlab:
	$(PY) -m pip install --quiet jupyterlab
	$(PY) -m ipykernel install --user --name valuegrad --display-name "Python (valuegrad .venv)"
	@touch $@

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# `venv` first repairs or removes a broken .venv; the stamp is then judged by a fresh make,
# which sees whether the stamp survived.
setup: venv graphviz
	@$(MAKE) --no-print-directory --question $(STAMP) || $(MAKE) --no-print-directory $(STAMP)

$(STAMP): pyproject.toml setup.py
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	@touch $@

# How to install a package with apt-get here (sudo unless root).
APT := $(shell [ "$$(id -u)" = 0 ] || echo "sudo ")apt-get install -y

# .venv must be made by $(PYTHON) (3.10 or newer) and have a working pip; otherwise it is
# made again.  (Debian's own python3 makes a .venv without pip unless python3-venv is
# installed.)
venv:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
	  if command -v $(PYTHON) >/dev/null 2>&1; then found=$$($(PYTHON) --version 2>&1); \
	  else found="not found"; fi; \
	  echo "valuegrad needs Python 3.10 or newer; $(PYTHON) is $$found."; \
	  for p in python3.13 python3.12 python3.11 python3.10; do \
	    if $$p -c 'import sys; sys.exit(sys.version_info < (3, 10))' >/dev/null 2>&1; then \
	      echo "Run make again with it: make $(or $(MAKECMDGOALS),demo) PYTHON=$$p"; exit 1; fi; \
	  done; \
	  echo "Install Python 3.10 or newer (Debian/Ubuntu: $(APT) python3; macOS: brew install python)"; \
	  echo "then run make again with it: make $(or $(MAKECMDGOALS),demo) PYTHON=/path/to/python3"; \
	  exit 1; }
	@if [ -d $(VENV) ]; then \
	  probe='import sys; print(sys.base_prefix, sys.version)'; \
	  if ! $(PY) -m pip --version >/dev/null 2>&1; then \
	    echo "Making $(VENV) again: it has no working pip."; rm -rf $(VENV); \
	  elif [ "$$($(PY) -c "$$probe")" != "$$($(PYTHON) -c "$$probe")" ]; then \
	    echo "Making $(VENV) again: it was made by another Python than $(PYTHON)."; rm -rf $(VENV); \
	  fi; \
	fi
	@if [ ! -d $(VENV) ]; then \
	  echo "Making $(VENV) with $$($(PYTHON) --version 2>&1) ($(PYTHON))"; \
	  $(PYTHON) -m venv $(VENV) >/dev/null 2>&1; \
	  $(PY) -m pip --version >/dev/null 2>&1 || { \
	    rm -rf $(VENV); \
	    echo "Could not make a virtual environment with pip using $(PYTHON)."; \
	    echo "On Debian/Ubuntu install the venv module, then run make again:"; \
	    echo "  $(APT) $$($(PYTHON) -c 'import sys; print("python3.%d-venv" % sys.version_info[1])')"; \
	    exit 1; }; \
	fi

# Graphviz's `dot` program renders the pictures; the Python package alone cannot.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  echo "Installing Graphviz (the dot program) ..."; \
	  if command -v apt-get >/dev/null 2>&1; then \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq graphviz >/dev/null; \
	  elif command -v brew >/dev/null 2>&1; then \
	    brew install graphviz; \
	  fi; \
	  command -v dot >/dev/null 2>&1 || { \
	    echo "Could not install Graphviz. Install it yourself, then run make again:"; \
	    echo "  Debian/Ubuntu: sudo apt-get install graphviz"; \
	    echo "  macOS:         brew install graphviz"; \
	    echo "  conda:         conda install -c conda-forge graphviz"; \
	    exit 1; }; }

clean:
	rm -rf $(VENV) runs .pytest_cache .hypothesis .ruff_cache .mypy_cache build dist docs/_build docs/course/*.ipynb
