# The two commands a newcomer needs:
#   make run    set up (.venv) and run the main job: dilemma run bmd-europe
#   make test   set up (.venv with dev tools) and run every gate: ruff, mypy, pytest
# make test leaves out the tests marked slow (the docs' full-size examples); make test-slow runs
# them, and CI (.ci/run) runs both.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt
PYTEST_WORKERS ?= 2

.PHONY: run test test-slow setup setup-dev lint typecheck pytest bench docs clean chromium postgresql serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PIP) -e ".[dev]"
	@touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

run: setup
	$(BIN)/dilemma run bmd-europe

test: setup-dev lint typecheck pytest

lint: setup-dev
	$(BIN)/ruff check src tests benchmarks docs
	$(BIN)/ruff format --check src tests benchmarks docs

typecheck: setup-dev
	$(BIN)/mypy

# The browser tests (tests/web, marker "browser") drive Debian's Chromium through Playwright;
# they run in make test and CI, never skipped: install it when it is missing and we can.
chromium:
	@command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && apt-get install -y -qq chromium; } || \
	  echo "warning: no chromium; the browser tests will fail (apt-get install chromium)"

# The classroom's store tests (tests/classroom, marker "postgres") run on SQLite and on a
# throwaway PostgreSQL server they start from Debian's binaries: install them when missing.
postgresql:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && apt-get install -y -qq postgresql; } || \
	  echo "warning: no PostgreSQL server; the postgres tests will fail (apt-get install postgresql)"

pytest: setup-dev chromium postgresql
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow"

test-slow: setup-dev chromium postgresql
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m slow

bench: setup-dev
	$(BIN)/python -m benchmarks

serve: setup
	$(BIN)/dilemma serve

# A class on the room's network: set up, then serve beyond loopback (it prints the address
# with its access token; students open /classroom on it).
classroom: setup
	$(BIN)/dilemma serve --host 0.0.0.0

clean:
	rm -rf $(VENV) build dist src/*.egg-info
