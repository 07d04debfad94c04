# leadlink — the two commands a fresh clone needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
# The browser test of the lead-entry page drives the system's Chromium (never a downloaded one).
CHROMIUM  ?= chromium

.PHONY: demo test test-spark lint typecheck unit notebooks docs bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): $(BIN)/python pyproject.toml Makefile
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_DEV): $(BIN)/python pyproject.toml Makefile
	$(BIN)/python -m pip install --quiet -e '.[dev,docs,spark,explore,serve]' playwright
	touch $@ $(STAMP_RUN)

# Chromium from the system's packages, when missing and we may install it (root, apt-get);
# otherwise the browser tests skip and say why.
browser:
	@command -v $(CHROMIUM) >/dev/null 2>&1 \
	  || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
	       && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CHROMIUM) >/dev/null; } ; } \
	  || echo "no $(CHROMIUM) and it cannot be installed here: the browser tests will skip"

demo: $(STAMP_RUN)
	$(BIN)/leadlink demo --output-dir out/demo --overwrite

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

unit: $(STAMP_DEV) browser
	LEADLINK_LANG=en $(BIN)/python -m pytest -q -m "not spark" tests --doctest-modules src/leadlink

# The Spark tests (a JVM per run: minutes), apart from `make test`; CI runs both. They skip,
# saying why, without Java.
test-spark: $(STAMP_DEV)
	LEADLINK_LANG=en $(BIN)/python -m pytest -q -m spark tests

notebooks: $(STAMP_DEV)
	$(BIN)/python -m pytest -q -W ignore --nbmake notebooks

docs: $(STAMP_DEV)
	$(BIN)/mkdocs build --strict --quiet --site-dir site

test: lint typecheck unit notebooks docs

bench: $(STAMP_RUN)
	$(BIN)/python benchmarks/accuracy.py

clean:
	rm -rf $(VENV) out build dist .pytest_cache .mypy_cache .ruff_cache
