# The two commands: `make run` (set up and serve on the embedded SQLite) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lint bench calibrate fuzz e2e-deps clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/ceiling db upgrade
	$(BIN)/ceiling seed --if-empty
	$(BIN)/ceiling users bootstrap
	CEILING_SCHEDULER_IN_APP=$${CEILING_SCHEDULER_IN_APP:-true} $(BIN)/ceiling serve

test: $(STAMP_DEV)
	$(BIN)/ruff check app tests migrations/env.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP_DEV)
	$(BIN)/ruff check app tests migrations/env.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check app tests migrations/env.py

fuzz: $(STAMP_DEV)
	CEILING_FUZZ_EXAMPLES=$${CEILING_FUZZ_EXAMPLES:-100} CEILING_FUZZ_STEPS=$${CEILING_FUZZ_STEPS:-10} $(BIN)/python -m pytest tests/api/test_api_schemathesis.py -n 0 -p no:randomly

bench: $(STAMP_DEV)
	$(BIN)/python -m pytest tests -m slow --benchmark-enable -n 0

calibrate: $(STAMP_RUN)
	$(BIN)/ceiling calibrate --literatures $${LITERATURES:-200}

clean:
	rm -rf $(VENV) .pytest_cache
