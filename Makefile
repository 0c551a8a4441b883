# Pre-birth Data Book. `make book` builds the demo book; `make test` runs every test.
# Both create the virtual environment .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AREA ?= areas/demo.yml
JOBS ?=
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
DEMO := data/demo/.generated

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

$(DEMO): $(STAMP) src/prebirth/synth.py
	$(BIN)/prebirth demo --root .
	touch $@

demo: $(DEMO)  ## write the synthetic demo area (data/demo/, areas/demo.yml)

book: $(STAMP) $(DEMO)  ## build the book: make book [AREA=areas/<name>.yml] [JOBS=2]
	$(BIN)/prebirth build $(AREA) $(if $(JOBS),-j $(JOBS))

test: $(STAMP) $(DEMO)  ## run the whole test suite (unit, notebooks, book, browser)
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider

bench: $(STAMP) $(DEMO)  ## run the performance benchmarks (not part of the tests)
	$(BIN)/python bench/run.py

clean:  ## remove built books and generated demo data (keeps .venv)
	rm -rf _build data/demo
