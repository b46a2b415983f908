# OpenMASH: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3.12)
UV_VERSION := 0.13.9
UV := .tools/bin/uv
OPENMASH := .venv/bin/openmash
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SIZE ?= borough
DEMO_SEED ?= 1

.PHONY: help env run test lint typecheck pytest bench frontend clean

help:
	@echo "make run     build the environment and a synthetic borough, then serve http://$(HOST):$(PORT)"
	@echo "make test    lint, type-check and run the whole test suite (browser tests included)"
	@echo "make bench   run the benchmarks (ONLY=name for one)"

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

env: .venv/.synced

run: env
	@mkdir -p var/static
	OPENMASH_DEMO=1 OPENMASH_INSECURE_HTTP=1 $(OPENMASH) migrate --no-input -v 0
	OPENMASH_DEMO=1 OPENMASH_INSECURE_HTTP=1 $(OPENMASH) generate --size $(DEMO_SIZE) --seed $(DEMO_SEED) --if-empty > var/demo-summary.json
	@OPENMASH_DEMO=1 $(OPENMASH) demo-users
	@echo "Serving http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	OPENMASH_DEMO=1 OPENMASH_INSECURE_HTTP=1 $(OPENMASH) runserver --noreload $(HOST):$(PORT)

lint: env
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench
	.venv/bin/lint-imports --no-cache

typecheck: env
	OPENMASH_DEBUG=1 .venv/bin/mypy

pytest: env
	OPENMASH_DEBUG=0 OPENMASH_DEMO=1 OPENMASH_INSECURE_HTTP=1 .venv/bin/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: env
	OPENMASH_DEMO=1 OPENMASH_INSECURE_HTTP=1 .venv/bin/python bench/run.py $(ONLY)

frontend:
	cd frontend && npm ci && npm run build

clean:
	rm -rf .venv .tools var/static
