# The two commands: `make run` (set up and serve on the embedded SQLite) and `make test` (the whole suite).
# Both install the exact versions of the lock files (docs/security.md, "Supply chain"); `make lock` remakes them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
UV_VERSION := 0.13.8
# [build-system] requires of pyproject.toml: locked too, so the editable install builds without fetching anything.
BUILD_TOOLS := setuptools>=68 wheel
COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-strip-extras $(LOCK_FLAGS)
BROWSER_JS := tests/browser/node_modules/.package-lock.json

.PHONY: run test lint lock audit bench calibrate fuzz e2e-deps clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Exact versions with their hashes (pip refuses anything unpinned or altered), then the app itself without deps.
$(STAMP_RUN): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(STAMP_DEV): pyproject.toml $(DEV_LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@ $(STAMP_RUN)

# Remake both lock files from pyproject.toml, keeping every pin that still fits (LOCK_FLAGS=--upgrade moves all to
# the newest allowed). The dev lock is the superset; the run lock takes its versions, so tests run what is deployed.
lock: | $(BIN)/python
	@test -x $(BIN)/uv || $(BIN)/pip install --quiet "uv==$(UV_VERSION)"
	printf '%s\n' $(foreach tool,$(BUILD_TOOLS),'$(tool)') > $(VENV)/build-tools.in
	$(COMPILE) pyproject.toml $(VENV)/build-tools.in --extra dev --extra bench -o $(DEV_LOCK)
	$(COMPILE) pyproject.toml $(VENV)/build-tools.in -c $(DEV_LOCK) -o $(LOCK)

# Known vulnerabilities of every locked version (docs/security.md, "Supply chain"). With ADVISORIES=DIR (a local
# copy of an OSV advisory database) it runs offline; without, pip-audit asks AUDIT_SERVICE (osv or pypi) and fails
# on any package it could not check. Not part of `make test`. AUDIT_IGNORE: advisories judged not to apply, each
# argued in docs/security.md.
AUDIT_SERVICE ?= osv
AUDIT_IGNORE := PYSEC-2023-154
audit: $(STAMP_DEV)
ifdef ADVISORIES
	$(BIN)/python tools/audit_lock.py --advisories $(ADVISORIES) $(AUDIT_IGNORE:%=--ignore %) $(LOCK) $(DEV_LOCK)
else
	$(BIN)/pip-audit --strict --disable-pip --require-hashes --vulnerability-service $(AUDIT_SERVICE) \
		--progress-spinner off $(AUDIT_IGNORE:%=--ignore-vuln %) -r $(DEV_LOCK)
endif

run: $(STAMP_RUN)
	$(BIN)/ceiling db upgrade
	$(BIN)/ceiling seed --if-empty
	$(BIN)/ceiling users bootstrap
	CEILING_SCHEDULER_IN_APP=$${CEILING_SCHEDULER_IN_APP:-true} $(BIN)/ceiling serve

# axe-core and Vega-Lite for the browser tests, from the npm registry at the versions of the lock file
$(BROWSER_JS): tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	@touch $@

test: $(STAMP_DEV) $(BROWSER_JS)
	$(BIN)/ruff check app tests tools migrations/env.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP_DEV)
	$(BIN)/ruff check app tests tools migrations/env.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check app tests tools migrations/env.py

fuzz: $(STAMP_DEV)
	CEILING_FUZZ_EXAMPLES=$${CEILING_FUZZ_EXAMPLES:-100} CEILING_FUZZ_STEPS=$${CEILING_FUZZ_STEPS:-10} $(BIN)/python -m pytest tests/api/test_api_schemathesis.py -n 0 -p no:randomly

bench: $(STAMP_DEV)
	$(BIN)/python -m pytest tests -m slow --benchmark-enable -n 0

calibrate: $(STAMP_RUN)
	$(BIN)/ceiling calibrate --literatures $${LITERATURES:-200}

clean:
	rm -rf $(VENV) .pytest_cache
