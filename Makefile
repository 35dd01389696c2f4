# maca: `make demo` and `make test` set up everything they need on a fresh machine
# (Python 3.11+ and Node.js present; uv is installed if missing).

SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
# Prefer Python 3.11 (.python-version); fall back to whatever python3 is, if it is 3.11+.
export UV_PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo 3.11 || command -v python3)
export UV_PYTHON_DOWNLOADS := never
PYTEST_ARGS ?=

.PHONY: help install assets demo test lint security format typecheck migrations-check check clean bench bench-quick crash-test

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-18s %s\n", $$1, $$2}'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

maca/static/govuk/app.min.css: node_modules/.installed assets/build.mjs $(wildcard assets/scss/*.scss)
	node assets/build.mjs

install: .venv/.synced assets ## Install Python and npm packages and build the assets

assets: maca/static/govuk/app.min.css ## Compile GOV.UK Frontend with Sass into maca/static/govuk

demo: install ## Build the demo database (SQLite in ./var) and serve it on http://127.0.0.1:8000
	$(UV) run maca demo

test: install ## Run the whole test suite (browser tests use /usr/bin/chromium)
	$(UV) run pytest $(PYTEST_ARGS)

lint: .venv/.synced ## ruff (lint and format check) and mypy
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	MACA_DEBUG=1 $(UV) run mypy

security: .venv/.synced ## Static security checks: bandit, and semgrep with maca's own rules in .semgrep/ (offline)
	$(UV) run bandit -c pyproject.toml -r maca config -q
	$(UV) run --group security semgrep scan --config .semgrep/ --metrics=off \
		--disable-version-check --error --quiet maca config

format: .venv/.synced ## Format the code with ruff
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

migrations-check: .venv/.synced ## Fail if a model change has no migration
	MACA_DEBUG=1 $(UV) run maca makemigrations --check --dry-run

check: lint security migrations-check ## Everything CI checks except the tests

bench-quick: .venv/.synced ## Benchmarks at small sizes against floors measured in the same run (a smoke-level check: about 45 s on 2 quiet cores)
	$(UV) run --group bench python bench/run.py --quick

bench: .venv/.synced ## Full-size benchmarks (about 5 minutes on 2 quiet cores); report in bench/out/report.md
	$(UV) run --group bench python bench/run.py

crash-test: install ## SIGKILL the production server under 8 writers, 20 rounds: no acknowledged save lost (bench/crash.py)
	$(UV) run python bench/crash.py --rounds 20 --writers 8

clean: ## Remove build output and the local database (./var)
	rm -rf maca/static/govuk node_modules/.installed .venv/.synced var
