# Two commands work on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint format bench fixtures clean reliability

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/notices demo

test: $(INSTALLED) lint
	$(BIN)/pytest
	# the timestamp and parser suites again under a far-from-UTC local zone
	TZ=Pacific/Chatham $(BIN)/pytest -q -p no:cacheprovider tests/parsers

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The fault-injection suite at full size (20 kills, 200 soak crawls, a 1 GB gzip bomb): prints
# the table and writes it to docs/reliability.md. `make test` runs it reduced.
reliability: $(INSTALLED)
	NOTICES_RELIABILITY=full $(BIN)/pytest -p no:cacheprovider tests/reliability

bench: $(INSTALLED)
	$(BIN)/python -m bench.parse_bench
	$(BIN)/python -m bench.ingest_bench
	$(BIN)/python -m bench.views_bench
	$(BIN)/python -m bench.reparse_bench

# Rewrite the golden expected output from the current parsers; review it with `git diff`.
fixtures: $(INSTALLED)
	$(BIN)/python -m tests.regen_fixtures

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
