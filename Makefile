# CloudLab: `make lab` opens the course, `make test` runs every test.
# Everything the project needs is installed from here (Python venv, Debian chromium,
# npm assets for the book); nothing is expected to be installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.cloudlab-installed
PORT   ?= 8888

.DEFAULT_GOAL := help
.PHONY: help install lab test lint typecheck unit notebooks browser book book-test bench release solutions \
        release-check chromium clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# The venv is rebuilt only when pyproject.toml changes, so re-running is fast.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[lab,book,dev]'
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install CloudLab with everything for labs, book and tests

lab: $(STAMP)  ## open the course in JupyterLab on 127.0.0.1 (your copy of the labs: my-labs/)
	$(BIN)/cloudlab lab --port $(PORT)

chromium:  ## install Debian's chromium for the browser tests (once)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check cloudlab tests benchmarks book/build.py book/_ext

typecheck: $(STAMP)  ## mypy on the package
	$(BIN)/mypy

release-check: $(STAMP)  ## fail when labs/ is stale with respect to solutions/
	$(BIN)/cloudlab release --check

release: $(STAMP)  ## regenerate labs/ from solutions/
	$(BIN)/cloudlab release

solutions: $(STAMP)  ## (course authors) re-execute solutions/ in place to refresh their outputs, then release
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.store_widget_state=False --ExecutePreprocessor.record_timing=False \
	  solutions/[0-9][0-9]-*.ipynb
	$(BIN)/cloudlab release

unit: $(STAMP)  ## unit and property tests
	$(BIN)/pytest -q -n 2 tests -m "not notebooks and not browser and not book"

notebooks: $(STAMP)  ## execute and grade every solution and lab; nbval on solutions
	$(BIN)/pytest -q -n 2 tests -m notebooks

browser: $(STAMP) chromium  ## JupyterLab in headless Chromium: widgets really render
	$(BIN)/pytest -q tests -m browser

book: $(STAMP)  ## build the course book (HTML, offline) into book/_build/html
	$(BIN)/python book/build.py

book-test: book  ## the built book references no external host
	$(BIN)/pytest -q tests -m book

# Two passes: everything but the browser on both cores (pytest-xdist; each worker is its own
# process with its own mini cloud), then JupyterLab in Chromium on its own.
test: $(STAMP) chromium lint typecheck release-check book  ## everything CI runs
	$(BIN)/pytest -n 2 --durations=10 -m "not browser" tests
	$(BIN)/pytest --durations=5 -m browser tests

bench: $(STAMP)  ## print benchmark figures (never asserted)
	$(BIN)/python -m benchmarks

clean:  ## remove build output (keeps .venv and my-labs/)
	rm -rf book/_build book/labs book/_vendor .pytest_cache .mypy_cache .ruff_cache test-artifacts
