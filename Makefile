# carestat: the two commands a new user runs are `make demo` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif

.PHONY: help uv setup demo test test-fast bench lint format clean

help:
	@echo "make demo   - generate synthetic returns and run every stage on them"
	@echo "make test   - run the test suite"
	@echo "make bench  - run the benchmarks (figures go to benchmarks/RESULTS.md by hand)"
	@echo "make lint   - ruff"

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

setup: uv
	@$(UV) sync --frozen --quiet

demo: setup
	$(UV) run carestat demo

test: setup
	$(UV) run pytest

test-fast: setup
	$(UV) run pytest -m "not slow and not browser"

bench: setup
	$(UV) run python -m benchmarks

lint: setup
	$(UV) run ruff check src tests benchmarks tools

format: setup
	$(UV) run ruff format src tests benchmarks tools

clean:
	rm -rf .pytest_cache .ruff_cache demo-output carestat.duckdb
