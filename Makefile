# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the browser tests (tests/browser) drive Debian's headless Chromium
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint bench clean browser

$(STAMP): setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q --upgrade pip wheel
	$(BIN)/pip install --disable-pip-version-check -q -e '.[test]'
	touch $(STAMP)

## run: start deltaflask on the mock driver at http://localhost:3001/api
run: $(STAMP)
	$(BIN)/deltaflask -i mock

## browser: install Debian's chromium for the browser tests when it is missing
browser:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

## test: ruff, then the whole test suite (browser tests included)
test: $(STAMP) browser
	$(BIN)/pip install --disable-pip-version-check -q -e '.[test]'
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_api.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
