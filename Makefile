# carestat: the two commands a new user runs are `make demo` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif

.PHONY: help uv setup browser java demo test test-fast bench lint format clean

help:
	@echo "make demo   - generate synthetic returns, run every stage on them, then serve the web service"
	@echo "make test   - run the test suite"
	@echo "make bench  - run the benchmarks (figures go to benchmarks/RESULTS.md by hand)"
	@echo "make lint   - ruff"

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

setup: uv node_modules/.package-lock.json
	@$(UV) sync --frozen --quiet

# The web service's front-end assets (govuk-frontend, accessible-autocomplete) and axe-core for the
# accessibility tests, exactly as package-lock.json says.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the web assets: apt-get install npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Debian's chromium for the browser tests (Playwright drives it; it downloads no browser of its own).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium) \
		|| { echo "Could not install chromium: run 'apt-get install chromium' as root"; exit 1; }

# Java for the Spark backend's test of the linkage (Spark 4 needs Java 17, Debian 12's default).
java:
	@command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq default-jre-headless) \
		|| { echo "Could not install Java: run 'apt-get install default-jre-headless' as root"; exit 1; }

demo: setup
	$(UV) run carestat demo

test: setup browser java
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
	rm -rf .pytest_cache .ruff_cache demo-output carestat.duckdb carestat-users.sqlite
