# cxlab: `make demo` and `make test` work on a fresh machine with Python 3.11 and git.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# Stamps are rebuilt when pyproject.toml changes, so the venv follows it.
BASE   := $(VENV)/.installed-base
DEV    := $(VENV)/.installed-dev

.PHONY: demo test test-fast lint bench venv clean-reports help

help:
	@echo "make demo      - set up .venv, build workspaces/demo, run the latest wave, print the outputs"
	@echo "make test      - install the dev extras if missing and run the whole test suite (as CI does)"
	@echo "make test-fast - the tests not marked slow: no notebooks, servers, browsers or big simulations (under 90 s)"
	@echo "make lint      - ruff (lint, format check), mypy, import-linter's layers: what CI runs before the tests"
	@echo "make bench     - speed and memory figures (benchmarks/)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(BASE): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(BASE) $@

venv: $(BASE)

demo: $(BASE)
	$(BIN)/cxlab demo --workspace workspaces/demo

test: $(DEV)
	$(BIN)/python -m pytest

# The fast lane: everything but the tests marked slow (see the `slow` marker in pyproject.toml).
test-fast: $(DEV)
	$(BIN)/python -m pytest -m "not slow"

# House rules (CONTRIBUTING.md): lint and format, types (strict on metrics and stats), the layers of
# docs/ARCHITECTURE.md.  CI runs this before the tests.
lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# The comparison packages of benchmarks/bench_drivers.py (not project dependencies) go into the venv
# first; --no-deps: dominance-analysis declares plotly, cufflinks and bokeh==2.4.3, needed only to plot.
bench: $(DEV)
	$(BIN)/python -m pip install --quiet --no-deps dominance-analysis==1.1.9 relativeImp==0.0.2
	$(BIN)/python benchmarks/run_all.py

clean-reports:
	rm -rf reports/*/
