# The README's two commands: `make demo` and `make test`.  Each one sets up what it needs:
# a virtual environment in .venv with the project and its extras, and Graphviz's `dot`.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
EXTRAS ?= dev
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
comma  := ,

.PHONY: demo test bench lab lint format setup graphviz clean

demo: setup
	$(VENV)/bin/valuegrad train

test: setup
	$(PY) -m pytest --nbmake --nbmake-kernel=python3 tests notebooks

bench: setup
	$(PY) benchmarks/bench.py

# The student edition of the course (solutions stubbed, teacher cells removed) in student/.
.PHONY: student
student: setup
	$(PY) -m nets.course student student

lab: setup
	$(PY) -m pip install --quiet jupyterlab
	$(VENV)/bin/jupyter lab notebooks

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

setup: $(STAMP) graphviz

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtual environment with $(PYTHON)."; \
	  echo "On Debian/Ubuntu run: sudo apt-get install python3-venv, then run make again."; \
	  exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	@touch $@

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
	rm -rf $(VENV) runs .pytest_cache .hypothesis .ruff_cache
