# OpenMASH: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3.12)
# DfE's census rules need pandas 1.5, so they run in an environment of their own (docs/returns.md).
PYTHON_CIN ?= $(shell command -v python3.11 2>/dev/null || echo python3.11)
CIN_ENV := .venv-cin
UV_VERSION := 0.13.9
UV := .tools/bin/uv
OPENMASH := .venv/bin/openmash
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SIZE ?= borough
DEMO_SEED ?= 1

.PHONY: help env run serve test lint typecheck pytest bench frontend clean

help:
	@echo "make run     build the environment and a synthetic borough, then serve http://$(HOST):$(PORT)"
	@echo "make serve   migrate, collect static files, then serve with gunicorn and run the task worker"
	@echo "make test    lint, type-check and run the whole test suite (browser tests included)"
	@echo "make bench   run the benchmarks (ONLY=name for one)"

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

$(CIN_ENV)/.synced: tools/cin-validator/pyproject.toml tools/cin-validator/uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(CURDIR)/$(CIN_ENV) $(UV) sync --frozen --project tools/cin-validator --python $(PYTHON_CIN)
	@touch $@

env: .venv/.synced $(CIN_ENV)/.synced

run: env
	@mkdir -p var/static
	OPENMASH_DEMO=1 OPENMASH_INSECURE_HTTP=1 $(OPENMASH) migrate --no-input -v 0
	OPENMASH_DEMO=1 OPENMASH_INSECURE_HTTP=1 $(OPENMASH) generate --size $(DEMO_SIZE) --seed $(DEMO_SEED) --if-empty > var/demo-summary.json
	OPENMASH_DEMO=1 OPENMASH_INSECURE_HTTP=1 $(OPENMASH) data-quality refresh --if-never
	@OPENMASH_DEMO=1 $(OPENMASH) demo-users
	OPENMASH_DEMO=1 OPENMASH_INSECURE_HTTP=1 $(OPENMASH) demo-scrutiny
	@echo "Serving http://$(HOST):$(PORT)/ with the background task worker (Ctrl+C to stop)"
	@export OPENMASH_DEMO=1 OPENMASH_INSECURE_HTTP=1; \
	$(OPENMASH) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true' EXIT INT TERM; \
	$(OPENMASH) runserver --noreload $(HOST):$(PORT)

# Production-style: gunicorn processes (src/openmash/gunicorn_conf.py) over DATABASE_URL, static files
# collected for WhiteNoise, and the background task worker. docs/deploy.md runs the same pieces as services.
# Plain HTTP on $(HOST):$(PORT) unless OPENMASH_PROXY_SSL_HEADER says a TLS proxy is in front.
# With OPENMASH_DEMO=1 it also builds the demo borough (if the database is empty), the demo accounts and the demo's
# inspections, action plans, frozen quarter and scrutiny review (once).
serve: env
	@mkdir -p var
	@test -s var/secret-key || (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret-key)
	@set -euo pipefail; \
	export OPENMASH_SECRET_KEY="$${OPENMASH_SECRET_KEY:-$$(cat var/secret-key)}" OPENMASH_STATIC_COLLECTED=1; \
	if [ -n "$${OPENMASH_PROXY_SSL_HEADER:-}" ]; then export OPENMASH_INSECURE_HTTP="$${OPENMASH_INSECURE_HTTP:-0}"; \
	else export OPENMASH_INSECURE_HTTP="$${OPENMASH_INSECURE_HTTP:-1}"; fi; \
	$(OPENMASH) migrate --no-input -v 0; \
	$(OPENMASH) collectstatic --no-input -v 0; \
	case "$${OPENMASH_DEMO:-}" in 1|true|yes|on) \
	  $(OPENMASH) generate --size $(DEMO_SIZE) --seed $(DEMO_SEED) --if-empty > var/demo-summary.json; \
	  $(OPENMASH) data-quality refresh --if-never --enqueue; \
	  $(OPENMASH) demo-users; \
	  $(OPENMASH) demo-scrutiny;; esac; \
	$(OPENMASH) db_worker --no-reload & worker=$$!; \
	OPENMASH_BIND="$(HOST):$(PORT)" .venv/bin/gunicorn -c python:openmash.gunicorn_conf & web=$$!; \
	trap 'kill $$web $$worker 2>/dev/null || true; wait' EXIT INT TERM; \
	echo "Serving http://$(HOST):$(PORT)/ with gunicorn, tasks run by openmash db_worker (Ctrl+C stops both)"; \
	wait -n

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
