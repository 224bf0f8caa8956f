# Two commands do all set-up: `make run` (install, build the demo store, serve the API)
# and `make test` (install, run the whole test suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export SHOPASSIST_HOME ?= $(CURDIR)/.shopassist
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-fast lint format bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(BIN)/shopassist serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not model"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .shopassist .pytest_cache .mypy_cache .ruff_cache
