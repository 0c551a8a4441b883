# Pre-birth Data Book. `make book` builds the demo book; `make test` runs every test.
# Both create the virtual environment .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AREA ?= areas/demo.yml
JOBS ?=
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
DEMO := data/demo/.generated
NODE := node_modules/.package-lock.json

.PHONY: help install book demo test clean bench

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)  ## create .venv and install the pinned requirements

# axe-core for the accessibility test, from the committed lock file (the only npm download).
$(NODE): package.json package-lock.json
	if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility test will be skipped (install Node.js to run it)"; fi

$(DEMO): $(STAMP) src/prebirth/synth.py src/prebirth/rag_statements.py
	$(BIN)/prebirth demo --root .
	touch $@

demo: $(DEMO)  ## write the synthetic demo area (data/demo/, areas/demo.yml)

book: $(STAMP) $(DEMO)  ## build the book: make book [AREA=areas/<name>.yml] [JOBS=2]
	$(BIN)/prebirth build $(AREA) $(if $(JOBS),-j $(JOBS))

test: $(STAMP) $(DEMO) $(NODE)  ## run the whole test suite (unit, notebooks, book, browser)
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider

bench: $(STAMP) $(DEMO)  ## run the performance benchmarks (not part of the tests)
	$(BIN)/python bench/run.py

clean:  ## remove built books and generated demo data (keeps .venv)
	rm -rf _build data/demo
