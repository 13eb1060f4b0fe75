# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --disable-pip-version-check -q
# `make run` installs the server alone; `make test` adds the test extra
RUN_STAMP := $(VENV)/.runtime
TEST_STAMP := $(VENV)/.installed
# the browser tests (tests/browser) drive Debian's headless Chromium; point
# CHROMIUM at another Chromium binary to use that one instead
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# each driver's test services (emulators, databases) are installed by a
# fragment in mk/ that adds its target to TEST_TOOLS; they land in .tools/
TOOLS := .tools
TEST_TOOLS :=
-include mk/*.mk

.PHONY: run test lint bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip wheel

$(RUN_STAMP): setup.py | $(BIN)/python
	$(PIP) -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): setup.py | $(BIN)/python
	$(PIP) -e '.[test]'
	touch $(TEST_STAMP)

## run: start deltaflask on the mock driver at http://localhost:3001/api
run: $(RUN_STAMP)
	$(BIN)/deltaflask -i mock

## browser: install Debian's chromium for the browser tests when CHROMIUM is missing
browser:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

## test: ruff, then the whole test suite (browser tests included): in two
## processes, then the tests that time a server (marked serial) on their own
test: $(TEST_STAMP) browser $(TEST_TOOLS)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup -m 'not serial'
	$(BIN)/python -m pytest -q -m serial

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/bench_api.py

clean:
	rm -rf $(VENV) $(TOOLS) build *.egg-info .pytest_cache .ruff_cache
