# chartwatch: two commands on a fresh clone.
#   make demo   creates .venv, installs chartwatch, shows the latest week's global Top 10
#   make test   lint (ruff), types on the core (mypy), the whole test suite (pytest)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_DB ?= $(CURDIR)/demo.duckdb

.PHONY: demo test lint types pytest bench bench-engine docs screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/chartwatch week --db $(DEMO_DB)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(VENV)/.dev-installed
	$(BIN)/mypy

pytest: $(VENV)/.dev-installed
	$(BIN)/pytest -n 2 --dist loadfile

test: lint types pytest

docs: $(VENV)/.dev-installed
	$(BIN)/python docs/gen_cli_reference.py > docs/cli.md

# every page kind at 390, 768 and 1440 px in Chromium, as PNGs in test-artifacts/screens/
# (not committed; /usr/bin/chromium, as the browser tests)
screenshots: $(VENV)/.dev-installed
	CHARTWATCH_SCREENSHOTS=$(CURDIR)/test-artifacts/screens $(BIN)/pytest tests/test_browser.py \
		-k sideways -q -p no:cacheprovider
	@echo "screenshots in test-artifacts/screens/"

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run_all.py

# the chart engine on 10M and 100M synthetic events (about 15 minutes; data kept in /tmp)
bench-engine: $(VENV)/.dev-installed
	$(BIN)/python bench/bench_engine.py --events 10M --repeat 2
	$(BIN)/python bench/bench_engine.py --events 100M

clean:
	rm -rf $(VENV) demo.duckdb demo.duckdb.wal .pytest_cache .mypy_cache .ruff_cache
