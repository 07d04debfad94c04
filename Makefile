# leadlink — the two commands a fresh clone needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck unit notebooks docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): $(BIN)/python pyproject.toml Makefile
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_DEV): $(BIN)/python pyproject.toml Makefile
	$(BIN)/python -m pip install --quiet -e '.[dev,docs,spark,explore]'
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/leadlink demo --output-dir out/demo --overwrite

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

unit: $(STAMP_DEV)
	LEADLINK_LANG=en $(BIN)/python -m pytest -q tests --doctest-modules src/leadlink

notebooks: $(STAMP_DEV)
	$(BIN)/python -m pytest -q -W ignore --nbmake notebooks

docs: $(STAMP_DEV)
	$(BIN)/mkdocs build --strict --quiet --site-dir site

test: lint typecheck unit notebooks docs

bench: $(STAMP_RUN)
	$(BIN)/python benchmarks/accuracy.py

clean:
	rm -rf $(VENV) out build dist .pytest_cache .mypy_cache .ruff_cache
